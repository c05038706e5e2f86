/**
 * L1 blocks on top of the one that made an L2 block final before the follower calls it
 * `finalized` (the devnet has no beacon finality; a real L1's finalized tag replaces this).
 */
export const DEFAULT_L1_FINALITY_DEPTH = 2;
