import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { Contract, type JsonRpcProvider, Wallet, parseEther, parseUnits } from "ethers";

import { L2_BRIDGE_INTERFACE } from "../../rollup-node/bridge/contracts";
import { L2_BRIDGE_ADDRESS } from "../../protocol/messages";
import { type FollowerNode, startFollowerNode } from "../../rollup-node/follower/service";
import { type RollupNode, startRollupNode } from "../../rollup-node/node/rollupNode";
import type { TakeoverNode } from "../../rollup-node/node/takeover";
import {
  type E2eRollup,
  type WithdrawalProofJson,
  eventually,
  increaseL1Time,
  startE2eRollup,
  startE2eTakeover,
  TAKEOVER_ACCOUNT,
  TAKEOVER_TEST_POLICY,
  provider,
} from "./support/harness";
import { type NodeProcess, kill, spawnNode } from "./support/nodeProcess";

const WAIT_MS = 60_000;

/**
 * Issue 13 part 3 and its end-to-end test: a sequencer (a real process) produces blocks with
 * deposits, transfers and a withdrawal; a follower started with an empty data directory and only
 * the L1 URL and its own funded key (`--role follower --takeover --sequencer-key`) derives the
 * same chain; the sequencer is SIGKILLed for good; once the rollup's inactivity period has passed
 * the follower takes over: it relays the deposit queued meanwhile, its blocks are accepted, and a
 * withdrawal from one of them finalizes on L1. A second, fresh follower follows the new
 * sequencer, and the old sequencer, restarted, re-derives L1's chain and agrees.
 */
describe("e2e: a follower takes over a dead sequencer, and the old one comes back and agrees", function () {
  this.timeout(300_000);
  let r: E2eRollup;
  let sequencer: NodeProcess | undefined;
  let takeover: TakeoverNode | undefined;
  let second: FollowerNode | undefined;
  let restarted: RollupNode | undefined;
  /** The take-over node's JSON-RPC once it sequences. */
  let takenOverAt: string | undefined;
  const providers: JsonRpcProvider[] = [];
  const dirs: string[] = [];
  const tempDir = (name: string): string => {
    const dir = mkdtempSync(path.join(tmpdir(), `rollup-e2e-${name}-`));
    dirs.push(dir);
    return dir;
  };
  const l2Of = (url: string): JsonRpcProvider => {
    const p = provider(url);
    providers.push(p);
    return p;
  };

  before(async () => {
    r = await startE2eRollup({
      policy: TAKEOVER_TEST_POLICY,
    });
    // The sequencer moves to a child process (same data directory, the rollup's SEQUENCER key), so it can be SIGKILLed.
    await r.devnet.node.stop();
  });

  after(async () => {
    await second?.stop();
    await takeover?.stop();
    await restarted?.stop();
    if (sequencer !== undefined) await kill(sequencer);
    for (const p of providers) p.destroy();
    await r?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** The block at `number` on `l2` as [hash, stateRoot]. */
  async function blockAt(l2: JsonRpcProvider, number: bigint): Promise<[string, string] | undefined> {
    const block = (await l2.send("eth_getBlockByNumber", [`0x${number.toString(16)}`, false])) as {
      hash: string;
      stateRoot: string;
    } | null;
    return block === null ? undefined : [block.hash, block.stateRoot];
  }

  /** Waits until `l2` holds L1's accepted head (at least `atLeast`) and returns it. */
  async function holdsL1Head(what: string, l2: JsonRpcProvider, atLeast = 0n): Promise<bigint> {
    return eventually(
      `${what} to hold L1's head`,
      async () => {
        const [head, hash] = await Promise.all([r.rollup().headNumber(), r.rollup().headHash()]);
        if (head < atLeast) return undefined;
        return (await blockAt(l2, head))?.[0] === hash ? head : undefined;
      },
      WAIT_MS,
    );
  }

  async function withdraw(l2: JsonRpcProvider, from: number, to: string, value: bigint): Promise<string> {
    const bridge = new Contract(
      L2_BRIDGE_ADDRESS,
      L2_BRIDGE_INTERFACE,
      new Wallet(r.devnet.accounts[from]?.privateKey as string, l2),
    );
    const tx = await (
      bridge.getFunction("withdraw") as (to: string, o: object) => Promise<{ hash: string; wait(): Promise<unknown> }>
    )(to, { value });
    await tx.wait();
    return tx.hash;
  }

  async function finalizeWithdrawal(l2: JsonRpcProvider, l2TransactionHash: string): Promise<void> {
    await eventually(
      "the withdrawal to be provable",
      async () =>
        ((await l2.send("rollup_getMessageStatus", [{ l2TransactionHash }])) as { status: string }).status ===
          "provable" || undefined,
      WAIT_MS,
    );
    const p = (await l2.send("rollup_getWithdrawalProof", [{ l2TransactionHash }])) as WithdrawalProofJson;
    await (await r.rollup(4).finalizeMessage(p.l2BlockNumber, p.message, p.accountProof, p.storageProof)).wait();
  }

  it("the follower takes over after the inactivity period, relays the deposit queued meanwhile, and its blocks and withdrawal are accepted; others follow it", async () => {
    sequencer = await spawnNode(r);
    const l2 = l2Of(sequencer.url);
    const user = new Wallet(r.devnet.accounts[5]?.privateKey as string, l2);
    const recipient = "0x00000000000000000000000000000000007a4e01";
    const l1Recipient = Wallet.createRandom().address;

    // The sequencer's chain: a deposit, transfers, a withdrawal (finalized on L1).
    await (await r.rollup(1).depositETH(recipient, { value: parseEther("1") })).wait();
    for (let i = 0; i < 3; i++)
      await (
        await user.sendTransaction({
          to: recipient,
          value: 1_000n,
          maxFeePerGas: parseUnits("20", "gwei"),
          maxPriorityFeePerGas: 1n,
        })
      ).wait();
    const firstWithdrawal = await withdraw(l2, 2, l1Recipient, parseEther("0.1"));
    await finalizeWithdrawal(l2, firstWithdrawal);
    expect(await r.l1.getBalance(l1Recipient)).to.equal(parseEther("0.1"));
    const before = await holdsL1Head("the sequencer", l2, 1n);

    // The take-over node: an empty data directory, the L1 URL, the genesis, the deployment's
    // address and its own funded L1 key (what `--role follower --takeover --sequencer-key` runs).
    // In this process: only the sequencer is SIGKILLed, and a process start costs tens of seconds here.
    const dataDir = tempDir("takeover");
    const l1 = provider(r.devnet.l1Url);
    providers.push(l1);
    takeover = await startE2eTakeover(r, {
      dataDir,
      l1,
      account: TAKEOVER_ACCOUNT,
      onTakeover: (url) => {
        takenOverAt = url;
      },
    });
    const follower = l2Of(takeover.follower?.url as string);
    const derived = await holdsL1Head("the follower", follower, before);
    expect(await blockAt(follower, derived)).to.deep.equal(await blockAt(l2, derived));
    expect(await follower.getBalance(recipient)).to.equal(await l2.getBalance(recipient));
    expect(takenOverAt).to.equal(undefined);

    // The sequencer dies for good; a deposit is queued while no one sequences.
    const deadSequencerUrl = sequencer.url;
    await kill(sequencer);
    sequencer = undefined;
    const accepted = await r.rollup().headNumber();
    const late = "0x00000000000000000000000000000000007a4e02";
    await (await r.rollup(3).depositETH(late, { value: parseEther("2") })).wait();
    // Before the period ends nothing happens: the rule does not let the follower's key advance.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(takenOverAt).to.equal(undefined);
    expect(await r.rollup().headNumber()).to.equal(accepted);

    // The inactivity period ends (L1 time jumps past it; the deposit is overdue by then).
    const openAt = (await r.rollup().openSequencingAt()) as bigint;
    const latest = BigInt((await r.l1.getBlock("latest"))?.timestamp ?? 0);
    await increaseL1Time(r.l1, openAt - latest);
    const periodEnded = Date.now();
    const firstByNewSequencer = await eventually(
      "the first block accepted from the new sequencer",
      async () => {
        const head = await r.rollup().headNumber();
        if (head <= accepted) return undefined;
        const events = await r.rollup().queryFilter(r.rollup().filters.BlockAdvanced(accepted + 1n));
        return events.find((e) => e.args.submitter === r.l1Wallet(TAKEOVER_ACCOUNT).address) === undefined
          ? undefined
          : Date.now();
      },
      WAIT_MS,
    );
    console.log(
      `      take-over: first block from the new sequencer accepted ${firstByNewSequencer - periodEnded} ms after the end of the inactivity period`,
    );
    expect(takenOverAt).to.be.a("string");
    const newL2 = l2Of(takenOverAt as string);
    await eventually(
      "the late deposit relayed by the new sequencer",
      async () => ((await newL2.getBalance(late)) === parseEther("2") ? true : undefined),
      WAIT_MS,
    );
    expect((await r.rollup().nextMessageIndex()) >= 2n).to.equal(true);

    // A withdrawal from one of the new sequencer's blocks: under `fallback` the rule lets a
    // non-SEQUENCER account advance once per inactivity period, so L1 time moves on again.
    const withdrawal = await withdraw(newL2, 2, l1Recipient, parseEther("0.2"));
    const receipt = await newL2.getTransactionReceipt(withdrawal);
    const nextOpen = (await r.rollup().openSequencingAt()) as bigint;
    await increaseL1Time(r.l1, nextOpen - BigInt((await r.l1.getBlock("latest"))?.timestamp ?? 0));
    await holdsL1Head("the new sequencer", newL2, BigInt(receipt?.blockNumber ?? 0));
    await finalizeWithdrawal(newL2, withdrawal);
    expect(await r.l1.getBalance(l1Recipient)).to.equal(parseEther("0.3"));

    // A second follower, fresh, follows the new sequencer's blocks from L1. It is given the old
    // sequencer's URL and the take-over node's (--sequencer-rpc URL,URL): it forwards to the one sequencing.
    second = await startFollowerNode({
      storage: { dataDir: tempDir("second-follower") },
      l1: {
        provider: r.l1,
        rollupAddress: r.devnet.deployment.address,
        deployBlock: r.devnet.deployment.deployBlock,
        pollMs: 50,
      },
      follower: { genesis: r.devnet.genesis, sequencerRpc: [deadSequencerUrl, takenOverAt as string] },
      rpc: { port: 0 },
      logger: r.log.factory,
    });
    const secondL2 = l2Of(second.url as string);
    const head = await holdsL1Head("the second follower", secondL2);
    expect(await blockAt(secondL2, head)).to.deep.equal(await blockAt(newL2, head));
    expect(await secondL2.getBalance(late)).to.equal(parseEther("2"));
    const forwarded = await new Wallet(r.devnet.accounts[8]?.privateKey as string, secondL2).sendTransaction({
      to: "0x00000000000000000000000000000000007a4e04",
      value: 7n,
      maxFeePerGas: parseUnits("20", "gwei"),
      maxPriorityFeePerGas: 1n,
    });
    expect(await newL2.getTransaction(forwarded.hash)).to.not.equal(null);
    expect(r.log.has(`forwarding to ${new URL(takenOverAt as string).origin} from now on`)).to.equal(true);
  });

  it("the old sequencer, restarted on its own data directory, re-derives L1's chain and agrees with the new one", async () => {
    const l1Head = await r.rollup().headNumber();
    // The old sequencer's own data directory, as the SIGKILL left it, with the rollup's SEQUENCER key.
    const l1 = provider(r.devnet.l1Url);
    providers.push(l1);
    restarted = await startRollupNode({
      storage: { dataDir: path.join(r.devnet.dataDir, "l2") },
      l1: {
        provider: l1,
        rollupAddress: r.devnet.deployment.address,
        deployBlock: r.devnet.deployment.deployBlock,
        pollMs: 100,
      },
      sequencer: { genesis: r.devnet.genesis, blockTimeMs: 200, allowEmptyBlocks: false },
      keys: r.devnet.keys,
      rpc: { port: 0 },
      logger: r.log.factory,
    });
    const old = l2Of(restarted.url as string);
    const head = await holdsL1Head("the restarted sequencer", old, l1Head);
    const newL2 = l2Of(takenOverAt as string);
    expect(await blockAt(old, head)).to.deep.equal(await blockAt(newL2, head));
    expect(await old.getBalance("0x00000000000000000000000000000000007a4e02")).to.equal(parseEther("2"));
    // Both keep going on one chain: the old sequencer (always allowed) advances, and the new one rebases on it.
    const user = new Wallet(r.devnet.accounts[6]?.privateKey as string, old);
    const tx = await user.sendTransaction({
      to: "0x00000000000000000000000000000000007a4e03",
      value: 5n,
      maxFeePerGas: parseUnits("20", "gwei"),
      maxPriorityFeePerGas: 1n,
    });
    const mined = await tx.wait();
    const after = await holdsL1Head("the restarted sequencer", old, BigInt(mined?.blockNumber ?? 0));
    await holdsL1Head("the new sequencer", newL2, after);
    expect(await newL2.getBalance("0x00000000000000000000000000000000007a4e03")).to.equal(5n);
  });
});
