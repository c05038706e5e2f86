/**
 * Defaults of the one-command devnet, in a module that loads nothing else: Hardhat reads them
 * while loading its config, before `hardhat compile` has generated the contract bindings.
 */
import { DEFAULT_L2_RPC_PORT } from "../l2/defaults";

export const DEFAULT_L2_CHAIN_ID = 42_069n;
/** 1337: the customary id of local dev chains (Ganache, geth --dev); distinct from Hardhat's 31337. */
export const DEFAULT_L1_CHAIN_ID = 1337n;
export const DEFAULT_DATA_DIR = ".devnet";
export { DEFAULT_BLOCK_TIME_MS as DEFAULT_L2_BLOCK_TIME_MS } from "../l2/defaults";
/** Optimistic mode: seconds a proposed L2 block can be challenged. */
export const DEFAULT_CHALLENGE_WINDOW = 30n;
/** Optimistic mode: wei every proposal locks (0.1 ETH). */
export const DEFAULT_PROPOSAL_BOND = 10n ** 17n;
/** The deployment record of the devnet's rollup, inside its data directory (read by the rollup:* tasks). */
export const DEPLOYMENT_FILE = "rollup.json";

/** The L1 devnet's JSON-RPC port. */
export const DEFAULT_L1_PORT = 8545;

/**
 * The devnet command's port options, named when a port is taken: its CLI (`npm run devnet`,
 * `npm run devnet:l1`) and `npx hardhat devnet` spell them alike (Hardhat's `l2Port` is `--l2-port`).
 */
export const DEVNET_PORT_OPTIONS = { l1: "--port", l2: "--l2-port" } as const;
/** Where the rollup:* tasks look for the nodes when not told (their `l1` / `l2` networks' defaults). */
export const TASK_DEFAULT_URLS = {
  l1: `http://127.0.0.1:${DEFAULT_L1_PORT}`,
  l2: `http://127.0.0.1:${DEFAULT_L2_RPC_PORT}`,
} as const;
