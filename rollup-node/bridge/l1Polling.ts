// How often a node reads L1, in a module that loads nothing else: the node command's option table
// reads it while Hardhat loads its config.

/**
 * How often a node reads L1 unless configured: the watcher, the challenger, the safe/finalized
 * heads and the follower all poll the same L1 at this pace.
 */
export const DEFAULT_L1_POLL_MS = 500;

/**
 * The shortest interval `--l1-poll-interval` accepts: each poll is several requests (block
 * number, logs, the rollup's head), and a shorter pace only spins on an L1 whose blocks are
 * seconds apart.
 */
export const MIN_L1_POLL_MS = 50;
