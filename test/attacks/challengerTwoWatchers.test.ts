import { expect } from "chai";
import {
  ATTACK_BOND,
  attackChallenger,
  attackL1,
  deployAttackRollup,
  forgedTransferProposal,
} from "../support/attackL1";

/**
 * Attack review s30 (sixth pass): two watchers on one key (an operator who started the follower's
 * challenger twice). They race for the key's nonces; the forged block must still be removed, and
 * the key must not pay for more than one losing challenge.
 */
describe("attack: two challengers on one key", function () {
  this.timeout(600_000);
  const l1 = attackL1();

  it("remove the forged block once, and the loser sends at most one challenge that reverts", async () => {
    const { built, forged } = await forgedTransferProposal(0x56);
    const deployed = await deployAttackRollup(l1, built.parentHeader);
    await (await deployed.rollup.propose(built.parentHeader, forged, built.witness, 0, { value: ATTACK_BOND })).wait();
    const key = l1.wallet(1).address;
    const nonceBefore = await l1.provider.getTransactionCount(key);
    const linesA: string[] = [];
    const linesB: string[] = [];
    const a = attackChallenger(l1, deployed, linesA);
    const b = attackChallenger(l1, deployed, linesB);
    try {
      await Promise.allSettled([a.poll(), b.poll()]);
      // A second round: whichever lost retries (back-off) and must find the block gone.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      await Promise.allSettled([a.poll(), b.poll()]);
      const sent = (await l1.provider.getTransactionCount(key)) - nonceBefore;
      process.stderr.write(
        `      transactions from the key: ${sent}\n      A:\n${linesA.map((l) => `        ${l.slice(0, 180)}`).join("\n")}\n      B:\n${linesB.map((l) => `        ${l.slice(0, 180)}`).join("\n")}\n`,
      );
      expect((await deployed.rollup.tip())[0], "the forged block was removed").to.equal(0n);
      expect(a.challenges.length + b.challenges.length, "challenges won").to.equal(1);
      expect(sent, "transactions the key sent (the won challenge and at most one that lost)").to.be.at.most(2);
      expect(a.pending + b.pending, "nothing left queued").to.equal(0);
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
