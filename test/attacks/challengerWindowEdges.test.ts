import { expect } from "chai";

import {
  ATTACK_BOND,
  ATTACK_WINDOW,
  attackL1,
  blockByBlockChallenger,
  deployAttackRollup,
  forgedTransferProposal,
} from "../support/attackL1";

/** The L1 head, or a thrown error. */
async function head(l1: ReturnType<typeof attackL1>): Promise<{ number: number; timestamp: number; hash: string }> {
  const block = await l1.provider.getBlock("latest");
  if (block === null || block.hash === null) throw new Error("no L1 head");
  return { number: block.number, timestamp: block.timestamp, hash: block.hash };
}

/**
 * Seventh pass (attack-review-s27.md): the challenger's bounded reading of L1 (round 31) starts at
 * the first L1 block whose proposals can still be challenged, found by timestamp, less a margin;
 * after a reorg it reads again from the fork point among the hashes it keeps (one per eth_getLogs
 * range, 128 of them). Two edges an attacker would aim a forged proposal at, with no margin: a
 * restart when the proposal has one second of its window left, the head a jump of almost a
 * whole window after it; and a reorg deeper than every hash kept, the proposal mined on the new
 * branch at a height already read.
 */
describe("attack: a forged proposal at the edges of the challenger's bounded L1 reading (seventh pass)", function () {
  this.timeout(600_000);
  const l1 = attackL1();

  it("a restart with one second of the window left: the scan starts at its block and the challenge lands in that second", async () => {
    const { built, forged } = await forgedTransferProposal(0x5a);
    const deployed = await deployAttackRollup(l1, built.parentHeader);
    // The block before the proposal's is 600 s older: the scan's first block is the proposal's own.
    const proposedAt = (await head(l1)).timestamp + 600;
    await l1.provider.send("evm_setNextBlockTimestamp", [proposedAt]);
    const receipt = await (
      await deployed.rollup.propose(built.parentHeader, forged, built.witness, 0, { value: ATTACK_BOND })
    ).wait();
    const proposedIn = receipt?.blockNumber ?? Number.NaN;
    const closesAt = proposedAt + Number(ATTACK_WINDOW);
    // A jump of the L1's clock to two seconds before the close; the next block (the challenge's) one before it.
    await l1.provider.send("evm_mine", [closesAt - 2]);
    await l1.provider.send("evm_setNextBlockTimestamp", [closesAt - 1]);

    const ranges: number[] = [];
    const lines: string[] = [];
    const provider = new Proxy(l1.provider, {
      get(target, key) {
        const value = Reflect.get(target, key, target) as unknown;
        if (key === "getLogs")
          return (filter: { fromBlock: number }) => {
            ranges.push(Number(filter.fromBlock));
            return target.getLogs(filter);
          };
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const challenger = blockByBlockChallenger(provider, l1, deployed, lines, 0);
    try {
      await challenger.poll();
      expect(ranges[0], "the scan's first block").to.equal(proposedIn);
      expect(
        challenger.challenges.map((c) => c.number),
        "forged proposals challenged",
      ).to.deep.equal([1n]);
      expect((await deployed.rollup.tip())[0], "the forged block was removed").to.equal(0n);
      expect((await head(l1)).timestamp, "the challenge's block").to.equal(closesAt - 1);
    } finally {
      await challenger.stop();
    }
  });

  it("a reorg deeper than the 128 hashes kept: the proposal on the new branch, below the last scan, is challenged", async () => {
    const { built, forged } = await forgedTransferProposal(0x5b);
    const deployed = await deployAttackRollup(l1, built.parentHeader);
    const lines: string[] = [];
    const challenger = blockByBlockChallenger(l1.provider, l1, deployed, lines, 0);
    try {
      // The branch the challenger reads first: 140 empty blocks, one hash kept per block read.
      const fork = await l1.provider.send("evm_snapshot", []);
      await l1.provider.send("hardhat_mine", ["0x8c"]);
      const scanned = await head(l1);
      await challenger.poll();
      expect(challenger.pending).to.equal(0);

      // The new branch: the forged proposal in its first block, 141 blocks after it (a jump of the
      // clock first, as evm_increaseTime makes): every block the challenger read, and every hash it keeps, changed.
      await l1.provider.send("evm_revert", [fork]);
      await l1.provider.send("evm_increaseTime", [60]);
      const receipt = await (
        await deployed.rollup.propose(built.parentHeader, forged, built.witness, 0, { value: ATTACK_BOND })
      ).wait();
      await l1.provider.send("hardhat_mine", ["0x8c"]);
      const proposedIn = receipt?.blockNumber ?? Number.POSITIVE_INFINITY;
      expect(proposedIn, "mined below the challenger's last scanned block").to.be.lessThan(scanned.number - 128);
      expect((await l1.provider.getBlock(scanned.number))?.hash, "the last block read is replaced").to.not.equal(
        scanned.hash,
      );

      await challenger.poll();
      expect(
        lines.some((line) => line.includes("none of the 128 blocks kept is still canonical")),
        "the challenger saw a reorg deeper than its hashes",
      ).to.equal(true);
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
