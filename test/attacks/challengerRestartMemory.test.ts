import { expect } from "chai";
import type { JsonRpcProvider } from "ethers";

import type { Challenger } from "../../rollup-node/bridge/challenger";
import {
  ATTACK_BOND,
  attackL1,
  blockByBlockChallenger,
  passChallengeWindow,
  proposedValidChain,
} from "../support/attackL1";
import { getBytes } from "ethers";
import { tamperBlock, word } from "../../tools/l2Fixtures";

/**
 * Attack review s30 (sixth pass), the independent challenger after a restart: it reads every
 * ProposalData from the rollup's deployment block (a proposal posted while it was down is found),
 * but it queued each proposal of the whole history, with its parent header, block and witness,
 * before dropping the final ones: at a restart (or after an L1 reorg) its memory grew with every
 * proposal ever made, not with the provisional ones (a year of 12 s proposals is 2.6 million).
 */
describe("attack: a restarted challenger holds only the proposals that can still be challenged", function () {
  this.timeout(600_000);
  const l1 = attackL1();

  it("queues no final proposal while it reads L1's history again, and challenges the forged one posted while it was down", async () => {
    const count = 4;
    const { deployed, next } = await proposedValidChain(l1, count);
    await passChallengeWindow(l1);
    await (await deployed.rollup.finalize(count)).wait();
    expect(await deployed.rollup.headNumber()).to.equal(BigInt(count));
    // Posted while no challenger runs: block count + 1 with a forged state root.
    const forged = tamperBlock(next.block, { stateRoot: getBytes(`0x${word(0x7e1)}`) });
    await (await deployed.rollup.propose(next.parentHeader, forged, next.witness, 0, { value: ATTACK_BOND })).wait();

    // A challenger started now, reading one L1 block per eth_getLogs: the queue is sampled at each read.
    const lines: string[] = [];
    const samples: number[] = [];
    let challenger: Challenger | undefined;
    const provider = new Proxy(l1.provider, {
      get(target, key) {
        const value = Reflect.get(target, key, target) as unknown;
        if (key === "getLogs")
          return (filter: unknown) => {
            samples.push(challenger?.pending ?? 0);
            return target.getLogs(filter as never);
          };
        return typeof value === "function" ? value.bind(target) : value;
      },
    }) as JsonRpcProvider;
    challenger = blockByBlockChallenger(provider, l1, deployed, lines);
    try {
      await challenger.poll();
      samples.push(challenger.pending);
      process.stderr.write(`      queue length at each eth_getLogs of the scan: ${samples.join(", ")}\n`);
      expect(samples.length, "the scan read the history block by block").to.be.greaterThan(count);
      expect(
        Math.max(...samples),
        "proposals held in the queue during the scan (only the forged one is not final)",
      ).to.be.at.most(1);
      expect(challenger.challenges.map((c) => c.number)).to.deep.equal([BigInt(count + 1)]);
    } finally {
      await challenger.stop();
    }
  });
});
