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

/**
 * The longest interval `--l1-poll-interval` accepts: Node's timers take a signed 32-bit delay and
 * run a longer one after 1 ms (TimeoutOverflowWarning), so a larger value, meant to poll rarely,
 * would poll L1 every millisecond.
 */
export const MAX_L1_POLL_MS = 2 ** 31 - 1;
