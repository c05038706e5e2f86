import {
  EXECUTE_ADDRESS,
  type ExecutePrecompile,
  type ExecutePrecompileOptions,
  createExecutePrecompile,
  writeRulesToJson,
} from "../../precompiles";
import { EXECUTE_WRITE_RULES_METHOD } from "../bridge/writeRulesAgreement";
import type { BlockArchive } from "../chain/blockStore";
import { Chain, type TrieDatabase } from "../chain/chain";
import { ChainConfigError } from "../chain/errors";
import { DEFAULT_HARDFORK, type GenesisAccount } from "../chain/genesis";
import type { BlockHistory, BlockRecord } from "../chain/types";
import { RpcDispatcher } from "../rpc/dispatcher";
import { parseQuantity } from "../rpc/hex";
import { DEFAULT_METHODS } from "../rpc/methods";
import type { MethodTable } from "../rpc/methods/types";
import type { Json } from "../rpc/format";
import { InProcessProvider } from "../rpc/eip1193";
import type { RpcError } from "../rpc/errors";
import { type RpcServer, type RpcServerLimits, startRpcServer } from "../rpc/server";
import { DEFAULT_ACCOUNT_COUNT, DEFAULT_DEV_BALANCE, type DevAccount, deriveDevAccounts } from "../chain/devAccounts";
import { DevNode } from "../rpc/devNode";
import { DEFAULT_L1_CHAIN_ID, DEFAULT_L1_PORT } from "./defaults";

// Declared in ./defaults (the Hardhat plugin reads it while its config loads); exported here as before.
export { DEFAULT_L1_CHAIN_ID };
/**
 * web3_clientVersion. @nomicfoundation/hardhat-network-helpers only runs against clients whose
 * version starts with "HardhatNetwork" or "anvil", so the devnet announces Hardhat compatibility.
 */
export const L1_CLIENT_VERSION = "HardhatNetwork/2.29.1/native-rollup-l1-devnet/ethereumjs";

export interface L1DevnetOptions {
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** The command's option that sets `port`, named when the port is taken (RpcServerOptions.portOption). */
  readonly portOption?: string;
  readonly chainId?: bigint;
  readonly hardfork?: string;
  /** Dev accounts; by default 10 from the standard test mnemonic with 10,000 ETH each. */
  readonly accounts?: readonly DevAccount[];
  /** Undefined: a block per transaction (automine). Otherwise a block every `blockTime` ms. */
  readonly blockTime?: number;
  readonly gasLimit?: bigint;
  /** The chain's trie node cache bound in bytes (Chain's default when absent). */
  readonly nodeCacheBytes?: number;
  /** Extra genesis accounts (contracts, balances). */
  readonly alloc?: Readonly<Record<string, GenesisAccount>>;
  /**
   * EXECUTE's options: gas constants, and each L2 chain's write rules (`writeRules`, by chain id:
   * the chain's genesis `config.writeRules`, consensus-rules.md §5). The devnet reports the rules
   * its EXECUTE applies over `devnet_executeWriteRules`, which a node checks at start.
   */
  readonly execute?: ExecutePrecompileOptions;
  /**
   * EXECUTE as built by the caller (a benchmark or test wraps it to count its runs); by default
   * `createExecutePrecompile(execute)`. It must be EXECUTE: the chain runs it at 0x…0101.
   */
  readonly executePrecompile?: ExecutePrecompile;
  /** Trie database; in memory by default. */
  readonly db?: TrieDatabase;
  /** Web origins whose pages may call the JSON-RPC (CORS); none by default (`DEFAULT_CORS_ORIGINS`). */
  readonly corsOrigins?: readonly string[];
  /** The HTTP server's caps on connections, body bytes and idle time (RpcServerLimits; defaults DEFAULT_RPC_LIMITS). */
  readonly rpcLimits?: RpcServerLimits;
  /** Do not listen on HTTP (the in-process Hardhat network); `url` and `port` are then unset. */
  readonly http?: boolean;
  /** Called for every error answered over JSON-RPC (e.g. to log them). */
  readonly onRpcError?: (method: string, error: RpcError) => void;
  /** Called when interval mining fails. */
  readonly onMiningError?: (error: unknown) => void;
  /** Genesis time (seconds); now by default. A resumed chain must pass its original one. */
  readonly genesisTimestamp?: bigint;
  /** Blocks already mined on `db` (a resumed chain), in order; indexed, not re-executed. */
  readonly history?: BlockHistory;
  /** Called after each block is mined, before its transaction is answered (persistence). */
  readonly onBlockMined?: (record: BlockRecord) => Promise<void>;
  /**
   * Where `onBlockMined` keeps the blocks (the devnet's l1Store): the chain then holds only its
   * newest blocks in memory and reads older ones back from it. Without one, all stay in memory.
   */
  readonly archive?: BlockArchive;
}

export interface L1Devnet {
  /** `http://host:port`, or undefined without HTTP. */
  readonly url: string | undefined;
  readonly port: number | undefined;
  readonly chainId: bigint;
  readonly chain: Chain;
  readonly node: DevNode;
  readonly accounts: readonly DevAccount[];
  readonly executeAddress: string;
  readonly execute: ExecutePrecompile;
  /** An EIP-1193 provider over the same methods, without HTTP. */
  readonly provider: InProcessProvider;
  stop(): Promise<void>;
}

/**
 * The L1 devnet's methods: the dev node's, and what its EXECUTE applies to a chain's blocks
 * (`EXECUTE_WRITE_RULES_METHOD`), read from the precompile itself, so that a node can check it was
 * given the same rules (docs/design/write-rule-agreement.md).
 */
export function l1DevnetMethods(execute: ExecutePrecompile): MethodTable {
  return {
    ...DEFAULT_METHODS,
    [EXECUTE_WRITE_RULES_METHOD]: (params) =>
      writeRulesToJson(execute.writeRulesOf(parseQuantity(params[0], "chainId"))) as Json,
  };
}

/** Starts the L1 devnet: an Osaka chain with EXECUTE at 0x…0101, served over JSON-RPC. */
export async function startL1Devnet(options: L1DevnetOptions = {}): Promise<L1Devnet> {
  if (options.blockTime !== undefined && !(options.blockTime > 0)) {
    throw new ChainConfigError(
      `block time ${options.blockTime} ms is not positive`,
      "omit blockTime for automine, or give milliseconds > 0",
    );
  }
  const accounts = options.accounts ?? deriveDevAccounts(DEFAULT_ACCOUNT_COUNT, DEFAULT_DEV_BALANCE);
  // A mined advance reuses its simulation's run (docs/design/execute-result-memo.md); `memo: false` turns it off.
  const execute = options.executePrecompile ?? createExecutePrecompile({ memo: {}, ...options.execute });
  const alloc: Record<string, GenesisAccount> = { ...options.alloc };
  for (const account of accounts) alloc[account.address] = { balance: account.balance };
  const chainId = options.chainId ?? DEFAULT_L1_CHAIN_ID;
  const chain = await Chain.create({
    genesis: {
      chainId,
      hardfork: options.hardfork ?? DEFAULT_HARDFORK,
      timestamp: options.genesisTimestamp ?? BigInt(Math.floor(Date.now() / 1000)),
      alloc,
      ...(options.gasLimit !== undefined ? { gasLimit: options.gasLimit } : {}),
    },
    db: options.db,
    history: options.history,
    archive: options.archive,
    nodeCacheBytes: options.nodeCacheBytes,
    customPrecompiles: [execute],
    beforeExecution: execute.beforeExecution,
  });
  const node = new DevNode({
    chain,
    accounts,
    clientVersion: L1_CLIENT_VERSION,
    automine: options.blockTime === undefined,
    onMiningError: options.onMiningError,
    onBlockMined: options.onBlockMined,
  });
  const dispatcher = new RpcDispatcher(node, { onError: options.onRpcError, methods: l1DevnetMethods(execute) });
  const server: RpcServer | undefined =
    options.http === false
      ? undefined
      : await startRpcServer(dispatcher, {
          host: options.host,
          port: options.port ?? DEFAULT_L1_PORT,
          portOption: options.portOption,
          corsOrigins: options.corsOrigins,
          limits: options.rpcLimits,
        });
  if (options.blockTime !== undefined) node.startIntervalMining(options.blockTime);
  let stopped = false;
  return {
    url: server?.url,
    port: server?.port,
    chainId,
    chain,
    node,
    accounts,
    executeAddress: EXECUTE_ADDRESS,
    execute,
    provider: new InProcessProvider(dispatcher),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      node.stopIntervalMining();
      await server?.close();
    },
  };
}
