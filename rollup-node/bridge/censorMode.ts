// The censoring sequencer's modes (`rollup:node --censor-mode`), in a module that loads nothing:
// the node command's option table reads it while Hardhat's config loads.

/**
 * How long a censoring sequencer (a TEST/DEV tool, `--censor`) leaves its senders' L1 messages
 * out of its blocks: until L1 forces them in (`delay`: the overdue rule, forced inclusion), or for
 * good (`never`: once one is overdue L1 refuses every block of this sequencer, which then stops
 * advancing, and the chain lives on only when another node sequences — take-over).
 */
export type CensorMode = "delay" | "never";

export const CENSOR_MODES: readonly CensorMode[] = ["delay", "never"];

/** `--censor` without `--censor-mode`: hold back until L1 forces inclusion. */
export const DEFAULT_CENSOR_MODE: CensorMode = "delay";
