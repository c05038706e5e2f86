import type { Block } from "@ethereumjs/block";
import type { TypedTransaction } from "@ethereumjs/tx";
import { bytesToHex, equalsBytes } from "@ethereumjs/util";

import { type Witness, decodeWitness } from "../../precompiles";
import { DEFAULT_RECENT_BLOCKS } from "../chain/blockStore";
import type { CaptureThread } from "../chain/captureProtocol";
import { Chain } from "../chain/chain";
import { TransactionRejectedError } from "../chain/errors";
import type { GenesisConfig } from "../chain/genesis";
import { AsyncMutex } from "../chain/mutex";
import type { MinedBlock } from "../chain/types";
import type { RpcBackend, TransactionRequest } from "../rpc/backend";
import { L2Error, SequencerClosedError } from "./errors";
import { type AdvanceLimits, advanceBudgetExcess } from "./advanceBudget";
import { MIN_L2_GAS_LIMIT, nextL2GasLimit } from "../bridge/anchor";
import { proposalExcess } from "../bridge/challengeBound";
import { MAX_WALKED_TXS } from "../bridge/proposalCheckGas";
import { type Logger, plural, stderrLogger } from "../logger";
import { Mempool } from "./mempool";
import { type ProposalGasBucket, ProposalSlackBudget, blockSlack, hasExecutableAmong } from "./proposalSlack";
import type { AnchorMeta, StoredBlock } from "./recordCodec";
import { L2Store, historyOf } from "./store";
import { executeBody } from "../follower/derive";
import { DerivationMismatchError } from "../follower/errors";
import type {
  AnchorProvider,
  BlockAnchor,
  ForeignBlock,
  HeldTransactions,
  ProducedBlock,
  RebaseReport,
  SequencerApi,
} from "./types";

export interface SequencerConfig {
  /** Directory holding the chain (created if absent). */
  readonly dataDir: string;
  /** Wipe the data directory's chain first. */
  readonly reset?: boolean;
  readonly genesis: GenesisConfig;
  /** The chain's trie node cache bound in bytes (Chain's default when absent). */
  readonly nodeCacheBytes?: number;
  /** Where the chain captures its blocks' witnesses (Chain's DEFAULT_CAPTURE_THREAD when absent). */
  readonly captureThread?: CaptureThread;
  /** Build and capture with EthereumJS's runBlock (Chain's `ethereumJsRunBlock`): benches' baseline only. */
  readonly ethereumJsRunBlock?: boolean;
  /** Interval of `start()`'s block production; 1000 ms by default. */
  readonly blockTimeMs?: number;
  /** When false, `start()`'s timer skips blocks with neither transactions nor messages. Default true. */
  readonly allowEmptyBlocks?: boolean;
  /** Fee recipient of produced blocks; the zero address by default. */
  readonly coinbase?: Uint8Array;
  /** The bridge's L1 messages for each block; by default none (zero root). */
  readonly anchorProvider?: AnchorProvider;
  /**
   * TEST/DEV only (`rollup:node --censor`): lower-case sender addresses whose L2 transactions are
   * refused, so that forced inclusion through L1 can be seen working. Absent for every real node.
   */
  readonly censoredSenders?: ReadonlySet<string>;
  /**
   * A tighter cap on the encoded witness per block, besides the budget every block obeys: what
   * one L1 `advance` carries (./advanceBudget.ts). None by default.
   */
  readonly maxWitnessBytes?: number;
  /**
   * What one `advance` may need on the L1 and the rollup's policy keys, as last read from L1
   * (../bridge/advanceGasCap.ts): asked at every block. 2^24 and no keys when absent.
   */
  readonly advanceLimits?: () => AdvanceLimits;
  /**
   * Optimistic mode: every block must also be proposable, i.e. pass OptimisticRollup.propose's
   * rules (../bridge/challengeBound.ts: at most MAX_PROPOSAL_BYTES committed, and a challenge
   * priced at the header's gas limit within one L1 transaction). Off by default: re-execution
   * mode needs only what one `advance` carries.
   */
  readonly proposable?: boolean;
  /**
   * With `proposable`: the most L1 gas a block's challenge may need on this L1, as last read from
   * L1 (../bridge/advanceGasCap.ts `proposalBuildCap`: the rollup's `challengeGasCap()` with a margin
   * for the L1's limit to fall before the proposal is included): asked at every block. 2^24 when
   * absent. See docs/design/challenge-gas-cap.md.
   */
  readonly proposalCap?: () => bigint;
  /**
   * With `proposable`: the cap for a block that holds only the L1 messages' relays (or their
   * deferrals), which must be built whatever they weigh: anyone queues a message of up to 64 KB
   * and, once overdue, no block may skip it. The submitter's send cap (`proposalSendCap`): what
   * the contract accepts in the next L1 block. Giving such a block only `proposalCap` (a further
   * 32nd off) stopped the L2 for good on L1s where one message fits the contract but not that margin
   * (docs/design/challenge-gas-cap.md). `proposalCap` when absent.
   */
  readonly proposalRelayCap?: () => bigint;
  /**
   * With `proposable`: the rollup's proposal gas bucket (R, C). Blocks then keep their slack (gas
   * reserved by transaction gas limits and not used) within a share of it (./proposalSlack.ts,
   * docs/design/proposal-gas-slack.md), so strangers cannot fill the bucket for free.
   */
  readonly proposalGasBucket?: ProposalGasBucket;
  /** Share of R and C block slack may take; DEFAULT_PROPOSAL_SLACK_SHARE when absent. */
  readonly proposalSlackShare?: number;
  readonly logger?: Logger;
  readonly clientVersion?: string;
  /** Wall clock in seconds; injectable for tests. */
  readonly now?: () => bigint;
}

import { DEFAULT_BLOCK_TIME_MS } from "./defaults";

export { DEFAULT_BLOCK_TIME_MS };
export const L2_CLIENT_VERSION = "native-rollup-l2/0.1.0";

const ZERO_ROOT = new Uint8Array(32);
/** How often a block production that has not ended logs the phase it waits in. */
const PRODUCTION_WATCHDOG_MS = 5_000;
const ZERO_ADDRESS = new Uint8Array(20);
/** The stored witness of a block built without one (on dev-patched state). */
const NO_WITNESS = new Uint8Array();
const EMPTY_WITNESS: Witness = { state: [], codes: [], headers: [] };
/** Genesis consumes no message. */
const GENESIS_ANCHOR: AnchorMeta = { consumedMessages: 0, firstMessageNonce: 0n };

/** No messages: the anchor of a block that consumes nothing. */
function emptyAnchor(nextMessageNonce: bigint): BlockAnchor {
  return { root: ZERO_ROOT, consumedMessages: 0, firstMessageNonce: nextMessageNonce, transactions: [] };
}

const noMessages: AnchorProvider = async ({ nextMessageNonce }) => emptyAnchor(nextMessageNonce);

/** Thrown from the chain's pre-store hook to discard a block whose anchor transactions did not all make it in. */
class AnchorNotIncludedError extends L2Error {
  constructor(readonly reasons: string) {
    super(
      "L2_ANCHOR_NOT_INCLUDED",
      `anchor transactions were left out of the block: ${reasons}`,
      "the bridge re-provides the same messages for the next block",
    );
  }
}

/** Thrown from the pre-store hook when the block's relays alone pass the block budget (what one `advance`, or a challenge, carries). */
class RelaysOverWitnessBudgetError extends L2Error {
  constructor(readonly reasons: string) {
    super(
      "L2_RELAYS_OVER_WITNESS_BUDGET",
      `the relays alone exceed the block budget: ${reasons}`,
      "a relay is deferred and the block rebuilt",
    );
  }
}

/** The block's relays could not all be included: the block is not built (L1 would reject it, or it would skip due messages). */
export class RelayNotIncludedError extends L2Error {
  constructor(number: bigint, reasons: string) {
    super(
      "L2_RELAY_NOT_INCLUDED",
      `block ${number} not built: its relay transactions could not be included (${reasons})`,
      "check that the relayer account can pay for its relays (L2Bridge pays it back at the base fee), or restart the node with another relayer key; the chain resumes where it is",
    );
  }
}

/** `anchor` with its last still-running relay replaced by its deferral; undefined when none is left. */
function deferLastRelay(anchor: BlockAnchor): { anchor: BlockAnchor; nonce: bigint } | undefined {
  const deferrals = anchor.deferrals ?? [];
  for (let i = anchor.transactions.length - 1; i >= 0; i--) {
    const deferral = deferrals[i];
    if (deferral === undefined) continue;
    const transactions = [...anchor.transactions];
    const remaining = [...deferrals];
    transactions[i] = deferral;
    remaining[i] = undefined;
    return { anchor: { ...anchor, transactions, deferrals: remaining }, nonce: anchor.firstMessageNonce + BigInt(i) };
  }
  return undefined;
}

/** Milliseconds spent per named phase of one block's production, for its debug timing line. */
class PhaseClock {
  private last = performance.now();
  private readonly phases: [string, number][] = [];
  /** The phase the production is in now (the one after the last lap), for a stalled production's log. */
  current = "production";

  /** The time spent in the current phase so far. */
  get inCurrentMs(): number {
    return performance.now() - this.last;
  }

  /** Charges the time since the previous lap to `phase`; `next` is the phase that starts now. */
  lap(phase: string, next: string): void {
    const now = performance.now();
    this.phases.push([phase, now - this.last]);
    this.last = now;
    this.current = next;
  }

  /** Records a part of the phase in progress (its lap still counts the whole). */
  add(phase: string, ms: number): void {
    this.phases.push([phase, ms]);
  }

  describe(): string {
    return this.phases.map(([name, ms]) => `${name} ${Math.round(ms)}`).join(", ");
  }
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

/**
 * The L2 sequencer: a persistent mempool, block production on an interval (or on demand) with
 * the bridge's L1 anchor first, a stateless witness for every block, and durable storage that
 * survives a kill at any point. Serves JSON-RPC as an `RpcBackend` (see ./rpc.ts).
 *
 * Anchor policy: the anchor's transactions (one relay per consumed message, which L1 requires)
 * go first in the block, and the block's witness must fit `maxWitnessBytes` like any other
 * block's. When the relays alone overflow it, their deferrals are swapped in from the last relay
 * back (L2Bridge records a deferred message as failed, its value held for a retry or a refund)
 * until the block fits. If a relay cannot be included at all (e.g. the relayer cannot pay), no
 * block is built: a block without the messages would be rejected on L1 once they are overdue,
 * and the node would have to be reset; instead the error is logged with what to do, and the
 * chain resumes where it is once the relayer is fixed.
 */
/** A transaction waiting for admission, and its caller's promise. */
interface PendingAdmission {
  readonly tx: TypedTransaction;
  readonly resolve: (hash: Uint8Array) => void;
  readonly reject: (error: unknown) => void;
}

/** Optimistic mode: the proposal slack budget the config gives; undefined in the other modes. */
function slackBudgetOf(config: SequencerConfig): ProposalSlackBudget | undefined {
  return config.proposable === true && config.proposalGasBucket !== undefined
    ? new ProposalSlackBudget({ bucket: config.proposalGasBucket, share: config.proposalSlackShare })
    : undefined;
}

/**
 * The journaled transactions a block can still take: admission refuses a gas limit above the slack
 * capacity, but a restart with a smaller share (or a smaller bucket on L1) lowers that capacity
 * under transactions already pooled. Those could never be included (held for ever with their
 * sender's later nonces, with an infinite wait in rollup_status): they leave the pool and the
 * journal, each with a line saying why.
 */
async function dropUnproposable(
  txs: readonly TypedTransaction[],
  slack: ProposalSlackBudget | undefined,
  store: L2Store,
  logger: Logger,
): Promise<TypedTransaction[]> {
  if (slack === undefined) return [...txs];
  const kept: TypedTransaction[] = [];
  const refused: Uint8Array[] = [];
  for (const tx of txs) {
    try {
      slack.checkAdmissible(tx);
      kept.push(tx);
    } catch (error) {
      refused.push(tx.hash());
      logger.warn(`dropped pooled transaction ${bytesToHex(tx.hash())}: ${(error as Error).message}`);
    }
  }
  if (refused.length > 0) await store.poolDelete(refused);
  return kept;
}

export class Sequencer implements SequencerApi, RpcBackend {
  readonly clientVersion: string;
  /** `submitTransaction`s made together join one admission round, in call order (L2RpcNode). */
  readonly admitsInCallOrder = true;
  private readonly listeners = new Set<(block: ProducedBlock) => void>();
  /** Serializes block production (anchor lookup included). */
  private readonly production = new AsyncMutex();
  /** Serializes pool admissions against block execution and storage. */
  private readonly poolLock = new AsyncMutex();
  /**
   * Transactions waiting for the pool lock, admitted together at its next hold: while a block is
   * built they gather here and then cost one lock hold and one journal write, not one each.
   */
  private admissionQueue: PendingAdmission[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** When the armed timer is due (performance.now()), to log how late it fired. */
  private timerDue: number | undefined;
  /** When the last block was stored (performance.now()), for the gap in the timing line. */
  private lastBlockAt: number | undefined;
  private running = false;
  private closed = false;
  /**
   * Set by a rebase: the next block reads L1 before choosing its messages, timed or not. A rebase
   * is how the submitter rebuilds blocks L1 refused for their messages (OverdueMessageSkipped, or
   * AnchorMismatch after an L1 reorg); a timed block takes the messages already read, so it would
   * repeat the refused block from the same stale view, and MAX_REBUILDS_PER_BLOCK refusals in a
   * row halt the submitter. Not set at start: a block built before the first read is an ordinary
   * block with no messages (docs/design/first-block-proofs.md).
   */
  private readL1First = false;
  /** The slack budget of an optimistic rollup's blocks; undefined in the other modes. */
  private readonly slack: ProposalSlackBudget | undefined;

  private constructor(
    readonly chain: Chain,
    private readonly store: L2Store,
    private readonly mempool: Mempool,
    private readonly anchors: Map<bigint, AnchorMeta>,
    private readonly config: SequencerConfig,
    private readonly logger: Logger,
  ) {
    this.clientVersion = config.clientVersion ?? L2_CLIENT_VERSION;
    this.slack = slackBudgetOf(config);
  }

  /** Opens the chain in `config.dataDir` (creating it from `config.genesis`), and its mempool. */
  static async open(config: SequencerConfig): Promise<Sequencer> {
    const logger = config.logger ?? stderrLogger();
    const store = await L2Store.open(config.dataDir, { reset: config.reset });
    try {
      // The store is the chain's block archive: only the newest blocks stay in memory.
      const cache = {
        nodeCacheBytes: config.nodeCacheBytes,
        captureThread: config.captureThread,
        ethereumJsRunBlock: config.ethereumJsRunBlock,
        logger,
      };
      const probe = await Chain.create({
        genesis: config.genesis,
        db: store.db,
        now: config.now,
        archive: store,
        ...cache,
      });
      await store.checkGenesis(probe.head.hash());
      // The newest blocks' anchors; older ones are read from their stored records (anchorOf).
      const anchors = new Map<bigint, AnchorMeta>([[0n, GENESIS_ANCHOR]]);
      const keepAnchor = (s: StoredBlock): void => {
        const number = s.record.block.header.number;
        anchors.set(number, s.anchor);
        const older = number - BigInt(DEFAULT_RECENT_BLOCKS);
        if (older > 0n) anchors.delete(older);
      };
      const chain =
        (await store.headNumber()) === 0n
          ? probe
          : await Chain.create({
              genesis: config.genesis,
              db: store.db,
              now: config.now,
              // Read one block at a time: only the chain's newest stay in memory.
              history: historyOf(store.blocks(probe.common), keepAnchor),
              archive: store,
              ...cache,
            });
      const mempool = new Mempool({
        chain,
        journal: {
          put: (tx, replaced) => store.poolPut(tx, replaced),
          putMany: (entries) => store.poolPutMany(entries),
          remove: (hashes) => store.poolDelete(hashes),
        },
      });
      const { txs: journaled, undecodable } = await store.pooled(chain.common);
      const txs = await dropUnproposable(journaled, slackBudgetOf(config), store, logger);
      const dropped = await mempool.restore(txs);
      if (undecodable.length > 0)
        logger.warn(`dropped ${plural(undecodable.length, "undecodable pooled transaction")}`);
      logger.info(
        `opened chain ${chain.chainId} at block ${chain.headNumber} (${bytesToHex(chain.head.hash())}) from ${config.dataDir}; ` +
          `${plural(mempool.size, "pooled transaction")} restored${dropped.length > 0 ? `, ${dropped.length} no longer valid dropped` : ""}`,
      );
      const headGasLimit = chain.head.header.gasLimit;
      if (headGasLimit < MIN_L2_GAS_LIMIT) {
        logger.warn(
          `L2 gas limit ${headGasLimit} at block ${chain.headNumber} is below ${MIN_L2_GAS_LIMIT}, the least L1 accepts ` +
            "but for a climb: each block raises it by the most EXECUTE allows until it reaches that floor",
        );
      }
      return new Sequencer(chain, store, mempool, anchors, config, logger);
    } catch (error) {
      await store.close();
      throw error;
    }
  }

  // ------------------------------------------------------------ lifecycle

  /** Produces a block every `blockTimeMs` until `stop()`. */
  start(): void {
    this.ensureOpen();
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = undefined;
  }

  /** Stops production, waits for the block in progress, and closes the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.stop();
    this.closed = true;
    await this.production.run(async () => {
      // After the block in progress: its capture has finished, on whichever thread.
      await this.chain.close();
      await this.poolLock.run(() => this.store.close());
    });
  }

  // A timeout chain (not setInterval): a slow block delays the next instead of piling up. The next
  // block is due one block time after the previous one was due, not after it was stored: the
  // block time is the period, and a block's own production time is not added to it. A block that
  // took longer than the period is followed at once, and only by one block.
  private schedule(): void {
    const period = this.config.blockTimeMs ?? DEFAULT_BLOCK_TIME_MS;
    const now = performance.now();
    const due = this.timerDue === undefined ? now + period : Math.max(this.timerDue + period, now);
    this.timerDue = due;
    const delay = due - now;
    this.timer = setTimeout(() => {
      void this.tick().finally(() => {
        if (this.running) this.schedule();
      });
    }, delay);
  }

  private async tick(): Promise<void> {
    const late = this.timerDue === undefined ? 0 : performance.now() - this.timerDue;
    try {
      await this.produce({ skipIfEmpty: this.config.allowEmptyBlocks === false, timerLateMs: late, waitForL1: false });
    } catch (error) {
      this.logger.error(`block production failed: ${(error as Error).message}`);
    }
  }

  // ------------------------------------------------------------ block production

  /** Produces one block now (also when empty) and resolves once it is stored. */
  async produceBlock(options: { timestamp?: bigint } = {}): Promise<ProducedBlock> {
    const produced = await this.produce({ skipIfEmpty: false, timestamp: options.timestamp });
    return produced as ProducedBlock;
  }

  private produce(options: {
    skipIfEmpty: boolean;
    timestamp?: bigint;
    timerLateMs?: number;
    /** False on the timer: the anchor takes the L1 messages already read (AnchorProvider's `waitForL1`). */
    waitForL1?: boolean;
  }): Promise<ProducedBlock | undefined> {
    this.ensureOpen();
    const clock = new PhaseClock();
    // A production that does not end says where it waits (a stall at idle CPU shows here).
    const watchdog = setInterval(
      () => this.logger.warn(`block production waiting in "${clock.current}" for ${Math.round(clock.inCurrentMs)} ms`),
      PRODUCTION_WATCHDOG_MS,
    );
    watchdog.unref();
    const run = this.production.run(async () => {
      clock.lap("production", "anchor");
      this.ensureOpen();
      const parent = this.chain.head;
      const number = parent.header.number + 1n;
      const timestamp = options.timestamp ?? this.chain.nextTimestamp();
      const nextMessageNonce = this.nextMessageNonce(parent.header.number);
      const waitForL1 = (options.waitForL1 ?? true) || this.readL1First;
      this.readL1First = false;
      const anchor = await this.askAnchor(number, timestamp, nextMessageNonce, waitForL1);
      clock.lap("anchor", "snapshot");
      // The pool lock is held for the snapshot and for the settlement, not for the build: admission
      // goes on meanwhile (docs/design/admission-during-build.md says why that loses nothing).
      const lockAsked = performance.now();
      const { pooled, idle } = await this.poolLock.run(async () => {
        clock.add("pool-lock", performance.now() - lockAsked);
        const { pooled, holding } = this.selectPooled(anchor);
        const baseFee = parent.header.calcNextBaseFee();
        // Nothing a block could take (only gapped nonces, fees below the base fee, or waiting for slack): no block.
        const idle =
          options.skipIfEmpty === true &&
          !(await (holding
            ? hasExecutableAmong(pooled, baseFee, (sender) => this.chain.getNonce(sender, "latest"))
            : this.mempool.hasExecutable(baseFee)));
        return { pooled, idle };
      });
      clock.lap("snapshot", "build");
      if (idle && anchor.consumedMessages === 0 && anchor.transactions.length === 0) return undefined;
      let mined: MinedBlock | undefined;
      let used = anchor;
      while (mined === undefined) {
        try {
          mined = await this.mineWith(parent, timestamp, used, pooled);
        } catch (error) {
          if (error instanceof AnchorNotIncludedError) throw new RelayNotIncludedError(number, error.reasons);
          if (!(error instanceof RelaysOverWitnessBudgetError)) throw error;
          const deferred = deferLastRelay(used);
          if (deferred === undefined) {
            // Deferrals carry their messages too: a few at the 64 KB data limit (anyone may
            // queue them) exceed one advance however they run. Consume half as many: the rest
            // wait for the next blocks (docs/design/advance-gas-cap.md).
            if (used.consumedMessages <= 1) throw error;
            const maxMessages = Math.floor(used.consumedMessages / 2);
            this.logger.warn(
              `block ${number}: ${error.message}: consuming ${maxMessages} L1 → L2 messages, not ${used.consumedMessages}`,
            );
            used = await this.askAnchor(number, timestamp, nextMessageNonce, waitForL1, maxMessages);
            // A provider that does not take fewer would be asked forever.
            if (used.consumedMessages > maxMessages) throw error;
            continue;
          }
          this.logger.warn(
            `block ${number}: ${error.message}: deferring L1 → L2 message #${deferred.nonce} (recorded as failed; anyone may retry it, its sender may refund it)`,
          );
          used = deferred.anchor;
        }
      }
      clock.lap("build", "settle");
      const settled = mined;
      await this.poolLock.run(() => this.mempool.settle(settled));
      clock.lap("settle", "done");
      this.slack?.charge(blockSlack(mined.record));
      const produced = this.toProduced(mined, parent, used);
      this.report(produced, mined, used);
      this.reportTimings(number, clock, options.timerLateMs);
      for (const listener of this.listeners) {
        try {
          listener(produced);
        } catch (error) {
          this.logger.error(`an onBlock listener failed on block ${number}: ${(error as Error).message}`);
        }
      }
      return produced;
    });
    const stopWatchdog = (): void => clearInterval(watchdog);
    run.then(stopWatchdog, stopWatchdog);
    return run;
  }

  /** The pooled transactions the next block may try: all, or in optimistic mode those within the slack budget. */
  private selectPooled(anchor: BlockAnchor): { pooled: TypedTransaction[]; holding: boolean } {
    const pooled = this.mempool.ordered();
    if (this.slack === undefined) return { pooled, holding: false };
    const selection = this.slack.select(pooled, MAX_WALKED_TXS - anchor.transactions.length);
    if (selection.notice !== undefined) this.logger.info(selection.notice);
    return { pooled: [...selection.selected], holding: selection.held.length > 0 };
  }

  private async askAnchor(
    number: bigint,
    timestamp: bigint,
    nextMessageNonce: bigint,
    waitForL1: boolean,
    maxMessages?: number,
  ): Promise<BlockAnchor> {
    let anchor: BlockAnchor;
    try {
      anchor = await (this.config.anchorProvider ?? noMessages)({
        number,
        timestamp,
        nextMessageNonce,
        maxMessages,
        waitForL1,
      });
    } catch (error) {
      this.logger.error(
        `block ${number}: the anchor provider failed (${(error as Error).message}); building it without messages`,
      );
      return emptyAnchor(nextMessageNonce);
    }
    const problem =
      anchor.consumedMessages < 0 || !Number.isInteger(anchor.consumedMessages)
        ? `consumedMessages ${anchor.consumedMessages} is not a count`
        : anchor.consumedMessages > 0 && anchor.firstMessageNonce !== nextMessageNonce
          ? `it starts at message ${anchor.firstMessageNonce}, the chain is at ${nextMessageNonce}`
          : anchor.consumedMessages === 0 && !equalsBytes(anchor.root, ZERO_ROOT)
            ? "it consumes no message but has a non-zero root"
            : anchor.root.length !== 32
              ? "its root is not 32 bytes"
              : undefined;
    if (problem !== undefined) {
      this.logger.error(`block ${number}: rejected the anchor: ${problem}; building it without messages`);
      return emptyAnchor(nextMessageNonce);
    }
    return anchor;
  }

  private mineWith(
    parent: Block,
    timestamp: bigint,
    anchor: BlockAnchor,
    pooled: readonly TypedTransaction[],
  ): Promise<MinedBlock> {
    const anchorHashes = new Set(anchor.transactions.map((tx) => bytesToHex(tx.hash())));
    const txs = [...anchor.transactions, ...pooled.filter((tx) => !anchorHashes.has(bytesToHex(tx.hash())))];
    // Read once per build: every candidate set of this block is measured against the same cap.
    const limits = this.config.advanceLimits?.();
    const proposalCap = this.config.proposable === true ? this.config.proposalCap?.() : undefined;
    const relayCap = this.config.proposable === true ? (this.config.proposalRelayCap?.() ?? proposalCap) : undefined;
    return this.chain.mineBlock(txs, {
      timestamp,
      gasLimit: nextL2GasLimit(parent.header.gasLimit),
      coinbase: this.config.coinbase ?? ZERO_ADDRESS,
      parentBeaconBlockRoot: anchor.root,
      // A block on dev-patched state (a detached devnet, ./detachment.ts) has no witness to capture.
      captureWitness: !this.chain.headStateEdited,
      maxWitnessBytes: this.config.maxWitnessBytes,
      blockBudget: (block, encodedWitness) => {
        const payload = {
          parentHeader: parent.header.serialize(),
          block: block.serialize(),
          witness: encodedWitness,
          consumedMessages: anchor.consumedMessages,
        };
        const advance = advanceBudgetExcess(payload, this.chain.common, undefined, undefined, limits);
        if (advance !== undefined || this.config.proposable !== true) return advance;
        return proposalExcess(
          payload.parentHeader.length + payload.block.length + encodedWitness.length,
          block.header.gasLimit,
          // Only the required relays left: the block must exist, so it may use what the contract accepts.
          { cap: block.transactions.length <= anchor.transactions.length ? relayCap : proposalCap },
        );
      },
      requiredTransactions: anchor.transactions.length,
      beforeStore: async (mined) => {
        const included = mined.record.block.transactions;
        const missing = anchor.transactions.filter(
          (tx, i) => included[i] === undefined || !equalsBytes(included[i].hash(), tx.hash()),
        );
        if (missing.length > 0) {
          const skips = missing.map((tx) => ({
            tx,
            skipped: mined.skipped.find((s) => equalsBytes(s.tx.hash(), tx.hash())),
          }));
          const reasons = skips
            .map(({ tx, skipped }) => `${bytesToHex(tx.hash())}: ${skipped?.reason ?? "not included"}`)
            .join("; ");
          // Left out by the block budget (not by their own failure): a relay is deferred instead.
          if (skips.every(({ skipped }) => skipped?.overBudget === true))
            throw new RelaysOverWitnessBudgetError(reasons);
          throw new AnchorNotIncludedError(reasons);
        }
        // State nodes are already in the database (written while building): the record and
        // head pointer go last, in one batch, so a kill never leaves a half-stored block.
        await this.store.commitBlock({
          stored: {
            record: mined.record,
            anchor: { consumedMessages: anchor.consumedMessages, firstMessageNonce: anchor.firstMessageNonce },
          },
          encodedWitness: mined.encodedWitness ?? NO_WITNESS,
          removedFromPool: [
            ...included.map((tx) => tx.hash()),
            ...mined.skipped.filter((s) => !s.retryable).map((s) => s.tx.hash()),
          ],
        });
        // Known before the chain's head moves: a reader that sees the block finds its anchor.
        this.rememberAnchor(mined.record.block.header.number, {
          consumedMessages: anchor.consumedMessages,
          firstMessageNonce: anchor.firstMessageNonce,
        });
      },
    });
  }

  private toProduced(mined: MinedBlock, parent: Block, anchor: AnchorMeta): ProducedBlock {
    const block = mined.record.block;
    return {
      number: block.header.number,
      block,
      parentHeader: parent.header.serialize(),
      blockRlp: block.serialize(),
      witness: mined.witness ?? EMPTY_WITNESS,
      encodedWitness: mined.encodedWitness ?? NO_WITNESS,
      consumedMessages: anchor.consumedMessages,
      firstMessageNonce: anchor.firstMessageNonce,
    };
  }

  private report(produced: ProducedBlock, mined: MinedBlock, anchor: BlockAnchor): void {
    const { block } = produced;
    const messages =
      anchor.consumedMessages > 0
        ? `, ${plural(anchor.consumedMessages, "message")} from #${anchor.firstMessageNonce}`
        : "";
    this.logger.info(
      `block ${produced.number} ${bytesToHex(block.hash()).slice(0, 10)}: ${plural(block.transactions.length, "tx")}, ` +
        `gas ${block.header.gasUsed}, witness ${kb(produced.encodedWitness.length)}${messages}`,
    );
    mined.record.receipts.slice(0, anchor.transactions.length).forEach((receipt, i) => {
      if (receipt.status === 0)
        this.logger.error(
          `block ${produced.number}: relay transaction ${i} reverted (${receipt.error ?? "revert"}); its message is not consumed: relay it (relayMessage) before the EIP-4788 buffer rolls over`,
        );
    });
    const invalid = mined.skipped.filter((s) => !s.retryable);
    if (invalid.length > 0) {
      const reasons = invalid.map((s) => `${bytesToHex(s.tx.hash())}: ${s.reason}`).join("; ");
      this.logger.warn(
        `block ${produced.number}: dropped ${plural(invalid.length, "invalid transaction")} (${reasons})`,
      );
    }
  }

  /**
   * Debug: where the block's time went (issue 14: blocks far slower than the block time at idle
   * CPU). `timer late` is how long after its due time the timer fired (the event loop was busy);
   * `production` the wait for an earlier production or a rebase; `anchor` the bridge's anchor (a
   * block asked on demand reads L1 first); `pool-lock` the wait for admissions in progress;
   * `build` execution, witness capture and storage (the chain's own lock included); `gap` the
   * time since the previous block was stored.
   */
  private reportTimings(number: bigint, clock: PhaseClock, timerLateMs: number | undefined): void {
    const now = performance.now();
    const gap = this.lastBlockAt === undefined ? undefined : now - this.lastBlockAt;
    this.lastBlockAt = now;
    const late = timerLateMs === undefined ? "" : `timer late ${Math.round(timerLateMs)} ms, `;
    this.logger.debug(
      `block ${number} timing: ${late}${clock.describe()}${gap === undefined ? "" : `; gap ${Math.round(gap)} ms`}`,
    );
  }

  /** Anchors of blocks in memory (the newest DEFAULT_RECENT_BLOCKS): what their bound is about. */
  get anchorsInMemory(): number {
    return this.anchors.size;
  }

  /** Block `number`'s anchor: the newest blocks' from memory, older ones from their stored record. */
  private anchorOf(number: bigint): AnchorMeta | undefined {
    return this.anchors.get(number) ?? (number === 0n ? GENESIS_ANCHOR : this.store.anchorSync(number));
  }

  /** Keeps block `number`'s anchor in memory, letting the one DEFAULT_RECENT_BLOCKS below go (it stays on disk). */
  private rememberAnchor(number: bigint, anchor: AnchorMeta): void {
    this.anchors.set(number, anchor);
    this.anchors.delete(number - BigInt(DEFAULT_RECENT_BLOCKS));
  }

  private nextMessageNonce(number: bigint): bigint {
    const meta = this.anchorOf(number);
    if (meta === undefined)
      throw new L2Error(
        "L2_ANCHOR_STATE",
        `no anchor record for block ${number}`,
        "the data directory is damaged: reset it",
      );
    return meta.firstMessageNonce + BigInt(meta.consumedMessages);
  }

  // ------------------------------------------------------------ rebase

  /**
   * Rebases the chain on L1's (docs/design/rebase-and-takeover.md): drops every own block after
   * `keep` (none was accepted on L1), derives the `foreign` blocks L1 accepted after it on top
   * (the follower's derivation step: body from L1 calldata, executed here, kept only at L1's
   * hash), and returns the dropped blocks' transactions to the pool; those the new head already
   * holds, or can no longer take, are dropped from it. Relays are not returned: the bridge builds
   * them afresh for the messages the new chain has not consumed.
   *
   * Durability: the truncation and the journaling of the returned transactions are one batch,
   * then each foreign block is its own batch, as when a block is produced. A crash in between
   * leaves a chain that is a prefix of L1's with every dropped transaction pooled; the next
   * rebase (the submitter's first check after a restart) derives the rest.
   */
  rebase(keep: bigint, foreign: readonly ForeignBlock[]): Promise<RebaseReport> {
    this.ensureOpen();
    return this.production.run(() =>
      this.poolLock.run(async () => {
        this.ensureOpen();
        const head = this.chain.headNumber;
        if (keep > head)
          throw new L2Error(
            "L2_REBASE_PAST_HEAD",
            `cannot rebase after block ${keep}: the head is ${head}`,
            "the rebase plan is stale: it is planned again",
          );
        const returned: TypedTransaction[] = [];
        for (let n = keep + 1n; n <= head; n++) {
          const relays = this.anchorOf(n)?.consumedMessages ?? 0;
          returned.push(...this.chain.resolveBlock(n).block.transactions.slice(relays));
        }
        await this.store.truncate(keep, this.store.poolPutOps(returned));
        await this.chain.rewind(keep);
        for (let n = keep + 1n; n <= head; n++) this.anchors.delete(n);
        let imported = 0;
        for (const { event, candidates } of foreign) {
          if (event.number !== this.chain.headNumber + 1n) {
            throw new DerivationMismatchError(
              event.number,
              `L1 accepted it, but the chain's head is ${this.chain.headNumber}: a foreign block is missing`,
            );
          }
          let derived;
          try {
            derived = await executeBody(this.chain, candidates, event.blockHash);
          } catch (error) {
            if (error instanceof DerivationMismatchError) throw error;
            throw new DerivationMismatchError(
              event.number,
              `accepted on L1 in transaction ${event.origin.transactionHash} with hash ${event.blockHash}, but ${(error as Error).message}`,
            );
          }
          const anchor: AnchorMeta = {
            consumedMessages: Number(event.messagesConsumed),
            firstMessageNonce: this.nextMessageNonce(event.number - 1n),
          };
          await this.store.commitBlock({
            stored: { record: derived.record, anchor },
            encodedWitness: derived.body.witness ?? new Uint8Array(),
            removedFromPool: derived.record.block.transactions.map((tx) => tx.hash()),
          });
          this.rememberAnchor(event.number, anchor);
          imported++;
        }
        this.readL1First = true;
        const dropped = await this.mempool.rebase(returned);
        const report: RebaseReport = {
          keep,
          droppedBlocks: Number(head - keep),
          importedBlocks: imported,
          returnedTransactions: returned.length - dropped.filter((tx) => returned.includes(tx)).length,
          droppedTransactions: dropped.length,
        };
        this.logger.warn(
          `rebased on L1's chain after block ${keep}: dropped ${plural(report.droppedBlocks, "own unaccepted block")}, derived ${imported} accepted on L1 ` +
            `(head ${this.chain.headNumber} ${bytesToHex(this.chain.head.hash()).slice(0, 10)}); ${plural(report.returnedTransactions, "transaction")} back in the pool, ${report.droppedTransactions} dropped (already in L1's blocks or no longer valid)`,
        );
        return report;
      }),
    );
  }

  /**
   * Dev (evm_revert on a devnet, ./devStateMethods.ts): drops every block after `keep` for good.
   * Unlike a rebase nothing returns to the pool (a reverted test leaves no transaction behind);
   * pooled transactions are re-sorted against the new head. `restore` moves the chain back (the
   * chain's own snapshot, which also restores patched state and the clock); the store and the
   * anchors follow under the same locks.
   */
  dropBlocksAfter(keep: bigint, restore: () => Promise<void>): Promise<void> {
    this.ensureOpen();
    return this.production.run(() =>
      this.poolLock.run(async () => {
        this.ensureOpen();
        const head = this.chain.headNumber;
        if (keep > head)
          throw new L2Error(
            "L2_REVERT_PAST_HEAD",
            `cannot drop the blocks after ${keep}: the head is ${head}`,
            "the snapshot is newer than the chain",
          );
        await this.store.truncate(keep);
        await restore();
        for (let n = keep + 1n; n <= head; n++) this.anchors.delete(n);
        await this.mempool.rebase([]);
      }),
    );
  }

  /** The hash of block `number` in the local chain (undefined past the head). */
  localHash(number: bigint): string | undefined {
    const record = this.chain.getBlock(number);
    return record === undefined ? undefined : bytesToHex(record.block.hash());
  }

  // ------------------------------------------------------------ SequencerApi

  async producedBlock(number: bigint): Promise<ProducedBlock | undefined> {
    this.ensureOpen();
    if (number < 1n || number > this.chain.headNumber) return undefined;
    const block = this.chain.resolveBlock(number).block;
    const parent = this.chain.resolveBlock(number - 1n).block;
    const encodedWitness = await this.store.witness(number);
    const anchor = this.anchorOf(number);
    if (encodedWitness === undefined || anchor === undefined)
      throw new L2Error(
        "L2_MISSING_RECORD",
        `block ${number} has no stored witness`,
        "the data directory is damaged: reset it",
      );
    return {
      number,
      block,
      parentHeader: parent.header.serialize(),
      blockRlp: block.serialize(),
      // A block derived from L1 (a rebase, a follower's directory) may come without its witness.
      witness: encodedWitness.length === 0 ? { state: [], codes: [], headers: [] } : decodeWitness(encodedWitness),
      encodedWitness,
      consumedMessages: anchor.consumedMessages,
      firstMessageNonce: anchor.firstMessageNonce,
    };
  }

  /** The stored RLP witness of block `number` (undefined for genesis or past the head). */
  async encodedWitness(number: bigint): Promise<Uint8Array | undefined> {
    this.ensureOpen();
    return number < 1n || number > this.chain.headNumber ? undefined : this.store.witness(number);
  }

  onBlock(listener: (block: ProducedBlock) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  pendingNonce(address: Uint8Array): Promise<bigint> {
    return this.mempool.nextNonce(address);
  }

  /** Executable transactions waiting for a block, in the order the next block takes them. */
  pendingTransactions(): TypedTransaction[] {
    return this.mempool.ordered();
  }

  /** Optimistic mode: the pooled transactions waiting for proposal slack (rollup_status); undefined otherwise. */
  heldForSlack(): HeldTransactions | undefined {
    return this.slack?.held(this.mempool.ordered());
  }

  /** Every pooled transaction, queued ones included (txpool_*). */
  pooledTransactions(): readonly TypedTransaction[] {
    return this.mempool.all();
  }

  // ------------------------------------------------------------ RpcBackend

  accounts(): readonly Uint8Array[] {
    return [];
  }

  async signTransaction(_request: TransactionRequest): Promise<TypedTransaction> {
    throw new TransactionRejectedError(
      "unknown account",
      "the L2 node holds no keys: sign locally and use eth_sendRawTransaction",
    );
  }

  /**
   * Admits `tx` to the mempool; resolves once it is durable (it survives a crash from then on).
   * Admissions arriving while the pool lock is held are admitted together, in arrival order, at
   * its next hold (`Mempool.addMany`: each judged as if alone, one journal write for all).
   */
  submitTransaction(tx: TypedTransaction): Promise<Uint8Array> {
    this.ensureOpen();
    const sender = this.config.censoredSenders === undefined ? undefined : tx.getSenderAddress().toString();
    if (sender !== undefined && this.config.censoredSenders?.has(sender) === true)
      throw new TransactionRejectedError(
        `censored: this sequencer refuses ${sender}'s transactions (started with --censor, a test/dev tool)`,
        "force it through L1: send it as an L1 message (npx hardhat rollup:send-message, or a deposit); the rollup refuses the sequencer's blocks that leave it out past its force-inclusion delay",
      );
    return new Promise<Uint8Array>((resolve, reject) => {
      // A gas limit no proposable block could reserve: refused before it is queued.
      this.slack?.checkAdmissible(tx);
      this.admissionQueue.push({ tx, resolve, reject });
      if (this.admissionQueue.length === 1) void this.poolLock.run(() => this.admitQueued());
    });
  }

  /** Admits every queued transaction (under the pool lock) and settles each caller's promise. */
  private async admitQueued(): Promise<void> {
    const batch = this.admissionQueue;
    this.admissionQueue = [];
    try {
      this.ensureOpen();
      const outcomes = await this.mempool.addMany(batch.map((pending) => pending.tx));
      batch.forEach((pending, i) => {
        const outcome = outcomes[i];
        if (outcome?.status === "fulfilled") pending.resolve(outcome.value);
        else pending.reject(outcome?.reason);
      });
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    }
  }

  pendingTransaction(hash: Uint8Array): TypedTransaction | undefined {
    return this.mempool.get(hash);
  }

  async mine(options: { timestamp?: bigint } = {}): Promise<void> {
    await this.produceBlock(options);
  }

  private ensureOpen(): void {
    if (this.closed) throw new SequencerClosedError();
  }
}
