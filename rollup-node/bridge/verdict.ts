import { ExecuteError, ExecuteErrorCode, type WriteRules, isBlockInvalid, verifyBlock } from "../../precompiles/verify";

/** What local re-execution says of a posted block with its committed witness (codes are EXECUTE's). */
export type Verdict =
  | { readonly kind: "valid" }
  /** EXECUTE could not check it for a reason that is not the proposer's: a challenge would fail. */
  | { readonly kind: "unchecked"; readonly code: number; readonly reason: string }
  /** EXECUTE finds the block invalid (code >= 64) or its committed witness or block unusable: a challenge wins. */
  | { readonly kind: "invalid"; readonly code: number; readonly reason: string };

/** The input of one check: exactly what a challenge passes EXECUTE. */
export interface CheckInput {
  readonly chainId: bigint;
  readonly parentHeader: Uint8Array;
  readonly block: Uint8Array;
  readonly witness: Uint8Array;
  /**
   * The L2 chain's write rules (its genesis's `writeRules`; per block from genesis when absent),
   * as the L1's EXECUTE is configured with them: a witness recorded under one rule can be
   * WitnessIncomplete under another, which the contract counts as the proposer's fault.
   */
  readonly writes?: WriteRules;
}

/**
 * Whether EXECUTE's failure on a proposal's committed block and witness is the proposer's fault,
 * so that a challenge wins (OptimisticRollup's `_isProposerFault`): the block is invalid, or the
 * committed witness (or block) cannot be used. OutOfGas (and the retired BudgetExhausted) are the
 * challenger's circumstances: the same challenge can be sent again with more gas or later.
 */
export function isProposerFault(code: number): boolean {
  return (
    isBlockInvalid(code as ExecuteErrorCode) ||
    code === ExecuteErrorCode.WitnessIncomplete ||
    code === ExecuteErrorCode.MalformedInput
  );
}

/**
 * Re-executes `block` on `parentHeader` as EXECUTE would, and says whether a challenge would win.
 * Kept free of the node's L1 and contract modules: the challenger's worker threads load only this.
 *
 * Total, like EXECUTE: a failure of the verifier that is not an ExecuteError (a decoder or
 * library throwing on input it did not expect) is what EXECUTE answers for it — MalformedInput
 * (precompiles/precompile.ts), which the contract counts as the proposer's fault. The verifier is a
 * pure function of the input, so such a failure is no more transient here than on L1: retrying it
 * "later" would only let the window close (attack review S3).
 */
export async function judgeBlock(params: CheckInput): Promise<Verdict> {
  try {
    await verifyBlock(params);
    return { kind: "valid" };
  } catch (error) {
    if (!(error instanceof ExecuteError))
      return {
        kind: "invalid",
        code: ExecuteErrorCode.MalformedInput,
        reason: `EXECUTE failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`,
      };
    return isProposerFault(error.code)
      ? { kind: "invalid", code: error.code, reason: error.message }
      : { kind: "unchecked", code: error.code, reason: error.message };
  }
}
