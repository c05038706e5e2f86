import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { Wallet, getBytes, hexlify, keccak256, parseEther } from "ethers";
import hre from "hardhat";

import type { RollupContractArtifact } from "../../deploy/contractArtifact";
import { ExecuteErrorCode } from "../../precompiles/errors";
import { acceptanceHistory } from "../../rollup-node/bridge/acceptance";
import type { BatchSubmitter } from "../../rollup-node/bridge/batchSubmitter";
import { type OptimisticExampleRollup, connectOptimisticRollup } from "../../rollup-node/bridge/contracts";
import { NodeError } from "../../rollup-node/errors";
import { createLineLogger } from "../../rollup-node/logger";
import { type NodeCommandOptions, resolveNodeCommand, startNodeCommand } from "../../rollup-node/node/nodeCommand";
import { tamperBlock } from "../../tools/l2Fixtures";
import { runTask } from "../support/runTask";
import {
  E2E_L1_POLL_MS,
  type E2eRollup,
  eventually,
  increaseL1Time,
  provider,
  startE2eRollup,
} from "./support/harness";
import { type NodeProcess, kill, nodeCommandArgs, spawnNodeCommand } from "./support/nodeProcess";

/** Long enough that the watcher's challenge never races the window's close on a loaded machine; L1's clock is moved past it to finalize. */
const WINDOW = 30n;
const BOND = parseEther("0.1");
/** Honest blocks the watcher sees before the forged one. */
const HONEST_BLOCKS = 3;

/**
 * docs/design/trial-s29.md, "Not fixed": under `permissioned` only the sequencer proposes, and only
 * the sequencer's own node challenged. Here the sequencer forges a proposal (its node's challenger
 * stopped: a sequencer that forges does not challenge itself), and a follower started with
 * `--challenge`, in a process of its own with a key of its own, is the only watcher.
 */
describe("e2e: an independent challenger (rollup:node --role follower --challenge) on a permissioned optimistic rollup", function () {
  this.timeout(300_000);
  let r: E2eRollup;
  let rollup: OptimisticExampleRollup;
  let submitter: BatchSubmitter;
  let watcher: NodeProcess | undefined;
  /** The watcher's own L1 account: none of the devnet's keys. */
  const key = Wallet.createRandom();
  const out = (): string => watcher?.output.join("") ?? "";
  const tipNumber = async (): Promise<bigint> => (await rollup.tip())[0];
  /**
   * Once the L2 head is proposed, stops the node's submitter, sends `value` ETH in a new L2 block and
   * has the sequencer's key propose that block with its state root forged (under `permissioned` only
   * it may propose).
   */
  const proposeForged = async (value: string, salt: string) => {
    const before = BigInt(await r.l2.getBlockNumber());
    await eventually(
      "the proposal of the L2 head",
      async () => ((await tipNumber()) >= before ? true : undefined),
      60_000,
    );
    await submitter.stop();
    const mined = await (
      await r.l2Wallet(2).sendTransaction({ to: r.l2Wallet(3).address, value: parseEther(value) })
    ).wait();
    const number = BigInt(mined?.blockNumber ?? 0);
    const own = await r.devnet.node.sequencer.producedBlock(number);
    if (own === undefined) throw new Error(`the node has no block ${number}`);
    const forged = tamperBlock(own.block, { stateRoot: getBytes(keccak256(salt)) });
    const sequencer = connectOptimisticRollup(
      r.devnet.deployment.address,
      new Wallet(r.devnet.keys.sequencer.privateKey, r.l1),
    );
    await (
      await sequencer.propose(own.parentHeader, forged, own.encodedWitness, own.consumedMessages, { value: BOND })
    ).wait();
    const [, forgedHash] = await rollup.tip();
    return { number, own, forgedHash };
  };

  before(async () => {
    const contract = (await hre.artifacts.readArtifact(
      "PermissionedOptimisticTestRollup",
    )) as unknown as RollupContractArtifact;
    r = await startE2eRollup({
      mode: { kind: "optimistic", challengeWindow: WINDOW, proposalBond: BOND },
      contract,
      sequencing: "permissioned",
    });
    rollup = connectOptimisticRollup(r.devnet.deployment.address, r.l1);
    submitter = r.devnet.node.bridge.submitter as BatchSubmitter;
    await r.devnet.node.bridge.challenger?.stop();
    await (await r.l1Wallet(1).sendTransaction({ to: key.address, value: parseEther("1") })).wait();
    watcher = await spawnNodeCommand(
      r,
      ["--role", "follower", "--challenge", "--l1-poll-interval", String(E2E_L1_POLL_MS)],
      { NATIVE_ROLLUP_CHALLENGER_KEY: key.privateKey },
    );
  });

  after(async () => {
    if (watcher !== undefined) await kill(watcher);
    await r?.stop();
  });

  it("says at start what it will do, with its own key", () => {
    expect(out()).to.contain(`challenger ${key.address} (key from env)`);
    expect(out()).to.contain(
      `challenging for the optimistic rollup at ${r.devnet.deployment.address} with ${key.address}`,
    );
    expect(out()).to.contain("a valid block is never challenged");
  });

  it(`stays silent on honest proposals: ${HONEST_BLOCKS} blocks judged valid, no L1 transaction sent`, async () => {
    let last = 0n;
    for (let i = 0; i < HONEST_BLOCKS; i++) {
      const mined = await (
        await r.l2Wallet(2).sendTransaction({ to: r.l2Wallet(3).address, value: parseEther("0.01") })
      ).wait();
      last = BigInt(mined?.blockNumber ?? 0);
    }
    await eventually("the proposals", async () => ((await tipNumber()) >= last ? true : undefined), 60_000);
    for (let n = 1n; n <= last; n++) {
      await eventually(
        `the watcher's verdict on L2 block ${n}`,
        async () =>
          out().includes(`L2 block ${n} is valid: EXECUTE would accept it, no challenge`) ? true : undefined,
        60_000,
      );
    }
    expect(await r.l1.getTransactionCount(key.address)).to.equal(0);
    expect(out()).not.to.contain("INVALID");
    expect(out()).not.to.contain("challenge of L2 block");
  });

  it("challenges the sequencer's forged proposal and wins its bond; the forged block never finalizes, the honest chain does", async () => {
    const balanceBefore = await r.l1.getBalance(key.address);
    const { number, own, forgedHash } = await proposeForged("0.5", "0x0bad");
    expect(forgedHash).to.not.equal(hexlify(own.block.hash()));

    const challenged = await eventually(
      "the watcher's challenge",
      async () => (await rollup.queryFilter(rollup.filters.BlockChallenged(number)))[0],
      60_000,
    );
    expect(challenged.args.challenger).to.equal(key.address);
    expect(challenged.args.blockHash).to.equal(forgedHash);
    expect(Number(challenged.args.code)).to.equal(ExecuteErrorCode.StateRootMismatch);
    expect(challenged.args.reward).to.equal(BOND);
    expect(await tipNumber()).to.equal(number - 1n);
    // The bond came to the watcher's key in the challenge itself: more than the gas it paid.
    const receipt = await r.l1.getTransactionReceipt(challenged.transactionHash);
    const gasPaid = (receipt?.gasUsed ?? 0n) * (receipt?.gasPrice ?? 0n);
    expect(await r.l1.getBalance(key.address)).to.equal(balanceBefore + BOND - gasPaid);
    // The watcher signs from bytes (RawKeyWallet): its challenge is the transaction ethers' Wallet
    // signs from the same fields, byte for byte (the same hash).
    const sent = await r.l1.getTransaction(challenged.transactionHash);
    if (sent === null) throw new Error("the challenge transaction is not on L1");
    const resigned = await key.signTransaction({
      type: sent.type,
      chainId: sent.chainId,
      nonce: sent.nonce,
      maxFeePerGas: sent.maxFeePerGas,
      maxPriorityFeePerGas: sent.maxPriorityFeePerGas,
      gasLimit: sent.gasLimit,
      to: sent.to,
      value: sent.value,
      data: sent.data,
    });
    expect(keccak256(resigned), "the challenge as ethers' Wallet signs it").to.equal(challenged.transactionHash);
    await eventually("the watcher's log of its win", async () => (out().includes("challenge WON") ? true : undefined));
    expect(out()).to.contain(`L2 block ${number} is INVALID: StateRootMismatch=72`);
    const status = (await provider(watcher?.url as string).send("rollup_followerStatus", [])) as {
      challenger: { address: string; won: { number: string; l1TransactionHash: string }[] };
    };
    expect(status.challenger.address).to.equal(key.address);
    expect(status.challenger.won.map((w) => [BigInt(w.number), w.l1TransactionHash])).to.deep.equal([
      [number, challenged.transactionHash],
    ]);

    // rollup:status pointed at the watcher says it is one, with its key and its wins (docs/design/trial-s30.md).
    const printed = await runTask("rollup:status", { l1Rpc: r.devnet.l1Url, l2Rpc: watcher?.url as string });
    expect(printed).to.match(
      new RegExp(
        `challenger {6}${key.address}: re-executes every proposal, \\d+ pending, 1 challenge won \\(L2 block ${number}, reward 0\\.1 ETH\\)`,
      ),
    );
    // The sequencer's honest block takes the slot; the watcher judges it valid; it finalizes.
    submitter.start();
    await eventually(
      "the watcher's verdict on the honest block",
      async () => (out().includes(`L2 block ${number} is valid`) ? true : undefined),
      60_000,
    );
    await increaseL1Time(r.l1, WINDOW + 1n);
    await eventually(
      "the honest block final",
      async () => ((await rollup.headNumber()) >= number ? true : undefined),
      60_000,
    );
    const slot = (await acceptanceHistory(r.l1, r.devnet.deployment.address)).filter((b) => b.number === number);
    expect(slot.map((b) => [b.blockHash, b.status])).to.deep.equal([
      [forgedHash, "challenged"],
      [hexlify(own.block.hash()), "final"],
    ]);
    // The watcher's own chain, derived from L1, has the honest block there.
    await eventually(
      "the watcher to derive the honest block",
      async () => {
        const block = await provider(watcher?.url as string).getBlock(number);
        return block === null ? undefined : block.hash;
      },
      60_000,
    ).then((hash) => expect(hash).to.equal(hexlify(own.block.hash())));
    expect(await r.l1.getTransactionCount(key.address)).to.equal(1);
  });

  it("killed -9 and restarted mid-window, still challenges a forged proposal made while it was down", async () => {
    const watcherArgs = ["--role", "follower", "--challenge", "--l1-poll-interval", String(E2E_L1_POLL_MS)];
    if (watcher !== undefined) await kill(watcher);
    const { number, forgedHash } = await proposeForged("0.25", "0x0bad02");
    // Restarted on the same data directory (the follower's default, beside the deployment), the window still open.
    watcher = await spawnNodeCommand(r, watcherArgs, { NATIVE_ROLLUP_CHALLENGER_KEY: key.privateKey });
    const challenged = await eventually(
      "the restarted watcher's challenge",
      async () => (await rollup.queryFilter(rollup.filters.BlockChallenged(number)))[0],
      60_000,
    );
    expect(challenged.args.challenger).to.equal(key.address);
    expect(challenged.args.blockHash).to.equal(forgedHash);
    expect(await tipNumber()).to.equal(number - 1n);
    submitter.start();
    await eventually(
      "the honest block proposed again",
      async () => ((await tipNumber()) >= number ? true : undefined),
      60_000,
    );
  });

  it("refuses to start with a key that cannot pay for the costliest challenge, saying how much it needs", async () => {
    const poor = Wallet.createRandom();
    const options = (await resolveNodeCommand([
      ...nodeCommandArgs(r),
      "--role",
      "follower",
      "--challenge",
      "--data-dir",
      mkdtempSync(path.join(tmpdir(), "follower-challenger-poor-")),
    ])) as NodeCommandOptions;
    try {
      const refused = await startNodeCommand(options, {
        logger: (component) => createLineLogger(component, () => undefined),
        env: { NATIVE_ROLLUP_CHALLENGER_KEY: poor.privateKey },
      }).then(
        async (node) => {
          await node.stop();
          return undefined;
        },
        (error: unknown) => error,
      );
      expect(refused).to.be.instanceOf(NodeError);
      expect((refused as NodeError).code).to.equal("CHALLENGER_UNFUNDED");
      expect((refused as NodeError).message).to.contain(`${poor.address} holds 0.0 ETH`);
      expect((refused as NodeError).hint).to.contain("send the challenger key L1 ETH");
    } finally {
      rmSync(options.dataDir as string, { recursive: true, force: true });
    }
  });
});
