import type { ProducedBlock } from "../l2/types";

/** What the proof source returns for one block. */
export interface BlockProofs {
  readonly encoded: Uint8Array;
  /** Names of the proof types that delivered (empty: re-execute from the witness). */
  readonly provenBy: readonly string[];
  /**
   * The proof types that failed on this block, each `name: reason` (an attester down, a prover
   * that refused): the submitter names them, since a shortfall's count alone does not say which
   * prover to look at.
   */
  readonly failures?: readonly string[];
}

/** Optimistic mode's options: how often to finalize, when to withdraw returned bonds. */
export interface OptimisticSubmitConfig {
  /** How often to look for provisional blocks past their window (default DEFAULT_FINALIZE_EVERY_MS). */
  readonly finalizeEveryMs?: number;
  /** Withdraw returned bonds once they reach this many bonds (the finalizer's default). */
  readonly withdrawAfterBonds?: bigint;
}

/**
 * How the submitter gets its blocks accepted, one of three, chosen once: the invalid combination
 * (proofs for an optimistic rollup) cannot be written.
 *
 * - `re-execution`: `advance` with the block's witness; EXECUTE re-executes it.
 * - `proofs`: `advance` with proofs from `proofs` (`abi.encode(ExecutionProof[])`), counted against
 *   the rollup's policy before sending: when they meet its threshold the block goes without its
 *   witness — accepted on proofs alone, at a cost that does not grow with the block; below it, with
 *   its witness for re-execution if the policy allows it, and not at all if not.
 * - `optimistic` (an OptimisticRollup): `propose` every block with the contract's bond, and finalize
 *   provisional blocks once their challenge window has closed. `lastAccepted` then tracks the final
 *   head; `onAccepted` is not called (nothing is executed on L1).
 */
export type SubmissionMode =
  | { readonly kind: "re-execution" }
  | { readonly kind: "proofs"; readonly proofs: (produced: ProducedBlock) => Promise<BlockProofs> }
  | ({ readonly kind: "optimistic" } & OptimisticSubmitConfig);

/** The mode when none is given. */
export const DEFAULT_SUBMISSION_MODE: SubmissionMode = { kind: "re-execution" };

/** How often the optimistic submitter looks for provisional blocks to finalize, by default. */
export const DEFAULT_FINALIZE_EVERY_MS = 1_000;
