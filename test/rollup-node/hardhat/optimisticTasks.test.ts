import { expect } from "chai";
import { Wallet, parseEther } from "ethers";

import { MIN_PROPOSAL_GAS_BURST } from "../../../deploy/rollup";
import { connectOptimisticRollup } from "../../../rollup-node/bridge/contracts";
import { RollupClient } from "../../../sdk";
import { type E2eRollup, eventually, startE2eRollup } from "../../e2e/support/harness";
import { rejection } from "../rejection";
import { runTask } from "../../support/runTask";

describe("rollup:* tasks on an optimistic rollup: a withdrawal not final yet names its challenge window", function () {
  this.timeout(180_000);
  /** Long: the block stays provisional for the whole test. */
  const WINDOW = 3_600n;
  /**
   * A small proposal gas bucket (R = 10,000 gas/s, C = 5/4 · 2^24): the sequencer's slack budget
   * is a quarter of it (2,500 gas/s, 5,242,880 deep), so one block with a 3.9M-limit transfer
   * leaves too little for a second one for ≈ 17 minutes.
   */
  const RATE = 10_000n;
  const HIGH_LIMIT = 3_900_000n;
  let r: E2eRollup;

  before(async () => {
    r = await startE2eRollup({
      mode: {
        kind: "optimistic",
        challengeWindow: WINDOW,
        proposalBond: parseEther("0.1"),
        proposalGasPerSecond: RATE,
        proposalGasBurst: MIN_PROPOSAL_GAS_BURST,
      },
    });
  });

  after(async () => {
    await r?.stop();
  });

  it("withdraw --timeout 0, rollup:message, rollup:finalize and the SDK all say 'waiting for the challenge window, final at …', not 'check the batch submitter'", async () => {
    const connection = { l1Rpc: r.devnet.l1Url, l2Rpc: r.devnet.l2Url };
    const started = await rejection(
      runTask("rollup:withdraw", {
        ...connection,
        account: 3,
        amount: "0.1",
        to: Wallet.createRandom().address,
        timeout: 0,
      }),
    );
    const messageHash = /message (0x[0-9a-f]{64})/.exec(started.message)?.[1] as string;
    const l2Block = BigInt(/L2 block (\d+)/.exec(started.message)?.[1] as string);
    const rollup = connectOptimisticRollup(r.devnet.deployment.address, r.l1);
    await eventually(
      "the withdrawal's block proposed",
      async () => ((await rollup.tip())[0] >= l2Block ? true : undefined),
      30_000,
    );
    const finalAt = new Date(Number(await rollup.finalizableAt(l2Block)) * 1000).toISOString();

    const shown = await runTask("rollup:message", { ...connection, hash: messageHash });
    expect(shown).to.contain(
      `waiting         its L2 block ${l2Block} is proposed on L1, waiting for the challenge window, final at ${finalAt}`,
    );

    const early = await rejection(
      runTask("rollup:finalize", { ...connection, account: 3, hash: messageHash, timeout: 0 }),
    );
    expect(early.message).to.contain(`waiting for the challenge window, final at ${finalAt}`);
    expect(early.message).to.not.contain("batch submitter");

    const client = new RollupClient({
      l1: r.l1Wallet(3),
      l2: r.l2Wallet(3),
      rollupAddress: r.devnet.deployment.address,
    });
    const sdkError = await rejection(client.finalizeWithdrawal(messageHash));
    expect(sdkError.code).to.equal("NOT_PROVABLE_YET");
    expect(sdkError.message).to.contain(`is proposed on L1 and waiting for the challenge window, final at ${finalAt}`);
    expect(sdkError.hint).to.not.contain("batch submitter");
  });

  it("rollup:status shows the proposed head with the end of its challenge window, and the final head", async () => {
    const connection = { l1Rpc: r.devnet.l1Url, l2Rpc: r.devnet.l2Url };
    const rollup = connectOptimisticRollup(r.devnet.deployment.address, r.l1);
    // The withdrawal's block (the test before) is proposed; on its own, this test sends one.
    if ((await rollup.tip())[0] === 0n)
      await (await r.l2Wallet(5).sendTransaction({ to: Wallet.createRandom().address, value: 1n })).wait();
    await eventually("a proposal", async () => ((await rollup.tip())[0] >= 1n ? true : undefined), 60_000);
    const out = await runTask("rollup:status", connection);
    const proposed = /proposed on L1 {2}L2 block (\d+) \((0x[0-9a-f]{64})\), challenge window ends at (\S+)/.exec(out);
    expect(proposed, out).to.not.equal(null);
    const number = BigInt(proposed?.[1] as string);
    expect(number >= 1n).to.equal(true);
    expect(proposed?.[3]).to.equal(new Date(Number(await rollup.finalizableAt(number)) * 1000).toISOString());
    // The window is an hour: nothing is final but the genesis.
    expect(out).to.contain(`final on L1     L2 block 0 (${(await rollup.headHash()).toLowerCase()})`);
    // Which "final" (docs/design/trial-s29.md): the rollup's head, not the node's `finalized` tag.
    expect(out).to.contain(`L2 block 0 (${(await rollup.headHash()).toLowerCase()}): the rollup's final head`);
    expect(out).to.contain('the node\'s "finalized" tag, on the dashboard, also waits --finality-depth L1 blocks');
    expect(out).to.not.contain("accepted on L1");
  });

  it("a transaction held for proposal slack is visible: eth_getTransactionByHash returns it pending, txpool counts it, rollup_status and rollup:status report the held count and the largest's wait", async () => {
    const connection = { l1Rpc: r.devnet.l1Url, l2Rpc: r.devnet.l2Url };
    const sender = r.l2Wallet(4);
    const to = "0x00000000000000000000000000000000000ca9ac";
    // Its block's slack (3,879,000) leaves 1.36M of the 5.24M budget: the next one waits.
    await (await sender.sendTransaction({ to, value: 1n, gasLimit: HIGH_LIMIT })).wait();
    const held = await sender.sendTransaction({ to, value: 1n, gasLimit: HIGH_LIMIT });
    await eventually(
      "the node to hold the second transfer",
      async () => (r.log.has("exceeds the proposal slack available") ? true : undefined),
      60_000,
    );
    const pending = (await r.l2.send("eth_getTransactionByHash", [held.hash])) as { blockHash: unknown } | null;
    expect(pending).to.not.equal(null);
    expect(pending?.blockHash).to.equal(null);
    const pool = (await r.l2.send("txpool_status", [])) as { pending: string };
    expect(BigInt(pool.pending)).to.equal(1n);
    const status = (await r.l2.send("rollup_status", [])) as Record<string, string>;
    expect(BigInt(status.heldTransactions ?? "0x0")).to.equal(1n);
    const wait = Number(BigInt(status.heldLargestWaitSeconds ?? "0x0"));
    // 3.9M − 1.36M at 2,500 gas/s: ≈ 1,000 s, less what has drained since.
    expect(wait).to.be.within(600, 1_100);
    const client = new RollupClient({ l1: r.l1, l2: r.l2, rollupAddress: r.devnet.deployment.address });
    expect((await client.getRollupStatus()).heldTransactions).to.equal(1n);
    const out = await runTask("rollup:status", connection);
    expect(out).to.match(/held {12}1 transaction waiting for proposal slack \(gas limit 3900000\), it fits in ≈ \d+ s/);
  });
});
