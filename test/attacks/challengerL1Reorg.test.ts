import { expect } from "chai";
import {
  ATTACK_BOND,
  attackChallenger,
  attackL1,
  deployAttackRollup,
  forgedTransferProposal,
} from "../support/attackL1";

/**
 * Attack review s30 (sixth pass), the independent challenger: an L1 reorg below the block it last
 * scanned. The L1 watcher and the follower check the hash of the last block they read and read
 * L1's new branch again; the challenger only ever scanned forward from its last block number, so a
 * forged proposal mined on the new branch at a height it had already read (a pending proposal
 * that the replacing L1 block includes) was never seen, and finalized unchallenged.
 */
describe("attack: a forged proposal mined on an L1 reorg's new branch below the challenger's last scan", function () {
  this.timeout(600_000);
  const l1 = attackL1();

  it("is found after the reorg and challenged", async () => {
    const { built, forged } = await forgedTransferProposal(0x54);
    const deployed = await deployAttackRollup(l1, built.parentHeader);
    const lines: string[] = [];
    const challenger = attackChallenger(l1, deployed, lines);
    try {
      // The branch the challenger reads first: two L1 blocks without a proposal.
      const fork = await l1.provider.send("evm_snapshot", []);
      await l1.provider.send("evm_mine", []);
      await l1.provider.send("evm_mine", []);
      const scannedTo = await l1.provider.getBlockNumber();
      await challenger.poll();
      expect(challenger.pending).to.equal(0);

      // The reorg: the new branch holds the forged proposal at a height the challenger has read.
      await l1.provider.send("evm_revert", [fork]);
      const receipt = await (
        await deployed.rollup.propose(built.parentHeader, forged, built.witness, 0, { value: ATTACK_BOND })
      ).wait();
      await l1.provider.send("evm_mine", []);
      const proposedAt = receipt?.blockNumber ?? Number.POSITIVE_INFINITY;
      expect(proposedAt, "the proposal is mined below the challenger's last scanned block").to.be.at.most(scannedTo);
      expect(await l1.provider.getBlockNumber()).to.equal(scannedTo);
      expect((await deployed.rollup.tip())[0], "the forged block is provisional").to.equal(1n);

      await challenger.poll();
      process.stderr.write(`      challenger log:\n${lines.map((l) => `        ${l.slice(0, 200)}`).join("\n")}\n`);
      expect(
        challenger.challenges.map((c) => c.number),
        "forged proposals challenged after the reorg",
      ).to.deep.equal([1n]);
      expect((await deployed.rollup.tip())[0], "the forged block was removed").to.equal(0n);
    } finally {
      await challenger.stop();
    }
  });
});
