import type { GenesisAccount, GenesisConfig } from "../chain/genesis";
import type { DevAccount } from "../chain/devAccounts";
import { l2Genesis, readL2BridgeRuntimeCode } from "../l2/genesis";

/**
 * Wei the node's relayer holds in a genesis written by `rollup:genesis` (1 ETH): L2Bridge repays
 * each relay at the base fee, so this is a float, not spent; the deployment backs it on L1 like
 * every genesis balance.
 */
export const DEFAULT_RELAYER_GENESIS_BALANCE = 10n ** 18n;

export interface DevL2GenesisOptions {
  readonly chainId: bigint;
  /** Seconds since the epoch; must be stored to reopen the same chain. */
  readonly timestamp: bigint;
  /** Accounts funded on L2 (users and the relayer); only their address and balance are read. */
  readonly funded: readonly Pick<DevAccount, "address" | "balance">[];
  readonly gasLimit?: bigint;
  readonly artifactsDir?: string;
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
  });
}
