/**
 * EXECUTE's price against what the L1 tolerates (attack-review-s27.md, fifth pass): an L2 block
 * must not make an L1 node spend more CPU per L1 gas than the L1 spends per gas running the same
 * transactions itself, beyond a wide margin. The rows are the costliest per gas found: the BLS12-381
 * G2ADD loop (the costliest L2 and L1 gas on this EVM until finding 10's fix gave every EVM the
 * project's BLS backend; kept as a guard of a precompile both sides run), the same loop in an
 * invalid block whose header claims half the gas its transactions use (charged for that half,
 * EXECUTE runs both before refusing it), and deep call stacks (the verifier's own path per call
 * frame). The L1 run is the same block on the full state with the devnet L1 chain's state caches,
 * measured in the same test, alternated with EXECUTE round by round, in CPU time: never absolute
 * milliseconds.
 */
import { expect } from "chai";

import { ExecuteErrorCode, createExecutePrecompile, decodeExecuteInvalid } from "../../precompiles";
import { cpuSeconds } from "../../tools/cpuTime";
import { blockExecuteCall, callExecute } from "../../tools/executeCall";
import {
  BLS_INPUTS,
  type LoopBlock,
  RECURSIVE_CODE,
  TARGET_ACCOUNT,
  TARGET_ADDRESS,
  codeLoopBlock,
  precompileLoopBlock,
  precompileLoopCode,
  runWithFullState,
} from "../../tools/heavyBlocks";
import { tamperBlock } from "../../tools/l2Fixtures";

const CHAIN_ID = 909n;
/** EXECUTE's CPU per L1 gas over the L1's per gas on the same block, at most: measured 0.65–1.23 (bench:execute). */
const MAX_RATIO = 3;
const ROUNDS = 2;
/** Gas of each looping transaction: small enough for a test, large enough that the loop dominates. */
const TX_GAS = 100_000n;
/** Gas of the transaction of the invalid deep-call block: many times EXECUTE's base and byte charges. */
const DEEP_INVALID_TX_GAS = 1_500_000n;

/** The least CPU seconds per million gas of EXECUTE (per L1 gas charged) and of the L1's own run (per gas used). */
async function cpuPerMgas(
  { chain, built }: LoopBlock,
  claimedGas?: (gasUsed: bigint) => bigint,
): Promise<{ execute: number; l1: number }> {
  const precompile = createExecutePrecompile();
  const invalid = claimedGas !== undefined;
  const input = invalid
    ? { ...built, blockRlp: tamperBlock(built.block, { gasUsed: claimedGas(built.block.header.gasUsed) }) }
    : built;
  const { data, gasLimit } = blockExecuteCall(input, CHAIN_ID, precompile);
  const execute = async (): Promise<bigint> => {
    const result = await callExecute(precompile, data, { gasLimit });
    const failure = decodeExecuteInvalid(result.returnValue);
    if (invalid) expect(failure?.code, "the invalid block's verdict").to.equal(ExecuteErrorCode.GasUsedMismatch);
    else expect(failure, "the block is valid").to.equal(undefined);
    return result.executionGasUsed;
  };
  await execute(); // warm-up: JIT and caches, both sides
  await runWithFullState(chain, built, true);
  let least = { execute: Number.POSITIVE_INFINITY, l1: Number.POSITIVE_INFINITY };
  for (let round = 0; round < ROUNDS; round++) {
    const start = cpuSeconds();
    const charged = await execute();
    const middle = cpuSeconds();
    await runWithFullState(chain, built, true);
    const end = cpuSeconds();
    least = {
      execute: Math.min(least.execute, (middle - start) / (Number(charged) / 1e6)),
      l1: Math.min(least.l1, (end - middle) / (Number(built.block.header.gasUsed) / 1e6)),
    };
  }
  console.log(
    `      CPU ms per Mgas: EXECUTE ${(least.execute * 1000).toFixed(0)}, L1 ${(least.l1 * 1000).toFixed(0)}`,
  );
  return least;
}

describe("attack: L2 blocks that cost EXECUTE the most CPU per L1 gas, against the L1's own run", function () {
  this.timeout(900_000);
  const g2add = BLS_INPUTS["G2ADD (0x0d)"];

  it("a BLS12-381 G2ADD loop costs EXECUTE at most 3x the L1's CPU per gas on the same block", async () => {
    const { execute, l1 } = await cpuPerMgas(
      await precompileLoopBlock(CHAIN_ID, g2add.address, g2add.input, 1, TX_GAS),
    );
    expect(execute / l1).to.be.below(MAX_RATIO);
  });

  it("so does the same loop in an invalid block whose header claims half the gas (both transactions run)", async () => {
    const { execute, l1 } = await cpuPerMgas(
      await precompileLoopBlock(CHAIN_ID, g2add.address, g2add.input, 2, TX_GAS),
      (gasUsed) => gasUsed / 2n,
    );
    expect(execute / l1).to.be.below(MAX_RATIO);
  });

  it("so do deep call stacks (a contract calling itself: the verifier's path per call frame)", async () => {
    const { execute, l1 } = await cpuPerMgas(
      await codeLoopBlock(CHAIN_ID, precompileLoopCode(TARGET_ADDRESS, 0), 1, 3n * TX_GAS, [
        { address: TARGET_ACCOUNT, code: RECURSIVE_CODE },
      ]),
    );
    expect(execute / l1).to.be.below(MAX_RATIO);
  });

  // A large transaction, so that EXECUTE's base and byte charges do not hide a price that ignores
  // its gas limit: with `chargedL2Gas` blind to the transactions' gas limits (the claimed 21,000
  // priced) this failed with "expected 7.020233612988832 to be below 3".
  it("so do they in an invalid block whose header claims 21,000 gas (EXECUTE charges the transaction's gas limit)", async () => {
    const { execute, l1 } = await cpuPerMgas(
      await codeLoopBlock(CHAIN_ID, precompileLoopCode(TARGET_ADDRESS, 0), 1, DEEP_INVALID_TX_GAS, [
        { address: TARGET_ACCOUNT, code: RECURSIVE_CODE },
      ]),
      () => 21_000n,
    );
    expect(execute / l1).to.be.below(MAX_RATIO);
  });
});
