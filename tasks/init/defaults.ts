// The defaults of `rollup:init`, in a module that loads nothing: the task's --help names them
// while Hardhat's config loads (./options.ts, which applies them, loads the deploy policies).

/** The default L2 gas limit of a new project (the framework's, see rollup-node/l2/genesis.ts). */
export const DEFAULT_INIT_GAS_LIMIT = 4_000_000n;
/** Who may advance a new project's rollup unless --sequencing says otherwise. */
export const DEFAULT_INIT_SEQUENCING = "fallback";
/** How a new project's rollup verifies blocks unless --proofs says otherwise. */
export const DEFAULT_INIT_PROOFS = "reexecution";
/** k of k-of-n unless --k says otherwise. */
export const DEFAULT_INIT_K = 1;
