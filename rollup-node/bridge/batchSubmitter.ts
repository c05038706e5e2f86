// The batch submitter: one class for the node, the mode's submitter inside. Re-execution and proof
// mode `advance` (./advanceSubmitter.ts); optimistic mode `propose`s (./proposeSubmitter.ts); both
// run the shared loop (./submissionLoop.ts) and classify reverts by ./revertClass.ts.
import { AdvanceSubmitter } from "./advanceSubmitter";
import type { DecodedRevert } from "./contracts";
import type { BridgeError } from "./errors";
import { ProposeSubmitter } from "./proposeSubmitter";
import { classifyRevert } from "./revertClass";
import type { SubmitterWaitError } from "./submissionErrors";
import type { AcceptedBlock, BatchSubmitterConfig, SubmissionLoop } from "./submissionLoop";
import { DEFAULT_SUBMISSION_MODE } from "./submissionMode";

export { ADVANCE_GAS_LIMIT, ADVANCE_GAS_MARGIN } from "./advanceSubmitter";
export { PROPOSE_GAS_MARGIN } from "./proposeSubmitter";
export {
  ConsensusSplitError,
  NotYetSequencerError,
  RebuildRequiredError,
  TransientBridgeError,
} from "./submissionErrors";
export {
  type AcceptedBlock,
  type BatchSubmitterConfig,
  MAX_REBUILDS_PER_BLOCK,
  type RetryPolicy,
  type SubmitterRebase,
} from "./submissionLoop";
export type { BlockProofs, OptimisticSubmitConfig, SubmissionMode } from "./submissionMode";

/**
 * What a decoded revert of a simulated (or mined) transaction means for the submitter: "retry" when
 * a later attempt can pass (L1 moved on, time or the queue catches up, sequencing opens later, the
 * block is rebuilt), "halt" when no later attempt can (the block is invalid, L1 cannot verify it,
 * the key may never advance). The full classes: ./revertClass.ts.
 */
export function submissionVerdict(decoded: DecodedRevert): "retry" | "halt" {
  const verdict = classifyRevert(decoded, false);
  return verdict.kind === "halt" ? "halt" : "retry";
}

/**
 * Submits every L2 block the sequencer produces to the rollup contract, in order, in the
 * configured mode (`advance` by re-execution or on proofs, or `propose` optimistically).
 * Restart-safe and idempotent: what to submit is always derived from the rollup's head (or tip)
 * on L1 and the sequencer's stored blocks, so nothing is submitted twice and nothing is skipped.
 */
export class BatchSubmitter {
  private readonly submitter: SubmissionLoop;

  constructor(config: BatchSubmitterConfig) {
    const mode = config.mode ?? DEFAULT_SUBMISSION_MODE;
    this.submitter =
      mode.kind === "optimistic"
        ? new ProposeSubmitter(config, mode)
        : new AdvanceSubmitter(config, mode.kind === "proofs" ? mode.proofs : undefined);
  }

  /** Why the submitter stopped for good, if it did. */
  get haltReason(): BridgeError | undefined {
    return this.submitter.haltReason;
  }

  /** Why the submitter is waiting without sending (its key cannot pay now), if it is. */
  get waitReason(): SubmitterWaitError | undefined {
    return this.submitter.waitReason;
  }

  /** The last L2 block number this submitter saw accepted on L1 (-1 before the first check). */
  get lastAccepted(): bigint {
    return this.submitter.lastAccepted;
  }

  /** Every block this submitter got accepted, in order (for benchmarks and status). */
  get accepted(): readonly AcceptedBlock[] {
    return this.submitter.accepted;
  }

  start(): void {
    this.submitter.start();
  }

  /**
   * Stops for good with `reason` (an L2 devnet detached from L1: docs/design/l2-dev-state.md).
   * An `advance` already sent is left to L1; nothing is sent, and no rebase runs, after this.
   */
  standDown(reason: BridgeError): void {
    this.submitter.standDown(reason);
  }

  /** Stops after the current attempt; a transaction already sent is left to L1. */
  stop(): Promise<void> {
    return this.submitter.stop();
  }

  /** Resolves once L1 has accepted block `number` (or rejects when the submitter halts or times out). */
  waitForAccepted(number: bigint, timeoutMs?: number): Promise<void> {
    return this.submitter.waitForAccepted(number, timeoutMs);
  }

  /**
   * Submits the next block L1 lacks, if the sequencer has it. Returns true when something
   * happened (a block accepted, or L1 moved on), false when there is nothing to do.
   */
  submitNext(): Promise<boolean> {
    return this.submitter.submitNext();
  }

  /** Makes the local chain hold L1's head before the node builds on it (does nothing without `rebase`). */
  catchUp(): Promise<void> {
    return this.submitter.catchUp();
  }
}
