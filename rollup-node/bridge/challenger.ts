import {
  type Block,
  type Provider,
  type Signer,
  type TransactionReceipt,
  decodeRlp,
  formatEther,
  getBytes,
  keccak256,
  toBigInt,
} from "ethers";

import {
  ExecuteErrorCode,
  type WriteRules,
  chargedL2Gas,
  executeErrorName,
  executeGasCost,
  executeInputLength,
  l2GasClaimOfBlockRlp,
  maxVerifiableL2GasLimit,
} from "../../precompiles";
import { type AdvanceGasCap, L1AdvanceGasCap } from "./advanceGasCap";
import { challengeGasBound } from "./challengeBound";
import { BlockCheckPool, defaultCheckThreads } from "./checkPool";
import type { CheckInput, Verdict } from "./verdict";
import { type Logger, plural } from "../logger";
import {
  OPTIMISTIC_ROLLUP_INTERFACE,
  type OptimisticExampleRollup,
  connectOptimisticRollup,
  decodeRollupRevert,
  revertDataOf,
} from "./contracts";
import { BridgeError } from "./errors";
import { firstL1BlockAfter } from "./l1BlockByTime";
import { L1HeadReader } from "./l1HeadReader";
import { DEFAULT_L1_LOG_RANGE, DEFAULT_L1_POLL_MS } from "./l1Watcher";

export interface ChallengerConfig {
  readonly l1Provider: Provider;
  readonly rollupAddress: string;
  /**
   * First L1 block that may hold a ProposalData event (the rollup's deployment block). A start
   * reads from the first L1 block whose proposals can still be challenged, less
   * `windowMarginBlocks`, never below this one.
   */
  readonly fromBlock: number;
  /**
   * L1 blocks read below the first one whose proposals can still be challenged, at a start and
   * after an L1 reorg deeper than the hashes kept (`DEFAULT_WINDOW_MARGIN_BLOCKS` when absent).
   */
  readonly windowMarginBlocks?: number;
  /** Sends the challenges and receives the removed blocks' bonds; its own key, so its nonces never race the submitter's. */
  readonly signer: Signer;
  readonly l2ChainId: bigint;
  /** The L2 chain's write rules (`Chain.writeRules`, from its genesis); per block from genesis when absent. */
  readonly l2WriteRules?: WriteRules;
  readonly logger: Logger;
  readonly pollIntervalMs?: number;
  /** Blocks per eth_getLogs query. */
  readonly maxLogRange?: number;
  /** First wait before a failed challenge of a still-provisional block is sent again; doubles per failure. */
  readonly retryDelayMs?: number;
  /** The longest wait between two attempts at the same challenge. */
  readonly maxRetryDelayMs?: number;
  /**
   * Worker threads that re-execute proposals side by side (`defaultCheckThreads()`, one per core,
   * when absent); 0 checks on the main thread. See docs/design/challenger-scheduling.md.
   */
  readonly checkThreads?: number;
  /**
   * What this L1's blocks hold (../bridge/advanceGasCap.ts): a challenge is never sent with more
   * gas than an L1 block can include. The node shares its own, which it reads at every L1 poll; a
   * challenger started alone reads the L1 with one of its own at each of its polls.
   */
  readonly l1GasCap?: AdvanceGasCap;
  /** The node's shared reading of the L1 head (one of the challenger's own if not given). */
  readonly head?: L1HeadReader;
}

/**
 * A proposal in the last part of its window (`ALERT_WINDOW_FRACTION`) that the challenger has not
 * settled: not judged yet, or judged invalid and not removed yet. If the window closes in this
 * state, a block EXECUTE may reject finalizes.
 */
export interface ChallengerAlert {
  readonly number: bigint;
  readonly blockHash: string;
  /** L1 time at which its window closes. */
  readonly closesAt: bigint;
  readonly state: "unjudged" | "unchallenged";
  /** What stands in the way (the last failure), for the operator. */
  readonly reason: string;
}

/** A won challenge, as the BlockChallenged event reports it. */
export interface ChallengeOutcome {
  readonly number: bigint;
  readonly blockHash: string;
  readonly code: number;
  readonly reason: string;
  readonly removed: bigint;
  readonly reward: bigint;
  readonly l1TransactionHash: string;
}

/** The verdict and its rule live in ./verdict.ts (the worker threads load only that); re-exported for the challenger's callers. */
export { type Verdict, isProposerFault, judgeBlock } from "./verdict";

/** The bound lives with the contract's other proposal rules (./challengeBound.ts); re-exported for the challenger's callers. */
export { challengeGasBound } from "./challengeBound";

/** The challenger cannot read or settle a proposal (its calldata, the chain, the L1 answer). */
export class ChallengerError extends BridgeError {
  constructor(message: string, hint: string) {
    super("CHALLENGER", message, hint);
  }
}

/** A proposal as its `ProposalData` event carries it: the whole input of a challenge. */
interface Proposal {
  readonly number: bigint;
  readonly blockHash: string;
  readonly parentHeader: Uint8Array;
  readonly block: Uint8Array;
  readonly witness: Uint8Array;
  readonly l1TransactionHash: string;
  /** L1 timestamp at which its challenge window closes (BlockProposed's `finalizableAt`). */
  readonly closesAt: bigint;
}

/** A queued proposal with what the challenger learnt of it, so that a retry neither re-executes it nor repeats its log line. */
interface Pending {
  /** Replaced after an L1 reorg by the same proposal as the new branch holds it (its window may close later). */
  proposal: Proposal;
  /** The local verdict once computed (re-executing a slow block on every retry would stall the queue). */
  verdict?: Verdict;
  /** Failed attempts at its challenge so far: the back-off doubles with each. */
  failures: number;
  /** Not attempted again before this time (ms since the epoch). */
  retryAt: number;
  /** The last state logged for it: a retry in the same state logs nothing. */
  logged?: string;
  /** Whether its "INVALID, challenging it" line was logged (once, however many attempts follow). */
  announced?: boolean;
  /** Why the last attempt did not settle it (for the alert). */
  lastFailure?: string;
  /**
   * A challenge sent without a call confirming it (a simulation-only failure or a transport error)
   * was mined and reverted: from then on it is sent only when a call confirms it, or every retry
   * would burn its whole gas limit again until the window closes (the advance's twin rule).
   */
  unconfirmedReverted?: boolean;
  /**
   * The L1 time of the head when it was queued: a window closed by then closed before this
   * challenger could read it (a start's margin, a take-over's first read), no failure of its own.
   */
  queuedAt: bigint;
}

/** What one attempt at a proposal came to. */
type Attempt = "done" | "retry";

const DEFAULT_RETRY_DELAY_MS = 1_000;
/**
 * Blocks read below the first L1 block whose proposals can still be challenged (found by its
 * timestamp, `firstL1BlockAfter`). The search is exact on an L1 whose timestamps grow with the
 * block number; the margin covers an RPC endpoint whose nodes disagree near the head (a short
 * window on a devnet), for 32 blocks of logs (≈ 6.4 minutes of a 12 s L1) per start.
 */
export const DEFAULT_WINDOW_MARGIN_BLOCKS = 32;
/**
 * Hashes of L1 blocks read that are kept to find the fork point of an L1 reorg (one per
 * `eth_getLogs` range, the last first): a reorg deeper than these reads again from the window's
 * start, as a start does.
 */
const KEPT_L1_HASHES = 128;
const DEFAULT_MAX_RETRY_DELAY_MS = 60_000;
/** Attempts under way per check thread: enough to keep every thread fed while the others wait on L1 reads or a challenge. */
const IN_FLIGHT_PER_THREAD = 4;
/**
 * A proposal still unsettled when this fraction of its window remains raises an alert (error log
 * and rollup_status): a quarter leaves an operator time to fund the key or fix the L1 connection.
 */
const ALERT_WINDOW_DIVISOR = 4n;
/** Longest error text kept in a log line or alert: an ethers error can quote a whole raw transaction. */
const MAX_REASON_CHARS = 300;
/** Index of `gasLimit` in a header's RLP list (the same in every fork). */
const HEADER_GAS_LIMIT_INDEX = 9;

/**
 * ChallengeFailed codes from the pre-flight call that say nothing about the mined transaction:
 * the eth_call deadline (a mined call has none) and OutOfGas (the call was priced from our own,
 * possibly wrong, reading of the block; the mined one is bounded by the contract's rule anyway).
 * On these the challenger sends the challenge regardless. Every other revert of the call is
 * deterministic for the same chain state (the block is not provisional, the window is closed,
 * the witness or data do not match, L1's EXECUTE accepts the block) and is not sent.
 */
const SIMULATION_ONLY_CODES: ReadonlySet<number> = new Set([
  ExecuteErrorCode.SimulationTimeout,
  ExecuteErrorCode.OutOfGas,
]);
/** Proposals are read from this event, which the rollup emits itself: a proposal made through a contract is found too. */
const PROPOSAL_DATA_TOPIC = OPTIMISTIC_ROLLUP_INTERFACE.getEvent("ProposalData")?.topicHash as string;
/** Emitted with every ProposalData, just before it: carries when the proposal's window closes. */
const BLOCK_PROPOSED_TOPIC = OPTIMISTIC_ROLLUP_INTERFACE.getEvent("BlockProposed")?.topicHash as string;

/** An error's message, shortened: ethers' `shortMessage` when it has one, at most MAX_REASON_CHARS. */
function reasonOf(error: unknown): string {
  const short = (error as { shortMessage?: unknown })?.shortMessage;
  const text = typeof short === "string" ? short : error instanceof Error ? error.message : String(error);
  return text.length > MAX_REASON_CHARS ? `${text.slice(0, MAX_REASON_CHARS)}…` : text;
}

/** A proposal's identity across L1 branches: its transaction (which commits to its data) and its number. */
function proposalKey(proposal: Proposal): string {
  return `${proposal.l1TransactionHash}:${proposal.number}`;
}

/** Orders proposals by the close of their window, then by number: the one that closes soonest comes first. */
function soonestFirst(a: Pending, b: Pending): number {
  const x = a.proposal;
  const y = b.proposal;
  if (x.closesAt !== y.closesAt) return x.closesAt < y.closesAt ? -1 : 1;
  return x.number === y.number ? 0 : x.number < y.number ? -1 : 1;
}

/**
 * The L2 gas to pass EXECUTE for a challenge of `block`: its charge (`chargedL2Gas`) when the claim
 * can be read, else the most EXECUTE could charge for it — the header's gas limit (what the
 * contract's `challengeGasBound` used to accept the proposal), or the most EXECUTE verifies when
 * even that cannot be read — capped by `maxVerifiableL2GasLimit`. Never less than EXECUTE charges:
 * an under-priced challenge fails with OutOfGas, and the transaction's gas limit is bounded by the
 * contract's rule whatever is passed here.
 */
export function challengeL2Gas(block: Uint8Array): bigint {
  const claim = l2GasClaimOfBlockRlp(block);
  if (claim !== undefined) return chargedL2Gas(claim);
  const most = maxVerifiableL2GasLimit();
  let gasLimit: bigint | undefined;
  try {
    const header = (decodeRlp(block) as unknown[])[0];
    const item = Array.isArray(header) ? (header[HEADER_GAS_LIMIT_INDEX] as unknown) : undefined;
    if (typeof item === "string") gasLimit = item === "0x" ? 0n : toBigInt(item);
  } catch {
    gasLimit = undefined;
  }
  return gasLimit === undefined || gasLimit > most ? most : gasLimit;
}

/**
 * Watches ProposalData on L1 and challenges every provisional block whose committed block and
 * witness EXECUTE would reject for the proposer's fault (`isProposerFault`), whoever proposed it
 * and however (an account or a contract: the rollup emits the data itself), on whatever parent.
 * A challenge must use the committed witness and the event carries the parent header too, so the
 * event is all it judges: the node's own state or blocks are not needed. It re-executes locally with `verifyBlock`, tries the
 * challenge with a call first, and sends it unless the call fails for a reason the mined
 * transaction would meet too (a simulation deadline or a transport error does not stop it); a
 * failed challenge of a still-provisional block is retried with back-off. See
 * docs/design/optimistic-challenges.md, "The challenger sends what it knows wins".
 *
 * Scheduling (docs/design/challenger-scheduling.md): the checks run side by side on worker threads
 * (`checkThreads`), so a run of slow valid proposals holds up only the threads it occupies; every
 * queue — the checks waiting for a thread, the challenges waiting to be sent — takes the proposal
 * whose window closes soonest first, each verdict is acted on as soon as it is known, and a
 * proposal whose window has closed on L1 is dropped unchecked (no challenge can win any more).
 */
export class Challenger {
  private readonly rollup: OptimisticExampleRollup;
  private readonly queue: Pending[] = [];
  private readonly won: ChallengeOutcome[] = [];
  private lastScanned: number;
  /**
   * The L1 blocks read, by number and hash as read (the end of each `eth_getLogs` range, at most
   * `KEPT_L1_HASHES`, oldest first; the last is `lastScanned`): the highest one still canonical
   * after an L1 reorg is where the reading starts again. Empty at a start.
   */
  private readonly kept: { readonly number: number; readonly hash: string }[] = [];
  /**
   * After a reorg, the proposals still queued (by `proposalKey`): the scan reads L1 again from
   * the fork point and must not queue those twice. Cleared once that scan reaches the head.
   */
  private rescanKnown: Map<string, Pending> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private busy: Promise<void> | undefined;
  /** Proposals being examined, with the promise that settles when the attempt is over. */
  private readonly inFlight = new Map<Pending, Promise<void>>();
  private readonly pool: BlockCheckPool;
  private warming: Promise<void> = Promise.resolve();
  /** Set by `stop`: no new attempt starts (an attempt that ends would otherwise start the next). */
  private stopped = false;
  /** Challenges are sent one at a time (one key, one nonce sequence), soonest-closing window first. */
  private sending = false;
  private readonly toSend: { readonly entry: Pending; readonly go: () => void }[] = [];
  /** The rollup's CHALLENGE_WINDOW, read once. */
  private window: bigint | undefined;
  /** Alerts raised, by proposal, while the proposal stays unsettled. */
  private readonly raised = new Map<Pending, ChallengerAlert>();
  /** The L1's block gas limit, as last read (`ChallengerConfig.l1GasCap`). */
  private readonly l1GasCap: AdvanceGasCap;
  /** Whether `l1GasCap` is this challenger's own, to be read at its polls (the node reads a shared one). */
  private readonly readsL1GasCap: boolean;
  /** The L1 head, read once per poll for the scan and the L1 clock. */
  private readonly head: L1HeadReader;
  /** Set while reads of the L1's block gas limit fail: said once until one succeeds. */
  private l1GasCapFailing = false;

  constructor(private readonly config: ChallengerConfig) {
    this.rollup = connectOptimisticRollup(config.rollupAddress, config.signer);
    this.head = config.head ?? new L1HeadReader(config.l1Provider);
    this.readsL1GasCap = config.l1GasCap === undefined;
    this.l1GasCap =
      config.l1GasCap ??
      new L1AdvanceGasCap({
        provider: config.l1Provider,
        rollupAddress: config.rollupAddress,
        head: this.head,
        // Its "blocks are built for advances of at most …" is the sequencer's concern: debug here.
        logger: {
          info: (message) => config.logger.debug(message),
          warn: (message) => config.logger.warn(message),
          error: (message) => config.logger.error(message),
          debug: (message) => config.logger.debug(message),
        },
      });
    this.lastScanned = config.fromBlock - 1;
    this.pool = new BlockCheckPool(config.checkThreads ?? defaultCheckThreads());
  }

  /** Proposals near the end of their window that are not settled (docs/design/challenger-verdicts.md). */
  get alerts(): readonly ChallengerAlert[] {
    return [...this.raised.values()];
  }

  /** Challenges this challenger won, in order. */
  get challenges(): readonly ChallengeOutcome[] {
    return this.won;
  }

  /** The account it challenges from, when its signer tells it without a call (a Wallet does). */
  get address(): string | undefined {
    const address = (this.config.signer as { address?: unknown }).address;
    return typeof address === "string" ? address : undefined;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopped = false;
    this.config.logger.info(
      `challenger watching ${this.config.rollupAddress} (deployed by L1 block ${this.config.fromBlock}) as ${this.describeSigner()}, checking on ${this.pool.size === 0 ? "the main thread" : plural(this.pool.size, "worker thread")}`,
    );
    this.warming = this.pool.warm();
    this.schedule(0);
  }

  /** Settles once the check threads `start` began loading are ready to check (at once without threads). */
  ready(): Promise<void> {
    return this.warming;
  }

  /** Stops polling, waits for the attempts under way, and stops the check threads. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.busy;
    await Promise.all(this.inFlight.values());
    await this.pool.close();
  }

  /** Reads new proposals, examines every pending one, and waits until each attempt is over; safe to call by hand (tests). */
  async poll(): Promise<void> {
    this.stopped = false;
    await this.tick();
    while (this.inFlight.size > 0) await Promise.all(this.inFlight.values());
  }

  /** Reads new proposals and starts examining every due one, without waiting for the checks. */
  private async tick(): Promise<void> {
    while (this.busy !== undefined) await this.busy;
    const work = this.pollOnce();
    this.busy = work.finally(() => {
      this.busy = undefined;
    });
    await this.busy;
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.tick()
        .catch((error: unknown) =>
          this.config.logger.warn(`challenger poll failed, retrying: ${(error as Error).message}`),
        )
        .finally(() => this.schedule(this.config.pollIntervalMs ?? DEFAULT_L1_POLL_MS));
    }, ms);
  }

  /** Number of proposals still queued: not yet judged valid, challenged, removed or final. */
  get pending(): number {
    return this.queue.length;
  }

  private async pollOnce(): Promise<void> {
    // Beside the scan, not before each challenge: a challenge is sent without an extra L1 round trip.
    const reading = this.readsL1GasCap ? this.readL1GasCap() : Promise.resolve();
    // One read of the L1 head, begun now, for both the scan's end and the L1 clock (shared with
    // the node's other pollers that ask meanwhile).
    const latest = await this.head.latest(0);
    const window = (this.window ??= (await this.rollup.CHALLENGE_WINDOW()) as bigint);
    await this.forgetReorganised(latest);
    // At a start (and after a reorg deeper than the hashes kept) nothing read is known to hold:
    // the reading starts where proposals can still be challenged, not at the deployment block.
    if (this.kept.length === 0) await this.startAtWindow(latest, window);
    // Read before the scan, so that the scan queues no final proposal: the window's start is
    // found by L1 time, and the blocks read from there on hold proposals already final too.
    const head = await this.rollup.headNumber();
    await this.scan(latest, head);
    this.rescanKnown = undefined;
    await reading;
    const l1Time = BigInt(latest.timestamp);
    // Soonest-closing window first; a proposal waiting for a retry or a check does not hold up the others.
    this.queue.sort(soonestFirst);
    const margin = window / ALERT_WINDOW_DIVISOR;
    for (const entry of [...this.queue]) {
      // Final blocks can no longer be challenged.
      if (entry.proposal.number <= head) {
        if (!this.inFlight.has(entry)) this.drop(entry);
        continue;
      }
      // The window has closed on L1: every challenge would revert, so checking it is wasted time.
      if (l1Time >= entry.proposal.closesAt) {
        if (this.inFlight.has(entry)) continue;
        const p = entry.proposal;
        if (entry.verdict === undefined && entry.queuedAt >= p.closesAt)
          this.config.logger.warn(
            `L2 block ${p.number}: its challenge window had closed (at L1 time ${p.closesAt}) before this challenger first read it (L1 time ${entry.queuedAt}): it can no longer be challenged, so it is not checked; it finalizes with the rollup's next finalize`,
          );
        else if (entry.verdict === undefined)
          this.config.logger.error(
            `L2 block ${p.number}: its challenge window closed (at L1 time ${p.closesAt}) before it could be checked${entry.lastFailure === undefined ? "" : ` (${entry.lastFailure})`}`,
          );
        else if (entry.verdict.kind === "invalid")
          this.config.logger.error(
            `L2 block ${p.number}: its challenge window closed (at L1 time ${p.closesAt}) and the INVALID block was not removed: it can finalize${entry.lastFailure === undefined ? "" : ` (${entry.lastFailure})`}`,
          );
        this.drop(entry);
        continue;
      }
      if (l1Time + margin >= entry.proposal.closesAt && !this.raised.has(entry)) this.raise(entry, l1Time);
    }
    this.dispatch();
  }

  /** Takes `entry` out of the queue, with its alert. */
  private drop(entry: Pending): void {
    const index = this.queue.indexOf(entry);
    if (index >= 0) this.queue.splice(index, 1);
    this.raised.delete(entry);
  }

  /** Raises the alert for an unsettled proposal in the last part of its window: once, at error level. */
  private raise(entry: Pending, l1Time: bigint): void {
    const p = entry.proposal;
    const alert: ChallengerAlert = {
      number: p.number,
      blockHash: p.blockHash,
      closesAt: p.closesAt,
      state: entry.verdict === undefined ? "unjudged" : "unchallenged",
      reason: entry.lastFailure ?? (entry.verdict === undefined ? "its check has not finished" : "not removed yet"),
    };
    this.raised.set(entry, alert);
    this.config.logger.error(
      `ALERT L2 block ${p.number} (${p.blockHash}): its challenge window closes in ${p.closesAt - l1Time} s (L1 time ${p.closesAt}) and it is ${alert.state === "unjudged" ? "not judged yet" : "INVALID and not removed yet"}: ${alert.reason}`,
    );
  }

  /**
   * Starts attempts at the due proposals, soonest-closing window first, at most a few per check
   * thread at a time (a backlog of thousands must not become thousands of concurrent L1 reads);
   * each attempt that ends starts the next.
   */
  private dispatch(): void {
    if (this.stopped) return;
    const cap = IN_FLIGHT_PER_THREAD * Math.max(1, this.pool.size);
    for (const entry of this.queue) {
      if (this.inFlight.size >= cap) return;
      if (this.inFlight.has(entry) || Date.now() < entry.retryAt) continue;
      const attempt = this.attempt(entry).finally(() => {
        this.inFlight.delete(entry);
        this.dispatch();
      });
      this.inFlight.set(entry, attempt);
    }
  }

  /** Examines `entry` and settles it: out of the queue when done, else back-off before the next attempt. */
  private async attempt(entry: Pending): Promise<void> {
    let attempt: Attempt;
    try {
      attempt = await this.examine(entry);
    } catch (error) {
      // Only what cannot be a verdict lands here (an L1 read failed, a check thread died): the
      // verdict itself is total (judgeBlock), so a retry is for a transient cause.
      entry.lastFailure = `examining it failed: ${reasonOf(error)}`;
      this.note(
        entry,
        `examine:${entry.lastFailure}`,
        "warn",
        `L2 block ${entry.proposal.number}: ${entry.lastFailure}; retrying with back-off`,
      );
      attempt = "retry";
    }
    if (attempt === "done") {
      this.drop(entry);
      return;
    }
    entry.failures += 1;
    const base = this.config.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
    const most = this.config.maxRetryDelayMs ?? DEFAULT_MAX_RETRY_DELAY_MS;
    entry.retryAt = Date.now() + Math.min(most, base * 2 ** Math.min(entry.failures - 1, 30));
  }

  /** Logs `message` at `level` unless `entry` is already in `state` (a retry in the same state stays quiet). */
  private note(entry: Pending, state: string, level: "info" | "warn" | "error", message: string): void {
    if (entry.logged === state) return;
    entry.logged = state;
    this.config.logger[level](message);
  }

  /** The hash of L1 block `number`: the head's when it is the head (no second read of it). */
  private async hashOf(number: number, latest: Block): Promise<string | null | undefined> {
    if (number === latest.number && latest.hash !== null) return latest.hash;
    return (await this.config.l1Provider.getBlock(number))?.hash;
  }

  /**
   * Starts the reading at the first L1 block whose proposals can still be challenged, less
   * `windowMarginBlocks`, never below `fromBlock`. A proposal made at L1 time t can be challenged
   * while `block.timestamp < t + window`; every block after `latest` is later than it, so one made
   * at or before `latest.timestamp − window` can never be challenged again, and the blocks before
   * the first one after that time hold nothing a challenge can still remove.
   */
  private async startAtWindow(latest: Block, window: bigint): Promise<void> {
    const from = this.config.fromBlock;
    const margin = this.config.windowMarginBlocks ?? DEFAULT_WINDOW_MARGIN_BLOCKS;
    // A chain younger than the margin is read whole: no search.
    if (latest.number - margin <= from) {
      this.lastScanned = from - 1;
      return;
    }
    const cutoff = BigInt(latest.timestamp) - window;
    const open = await firstL1BlockAfter(this.config.l1Provider, cutoff, from, latest.number);
    const start = Math.max(from, open - margin);
    this.lastScanned = start - 1;
    this.config.logger.info(
      `reading proposals from L1 block ${start}: L1 block ${open} is the first whose proposals can still be challenged (made after L1 time ${cutoff}, the ${window} s window before L1 block ${latest.number}), ${start === from ? "the rollup's deployment block is" : "the margin is"} ${plural(open - start, "block")} below it`,
    );
  }

  /**
   * After an L1 reorg below the last scanned block, a proposal may have been mined on the new
   * branch at a height already read (a pending proposal the replacing block includes): only
   * block numbers above `lastScanned` were ever read, so it would finalize unchallenged. The
   * reading starts again after the fork point, the highest kept block still canonical (whose
   * hash commits to every block below it), as the follower walks back; after a reorg deeper than
   * the kept hashes, from the window's start (as at a start). Queued proposals stay: one the new
   * branch no longer holds is not provisional on L1, and its examination ends there.
   */
  private async forgetReorganised(latest: Block): Promise<void> {
    const changed = this.kept.at(-1);
    if (changed === undefined || (await this.hashOf(changed.number, latest)) === changed.hash) return;
    this.kept.pop();
    while (this.kept.length > 0) {
      const point = this.kept[this.kept.length - 1];
      if ((await this.hashOf(point.number, latest)) === point.hash) break;
      this.kept.pop();
    }
    const fork = this.kept.at(-1);
    this.lastScanned = fork === undefined ? this.config.fromBlock - 1 : fork.number;
    this.config.logger.warn(
      `L1 reorg: block ${changed.number} is no longer ${changed.hash}; reading the proposals again ${fork === undefined ? `from the first L1 block whose proposals can still be challenged (none of the ${KEPT_L1_HASHES} blocks kept is still canonical)` : `from L1 block ${fork.number + 1} (block ${fork.number} is still ${fork.hash})`}`,
    );
    this.rescanKnown = new Map(this.queue.map((entry) => [proposalKey(entry.proposal), entry]));
  }

  /** Reads the proposals of L1 blocks up to `latest`, leaving out those of blocks final at `head` (no challenge can remove them). */
  private async scan(latest: Block, head: bigint): Promise<void> {
    const range = this.config.maxLogRange ?? DEFAULT_L1_LOG_RANGE;
    while (this.lastScanned < latest.number) {
      const from = this.lastScanned + 1;
      const to = Math.min(latest.number, from + range - 1);
      // The range's last hash is read before its logs (the head's is already known): a reorg
      // between the two reads leaves a kept hash that the next poll finds changed.
      const hash = await this.hashOf(to, latest);
      if (hash === null || hash === undefined)
        throw new ChallengerError(
          `the L1 has no block ${to} (below its head ${latest.number} a moment ago)`,
          "an L1 reorg shortened the chain during the poll: the next poll reads again",
        );
      const logs = await this.config.l1Provider.getLogs({
        address: this.config.rollupAddress,
        topics: [[PROPOSAL_DATA_TOPIC, BLOCK_PROPOSED_TOPIC]],
        fromBlock: from,
        toBlock: to,
      });
      /** Window closes by transaction and block number, from BlockProposed (logged just before its ProposalData). */
      const closes = new Map<string, bigint>();
      for (const log of logs) {
        const parsed = OPTIMISTIC_ROLLUP_INTERFACE.parseLog(log);
        if (parsed === null) continue;
        if (parsed.name === "BlockProposed") {
          closes.set(`${log.transactionHash}:${parsed.args.number}`, parsed.args.finalizableAt as bigint);
          continue;
        }
        if (parsed.name !== "ProposalData" || (parsed.args.number as bigint) <= head) continue;
        const proposal: Proposal = {
          number: parsed.args.number as bigint,
          blockHash: String(parsed.args.blockHash),
          parentHeader: getBytes(parsed.args.parentHeader as string),
          block: getBytes(parsed.args.block_ as string),
          witness: getBytes(parsed.args.witness as string),
          l1TransactionHash: log.transactionHash,
          // Without its BlockProposed (never, from this contract) it is treated as closing at once: checked first.
          closesAt: closes.get(`${log.transactionHash}:${parsed.args.number}`) ?? 0n,
        };
        const known = this.rescanKnown?.get(proposalKey(proposal));
        if (known !== undefined) {
          // Mined again on the new branch: the same data, but its window closes from its new block.
          known.proposal = proposal;
          continue;
        }
        this.queue.push({ proposal, failures: 0, retryAt: 0, queuedAt: BigInt(latest.timestamp) });
      }
      this.lastScanned = to;
      this.kept.push({ number: to, hash });
      if (this.kept.length > KEPT_L1_HASHES) this.kept.shift();
    }
  }

  /**
   * Examines one proposal: "retry" while it is a provisional block that EXECUTE rejects for the
   * proposer's fault and no challenge has removed it yet; "done" otherwise.
   */
  private async examine(entry: Pending): Promise<Attempt> {
    const p = entry.proposal;
    const log = this.config.logger;
    const record = await this.provisionalRecord(p.number);
    if (record === undefined || record.blockHash !== p.blockHash) {
      log.debug(`L2 block ${p.number} (${p.blockHash}) is no longer provisional: nothing to check`);
      return "done";
    }
    if (keccak256(p.block) !== record.dataHash || keccak256(p.witness) !== record.witnessHash) {
      log.warn(
        `L2 block ${p.number}: the ProposalData of ${p.l1TransactionHash} does not match the record (dataHash / witnessHash); skipping`,
      );
      return "done";
    }
    const input: CheckInput = {
      chainId: this.config.l2ChainId,
      parentHeader: p.parentHeader,
      block: p.block,
      witness: p.witness,
      writes: this.config.l2WriteRules,
    };
    if (entry.verdict === undefined) {
      log.info(
        `checking L2 block ${p.number} (${p.blockHash}) proposed in ${p.l1TransactionHash}: re-executing with its committed witness (${p.witness.length} B)`,
      );
      entry.verdict = await this.pool.judge(input, p.closesAt);
    }
    const verdict = entry.verdict;
    if (verdict.kind === "valid") {
      log.info(`L2 block ${p.number} is valid: EXECUTE would accept it, no challenge`);
      return "done";
    }
    if (verdict.kind === "unchecked") {
      log.warn(
        `L2 block ${p.number} could not be checked: ${executeErrorName(verdict.code)}=${verdict.code} "${verdict.reason}"; not challenging`,
      );
      return "done";
    }
    if (!entry.announced)
      log.warn(
        `L2 block ${p.number} is INVALID: ${executeErrorName(verdict.code)}=${verdict.code} "${verdict.reason}"; challenging it`,
      );
    entry.announced = true;
    return this.inSendingOrder(entry, () => this.challenge(entry, input));
  }

  /** Runs `send` when no other challenge is being sent and no waiting one's window closes sooner. */
  private async inSendingOrder(entry: Pending, send: () => Promise<Attempt>): Promise<Attempt> {
    await new Promise<void>((go) => {
      this.toSend.push({ entry, go });
      this.sendNext();
    });
    try {
      return await send();
    } finally {
      this.sending = false;
      this.sendNext();
    }
  }

  private sendNext(): void {
    if (this.sending || this.toSend.length === 0) return;
    this.toSend.sort((a, b) => soonestFirst(a.entry, b.entry));
    const next = this.toSend.shift();
    this.sending = true;
    next?.go();
  }

  private async provisionalRecord(
    number: bigint,
  ): Promise<{ blockHash: string; dataHash: string; witnessHash: string } | undefined> {
    try {
      const record = await this.rollup.provisionalBlock(number);
      return { blockHash: record.blockHash, dataHash: record.dataHash, witnessHash: record.witnessHash };
    } catch (error) {
      const data = revertDataOf(error);
      if (data !== undefined && decodeRollupRevert(data)?.name === "NotProvisional") return undefined;
      throw error;
    }
  }

  /**
   * Confirms the verdict with the real EXECUTE (a call), then sends the challenge. The call only
   * stops it for a reason that holds for the mined transaction too (`SIMULATION_ONLY_CODES`, and
   * transport errors, do not); "retry" while the block stays provisional and the challenge has
   * not won.
   */
  private async challenge(entry: Pending, input: CheckInput): Promise<Attempt> {
    const p = entry.proposal;
    const log = this.config.logger;
    const l2Gas = challengeL2Gas(input.block);
    const executeGas = executeGasCost(executeInputLength({ ...input, proofs: new Uint8Array() }), l2Gas);
    const bound = challengeGasBound(input.parentHeader.length + input.block.length + input.witness.length, l2Gas);
    // An explicit limit (estimating would re-run EXECUTE many times), never above what an L1
    // block can include now: a transaction over the L1's block gas limit is never mined.
    const includable = this.l1GasCap.sendCap();
    const overLimit = bound > includable;
    const overrides = { gasLimit: overLimit ? includable : bound };
    if (overLimit)
      // `propose` refuses a proposal whose challenge could need more than the L1's limit less a
      // 32nd, which the limit cannot lose within 32 L1 blocks: it fell further since the proposal.
      this.note(
        entry,
        `over-l1-gas-limit:${includable}`,
        "error",
        `challenge of L2 block ${p.number} could need up to ${bound} L1 gas, more than the ${includable} an L1 block can include now (the L1's block gas limit fell since the proposal, beyond the margin propose keeps): trying it with a gas limit of ${includable}, which wins if it needs less than its bound`,
      );
    const args = [p.number, input.parentHeader, input.block, input.witness, executeGas] as const;
    let unconfirmed = false;
    try {
      await this.rollup.challenge.staticCall(...args, overrides);
    } catch (error) {
      const data = revertDataOf(error);
      const decoded = data === undefined ? undefined : decodeRollupRevert(data);
      const code = decoded?.name === "ChallengeFailed" ? Number(decoded.args[0]) : undefined;
      const text = decoded?.text ?? reasonOf(error);
      if (decoded !== undefined && (code === undefined || !SIMULATION_ONLY_CODES.has(code))) {
        log.error(
          `challenge of L2 block ${p.number} would fail on L1 for a reason the mined transaction meets too, not sending it: ${text}`,
        );
        return "done";
      }
      // Once per proposal: an unconfirmed challenge that reverted on chain is not sent again unconfirmed.
      if (entry.unconfirmedReverted === true) {
        entry.lastFailure = `its unconfirmed challenge reverted on chain, and a call still cannot confirm one (${text})`;
        this.note(
          entry,
          `unconfirmed-held:${code ?? "rpc"}`,
          "error",
          `challenge of L2 block ${p.number} could not be confirmed by a call (${text}); not sending it unconfirmed again (the last one reverted on chain), retrying the call with back-off while it stays provisional`,
        );
        return "retry";
      }
      // A simulation limit or a transport error: the mined transaction (bounded gas) decides.
      unconfirmed = true;
      this.note(
        entry,
        `unconfirmed:${code ?? "rpc"}`,
        "warn",
        `challenge of L2 block ${p.number} could not be confirmed by a call (${text}); sending it anyway`,
      );
    }
    let receipt: TransactionReceipt | null;
    try {
      const tx = await this.rollup.challenge(...args, overrides);
      log.info(
        `challenge of L2 block ${p.number} sent in ${tx.hash} (EXECUTE gas ${executeGas}, gas limit ${overrides.gasLimit})`,
      );
      receipt = await tx.wait();
    } catch (error) {
      const data = revertDataOf(error);
      const decoded = data === undefined ? undefined : decodeRollupRevert(data);
      const text = decoded?.text ?? reasonOf(error);
      // Still provisional (e.g. the mined call met a spent EXECUTE budget, or the node dropped the
      // transaction): try again with back-off; a deterministic failure shows in the next pre-flight call.
      if ((await this.provisionalRecord(p.number))?.blockHash !== p.blockHash) return "done";
      const receipt = (error as { receipt?: { gasUsed?: bigint } }).receipt;
      entry.lastFailure = `its challenge failed: ${text}`;
      if (unconfirmed && receipt !== undefined) {
        entry.unconfirmedReverted = true;
        log.error(
          `challenge of L2 block ${p.number} (${p.blockHash}), sent unconfirmed after its call could not confirm it, reverted on chain${receipt.gasUsed === undefined ? "" : ` (L1 gas ${receipt.gasUsed})`}: ${text}; it is not sent again unconfirmed, only once a call confirms it`,
        );
        return "retry";
      }
      this.note(
        entry,
        `failed:${decoded?.name ?? "rpc"}`,
        "error",
        `challenge of L2 block ${p.number} failed: ${text}; retrying with back-off while it stays provisional`,
      );
      return "retry";
    }
    for (const entry of receipt?.logs ?? []) {
      const parsed = OPTIMISTIC_ROLLUP_INTERFACE.parseLog(entry);
      if (parsed?.name !== "BlockChallenged") continue;
      const outcome: ChallengeOutcome = {
        number: parsed.args.number as bigint,
        blockHash: String(parsed.args.blockHash),
        code: Number(parsed.args.code),
        reason: String(parsed.args.reason),
        removed: parsed.args.removed as bigint,
        reward: parsed.args.reward as bigint,
        l1TransactionHash: entry.transactionHash,
      };
      this.won.push(outcome);
      log.info(
        `challenge WON: L2 block ${outcome.number} removed with ${plural(outcome.removed - 1n, "descendant")}; EXECUTE said ${executeErrorName(outcome.code)}=${outcome.code} ` +
          `"${outcome.reason}"; reward ${formatEther(outcome.reward)} ETH (L1 block ${receipt?.blockNumber}, L1 gas ${receipt?.gasUsed})`,
      );
    }
    return "done";
  }

  /** Reads the L1's block gas limit again; a failed read keeps the last one (2^24 before the first). */
  private async readL1GasCap(): Promise<void> {
    try {
      await this.l1GasCap.refresh();
      this.l1GasCapFailing = false;
    } catch (error) {
      if (!this.l1GasCapFailing)
        this.config.logger.warn(
          `could not read the L1's block gas limit, challenging within ${this.l1GasCap.sendCap()}: ${reasonOf(error)}`,
        );
      this.l1GasCapFailing = true;
    }
  }

  private describeSigner(): string {
    return this.address ?? "its signer";
  }
}
