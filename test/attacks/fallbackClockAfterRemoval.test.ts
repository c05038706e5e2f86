import { expect } from "chai";

import {
  ATTACK_BOND,
  type AttackL1,
  type AttackRollup,
  attackChallenger,
  attackL1,
  deployAttackRollup,
  forgedTransferProposal,
} from "../support/attackL1";

/** The attack rollup's SEQUENCER_INACTIVITY_PERIOD (deployAttackRollup): a day. */
const INACTIVITY = 86_400;

/**
 * Seventh pass (attack-review-s27.md), the optimistic take-over: once a `fallback` rollup's
 * sequencer has been silent for its inactivity period, anyone may propose, once a period. A third
 * party that proposes first, a forged block, is challenged and its block removed; the take-over
 * node (or anyone honest) must then be able to propose the chain's next block, not wait another
 * whole period behind a block that no longer exists. Same for a hostile sequencer keeping the
 * fallback (and so forced inclusion) closed with forged blocks it lets be removed.
 */
/** The node's challenger (dev account 1) polls once: it must challenge and remove forged block 1. */
async function removeByTheNodesChallenger(l1: AttackL1, deployed: AttackRollup): Promise<void> {
  const challenger = attackChallenger(l1, deployed, []);
  try {
    await challenger.poll();
    expect(
      challenger.challenges.map((c) => c.number),
      "forged proposals challenged",
    ).to.deep.equal([1n]);
  } finally {
    await challenger.stop();
  }
}

describe("attack: a removed forged proposal holds the fallback closed (seventh pass)", function () {
  this.timeout(300_000);
  const l1 = attackL1();

  it("after the dead sequencer's inactivity period, a third party's forged proposal is removed and the substitute proposes at once", async () => {
    const { built, forged } = await forgedTransferProposal(0x5c);
    const deployed = await deployAttackRollup(l1, built.parentHeader);
    const latest = await l1.provider.getBlock("latest");
    if (latest === null) throw new Error("no L1 head");
    await l1.provider.send("evm_mine", [latest.timestamp + INACTIVITY + 1]);
    const attacker = deployed.rollup.connect(l1.wallet(2));
    const substitute = deployed.rollup.connect(l1.wallet(3));
    await (await attacker.propose(built.parentHeader, forged, built.witness, 0, { value: ATTACK_BOND })).wait();

    await removeByTheNodesChallenger(l1, deployed);
    expect((await deployed.rollup.tip())[0], "the forged block was removed").to.equal(0n);
    // The chain is where the dead sequencer left it: the fallback's clock must be too.
    await (
      await substitute.propose(built.parentHeader, built.blockRlp, built.witness, 0, { value: ATTACK_BOND })
    ).wait();
    expect((await deployed.rollup.tip())[0], "the substitute's valid block 1").to.equal(1n);
  });
  it("a sequencer's own forged block, once removed, opens the fallback: a hostile sequencer cannot keep it closed with forged blocks", async () => {
    const { built, forged } = await forgedTransferProposal(0x5d);
    const deployed = await deployAttackRollup(l1, built.parentHeader);
    // The sequencer's forged block claims it consumed nothing overdue (no message is queued): it
    // resets the clock, as every forged block of a censor would.
    await (await deployed.rollup.propose(built.parentHeader, forged, built.witness, 0, { value: ATTACK_BOND })).wait();
    await removeByTheNodesChallenger(l1, deployed);
    const honest = deployed.rollup.connect(l1.wallet(3));
    await (await honest.propose(built.parentHeader, built.blockRlp, built.witness, 0, { value: ATTACK_BOND })).wait();
    expect(
      (await deployed.rollup.tip())[0],
      "a third party's valid block 1, a day before the period would end",
    ).to.equal(1n);
  });
});
