import type { GenesisAccount, GenesisConfig } from "../chain/genesis";
import { DEFAULT_ACCOUNT_COUNT, type DevAccount, deriveDevAccounts } from "../chain/devAccounts";
import { l2Genesis, readL2BridgeRuntimeCode } from "../l2/genesis";

import { DEFAULT_RELAYER_GENESIS_BALANCE } from "./genesisDefaults";

export { DEFAULT_RELAYER_GENESIS_BALANCE };

/**
 * Each public dev account's balance in the dev genesis of a rollup deployed on its own
 * (`rollup:genesis --dev`, `rollup:deploy` without a genesis): 100 ETH. The deployer backs the
 * genesis supply on L1, and a dev L1's deployer — the devnet's account #0, like `npx hardhat
 * node`'s — holds 10,000 ETH: ten accounts at 100 ETH and the relayer's 1 ETH (1,001 ETH) leave
 * it most of that for gas. (The devnet's own L2 funds them with 10,000 ETH each, backed by the
 * node's sequencer key, which the devnet's L1 funds for it.)
 */
export const DEV_GENESIS_ACCOUNT_BALANCE = 100n * 10n ** 18n;

/**
 * What a dev genesis of a rollup deployed on its own funds: the ten public dev accounts at
 * DEV_GENESIS_ACCOUNT_BALANCE and the node's relayer. `rollup:genesis --dev`, `rollup:deploy` and
 * the node command (rebuilding that genesis from a deployment record) all fund these, so they
 * build the same genesis.
 */
export function devGenesisFunding(
  relayer: string,
  relayerBalance: bigint = DEFAULT_RELAYER_GENESIS_BALANCE,
): { readonly address: string; readonly balance: bigint }[] {
  return [
    ...deriveDevAccounts(DEFAULT_ACCOUNT_COUNT, DEV_GENESIS_ACCOUNT_BALANCE),
    { address: relayer, balance: relayerBalance },
  ];
}

export interface DevL2GenesisOptions {
  readonly chainId: bigint;
  /** Seconds since the epoch; must be stored to reopen the same chain. */
  readonly timestamp: bigint;
  /** Accounts funded on L2 (users and the relayer); only their address and balance are read. */
  readonly funded: readonly Pick<DevAccount, "address" | "balance">[];
  readonly gasLimit?: bigint;
  readonly artifactsDir?: string;
  /** EXECUTE's write rules for the chain (`GenesisConfig.writeRules`); per block from genesis when absent. */
  readonly writeRules?: GenesisConfig["writeRules"];
}

/** The devnet's L2 genesis: the L2Bridge predeploy plus funded dev accounts and the relayer. */
export function devL2Genesis(options: DevL2GenesisOptions): GenesisConfig {
  const alloc: Record<string, GenesisAccount> = {};
  for (const account of options.funded) alloc[account.address] = { balance: account.balance };
  return l2Genesis({
    chainId: options.chainId,
    timestamp: options.timestamp,
    bridgeCode: readL2BridgeRuntimeCode(options.artifactsDir),
    alloc,
    ...(options.gasLimit !== undefined ? { gasLimit: options.gasLimit } : {}),
    ...(options.writeRules !== undefined ? { writeRules: options.writeRules } : {}),
  });
}
