// The sequencer's defaults, in a module that loads nothing else: the node command's option table
// and the devnet's defaults read them while Hardhat loads its config.

/** One L2 block per second unless configured. */
export const DEFAULT_BLOCK_TIME_MS = 1000;

/**
 * Share of an optimistic rollup's proposal gas rate R (and depth C) that block slack, gas reserved
 * by transaction gas limits and not used, may take (./proposalSlack.ts): the rest is the paid gas's.
 */
export const DEFAULT_PROPOSAL_SLACK_SHARE = 0.25;

/** The L2 node's default JSON-RPC port (the L1 devnet's is 8545). */
export const DEFAULT_L2_RPC_PORT = 9545;
