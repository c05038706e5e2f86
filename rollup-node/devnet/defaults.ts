/**
 * Defaults of the one-command devnet, in a module that loads nothing else: Hardhat reads them
 * while loading its config, before `hardhat compile` has generated the contract bindings.
 */
export const DEFAULT_L2_CHAIN_ID = 42_069n;
export const DEFAULT_DATA_DIR = ".devnet";
export { DEFAULT_BLOCK_TIME_MS as DEFAULT_L2_BLOCK_TIME_MS } from "../l2/defaults";
/** Optimistic mode: seconds a proposed L2 block can be challenged. */
export const DEFAULT_CHALLENGE_WINDOW = 30n;
/** Optimistic mode: wei every proposal locks (0.1 ETH). */
export const DEFAULT_PROPOSAL_BOND = 10n ** 17n;
/** The deployment record of the devnet's rollup, inside its data directory (read by the rollup:* tasks). */
export const DEPLOYMENT_FILE = "rollup.json";
