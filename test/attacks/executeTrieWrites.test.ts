/**
 * Attack on EXECUTE's price (docs/design/attack-review-s23.md, finding 1): the stateless verifier
 * writes every SSTORE through to the storage trie and the account trie at once (no state cache),
 * re-encoding and re-hashing both paths and keeping every node written in memory. A warm SSTORE
 * costs 100 L2 gas, so a loop of them costs EXECUTE far more CPU per gas than an honest block, on
 * an honest state, and far more again on a pre-state whose paths are 64 nodes deep (which any
 * caller of EXECUTE may name in the parent header it passes).
 * CPU is measured with process.cpuUsage against an honest call in the same run, not a clock.
 */
import { expect } from "chai";

import { createExecutePrecompile, decodeExecuteInvalid } from "../../precompiles";
import { blockExecuteCall, callExecute } from "../../tools/executeCall";
import type { BuiltBlock } from "../../tools/l2TestChain";
import { shapedBlock } from "../../tools/witnessShapes";
import { cpuSeconds } from "../../tools/cpuTime";

const CHAIN_ID = 907n;
/** What an adversarial block may cost per gas, at most, against the honest one in the same run. */
const MAX_RATIO = 3;

/** CPU seconds per million L1 gas charged, the least of two calls (the first warms V8 up). */
async function cpuPerMgas(built: BuiltBlock): Promise<number> {
  const execute = createExecutePrecompile();
  const { data, gasLimit } = blockExecuteCall(built, CHAIN_ID, execute);
  const runs: number[] = [];
  for (let round = 0; round < 2; round++) {
    const start = cpuSeconds();
    const result = await callExecute(execute, data, { gasLimit });
    runs.push(((cpuSeconds() - start) * 1e6) / Number(result.executionGasUsed));
    expect(decodeExecuteInvalid(result.returnValue), "the block is valid").to.equal(undefined);
  }
  return Math.min(...runs);
}

describe("attack: SSTORE loops against EXECUTE's write-through trie", function () {
  this.timeout(600_000);

  // Skipped until the fix lands (attack-review-s23.md, finding 1, says what it takes). Before the
  // lazy trie it failed with "expected 7.6167129659611685 to be below 3"; with it (LazyHashTrie, which
  // removes the per-write hashing, not the per-write walk and EthereumJS's per-SSTORE overhead) it
  // still fails: "expected 6.743766629279279 to be below 3".
  it("charges an SSTORE loop on an honest state no more CPU per gas than 3x an honest block", async () => {
    const honest = await cpuPerMgas(await shapedBlock(CHAIN_ID, "transfers", undefined));
    const loop = await cpuPerMgas(await shapedBlock(CHAIN_ID, "loop", undefined, 500_000n));
    expect(loop / honest, "an SSTORE loop on an honest state").to.be.below(MAX_RATIO);
  });
});
