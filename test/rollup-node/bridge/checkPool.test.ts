import { expect } from "chai";
import { getBytes } from "ethers";

import { BlockCheckPool, CheckPoolError } from "../../../rollup-node/bridge/checkPool";
import type { CheckInput, Verdict } from "../../../rollup-node/bridge/verdict";
import { rejection } from "../rejection";
import { STORE_ADDRESS, STORE_AND_LOG_CODE, TestSigner, storeCall, tamperBlock, word } from "../../../tools/l2Fixtures";
import { L2TestChain } from "../../../tools/l2TestChain";

const CHAIN_ID = 4343n;

/** Four blocks on one parent: checks of real blocks, valid except the one with a forged state root. */
async function inputs(): Promise<{ valid: CheckInput[]; forged: CheckInput }> {
  const probe = await L2TestChain.create(CHAIN_ID, []);
  const funded = TestSigner.fromSeed(7, probe.common);
  const chain = await L2TestChain.create(CHAIN_ID, [
    { address: funded.address.toString(), balance: 10n ** 20n },
    { address: STORE_ADDRESS, code: STORE_AND_LOG_CODE },
  ]);
  const valid: CheckInput[] = [];
  for (let i = 1; i <= 3; i++) {
    const built = await chain.buildBlock(
      [TestSigner.fromSeed(7, chain.common).tx({ to: STORE_ADDRESS, data: storeCall(i, i) })],
      { discard: true },
    );
    valid.push({ chainId: CHAIN_ID, parentHeader: built.parentHeader, block: built.blockRlp, witness: built.witness });
  }
  const base = await chain.buildBlock(
    [TestSigner.fromSeed(7, chain.common).tx({ to: STORE_ADDRESS, data: storeCall(9, 9) })],
    { discard: true },
  );
  const forged = {
    chainId: CHAIN_ID,
    parentHeader: base.parentHeader,
    block: tamperBlock(base.block, { stateRoot: getBytes(`0x${word(0xbad)}`) }),
    witness: base.witness,
  };
  return { valid, forged };
}

/** Submits `first` and then the others at once, and returns the labels in the order their checks finished. */
async function finishingOrder(
  pool: BlockCheckPool,
  first: CheckInput,
  others: readonly { label: string; input: CheckInput; priority: bigint }[],
): Promise<{ order: string[]; verdicts: Map<string, Verdict> }> {
  const order: string[] = [];
  const verdicts = new Map<string, Verdict>();
  const all = [pool.judge(first, 0n).then((v) => verdicts.set("first", v))];
  for (const job of others) {
    all.push(
      pool.judge(job.input, job.priority).then((v) => {
        order.push(job.label);
        return verdicts.set(job.label, v);
      }),
    );
  }
  await Promise.all(all);
  return { order, verdicts };
}

describe("BlockCheckPool: proposal checks wait for a thread in order of deadline", function () {
  this.timeout(300_000);
  let blocks: Awaited<ReturnType<typeof inputs>>;

  before(async () => {
    blocks = await inputs();
  });

  for (const size of [0, 1]) {
    it(`${size === 0 ? "on the main thread" : "on one worker thread"}: while a check runs, the waiting ones start soonest deadline first, whatever order they came in`, async () => {
      const pool = new BlockCheckPool(size);
      try {
        const { order, verdicts } = await finishingOrder(pool, blocks.valid[0], [
          { label: "closes at 30", input: blocks.valid[1], priority: 30n },
          { label: "forged, closes at 10", input: blocks.forged, priority: 10n },
          { label: "closes at 20", input: blocks.valid[2], priority: 20n },
        ]);
        expect(order).to.deep.equal(["forged, closes at 10", "closes at 20", "closes at 30"]);
        expect(verdicts.get("first")?.kind).to.equal("valid");
        expect(verdicts.get("closes at 30")?.kind).to.equal("valid");
        expect(verdicts.get("forged, closes at 10")).to.include({ kind: "invalid" });
      } finally {
        await pool.close();
      }
    });
  }

  it("closing the pool fails the waiting checks with a typed error, and it checks again afterwards", async () => {
    const pool = new BlockCheckPool(1);
    const running = rejection(pool.judge(blocks.valid[0], 0n));
    const waiting = rejection(pool.judge(blocks.valid[1], 1n));
    await pool.close();
    const error = await waiting;
    expect(error).to.be.instanceOf(CheckPoolError);
    expect((error as CheckPoolError).code).to.equal("CHECK_POOL");
    expect(await running).to.be.instanceOf(CheckPoolError);
    expect((await pool.judge(blocks.valid[2], 0n)).kind).to.equal("valid");
    await pool.close();
  });

  it("refuses a thread count that is not a whole number >= 0", () => {
    expect(() => new BlockCheckPool(-1)).to.throw(CheckPoolError);
    expect(() => new BlockCheckPool(1.5)).to.throw(CheckPoolError);
  });
});
