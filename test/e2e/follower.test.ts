import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { bytesToHex } from "@ethereumjs/util";
import {
  type Contract,
  ContractFactory,
  type InterfaceAbi,
  type JsonRpcProvider,
  Wallet,
  getBytes,
  keccak256,
  parseEther,
  parseUnits,
} from "ethers";
import { artifacts } from "hardhat";

import { acceptanceHistory } from "../../rollup-node/bridge/acceptance";
import type { BatchSubmitter } from "../../rollup-node/bridge/batchSubmitter";
import { ROLLUP_INTERFACE, connectOptimisticRollup } from "../../rollup-node/bridge/contracts";

import { DEPLOYMENT_FILE } from "../../rollup-node/devnet/rollupDevnet";
import type { FollowerError } from "../../rollup-node/follower/errors";
import { Follower } from "../../rollup-node/follower/follower";
import { type FollowerNode, startFollowerNode, syncingJson } from "../../rollup-node/follower/service";
import { READY_PREFIX } from "../../rollup-node/node/cli";
import {
  E2E_L1_POLL_MS,
  type E2eRollup,
  LogSink,
  eventually,
  finalizeAfterVerdict,
  increaseL1Time,
  provableWithdrawal,
  startE2eRollup,
  withdrawToL1,
  provider,
} from "./support/harness";
import { type NodeProcess, kill } from "./support/nodeProcess";
import { tamperBlock } from "../../tools/l2Fixtures";
import { TYPESCRIPT_CHILD_ARGS } from "../support/typescriptChild";

const NODE_CLI = path.resolve(__dirname, "..", "..", "rollup-node", "node", "cli.ts");

/** `rollup-node/node/cli.ts --role follower` in its own process, so that a test can SIGKILL it. */
async function spawnFollower(r: E2eRollup, dataDir: string): Promise<NodeProcess> {
  const args = [
    "--role",
    "follower",
    "--deployment",
    path.join(r.devnet.dataDir, DEPLOYMENT_FILE),
    "--l1-rpc",
    r.devnet.l1Url,
    "--data-dir",
    dataDir,
    "--port",
    "0",
  ];
  const child = spawn(process.execPath, [...TYPESCRIPT_CHILD_ARGS, NODE_CLI, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  child.stderr?.on("data", (chunk: Buffer) => {
    output.push(chunk.toString());
    if (process.env.E2E_LOG === "1") process.stdout.write(chunk);
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const line = buffered.split("\n").find((l) => l.startsWith(READY_PREFIX));
      if (line !== undefined) resolve(line.slice(READY_PREFIX.length).trim());
    });
    child.once("exit", (code) =>
      reject(new Error(`the follower exited (${code}) before it was ready:\n${output.join("")}`)),
    );
  });
  return { child, url, output };
}

/** The one-byte key MaskingAdvancer unmasks blocks with. */
const MASK = "0x5a";

/** `bytes` XORed with MASK: a block that appears in no calldata. */
function xorMask(bytes: Uint8Array): Uint8Array {
  return bytes.map((b) => b ^ Number(MASK));
}

interface MaskingAdvancer {
  advanceMasked(...args: unknown[]): Promise<{ wait(): Promise<{ hash: string } | null> }>;
  proposeMasked(...args: unknown[]): Promise<{ wait(): Promise<{ hash: string } | null> }>;
}

/** Deploys contracts/test/MaskingAdvancer.sol from `wallet` (attack review C2). */
async function deployMaskingAdvancer(wallet: Wallet): Promise<MaskingAdvancer> {
  const artifact = await artifacts.readArtifact("MaskingAdvancer");
  const contract = (await new ContractFactory(
    artifact.abi as InterfaceAbi,
    artifact.bytecode,
    wallet,
  ).deploy()) as Contract;
  await contract.waitForDeployment();
  return contract as unknown as MaskingAdvancer;
}

/** A follower of `r`'s rollup given only what the issue allows: the L1 URL, the deployment record and the genesis. */
async function startFollower(
  r: E2eRollup,
  dataDir: string,
  log: LogSink,
): Promise<{ node: FollowerNode; l2: JsonRpcProvider; l1: JsonRpcProvider }> {
  const l1 = provider(r.devnet.l1Url);
  const node = await startFollowerNode({
    storage: { dataDir },
    l1: {
      provider: l1,
      rollupAddress: r.devnet.deployment.address,
      deployBlock: r.devnet.deployment.deployBlock,
      // Caught up, it reads L1 as often as the e2e rollup's node does: at 50 ms an idle follower
      // cost ≈ 0.03 cores more (docs/design/fast-tests.md, round 29b); behind, it reads without pause.
      pollMs: E2E_L1_POLL_MS,
    },
    follower: { genesis: r.devnet.genesis },
    rpc: { port: 0 },
    logger: log.factory,
  });
  return { node, l2: provider(node.url as string), l1 };
}

async function stopFollower(
  f: { node: FollowerNode; l2: JsonRpcProvider; l1: JsonRpcProvider } | undefined,
): Promise<void> {
  if (f === undefined) return;
  f.l2.destroy();
  await f.node.stop();
  f.l1.destroy();
}

/** Waits until L1 has accepted the sequencer's current head; returns it. */
async function acceptedHead(r: E2eRollup): Promise<bigint> {
  return eventually(
    "L1 to accept the sequencer's head",
    async () => {
      const head = BigInt(await r.l2.getBlockNumber());
      return (await r.rollup().headNumber()) === head ? head : undefined;
    },
    30_000,
  );
}

describe("e2e: a follower derives the L2 chain from L1 data alone", function () {
  this.timeout(180_000);
  let r: E2eRollup;
  const followerDir = mkdtempSync(path.join(tmpdir(), "rollup-follower-"));
  const log = new LogSink();
  let f: Awaited<ReturnType<typeof startFollower>> | undefined;
  const recipient = "0x0000000000000000000000000000000000f011e4";
  const l1Recipient = "0x0000000000000000000000000000000000f011e1";
  let transferHash = "";
  let withdrawalHash = "";

  before(async () => {
    r = await startE2eRollup();
  });

  after(async () => {
    await stopFollower(f);
    await r?.stop();
    rmSync(followerDir, { recursive: true, force: true });
  });

  it("reaches the sequencer's head hash and state root from an empty data directory, and answers the same balances and receipts", async () => {
    await (await r.rollup(1).depositETH(recipient, { value: parseEther("2") })).wait();
    const sender = r.l2Wallet(4);
    const transfer = await sender.sendTransaction({ to: recipient, value: parseEther("0.25") });
    transferHash = transfer.hash;
    await transfer.wait();
    withdrawalHash = await withdrawToL1(r, 3, l1Recipient, parseEther("0.5"));
    await eventually("the deposit on L2", async () =>
      (await r.l2.getBalance(recipient)) === parseEther("2.25") ? true : undefined,
    );
    await provableWithdrawal(r, withdrawalHash, 30_000);
    const head = await acceptedHead(r);

    f = await startFollower(r, followerDir, log);
    const l2 = f.l2;
    await eventually(
      "the follower to reach the accepted head",
      async () => (BigInt(await l2.getBlockNumber()) >= head ? true : undefined),
      60_000,
    );
    const ours = await r.l2.getBlock(Number(head));
    const theirs = await l2.getBlock(Number(head));
    expect(theirs?.hash).to.equal(ours?.hash);
    expect(theirs?.hash).to.equal(await r.rollup().headHash());
    expect((await l2.send("eth_getBlockByNumber", [`0x${head.toString(16)}`, false])).stateRoot).to.equal(
      (await r.l2.send("eth_getBlockByNumber", [`0x${head.toString(16)}`, false])).stateRoot,
    );
    for (const account of [recipient, sender.address, r.l2Wallet(3).address]) {
      expect(await l2.getBalance(account, Number(head))).to.equal(await r.l2.getBalance(account, Number(head)));
    }
    for (const hash of [transferHash, withdrawalHash]) {
      const a = await r.l2.send("eth_getTransactionReceipt", [hash]);
      const b = await l2.send("eth_getTransactionReceipt", [hash]);
      expect(b).to.deep.equal(a);
    }
    // The withdrawal's proof is served by the follower as by the sequencer (same state, same L1).
    const proof = (await l2.send("rollup_getWithdrawalProof", [{ l2TransactionHash: withdrawalHash }])) as {
      messageHash: string;
      storageProof: string[];
    };
    const expected = (await r.l2.send("rollup_getWithdrawalProof", [{ l2TransactionHash: withdrawalHash }])) as {
      messageHash: string;
      storageProof: string[];
    };
    expect(proof.messageHash).to.equal(expected.messageHash);
    expect(proof.storageProof).to.deep.equal(expected.storageProof);
    // Re-execution mode posts the witness with the block: the follower serves it too.
    expect(await l2.send("debug_executionWitness", ["0x1"])).to.deep.equal(
      await r.l2.send("debug_executionWitness", ["0x1"]),
    );
    expect(log.has("derived L2 block 1 ")).to.equal(true);
  });

  it("stops with the reason, and derives nothing, when its genesis is not the rollup's (a mismatch is never a silent fork)", async () => {
    await (await r.l2Wallet(5).sendTransaction({ to: "0x0000000000000000000000000000000000f011e7", value: 1n })).wait();
    await acceptedHead(r);
    const wrongDir = mkdtempSync(path.join(tmpdir(), "rollup-follower-wrong-"));
    const l1 = provider(r.devnet.l1Url);
    const halted: Error[] = [];
    const node = await startFollowerNode({
      storage: { dataDir: wrongDir },
      l1: {
        provider: l1,
        rollupAddress: r.devnet.deployment.address,
        deployBlock: r.devnet.deployment.deployBlock,
        pollMs: E2E_L1_POLL_MS,
      },
      follower: {
        genesis: { ...r.devnet.genesis, timestamp: r.devnet.genesis.timestamp + 1n },
        onHalt: (error) => halted.push(error),
      },
      rpc: false,
      logger: new LogSink().factory,
    });
    try {
      const error = await eventually("the halt", async () => halted[0], 30_000);
      expect(error.message).to.match(
        /^L2 block 1: accepted on L1 in transaction 0x[0-9a-f]{64} with hash 0x[0-9a-f]{64}, but block 1 is invalid: its parent hash is not the hash of the head/,
      );
      expect((error as FollowerError).code).to.equal("FOLLOWER_MISMATCH");
      expect(node.follower.chain.headNumber).to.equal(0n);
      const status = (await node.provider.request({ method: "rollup_followerStatus", params: [] })) as {
        halted?: string;
        syncing: boolean;
      };
      expect(status.halted).to.equal(error.message);
      expect(status.syncing).to.equal(false);
    } finally {
      await node.stop();
      l1.destroy();
      rmSync(wrongDir, { recursive: true, force: true });
    }
  });

  it("reports eth_syncing with its progress while behind L1, and false once caught up", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "rollup-follower-syncing-"));
    const l1 = provider(r.devnet.l1Url);
    // One L1 block per step: the follower is behind after the first.
    const follower = await Follower.open({
      dataDir: dir,
      genesis: r.devnet.genesis,
      l1Provider: l1,
      rollupAddress: r.devnet.deployment.address,
      deployBlock: r.devnet.deployment.deployBlock,
      maxLogRange: 1,
      logger: new LogSink().factory("follower"),
    });
    try {
      expect(await follower.syncStep()).to.equal(true);
      const syncing = syncingJson(follower) as { startingBlock: string; currentBlock: string; highestBlock: string };
      expect(syncing.startingBlock).to.equal("0x0");
      expect(BigInt(syncing.currentBlock) <= BigInt(syncing.highestBlock)).to.equal(true);
      await follower.syncToL1Head();
      expect(syncingJson(follower)).to.equal(false);
      expect(bytesToHex(follower.chain.head.hash())).to.equal(await r.rollup().headHash());
    } finally {
      await follower.close();
      l1.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("serves the dashboard page and its data", async () => {
    const url = (f as { node: FollowerNode }).node.url as string;
    const page = await fetch(`${url}/`);
    expect(page.status).to.equal(200);
    const data = (await (await fetch(`${url}/api/dashboard`)).json()) as {
      heads: { l2: number; l2Hash: string };
      rollup: { submitter: string };
    };
    const l2 = (f as { l2: JsonRpcProvider }).l2;
    const head = await l2.getBlock("latest");
    // The follower's own head and no submitter: it only reads.
    expect(data.heads.l2).to.be.at.most(head?.number as number);
    expect(data.rollup.submitter).to.equal("off");
  });

  it("refuses eth_sendRawTransaction with an error that names the sequencer", async () => {
    const l2 = (f as { l2: JsonRpcProvider }).l2;
    const wallet = new Wallet(r.devnet.accounts[6]?.privateKey as string);
    const raw = await wallet.signTransaction({
      chainId: r.devnet.l2ChainId,
      nonce: 0,
      to: recipient,
      value: 1n,
      gasLimit: 21_000n,
      maxFeePerGas: parseUnits("20", "gwei"),
      maxPriorityFeePerGas: 1n,
      type: 2,
    });
    const error = await l2.send("eth_sendRawTransaction", [raw]).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).to.match(/this node is a follower/);
    expect(error?.message).to.match(/sequencer/);
  });

  it("names blocks accepted on L1 with safe and finalized (after L1 depth), on the follower and on the sequencer, whose unaccepted block is latest but not safe", async () => {
    const l2 = (f as { l2: JsonRpcProvider }).l2;
    await eventually("caught up", async () => ((await l2.send("eth_syncing", [])) === false ? true : undefined));
    const status = (await l2.send("rollup_followerStatus", [])) as { head: string; safe: string; finalized: string };
    expect(status.safe).to.equal(status.head);
    // The tags name those blocks on every block-taking method.
    expect((await l2.send("eth_getBlockByNumber", ["safe", false])).number).to.equal(status.safe);
    expect((await l2.send("eth_getBlockByNumber", ["finalized", false])).number).to.equal(status.finalized);
    expect(BigInt(status.finalized) <= BigInt(status.safe)).to.equal(true);
    // "finalized" waits for L1 depth: once L1 moves on by the default depth, it reaches the safe head.
    for (let i = 0; i < 3; i++) await r.l1.send("evm_mine", []);
    await eventually("the finalized tag to reach the safe head", async () =>
      (await l2.send("eth_getBlockByNumber", ["finalized", false])).number === status.safe ? true : undefined,
    );
    expect(await l2.getBalance(recipient, "finalized")).to.equal(await r.l2.getBalance(recipient, Number(status.safe)));
    // The sequencer names the same block safe once it reads L1's head (never its own head unasked).
    await eventually("the sequencer's safe tag", async () =>
      (await r.l2.send("eth_getBlockByNumber", ["safe", false])).number === status.safe ? true : undefined,
    );
    expect(
      BigInt((await r.l2.send("eth_getBlockByNumber", ["finalized", false])).number) <= BigInt(status.safe),
    ).to.equal(true);
    // A block L1 has not accepted is the sequencer's latest, not its safe block.
    const submitter = r.devnet.node.bridge.submitter as BatchSubmitter;
    await submitter.stop();
    try {
      const mined = await (
        await r.l2Wallet(5).sendTransaction({ to: "0x0000000000000000000000000000000000f011e8", value: 1n })
      ).wait();
      expect((await r.l2.send("eth_getBlockByNumber", ["latest", false])).number).to.equal(
        `0x${(mined?.blockNumber as number).toString(16)}`,
      );
      expect((await r.l2.send("eth_getBlockByNumber", ["safe", false])).number).to.equal(status.safe);
    } finally {
      submitter.start();
    }
    await acceptedHead(r);
  });

  it("resumes from its data directory after close and reopen, and derives the blocks made meanwhile", async () => {
    // The follower's own head when it stops (the sequencer may be a block ahead, not yet on L1).
    const stoppedAt = await (f as NonNullable<typeof f>).l2.getBlockNumber();
    await stopFollower(f);
    f = undefined;
    const headBefore = await r.l2.getBlockNumber();
    const sender = r.l2Wallet(4);
    await (await sender.sendTransaction({ to: recipient, value: 7n })).wait();
    await (await r.rollup(2).depositETH(recipient, { value: parseEther("1") })).wait();
    await eventually("the second deposit on L2", async () =>
      (await r.l2.getBalance(recipient)) === parseEther("3.25") + 7n ? true : undefined,
    );
    const head = await acceptedHead(r);
    expect(head).to.be.above(BigInt(headBefore));

    const lines = log.lines.length;
    f = await startFollower(r, followerDir, log);
    const l2 = f.l2;
    // It opens where it stopped (a block it derived between the read above and the stop counts too), not at genesis.
    const opened = log.lines
      .slice(lines)
      .map((line) => /opened follower chain \d+ at block (\d+)/.exec(line)?.[1])
      .find((n) => n !== undefined);
    expect(Number(opened)).to.be.within(stoppedAt, headBefore);
    await eventually(
      "the follower to reach the new head",
      async () => (BigInt(await l2.getBlockNumber()) >= head ? true : undefined),
      60_000,
    );
    expect((await l2.getBlock(Number(head)))?.hash).to.equal(await r.rollup().headHash());
    expect(await l2.getBalance(recipient, Number(head))).to.equal(await r.l2.getBalance(recipient, Number(head)));
    // Blocks derived before the restart were not derived again.
    expect(log.lines.slice(lines).some((line) => line.includes("derived L2 block 1 "))).to.equal(false);
  });
});

describe("e2e: a follower process killed and restarted", function () {
  this.timeout(180_000);
  let r: E2eRollup;
  const followerDir = mkdtempSync(path.join(tmpdir(), "rollup-follower-kill-"));
  let running: NodeProcess | undefined;

  before(async () => {
    r = await startE2eRollup();
  });

  after(async () => {
    if (running !== undefined) await kill(running);
    await r?.stop();
    rmSync(followerDir, { recursive: true, force: true });
  });

  it("started with --role follower and only the L1 URL and the deployment record, resumes after SIGKILL and reaches the head", async () => {
    const recipient = "0x0000000000000000000000000000000000f011e5";
    const sender = r.l2Wallet(4);
    for (let i = 0; i < 4; i++) await (await sender.sendTransaction({ to: recipient, value: 1n })).wait();
    await (await r.rollup(1).depositETH(recipient, { value: parseEther("1") })).wait();
    await eventually("the deposit on L2", async () =>
      (await r.l2.getBalance(recipient)) === parseEther("1") + 4n ? true : undefined,
    );
    await acceptedHead(r);

    running = await spawnFollower(r, followerDir);
    let l2 = provider(running.url);
    await eventually(
      "a first derived block",
      async () => (BigInt(await l2.getBlockNumber()) >= 1n ? true : undefined),
      60_000,
    );
    // More blocks while it runs, then a kill without any shutdown, in the middle of deriving.
    for (let i = 0; i < 4; i++) await (await sender.sendTransaction({ to: recipient, value: 1n })).wait();
    await kill(running);
    l2.destroy();

    running = await spawnFollower(r, followerDir);
    l2 = provider(running.url);
    try {
      expect(running.output.join("")).to.match(/opened follower chain \d+ at block [1-9]/);
      const head = await acceptedHead(r);
      await eventually(
        "the follower at the accepted head",
        async () => (BigInt(await l2.getBlockNumber()) >= head ? true : undefined),
        60_000,
      );
      expect((await l2.getBlock(Number(head)))?.hash).to.equal(await r.rollup().headHash());
      expect(await l2.getBalance(recipient, Number(head))).to.equal(await r.l2.getBalance(recipient, Number(head)));
    } finally {
      l2.destroy();
    }
  });
});

describe("e2e: a follower under an L1 reorganisation", function () {
  this.timeout(180_000);
  let r: E2eRollup;
  const followerDir = mkdtempSync(path.join(tmpdir(), "rollup-follower-reorg-"));
  const log = new LogSink();
  let f: Awaited<ReturnType<typeof startFollower>> | undefined;

  before(async () => {
    r = await startE2eRollup();
  });

  after(async () => {
    await stopFollower(f);
    await r?.stop();
    rmSync(followerDir, { recursive: true, force: true });
  });

  it("undoes the blocks accepted in L1 blocks that left the canonical chain, and re-derives the new branch", async () => {
    const recipient = "0x0000000000000000000000000000000000aeae01";
    await (await r.rollup(1).depositETH(recipient, { value: parseEther("1") })).wait();
    await eventually("the first deposit", async () =>
      (await r.l2.getBalance(recipient)) === parseEther("1") ? true : undefined,
    );
    const headBefore = await acceptedHead(r);
    f = await startFollower(r, followerDir, log);
    const l2 = f.l2;
    await eventually(
      "the follower at the accepted head",
      async () => (BigInt(await l2.getBlockNumber()) === headBefore ? true : undefined),
      60_000,
    );

    const snapshot = (await r.l1.send("evm_snapshot", [])) as string;
    const wallet = r.l1Wallet(2);
    const request = await wallet.populateTransaction(
      await r.rollup(2).depositETH.populateTransaction(recipient, { value: parseEther("2") }),
    );
    const raw = await wallet.signTransaction(request);
    await (await r.l1.broadcastTransaction(raw)).wait();
    const relayedIn = await eventually("the second deposit on L2", async () =>
      (await r.l2.getBalance(recipient)) === parseEther("3") ? BigInt(await r.l2.getBlockNumber()) : undefined,
    );
    await eventually(
      "L1 to accept the block relaying it",
      async () => ((await r.rollup().headNumber()) >= relayedIn ? true : undefined),
      30_000,
    );
    await eventually(
      "the follower to derive it",
      async () => ((await l2.getBalance(recipient)) === parseEther("3") ? true : undefined),
      60_000,
    );
    const derivedHead = BigInt(await l2.getBlockNumber());
    expect(derivedHead).to.be.above(headBefore);

    // The reorganisation: L1 loses the deposit and the advance of the blocks after headBefore.
    expect(await r.l1.send("evm_revert", [snapshot])).to.equal(true);
    expect(await r.rollup().headNumber()).to.equal(headBefore);
    await eventually(
      "the follower to undo the dropped blocks",
      async () => (BigInt(await l2.getBlockNumber()) === headBefore ? true : undefined),
      30_000,
    );
    expect(await l2.getBalance(recipient)).to.equal(parseEther("1"));
    expect(log.has(`undid L2 blocks ${headBefore + 1n}..`)).to.equal(true);

    // The same deposit lands again on the new branch; the sequencer re-submits; the follower re-derives.
    await (await r.l1.broadcastTransaction(raw)).wait();
    const head = await acceptedHead(r);
    await eventually(
      "the follower to re-derive the new branch",
      async () => (BigInt(await l2.getBlockNumber()) >= head ? true : undefined),
      60_000,
    );
    expect((await l2.getBlock(Number(head)))?.hash).to.equal(await r.rollup().headHash());
    expect(await l2.getBalance(recipient, Number(head))).to.equal(parseEther("3"));
    const status = (await l2.send("rollup_followerStatus", [])) as { halted?: string };
    expect(status.halted).to.equal(undefined);
  });

  it("undoes nothing when its L1 blocks are gone and L1 has no rollup contract (an L1 reset, a URL of another chain): it says so, and resumes when the rollup is back", async () => {
    const l2 = (f as NonNullable<typeof f>).l2;
    const address = r.devnet.deployment.address;
    const code = await r.l1.getCode(address);
    const snapshot = (await r.l1.send("evm_snapshot", [])) as string;
    await (await r.l2Wallet(5).sendTransaction({ to: "0x0000000000000000000000000000000000aeae02", value: 1n })).wait();
    const head = await acceptedHead(r);
    await eventually(
      "the follower at the accepted head",
      async () => (BigInt(await l2.getBlockNumber()) === head ? true : undefined),
      60_000,
    );

    // Another chain at the same URL: the L1 blocks that accepted the follower's head are gone, and so is the rollup's code.
    expect(await r.l1.send("evm_revert", [snapshot])).to.equal(true);
    await r.l1.send("hardhat_setCode", [address, "0x"]);
    for (let i = 0; i < 3; i++) await r.l1.send("evm_mine", []);
    const noRollup = `this L1 has no rollup contract at ${address}`;
    await eventually("the follower to say the L1 has no rollup, or to undo its blocks", async () =>
      log.has(noRollup) || BigInt(await l2.getBlockNumber()) !== head ? true : undefined,
    );
    expect(BigInt(await l2.getBlockNumber()), "derived blocks undone on an L1 without the rollup").to.equal(head);
    expect(log.has(noRollup)).to.equal(true);

    // The rollup's L1 back (its advances since the snapshot reverted): the follower follows L1 again.
    await r.l1.send("hardhat_setCode", [address, code]);
    await r.l1.send("evm_mine", []);
    const back = await acceptedHead(r);
    await eventually(
      "the follower at L1's head again",
      async () => ((await l2.getBlock(Number(back)))?.hash === (await r.rollup().headHash()) ? true : undefined),
      60_000,
    );
  });
});

describe("e2e: a follower of an optimistic rollup (provisional, final, challenged-and-removed blocks)", function () {
  this.timeout(180_000);
  // Long enough that the node's challenger wins on a loaded machine; the tests move L1's clock past
  // it to finalize (`finalizeAfterVerdict`). At 4 s the forged proposal's challenge lost the race to the
  // window's close under load (ChallengeWindowClosed: docs/design/rpc-keepalive.md).
  const WINDOW = 30n;
  const BOND = parseEther("0.1");
  let r: E2eRollup;
  const followerDir = mkdtempSync(path.join(tmpdir(), "rollup-follower-optimistic-"));
  const log = new LogSink();
  let f: Awaited<ReturnType<typeof startFollower>> | undefined;

  before(async () => {
    r = await startE2eRollup({ mode: { kind: "optimistic", challengeWindow: WINDOW, proposalBond: BOND } });
  });

  after(async () => {
    await stopFollower(f);
    await r?.stop();
    rmSync(followerDir, { recursive: true, force: true });
  });

  it("derives proposals as provisional (latest, not safe), makes them safe when L1 finalizes them, waits at a proposal that does not execute and drops it when L1's challenge removes it", async () => {
    const rollup = connectOptimisticRollup(r.devnet.deployment.address, r.l1);
    const recipient = "0x0000000000000000000000000000000000f011e6";
    f = await startFollower(r, followerDir, log);
    const l2 = f.l2;
    const status = async (): Promise<{ head: string; safe: string; blocked?: { number: string } }> =>
      (await l2.send("rollup_followerStatus", [])) as never;

    // The submitter both proposes and finalizes: with it stopped, the test proposes the blocks itself
    // (under the sequencer's key, as the node would) and nothing can finalize them before the
    // follower has derived them, however slow the machine.
    const submitter = r.devnet.node.bridge.submitter as BatchSubmitter;
    const sequencerKey = connectOptimisticRollup(
      r.devnet.deployment.address,
      new Wallet(r.devnet.keys.sequencer.privateKey, r.l1),
    );
    const proposed = BigInt(await r.l2.getBlockNumber());
    await eventually(
      "the proposal of the L2 head (nothing left in flight)",
      async () => ((await rollup.tip())[0] >= proposed ? true : undefined),
      30_000,
    );
    await submitter.stop();
    let credited: bigint;
    try {
      await (
        await connectOptimisticRollup(r.devnet.deployment.address, r.l1Wallet(1)).depositETH(recipient, {
          value: parseEther("1"),
        })
      ).wait();
      await eventually(
        "the L2 credit",
        async () => ((await r.l2.getBalance(recipient)) === parseEther("1") ? true : undefined),
        30_000,
      );
      // The block that credited the deposit: the first whose state holds it.
      credited = BigInt(await r.l2.getBlockNumber());
      while ((await r.l2.getBalance(recipient, Number(credited - 1n))) === parseEther("1")) credited--;
      for (let n = (await rollup.tip())[0] + 1n; n <= credited; n++) {
        const own = await r.devnet.node.sequencer.producedBlock(n);
        if (own === undefined) throw new Error(`the node has no block ${n}`);
        await (
          await sequencerKey.propose(own.parentHeader, own.blockRlp, own.encodedWitness, own.consumedMessages, {
            value: BOND,
          })
        ).wait();
      }
      // Provisional: the follower has it as latest, not safe, while L1 has not finalized it.
      await eventually(
        "the follower to derive the proposal",
        async () => ((await l2.getBalance(recipient)) === parseEther("1") ? true : undefined),
        30_000,
      );
      expect(await rollup.headNumber()).to.be.below(credited);
      expect(
        log.lines.some((line) => line.includes(`derived L2 block ${credited} `) && line.includes("(provisional;")),
      ).to.equal(true);
      expect(BigInt((await status()).safe)).to.be.below(credited);
    } finally {
      submitter.start();
    }
    await finalizeAfterVerdict(r, credited, WINDOW, "finalization on L1");
    await eventually(
      "the follower to make it safe",
      async () => (BigInt((await status()).safe) >= credited ? true : undefined),
      30_000,
    );

    // A forged proposal (another state root) under the sequencer's key: the node's challenger removes it.
    const before = BigInt(await r.l2.getBlockNumber());
    await eventually(
      "the proposal of the L2 head",
      async () => ((await rollup.tip())[0] >= before ? true : undefined),
      30_000,
    );
    await submitter.stop();
    const mined = await (await r.l2Wallet(2).sendTransaction({ to: recipient, value: 5n })).wait();
    const number = BigInt(mined?.blockNumber ?? 0);
    const own = await r.devnet.node.sequencer.producedBlock(number);
    if (own === undefined) throw new Error(`the node has no block ${number}`);
    const forged = tamperBlock(own.block, { stateRoot: getBytes(keccak256("0x0bad")) });
    await (
      await sequencerKey.propose(own.parentHeader, forged, own.encodedWitness, own.consumedMessages, { value: BOND })
    ).wait();
    // The follower says so when it stops at the proposal. Its status shows `blocked` only until it
    // reads the challenge's L1 block, which the challenger may send within one of its polls: the
    // log, not a poll of the status, is what cannot miss it.
    await eventually(
      "the follower to stop at the forged proposal",
      async () =>
        log.lines.some((line) => line.includes(`provisional block ${number} (`) && line.includes("does not execute"))
          ? true
          : undefined,
      30_000,
    );
    // Neither then nor once the challenge removed it has the follower taken the forged block (the
    // submitter is stopped: nothing else can be proposed at that height meanwhile).
    expect(BigInt(await l2.getBlockNumber())).to.equal(number - 1n);
    await eventually(
      "the challenge to remove it",
      async () => ((await rollup.tip())[0] === number - 1n ? true : undefined),
      30_000,
    );
    await eventually(
      "the follower to drop it",
      async () => ((await status()).blocked === undefined ? true : undefined),
      30_000,
    );

    // The node's own block takes the slot; the follower derives it and it becomes safe.
    submitter.start();
    await finalizeAfterVerdict(r, number, WINDOW, "finalization of the node's own block");
    await eventually(
      "the follower at the final head",
      async () => (BigInt((await status()).safe) >= number ? true : undefined),
      30_000,
    );
    expect((await l2.getBlock(Number(number)))?.hash).to.equal(bytesToHex(own.block.hash()));
    expect((await l2.send("eth_getBlockByNumber", ["safe", false])).number).to.equal((await status()).safe);
    expect(await l2.getBalance(recipient, Number(number))).to.equal(await r.l2.getBalance(recipient, Number(number)));
    expect(log.has("does not execute")).to.equal(true);
    expect(log.has(`L1 removed provisional blocks ${number}..${number}`)).to.equal(true);
    expect((await status()) as { halted?: string }).to.not.have.property("halted");
  });

  it("a follower started after L1 finalized the blocks logs each as final when it derives it, not provisional", async () => {
    const rollup = connectOptimisticRollup(r.devnet.deployment.address, r.l1);
    // The blocks of the tests before are final; on its own, this test makes one.
    if ((await rollup.headNumber()) === 0n) {
      const mined = await (
        await r.l2Wallet(3).sendTransaction({ to: "0x0000000000000000000000000000000000f011e8", value: 1n })
      ).wait();
      await finalizeAfterVerdict(r, BigInt(mined?.blockNumber ?? 0), WINDOW, "its finalization on L1");
    }
    const final = await rollup.headNumber();
    const lateDir = mkdtempSync(path.join(tmpdir(), "rollup-follower-late-"));
    const lateLog = new LogSink();
    const late = await startFollower(r, lateDir, lateLog);
    try {
      await eventually(
        "the late follower at the final head",
        async () => (BigInt(await late.l2.getBlockNumber()) >= final ? true : undefined),
        60_000,
      );
      for (let n = 1n; n <= final; n++) {
        const line = lateLog.lines.find((l) => l.includes(`derived L2 block ${n} `));
        expect(line, `block ${n} final on L1 since L1 block ≤ the follower's start`).to.include("(final;");
      }
    } finally {
      await stopFollower(late);
      rmSync(lateDir, { recursive: true, force: true });
    }
  });

  it("a follower's rollup_status names the proposed head beside the final head, as the sequencer's does", async () => {
    const rollup = connectOptimisticRollup(r.devnet.deployment.address, r.l1);
    const dir = mkdtempSync(path.join(tmpdir(), "rollup-follower-status-"));
    const follower = await startFollower(r, dir, new LogSink());
    try {
      const status = (await follower.l2.send("rollup_status", [])) as Record<string, string>;
      const [tip] = await rollup.tip();
      expect(status).to.have.property("proposedL2Head");
      expect(BigInt(status.proposedL2Head ?? "0x0") <= tip).to.equal(true);
      expect(BigInt(status.proposedL2Head ?? "0x0") >= BigInt(status.acceptedL2Head ?? "0x0")).to.equal(true);
    } finally {
      await stopFollower(follower);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("derives a block proposed by a contract that builds the block's bytes in memory (XOR-masked calldata), from the ProposalData event", async () => {
    const rollup = connectOptimisticRollup(r.devnet.deployment.address, r.l1);
    const recipient = "0x0000000000000000000000000000000000f011ed";
    const l2 = (f as { l2: JsonRpcProvider }).l2;
    const submitter = r.devnet.node.bridge.submitter as BatchSubmitter;
    const before = BigInt(await r.l2.getBlockNumber());
    await eventually(
      "the proposal of the L2 head",
      async () => ((await rollup.tip())[0] >= before ? true : undefined),
      30_000,
    );
    await submitter.stop();
    const mined = await (await r.l2Wallet(2).sendTransaction({ to: recipient, value: 17n })).wait();
    const own = await r.devnet.node.sequencer.producedBlock(BigInt(mined?.blockNumber ?? 0));
    if (own === undefined) throw new Error("no block");
    const masker = await deployMaskingAdvancer(r.l1Wallet(6));
    await increaseL1Time(r.l1, r.devnet.deployment.policy.sequencerInactivityPeriod + 10n);
    const receipt = await (
      await masker.proposeMasked(
        r.devnet.deployment.address,
        own.parentHeader,
        xorMask(own.blockRlp),
        MASK,
        own.encodedWitness,
        own.consumedMessages,
        { value: BOND, gasLimit: 16_000_000n },
      )
    ).wait();
    expect((await rollup.tip())[0]).to.equal(own.number);
    const sent = await r.l1.getTransaction(receipt?.hash as string);
    expect(sent?.data.includes(bytesToHex(own.blockRlp).slice(2))).to.equal(false);
    await eventually(
      "the follower at the proposal made with masked calldata",
      async () => {
        const stuck = log.lines.find((line) => line.includes(`L2 block ${own.number}: its body is not in`));
        if (stuck !== undefined) throw new Error(`the follower cannot find the block's body: ${stuck}`);
        return BigInt(await l2.getBlockNumber()) >= own.number ? true : undefined;
      },
      60_000,
    );
    expect((await l2.getBlock(Number(own.number)))?.hash).to.equal(bytesToHex(own.block.hash()));
    expect(
      log.lines.some((line) => line.includes(`derived L2 block ${own.number} `) && line.includes("body by event")),
    ).to.equal(true);
  });
});

describe("e2e: a follower of a rollup whose blocks are accepted on proofs alone", function () {
  this.timeout(180_000);
  let r: E2eRollup;
  const followerDir = mkdtempSync(path.join(tmpdir(), "rollup-follower-proofs-"));
  const log = new LogSink();
  let f: Awaited<ReturnType<typeof startFollower>> | undefined;

  before(async () => {
    r = await startE2eRollup({ mode: { kind: "proofs", committees: 1 } });
  });

  after(async () => {
    await stopFollower(f);
    await r?.stop();
    rmSync(followerDir, { recursive: true, force: true });
  });

  it("re-executes the bodies the advances still carry (no witness, no proofs needed) and reaches L1's head", async () => {
    const recipient = "0x0000000000000000000000000000000000f011e9";
    await (await r.rollup(1).depositETH(recipient, { value: parseEther("1") })).wait();
    await (await r.l2Wallet(4).sendTransaction({ to: recipient, value: 3n })).wait();
    await eventually(
      "the L2 credit",
      async () => ((await r.l2.getBalance(recipient)) === parseEther("1") + 3n ? true : undefined),
      60_000,
    );
    const head = await eventually(
      "L1 to accept the L2 head",
      async () => {
        const h = BigInt(await r.l2.getBlockNumber());
        return (await r.rollup().headNumber()) === h ? h : undefined;
      },
      90_000,
    );
    const history = await acceptanceHistory(r.l1, r.devnet.deployment.address);
    expect(history.every((b) => b.mode === "proven")).to.equal(true);

    f = await startFollower(r, followerDir, log);
    const l2 = f.l2;
    await eventually(
      "the follower at the accepted head",
      async () => (BigInt(await l2.getBlockNumber()) >= head ? true : undefined),
      60_000,
    );
    expect((await l2.getBlock(Number(head)))?.hash).to.equal(await r.rollup().headHash());
    expect(await l2.getBalance(recipient, Number(head))).to.equal(parseEther("1") + 3n);
    // L1 has no witness of a block accepted on proofs: the follower says so rather than inventing one.
    const error = await l2.send("debug_executionWitness", [`0x${head.toString(16)}`]).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).to.match(/no execution witness/);
  });
});

describe("e2e: a follower of blocks accepted through another contract", function () {
  this.timeout(180_000);
  let r: E2eRollup;
  const followerDir = mkdtempSync(path.join(tmpdir(), "rollup-follower-forwarded-"));
  const log = new LogSink();
  let f: Awaited<ReturnType<typeof startFollower>> | undefined;

  before(async () => {
    r = await startE2eRollup();
  });

  after(async () => {
    await stopFollower(f);
    await r?.stop();
    rmSync(followerDir, { recursive: true, force: true });
  });

  it("finds the body of a block advanced through a forwarding contract in the rollup's BlockData log, and derives it", async () => {
    const recipient = "0x0000000000000000000000000000000000f011ea";
    await (await r.l2Wallet(4).sendTransaction({ to: recipient, value: 11n })).wait();
    await acceptedHead(r);
    const submitter = r.devnet.node.bridge.submitter as BatchSubmitter;
    await submitter.stop();
    // Anyone may advance once the sequencer has been inactive; here through a Forwarder.
    const mined = await (await r.l2Wallet(4).sendTransaction({ to: recipient, value: 12n })).wait();
    const block = await r.devnet.node.sequencer.producedBlock(BigInt(mined?.blockNumber ?? 0));
    if (block === undefined) throw new Error("no block");
    const artifact = await artifacts.readArtifact("Forwarder");
    const forwarder = (await new ContractFactory(
      artifact.abi as InterfaceAbi,
      artifact.bytecode,
      r.l1Wallet(6),
    ).deploy()) as Contract;
    await forwarder.waitForDeployment();
    await increaseL1Time(r.l1, r.devnet.deployment.policy.sequencerInactivityPeriod + 10n);
    const advance = ROLLUP_INTERFACE.encodeFunctionData("advance", [
      block.parentHeader,
      block.blockRlp,
      block.encodedWitness,
      "0x",
      block.consumedMessages,
    ]);
    const forward = forwarder.getFunction("forward") as (
      target: string,
      data: string,
      o: object,
    ) => Promise<{ wait(): Promise<{ hash: string; to: string } | null> }>;
    const receipt = await (await forward(r.devnet.deployment.address, advance, { gasLimit: 16_000_000n })).wait();
    expect(receipt?.to?.toLowerCase()).to.equal((await forwarder.getAddress()).toLowerCase());
    expect(await r.rollup().headNumber()).to.equal(block.number);

    f = await startFollower(r, followerDir, log);
    const l2 = f.l2;
    await eventually(
      "the follower at the forwarded block",
      async () => (BigInt(await l2.getBlockNumber()) >= block.number ? true : undefined),
      60_000,
    );
    expect((await l2.getBlock(Number(block.number)))?.hash).to.equal(await r.rollup().headHash());
    expect(await l2.getBalance(recipient)).to.equal(23n);
    expect(
      log.lines.some(
        // The bytes are in the outer calldata too, but a contract caller makes the rollup log them: that is read first.
        (line) => line.includes(`derived L2 block ${block.number} `) && line.includes("body by event"),
      ),
    ).to.equal(true);
    submitter.start();
  });

  it("derives a block advanced by a contract that builds the block's bytes in memory (XOR-masked calldata): the rollup's BlockData event carries them", async () => {
    const recipient = "0x0000000000000000000000000000000000f011ec";
    const submitter = r.devnet.node.bridge.submitter as BatchSubmitter;
    await acceptedHead(r);
    await submitter.stop();
    const mined = await (await r.l2Wallet(4).sendTransaction({ to: recipient, value: 13n })).wait();
    const block = await r.devnet.node.sequencer.producedBlock(BigInt(mined?.blockNumber ?? 0));
    if (block === undefined) throw new Error("no block");
    const masker = await deployMaskingAdvancer(r.l1Wallet(6));
    await increaseL1Time(r.l1, r.devnet.deployment.policy.sequencerInactivityPeriod + 10n);
    const tx = await masker.advanceMasked(
      r.devnet.deployment.address,
      block.parentHeader,
      xorMask(block.blockRlp),
      MASK,
      block.encodedWitness,
      "0x",
      block.consumedMessages,
      { gasLimit: 16_000_000n },
    );
    const receipt = await tx.wait();
    expect(await r.rollup().headNumber()).to.equal(block.number);
    // The premise: the accepted block's RLP is in no calldata of the transaction.
    expect(receipt?.hash).to.be.a("string");
    const sent = await r.l1.getTransaction(receipt?.hash as string);
    expect(sent?.data.includes(bytesToHex(block.blockRlp).slice(2))).to.equal(false);

    const l2 = (f as { l2: JsonRpcProvider }).l2;
    await eventually(
      "the follower at the block advanced with masked calldata",
      async () => {
        const stuck = log.lines.find((line) => line.includes(`L2 block ${block.number}: its body is not in`));
        if (stuck !== undefined) throw new Error(`the follower cannot find the block's body: ${stuck}`);
        return BigInt(await l2.getBlockNumber()) >= block.number ? true : undefined;
      },
      60_000,
    );
    expect((await l2.getBlock(Number(block.number)))?.hash).to.equal(await r.rollup().headHash());
    expect(await l2.getBalance(recipient)).to.equal(13n);
    expect(
      log.lines.some((line) => line.includes(`derived L2 block ${block.number} `) && line.includes("body by event")),
    ).to.equal(true);
    submitter.start();
  });

  it("forwards eth_sendRawTransaction to the sequencer when started with its URL", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "rollup-follower-forwarding-"));
    const l1 = provider(r.devnet.l1Url);
    const node = await startFollowerNode({
      storage: { dataDir: dir },
      l1: { provider: l1, rollupAddress: r.devnet.deployment.address, deployBlock: r.devnet.deployment.deployBlock },
      follower: { genesis: r.devnet.genesis, sequencerRpc: r.devnet.l2Url },
      rpc: { port: 0 },
      logger: new LogSink().factory,
    });
    const l2 = provider(node.url as string);
    try {
      const wallet = new Wallet(r.devnet.accounts[7]?.privateKey as string);
      const raw = await wallet.signTransaction({
        chainId: r.devnet.l2ChainId,
        nonce: 0,
        to: "0x0000000000000000000000000000000000f011eb",
        value: 5n,
        gasLimit: 21_000n,
        maxFeePerGas: parseUnits("20", "gwei"),
        maxPriorityFeePerGas: 1n,
        type: 2,
      });
      const hash = (await l2.send("eth_sendRawTransaction", [raw])) as string;
      const receipt = await eventually(
        "the forwarded transaction mined by the sequencer",
        async () => (await r.l2.getTransactionReceipt(hash)) ?? undefined,
      );
      expect(receipt.status).to.equal(1);
    } finally {
      l2.destroy();
      await node.stop();
      l1.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
