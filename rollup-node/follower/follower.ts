import type { TypedTransaction } from "@ethereumjs/tx";
import { type BatchDBOp, bytesToHex } from "@ethereumjs/util";
import { FetchRequest, JsonRpcProvider, Network, type Provider } from "ethers";

import { DEFAULT_L1_POLL_MS, noRollupContractMessage } from "../bridge/l1Watcher";
import { type StoredValue, type Witness, decodeWitness } from "../../precompiles";
import { DEFAULT_RECENT_BLOCKS } from "../chain/blockStore";
import { Chain } from "../chain/chain";
import type { GenesisConfig } from "../chain/genesis";
import { AsyncMutex } from "../chain/mutex";
import type { BlockRecord } from "../chain/types";
import type { AnchorMeta } from "../l2/recordCodec";
import { L2Store, historyOf } from "../l2/store";
import type { ProducedBlock } from "../l2/types";
import { type Logger, plural, stderrLogger } from "../logger";
import type { RpcBackend, TransactionRequest } from "../rpc/backend";
import { RpcError } from "../rpc/errors";
import { type NodeErrorData, type ReadRpcError, readRpcError } from "../../protocol/rpc";
import type { Json } from "../rpc/format";
import type { FoundBody } from "./blockBody";
import { executeBody, fetchEventBodies } from "./derive";
import {
  DerivationMismatchError,
  FollowerClosedError,
  FollowerError,
  type ForwardFailure,
  FollowerForwardError,
  FollowerNoProductionError,
  FollowerReadOnlyError,
  publicSequencerUrl,
} from "./errors";
import { ROLLUP_EVENT_TOPICS, type RollupBlockEvent, decodeRollupEvent } from "./events";
import {
  type BlockMeta,
  type BlockedProposal,
  type L1Pointer,
  type MetaWindow,
  deleteMeta,
  loadFollowerRecords,
  putBlocked,
  putCursor,
  putMeta,
  writeFollowerRecords,
} from "./store";

/**
 * Blocks per eth_getLogs query (L1 nodes cap the range). Smaller than the watcher's
 * DEFAULT_L1_LOG_RANGE: each event of the range costs the follower its L1 transaction and a block
 * execution, all in one step.
 */
export const DEFAULT_FOLLOWER_LOG_RANGE = 2_000;
/**
 * How long a request forwarded to the sequencer may wait: ethers' own limit is 5 minutes, for
 * which a slow or silent sequencer held every user's eth_sendRawTransaction open; a sequencer's
 * admission answers in milliseconds, 30 s under any load measured here.
 */
export const DEFAULT_FORWARD_TIMEOUT_MS = 30_000;
// Declared in a module without dependencies: the node command's option table reads it at config load.
export { DEFAULT_L1_FINALITY_DEPTH } from "./finality";
import { DEFAULT_L1_FINALITY_DEPTH } from "./finality";
export const FOLLOWER_CLIENT_VERSION = "native-rollup-follower/0.1.0";

export interface FollowerConfig {
  /** Directory holding the derived chain (created if absent). */
  readonly dataDir: string;
  /** Wipe the data directory's chain first. */
  readonly reset?: boolean;
  /** The rollup's L2 genesis: an input, checked against the data directory (and by derivation against L1). */
  readonly genesis: GenesisConfig;
  readonly l1Provider: Provider;
  readonly rollupAddress: string;
  /** The L1 block of the rollup's deployment: the first one that can hold its events. */
  readonly deployBlock: number;
  /** How often it reads L1 when caught up (DEFAULT_L1_POLL_MS: the same L1 reads as a sequencer's). */
  readonly pollMs?: number;
  readonly maxLogRange?: number;
  /** See DEFAULT_L1_FINALITY_DEPTH. */
  readonly finalityDepth?: number;
  /**
   * The sequencer's JSON-RPC: eth_sendRawTransaction and txpool_* are forwarded there; refused when
   * absent. Several URLs (the sequencer, then the nodes that may take over from it) are tried in
   * order: the first that answers as a sequencer takes the forwards until it stops answering.
   */
  readonly sequencerRpc?: string | readonly string[];
  /** How long a forwarded request may wait for the sequencer (DEFAULT_FORWARD_TIMEOUT_MS when absent). */
  readonly forwardTimeoutMs?: number;
  readonly logger?: Logger;
  /** Called once when derivation stops on a mismatch (the node keeps serving what it has). */
  readonly onHalt?: (error: FollowerError) => void;
  /**
   * Called when a poll succeeds after polls failed: the L1 may have been restarted (or replaced)
   * meanwhile, so what it runs may differ (its EXECUTE's write rules, asked again by the node).
   */
  readonly onL1Recovered?: () => void;
  readonly clientVersion?: string;
  /**
   * Derived blocks kept decoded in memory; older ones are read back from the data directory,
   * which holds every block (DEFAULT_RECENT_BLOCKS, chain/blockStore.ts, when absent).
   */
  readonly recentBlocks?: number;
}

/** What the follower knows of its progress (eth_syncing, rollup_status, logs). */
export interface FollowerStatus {
  readonly head: bigint;
  /** Highest derived block the rollup made final on L1. */
  readonly safe: bigint;
  /** Highest safe block made final in an L1 block at least `finalityDepth` deep. */
  readonly finalized: bigint;
  /** Highest L2 block L1 has accepted or proposed, as far as the follower has read. */
  readonly highestKnown: bigint;
  /** Derivation's starting block in this run (eth_syncing's startingBlock). */
  readonly startingBlock: bigint;
  readonly l1Cursor: L1Pointer;
  readonly l1Head: number;
  readonly blocked?: BlockedProposal;
  readonly haltReason?: string;
}

const EMPTY_WITNESS: Witness = { state: [], codes: [], headers: [] };
/** The anchor before block 1: no L1 message consumed yet. */
const GENESIS_ANCHOR: AnchorMeta = { consumedMessages: 0, firstMessageNonce: 0n };

/**
 * Whether the block that `events[index]` puts on L1 is final once every event of `events` (one
 * range of L1 blocks, applied together) has been applied: an advance is final at once; a proposal
 * is when a later finalization reaches its number (blocks finalize in order) before any challenge
 * removes it. A follower catching up derives a long-final proposal and its finalization from the
 * same range, and must not report the block as provisional.
 */
export function finalWithin(events: readonly RollupBlockEvent[], index: number): boolean {
  const event = events[index];
  if (event?.kind === "advanced") return true;
  if (event?.kind !== "proposed") return false;
  for (const later of events.slice(index + 1)) {
    if (later.kind === "challenged" && later.number <= event.number) return false;
    if (later.kind === "finalized" && later.number >= event.number) return true;
  }
  return false;
}

/**
 * A follower node: derives the L2 chain from L1 data alone (docs/design/follower.md). It reads
 * the rollup's block events in L1 order, takes each block's body from the calldata of the
 * transaction that accepted or proposed it, executes it on its own state with the same Chain the
 * sequencer uses, and keeps it only if it reproduces the hash L1 recorded. It stores what a
 * sequencer stores (plus each block's L1 origin), resumes after a restart, undoes blocks whose L1
 * blocks left the canonical chain, and serves the read JSON-RPC as an `RpcBackend`.
 */
export class Follower implements RpcBackend {
  readonly clientVersion: string;
  private readonly lock = new AsyncMutex();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private closed = false;
  private halted: FollowerError | undefined;
  /** The last poll failed to read L1 (onL1Recovered on the next that succeeds). */
  private l1Failing = false;
  private l1Head = -1;
  private highestKnown = 0n;
  private readonly startingBlock: bigint;
  /** Where transactions are forwarded (config.sequencerRpc, in order); each provider made at its first forward. */
  private readonly forwardTargets: ForwardTarget[];
  /** The target that answered last: forwards start there, so a dead sequencer costs one try, once. */
  private preferredTarget = 0;
  private readonly listeners = new Set<(number: bigint) => void>();
  /**
   * The highest block L1 made final (every block below it is final too: the rollup finalizes in
   * order) and the highest of those final `finalityDepth` L1 blocks below the L1 head. Kept as
   * numbers because the metas they derive from are on disk beyond the newest blocks; updated by
   * every step that changes a meta or the L1 head (all under the lock).
   */
  private safe = 0n;
  private finalized = 0n;
  /** False until `finalized` was computed once against an L1 head (the first walk starts at the safe block). */
  private finalizedKnown = false;

  private constructor(
    private current: Chain,
    private readonly store: L2Store,
    /** The newest blocks' metas in memory, older ones on disk (MetaWindow). */
    private readonly metas: MetaWindow,
    /** The head block's anchor (the next block's messages follow it); older ones are read from the store. */
    private headAnchor: AnchorMeta,
    private cursor: L1Pointer,
    private blocked: BlockedProposal | undefined,
    private readonly config: FollowerConfig,
    private readonly logger: Logger,
  ) {
    this.clientVersion = config.clientVersion ?? FOLLOWER_CLIENT_VERSION;
    this.forwardTargets = forwardUrls(config.sequencerRpc).map((url) => ({ url, checked: false }));
    this.startingBlock = current.headNumber;
    this.highestKnown = current.headNumber;
    current.setHeadLabels(this.labels);
  }

  /** "safe" and "finalized" come from L1 only (the rollup's final blocks), never from the sequencer. */
  private readonly labels = (tag: "safe" | "finalized"): bigint =>
    tag === "safe" ? this.safeNumber : this.finalizedNumber;

  /** Opens the derived chain in `config.dataDir` (creating it from `config.genesis`). */
  static async open(config: FollowerConfig): Promise<Follower> {
    const logger = config.logger ?? stderrLogger("[follower]");
    const store = await L2Store.open(config.dataDir, { reset: config.reset });
    try {
      // The store is the chain's block archive: only the newest blocks stay in memory, as on a sequencer.
      const archived = { archive: store, recentBlocks: config.recentBlocks };
      const probe = await Chain.create({ genesis: config.genesis, db: store.db, ...archived });
      await store.checkGenesis(probe.head.hash());
      let headAnchor: AnchorMeta = GENESIS_ANCHOR;
      const chain =
        (await store.headNumber()) === 0n
          ? probe
          : await Chain.create({
              genesis: config.genesis,
              db: store.db,
              // Read one block at a time: only the chain's newest stay in memory.
              history: historyOf(store.blocks(probe.common), (s) => {
                headAnchor = s.anchor;
              }),
              ...archived,
            });
      const records = await loadFollowerRecords(store, chain.headNumber, config.recentBlocks ?? DEFAULT_RECENT_BLOCKS);
      const cursor = records.cursor ?? { number: config.deployBlock - 1, hash: "" };
      logger.info(
        `opened follower chain ${chain.chainId} at block ${chain.headNumber} (${bytesToHex(chain.head.hash())}); L1 read up to block ${cursor.number}`,
      );
      const follower = new Follower(chain, store, records.metas, headAnchor, cursor, records.blocked, config, logger);
      await follower.findSafe(chain.headNumber);
      return follower;
    } catch (error) {
      await store.close();
      throw error;
    }
  }

  /** The derived chain (replaced by a new instance when blocks are undone). */
  get chain(): Chain {
    return this.current;
  }

  /** The per-block records held in memory (docs/design/memory-bounds.md): block metas (L1 origin, finality) and anchors. */
  get heldInMemory(): { readonly metas: number; readonly anchors: number } {
    return { metas: this.metas.size, anchors: 1 };
  }

  /** The L1 head at the last poll (-1 before the first). */
  get l1HeadNumber(): number {
    return this.l1Head;
  }

  get haltReason(): FollowerError | undefined {
    return this.halted;
  }

  /** Subscribes to derived blocks (by number); returns an unsubscribe function. */
  onBlock(listener: (number: bigint) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  // ------------------------------------------------------------ lifecycle

  /** Polls L1 and derives until `stop()`. */
  start(): void {
    this.ensureOpen();
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  stop(): void {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Stops, waits for the derivation step in progress, and closes the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.stop();
    this.closed = true;
    for (const target of this.forwardTargets) target.provider?.destroy();
    await this.lock.run(() => this.store.close());
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      void this.step().then((behind) => {
        if (this.running && this.halted === undefined)
          this.schedule(behind ? 0 : (this.config.pollMs ?? DEFAULT_L1_POLL_MS));
      });
    }, delayMs);
  }

  /** One poll; true when L1 has more to read right away. Transient failures are logged and retried. */
  private async step(): Promise<boolean> {
    try {
      const behind = await this.syncStep();
      if (this.l1Failing) {
        this.l1Failing = false;
        this.config.onL1Recovered?.();
      }
      return behind;
    } catch (error) {
      if (error instanceof FollowerError && !(error instanceof FollowerClosedError)) {
        this.halt(error);
        return false;
      }
      this.l1Failing = true;
      if (!this.closed) this.logger.warn(`L1 read failed, retrying: ${(error as Error).message}`);
      return false;
    }
  }

  private halt(error: FollowerError): void {
    if (this.halted !== undefined) return;
    this.halted = error;
    this.stop();
    this.logger.error(`derivation stopped: ${error.message} (${error.hint})`);
    this.config.onHalt?.(error);
  }

  /** Derives until the follower has applied every event up to the current L1 head. */
  async syncToL1Head(): Promise<void> {
    while (await this.syncStep()) {
      // each step reads one log range
    }
  }

  /**
   * Reads one range of L1 blocks after the cursor and applies its events; first undoes what an
   * L1 reorganisation removed. Returns true when the cursor is still behind the L1 head.
   */
  syncStep(): Promise<boolean> {
    return this.lock.run(async () => {
      this.ensureOpen();
      if (this.halted !== undefined) throw this.halted;
      const provider = this.config.l1Provider;
      this.l1Head = await provider.getBlockNumber();
      await this.undoReorganised();
      await this.findFinalized();
      if (this.cursor.number >= this.l1Head) return false;
      const from = this.cursor.number + 1;
      const to = Math.min(this.l1Head, from + (this.config.maxLogRange ?? DEFAULT_FOLLOWER_LOG_RANGE) - 1);
      // The end block's hash is read before the logs: if the range is reorganised meanwhile, the
      // next step finds the hash gone and re-derives from before it.
      const end = await provider.getBlock(to);
      if (end === null || end.hash === null) return true;
      const logs = await provider.getLogs({
        address: this.config.rollupAddress,
        topics: [[...ROLLUP_EVENT_TOPICS]],
        fromBlock: from,
        toBlock: to,
      });
      const events = logs
        .slice()
        .sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index)
        .map(decodeRollupEvent)
        .filter((e): e is RollupBlockEvent => e !== undefined);
      for (const [i, event] of events.entries()) await this.apply(event, finalWithin(events, i));
      await this.findFinalized();
      this.cursor = { number: to, hash: end.hash };
      await writeFollowerRecords(this.store, [putCursor(this.cursor)]);
      return to < this.l1Head;
    });
  }

  // ------------------------------------------------------------ events

  /** `final`: L1 has made the event's block final by the end of the range read (`finalWithin`). */
  private async apply(event: RollupBlockEvent, final: boolean): Promise<void> {
    const head = this.current.headNumber;
    switch (event.kind) {
      case "advanced":
      case "proposed": {
        if (event.number > this.highestKnown) this.highestKnown = event.number;
        if (event.number <= head) {
          const ours = await this.metas.get(event.number);
          if (ours.blockHash === event.blockHash) {
            if (event.kind === "advanced" && ours.finalAt === undefined)
              await this.markFinal(event.number, event.origin);
            return;
          }
          // L1 now has another block at this height (its first one was challenged away, or a
          // reorganisation the cursor check did not see): follow L1.
          this.logger.warn(
            `L1 ${event.kind} another block ${event.number} (${event.blockHash}) than the derived ${ours.blockHash}: undoing from it`,
          );
          await this.truncateTo(event.number - 1n, []);
        }
        if (this.blocked !== undefined) return; // descendants of a block that did not execute wait with it
        if (event.number !== this.current.headNumber + 1n) {
          throw new DerivationMismatchError(
            event.number,
            `L1 ${event.kind} it, but the follower's head is ${this.current.headNumber}: an event is missing`,
          );
        }
        await this.derive(event, final);
        return;
      }
      case "proven":
        if (this.blocked !== undefined && BigInt(this.blocked.number) === event.number) {
          throw new DerivationMismatchError(
            event.number,
            `EXECUTE proved the block on L1 (transaction ${event.origin.transactionHash}), but it does not execute here: ${this.blocked.reason}`,
          );
        }
        return;
      case "finalized":
        if (this.blocked !== undefined && BigInt(this.blocked.number) <= event.number) {
          throw new DerivationMismatchError(
            event.number,
            `L1 finalized it (transaction ${event.origin.transactionHash}), but block ${this.blocked.number} does not execute here: ${this.blocked.reason}`,
          );
        }
        if (event.number <= head && (await this.metas.get(event.number)).blockHash === event.blockHash)
          await this.markFinal(event.number, event.origin);
        return;
      case "challenged": {
        const last = event.number + event.removed - 1n;
        this.logger.info(`L1 removed provisional blocks ${event.number}..${last} on a challenge (${event.reason})`);
        const ops: BatchDBOp<string, StoredValue>[] = [];
        if (this.blocked !== undefined && BigInt(this.blocked.number) >= event.number) {
          this.blocked = undefined;
          ops.push(putBlocked(undefined));
        }
        if (this.highestKnown >= event.number) this.highestKnown = event.number - 1n;
        if (head >= event.number) {
          // A block this node executed to its hash was found invalid by EXECUTE: the two
          // disagree. L1 decides what the rollup's chain is; the follower follows and says so.
          this.logger.error(
            `L1's challenge removed block ${event.number}, which executed here to the same hash: EXECUTE and this node disagree`,
          );
          await this.truncateTo(event.number - 1n, ops);
        } else await writeFollowerRecords(this.store, ops);
        return;
      }
    }
  }

  /**
   * Fetches, executes and stores block `event.number`; a proposal that does not execute blocks
   * derivation. `final`: L1 has finalized it by the end of the range read, which the log says.
   */
  private async derive(event: RollupBlockEvent & { kind: "advanced" | "proposed" }, final: boolean): Promise<void> {
    const candidates = await fetchEventBodies(this.config.l1Provider, this.config.rollupAddress, event);
    let record: BlockRecord;
    let body: FoundBody;
    try {
      ({ record, body } = await executeBody(this.current, candidates, event.blockHash));
    } catch (error) {
      const reason = (error as Error).message;
      if (event.kind === "advanced") {
        throw new DerivationMismatchError(
          event.number,
          `accepted on L1 in transaction ${event.origin.transactionHash} with hash ${event.blockHash}, but ${reason}`,
        );
      }
      this.blocked = { number: event.number.toString(), blockHash: event.blockHash, reason };
      await writeFollowerRecords(this.store, [putBlocked(this.blocked)]);
      this.logger.warn(
        `provisional block ${event.number} (${event.blockHash}) does not execute (${reason}): waiting for the challenge that must remove it`,
      );
      return;
    }
    const parentAnchor = this.headAnchor;
    const anchor: AnchorMeta = {
      consumedMessages: Number(event.messagesConsumed),
      firstMessageNonce: parentAnchor.firstMessageNonce + BigInt(parentAnchor.consumedMessages),
    };
    const origin = {
      number: event.origin.blockNumber,
      hash: event.origin.blockHash,
      transactionHash: event.origin.transactionHash,
    };
    const meta: BlockMeta = {
      blockHash: event.blockHash,
      origin,
      ...(event.kind === "advanced" ? { finalAt: { number: origin.number, hash: origin.hash } } : {}),
    };
    await this.store.commitBlock({
      stored: { record, anchor },
      encodedWitness: body.witness ?? new Uint8Array(),
      removedFromPool: [],
      extraOps: [putMeta(event.number, meta)],
    });
    this.metas.push(meta);
    this.headAnchor = anchor;
    if (meta.finalAt !== undefined) this.safe = event.number;
    const block = record.block;
    this.logger.info(
      `derived L2 block ${event.number} ${event.blockHash.slice(0, 10)} (${final ? "final" : "provisional"}; ${plural(block.transactions.length, "tx")}, gas ${block.header.gasUsed}; ` +
        `L1 block ${origin.number}, body by ${body.via})`,
    );
    for (const listener of this.listeners) {
      try {
        listener(event.number);
      } catch (error) {
        this.logger.error(`an onBlock listener failed on block ${event.number}: ${(error as Error).message}`);
      }
    }
  }

  private async markFinal(number: bigint, at: { blockNumber: number; blockHash: string }): Promise<void> {
    // Blocks finalize in order on the rollup: every earlier provisional block is final too.
    const ops: BatchDBOp<string, StoredValue>[] = [];
    for (let n = number; n >= 1n; n--) {
      const meta = await this.metas.get(n);
      if (meta.finalAt !== undefined) break;
      const updated: BlockMeta = { ...meta, finalAt: { number: at.blockNumber, hash: at.blockHash } };
      this.metas.set(n, updated);
      ops.push(putMeta(n, updated));
    }
    await writeFollowerRecords(this.store, ops);
    if (number > this.safe) this.safe = number;
  }

  // ------------------------------------------------------------ reorganisations

  /**
   * When the cursor's L1 block is no longer canonical, finds the highest derived block whose
   * origin still is, undoes every block after it, forgets finalizations made in L1 blocks after
   * that origin, and moves the cursor back so that its L1 block is read again.
   */
  private async undoReorganised(): Promise<void> {
    if (this.cursor.hash === "" || (await this.isCanonical(this.cursor))) return;
    // An L1 without the rollup's code is another chain, not a reorganisation of the rollup's (an
    // L1 reset, a URL now pointing elsewhere): undoing there discarded every derived block, final
    // ones included, and served block 0 with no word of why. Nothing is undone; the poll says why
    // and retries, and derivation resumes when the rollup's L1 answers again.
    if ((await this.config.l1Provider.getCode(this.config.rollupAddress)) === "0x")
      throw new Error(noRollupContractMessage(this.config.rollupAddress));
    let keep = this.current.headNumber;
    while (keep >= 1n && !(await this.isCanonical((await this.metas.get(keep)).origin))) keep--;
    const forkPoint = keep >= 1n ? (await this.metas.get(keep)).origin.number : this.config.deployBlock;
    this.logger.warn(
      `L1 block ${this.cursor.number} (${this.cursor.hash}) left the canonical chain: undoing L2 blocks after ${keep}, re-reading L1 from block ${forkPoint}`,
    );
    const ops: BatchDBOp<string, StoredValue>[] = [];
    for (let n = keep; n >= 1n; n--) {
      const meta = await this.metas.get(n);
      if (meta.finalAt === undefined || meta.finalAt.number < forkPoint) break;
      if (meta.finalAt.number === forkPoint && (await this.isCanonical(meta.finalAt))) break;
      const provisional: BlockMeta = { blockHash: meta.blockHash, origin: meta.origin };
      this.metas.set(n, provisional);
      ops.push(putMeta(n, provisional));
    }
    // Events are idempotent for blocks already derived: the fork point's own L1 block is read again.
    this.cursor = { number: forkPoint - 1, hash: "" };
    this.blocked = undefined;
    this.highestKnown = keep;
    ops.push(putCursor(this.cursor), putBlocked(undefined));
    await this.truncateTo(keep, ops);
    // Finalizations made in the L1 blocks left behind are undone (above): look for the safe block again.
    await this.findSafe(keep);
  }

  private async isCanonical(pointer: L1Pointer): Promise<boolean> {
    const block = await this.config.l1Provider.getBlock(pointer.number);
    return block !== null && block.hash === pointer.hash;
  }

  /** Undoes blocks after `number` on disk (with `extraOps`, atomically) and in memory. */
  private async truncateTo(number: bigint, extraOps: readonly BatchDBOp<string, StoredValue>[]): Promise<void> {
    const head = this.current.headNumber;
    if (number >= head) {
      await writeFollowerRecords(this.store, extraOps);
      return;
    }
    const safeBefore = this.safe;
    const ops = [...extraOps];
    for (let n = number + 1n; n <= head; n++) ops.push(deleteMeta(n));
    await this.store.truncate(number, ops);
    // The trie is append-only: block `number`'s state root is complete in the database, so a
    // chain re-indexed over the kept records is exactly the chain before the undone blocks. The
    // kept records are read from the store one at a time, as at open: built as one array, the
    // whole kept history was decoded at once at every rewind (docs/design/memory-bounds.md).
    let headAnchor: AnchorMeta = GENESIS_ANCHOR;
    this.current = await Chain.create({
      genesis: this.config.genesis,
      db: this.store.db,
      history: historyOf(this.store.blocks(this.current.common), (s) => {
        headAnchor = s.anchor;
      }),
      archive: this.store,
      recentBlocks: this.config.recentBlocks,
    });
    this.current.setHeadLabels(this.labels);
    this.metas.truncate(number);
    this.headAnchor = headAnchor;
    if (safeBefore > number) await this.findSafe(number);
    if (this.finalized > this.safe) this.finalized = this.safe;
    this.logger.info(`undid L2 blocks ${number + 1n}..${head}`);
  }

  // ------------------------------------------------------------ status

  /** The highest block the rollup made final on L1, as derived. */
  get safeNumber(): bigint {
    return this.safe;
  }

  /** The highest safe block made final at least `finalityDepth` L1 blocks below the L1 head. */
  get finalizedNumber(): bigint {
    return this.finalized;
  }

  /** Sets the safe block: the highest block at or below `from` whose meta says L1 made it final. */
  private async findSafe(from: bigint): Promise<void> {
    let n = from;
    while (n >= 1n && (await this.metas.get(n)).finalAt === undefined) n--;
    this.safe = n;
    if (this.finalized > this.safe) this.finalized = this.safe;
  }

  /**
   * Sets the finalized block for the current L1 head: the highest safe block made final
   * `finalityDepth` L1 blocks below it. The L1 block of finalization grows with the L2 number (L1
   * finalizes in order, and events are applied in L1 order), so the previous answer moves: down
   * only if the L1 head fell (a reorganisation; usually no step), then up over the blocks made
   * final since, stopping at the first not yet deep enough. Each poll reads the few blocks
   * finalized since the last one, not the history.
   */
  private async findFinalized(): Promise<void> {
    const depth = this.config.finalityDepth ?? DEFAULT_L1_FINALITY_DEPTH;
    const deep = (meta: BlockMeta): boolean => meta.finalAt !== undefined && meta.finalAt.number + depth <= this.l1Head;
    let n = !this.finalizedKnown || this.finalized > this.safe ? this.safe : this.finalized;
    this.finalizedKnown = true;
    while (n >= 1n && !deep(await this.metas.get(n))) n--;
    for (let next = n + 1n; next <= this.safe; next++) {
      const meta = await this.metas.get(next);
      if (meta.finalAt === undefined) continue;
      if (!deep(meta)) break;
      n = next;
    }
    this.finalized = n;
  }

  status(): FollowerStatus {
    return {
      head: this.current.headNumber,
      safe: this.safeNumber,
      finalized: this.finalizedNumber,
      highestKnown: this.highestKnown,
      startingBlock: this.startingBlock,
      l1Cursor: this.cursor,
      l1Head: this.l1Head,
      ...(this.blocked === undefined ? {} : { blocked: this.blocked }),
      ...(this.halted === undefined ? {} : { haltReason: this.halted.message }),
    };
  }

  /** True while L1 holds blocks or events the follower has not applied yet. */
  get syncing(): boolean {
    if (this.halted !== undefined) return false;
    return (
      this.l1Head < 0 ||
      this.cursor.number < this.l1Head ||
      (this.blocked === undefined && this.current.headNumber < this.highestKnown)
    );
  }

  // ------------------------------------------------------------ what the RPC and rollup_* read

  /** The L1 witness of block `number` when its accepting call carried one (re-execution mode). */
  async encodedWitness(number: bigint): Promise<Uint8Array | undefined> {
    this.ensureOpen();
    if (number < 1n || number > this.current.headNumber) return undefined;
    const witness = await this.store.witness(number);
    return witness === undefined || witness.length === 0 ? undefined : witness;
  }

  /** A derived block in the sequencer's shape (the status queries read its anchor). */
  async producedBlock(number: bigint): Promise<ProducedBlock | undefined> {
    if (number < 1n || number > this.current.headNumber) return undefined;
    const block = this.current.resolveBlock(number).block;
    const parent = this.current.resolveBlock(number - 1n).block;
    const anchor = number === this.current.headNumber ? this.headAnchor : this.store.anchorSync(number);
    if (anchor === undefined) return undefined;
    const encodedWitness = (await this.encodedWitness(number)) ?? new Uint8Array();
    return {
      number,
      block,
      parentHeader: parent.header.serialize(),
      blockRlp: block.serialize(),
      witness: encodedWitness.length === 0 ? EMPTY_WITNESS : decodeWitness(encodedWitness),
      encodedWitness,
      consumedMessages: anchor.consumedMessages,
      firstMessageNonce: anchor.firstMessageNonce,
    };
  }

  // ------------------------------------------------------------ RpcBackend

  accounts(): readonly Uint8Array[] {
    return [];
  }

  async signTransaction(_request: TransactionRequest): Promise<TypedTransaction> {
    throw new FollowerReadOnlyError(this.forwardTargets[this.preferredTarget]?.url, "signing");
  }

  /** Forwards the raw transaction to the configured sequencer; refuses it otherwise. */
  async submitTransaction(tx: TypedTransaction): Promise<Uint8Array> {
    if (this.forwardTargets.length === 0) throw new FollowerReadOnlyError(undefined, "transaction");
    const hash = (await this.forward("eth_sendRawTransaction", [bytesToHex(tx.serialize())])) as string;
    this.logger.info(
      `forwarded transaction ${hash} to the sequencer at ${publicSequencerUrl(this.forwardTargets[this.preferredTarget]?.url ?? "")}`,
    );
    return tx.hash();
  }

  /**
   * A txpool_* read: the follower has no pool, so the sequencer's answers (where the transactions
   * it forwards wait) when its URL is configured; refused, naming the sequencer, otherwise — an
   * empty pool would say "nothing pending" when the follower simply cannot know.
   */
  async sequencerPool(method: string, params: readonly unknown[]): Promise<Json> {
    if (this.forwardTargets.length === 0) throw new FollowerReadOnlyError(undefined, "pool");
    return this.forward(method, params);
  }

  /**
   * Sends one request to the node sequencing: the configured URLs in turn, from the one that
   * answered last. A URL is passed over when its node does not answer (stopped, unreachable, no
   * answer in time), serves another chain, or is itself a follower (a stand-in that has not taken
   * over yet: it answers FOLLOWER_*). The sequencer's own JSON-RPC error (a nonce too low, a method
   * it does not serve) reaches the caller unchanged; when no URL answers as a sequencer, the error
   * names each and what to do after a take-over (docs/design/follower.md).
   */
  private async forward(method: string, params: readonly unknown[]): Promise<Json> {
    const passed: ForwardFailure[] = [];
    for (let k = 0; k < this.forwardTargets.length; k++) {
      const index = (this.preferredTarget + k) % this.forwardTargets.length;
      const target = this.forwardTargets[index] as ForwardTarget;
      const outcome = await this.forwardTo(target, method, params);
      if ("reason" in outcome) {
        passed.push({ url: target.url, reason: outcome.reason });
        continue;
      }
      if (index !== this.preferredTarget)
        this.logger.info(
          `forwarding to ${publicSequencerUrl(target.url)} from now on: ${passed.map((p) => `${publicSequencerUrl(p.url)} ${p.reason}`).join("; ")}`,
        );
      this.preferredTarget = index;
      return outcome.result;
    }
    throw new FollowerForwardError(method, passed);
  }

  /** One target's answer, or why it was passed over; the sequencer's own JSON-RPC error is thrown. */
  private async forwardTo(
    target: ForwardTarget,
    method: string,
    params: readonly unknown[],
  ): Promise<{ result: Json } | { reason: string }> {
    if (target.provider === undefined) {
      const request = new FetchRequest(target.url);
      request.timeout = this.config.forwardTimeoutMs ?? DEFAULT_FORWARD_TIMEOUT_MS;
      // The sequencer serves this chain: a static network of its id, so ethers never runs its network
      // detection, which on a sequencer that is down prints a line every second until it is back.
      target.provider = new JsonRpcProvider(request, undefined, { staticNetwork: Network.from(this.current.chainId) });
    }
    try {
      if (!target.checked) {
        const other = await this.otherChain(target.provider);
        if (other !== undefined) return { reason: other };
        target.checked = true;
      }
      return { result: (await target.provider.send(method, [...params])) as Json };
    } catch (error) {
      const answered = readRpcError(error);
      if (answered === undefined) {
        const e = error as { shortMessage?: string; message?: string };
        // The transport's reason may quote the URL it was asked (an HTTP client's error does).
        const reason = (e.shortMessage ?? e.message ?? String(error))
          .split(target.url)
          .join(publicSequencerUrl(target.url));
        return { reason: `did not answer (${reason})` };
      }
      if (answered.code.startsWith("FOLLOWER_")) return { reason: `is a follower, not sequencing (${answered.code})` };
      throw new RpcError(answered.rpcCode, answered.message, forwardedData(answered), answered.hint);
    }
  }

  /**
   * Before the first forward to a node: it serves this chain. A transaction sent to another
   * chain's sequencer that shares the chain id (every rollup that keeps the default 42069,
   * attack-review-s23.md §2) would be valid there and run on that chain; one of another chain id
   * would be refused there with a reason that does not name the misconfiguration. A sequencer that
   * lies about both is not detected: the URL is trusted configuration. Undefined when it is ours.
   */
  private async otherChain(sequencer: JsonRpcProvider): Promise<string | undefined> {
    const [chainId, genesis] = (await Promise.all([
      sequencer.send("eth_chainId", []),
      sequencer.send("eth_getBlockByNumber", ["0x0", false]),
    ])) as [string, { hash?: string } | null];
    const ours = bytesToHex(this.current.getBlock(0n)?.block.hash() ?? new Uint8Array());
    const theirs = { chainId: BigInt(chainId), genesis: genesis?.hash?.toLowerCase() };
    if (theirs.chainId === this.current.chainId && theirs.genesis === ours) return undefined;
    return `serves another chain (chain id ${theirs.chainId}, genesis ${theirs.genesis ?? "none"}; this follower's: ${this.current.chainId}, ${ours}), so nothing is forwarded there`;
  }

  /** The follower has no pool: the next nonce is the one in its latest state. */
  pendingNonce(address: Uint8Array): Promise<bigint> {
    return this.current.getNonce(address);
  }

  pendingTransaction(_hash: Uint8Array): TypedTransaction | undefined {
    return undefined;
  }

  async mine(): Promise<void> {
    throw new FollowerNoProductionError();
  }

  async produceBlock(): Promise<never> {
    throw new FollowerNoProductionError();
  }

  private ensureOpen(): void {
    if (this.closed) throw new FollowerClosedError();
  }
}

/** A node transactions may be forwarded to, and what the follower learnt of it. */
interface ForwardTarget {
  readonly url: string;
  provider?: JsonRpcProvider;
  /** It was seen to serve this chain (its chain id and genesis block): checked until it is. */
  checked: boolean;
}

/** The configured forward URLs, in order: one, a list, or none. */
export function forwardUrls(sequencerRpc: string | readonly string[] | undefined): readonly string[] {
  if (sequencerRpc === undefined) return [];
  return (typeof sequencerRpc === "string" ? [sequencerRpc] : sequencerRpc).filter((u) => u !== "");
}

/**
 * The `data` of the sequencer's error as the follower passes it on: a revert's bytes, or the
 * sequencer's code and hint (with their fields); undefined for another server's data, which the
 * follower's own answer then names by its JSON-RPC code.
 */
function forwardedData(answered: ReadRpcError): NodeErrorData | string | undefined {
  if (typeof answered.data === "string") return answered.data;
  if (answered.hint === undefined) return undefined;
  return { ...(answered.data as NodeErrorData), code: answered.code, hint: answered.hint };
}
