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

/**
 * The contract's MAX_REFUND_QUOTIENT (EIP-3529: a refund is at most a fifth of the gas used), so a
 * transaction executes at most 5/4 of the block gas it adds: the charge adds U / (5 − 1).
 */
export const MAX_REFUND_QUOTIENT = 5n;

/** What the charge is computed from: the header's two gas fields and each transaction's gas limit. */
export interface CheckGasInput {
  readonly gasUsed: bigint;
  readonly gasLimit: bigint;
  /** Every transaction's gas limit, in block order. */
  readonly txGasLimits: readonly bigint[];
}

/**
 * `U + U/4 + min(largest transaction gas limit, gasLimit − U)` with `U = min(gasUsed, gasLimit)`;
 * past MAX_WALKED_TXS transactions the largest limit is taken as `gasLimit − U`: the most L2 gas a
 * check of the block can execute, as the contract charges it (for a block whose RLP parses, which
 * every block this node builds does). Why each term: docs/design/challenger-capacity.md.
 */
export function proposalCheckGas(input: CheckGasInput): bigint {
  const used = input.gasUsed < input.gasLimit ? input.gasUsed : input.gasLimit;
  const left = input.gasLimit - used;
  let largest = 0n;
  for (const limit of input.txGasLimits) if (limit > largest) largest = limit;
  if (input.txGasLimits.length > MAX_WALKED_TXS || largest > left) largest = left;
  return used + used / (MAX_REFUND_QUOTIENT - 1n) + largest;
}
