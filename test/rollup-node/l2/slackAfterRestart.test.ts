import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";

import { MemoryLogger } from "../../../rollup-node/logger";
import { describeSequencers, openSequencer, signers } from "./l2Support";

const TO = "0x00000000000000000000000000000000000000bb";
const BUCKET = { gasPerSecond: 1_000n, burst: 2n ** 24n };

/**
 * A restart with a smaller --proposal-slack-share (or a bucket L1 now reads smaller) lowers the
 * most gas a transaction may reserve. A pooled transaction above the new capacity can never be
 * included: it must not be restored into the pool, where it was held for ever (with its sender's
 * later nonces) and its infinite wait made every rollup_status fail (BigInt(Infinity)).
 */
describe("optimistic sequencer: a restart with a smaller proposal slack capacity", function () {
  this.timeout(60_000);
  const { dirs, track } = describeSequencers();

  it("drops, with a log line, the pooled transactions whose gas limit the new capacity refuses, and reports a finite wait for the others", async () => {
    const dir = dirs.make();
    const first = await openSequencer(dir, { proposable: true, proposalGasBucket: BUCKET, proposalSlackShare: 1 });
    const [sender, other] = signers(2) as [ReturnType<typeof signers>[number], ReturnType<typeof signers>[number]];
    // Admitted under share 1 (capacity 2^24); above 0.2 × 2^24 = 3,355,443.
    const tooLarge = sender.tx({ to: TO, value: 1n, gasLimit: 3_900_000n });
    const fits = other.tx({ to: TO, value: 1n, gasLimit: 3_000_000n });
    await first.submitTransaction(tooLarge);
    await first.submitTransaction(fits);
    await first.close();

    const logger = new MemoryLogger();
    const second = await openSequencer(dir, {
      proposable: true,
      proposalGasBucket: BUCKET,
      proposalSlackShare: 0.2,
      logger,
    });
    track(second);
    expect(second.pendingTransaction(tooLarge.hash()), "never includable: not restored").to.equal(undefined);
    expect(second.pendingTransaction(fits.hash())).to.not.equal(undefined);
    expect(
      logger.lines.some(
        (l) => l.message.includes(bytesToHex(tooLarge.hash())) && l.message.includes("exceeds the most unused gas"),
      ),
      JSON.stringify(logger.lines),
    ).to.equal(true);
    const held = second.heldForSlack();
    expect(held).to.not.equal(undefined);
    expect(Number.isFinite(held?.largestWaitMs)).to.equal(true);
  });
});
