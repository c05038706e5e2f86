import { expect } from "chai";
import { Wallet, parseEther } from "ethers";

import { AdvanceSubmitter } from "../../rollup-node/bridge/advanceSubmitter";
import type { Logger } from "../../rollup-node/logger";
import { type E2eRollup, eventually, startE2eRollup } from "../e2e/support/harness";

/**
 * Two submitters advancing the same rollup (a rule open to anyone, as a based rollup's: here an
 * inactivity period of 0), their advances of L2 block 1 mined in one L1 block. The loser's
 * receipt carries no revert data, so the submitter replays the transaction to learn why; replayed
 * before the L1 block it passes (the winner had not advanced yet), so the loser logged
 * "transaction execution reverted" with nothing decoded, and retried with back-off.
 */
describe("racing submitters: the loser's revert is decoded by the contracts' ABI", function () {
  this.timeout(300_000);
  let r: E2eRollup;

  before(async () => {
    r = await startE2eRollup({
      policy: { sequencerInactivityPeriod: 0n, forceInclusionDelay: 600n },
      submitBlocks: false,
      allowEmptyBlocks: true,
      // Interval mining: both advances wait in the pool for the same L1 block.
      l1BlockTimeMs: 2_000,
    });
  });

  after(async () => {
    await r?.stop();
  });

  it("an advance that lost to another in the same L1 block is classified as ParentNotHead, not an undecoded revert", async () => {
    const produced = await eventually("L2 block 1", async () => r.devnet.node.sequencer.producedBlock(1n), 60_000);
    const winner = r.l1Wallet(0);
    const loser = Wallet.createRandom().connect(r.l1);
    await (await winner.sendTransaction({ to: loser.address, value: parseEther("10") })).wait();
    const args = [
      produced.parentHeader,
      produced.blockRlp,
      produced.encodedWitness,
      "0x",
      produced.consumedMessages,
    ] as const;
    const gasLimit = ((await r.rollup(0).advance.estimateGas(...args)) * 3n) / 2n;
    const sentFirst = await r.rollup(0).advance(...args, { gasLimit });
    const sentSecond = await r
      .rollup(0)
      .connect(loser)
      .advance(...args, { gasLimit });
    const first = await sentFirst.wait();
    const lost = await sentSecond.wait().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(lost, "the second advance of the same block must revert").to.not.equal(undefined);
    const receipt = (lost as { receipt?: { blockNumber: number } }).receipt;
    expect(receipt?.blockNumber, "both advances in one L1 block (the race)").to.equal(first?.blockNumber);

    const logger: Logger = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };
    const submitter = new AdvanceSubmitter(
      {
        sequencer: { producedBlock: async () => undefined, onBlock: () => () => {} },
        rollupAddress: r.devnet.deployment.address,
        signer: loser,
        logger,
      },
      undefined,
    );
    const classified = await (
      submitter as unknown as { classify(n: bigint, e: unknown, p: boolean): Promise<Error> }
    ).classify(1n, lost, false);
    expect(classified.message, classified.message).to.contain("ParentNotHead(");
    expect(classified.message).to.contain("rebas");
  });
});
