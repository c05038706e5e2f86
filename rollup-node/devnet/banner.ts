import { formatEther } from "ethers";

import type { DevAccount } from "../chain/devAccounts";
import { DEFAULT_L1_CHAIN_ID, TASK_DEFAULT_URLS } from "./defaults";
import { devNodeKeys } from "../node/keys";
import type { L1Devnet } from "./l1Devnet";

const PUBLIC_KEYS_WARNING = [
  "WARNING: These accounts, and their private keys, are publicly known.",
  "Any funds sent to them on Mainnet or any other live network WILL BE LOST.",
];

/**
 * The dev accounts under `title`, each with its key and balance, in the layout of `hardhat node`.
 * The balance is the genesis funding: on a resumed chain, `balanceNote` (" at genesis") says so,
 * since the chain's transactions since may have moved it.
 */
export function accountsSection(title: string, accounts: readonly DevAccount[], balanceNote = ""): string[] {
  const lines = [title, "=".repeat(title.length), "", ...PUBLIC_KEYS_WARNING, ""];
  accounts.forEach((account, i) => {
    lines.push(`Account #${i}: ${account.address} (${formatEther(account.balance)} ETH${balanceNote})`);
    lines.push(`Private Key: ${account.privateKey}`);
    lines.push("");
  });
  return lines;
}

/** What the L1-only banner says besides the devnet itself: how it was started and how long it took. */
export interface L1BannerOptions {
  readonly fork: string;
  /** Milliseconds between blocks, or undefined for automine (a block per transaction). */
  readonly blockTime: number | undefined;
  /** Milliseconds the devnet itself took to start. */
  readonly startupMs: number;
  /**
   * Milliseconds since the command's process started: the wait a user sees, Hardhat's loading
   * included, beside the devnet's own start (as the full devnet's banner says it).
   */
  readonly sinceCommandStartMs?: number;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * What a user runs next on an L1 alone: a rollup deployed on it. `--network l1` dials the default
 * URL unless L1_RPC_URL names another, and the dev keys sign only on the default chain id unless --dev
 * (rollup:node then needs --dev as well).
 */
function tryDeploying(devnet: L1Devnet): string {
  const url = devnet.url !== undefined && devnet.url !== TASK_DEFAULT_URLS.l1 ? `L1_RPC_URL=${devnet.url} ` : "";
  // Off the default chain the deployer does not assume the dev sequencer either: name it.
  const dev = devnet.chainId === DEFAULT_L1_CHAIN_ID ? "" : ` --dev --sequencer ${devNodeKeys().sequencer.address}`;
  return `Try: ${url}npx hardhat rollup:deploy --network l1${dev}   (a rollup on this L1; it prints the rollup:node command that runs its L2${dev === "" ? "" : ", to run with --dev"})`;
}

/**
 * The startup text of the L1-only devnet (`npm run devnet:l1`), in the order of the full devnet's
 * (rollupBanner.ts): a ready line with the seconds, the endpoint a wallet needs (URL, chain id),
 * then the funded accounts with their keys under the public-keys warning, said once.
 */
export function devnetBanner(devnet: L1Devnet, options: L1BannerOptions): string {
  const since =
    options.sinceCommandStartMs === undefined
      ? ""
      : ` (${seconds(options.sinceCommandStartMs)} since the command started, loading included)`;
  const mining = options.blockTime === undefined ? "automine" : `a block every ${options.blockTime} ms`;
  return [
    `L1 devnet ready in ${seconds(options.startupMs)}${since}; in memory: nothing is kept between runs`,
    "",
    `L1  ${devnet.url ?? "(in process)"}   chain id ${devnet.chainId}   EXECUTE at ${devnet.executeAddress}   fork ${options.fork}   block gas limit ${devnet.chain.head.header.gasLimit}   ${mining}`,
    "",
    ...accountsSection("Accounts (funded on L1)", devnet.accounts),
    tryDeploying(devnet),
    "Ctrl-C stops.",
  ].join("\n");
}
