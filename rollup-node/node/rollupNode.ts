import { WriteRulesWatch } from "../bridge/writeRulesAgreement";
import type { CensorMode } from "../bridge/censorMode";
import { reportCryptoFallbacks } from "../../precompiles";
import type { Logger, LoggerFactory } from "../logger";
import type { GenesisConfig } from "../chain/genesis";
import type { DashboardLimits } from "../dashboard/collect";
import { type Dashboard, createDashboard } from "../dashboard/service";
import { DetachedFromL1Error, L1Detachment, refuseBridgingWhenDetached } from "../l2/detachment";
import { L2_DEVNET_CLIENT_VERSION, devStateMethods } from "../l2/devStateMethods";
import { connectOptimisticRollup } from "../bridge/contracts";
import type { ProposalGasBucket } from "../l2/proposalSlack";
import { type NodeRpcConfig, createL2Dispatcher, startL2Rpc } from "../l2/rpc";
import { Sequencer } from "../l2/sequencer";
import type { NodeStorageConfig } from "../l2/store";
import { InProcessProvider } from "../rpc/eip1193";
import type { RpcServer } from "../rpc/server";
import type { CaptureThread } from "../chain/captureProtocol";
import { DEFAULT_L1_POLL_MS, type NodeL1Config } from "../bridge/l1Watcher";
import { BridgeService, type NodeSubmitterConfig } from "./bridgeService";
import type { NodeKeys } from "./keys";
import { DEFAULT_L1_FINALITY_DEPTH, L1Heads } from "./l1Heads";

/** The node's `sequencer` section: what it builds and when. */
export interface NodeSequencerConfig {
  /** The L2 genesis (the rollup contract on L1 was deployed for its hash). */
  readonly genesis: GenesisConfig;
  readonly blockTimeMs?: number;
  readonly allowEmptyBlocks?: boolean;
  readonly maxWitnessBytes?: number;
  /** The L2 chain's trie node cache bound in bytes (the chain's DEFAULT_NODE_CACHE_BYTES when absent). */
  readonly nodeCacheBytes?: number;
  /** Where the L2 chain captures its blocks' witnesses (the chain's DEFAULT_CAPTURE_THREAD when absent). */
  readonly captureThread?: CaptureThread;
  /**
   * Optimistic mode: the share of the rollup's proposal gas bucket (R and C) that gas reserved by
   * transactions and not used may take (docs/design/proposal-gas-slack.md); the sequencer's
   * DEFAULT_PROPOSAL_SLACK_SHARE when absent.
   */
  readonly proposalSlackShare?: number;
  /** Produce blocks on the timer right away (default true); tests may produce them by hand. */
  readonly produce?: boolean;
  readonly now?: () => bigint;
  /**
   * TEST/DEV only (`rollup:node --censor`): L1/L2 addresses whose L2 transactions the sequencer
   * refuses and whose L1 messages it holds back until L1 forces them in, to show forced inclusion
   * working (docs/design/messages-and-forced-inclusion.md). Absent for every real node.
   */
  readonly censor?: readonly string[];
  /**
   * TEST/DEV only (`rollup:node --censor-mode`), with `censor`: hold their L1 messages back until
   * L1 forces them in (`delay`, DEFAULT_CENSOR_MODE) or for good (`never`: L1 then refuses this
   * sequencer's blocks and the chain lives on through another node's take-over).
   */
  readonly censorMode?: CensorMode;
}

/**
 * A rollup node's configuration, one section per component (docs/design/node-config.md); each
 * default is applied by the component that owns it, an absent option is passed through as absent.
 */
export interface RollupNodeConfig {
  readonly storage: NodeStorageConfig;
  readonly l1: NodeL1Config;
  readonly sequencer: NodeSequencerConfig;
  /** Submission to L1: on by default, re-execution by default; see NodeSubmitterConfig. */
  readonly submitter?: NodeSubmitterConfig;
  readonly rpc?: NodeRpcConfig;
  /** The live dashboard on the HTTP port (GET /, /api/dashboard, /events); on by default, `false` turns it off. */
  readonly dashboard?: DashboardLimits | false;
  readonly keys: Pick<NodeKeys, "sequencer" | "relayer" | "challenger">;
  readonly logger: LoggerFactory;
}

export interface RollupNode {
  readonly sequencer: Sequencer;
  readonly bridge: BridgeService;
  /** `http://host:port` of the L2 JSON-RPC, undefined without HTTP. */
  readonly url: string | undefined;
  /** EIP-1193 provider over the same L2 methods, without HTTP. */
  readonly provider: InProcessProvider;
  /** The dashboard served at `url` (undefined without HTTP or when turned off). */
  readonly dashboard: Dashboard | undefined;
  /** Stops production, the bridge loops and the RPC server, then closes the database. */
  stop(): Promise<void>;
}

/** The rollup's PROPOSAL_GAS_PER_SECOND and PROPOSAL_GAS_BURST; undefined (with a warning) for a contract without them. */
async function readProposalGasBucket(l1: NodeL1Config, logger: Logger): Promise<ProposalGasBucket | undefined> {
  const rollup = connectOptimisticRollup(l1.rollupAddress, l1.provider);
  try {
    return { gasPerSecond: await rollup.PROPOSAL_GAS_PER_SECOND(), burst: await rollup.PROPOSAL_GAS_BURST() };
  } catch (error) {
    logger.warn(
      `could not read the rollup's proposal gas bucket (${(error as Error).message}): blocks are built without a slack budget`,
    );
    return undefined;
  }
}

/**
 * Starts an L2 node for a deployed rollup: reads the L1 message queue, opens the sequencer on
 * `dataDir` (resuming its chain) with the bridge as its anchor provider, serves L2 JSON-RPC
 * with the rollup_* methods, and starts block production and batch submission.
 */
export async function startRollupNode(config: RollupNodeConfig): Promise<RollupNode> {
  let dashboard: Dashboard | undefined;
  const cryptoLog = config.logger("crypto");
  reportCryptoFallbacks((message) => cryptoLog.warn(message));
  const { storage, sequencer: build } = config;
  const submitter = config.submitter ?? {};
  const mode = submitter.mode;
  const l1PollMs = config.l1.pollMs ?? DEFAULT_L1_POLL_MS;
  // Before anything runs: blocks recorded under other write rules than the L1's EXECUTE applies
  // would be WitnessIncomplete there (WriteRulesMismatchError; docs/design/write-rule-agreement.md).
  // The same check stays on while the node runs (the bridge asks again when L1 changes).
  const writeRules = new WriteRulesWatch({
    provider: config.l1.provider,
    chainId: build.genesis.chainId,
    nodeRules: build.genesis.writeRules,
    recheckMs: config.l1.writeRulesRecheckMs,
    logger: config.logger("write-rules"),
  });
  await writeRules.checkAtStart();
  const bridge = new BridgeService({
    l1: { ...config.l1, pollMs: l1PollMs },
    writeRules,
    keys: config.keys,
    logger: config.logger,
    ...(build.censor === undefined ? {} : { censor: build.censor }),
    ...(build.censorMode === undefined ? {} : { censorMode: build.censorMode }),
    submitter: {
      ...submitter,
      onAccepted: (accepted) => {
        dashboard?.feed.notify("accepted");
        submitter.onAccepted?.(accepted);
      },
    },
  });
  await bridge.syncL1();
  // Optimistic mode: the bucket every proposal is charged to; the sequencer keeps its blocks'
  // unused gas limits within a share of it (docs/design/proposal-gas-slack.md).
  const proposalGasBucket =
    mode?.kind === "optimistic" ? await readProposalGasBucket(config.l1, config.logger("sequencer")) : undefined;
  // A devnet may be detached from L1 by its dev methods (docs/design/l2-dev-state.md): then it
  // anchors no L1 message and submits nothing, also after a restart.
  const devMethods = config.rpc !== false && config.rpc?.devMethods === true;
  const detachment = devMethods ? new L1Detachment(storage.dataDir, { reset: storage.reset }) : undefined;
  const sequencer = await Sequencer.open({
    dataDir: storage.dataDir,
    reset: storage.reset,
    genesis: build.genesis,
    nodeCacheBytes: build.nodeCacheBytes,
    captureThread: build.captureThread,
    blockTimeMs: build.blockTimeMs,
    allowEmptyBlocks: build.allowEmptyBlocks,
    coinbase: undefined,
    anchorProvider: async (context) =>
      detachment?.state === undefined
        ? bridge.anchorProvider(context)
        : {
            root: new Uint8Array(32),
            consumedMessages: 0,
            firstMessageNonce: context.nextMessageNonce,
            transactions: [],
          },
    maxWitnessBytes: build.maxWitnessBytes,
    ...(build.censor === undefined
      ? {}
      : { censoredSenders: new Set(build.censor.map((sender) => sender.toLowerCase())) }),
    // Blocks whose advance the L1's blocks can hold, with the rollup's policy keys counted.
    advanceLimits: () => bridge.advanceGasCap.limits(),
    // A proposal the contract would refuse stops the proposer: build only blocks it accepts, with
    // challenges the L1's blocks can hold (the same reading of the L1's gas limit as advances).
    proposable: mode?.kind === "optimistic",
    proposalCap: () => bridge.advanceGasCap.proposalCaps().build,
    // A block of only the L1 messages' relays must be built: within what the submitter sends.
    proposalRelayCap: () => bridge.advanceGasCap.proposalCaps().send,
    proposalGasBucket,
    proposalSlackShare: build.proposalSlackShare,
    logger: config.logger("sequencer"),
    now: build.now,
    ...(devMethods ? { clientVersion: L2_DEVNET_CLIENT_VERSION } : {}),
  });
  let rpc: RpcServer | undefined;
  // "safe" and "finalized" name blocks L1 accepted, not the sequencer's own head.
  const l1Heads = new L1Heads({
    l1Provider: config.l1.provider,
    rollupAddress: config.l1.rollupAddress,
    pollMs: l1PollMs,
    finalityDepth: config.l1.finalityDepth ?? DEFAULT_L1_FINALITY_DEPTH,
    head: bridge.l1Head,
    logger: config.logger("l1-heads"),
  });
  try {
    sequencer.chain.setHeadLabels(l1Heads.labels);
    // The L1 head syncL1 just read is recent enough.
    await l1Heads.refresh(l1PollMs);
    l1Heads.start();
    bridge.attach(sequencer);
    detachment?.onDetach((detached) => bridge.submitter?.standDown(new DetachedFromL1Error(detached)));
    const methods =
      detachment === undefined ? bridge.rpcMethods() : refuseBridgingWhenDetached(bridge.rpcMethods(), detachment);
    const stateMethods =
      detachment === undefined
        ? undefined
        : devStateMethods({
            node: sequencer,
            detachment,
            l1Time: async () => {
              const latest = BigInt((await config.l1.provider.getBlock("latest"))?.timestamp ?? 0);
              const now = (build.now ?? (() => BigInt(Math.floor(Date.now() / 1000))))();
              return latest > now ? latest : now;
            },
          });
    const rpcLogger = config.logger("l2-rpc");
    if (config.rpc !== false && config.dashboard !== false) {
      dashboard = createDashboard({
        source: { status: bridge.statusContext(), deployBlock: config.l1.deployBlock },
        sequencer,
        watcher: bridge.watcher,
        logger: config.logger("dashboard"),
        limits: config.dashboard,
      });
    }
    if (config.rpc !== false) {
      rpc = await startL2Rpc(sequencer, {
        extraMethods: methods,
        logger: rpcLogger,
        host: config.rpc?.host,
        port: config.rpc?.port,
        portOption: config.rpc?.portOption,
        httpRoutes: dashboard?.routes,
        devMethods: config.rpc?.devMethods,
        automine: config.rpc?.automine,
        devStateMethods: stateMethods,
        corsOrigins: config.rpc?.corsOrigins,
        listenOn: config.rpc?.listenOn,
        limits: config.rpc?.limits,
      });
    }
    // Hold L1's head before building on it: after a crash mid-rebase, or for a node that was
    // away (an old sequencer coming back, a take-over on a follower's directory).
    // A detached chain is not L1's: it is never rebased back onto it.
    if (detachment?.state === undefined)
      await bridge.submitter
        ?.catchUp()
        .catch((error: Error) =>
          config.logger("submitter").warn(`catching up with L1's head failed, the submitter retries: ${error.message}`),
        );
    await bridge.start();
    dashboard?.feed.start();
    if (build.produce !== false) sequencer.start();
    const provider = new InProcessProvider(
      createL2Dispatcher(sequencer, {
        extraMethods: methods,
        devMethods: config.rpc === false ? undefined : config.rpc?.devMethods,
        automine: config.rpc === false ? undefined : config.rpc?.automine,
        devStateMethods: stateMethods,
      }),
    );
    let stopped = false;
    return {
      sequencer,
      bridge,
      url: rpc?.url,
      provider,
      dashboard,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        dashboard?.feed.stop();
        l1Heads.stop();
        sequencer.stop();
        await bridge.stop();
        await rpc?.close();
        await sequencer.close();
      },
    };
  } catch (error) {
    dashboard?.feed.stop();
    l1Heads.stop();
    await bridge.stop().catch(() => undefined);
    // A port it was handed goes back on hold, for its owner to hand on or close.
    await (config.rpc !== false && config.rpc?.listenOn !== undefined ? rpc?.release() : rpc?.close())?.catch(
      () => undefined,
    );
    await sequencer.close();
    throw error;
  }
}
