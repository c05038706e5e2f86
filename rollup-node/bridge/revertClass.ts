// What a revert of `advance` / `propose` means for the batch submitter, as a pure function of the
// decoded revert: the table docs/design/submitter-recovery.md describes. Typed against the
// contracts' ABIs (TypeChain's `as const` ABIs): a Solidity error renamed or removed fails to
// compile here, instead of silently falling into the default class.
import { MaxUint256 } from "ethers";

import { ExecuteErrorCode } from "../../precompiles";
import type { Execute__factory, OptimisticExampleRollup__factory, ProvenRollup__factory } from "../../typechain-types";
import type { DecodedRevert } from "./contracts";

/** The custom error names an ABI declares. */
type ErrorNameOf<Abi extends readonly unknown[]> =
  Extract<Abi[number], { readonly type: "error" }> extends {
    readonly name: infer Name;
  }
    ? Name
    : never;

/** Every custom error `advance` or `propose` can revert with, by the rollups' and Execute.sol's ABIs. */
export type RollupErrorName =
  | ErrorNameOf<(typeof OptimisticExampleRollup__factory)["abi"]>
  | ErrorNameOf<(typeof ProvenRollup__factory)["abi"]>
  | ErrorNameOf<(typeof Execute__factory)["abi"]>;

/**
 * - `moved-on`: L1's chain moved while the block was in flight; the next round re-reads what to send.
 * - `l1-behind`: the block consumes messages L1 lost in a reorg; it passes once they are queued again.
 * - `not-yet`: time or the rollup's sequencing rule opens later (`BlockFromFuture`, `NotSequencer` with a finite opening).
 * - `execute-retry`: EXECUTE failed for a reason the next attempt may not meet (gas, the simulation's time limit).
 */
export type TransientCause = "moved-on" | "l1-behind" | "not-yet" | "execute-retry";

/** The halts, by the `code` the submitter reports (rollup_status `submitterErrorCode`). */
export type HaltCode = "NO_EXECUTE" | "NOT_SEQUENCER" | "BLOCK_REJECTED";

export type RevertClass =
  | { readonly kind: "transient"; readonly cause: TransientCause }
  /** The block's messages or anchor are wrong for L1 now: drop it and rebuild (docs/design/submitter-recovery.md). */
  | { readonly kind: "rebuild" }
  /** Proofs fell short: the same block re-executed from its witness may pass, if the policy allows it. */
  | { readonly kind: "proof-shortfall" }
  | { readonly kind: "halt"; readonly code: HaltCode };

const TRANSIENT = (cause: TransientCause): RevertClass => ({ kind: "transient", cause });
const HALT = (code: HaltCode): RevertClass => ({ kind: "halt", code });

/**
 * The contract errors with a class of their own; every other one is a rejection of the block
 * (BLOCK_REJECTED). `satisfies` keeps the keys to errors the ABIs declare.
 */
const ERROR_CLASSES = {
  ParentNotHead: TRANSIENT("moved-on"),
  ParentNotTip: TRANSIENT("moved-on"),
  UnexpectedBlockNumber: TRANSIENT("moved-on"),
  ProvisionalBlocksPending: TRANSIENT("moved-on"),
  MessageCountExceedsQueue: TRANSIENT("l1-behind"),
  BlockFromFuture: TRANSIENT("not-yet"),
  OverdueMessageSkipped: { kind: "rebuild" },
  OverdueMessageLeft: { kind: "rebuild" },
  AnchorMismatch: { kind: "rebuild" },
  // Execute.sol's reverts when its executor gave no EXECUTE answer: this L1 has no precompile there.
  ExecuteUnavailable: HALT("NO_EXECUTE"),
  ExecuteMalformedResult: HALT("NO_EXECUTE"),
} as const satisfies Partial<Record<RollupErrorName, RevertClass>>;

/** EXECUTE codes (in `ExecuteInvalid`) that a later attempt of the same block may pass. */
const TRANSIENT_EXECUTE_CODES: ReadonlySet<number> = new Set([
  ExecuteErrorCode.OutOfGas,
  ExecuteErrorCode.SimulationTimeout,
]);
/** EXECUTE codes that only mean the proofs fell short: re-execution of the same block may pass. */
const PROOF_SHORTFALL_CODES: ReadonlySet<number> = new Set([
  ExecuteErrorCode.ProofsInsufficient,
  ExecuteErrorCode.WitnessIncomplete,
]);

/**
 * The class of a decoded revert. `proven`: the block was sent on proofs (without its witness), so
 * a proof shortfall is not the block's fault. A NotSequencer whose `openAt` is the largest uint256
 * never opens: that is how a permissioned rollup (the template's) says "not the sequencer, ever".
 */
export function classifyRevert(decoded: DecodedRevert, proven: boolean): RevertClass {
  const name: RollupErrorName | string = decoded.name;
  if (name === "NotSequencer")
    return BigInt(decoded.args[1] as bigint) === MaxUint256 ? HALT("NOT_SEQUENCER") : TRANSIENT("not-yet");
  if (decoded.executeCode !== undefined) {
    if (proven && PROOF_SHORTFALL_CODES.has(decoded.executeCode)) return { kind: "proof-shortfall" };
    if (TRANSIENT_EXECUTE_CODES.has(decoded.executeCode)) return TRANSIENT("execute-retry");
    return HALT("BLOCK_REJECTED");
  }
  return (ERROR_CLASSES as Readonly<Record<string, RevertClass>>)[name] ?? HALT("BLOCK_REJECTED");
}
