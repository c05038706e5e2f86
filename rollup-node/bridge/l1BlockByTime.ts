import type { Provider } from "ethers";

import { BridgeError } from "./errors";

/**
 * The lowest L1 block in `[low, high]` whose timestamp is above `after`, found by a binary search
 * over block numbers (`eth_getBlockByNumber`): at most ⌈log2(high − low + 1)⌉ + 1 reads, whatever
 * the chain's age. L1 timestamps grow with the block number (a block's is above its parent's), so
 * "above `after`" holds from one block on; `high` when no lower block qualifies (the caller
 * passes a `high` that does: the head, for a cut-off in the past). A block the L1 does not answer
 * (a reorg that shortened the chain under the search) fails it: the caller's next poll searches again.
 */
export async function firstL1BlockAfter(provider: Provider, after: bigint, low: number, high: number): Promise<number> {
  const timestampOf = async (number: number): Promise<bigint> => {
    const block = await provider.getBlock(number);
    if (block === null)
      throw new BridgeError(
        "L1_NO_BLOCK",
        `the L1 has no block ${number} (below its head ${high} a moment ago)`,
        "an L1 reorg shortened the chain during the search, or the RPC endpoint serves another chain: the next poll searches again",
      );
    return BigInt(block.timestamp);
  };
  if (low >= high || (await timestampOf(low)) > after) return Math.min(low, high);
  // `low` is at or below `after`, `high` is taken to be above it: narrow the gap to one block.
  let below = low;
  let above = high;
  while (above - below > 1) {
    const middle = below + Math.floor((above - below) / 2);
    if ((await timestampOf(middle)) > after) above = middle;
    else below = middle;
  }
  return above;
}
