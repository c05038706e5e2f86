import { expect } from "chai";

import { EXECUTION_SLICE_MS } from "../../../rollup-node/chain/executionYield";
import { transferChain } from "../../../tools/transferChain";

const TRANSFERS = 300;

/**
 * Counts the event loop's turns (setImmediate callbacks) while `work` runs, and the longest
 * stretch without one: what a socket waiting to be read (an eth_sendRawTransaction) waits.
 */
async function turnsDuring(work: () => Promise<unknown>): Promise<{ turns: number; longestMs: number; ms: number }> {
  let turns = 0;
  let last = performance.now();
  let longestMs = 0;
  let running = true;
  const tick = (): void => {
    const now = performance.now();
    longestMs = Math.max(longestMs, now - last);
    last = now;
    turns++;
    if (running) setImmediate(tick);
  };
  const started = performance.now();
  setImmediate(tick);
  await work();
  running = false;
  const ms = performance.now() - started;
  longestMs = Math.max(longestMs, performance.now() - last);
  return { turns, longestMs, ms };
}

describe("block execution lets the event loop serve I/O", () => {
  it("gives the event loop a turn at least every slice while a block of many transfers is built and witnessed", async () => {
    const { chain, txs } = await transferChain({ chainId: 1337n, transfers: TRANSFERS });
    // An in-memory chain never waits for a database: without yields the whole build and its
    // witness capture are one run of microtasks, and a request on a socket waits for all of it.
    const { turns, longestMs, ms } = await turnsDuring(() => chain.mineBlock(txs, { captureWitness: true }));
    const mined = chain.head;
    expect(mined.transactions.length).to.equal(TRANSFERS);
    // Turns come between transactions, at most one a slice; the end of each execution (the state
    // root over every touched account) runs in one piece, so ask for one turn per 20 slices of
    // the whole build: before, there was none at all.
    const expected = Math.floor(ms / (20 * EXECUTION_SLICE_MS));
    expect(
      turns,
      `event loop turns during a ${Math.round(ms)} ms build (longest stretch without one ${Math.round(longestMs)} ms)`,
    ).to.be.at.least(Math.max(2, expected));
  });
});
