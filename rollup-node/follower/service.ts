import { isError } from "ethers";

import { connectOptimisticRollup, connectRollup } from "../bridge/contracts";
import type { L1WatcherStatus, NodeL1Config } from "../bridge/l1Watcher";
import { createRollupMethods } from "../bridge/rpcMethods";
import { L1HealthMonitor } from "../bridge/l1Health";
import { type StatusContext, rollupStatus } from "../bridge/status";
import { WriteRulesWatch } from "../bridge/writeRulesAgreement";
import type { GenesisConfig } from "../chain/genesis";
import type { DashboardLimits } from "../dashboard/collect";
import { type Dashboard, createDashboard } from "../dashboard/service";
import { type NodeRpcConfig, createL2Dispatcher, startL2Rpc } from "../l2/rpc";
import type { NodeStorageConfig } from "../l2/store";
import type { ProducedBlock } from "../l2/types";
import type { LoggerFactory } from "../logger";
import { InProcessProvider } from "../rpc/eip1193";
import type { Json } from "../rpc/format";
import type { MethodTable } from "../rpc/methods";
import type { HeldRpcPort, RpcServer } from "../rpc/server";
import type { Challenger } from "../bridge/challenger";
import { type FollowerChallengerConfig, openFollowerChallenger } from "./challenger";
import type { FollowerError } from "./errors";
import { Follower, type FollowerStatus } from "./follower";

/** The follower node's `follower` section: what it derives, and what it does with what it cannot serve. */
export interface NodeFollowerConfig {
  /** The rollup's L2 genesis (an input: the follower does not derive it). */
  readonly genesis: GenesisConfig;
  /**
   * Forward eth_sendRawTransaction and txpool_* to this sequencer URL instead of refusing them; a
   * list is the sequencer then the nodes that may take over from it, tried in order.
   */
  readonly sequencerRpc?: string | readonly string[];
  /** How long a forwarded request may wait for the sequencer (DEFAULT_FORWARD_TIMEOUT_MS, follower.ts, when absent). */
  readonly forwardTimeoutMs?: number;
  /** Called once when derivation stops on a mismatch (the node keeps serving what it has). */
  readonly onHalt?: (error: FollowerError) => void;
}

/** A follower's `rpc` section: the sequencer's without the dev methods (a follower produces no blocks). */
export type FollowerRpcConfig =
  | Pick<Exclude<NodeRpcConfig, false>, "host" | "port" | "portOption" | "corsOrigins" | "listenOn" | "limits">
  | false;

/**
 * A follower node's configuration, in the sections of a rollup node's (docs/design/node-config.md):
 * the same `storage`, `l1` and `dashboard` types, a part of its `rpc`, and a `follower` section
 * where the rollup node has its sequencer and submitter.
 */
export interface FollowerNodeConfig {
  readonly storage: NodeStorageConfig;
  /** Where the rollup is; `pollMs` is how often it reads L1 when caught up, `finalityDepth` names `finalized`. */
  readonly l1: NodeL1Config;
  readonly follower: NodeFollowerConfig;
  /** HTTP JSON-RPC; `false` serves only in process (`provider`). */
  readonly rpc?: FollowerRpcConfig;
  /** The dashboard on the HTTP port; on by default, `false` turns it off. */
  readonly dashboard?: DashboardLimits | false;
  /**
   * Also challenge the optimistic rollup's invalid proposals with this key (`--challenge`,
   * ./challenger.ts); absent, the follower only derives. Refused on a rollup that is not optimistic.
   */
  readonly challenger?: FollowerChallengerConfig;
  readonly logger: LoggerFactory;
}

export interface FollowerNode {
  readonly follower: Follower;
  /** The follower's challenger (`challenger` given), running. */
  readonly challenger: Challenger | undefined;
  readonly url: string | undefined;
  readonly provider: InProcessProvider;
  readonly dashboard: Dashboard | undefined;
  stop(): Promise<void>;
  /**
   * Stops as `stop` does but keeps its RPC port listening, its requests held for the next server
   * started with `rpc.listenOn` (a take-over's sequencer); undefined for a node without HTTP.
   */
  release(): Promise<HeldRpcPort | undefined>;
}

const quantity = (value: bigint | number): string => `0x${value.toString(16)}`;

/** eth_syncing as geth answers it: false when caught up, otherwise the three block numbers. */
export function syncingJson(follower: Pick<Follower, "syncing" | "status">): Json {
  if (!follower.syncing) return false;
  const s: FollowerStatus = follower.status();
  return {
    startingBlock: quantity(s.startingBlock),
    currentBlock: quantity(s.head),
    highestBlock: quantity(s.highestKnown > s.head ? s.highestKnown : s.head),
  };
}

/** What rollup_followerStatus reports of a follower's challenger. */
export type FollowerChallengerView = Pick<Challenger, "address" | "pending" | "challenges" | "alerts">;

/** rollup_followerStatus: the follower's heads, its L1 cursor, why it waits or stopped, and its challenger's work. */
export function followerStatusJson(
  follower: Pick<Follower, "syncing" | "status">,
  challenger?: FollowerChallengerView,
): Json {
  const s = follower.status();
  return {
    role: "follower",
    syncing: follower.syncing,
    head: quantity(s.head),
    safe: quantity(s.safe),
    finalized: quantity(s.finalized),
    highestKnown: quantity(s.highestKnown),
    l1Head: s.l1Head,
    l1Cursor: { number: s.l1Cursor.number, hash: s.l1Cursor.hash },
    ...(s.blocked === undefined
      ? {}
      : { blocked: { number: s.blocked.number, blockHash: s.blocked.blockHash, reason: s.blocked.reason } }),
    ...(s.haltReason === undefined ? {} : { halted: s.haltReason }),
    ...(challenger === undefined
      ? {}
      : {
          challenger: {
            address: challenger.address ?? null,
            pending: challenger.pending,
            won: challenger.challenges.map((c) => ({
              number: quantity(c.number),
              blockHash: c.blockHash,
              code: c.code,
              reward: quantity(c.reward),
              l1TransactionHash: c.l1TransactionHash,
            })),
            alerts: challenger.alerts.length,
          },
        }),
  };
}

/** The follower's extra methods: rollup_* (read from L1 and the derived chain), eth_syncing, rollup_followerStatus. */
export function followerMethods(
  follower: Follower,
  status: StatusContext,
  challenger?: FollowerChallengerView,
): MethodTable {
  return {
    ...createRollupMethods(status),
    eth_syncing: async () => syncingJson(follower),
    // No pool here: the sequencer's (forwarded), or a refusal that names it — never an empty pool.
    txpool_status: (params) => follower.sequencerPool("txpool_status", params),
    txpool_content: (params) => follower.sequencerPool("txpool_content", params),
    txpool_contentFrom: (params) => follower.sequencerPool("txpool_contentFrom", params),
    rollup_followerStatus: async () => followerStatusJson(follower, challenger),
  };
}

/**
 * Starts a follower node: opens (or resumes) the derived chain, serves the read JSON-RPC and the
 * dashboard, and derives from L1 in the background.
 */
export async function startFollowerNode(config: FollowerNodeConfig): Promise<FollowerNode> {
  const { storage, l1 } = config;
  // The write rules decide which witness EXECUTE needs, not what a block does: the follower
  // executes each block on its full state and checks L1's hash, so its chain is the same under any
  // rules. They matter to what it could become: a take-over sequencer records witnesses under its
  // genesis's rules, which the L1 refuses if they differ (a take-over's start refuses to run). So a
  // mismatch is a warning here (log, rollup_status `l1`), not a refusal.
  const writeRules = new WriteRulesWatch({
    provider: l1.provider,
    chainId: config.follower.genesis.chainId,
    nodeRules: config.follower.genesis.writeRules,
    recheckMs: l1.writeRulesRecheckMs,
    logger: config.logger("write-rules"),
  });
  const follower = await Follower.open({
    dataDir: storage.dataDir,
    reset: storage.reset,
    genesis: config.follower.genesis,
    l1Provider: l1.provider,
    rollupAddress: l1.rollupAddress,
    deployBlock: l1.deployBlock,
    pollMs: l1.pollMs,
    finalityDepth: l1.finalityDepth,
    sequencerRpc: config.follower.sequencerRpc,
    forwardTimeoutMs: config.follower.forwardTimeoutMs,
    logger: config.logger("follower"),
    onHalt: config.follower.onHalt,
    onL1Recovered: () => void writeRules.check("the L1 answering again after failing"),
  });
  let rpc: RpcServer | undefined;
  let dashboard: Dashboard | undefined;
  let challenger: Challenger | undefined;
  try {
    const found = await writeRules.check("the follower's start");
    if (found !== undefined)
      config
        .logger("follower")
        .warn(
          "this follower derives the chain as L1 accepted it, but it could not take over as sequencer on this L1 until the write rules agree",
        );
    writeRules.start();
    // The follower is told no mode: an optimistic rollup is one whose tip() answers (as the SDK
    // reads it), so that its rollup_status names the proposed head as the sequencer's does. Only
    // a revert (or an answer that is no tip) says "not optimistic"; an unreachable L1 is an error.
    const optimistic = connectOptimisticRollup(l1.rollupAddress, l1.provider);
    const isOptimistic = await optimistic.tip().then(
      () => true,
      (error: unknown) => {
        if (isError(error, "CALL_EXCEPTION") || isError(error, "BAD_DATA")) return false;
        throw error;
      },
    );
    if (config.challenger !== undefined)
      challenger = await openFollowerChallenger(config.challenger, {
        provider: l1.provider,
        rollupAddress: l1.rollupAddress,
        deployBlock: l1.deployBlock,
        optimistic: isOptimistic,
        l2ChainId: config.follower.genesis.chainId,
        l2WriteRules: follower.chain.writeRules,
        pollMs: l1.pollMs,
        logger: config.logger("challenger"),
      });
    const status: StatusContext = {
      // Its alerts (a proposal near its window's end not settled) in rollup_status, as the sequencer's node reports its own.
      ...(challenger === undefined ? {} : { challenger }),
      sequencer: follower,
      rollup: connectRollup(l1.rollupAddress, l1.provider),
      ...(isOptimistic ? { optimistic } : {}),
      rollupAddress: l1.rollupAddress,
      l1Provider: l1.provider,
      l1Health: new L1HealthMonitor({
        provider: l1.provider,
        rollupAddress: l1.rollupAddress,
        timeoutMs: l1.statusTimeoutMs,
        writeRules,
      }),
    };
    // A first status read, so that rollup_status has a last read to report should L1 fail later.
    await rollupStatus(status).catch(() => undefined);
    const methods = followerMethods(follower, status, challenger);
    if (config.rpc !== false && config.dashboard !== false) {
      const watcherStatus = (): L1WatcherStatus => ({
        l1Head: follower.l1HeadNumber,
        messageCount: 0n,
        nextMessageIndex: 0n,
        pending: 0,
      });
      dashboard = createDashboard({
        source: { status, deployBlock: l1.deployBlock },
        // The dashboard only needs to know that a block arrived; it reads the block itself.
        sequencer: {
          onBlock: (listener: (block: ProducedBlock) => void) =>
            follower.onBlock((n) => void follower.producedBlock(n).then((b) => b !== undefined && listener(b))),
        },
        watcher: {
          onMessage: () => () => undefined,
          get status() {
            return watcherStatus();
          },
        },
        logger: config.logger("dashboard"),
        limits: config.dashboard,
      });
    }
    if (config.rpc !== false) {
      rpc = await startL2Rpc(follower, {
        extraMethods: methods,
        logger: config.logger("l2-rpc"),
        host: config.rpc?.host,
        port: config.rpc?.port,
        portOption: config.rpc?.portOption,
        httpRoutes: dashboard?.routes,
        corsOrigins: config.rpc?.corsOrigins,
        listenOn: config.rpc?.listenOn,
        limits: config.rpc?.limits,
      });
    }
    dashboard?.feed.start();
    follower.start();
    challenger?.start();
    let stopped = false;
    const stopWith = async <T>(closeRpc: () => Promise<T>): Promise<T> => {
      stopped = true;
      dashboard?.feed.stop();
      writeRules.stop();
      follower.stop();
      await challenger?.stop();
      const closed = await closeRpc();
      await follower.close();
      return closed;
    };
    return {
      follower,
      challenger,
      url: rpc?.url,
      provider: new InProcessProvider(createL2Dispatcher(follower, { extraMethods: methods })),
      dashboard,
      stop: async () => {
        if (!stopped) await stopWith(async () => rpc?.close());
      },
      release: async () => (stopped ? undefined : stopWith(async () => rpc?.release())),
    };
  } catch (error) {
    dashboard?.feed.stop();
    writeRules.stop();
    await challenger?.stop();
    // A port it was handed goes back on hold, for its owner to hand on or close.
    await (config.rpc !== false && config.rpc?.listenOn !== undefined ? rpc?.release() : rpc?.close())?.catch(
      () => undefined,
    );
    await follower.close();
    throw error;
  }
}
