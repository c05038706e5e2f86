import { expect } from "chai";
import { type Filter, type JsonRpcProvider, getBytes } from "ethers";

import { DEFAULT_WINDOW_MARGIN_BLOCKS } from "../../rollup-node/bridge/challenger";
import {
  ATTACK_BOND,
  ATTACK_WINDOW,
  type AttackL1,
  attackL1,
  blockByBlockChallenger,
  deployAttackRollup,
  forgedTransferProposal,
  passChallengeWindow,
  proposedValidChain,
} from "../support/attackL1";
import { tamperBlock, word } from "../../tools/l2Fixtures";

/** What a challenger asked of L1: every eth_getLogs range (from, to) and every eth_getBlockByNumber. */
interface L1Reads {
  readonly ranges: [number, number][];
  blocks: number;
}

/** L1 blocks the eth_getLogs ranges in `reads` from index `since` on cover. */
function blocksRead(reads: L1Reads, since = 0): number {
  return reads.ranges.slice(since).reduce((sum, [from, to]) => sum + to - from + 1, 0);
}

/** `l1`'s provider, recording into `reads` the log ranges and blocks asked for. */
function recordingProvider(l1: AttackL1, reads: L1Reads): JsonRpcProvider {
  return new Proxy(l1.provider, {
    get(target, key) {
      const value = Reflect.get(target, key, target) as unknown;
      if (key === "getLogs")
        return (filter: Filter) => {
          reads.ranges.push([Number(filter.fromBlock), Number(filter.toBlock)]);
          return target.getLogs(filter);
        };
      if (key === "getBlock")
        return (tag: unknown) => {
          reads.blocks += 1;
          return target.getBlock(tag as never);
        };
      return typeof value === "function" ? value.bind(target) : value;
    },
  }) as JsonRpcProvider;
}

/**
 * The first L1 block whose proposals can still be challenged at the head, found by reading the
 * blocks down from the head one by one (not the challenger's search): the lowest block whose
 * timestamp is above the head's less the window.
 */
async function firstOpenBlock(l1: AttackL1): Promise<number> {
  const head = await l1.provider.getBlock("latest");
  if (head === null) throw new Error("no L1 head");
  const cutoff = head.timestamp - Number(ATTACK_WINDOW);
  let number = head.number;
  while (((await l1.provider.getBlock(number - 1))?.timestamp ?? 0) > cutoff) number--;
  return number;
}

/**
 * Round 31 (attack review, finding 12's residual): a challenger read ProposalData and each
 * proposal's data from the rollup's deployment block at every start and after every L1 reorg, so
 * a year-old rollup's watcher read a year of proposals before it challenged anything, while a
 * forged proposal's window ran. Only proposals whose window is still open can be challenged: a
 * start reads from the first L1 block that holds one (less a margin), a reorg from its fork point.
 */
describe("attack: the challenger reads L1 only where proposals can still be challenged", function () {
  this.timeout(600_000);
  const l1 = attackL1();

  it("restarts on a long history reading only from the window's start, and challenges the forged proposal", async () => {
    const count = 4;
    const { deployed, next } = await proposedValidChain(l1, count);
    // An old history: empty L1 blocks after the proposals (their logs cost the same to ask for).
    const old = 2 * DEFAULT_WINDOW_MARGIN_BLOCKS + 20;
    await l1.provider.send("hardhat_mine", [`0x${old.toString(16)}`]);
    await passChallengeWindow(l1);
    await (await deployed.rollup.finalize(count)).wait();
    const forged = tamperBlock(next.block, { stateRoot: getBytes(`0x${word(0x7e2)}`) });
    const receipt = await (
      await deployed.rollup.propose(next.parentHeader, forged, next.witness, 0, { value: ATTACK_BOND })
    ).wait();
    const proposedIn = receipt?.blockNumber ?? Number.NaN;
    const head = await l1.provider.getBlockNumber();
    const open = await firstOpenBlock(l1);
    expect(open, "the old proposals' windows are closed").to.be.greaterThan(deployed.fromBlock + old);

    const reads: L1Reads = { ranges: [], blocks: 0 };
    const lines: string[] = [];
    const challenger = blockByBlockChallenger(recordingProvider(l1, reads), l1, deployed, lines);
    try {
      await challenger.poll();
      const read = blocksRead(reads);
      process.stderr.write(
        `      restart scan: ${read} L1 blocks in ${reads.ranges.length} eth_getLogs from block ${reads.ranges[0]?.[0]}, ${reads.blocks} eth_getBlockByNumber; ${head - deployed.fromBlock + 1} blocks since deployment, the window opens at ${open}\n`,
      );
      expect(read, "L1 blocks the restart scan read").to.be.at.most(head - open + 1 + DEFAULT_WINDOW_MARGIN_BLOCKS);
      expect(reads.ranges[0]?.[0], "the scan starts at or below the forged proposal").to.be.at.most(proposedIn);
      expect(challenger.challenges.map((c) => c.number)).to.deep.equal([BigInt(count + 1)]);
      expect((await deployed.rollup.tip())[0], "the forged block was removed").to.equal(BigInt(count));
    } finally {
      await challenger.stop();
    }
  });

  it("challenges a forged proposal made in the first block whose window is still open (no margin)", async () => {
    const { built, forged } = await forgedTransferProposal(0x56);
    const deployed = await deployAttackRollup(l1, built.parentHeader);
    const before = await l1.provider.getBlock("latest");
    if (before === null) throw new Error("no L1 head");
    // The block before the proposal is 600 s older; the head is mined 300 s short of the
    // proposal's window close, so only the proposal's block and those after it are still open.
    const proposedAt = before.timestamp + 600;
    await l1.provider.send("evm_mine", [before.timestamp + 1]);
    await l1.provider.send("evm_setNextBlockTimestamp", [proposedAt]);
    const receipt = await (
      await deployed.rollup.propose(built.parentHeader, forged, built.witness, 0, { value: ATTACK_BOND })
    ).wait();
    const proposedIn = receipt?.blockNumber ?? Number.NaN;
    await l1.provider.send("evm_mine", [proposedAt + Number(ATTACK_WINDOW) - 300]);
    expect(await firstOpenBlock(l1), "the proposal's block is the window's first").to.equal(proposedIn);

    const reads: L1Reads = { ranges: [], blocks: 0 };
    const lines: string[] = [];
    const challenger = blockByBlockChallenger(recordingProvider(l1, reads), l1, deployed, lines, 0);
    try {
      await challenger.poll();
      expect(reads.ranges[0]?.[0], "the scan starts at the window's first block").to.equal(proposedIn);
      expect(
        challenger.challenges.map((c) => c.number),
        "forged proposals challenged",
      ).to.deep.equal([1n]);
    } finally {
      await challenger.stop();
    }
  });

  it("at a start, a provisional proposal whose window had already closed is no ERROR of this challenger (a take-over's first read)", async () => {
    // Round 31's trial: a take-over node's challenger starts after the dead sequencer's last
    // proposal's window closed and before anyone finalized it; the margin's reading finds it, and
    // the challenger said `ERROR … its challenge window closed … before it could be checked`, as if
    // it had failed at something it could never have done.
    const { deployed } = await proposedValidChain(l1, 1);
    await passChallengeWindow(l1);
    expect(await deployed.rollup.headNumber(), "the proposal is still provisional").to.equal(0n);
    const lines: string[] = [];
    const challenger = blockByBlockChallenger(l1.provider, l1, deployed, lines);
    try {
      await challenger.poll();
      expect(
        lines.filter((l) => l.startsWith("error ")),
        "error lines",
      ).to.deep.equal([]);
      expect(lines.join("\n")).to.match(
        /L2 block 1: its challenge window had closed \(at L1 time \d+\) before this challenger first read it/,
      );
      expect(challenger.pending, "nothing left queued").to.equal(0);
    } finally {
      await challenger.stop();
    }
  });

  it("after a one-block L1 reorg reads again from the fork point, not from the deployment block", async () => {
    const { built } = await forgedTransferProposal(0x57);
    const deployed = await deployAttackRollup(l1, built.parentHeader);
    // A history inside the window (the window's start cannot bound this reading): 40 blocks.
    await l1.provider.send("hardhat_mine", ["0x28"]);
    const reads: L1Reads = { ranges: [], blocks: 0 };
    const lines: string[] = [];
    const challenger = blockByBlockChallenger(recordingProvider(l1, reads), l1, deployed, lines);
    try {
      await challenger.poll();
      const latest = await l1.provider.getBlock("latest");
      if (latest === null) throw new Error("no L1 head");
      const fork = await l1.provider.send("evm_snapshot", []);
      await l1.provider.send("evm_mine", [latest.timestamp + 3]);
      await challenger.poll();
      // The reorg: the block after the snapshot replaced by one of another timestamp (another hash).
      await l1.provider.send("evm_revert", [fork]);
      await l1.provider.send("evm_mine", [latest.timestamp + 7]);
      const since = reads.ranges.length;
      await challenger.poll();
      const again = blocksRead(reads, since);
      process.stderr.write(
        `      after the reorg: ${again} L1 blocks read again from block ${reads.ranges[since]?.[0]}; ${(await l1.provider.getBlockNumber()) - deployed.fromBlock + 1} since deployment\n`,
      );
      expect(
        lines.some((l) => l.includes("L1 reorg")),
        "the reorg was seen",
      ).to.equal(true);
      expect(again, "L1 blocks read again after a one-block reorg").to.be.at.most(2);
    } finally {
      await challenger.stop();
    }
  });
});
