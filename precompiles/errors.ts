/**
 * Why an EXECUTE call failed. The numeric values are part of the precompile's ABI: they are
 * returned on chain as `ExecuteInvalid(uint8 code, string reason)` and must never be renumbered.
 *
 * Codes below 64 mean the *input* could not be checked (the block may still be valid);
 * codes from 64 mean the *block* is invalid. The optimistic challenge path relies on that split.
 */
export const ExecuteErrorCode = {
  /** The ABI envelope or one of its RLP fields could not be decoded. */
  MalformedInput: 1,
  /** Too little gas was passed to the precompile for its input size and the L2 gas it charges. */
  OutOfGas: 2,
  /**
   * No longer produced: EXECUTE prices L2 gas in L1 gas instead of counting it against a
   * per-L1-block budget (docs/design/execute-budget.md). Kept so the number is never reused.
   */
  BudgetExhausted: 3,
  /** Proofs were supplied but this EXECUTE runs in re-execution mode only. */
  ProofsUnsupported: 4,
  /** The witness lacks a trie node, code or ancestor header that execution needs. */
  WitnessIncomplete: 5,
  /** Fewer distinct accepted proofs verified than the policy requires, and it forbids re-execution. */
  ProofsInsufficient: 6,
  /** Only in eth_call / eth_estimateGas: verification ran past the node's wall-clock limit for a simulation. */
  SimulationTimeout: 7,

  /** `parentHash`, `number` or chain linkage does not match the parent header. */
  ParentMismatch: 64,
  /** The timestamp is not above the parent's. */
  InvalidTimestamp: 65,
  /** The gas limit moves more than allowed from the parent's, or is out of bounds. */
  InvalidGasLimit: 66,
  /** `baseFeePerGas` differs from the EIP-1559 value computed from the parent. */
  InvalidBaseFee: 67,
  /** A header field is malformed for the fork (difficulty, nonce, ommers, extraData, blob fields). */
  InvalidHeader: 68,
  /** The block carries something a native L2 block may not: blob txs, withdrawals, requests. */
  UnsupportedContent: 69,
  /** The transactions do not match the header's transactions root, or one is malformed. */
  InvalidTransactions: 70,
  /** A transaction is invalid against the state (nonce, balance, gas, chain id). */
  TransactionRejected: 71,
  /** Re-execution produced another state root. */
  StateRootMismatch: 72,
  /** Re-execution produced another receipts root. */
  ReceiptsRootMismatch: 73,
  /** Re-execution produced another logs bloom. */
  LogsBloomMismatch: 74,
  /** Re-execution used another amount of gas. */
  GasUsedMismatch: 75,
  /**
   * A system call of the fork failed where the execution specs make the block invalid: an
   * EIP-7002/7251 request contract without code, or whose call reverts or halts; or an
   * EIP-4788/2935 address holding code other than the EIP's (see precompiles/systemCalls.ts).
   */
  SystemCallFailed: 76,
} as const;

export type ExecuteErrorCode = (typeof ExecuteErrorCode)[keyof typeof ExecuteErrorCode];

const NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(ExecuteErrorCode).map(([name, code]) => [code, name]),
);

/** The symbolic name of a code, e.g. `StateRootMismatch` for 72. */
export function executeErrorName(code: number): string {
  return NAMES.get(code) ?? `Unknown(${code})`;
}

/** True when the code says the block itself is invalid (not just that it could not be checked). */
export function isBlockInvalid(code: ExecuteErrorCode): boolean {
  return code >= ExecuteErrorCode.ParentMismatch;
}

const HINTS: Partial<Record<ExecuteErrorCode, string>> = {
  [ExecuteErrorCode.MalformedInput]:
    "encode the input as abi.encode(uint64 chainId, bytes parentHeader, bytes block, bytes witness, bytes proofs)",
  [ExecuteErrorCode.OutOfGas]:
    "pass at least executeGasCostOfBlock(input length, block): 100,000 + 16 per input byte + 1 per L2 gas charged (the largest of gasUsed, the largest transaction gas limit and 21,000 per transaction)",
  [ExecuteErrorCode.BudgetExhausted]: "no longer produced: EXECUTE charges L2 gas in L1 gas",
  [ExecuteErrorCode.SimulationTimeout]:
    "the block takes longer to verify than this node allows a simulated call: send it in a transaction, or raise the node's EXECUTE callTimeoutMs",
  [ExecuteErrorCode.ProofsUnsupported]: "send an empty proofs field to verify by re-execution",
  [ExecuteErrorCode.ProofsInsufficient]:
    "attach valid proofs under at least `threshold` accepted keys, or allow re-execution and send a complete witness",
  [ExecuteErrorCode.WitnessIncomplete]:
    "build the witness with every node, code and header read while executing the block and computing its state root",
};

/** A failed EXECUTE check. `code` is what the precompile reports on chain; `hint` says what to do. */
export class ExecuteError extends Error {
  readonly code: ExecuteErrorCode;
  readonly hint: string;

  constructor(code: ExecuteErrorCode, reason: string, options?: { cause?: unknown; hint?: string }) {
    super(reason, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ExecuteError";
    this.code = code;
    this.hint = options?.hint ?? HINTS[code] ?? "the block is invalid: rebuild it from the parent state";
  }
}

/** Thrown by the witness database when execution needs data the witness does not hold. */
export class MissingWitnessDataError extends Error {
  readonly code = ExecuteErrorCode.WitnessIncomplete;
  readonly hint = HINTS[ExecuteErrorCode.WitnessIncomplete]!;
  constructor(what: string) {
    super(`witness is missing ${what}`);
    this.name = "MissingWitnessDataError";
  }
}
