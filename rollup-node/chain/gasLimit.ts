/** geth's default gas limit target for the blocks it builds (miner.gaslimit). */
export const DEFAULT_TARGET_GAS_LIMIT = 60_000_000n;

/**
 * The gas limit a builder gives the next block: a step toward `target`, within the
 * consensus bound of parent/1024 per block (geth's core.CalcGasLimit).
 */
export function nextGasLimit(parentGasLimit: bigint, target: bigint = DEFAULT_TARGET_GAS_LIMIT): bigint {
  const delta = parentGasLimit / 1024n - 1n;
  if (parentGasLimit < target) return parentGasLimit + delta < target ? parentGasLimit + delta : target;
  return parentGasLimit - delta > target ? parentGasLimit - delta : target;
}
