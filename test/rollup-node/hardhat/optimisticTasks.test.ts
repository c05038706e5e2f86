import { expect } from "chai";
import { Wallet, parseEther } from "ethers";

import { connectOptimisticRollup } from "../../../rollup-node/bridge/contracts";
import { RollupClient } from "../../../sdk";
import { type E2eRollup, eventually, startE2eRollup } from "../../e2e/support/harness";
import { rejection } from "../rejection";
import { runTask } from "../../support/runTask";

describe("rollup:* tasks on an optimistic rollup: a withdrawal not final yet names its challenge window", function () {
  this.timeout(90_000);
  /** Long: the block stays provisional for the whole test. */
  const WINDOW = 3_600n;
  let r: E2eRollup;

  before(async () => {
    r = await startE2eRollup({
      mode: { kind: "optimistic", challengeWindow: WINDOW, proposalBond: parseEther("0.1") },
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
});
