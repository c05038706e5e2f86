/**
 * The check gas OptimisticRollup.propose charges a block to its proposal gas bucket
 * (`_checkGas`, docs/design/challenger-capacity.md): the TypeScript mirror, one function, so that
 * a change of the contract's formula is made here once. The sequencer's slack budget
 * (../l2/proposalSlack.ts) reads it.
 */

/**
 * The contract's MAX_WALKED_TXS: past this many transactions it no longer reads their gas limits
 * and charges the block's gas limit.
 */
export const MAX_WALKED_TXS = 256;

/** The factor on the header's gasUsed in the charge, as a fraction (1/1: gasUsed as claimed). */
export const CHECK_GAS_USED_NUMERATOR = 1n;
export const CHECK_GAS_USED_DENOMINATOR = 1n;

/** What the charge is computed from: the header's two gas fields and each transaction's gas limit. */
export interface CheckGasInput {
  readonly gasUsed: bigint;
  readonly gasLimit: bigint;
  /** Every transaction's gas limit, in block order. */
  readonly txGasLimits: readonly bigint[];
}

/**
 * `min(gasLimit, gasUsed·N/D + largest transaction gas limit)`, or the gas limit when the block has
 * more than MAX_WALKED_TXS transactions: the most L2 gas a check of the block can execute, as the
 * contract charges it (for a block whose RLP parses, which every block this node builds does).
 */
export function proposalCheckGas(input: CheckGasInput): bigint {
  if (input.txGasLimits.length > MAX_WALKED_TXS) return input.gasLimit;
  let largest = 0n;
  for (const limit of input.txGasLimits) if (limit > largest) largest = limit;
  const work = (input.gasUsed * CHECK_GAS_USED_NUMERATOR) / CHECK_GAS_USED_DENOMINATOR + largest;
  return work < input.gasLimit ? work : input.gasLimit;
}
