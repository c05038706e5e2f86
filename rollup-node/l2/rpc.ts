import { RpcDispatcher } from "../rpc/dispatcher";
import type { RpcError } from "../rpc/errors";
import type { Json } from "../rpc/format";
import { invalidParams } from "../rpc/errors";
import { data, parseBlockTag, parseData, parseOptionalQuantity, parseQuantity } from "../rpc/hex";
import { debugMethods, ethMethods, netMethods, txpoolMethods, web3Methods } from "../rpc/methods";
import type { MethodHandler, MethodTable } from "../rpc/methods";
import {
  type HeldRpcPort,
  type HttpRouteHandler,
  type RpcServer,
  type RpcServerLimits,
  startRpcServer,
} from "../rpc/server";
import { decodeWitness } from "../../precompiles";
import type { Logger } from "../logger";
import { DEFAULT_L2_RPC_PORT } from "./defaults";
import { NoWitnessError } from "./errors";
import { decodeRawTransaction } from "./rawTransaction";
import type { RpcBackend } from "../rpc/backend";

/**
 * What the L2 methods need of a node: the sequencer, or a follower (which refuses or forwards
 * transactions and produces no blocks, rollup-node/follower).
 */
export interface L2RpcNode extends RpcBackend {
  /** The stored RLP witness of block `number`, undefined when there is none. */
  encodedWitness(number: bigint): Promise<Uint8Array | undefined>;
  produceBlock(options?: { timestamp?: bigint }): Promise<unknown>;
  /**
   * True when `submitTransaction` calls made together are admitted in one round, in the order
   * made (the sequencer's admission queue): a batch's raw transactions then start together.
   * A follower forwards each one over HTTP, where calls made together may arrive in any order.
   */
  readonly admitsInCallOrder?: boolean;
}

/** The batch calls that start together on a node that admits in call order. */
const ADMITTED_TOGETHER: ReadonlySet<string> = new Set(["eth_sendRawTransaction"]);

/**
 * `debug_executionWitness` in geth's and reth's JSON shape. `keys` (preimages of the accessed
 * addresses and slots) is always empty: EXECUTE does not need them and the sequencer does not
 * record them; `headers` are RLP headers from the lowest one BLOCKHASH read up to the grandparent.
 */
async function executionWitness(sequencer: L2RpcNode, params: readonly unknown[]): Promise<Json> {
  const record = sequencer.chain.resolveBlock(parseBlockTag(params[0], "block"));
  const number = record.block.header.number;
  const encoded = await sequencer.encodedWitness(number);
  if (encoded === undefined) throw new NoWitnessError(number.toString());
  const witness = decodeWitness(encoded);
  return {
    state: witness.state.map(data),
    codes: witness.codes.map(data),
    keys: [],
    headers: witness.headers.map(data),
  };
}

/** Most blocks one hardhat_mine / anvil_mine call produces on the L2: each is an L1 `advance`. */
export const MAX_L2_MINE_BLOCKS = 100n;

/** The L2 devnet's mining switch: with automine, each accepted transaction gets its own block at once. */
interface L2DevState {
  automine: boolean;
}

/**
 * The L2's dev methods: `evm_mine` / `hardhat_mine` / `anvil_mine` produce blocks now, and
 * `evm_setAutomine` (`anvil_setAutomine`) makes every accepted transaction produce its block, as
 * tests expect of a Hardhat network. Dev only: every L2 block costs the sequencer an L1 `advance`,
 * so a node serves them only when run as a devnet (`devMethods`), where L1 gas is dev ETH. Each
 * block is a real sequencer block (anchors, relays, witness): EXECUTE checks it like any other.
 */
function l2DevMethods(sequencer: L2RpcNode, state: L2DevState): MethodTable {
  const mine: MethodHandler = async (params) => {
    const blocks = params[0] === undefined ? 1n : parseQuantity(params[0], "blocks");
    if (blocks > MAX_L2_MINE_BLOCKS)
      throw invalidParams(
        `blocks: at most ${MAX_L2_MINE_BLOCKS} per call on the L2 (each is an L1 advance), got ${blocks}`,
      );
    for (let i = 0n; i < blocks; i++) await sequencer.produceBlock({});
    return null;
  };
  const setAutomine: MethodHandler = (params) => {
    if (typeof params[0] !== "boolean") throw invalidParams("enabled: expected true or false");
    state.automine = params[0];
    return true;
  };
  const getAutomine: MethodHandler = () => state.automine;
  return {
    evm_mine: async (params) => {
      const timestamp = parseOptionalQuantity(params[0], "timestamp");
      await sequencer.produceBlock(timestamp === undefined ? {} : { timestamp });
      return "0x0";
    },
    hardhat_mine: mine,
    anvil_mine: mine,
    evm_setAutomine: setAutomine,
    anvil_setAutomine: setAutomine,
    hardhat_getAutomine: getAutomine,
    anvil_getAutomine: getAutomine,
  };
}

/** `methods` with eth_sendTransaction (impersonation) mining its block at once under automine, like eth_sendRawTransaction. */
function automined(sequencer: L2RpcNode, state: L2DevState, methods: MethodTable = {}): MethodTable {
  const send = methods.eth_sendTransaction;
  if (send === undefined) return methods;
  return {
    ...methods,
    eth_sendTransaction: async (params, backend) => {
      const hash = await send(params, backend);
      if (state.automine) await sequencer.produceBlock({});
      return hash;
    },
  };
}

/**
 * The L2 method table: standard eth_/net_/web3_/debug_ methods and txpool_status on the sequencer and
 * the execution witness; with `devMethods` (a devnet) also txpool_content/contentFrom, the mining
 * methods and automine. `extra` (the
 * bridge's rollup_* methods) is merged last and may override.
 */
export function l2Methods(
  sequencer: L2RpcNode,
  extra: MethodTable = {},
  options: { readonly devMethods?: boolean; readonly automine?: boolean; readonly devStateMethods?: MethodTable } = {},
): MethodTable {
  const state: L2DevState = { automine: options.devMethods === true && options.automine === true };
  return {
    ...ethMethods,
    ...netMethods,
    ...web3Methods,
    ...debugMethods,
    // The pool as geth counts it (pending and queued): a transaction the sequencer holds back (for
    // proposal slack, a nonce gap, a fee below the base fee) is seen waiting, not only by its hash.
    // Its contents only on a devnet: a listing of every pooled transaction lets anyone outbid what
    // waits (held transactions wait minutes), where a hash lookup shows only what one already knows.
    txpool_status: txpoolMethods.txpool_status,
    ...(options.devMethods === true ? txpoolMethods : {}),
    // Geth's messages for undecodable input, and blobs refused before a KZG decode is tried.
    eth_sendRawTransaction: async (params) => {
      const hash = await sequencer.submitTransaction(
        decodeRawTransaction(parseData(params[0], "transaction"), sequencer.chain.common),
      );
      // Automine: the transaction's block exists when the call returns (a test's next read sees it).
      if (state.automine) await sequencer.produceBlock({});
      return data(hash);
    },
    debug_executionWitness: (params) => executionWitness(sequencer, params),
    ...(options.devMethods === true
      ? { ...l2DevMethods(sequencer, state), ...automined(sequencer, state, options.devStateMethods) }
      : {}),
    ...extra,
  };
}

export interface L2RpcOptions {
  /** 127.0.0.1 by default. */
  readonly host?: string;
  /** `DEFAULT_L2_RPC_PORT` by default; 0 picks a free port. */
  readonly port?: number;
  /** The command's option that sets `port`, named when the port is taken (RpcServerOptions.portOption). */
  readonly portOption?: string;
  /** Methods added to (or overriding) the L2 table, e.g. the bridge's rollup_*. */
  readonly extraMethods?: MethodTable;
  /** Receives every error answered (at warn level); nothing is logged when absent. */
  readonly logger?: Logger;
  /** GET pages served beside JSON-RPC (the node's dashboard). */
  readonly httpRoutes?: HttpRouteHandler;
  /** Serve the dev methods (`evm_mine`, `hardhat_mine`, `evm_setAutomine`, …): for a devnet only, off by default. */
  readonly devMethods?: boolean;
  /** With `devMethods`: start with automine on (a block per transaction), as tests want. */
  readonly automine?: boolean;
  /** With `devMethods`: the state-patching dev methods (./devStateMethods.ts), one table for every transport. */
  readonly devStateMethods?: MethodTable;
  /** Web origins whose pages may call the JSON-RPC (CORS); none by default. */
  readonly corsOrigins?: readonly string[];
  /** Serve a port another server released instead of binding `port` (RpcServerOptions.listenOn). */
  readonly listenOn?: HeldRpcPort;
  /** Caps on connections, body bytes and idle time (RpcServerLimits); DEFAULT_RPC_LIMITS by default. */
  readonly limits?: RpcServerLimits;
}

/**
 * A node's `rpc` section (docs/design/node-config.md): the JSON-RPC options its user sets, or
 * `false` to serve only in process. In a rollup node `devMethods` also serves the dev state
 * methods (a devnet only: each block costs an L1 `advance`). A follower's section is a part of
 * it (follower/service.ts): it produces no blocks, so it has no dev methods.
 */
export type NodeRpcConfig =
  | Pick<
      L2RpcOptions,
      "host" | "port" | "portOption" | "devMethods" | "automine" | "corsOrigins" | "listenOn" | "limits"
    >
  | false;

/** A dispatcher over the sequencer (in-process use, e.g. an EIP-1193 provider). */
export function createL2Dispatcher(
  sequencer: L2RpcNode,
  options: Pick<L2RpcOptions, "extraMethods" | "logger" | "devMethods" | "automine" | "devStateMethods"> = {},
): RpcDispatcher {
  const logger = options.logger;
  return new RpcDispatcher(sequencer, {
    methods: l2Methods(sequencer, options.extraMethods, {
      devMethods: options.devMethods,
      automine: options.automine,
      devStateMethods: options.devStateMethods,
    }),
    onError:
      logger === undefined
        ? undefined
        : (method: string, error: RpcError) => logger.warn(`rpc ${method}: ${error.message}`),
    // One admission round (pool lock, journal write) per call made a batch of 25 take 25 rounds,
    // overtaken meanwhile by the sender's later nonces (l2-throughput.md, round 29).
    startTogether: sequencer.admitsInCallOrder === true ? ADMITTED_TOGETHER : undefined,
  });
}

/** Serves the sequencer's JSON-RPC over HTTP. */
export function startL2Rpc(sequencer: L2RpcNode, options: L2RpcOptions = {}): Promise<RpcServer> {
  return startRpcServer(createL2Dispatcher(sequencer, options), {
    host: options.host,
    port: options.port ?? DEFAULT_L2_RPC_PORT,
    portOption: options.portOption,
    httpRoutes: options.httpRoutes,
    corsOrigins: options.corsOrigins,
    listenOn: options.listenOn,
    limits: options.limits,
    onRefused: options.logger === undefined ? undefined : (message) => options.logger?.warn(`rpc: ${message}`),
  });
}
