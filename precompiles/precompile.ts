import type { AddPrecompile, ExecResult, PrecompileInput } from "@ethereumjs/evm";
import { EVMError } from "@ethereumjs/evm";
import { Address, bytesToHex, hexToBytes } from "@ethereumjs/util";

import { type ExecuteInput, decodeExecuteInput, encodeExecuteInvalid, encodeExecuteResult } from "./codec";
import { keccak256 } from "./crypto";
import { decodeProofBundle } from "./proofs/codec";
import { verifyBlockWithProofs } from "./proofs/verifyProofs";
import { ExecuteError, ExecuteErrorCode } from "./errors";
import { EXECUTE_ADDRESS } from "./abi";
import type { ExecutionPacing } from "./executionGuard";
import {
  DEFAULT_EXECUTE_GAS_SCHEDULE,
  type ExecuteGasSchedule,
  chargedL2Gas,
  executeGasCost,
  l2GasClaimOf,
  maxVerifiableL2GasLimit,
  proofModeGasCost,
} from "./gas";
import { checkBlockShape, reexecute } from "./verifyBlock";
import { DEFAULT_VERIFIER_WRITES, type WriteRules, checkWriteRules } from "./forkSchedule";

/**
 * Wall-clock limit of EXECUTE within one eth_call / eth_estimateGas run: geth's default RPC EVM
 * timeout. Blocks are never timed (their result is consensus); simulations are, as geth does.
 */
export const DEFAULT_CALL_TIMEOUT_MS = 5_000;

/**
 * Most EXECUTE results a memo keeps. An L1 that runs the same input twice (a submitter's simulation,
 * then its transaction) needs one entry per block in flight between the two; a few dozen leave room
 * for challengers' and other callers' inputs in between (docs/design/execute-result-memo.md).
 */
export const DEFAULT_EXECUTE_MEMO_ENTRIES = 32;
/**
 * Most bytes a memo keeps: keys, return data and a fixed overhead per entry. An entry never holds
 * the input (a witness may be megabytes), only its keccak: a result is 352 bytes, a failure its
 * reason, so 32 entries fit with room to spare.
 */
export const DEFAULT_EXECUTE_MEMO_BYTES = 256 * 1024;
/** What a memo entry costs besides its key and return data (the entry, its map slot, the result's fields). */
const MEMO_ENTRY_OVERHEAD_BYTES = 256;

/** Bounds of the memo of EXECUTE results; each default is declared once above. */
export interface ExecuteMemoOptions {
  /** Most results kept (default `DEFAULT_EXECUTE_MEMO_ENTRIES`); the least recently used goes first. */
  readonly maxEntries?: number;
  /** Most bytes kept, counted as keys + return data + a fixed overhead per entry (default `DEFAULT_EXECUTE_MEMO_BYTES`). */
  readonly maxBytes?: number;
}

/** Thrown by `createExecutePrecompile` for a memo bound that is not a positive integer. */
export class ExecuteMemoConfigError extends Error {
  readonly code = "EXECUTE_MEMO_BOUND";
  readonly hint = "give maxEntries and maxBytes as positive integers, or leave them out for the defaults";
  constructor(message: string) {
    super(message);
    this.name = "ExecuteMemoConfigError";
  }
}

/** Called by the chain before each block it builds and each call it simulates. */
export type ExecutionHook = (kind: "block" | "call") => void;

export interface ExecutePrecompileOptions {
  /** Gas constants; defaults in `DEFAULT_EXECUTE_GAS_SCHEDULE`. */
  readonly gas?: Partial<ExecuteGasSchedule>;
  /** Verify proofs when the `proofs` field is non-empty (default true); false rejects them. */
  readonly proofVerification?: boolean;
  /** Longest a simulated call may spend in EXECUTE (default `DEFAULT_CALL_TIMEOUT_MS`). */
  readonly callTimeoutMs?: number;
  /** Longest EXECUTE runs without letting the node answer other requests (see `DEFAULT_YIELD_EVERY_MS`). */
  readonly yieldEveryMs?: number;
  /**
   * Keep the results of recent runs, so that the same input at the same gas limit, fork and
   * schedule is answered from memory the second time (an L1 that simulates a transaction and then
   * mines it runs EXECUTE twice on one input). Off when absent or false. Only deterministic
   * outcomes are kept: never a simulation's timeout nor a verifier failure; concurrent runs of one
   * input share one execution (docs/design/execute-result-memo.md).
   */
  readonly memo?: ExecuteMemoOptions | false;
  /**
   * Each L2 chain's write rules (precompiles/forkSchedule.ts), by chain id: what its genesis
   * declares (`config.writeRules`), so that EXECUTE verifies each block under the rule its witness
   * was recorded under. A chain id not listed has `DEFAULT_VERIFIER_WRITES`, per block from genesis.
   * Checked when the precompile is created (`WriteRulesError`).
   */
  readonly writeRules?: ReadonlyMap<bigint, WriteRules>;
}

/** EXECUTE ready for `@ethereumjs/evm`'s `customPrecompiles`, plus the hook that tells blocks from simulations. */
export interface ExecutePrecompile extends AddPrecompile {
  readonly beforeExecution: ExecutionHook;
  readonly schedule: ExecuteGasSchedule;
  readonly callTimeoutMs: number;
  /**
   * The write rules this EXECUTE applies to chain `chainId`'s blocks: the ones it was created with
   * (`ExecutePrecompileOptions.writeRules`, copied then), `DEFAULT_VERIFIER_WRITES` for a chain not
   * listed. What an L1 reports of its EXECUTE, so a node can check it was given the same
   * (docs/design/write-rule-agreement.md).
   */
  writeRulesOf(chainId: bigint): WriteRules;
}

function failure(gasLimit: bigint, code: ExecuteErrorCode, reason: string): ExecResult {
  // A REVERT keeps the return data for the caller; using all gas is what docs/DESIGN.md §3.6 specifies.
  return {
    executionGasUsed: gasLimit,
    returnValue: encodeExecuteInvalid(code, reason),
    exceptionError: new EVMError(EVMError.errorMessages.REVERT),
  };
}

function outOfGas(input: PrecompileInput, cost: bigint, what: string): ExecResult {
  return failure(
    input.gasLimit,
    ExecuteErrorCode.OutOfGas,
    `EXECUTE needs ${cost} gas for ${what}, got ${input.gasLimit}`,
  );
}

/** Proof mode: flat cost when proofs suffice; re-execution's price when it falls back. */
async function runWithProofs(
  input: PrecompileInput,
  decoded: ExecuteInput,
  schedule: ExecuteGasSchedule,
  pacing: ExecutionPacing,
  writes: WriteRules | undefined,
): Promise<ExecResult> {
  const bundle = decodeProofBundle(decoded.proofs);
  const cost = proofModeGasCost(
    {
      inputLength: input.data.length,
      blockLength: decoded.block.length,
      witnessLength: decoded.witness.length,
      proofCount: bundle.proofs.length,
    },
    schedule,
  );
  if (input.gasLimit < cost)
    return outOfGas(input, cost, `${bundle.proofs.length} proofs and ${input.data.length} input bytes`);
  // The fallback's price depends on the block's checked header and transactions.
  const fallbackCost = bundle.policy.allowReexecution
    ? executeGasCost(
        input.data.length,
        chargedL2Gas(
          l2GasClaimOf(
            (
              await checkBlockShape({
                ...decoded,
                common: input.common,
                maxGasLimit: maxVerifiableL2GasLimit(schedule),
              })
            ).block,
          ),
        ),
        schedule,
      )
    : undefined;
  const { result, acceptedBy } = await verifyBlockWithProofs({
    chainId: decoded.chainId,
    common: input.common,
    parentHeader: decoded.parentHeader,
    block: decoded.block,
    witness: decoded.witness,
    pacing,
    maxGasLimit: maxVerifiableL2GasLimit(schedule),
    writes,
    bundle: {
      ...bundle,
      // Re-execution is only reachable when the caller paid for it.
      policy: { ...bundle.policy, allowReexecution: fallbackCost !== undefined && input.gasLimit >= fallbackCost },
    },
  });
  return {
    executionGasUsed: acceptedBy.mode === "proofs" ? cost : (fallbackCost as bigint),
    returnValue: encodeExecuteResult(result),
  };
}

/**
 * Re-execution: the input's price is checked first, then the header and body (codes ≥ 64 before
 * any L2 gas is charged), then the price of the L2 gas those checked fields commit to, and only
 * then does the block run.
 */
async function runReexecution(
  input: PrecompileInput,
  decoded: ExecuteInput,
  schedule: ExecuteGasSchedule,
  pacing: ExecutionPacing,
  writes: WriteRules | undefined,
): Promise<ExecResult> {
  const inputCost = executeGasCost(input.data.length, 0n, schedule);
  if (input.gasLimit < inputCost) return outOfGas(input, inputCost, `${input.data.length} input bytes`);
  const checked = await checkBlockShape({
    chainId: decoded.chainId,
    common: input.common,
    parentHeader: decoded.parentHeader,
    block: decoded.block,
    maxGasLimit: maxVerifiableL2GasLimit(schedule),
  });
  const l2Gas = chargedL2Gas(l2GasClaimOf(checked.block));
  const cost = executeGasCost(input.data.length, l2Gas, schedule);
  if (input.gasLimit < cost) return outOfGas(input, cost, `${input.data.length} input bytes and ${l2Gas} L2 gas`);
  const result = await reexecute(
    checked,
    decoded.chainId,
    decoded.witness,
    pacing,
    undefined,
    undefined,
    undefined,
    writes,
  );
  return { executionGasUsed: cost, returnValue: encodeExecuteResult(result) };
}

async function run(
  input: PrecompileInput,
  schedule: ExecuteGasSchedule,
  pacing: ExecutionPacing,
  proofVerification: boolean,
  writeRules: ReadonlyMap<bigint, WriteRules> | undefined,
): Promise<ExecResult> {
  const decoded = decodeExecuteInput(input.data);
  const writes = writeRules?.get(decoded.chainId);
  if (decoded.proofs.length === 0) return runReexecution(input, decoded, schedule, pacing, writes);
  if (!proofVerification) {
    throw new ExecuteError(
      ExecuteErrorCode.ProofsUnsupported,
      "proof verification is disabled on this chain: send empty proofs to re-execute",
    );
  }
  return runWithProofs(input, decoded, schedule, pacing, writes);
}

/** A result as kept by the memo: its fields only, never an object a caller holds. */
interface ResultSnapshot {
  readonly executionGasUsed: bigint;
  readonly returnValue: Uint8Array;
  /** The `EVMError` type of a failure (always REVERT from EXECUTE); undefined on success. */
  readonly exceptionError: EVMError["error"] | undefined;
}

/** One run's outcome, and whether another run of the same key must give the same one. */
interface RunOutcome {
  readonly snapshot: ResultSnapshot;
  readonly deterministic: boolean;
}

function snapshotOf(result: ExecResult): ResultSnapshot {
  return {
    executionGasUsed: result.executionGasUsed,
    returnValue: result.returnValue.slice(),
    exceptionError: result.exceptionError?.error,
  };
}

/** A fresh result for one caller: the EVM adds to `executionGasUsed` and sets `gasRefund` on what it gets. */
function resultOfSnapshot(snapshot: ResultSnapshot): ExecResult {
  const result: ExecResult = { executionGasUsed: snapshot.executionGasUsed, returnValue: snapshot.returnValue.slice() };
  if (snapshot.exceptionError !== undefined) result.exceptionError = new EVMError(snapshot.exceptionError);
  return result;
}

/** How deep `deterministicFailure` follows an error's causes (the verifier wraps an error once or twice). */
const MAX_CAUSE_DEPTH = 8;

/**
 * Whether an `ExecuteError` is the input's verdict, the same on every run: not a simulation's
 * timeout (the wall clock's), and not one caused, however deep, by a `RangeError` — what V8
 * throws when it runs out of stack or cannot allocate a buffer, which another run may not hit.
 */
function deterministicFailure(error: ExecuteError): boolean {
  let cause: unknown = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH; depth++) {
    if (cause === undefined || cause === null) return true;
    if (cause instanceof RangeError) return false;
    if (cause instanceof ExecuteError && cause.code === ExecuteErrorCode.SimulationTimeout) return false;
    cause = (cause as { cause?: unknown }).cause;
  }
  // A chain longer than was read is not known to be deterministic.
  return false;
}

/** Checks a memo bound: a positive safe integer. */
function memoBound(value: number | undefined, fallback: number, name: string): number {
  const bound = value ?? fallback;
  if (!Number.isSafeInteger(bound) || bound < 1)
    throw new ExecuteMemoConfigError(`EXECUTE memo ${name} ${bound} is not a positive integer`);
  return bound;
}

/**
 * Results of recent EXECUTE runs by key, least recently used first, within `maxEntries` and
 * `maxBytes`; and the runs in flight, which a run of the same key joins instead of executing.
 */
class ResultMemo {
  private readonly entries = new Map<string, ResultSnapshot>();
  private readonly inFlight = new Map<string, Promise<RunOutcome>>();
  private bytes = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
  ) {}

  /**
   * The result for `key`: from memory, from the run of `key` in flight, or from `execute`. A run
   * in flight whose outcome is not deterministic (a timeout, a verifier failure) is not taken:
   * this caller then runs on its own terms (a block has no deadline where a call had one).
   */
  async resolve(key: string, execute: () => Promise<RunOutcome>): Promise<ExecResult> {
    const kept = this.entries.get(key);
    if (kept !== undefined) {
      // Least recently used goes first: a hit moves to the end.
      this.entries.delete(key);
      this.entries.set(key, kept);
      return resultOfSnapshot(kept);
    }
    const running = this.inFlight.get(key);
    if (running !== undefined) {
      const shared = await running;
      if (shared.deterministic) return resultOfSnapshot(shared.snapshot);
    }
    const own = this.track(key, execute());
    const outcome = await own;
    if (outcome.deterministic) this.store(key, outcome.snapshot);
    return resultOfSnapshot(outcome.snapshot);
  }

  /** Registers `run` as `key`'s run in flight until it settles (unless a later run of the key replaced it). */
  private track(key: string, run: Promise<RunOutcome>): Promise<RunOutcome> {
    if (!this.inFlight.has(key)) {
      this.inFlight.set(key, run);
      const forget = (): void => {
        if (this.inFlight.get(key) === run) this.inFlight.delete(key);
      };
      run.then(forget, forget);
    }
    return run;
  }

  private store(key: string, snapshot: ResultSnapshot): void {
    const size = sizeOf(key, snapshot);
    if (size > this.maxBytes || this.entries.has(key)) return;
    this.entries.set(key, snapshot);
    this.bytes += size;
    for (const [oldKey, old] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.entries.delete(oldKey);
      this.bytes -= sizeOf(oldKey, old);
    }
  }
}

function sizeOf(key: string, snapshot: ResultSnapshot): number {
  return key.length + snapshot.returnValue.length + MEMO_ENTRY_OVERHEAD_BYTES;
}

/**
 * The memo key: everything an EXECUTE result depends on. The input (by keccak, with its length),
 * the gas the precompile was given (OutOfGas, a failure's gas and proof mode's fallback depend on
 * it), the L1 fork, EIPs and crypto (the L2's Common is made of them: `l2Common`), the gas
 * schedule and whether proofs are verified. Of the crypto, which functions are given, not which
 * implementation: every implementation the project picks returns what the pure-JS one returns
 * (precompiles/crypto.ts). The L1's KZG, if it names one, is not used (`l2Common` gives the L2 the
 * project's own), so naming one only splits the memo, never the verdict.
 * Read at each call: the options and the exposed schedule are objects a caller could change. The
 * wall clock is not in the key: it only decides a simulation's timeout, which is never kept.
 */
function memoKey(input: PrecompileInput, schedule: ExecuteGasSchedule, proofVerification: boolean): string {
  const crypto = input.common.customCrypto as Record<string, unknown>;
  const gas = Object.entries(schedule)
    .map(([name, value]) => `${name}=${value}`)
    .join(",");
  return [
    bytesToHex(keccak256(input.data)),
    input.data.length,
    input.gasLimit,
    input.common.hardfork(),
    input.common.eips().join(","),
    Object.keys(crypto)
      .filter((name) => crypto[name] !== undefined)
      .sort()
      .join(","),
    gas,
    proofVerification,
  ].join("|");
}

/**
 * Creates the EXECUTE precompile. It never touches the L1 state: the block is re-executed on a
 * trie database built from the witness alone. Its L1 gas covers the L2 gas it runs (see gas.ts),
 * so the L1 block gas limit bounds the work of every block and call; within a simulated call it
 * also stops at `callTimeoutMs`, and it lets the node answer other requests while it runs.
 */
export function createExecutePrecompile(options: ExecutePrecompileOptions = {}): ExecutePrecompile {
  const schedule: ExecuteGasSchedule = { ...DEFAULT_EXECUTE_GAS_SCHEDULE, ...options.gas };
  const callTimeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  // A copy, steps included: the rules are part of every verdict (and not of the memo's key), so a
  // caller changing its map or a step afterwards must not change what this EXECUTE applies.
  const writeRules = new Map<bigint, WriteRules>();
  for (const [chainId, rules] of options.writeRules ?? []) {
    checkWriteRules(rules);
    writeRules.set(
      chainId,
      typeof rules === "string" ? rules : Object.freeze(rules.map((step) => Object.freeze({ ...step }))),
    );
  }
  const memo =
    options.memo === undefined || options.memo === false
      ? undefined
      : new ResultMemo(
          memoBound(options.memo.maxEntries, DEFAULT_EXECUTE_MEMO_ENTRIES, "maxEntries"),
          memoBound(options.memo.maxBytes, DEFAULT_EXECUTE_MEMO_BYTES, "maxBytes"),
        );
  // Blocks by default: a consensus path must never depend on the wall clock.
  let deadline: number | undefined;
  const execute = async (
    input: PrecompileInput,
    pacing: ExecutionPacing,
    proofVerification: boolean,
  ): Promise<{ result: ExecResult; deterministic: boolean }> => {
    try {
      return {
        result: await run(input, schedule, pacing, proofVerification, writeRules),
        deterministic: true,
      };
    } catch (error) {
      if (error instanceof ExecuteError)
        return {
          result: failure(input.gasLimit, error.code, error.message),
          deterministic: deterministicFailure(error),
        };
      // Anything else is a verifier bug; the block is not accepted and the reason is kept.
      return {
        result: failure(
          input.gasLimit,
          ExecuteErrorCode.MalformedInput,
          `EXECUTE failed unexpectedly: ${(error as Error).message}`,
        ),
        deterministic: false,
      };
    }
  };
  return {
    address: new Address(hexToBytes(EXECUTE_ADDRESS)),
    schedule,
    callTimeoutMs,
    writeRulesOf: (chainId) => writeRules.get(chainId) ?? DEFAULT_VERIFIER_WRITES,
    beforeExecution: (kind) => {
      deadline = kind === "call" ? Date.now() + callTimeoutMs : undefined;
    },
    function: async (input: PrecompileInput): Promise<ExecResult> => {
      const pacing: ExecutionPacing = { deadline, timeoutMs: callTimeoutMs, yieldEveryMs: options.yieldEveryMs };
      const proofVerification = options.proofVerification ?? true;
      if (memo === undefined) return (await execute(input, pacing, proofVerification)).result;
      return memo.resolve(memoKey(input, schedule, proofVerification), async () => {
        const { result, deterministic } = await execute(input, pacing, proofVerification);
        // A simulation that ended past its deadline is not kept whatever it returned: a stop at the
        // deadline must surface as SimulationTimeout, and this does not rely on it.
        const inTime = pacing.deadline === undefined || Date.now() <= pacing.deadline;
        return { snapshot: snapshotOf(result), deterministic: deterministic && inTime };
      });
    },
  };
}
