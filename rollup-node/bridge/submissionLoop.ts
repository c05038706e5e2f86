// The loop both submitters share (./advanceSubmitter.ts, ./proposeSubmitter.ts): what to do after
// each attempt — retry with back-off, wait for funds, rebuild, or halt — and the checks every
// submission makes (authorization, funds, an in-flight transaction, a rebase on L1's chain).
import { MaxUint256, type Signer } from "ethers";

import { ExecuteErrorCode } from "../../precompiles";
import type { Logger } from "../logger";
import type { ProducedBlock, RebaseReport, SequencerApi } from "../l2/types";
import { DerivationMismatchError } from "../follower/errors";
import type { AdvanceGasCap } from "./advanceGasCap";
import { sequencingOpensAt } from "./authorization";
import { type DecodedRevert, type RollupContract, connectRollup, decodeRollupRevert, revertDataOf } from "./contracts";
import { BlockRejectedError, BridgeError, RequiredMessagesNotBuiltError } from "./errors";
import { explainL1ReadFailure } from "./l1Watcher";
import { type L1BlockRef, RebaseError } from "./rebase";
import { classifyRevert } from "./revertClass";
import {
  ConsensusSplitError,
  ExecuteUnavailableError,
  FeeAboveFundsError,
  L1MovedOnError,
  NotSequencerError,
  NotYetSequencerError,
  RebuildRequiredError,
  SubmitterWaitError,
  TransientBridgeError,
  UnfundedSubmitterError,
} from "./submissionErrors";
import type { SubmissionMode } from "./submissionMode";
import { describeSendError, replayedRevertData } from "./txErrors";
import { type WriteRulesWatch, WriteRulesMismatchWaitError } from "./writeRulesAgreement";

export interface RetryPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

export interface BatchSubmitterConfig {
  readonly sequencer: Pick<SequencerApi, "producedBlock" | "onBlock">;
  readonly rollupAddress: string;
  /** The L1 account that submits (the rollup's SEQUENCER), connected to an L1 provider. */
  readonly signer: Signer;
  readonly logger: Logger;
  /** How blocks are accepted (DEFAULT_SUBMISSION_MODE, re-execution, when not given). */
  readonly mode?: SubmissionMode;
  /**
   * Gas limit of each `advance` transaction. By default derived from EXECUTE's charge, the calldata
   * and the contract's work (./advanceGas.ts, at most the Osaka cap): what the key must hold is
   * priced at what the transaction uses, not at the cap.
   */
  readonly gasLimit?: bigint;
  /**
   * What one `advance` may use on this L1 (./advanceGasCap.ts), read again before every `advance`:
   * the derived limit is sent within it, and a block that no longer fits is rebuilt (or waited
   * on, without `rebase`). EIP-7825's 2^24 when absent.
   */
  readonly advanceGasCap?: AdvanceGasCap;
  readonly retry?: RetryPolicy;
  /** Checks L1 at least this often even without new L2 blocks. */
  readonly idlePollMs?: number;
  /** How long to wait for a receipt before checking the transaction again. */
  readonly receiptTimeoutMs?: number;
  /** Called once when the submitter stops for good (a rejected block, a diverged chain). */
  readonly onHalt?: (error: BridgeError) => void;
  /** Called for every block L1 accepted from this submitter. */
  readonly onAccepted?: (accepted: AcceptedBlock) => void;
  /**
   * Rebase on L1's chain when L1's head is not a local block (someone else advanced the rollup,
   * or this node is behind it): docs/design/rebase-and-takeover.md. Without it a diverged head
   * stops the submitter (ChainDivergedError), as before, and a block that must be rebuilt
   * (docs/design/submitter-recovery.md) is rejected for good.
   */
  readonly rebase?: SubmitterRebase;
  /** The newest accepted blocks `accepted` lists; DEFAULT_ACCEPTED_LOG_ENTRIES when absent. */
  readonly acceptedLogEntries?: number;
  /**
   * Whether the L1's EXECUTE applies the node's write rules (./writeRulesAgreement.ts): read
   * before each round (memory, not L1), and asked again when L1 refuses a block as
   * WitnessIncomplete. While they differ nothing is sent (WriteRulesMismatchWaitError).
   */
  readonly writeRules?: Pick<WriteRulesWatch, "mismatch" | "check">;
}

/**
 * Accepted blocks the submitter remembers (`accepted`): the dashboard shows the newest few dozen
 * and benchmarks read a run's worth; every block ever accepted is on L1 (its BlockAccepted event).
 * Unbounded, a node accepting a block a second grew by a few KB a second (#14).
 */
export const DEFAULT_ACCEPTED_LOG_ENTRIES = 1024;

/** How the submitter reads the local chain and rebases it on L1's (bridge/rebase.ts). */
export interface SubmitterRebase {
  /** The local hash of block `number`, lower-case hex; undefined past the head. */
  localHash(number: bigint): string | undefined;
  /** Makes L1's `head` the local chain's (re-deriving what L1 accepted, dropping own unaccepted blocks). */
  onto(head: L1BlockRef): Promise<RebaseReport>;
}

/** What one accepted `advance` cost. */
export interface AcceptedBlock {
  readonly number: bigint;
  readonly blockHash: string;
  readonly l1TransactionHash: string;
  readonly l1BlockNumber: number;
  /** Receipt gas of the whole `advance` transaction (calldata, EXECUTE, the contract's checks). */
  readonly l1GasUsed: bigint;
  /** EXECUTE's share: its fixed charge for the input size. */
  readonly executeGas: bigint;
  readonly witnessBytes: number;
  readonly blockBytes: number;
  readonly transactions: number;
  readonly consumedMessages: number;
  /** Proof types the block was accepted on; empty when EXECUTE re-executed it. */
  readonly provenBy: readonly string[];
}

const DEFAULT_RETRY: RetryPolicy = { initialDelayMs: 250, maxDelayMs: 10_000 };
export const DEFAULT_IDLE_POLL_MS = 1_000;
export const DEFAULT_RECEIPT_TIMEOUT_MS = 60_000;

/** Rebuilds of one block number in a row before the submitter gives up: a rebuilt block rejected again is a bug, not L1 moving. */
export const MAX_REBUILDS_PER_BLOCK = 3;

/** L1's refusals of a block for the overdue messages it leaves (NativeRollup's `_checkSequencing`). */
const OVERDUE_REFUSALS = ["OverdueMessageLeft(", "OverdueMessageSkipped("] as const;

/** The rebuild was asked because L1 refused the block for the overdue messages it leaves. */
function isOverdueRefusal(error: RebuildRequiredError): boolean {
  return OVERDUE_REFUSALS.some((name) => error.reason.startsWith(name));
}

/** Why a block the node holds without a witness is rebuilt rather than sent. */
export const NO_WITNESS_REASON =
  "the node holds it without a witness: it was derived from L1, where its accepting call carried none, and L1 no longer has it";

/**
 * One submitter's loop: `submitNext` (the mode's step) until stopped or halted. Transient failures
 * are retried with exponential backoff; a key that cannot pay waits (SubmitterWaitError); a block
 * that must be rebuilt is dropped and rebuilt (RebuildRequiredError); a block L1 rejects for good
 * stops the submitter (loudly) without advancing past it.
 */
export abstract class SubmissionLoop {
  protected readonly rollup: RollupContract;
  protected readonly retry: RetryPolicy;
  /** A transaction sent but not yet seen mined: never send another for the same block meanwhile. */
  protected inFlight: { number: bigint; hash: string } | undefined;
  protected lastAcceptedNumber = -1n;
  protected readonly acceptedLog: AcceptedBlock[] = [];
  /** "advance" or "proposal", for the log. */
  protected abstract readonly action: string;
  private running = false;
  private halted: BridgeError | undefined;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private unsubscribe: (() => void) | undefined;
  /** True once the signer is known to be the rollup's SEQUENCER (no authorization probe needed). */
  private isSequencer: boolean | undefined;
  /** The opening time last logged while waiting for the rollup to let this signer advance. */
  private waitingFor: bigint | undefined;
  /** The block number last rebuilt and how many times in a row (MAX_REBUILDS_PER_BLOCK). */
  private rebuilds: { number: bigint; count: number } | undefined;
  /** Why the submitter is waiting (funds, a fee spike), until its next successful step. */
  private waiting: SubmitterWaitError | undefined;

  constructor(protected readonly config: BatchSubmitterConfig) {
    this.rollup = connectRollup(config.rollupAddress, config.signer);
    this.retry = config.retry ?? DEFAULT_RETRY;
  }

  /**
   * Submits the next block L1 lacks, if the sequencer has it. Returns true when something
   * happened (a block accepted, or L1 moved on), false when there is nothing to do.
   */
  abstract submitNext(): Promise<boolean>;

  /** Work done before each round whose failure never stops submitting (optimistic: finalization). */
  protected async beforeRound(): Promise<void> {}

  /** Why the submitter stopped for good, if it did. */
  get haltReason(): BridgeError | undefined {
    return this.halted;
  }

  /** Why the submitter is waiting without sending (its key cannot pay now), if it is. */
  get waitReason(): SubmitterWaitError | undefined {
    return this.waiting;
  }

  /** The last L2 block number this submitter saw accepted on L1 (-1 before the first check). */
  get lastAccepted(): bigint {
    return this.lastAcceptedNumber;
  }

  /** The newest blocks this submitter got accepted (at most `acceptedLogEntries`), in order (for benchmarks and status). */
  get accepted(): readonly AcceptedBlock[] {
    return this.acceptedLog;
  }

  /** Appends to `accepted`, letting the oldest entries go past its bound. */
  protected recordAccepted(accepted: AcceptedBlock): void {
    this.acceptedLog.push(accepted);
    const excess = this.acceptedLog.length - (this.config.acceptedLogEntries ?? DEFAULT_ACCEPTED_LOG_ENTRIES);
    if (excess > 0) this.acceptedLog.splice(0, excess);
  }

  start(): void {
    if (this.running || this.halted !== undefined) return;
    this.running = true;
    this.unsubscribe = this.config.sequencer.onBlock(() => this.wake?.());
    this.loop = this.run();
  }

  /** Stops for good with `reason`; see BatchSubmitter.standDown. */
  standDown(reason: BridgeError): void {
    if (this.halted !== undefined) return;
    this.halt(reason);
    this.wake?.();
  }

  /** True between start() and stop() or a halt: a wait that only a running loop should sit through ends when it turns false. */
  protected get isRunning(): boolean {
    return this.running;
  }

  /** True once stood down or halted: an attempt in progress sends nothing more and does not rebase. */
  protected get stopped(): boolean {
    return this.halted !== undefined;
  }

  /** Stops after the current attempt; a transaction already sent is left to L1. */
  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.wake?.();
    await this.loop;
  }

  /** Resolves once L1 has accepted block `number` (or rejects when the submitter halts or times out). */
  async waitForAccepted(number: bigint, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.lastAcceptedNumber < number) {
      if (this.halted !== undefined) throw this.halted;
      if (Date.now() > deadline)
        throw new BridgeError(
          "TIMEOUT",
          `L2 block ${number} was not accepted on L1 within ${timeoutMs} ms`,
          "check the submitter's log for retries",
        );
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /**
   * Makes the local chain hold L1's head before the node builds on it (a restart after a crash
   * mid-rebase, a take-over node behind L1, an old sequencer coming back): rebases when L1's
   * head is not a local block. Does nothing without `rebase`.
   */
  async catchUp(): Promise<void> {
    const rebase = this.config.rebase;
    if (rebase === undefined) return;
    const [head, headHash] = await Promise.all([this.rollup.headNumber(), this.rollup.headHash()]);
    if (rebase.localHash(head) !== headHash.toLowerCase())
      await this.rebaseOnto(rebase, { number: head, hash: headHash });
  }

  private async run(): Promise<void> {
    let delay = this.retry.initialDelayMs;
    while (this.running) {
      try {
        // Blocks recorded under the node's rules may be WitnessIncomplete on an L1 that applies others.
        // Memory in the steady state; while they differ each round (at the back-off) asks again,
        // so that an L1 given the node's rules back is sent to without waiting for the slow check.
        if (this.config.writeRules?.mismatch !== undefined) {
          const still = await this.config.writeRules.check("the submitter's wait on a mismatch");
          if (still !== undefined) throw new WriteRulesMismatchWaitError(still.error);
        }
        await this.beforeRound();
        const progressed = await this.submitNext();
        delay = this.retry.initialDelayMs;
        this.stopWaiting();
        if (!progressed) await this.sleep(this.config.idlePollMs ?? DEFAULT_IDLE_POLL_MS);
      } catch (thrown) {
        // Stood down during the attempt: its reason stays the one reported.
        if (this.halted !== undefined) return;
        let error = thrown;
        if (error instanceof RebuildRequiredError) {
          // Rebuilt: the next round sends the new block. A rebuild that fails is handled as its own error.
          error = await this.rebuildFrom(error).then(
            () => undefined,
            (failure: unknown) => failure,
          );
          if (error === undefined) continue;
        }
        if (error instanceof SubmitterWaitError) {
          // Not a halt: a top-up or a falling fee ends it, without a restart. Said once per cause.
          if (this.waiting?.code !== error.code) this.config.logger.warn(`${error.message} (hint: ${error.hint})`);
          this.waiting = error;
          await this.sleep(delay);
          delay = Math.min(delay * 2, this.retry.maxDelayMs);
          continue;
        }
        if (error instanceof BridgeError && !(error instanceof TransientBridgeError)) {
          this.halt(error);
          return;
        }
        if (error instanceof NotYetSequencerError) {
          // Not a failure: the policy's own schedule. Logged once per opening time.
          if (this.waitingFor !== error.openAt) this.config.logger.info(error.message);
          this.waitingFor = error.openAt;
          await this.sleep(error.retryAfterMs);
          continue;
        }
        if (error instanceof L1MovedOnError) {
          // A lost race (another submitter's block accepted first), not a failure of this node's
          // L1 connection: the next round rebases on L1's head and starts from the initial delay,
          // so a node that keeps losing races does not drift to the maximum back-off.
          this.config.logger.warn(`${error.message}; next round in ${this.retry.initialDelayMs} ms`);
          delay = this.retry.initialDelayMs;
          await this.sleep(delay);
          continue;
        }
        const why = error instanceof BridgeError ? error.message : await this.describeFailure(error);
        this.config.logger.warn(`${this.action} attempt failed, retrying in ${delay} ms: ${why}`);
        await this.sleep(delay);
        delay = Math.min(delay * 2, this.retry.maxDelayMs);
      }
    }
  }

  /**
   * A failed attempt's reason: an L1 without the rollup (reset, or another chain at the URL)
   * answers its calls with no data, which ethers reports as "could not decode result data": said
   * as such, as the L1 watcher says it.
   */
  private async describeFailure(error: unknown): Promise<string> {
    const provider = this.config.signer.provider;
    if (provider === null || provider === undefined) return describeSendError(error);
    const explained = await explainL1ReadFailure(provider, this.config.rollupAddress, error);
    return explained === (error as Error).message ? describeSendError(error) : explained;
  }

  /**
   * Drops the unaccepted blocks from `error.blockNumber` on (their transactions back to the pool)
   * so that the sequencer builds them again on L1's messages: a rebase onto the block's parent,
   * which is L1's head (or provisional tip) — the block was sent only because it follows it.
   * Without a rebase, or after MAX_REBUILDS_PER_BLOCK rebuilds of the same number in a row, the
   * block is rejected for good.
   */
  private async rebuildFrom(error: RebuildRequiredError): Promise<void> {
    const { blockNumber } = error;
    const rebase = this.config.rebase;
    const count = this.rebuilds?.number === blockNumber ? this.rebuilds.count + 1 : 1;
    const parentHash = rebase?.localHash(blockNumber - 1n);
    if (rebase !== undefined && parentHash !== undefined && count > MAX_REBUILDS_PER_BLOCK && isOverdueRefusal(error))
      throw new RequiredMessagesNotBuiltError(
        blockNumber,
        `${error.reason}, again after ${MAX_REBUILDS_PER_BLOCK} rebuilds`,
      );
    if (rebase === undefined || parentHash === undefined || count > MAX_REBUILDS_PER_BLOCK) {
      throw new BlockRejectedError(
        blockNumber,
        rebase === undefined
          ? `${error.reason} (this node cannot rebuild its blocks)`
          : `${error.reason}, again after ${MAX_REBUILDS_PER_BLOCK} rebuilds`,
        undefined,
      );
    }
    this.rebuilds = { number: blockNumber, count };
    this.inFlight = undefined;
    this.config.logger.warn(error.message);
    await this.rebaseOnto(rebase, { number: blockNumber - 1n, hash: parentHash });
  }

  private stopWaiting(): void {
    if (this.waiting === undefined) return;
    this.config.logger.info(`the submitter can send again: resuming (was: ${this.waiting.code})`);
    this.waiting = undefined;
  }

  private halt(error: BridgeError): void {
    this.halted = error;
    this.running = false;
    this.config.logger.error("==================================================================");
    this.config.logger.error(`BATCH SUBMISSION STOPPED: ${error.message}`);
    this.config.logger.error(`hint: ${error.hint}`);
    this.config.logger.error("==================================================================");
    this.config.onHalt?.(error);
  }

  /** Never sends a block without its witness (EXECUTE would reject it for good): its transactions go into a block of our own. */
  protected requireWitness(produced: ProducedBlock): void {
    if (produced.encodedWitness.length === 0) throw new RebuildRequiredError(produced.number, NO_WITNESS_REASON);
  }

  /** Rebases on L1's head; a foreign block that does not execute here stops the submitter. */
  protected async rebaseOnto(rebase: SubmitterRebase, head: L1BlockRef): Promise<void> {
    // Stood down meanwhile: a reverted devnet must not be rebased back onto L1's blocks.
    if (this.halted !== undefined) return;
    this.config.logger.warn(
      `L1's head is L2 block ${head.number} ${head.hash}, not a local block: rebasing on L1's chain`,
    );
    try {
      await rebase.onto(head);
    } catch (error) {
      if (error instanceof DerivationMismatchError) throw new ConsensusSplitError(error.message);
      if (error instanceof RebaseError && !error.retryable) throw error;
      throw new TransientBridgeError(
        `rebase on L1's block ${head.number} failed, retrying: ${(error as Error).message}`,
      );
    }
  }

  /**
   * Waits (without sending) until the rollup lets this signer advance, by the contract's own rule
   * (./authorization.ts): a take-over node under `fallback` sequencing may advance once per
   * inactivity period. The SEQUENCER itself is always allowed and is not asked.
   */
  protected async waitUntilAuthorized(next: bigint): Promise<void> {
    const signer = await this.config.signer.getAddress();
    this.isSequencer ??= (await this.rollup.SEQUENCER()).toLowerCase() === signer.toLowerCase();
    if (this.isSequencer) return;
    const rule = await sequencingOpensAt(this.rollup, signer);
    if (rule.status === "allowed") return;
    // The largest uint256 is the contract's "never" (permissioned sequencing): waiting would be for ever.
    if (rule.openAt === MaxUint256)
      throw new NotSequencerError(next, signer, `NotSequencer(${signer}, ${rule.openAt})`);
    const latest = await this.config.signer.provider?.getBlock("latest");
    const l1Now = BigInt(latest?.timestamp ?? 0);
    // L1 time moves with its blocks (and a devnet's may jump): asked again at least every idle poll.
    const idle = this.config.idlePollMs ?? DEFAULT_IDLE_POLL_MS;
    const waitMs = rule.openAt > l1Now ? Math.min(Number(rule.openAt - l1Now) * 1000, idle) : this.retry.initialDelayMs;
    throw new NotYetSequencerError(signer, rule.openAt, l1Now, waitMs);
  }

  /** True when the in-flight transaction is resolved (mined either way, or gone). */
  protected async settleInFlight(head: bigint): Promise<boolean> {
    const inFlight = this.inFlight as { number: bigint; hash: string };
    if (head >= inFlight.number) {
      this.inFlight = undefined;
      return true;
    }
    const receipt = await this.config.signer.provider?.getTransactionReceipt(inFlight.hash);
    const pending =
      receipt === null || receipt === undefined
        ? await this.config.signer.provider?.getTransaction(inFlight.hash)
        : undefined;
    if (receipt === null || receipt === undefined) {
      if (pending !== null && pending !== undefined)
        throw new TransientBridgeError(
          `${this.action} of L2 block ${inFlight.number} (${inFlight.hash}) is still pending on L1`,
        );
      this.inFlight = undefined; // dropped by L1: resubmit
      return false;
    }
    this.inFlight = undefined;
    return true;
  }

  /**
   * A proof shortfall (the block went on proofs that EXECUTE did not count): the error to retry
   * with when the block can be re-executed instead, undefined when it cannot. Only proof mode has one.
   */
  protected async onProofShortfall(_number: bigint, _decoded: DecodedRevert): Promise<Error | undefined> {
    return undefined;
  }

  /**
   * Turns a failed transaction into what the loop does with it, by the revert's class
   * (./revertClass.ts): a transient failure (retry), a rebuild, or a permanent rejection (halt).
   */
  protected async classify(number: bigint, error: unknown, proven: boolean): Promise<Error> {
    const data = revertDataOf(error) ?? (await this.replayRevert(error));
    const decoded: DecodedRevert | undefined = data === undefined ? undefined : decodeRollupRevert(data);
    if (decoded === undefined)
      return new TransientBridgeError(`${this.action} of L2 block ${number} failed: ${describeSendError(error)}`);
    const verdict = classifyRevert(decoded, proven);
    switch (verdict.kind) {
      case "proof-shortfall": {
        const retry = await this.onProofShortfall(number, decoded);
        if (retry !== undefined) return retry;
        break;
      }
      case "rebuild":
        return new RebuildRequiredError(number, decoded.text);
      case "transient":
        return this.transientError(number, decoded, verdict.cause);
      case "halt":
        if (verdict.code === "NO_EXECUTE") return new ExecuteUnavailableError(number, decoded.text);
        if (verdict.code === "NOT_SEQUENCER")
          return new NotSequencerError(number, await this.config.signer.getAddress(), decoded.text);
        break;
    }
    this.inFlight = undefined;
    // A witness the L1 finds incomplete may be the L1's rules, not the block: an L1 restarted under
    // other write rules refuses every block the node records under its own. Asked once, now.
    if (decoded.executeCode === ExecuteErrorCode.WitnessIncomplete && !proven) {
      const mismatch = await this.config.writeRules?.check(`L1 refusing L2 block ${number} as WitnessIncomplete`);
      if (mismatch !== undefined) return new WriteRulesMismatchWaitError(mismatch.error);
    }
    return new BlockRejectedError(number, decoded.text, decoded.executeCode);
  }

  private async transientError(
    number: bigint,
    decoded: DecodedRevert,
    cause: "moved-on" | "l1-behind" | "not-yet" | "execute-retry",
  ): Promise<TransientBridgeError> {
    if (decoded.name === "NotSequencer") {
      return new TransientBridgeError(
        `${await this.config.signer.getAddress()} may not advance L2 block ${number} before L1 time ${decoded.args[1] as bigint} (${decoded.text}); nothing sent, waiting`,
      );
    }
    if (cause === "moved-on") return new L1MovedOnError(this.action, number, decoded.text);
    if (cause === "l1-behind") {
      return new TransientBridgeError(
        `L2 block ${number} consumes L1 messages that L1 no longer has queued (an L1 reorg?), waiting for them: ${decoded.text}`,
      );
    }
    return new TransientBridgeError(`${this.action} of L2 block ${number} reverted, will retry: ${decoded.text}`);
  }

  /**
   * Refuses to send when the key cannot pay for `gasLimit` at the current fee (plus `value`): the
   * L1 node would refuse the transaction anyway, or, on a node that accepts it, leave it pending.
   * The same bound the L1 node applies (gasLimit × maxFeePerGas + value), so a funded key passes.
   * Neither outcome halts (SubmitterWaitError): below the cost at the base fee the key needs
   * funds (UNFUNDED), above it only the fee spike must pass (FEE_ABOVE_FUNDS).
   */
  protected async requireFunds(gasLimit: bigint, value: bigint): Promise<void> {
    const provider = this.config.signer.provider;
    if (provider === null) return;
    const address = await this.config.signer.getAddress();
    const [balance, fees, latest] = await Promise.all([
      provider.getBalance(address),
      provider.getFeeData(),
      provider.getBlock("latest"),
    ]);
    const offered = gasLimit * (fees.maxFeePerGas ?? fees.gasPrice ?? 0n) + value;
    if (balance >= offered) return;
    const base = gasLimit * (latest?.baseFeePerGas ?? fees.gasPrice ?? 0n) + value;
    if (balance < base) throw new UnfundedSubmitterError(address, balance, base);
    throw new FeeAboveFundsError(address, balance, offered);
  }

  /** A mined, failed transaction's revert data, learnt by replaying it (./txErrors.ts `replayedRevertData`). */
  protected async replayRevert(error: unknown): Promise<string | undefined> {
    return replayedRevertData(this.config.signer.provider, error);
  }

  protected sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
