import { Contract } from "ethers";

import { L1AdvanceGasCap } from "../bridge/advanceGasCap";
import { leastL1GasLimitForRequiredMessages, requiredMessagesAdvanceGas } from "../l2/advanceBudget";
import { type MessageCensorship, createAnchorProvider } from "../bridge/anchor";
import {
  type AcceptedBlock,
  BatchSubmitter,
  type SubmissionMode,
  type RetryPolicy,
  type SubmitterRebase,
} from "../bridge/batchSubmitter";
import { type CensorMode, DEFAULT_CENSOR_MODE } from "../bridge/censorMode";
import { Challenger } from "../bridge/challenger";
import { connectOptimisticRollup, connectRollup } from "../bridge/contracts";
import { BridgeError } from "../bridge/errors";
import { L1HealthMonitor } from "../bridge/l1Health";
import { DEFAULT_L1_POLL_MS, L1Watcher, type NodeL1Config } from "../bridge/l1Watcher";
import { L1HeadReader } from "../bridge/l1HeadReader";
import { RawKeyWallet } from "../bridge/rawKeyWallet";
import { type RebaseSource, localHash, rebaseOnto } from "../bridge/rebase";
import type { LoggerFactory } from "../logger";
import { createRollupMethods } from "../bridge/rpcMethods";
import { type StatusContext, rollupStatus } from "../bridge/status";
import type { WriteRulesWatch } from "../bridge/writeRulesAgreement";
import type { AnchorProvider, SequencerApi } from "../l2/types";
import type { MethodTable } from "../rpc/methods/types";
import { logL2Activity } from "./activity";
import type { NodeKeys } from "./keys";

/** The node's `submitter` section: whether and how blocks go to L1. */
export interface NodeSubmitterConfig {
  /** Submit blocks to L1 (default true); off for a node that only follows, or to measure the L2 alone. */
  readonly enabled?: boolean;
  /**
   * How blocks are accepted on L1 (re-execution by default); see SubmissionMode. `optimistic`
   * (the rollup must be an OptimisticRollup) also challenges invalid proposals with `keys.challenger`.
   */
  readonly mode?: SubmissionMode;
  readonly retry?: RetryPolicy;
  /** Gas limit of each `advance` (the Osaka cap by default). */
  readonly advanceGasLimit?: bigint;
  readonly onHalt?: (error: BridgeError) => void;
  readonly onAccepted?: (accepted: AcceptedBlock) => void;
}

export interface BridgeServiceConfig {
  readonly l1: NodeL1Config;
  /**
   * The L1 key of the rollup's SEQUENCER, the L2 relayer's key (funded in the L2 genesis), and an
   * L1 account that watches proposals and challenges invalid ones (optimistic mode only; no
   * challenger without it).
   */
  readonly keys: Pick<NodeKeys, "sequencer" | "relayer" | "challenger">;
  readonly submitter?: NodeSubmitterConfig;
  readonly maxMessagesPerBlock?: number;
  /**
   * TEST/DEV only (`rollup:node --censor`): L1 senders whose messages the anchors hold back until
   * L1 forces them in (MessageCensorship). Absent for every real node.
   */
  readonly censor?: readonly string[];
  /** With `censor`: hold the messages back until L1 forces them (DEFAULT_CENSOR_MODE) or for good. */
  readonly censorMode?: CensorMode;
  /**
   * The node's running check that the L1's EXECUTE applies its write rules: asked again when the
   * watcher sees the L1 change and on its own slow timer; the submitter sends nothing and
   * rollup_status reports it while they differ. None: not checked while running.
   */
  readonly writeRules?: WriteRulesWatch;
  readonly logger: LoggerFactory;
}

/**
 * The censorship L1 still forces: a message is due once L1's clock (its latest block, or the
 * block's own time if later) is more than FORCE_INCLUSION_DELAY past its queueing, the age at which
 * NativeRollup refuses a block that leaves it while its overdue budget holds it (OverdueMessageSkipped,
 * OverdueMessageLeft).
 */
export function l1ForcedCensorship(
  senders: readonly string[],
  l1: NodeL1Config,
  mode: CensorMode = DEFAULT_CENSOR_MODE,
): MessageCensorship {
  const rollup = connectRollup(l1.rollupAddress, l1.provider);
  // NativeRollup's immutable (INativeRollup does not declare it): read once.
  const policy = new Contract(
    l1.rollupAddress,
    ["function FORCE_INCLUSION_DELAY() view returns (uint64)"],
    l1.provider,
  );
  let delayRead: Promise<bigint> | undefined;
  return {
    senders: new Set(senders.map((sender) => sender.toLowerCase())),
    mode,
    forced: async (nonce, timestamp) => {
      delayRead ??= policy.getFunction("FORCE_INCLUSION_DELAY")() as Promise<bigint>;
      const [queuedAt, delay, latest] = await Promise.all([
        rollup.messageQueuedAt(nonce),
        delayRead,
        l1.provider.getBlock("latest"),
      ]);
      const l1Now = BigInt(latest?.timestamp ?? 0);
      const now = l1Now > timestamp ? l1Now : timestamp;
      return now - BigInt(queuedAt) > BigInt(delay);
    },
  };
}

/** The submitter's rebase over `sequencer`, when it can rebase (docs/design/rebase-and-takeover.md). */
function rebaseOf(sequencer: SequencerApi, source: RebaseSource): SubmitterRebase | undefined {
  const rebase = sequencer.rebase?.bind(sequencer);
  if (rebase === undefined) return undefined;
  return {
    localHash: (number) => localHash(sequencer, number),
    onto: (head) => rebaseOnto(source, { chain: sequencer.chain, rebase }, head),
  };
}

/**
 * The bridge side of a rollup node: the L1 watcher, the anchor provider the sequencer asks for
 * each block, the batch submitter and the rollup_* RPC methods. Created before the sequencer
 * (which takes `anchorProvider` when it opens), then `attach`ed to it.
 */
export class BridgeService {
  readonly watcher: L1Watcher;
  /** rollup_status's L1 health: one per node, so that `since` holds across calls. */
  private readonly l1Health: L1HealthMonitor;
  readonly anchorProvider: AnchorProvider;
  /** What one `advance` may use on this L1 and the rollup's policy keys: the sequencer builds within it, the submitter sends within it. */
  readonly advanceGasCap: L1AdvanceGasCap;
  /** The L1 head the watcher, the challenger, the gas cap and the node's safe/finalized heads read, once per interval between them. */
  readonly l1Head: L1HeadReader;
  private sequencer: SequencerApi | undefined;
  private submitterInstance: BatchSubmitter | undefined;
  private challengerInstance: Challenger | undefined;
  private detachActivity: (() => void) | undefined;
  private inner: AnchorProvider | undefined;
  private unwatchL1: (() => void) | undefined;

  constructor(private readonly config: BridgeServiceConfig) {
    this.l1Health = new L1HealthMonitor({
      provider: config.l1.provider,
      rollupAddress: config.l1.rollupAddress,
      writeRules: config.writeRules,
      timeoutMs: config.l1.statusTimeoutMs,
    });
    this.l1Head = new L1HeadReader(config.l1.provider);
    this.watcher = new L1Watcher({
      provider: config.l1.provider,
      head: this.l1Head,
      rollupAddress: config.l1.rollupAddress,
      fromBlock: config.l1.deployBlock,
      pollIntervalMs: config.l1.pollMs ?? DEFAULT_L1_POLL_MS,
      logger: config.logger("l1-watcher"),
    });
    this.advanceGasCap = new L1AdvanceGasCap({
      provider: config.l1.provider,
      head: this.l1Head,
      rollupAddress: config.l1.rollupAddress,
      logger: config.logger("submitter"),
    });
    this.anchorProvider = async (context) => {
      if (this.inner === undefined)
        throw new BridgeError(
          "NOT_ATTACHED",
          "the bridge is not attached to a sequencer yet",
          "call attach(sequencer) before producing blocks",
        );
      return this.inner(context);
    };
  }

  get submitter(): BatchSubmitter | undefined {
    return this.submitterInstance;
  }

  get challenger(): Challenger | undefined {
    return this.challengerInstance;
  }

  /** Reads the L1 message queue and what an `advance` may use once (call before the sequencer produces its first block). */
  async syncL1(): Promise<void> {
    await Promise.all([this.watcher.poll(), this.advanceGasCap.refresh()]);
  }

  /** Binds the bridge to the sequencer that asks its anchors. */
  attach(sequencer: SequencerApi): void {
    this.sequencer = sequencer;
    this.inner = createAnchorProvider({
      messages: this.watcher,
      sequencer,
      relayerKey: this.config.keys.relayer.privateKey,
      maxMessagesPerBlock: this.config.maxMessagesPerBlock,
      refresh: () => this.watcher.refresh(),
      ...(this.config.censor === undefined
        ? {}
        : { censor: l1ForcedCensorship(this.config.censor, this.config.l1, this.config.censorMode) }),
      logger: this.config.logger("anchor"),
    });
    const { l1, keys } = this.config;
    const submitter = this.config.submitter ?? {};
    if (submitter.enabled !== false) {
      this.submitterInstance = new BatchSubmitter({
        sequencer,
        rollupAddress: l1.rollupAddress,
        // Signs its advances from bytes (../bridge/rawKeyWallet.ts): the same transactions, less CPU.
        signer: new RawKeyWallet(keys.sequencer.privateKey, l1.provider),
        logger: this.config.logger("submitter"),
        retry: submitter.retry,
        gasLimit: submitter.advanceGasLimit,
        advanceGasCap: this.advanceGasCap,
        onHalt: submitter.onHalt,
        onAccepted: submitter.onAccepted,
        mode: submitter.mode,
        writeRules: this.config.writeRules,
        rebase: rebaseOf(sequencer, {
          l1Provider: l1.provider,
          rollupAddress: l1.rollupAddress,
          deployBlock: l1.deployBlock,
        }),
      });
    }
    // Only an optimistic rollup has proposals to challenge.
    if (submitter.mode?.kind === "optimistic" && keys.challenger !== undefined) {
      this.challengerInstance = new Challenger({
        l1Provider: l1.provider,
        rollupAddress: l1.rollupAddress,
        fromBlock: l1.deployBlock,
        // Signs its challenges (parent header, block and witness: up to MAX_PROPOSAL_BYTES of
        // calldata) from bytes, as the submitter signs its advances (../bridge/rawKeyWallet.ts).
        signer: new RawKeyWallet(keys.challenger.privateKey, l1.provider),
        l2ChainId: sequencer.chain.chainId,
        l2WriteRules: sequencer.chain.writeRules,
        logger: this.config.logger("challenger"),
        pollIntervalMs: l1.pollMs ?? DEFAULT_L1_POLL_MS,
        // The node's one reading of the L1's block gas limit: challenges are sent within it.
        l1GasCap: this.advanceGasCap,
        head: this.l1Head,
      });
    }
  }

  /**
   * Says at start when this L1's blocks are too small for the block of overdue messages L1 may
   * require (`requiredMessagesAdvanceGas`): anyone may queue such messages, and then no block would
   * be accepted until the L1's block gas limit rises. Optimistic mode has its own cap (the challenge's).
   */
  private warnIfRequiredMessagesOverCap(sequencer: SequencerApi): void {
    if (this.config.submitter?.mode?.kind === "optimistic") return;
    const { cap, policyKeys } = this.advanceGasCap.limits();
    const required = requiredMessagesAdvanceGas(sequencer.chain.common, policyKeys);
    if (cap >= required) return;
    const l1Needed = leastL1GasLimitForRequiredMessages(sequencer.chain.common, policyKeys);
    this.config
      .logger("submitter")
      .warn(
        `this L1's blocks are too small for the messages the rollup may have to consume in one block: blocks are built for advances of at most ${cap} L1 gas, and the block of the overdue L1 → L2 messages L1 may require at once (up to 64 KB of message data) may need ≈ ${required}; anyone may queue such messages, and once they are overdue no block would be accepted, by this node or anyone, until the L1's block gas limit rises. Run on an L1 whose block gas limit is at least ${l1Needed}, or deploy the rollup with a lower MESSAGE_DATA_SIZE_LIMIT (docs/design/advance-gas-cap.md §3)`,
      );
  }

  /** Starts polling L1, logging L2 activity, submitting blocks and (optimistic mode) watching proposals. */
  async start(): Promise<void> {
    const sequencer = this.requireSequencer();
    this.detachActivity = logL2Activity(sequencer, this.config.logger("l2"));
    const { writeRules } = this.config;
    if (writeRules !== undefined) {
      // An L1 restarted (or replaced) under the node may run other rules: asked on that sign,
      // which costs no read of its own, and on a slow timer for a change nothing shows.
      this.unwatchL1 = this.watcher.onL1Change((why) => void writeRules.check(why));
      writeRules.start();
    }
    await this.watcher.start();
    // A first status read, so that rollup_status has a last read to report should L1 fail later.
    await rollupStatus(this.statusContext()).catch(() => undefined);
    this.warnIfRequiredMessagesOverCap(sequencer);
    this.advanceGasCap.start(this.config.l1.pollMs ?? DEFAULT_L1_POLL_MS);
    this.submitterInstance?.start();
    this.challengerInstance?.start();
  }

  async stop(): Promise<void> {
    this.watcher.stop();
    this.unwatchL1?.();
    this.config.writeRules?.stop();
    this.advanceGasCap.stop();
    this.detachActivity?.();
    await this.submitterInstance?.stop();
    await this.challengerInstance?.stop();
  }

  /** What the status queries read. */
  statusContext(): StatusContext {
    const bridge = this;
    return {
      get challenger() {
        return bridge.challengerInstance;
      },
      sequencer: this.requireSequencer(),
      rollup: connectRollup(this.config.l1.rollupAddress, this.config.l1.provider),
      ...(this.config.submitter?.mode?.kind === "optimistic"
        ? { optimistic: connectOptimisticRollup(this.config.l1.rollupAddress, this.config.l1.provider) }
        : {}),
      rollupAddress: this.config.l1.rollupAddress,
      l1Provider: this.config.l1.provider,
      watcher: this.watcher,
      submitter: this.submitterInstance,
      l1Health: this.l1Health,
    };
  }

  /** rollup_status, rollup_getMessageStatus, rollup_getWithdrawalProof. */
  rpcMethods(): MethodTable {
    return createRollupMethods(this.statusContext());
  }

  private requireSequencer(): SequencerApi {
    if (this.sequencer === undefined)
      throw new BridgeError(
        "NOT_ATTACHED",
        "the bridge is not attached to a sequencer",
        "call attach(sequencer) first",
      );
    return this.sequencer;
  }
}
