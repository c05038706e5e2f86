import type { GenesisAccount, GenesisConfig } from "../chain/genesis";
import type { DevAccount } from "../chain/devAccounts";
import { l2Genesis, readL2BridgeRuntimeCode } from "../l2/genesis";

export interface DevL2GenesisOptions {
  readonly chainId: bigint;
  /** Seconds since the epoch; must be stored to reopen the same chain. */
  readonly timestamp: bigint;
  /** Accounts funded on L2 (users and the relayer). */
  readonly funded: readonly DevAccount[];
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
