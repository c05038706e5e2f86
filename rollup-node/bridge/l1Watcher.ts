import { type Block, type Provider, formatEther } from "ethers";

import { AsyncMutex } from "../chain/mutex";
import { type Logger, plural } from "../logger";
import { ROLLUP_INTERFACE, type RollupContract, connectRollup } from "./contracts";
import { L1InconsistencyError } from "./errors";
import { L1HeadReader } from "./l1HeadReader";
import { type L1Message, decodeMessageQueued, hashL1Message } from "../../protocol";

export { DEFAULT_L1_POLL_MS } from "./l1Polling";
/** Blocks per eth_getLogs query of the watcher and the challenger (L1 nodes cap the range). */
export const DEFAULT_L1_LOG_RANGE = 5_000;

/**
 * A node's `l1` section (the sequencer's and the follower's alike, docs/design/node-config.md):
 * where the rollup is on L1 and how often the node reads it. Declared here, with the L1 reader
 * every component that reads it builds on, so that both kinds of node share one definition.
 */
export interface NodeL1Config {
  readonly provider: Provider;
  readonly rollupAddress: string;
  /** L1 block of the rollup's deployment (where the watcher starts scanning). */
  readonly deployBlock: number;
  /** How often the node reads L1: its watcher, challenger and safe/finalized heads (DEFAULT_L1_POLL_MS). */
  readonly pollMs?: number;
  /** L1 blocks on top of an acceptance before the `finalized` tag names the block (DEFAULT_L1_FINALITY_DEPTH). */
  readonly finalityDepth?: number;
  /**
   * How often the running node asks the L1's EXECUTE for its write rules with no other reason to
   * (DEFAULT_WRITE_RULES_RECHECK_MS, ./writeRulesAgreement.ts).
   */
  readonly writeRulesRecheckMs?: number;
  /** How long rollup_status waits for L1 before it reports it `unreachable`, in ms (DEFAULT_L1_STATUS_TIMEOUT_MS). */
  readonly statusTimeoutMs?: number;
}

export interface L1WatcherConfig {
  readonly provider: Provider;
  readonly rollupAddress: string;
  /** First L1 block that may hold a MessageQueued event (the rollup's deployment block). */
  readonly fromBlock: number;
  readonly pollIntervalMs: number;
  /** Blocks per eth_getLogs query (nodes cap the range). */
  readonly maxLogRange?: number;
  /** The node's shared reading of the L1 head (one of the watcher's own if not given). */
  readonly head?: L1HeadReader;
  readonly logger: Logger;
}

/** A queued L1 → L2 message with where it was queued. */
export interface QueuedL1Message {
  readonly message: L1Message;
  readonly hash: string;
  readonly l1BlockNumber: number;
  readonly l1TransactionHash: string;
}

/** What the watcher last read from L1. */
export interface L1WatcherStatus {
  readonly l1Head: number;
  /** `messageCount()` at `l1Head`. */
  readonly messageCount: bigint;
  /** `nextMessageIndex()` at `l1Head`: the first message no accepted L2 block consumed. */
  readonly nextMessageIndex: bigint;
  /** Messages known and not yet consumed by an accepted L2 block. */
  readonly pending: number;
}

const MESSAGE_QUEUED_TOPIC = ROLLUP_INTERFACE.getEvent("MessageQueued")?.topicHash as string;
const MESSAGE_FINALIZED_TOPIC = ROLLUP_INTERFACE.getEvent("MessageFinalized")?.topicHash as string;

/**
 * Follows the rollup's MessageQueued events on L1 and keeps every message that no accepted L2
 * block has consumed yet. The contract is the source of truth: after a restart the watcher keeps
 * messages from `nextMessageIndex()` on, and when the events it saw leave a gap below
 * `messageCount()` it rescans from the deployment block.
 */
export class L1Watcher {
  private readonly rollup: RollupContract;
  private readonly head: L1HeadReader;
  private readonly messages = new Map<bigint, QueuedL1Message>();
  private readonly lock = new AsyncMutex();
  /** The poll running now, if any. */
  private polling: Promise<void> | undefined;
  /** The one poll that starts when `polling` ends, shared by every caller that asked meanwhile. */
  private nextPoll: Promise<void> | undefined;
  private readonly listeners = new Set<(message: QueuedL1Message) => void>();
  private readonly changeListeners = new Set<(why: string) => void>();
  /** The last poll failed: the next one that succeeds reads an L1 that may have been restarted. */
  private failing = false;
  private lastScanned: number;
  /** The hash of L1 block `lastScanned` when it was scanned: a different one there means an L1 reorg. */
  private lastScannedHash: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private current: L1WatcherStatus = { l1Head: -1, messageCount: 0n, nextMessageIndex: 0n, pending: 0 };
  /** Messages the first poll found pending (queued before this start, not consumed on L1). */
  private caughtUp = 0;

  constructor(private readonly config: L1WatcherConfig) {
    this.rollup = connectRollup(config.rollupAddress, config.provider);
    this.head = config.head ?? new L1HeadReader(config.provider);
    this.lastScanned = config.fromBlock - 1;
  }

  get status(): L1WatcherStatus {
    return this.current;
  }

  /** Syncs once, then polls every `pollIntervalMs` until stopped. */
  async start(): Promise<void> {
    await this.poll();
    if (this.caughtUp > 0)
      this.config.logger.info(
        `caught up with L1: ${plural(this.caughtUp, "L1 → L2 message")} queued before this start and not yet consumed on L1`,
      );
    this.timer = setInterval(() => {
      this.poll().catch(async (error: unknown) => {
        // A poll that stop() cut off (its provider destroyed as the node stops) is not retried:
        // warning that it will be would only alarm whoever pressed Ctrl-C.
        if (this.timer === undefined) return;
        const reason = await explainL1ReadFailure(this.config.provider, this.config.rollupAddress, error);
        if (this.timer !== undefined) this.config.logger.warn(`L1 poll failed (will retry): ${reason}`);
      });
    }, this.config.pollIntervalMs);
  }

  /**
   * One poll for a reader that needs L1's latest messages now (the anchor, before each block):
   * its failure explained as the timed poll's is, so an L1 without the rollup is said as such,
   * not as "could not decode result data".
   */
  async refresh(): Promise<void> {
    try {
      await this.poll();
    } catch (error) {
      const reason = await explainL1ReadFailure(this.config.provider, this.config.rollupAddress, error);
      throw reason === (error as Error).message ? error : new Error(reason);
    }
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Calls `listener` for each message the watcher discovers; returns an unsubscribe function. */
  onMessage(listener: (message: QueuedL1Message) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Calls `listener` when the watcher has reason to think its L1 changed under it: a poll succeeds
   * after polls failed (an L1 restarted, or another at the URL), or an L1 reorg below its last
   * scanned block (another chain). What the L1 runs may then differ (its EXECUTE's write rules):
   * listeners check again. Costs no L1 read of its own. Returns an unsubscribe function.
   */
  onL1Change(listener: (why: string) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  private l1Changed(why: string): void {
    for (const listener of this.changeListeners) listener(why);
  }

  /** The known message with this nonce (queued and not yet consumed on L1). */
  message(nonce: bigint): QueuedL1Message | undefined {
    return this.messages.get(nonce);
  }

  /** Up to `max` consecutive messages from `nonce` on (fewer when the watcher has not seen more). */
  consecutiveFrom(nonce: bigint, max: number): QueuedL1Message[] {
    const out: QueuedL1Message[] = [];
    for (let n = nonce; out.length < max; n++) {
      const found = this.messages.get(n);
      if (found === undefined) break;
      out.push(found);
    }
    return out;
  }

  /**
   * Reads new events up to the L1 head. Callers that ask while a poll runs share one poll, started
   * when it ends: each still gets a read of L1 begun after its call, and however many ask (the
   * interval, every L2 block's anchor) at most two polls exist at once. Queued one behind another,
   * each with its own round trips, polls fell ever further behind an L1 that answered slowly, and
   * so did every L2 block waiting for one (issue 14).
   */
  poll(): Promise<void> {
    if (this.nextPoll !== undefined) return this.nextPoll;
    if (this.polling === undefined) return this.startPoll();
    const next = this.polling
      .catch(() => undefined)
      .then(() => {
        this.nextPoll = undefined;
        return this.startPoll();
      });
    this.nextPoll = next;
    return next;
  }

  /** Runs one poll, known as `polling` until it settles. */
  private startPoll(): Promise<void> {
    const running = this.pollOnce();
    this.polling = running;
    const clear = (): void => {
      if (this.polling === running) this.polling = undefined;
    };
    running.then(
      () => {
        clear();
        if (!this.failing) return;
        this.failing = false;
        this.l1Changed("the L1 answering again after failing");
      },
      () => {
        clear();
        this.failing = true;
      },
    );
    return running;
  }

  private pollOnce(): Promise<void> {
    return this.lock.run(async () => {
      // A read begun now (poll() promises one begun after its call), shared with the node's
      // other L1 pollers that ask meanwhile.
      const latest = await this.head.latest(0);
      const head = latest.number;
      const first = this.current.l1Head === -1;
      const reorganised = await this.forgetReorganised(latest);
      // The last poll read this very L1 block (its hash just checked): the contract's state there
      // cannot have changed, so there is nothing to read. On the devnet each eth_call runs the
      // rollup contract on the node's own thread.
      if (
        !reorganised &&
        this.lastScannedHash !== undefined &&
        head === this.current.l1Head &&
        this.lastScanned === head
      )
        return;
      const scannedBefore = this.lastScanned;
      if (head > this.lastScanned) await this.scan(this.lastScanned + 1, head);
      if (
        this.lastScanned >= this.config.fromBlock &&
        (this.lastScanned !== scannedBefore || this.lastScannedHash === undefined)
      )
        this.lastScannedHash = (await this.hashOf(this.lastScanned, latest)) ?? undefined;
      const [count, next] = await Promise.all([
        this.rollup.messageCount({ blockTag: head }),
        this.rollup.nextMessageIndex({ blockTag: head }),
      ]);
      for (const nonce of [...this.messages.keys()]) if (nonce < next) this.messages.delete(nonce);
      const missing = this.firstMissing(next, count);
      if (missing !== undefined) {
        // Events and contract state disagree (a node that served a partial range): scan again next time.
        this.lastScanned = this.config.fromBlock - 1;
        throw new L1InconsistencyError(
          `message ${missing} is queued on L1 (messageCount ${count}) but its MessageQueued event was not seen`,
        );
      }
      this.current = { l1Head: head, messageCount: count, nextMessageIndex: next, pending: Number(count - next) };
      // The first scan also read the messages accepted blocks consumed before this start: only
      // those still pending are news to the operator.
      if (first) this.caughtUp = this.current.pending;
    });
  }

  /**
   * After an L1 reorg below the last scanned block, the messages read from the lost branch may
   * be gone or replaced by others at the same nonces (a block anchoring them is then rejected with
   * AnchorMismatch and rebuilt: docs/design/submitter-recovery.md). Nothing read before is kept:
   * the next scan reads L1's branch again from the deployment block.
   */
  /** The hash of L1 block `number`: the head's when it is the head (no second read of it). */
  private async hashOf(number: number, latest: Block): Promise<string | null | undefined> {
    if (number === latest.number && latest.hash !== null) return latest.hash;
    return (await this.config.provider.getBlock(number))?.hash;
  }

  private async forgetReorganised(latest: Block): Promise<boolean> {
    if (this.lastScannedHash === undefined) return false;
    if ((await this.hashOf(this.lastScanned, latest)) === this.lastScannedHash) return false;
    this.config.logger.warn(
      `L1 reorg: block ${this.lastScanned} is no longer ${this.lastScannedHash}; reading the L1 → L2 messages again`,
    );
    this.messages.clear();
    this.lastScanned = this.config.fromBlock - 1;
    this.lastScannedHash = undefined;
    this.l1Changed("an L1 reorg (or another chain at the URL)");
    return true;
  }

  private firstMissing(from: bigint, count: bigint): bigint | undefined {
    for (let n = from; n < count; n++) if (!this.messages.has(n)) return n;
    return undefined;
  }

  private async scan(from: number, to: number): Promise<void> {
    const range = this.config.maxLogRange ?? DEFAULT_L1_LOG_RANGE;
    for (let start = from; start <= to; start += range) {
      const end = Math.min(to, start + range - 1);
      const logs = await this.config.provider.getLogs({
        address: this.config.rollupAddress,
        topics: [[MESSAGE_QUEUED_TOPIC, MESSAGE_FINALIZED_TOPIC]],
        fromBlock: start,
        toBlock: end,
      });
      for (const log of logs) this.accept(log.data, log.topics, log.blockNumber, log.transactionHash);
      this.lastScanned = end;
    }
  }

  private accept(data: string, topics: readonly string[], blockNumber: number, transactionHash: string): void {
    // The first poll catches up with what L1 holds from before this start (a resumed devnet has
    // logged it already): those events are counted, not logged again one by one.
    const catchingUp = this.current.l1Head === -1;
    const event = decodeMessageQueued({ data, topics });
    if (event === undefined) {
      const parsed = ROLLUP_INTERFACE.parseLog({ data, topics: [...topics] });
      // Only reported: finalized L2 → L1 messages need no bridge action.
      if (parsed?.name === "MessageFinalized" && !catchingUp) {
        this.config.logger.info(
          `L2 → L1 message ${parsed.args.messageHash as string} finalized on L1 in block ${blockNumber}: ${formatEther(parsed.args.value as bigint)} ETH to ${parsed.args.to as string}`,
        );
      }
      return;
    }
    const { messageHash: claimedHash, ...message } = event;
    const hash = hashL1Message(message);
    if (hash !== claimedHash) {
      throw new L1InconsistencyError(
        `MessageQueued #${message.nonce} carries hash ${claimedHash}, its fields hash to ${hash}`,
      );
    }
    if (this.messages.has(message.nonce) || message.nonce < this.current.nextMessageIndex) return;
    const queued: QueuedL1Message = { message, hash, l1BlockNumber: blockNumber, l1TransactionHash: transactionHash };
    this.messages.set(message.nonce, queued);
    const kind =
      message.data === "0x"
        ? `deposit of ${formatEther(message.value)} ETH`
        : `call with ${(message.data.length - 2) / 2} bytes and ${formatEther(message.value)} ETH`;
    const line = `L1 → L2 message #${message.nonce} queued in L1 block ${blockNumber}: ${kind} from ${message.from} to ${message.to}`;
    if (catchingUp) this.config.logger.debug(line);
    else this.config.logger.info(line);
    for (const listener of this.listeners) listener(queued);
  }
}

/**
 * A failed L1 read's message, or what it means when L1 has no rollup at the address: an L1 that
 * was reset, or a URL of another chain, answers the rollup's calls with no data, which ethers
 * reports as undecodable (`BAD_DATA`) — a line that named neither the address nor the cause.
 */
export async function explainL1ReadFailure(provider: Provider, rollupAddress: string, error: unknown): Promise<string> {
  const message = (error as Error).message;
  if ((error as { code?: unknown }).code !== "BAD_DATA") return message;
  return (await rollupCodeMissing(provider, rollupAddress)) ? noRollupContractMessage(rollupAddress) : message;
}

/** True when an L1 that answers has no code at the rollup's address (false too when it does not answer). */
export async function rollupCodeMissing(provider: Provider, rollupAddress: string): Promise<boolean> {
  return (await provider.getCode(rollupAddress).catch(() => undefined)) === "0x";
}

/** What an L1 without code at the rollup's address means, and what to do (the watcher's and the follower's line). */
export function noRollupContractMessage(rollupAddress: string): string {
  return `this L1 has no rollup contract at ${rollupAddress}: the L1 was reset, or its URL points to another chain (a devnet: restore its L1 data or start over with --reset; a node: give it the rollup's L1)`;
}
