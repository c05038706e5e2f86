import { hexlify } from "ethers";

/**
 * The `rollup_*` JSON-RPC methods' types and their one codec. The node answers with
 * `encodeRpcResult` (bigints become JSON-RPC quantities); the SDK reads the answers back with
 * the `decode…` functions. Both sides type the values with the interfaces below, so a field
 * added or retyped on one side fails to compile on the other.
 */

/**
 * What the node last found when it read its L1: the reads answered (`head`, the L1 block read);
 * the L1 did not answer (within the node's bound, `l1.statusTimeoutMs`), or answered with an error
 * (`error`, its message); or the L1 answers but
 * holds no code at the rollup's address (`address`): an L1 that was reset, or a URL of another
 * chain; or the reads answered but the L1's EXECUTE applies other trie write rules to the chain
 * than the node's genesis declares (`write-rules-mismatch`, the two schedules in words, `head` as
 * for ok): a sequencer sends nothing then (its submitter waits, WRITE_RULES_MISMATCH), and a
 * follower could not take over as sequencer on this L1 (docs/design/write-rule-agreement.md).
 * `since` is when the node first found it so (Unix seconds, the node's clock), unchanged while it
 * stays so.
 */
export type L1Health =
  | { readonly state: "ok"; readonly head: bigint }
  | { readonly state: "unreachable"; readonly since: bigint; readonly error: string }
  | { readonly state: "rollup-missing"; readonly address: string; readonly since: bigint }
  | {
      readonly state: "write-rules-mismatch";
      readonly head: bigint;
      readonly since: bigint;
      /** The node's genesis's write rules, in words ("per-block from block 0"). */
      readonly nodeRules: string;
      /** What the L1's EXECUTE applies to the chain, in words. */
      readonly l1Rules: string;
    };

/** Whether the node's last L1 read answered (ok, or answered with another EXECUTE's write rules): its L1 fields are fresh. */
export function l1ReadsAnswered(l1: L1Health): boolean {
  return l1.state === "ok" || l1.state === "write-rules-mismatch";
}

/**
 * `L1Health` in one line, as `rollup:status` and the dashboard show it: a state that is not ok
 * says since when (ISO time) and why.
 */
export function describeL1Health(l1: L1Health): string {
  if (l1.state === "ok") return `ok, head ${l1.head}`;
  const since = new Date(Number(l1.since) * 1000).toISOString();
  if (l1.state === "write-rules-mismatch")
    return `WRITE RULES MISMATCH since ${since}, head ${l1.head}: the node records witnesses under ${l1.nodeRules}, the L1's EXECUTE applies ${l1.l1Rules} (nothing is sent to L1; a follower could not take over as sequencer)`;
  return l1.state === "unreachable"
    ? `UNREACHABLE since ${since}: ${l1.error} (the node reports its last read of L1)`
    : `ROLLUP MISSING since ${since}: this L1 has no rollup contract at ${l1.address} (reset, or another chain)`;
}

/** What `rollup_status` reports. */
export interface RollupStatus {
  readonly rollupAddress: string;
  /**
   * Whether the node can read its L1 now. When it cannot, the fields read from L1 (`l1ChainId`,
   * `l1Head`, the accepted and proposed heads, the message counts) are those of its last
   * successful read.
   */
  readonly l1: L1Health;
  readonly l1ChainId: bigint;
  readonly l1Head: bigint;
  readonly l2ChainId: bigint;
  readonly l2Head: bigint;
  readonly l2HeadHash: string;
  /** The last L2 block the rollup contract accepted (optimistic mode: the final head). */
  readonly acceptedL2Head: bigint;
  readonly acceptedL2HeadHash: string;
  /**
   * Optimistic mode: the highest L2 block proposed on L1 (the final head when none waits), and the
   * L1 time (seconds) its challenge window ends, after which it can be finalized.
   */
  readonly proposedL2Head?: bigint;
  readonly proposedL2HeadHash?: string;
  readonly proposedFinalAt?: bigint;
  /**
   * Optimistic mode: transactions the sequencer leaves in its pool (pending, as eth_getTransactionByHash
   * and txpool_* show them) because their gas limit exceeds the proposal slack available
   * (rollup-node/l2/proposalSlack.ts); 0 when none waits.
   */
  readonly heldTransactions?: bigint;
  /** With held transactions: the largest held gas limit, and the seconds until the slack has room for it. */
  readonly heldLargestGasLimit?: bigint;
  readonly heldLargestWaitSeconds?: bigint;
  /** Queued L1 → L2 messages no accepted L2 block has consumed yet. */
  readonly pendingL1Messages: bigint;
  readonly l1MessageCount: bigint;
  readonly submitter: SubmitterState;
  readonly submitterError?: string;
  /** The halt's or the wait's code (NO_EXECUTE, BLOCK_REJECTED…; UNFUNDED, FEE_ABOVE_FUNDS while waiting), for programs. */
  readonly submitterErrorCode?: string;
  /** What to do about the halt or the wait. */
  readonly submitterHint?: string;
  /**
   * Optimistic mode: proposals near the end of their challenge window that the node's challenger
   * has not settled (not judged, or invalid and not removed): left alone, they finalize.
   */
  readonly challengerAlerts?: readonly string[];
  /** Optimistic mode, on a node that challenges (the sequencer's with a challenger key, or `--role follower --challenge`): its key and its work. */
  readonly challenger?: ChallengerSummary;
}

/** rollup_status's `challenger`: what a node that challenges is doing, so that an operator can see a watcher watches. */
export interface ChallengerSummary {
  /** The L1 account it challenges from (absent when its signer cannot tell without a call). */
  readonly address?: string;
  /** Proposals queued: not yet judged valid, challenged, removed or final. */
  readonly pending: number;
  /** The challenges it won, in order: the L2 block it removed and the bonds paid to its key. */
  readonly won: readonly { readonly number: bigint; readonly reward: bigint }[];
}

/**
 * The node's batch submitter: sending blocks, waiting without sending until its key can pay (a
 * top-up or a falling fee ends it by itself), stopped on an error it cannot get past, or not run.
 */
export type SubmitterState = "running" | "waiting" | "halted" | "off";

/**
 * L1 → L2: queued on L1 → anchored in an L2 block → relayed (its call made on L2), or failed
 * (its call reverted, or the block deferred it: its value is held for a retry or a refund) →
 * relayed (retried) or refunded.
 */
export type L1ToL2State = "unknown" | "queued" | "anchored" | "relayed" | "failed" | "refunded";
/** Why a message failed (L2Bridge's FailureReason). */
export type L1ToL2FailureReason = "callFailed" | "deferred";
/** L2 → L1: initiated on L2 → provable (an L2 block at or after it is accepted on L1) → finalized on L1. */
export type L2ToL1State = "initiated" | "provable" | "finalized";

/** `rollup_getMessageStatus({ l1Nonce } | { l1TransactionHash })`. */
export interface L1ToL2Status {
  readonly direction: "l1ToL2";
  readonly nonce: bigint;
  readonly status: L1ToL2State;
  readonly messageHash?: string;
  readonly anchoredInL2Block?: bigint;
  /** Whether the L2 block that anchored it is accepted on L1 (the rollup's nextMessageIndex passed it). */
  readonly consumedOnL1: boolean;
  readonly relayedInL2Block?: bigint;
  readonly relayTransactionHash?: string;
  /** For a failed (or refunded) message: why its call did not complete. */
  readonly failureReason?: L1ToL2FailureReason;
  /** For a call that failed: the start of its revert data, and that in words (decodeRevertReason). */
  readonly revertData?: string;
  readonly revertReason?: string;
}

/** `rollup_getMessageStatus({ l2TransactionHash } | { messageHash })`. */
export interface L2ToL1Status {
  readonly direction: "l2ToL1";
  readonly status: L2ToL1State;
  readonly messageHash: string;
  readonly l2BlockNumber: bigint;
  readonly l2TransactionHash: string;
  readonly acceptedL2Head: bigint;
}

/** `rollup_getWithdrawalProof`: the arguments of `finalizeMessage`, and whether it already ran. */
export interface WithdrawalProofResult {
  readonly l2BlockNumber: bigint;
  readonly message: {
    readonly nonce: bigint;
    readonly from: string;
    readonly to: string;
    readonly value: bigint;
    readonly data: string;
  };
  readonly messageHash: string;
  readonly accountProof: readonly string[];
  readonly storageProof: readonly string[];
  readonly finalized: boolean;
}

/** A JSON value as it travels. */
export type RpcJson = string | number | boolean | null | RpcJson[] | { [key: string]: RpcJson };

/** Bigints become JSON-RPC quantities, bytes hex; everything else keeps its JSON shape (undefined fields are dropped). */
export function encodeRpcResult(value: unknown): RpcJson {
  if (typeof value === "bigint") return `0x${value.toString(16)}`;
  if (value instanceof Uint8Array) return hexlify(value);
  if (Array.isArray(value)) return value.map(encodeRpcResult);
  if (typeof value === "object" && value !== null) {
    const out: Record<string, RpcJson> = {};
    for (const [key, field] of Object.entries(value)) if (field !== undefined) out[key] = encodeRpcResult(field);
    return out;
  }
  return value as RpcJson;
}

type JsonObject = Record<string, unknown>;

/** A quantity: a hex string (what the node sends) or a JSON number (what older nodes sent for l1Head). */
const quantity = (value: unknown): bigint => BigInt(value as string | number);
const optionalQuantity = (value: unknown): bigint | undefined =>
  value === undefined || value === null ? undefined : quantity(value);

/**
 * `rollup_status`'s `l1`. A node from before the field answered `rollup_status` only when its L1
 * reads succeeded (it failed the whole call otherwise): its answer means "ok" at `l1Head`.
 */
export function decodeL1Health(value: unknown, l1Head: bigint): L1Health {
  const h = (value ?? {}) as JsonObject;
  if (h.state === "unreachable")
    return { state: "unreachable", since: quantity(h.since), error: String(h.error ?? "") };
  if (h.state === "rollup-missing")
    return { state: "rollup-missing", address: String(h.address), since: quantity(h.since) };
  if (h.state === "write-rules-mismatch")
    return {
      state: "write-rules-mismatch",
      head: quantity(h.head),
      since: quantity(h.since),
      nodeRules: String(h.nodeRules ?? ""),
      l1Rules: String(h.l1Rules ?? ""),
    };
  return { state: "ok", head: h.head === undefined ? l1Head : quantity(h.head) };
}

/** `rollup_status`'s answer, typed. */
export function decodeRollupStatus(s: JsonObject): RollupStatus {
  return {
    rollupAddress: s.rollupAddress as string,
    l1: decodeL1Health(s.l1, quantity(s.l1Head)),
    l1ChainId: quantity(s.l1ChainId),
    l1Head: quantity(s.l1Head),
    l2ChainId: quantity(s.l2ChainId),
    l2Head: quantity(s.l2Head),
    l2HeadHash: s.l2HeadHash as string,
    acceptedL2Head: quantity(s.acceptedL2Head),
    acceptedL2HeadHash: s.acceptedL2HeadHash as string,
    ...(s.proposedL2Head === undefined ? {} : { proposedL2Head: quantity(s.proposedL2Head) }),
    ...(s.proposedL2HeadHash === undefined ? {} : { proposedL2HeadHash: s.proposedL2HeadHash as string }),
    ...(s.proposedFinalAt === undefined ? {} : { proposedFinalAt: quantity(s.proposedFinalAt) }),
    ...(s.heldTransactions === undefined ? {} : { heldTransactions: quantity(s.heldTransactions) }),
    ...(s.heldLargestGasLimit === undefined ? {} : { heldLargestGasLimit: quantity(s.heldLargestGasLimit) }),
    ...(s.heldLargestWaitSeconds === undefined ? {} : { heldLargestWaitSeconds: quantity(s.heldLargestWaitSeconds) }),
    pendingL1Messages: quantity(s.pendingL1Messages),
    l1MessageCount: quantity(s.l1MessageCount),
    submitter: s.submitter as SubmitterState,
    ...(s.submitterError === undefined ? {} : { submitterError: s.submitterError as string }),
    ...(s.submitterErrorCode === undefined ? {} : { submitterErrorCode: s.submitterErrorCode as string }),
    ...(s.submitterHint === undefined ? {} : { submitterHint: s.submitterHint as string }),
    ...(Array.isArray(s.challengerAlerts) ? { challengerAlerts: s.challengerAlerts.map(String) } : {}),
    ...(s.challenger === undefined || s.challenger === null
      ? {}
      : { challenger: decodeChallengerSummary(s.challenger as JsonObject) }),
  };
}

function decodeChallengerSummary(c: JsonObject): ChallengerSummary {
  const won = Array.isArray(c.won) ? (c.won as JsonObject[]) : [];
  return {
    ...(typeof c.address === "string" ? { address: c.address } : {}),
    pending: Number(c.pending ?? 0),
    won: won.map((w) => ({ number: quantity(w.number), reward: quantity(w.reward) })),
  };
}

/** `rollup_getMessageStatus({ l1Nonce })`'s answer, typed. */
export function decodeL1ToL2Status(s: JsonObject, nonce: bigint): L1ToL2Status {
  return {
    direction: "l1ToL2",
    nonce: optionalQuantity(s.nonce) ?? nonce,
    status: s.status as L1ToL2State,
    ...(s.messageHash === undefined ? {} : { messageHash: s.messageHash as string }),
    anchoredInL2Block: optionalQuantity(s.anchoredInL2Block),
    consumedOnL1: s.consumedOnL1 === true,
    relayedInL2Block: optionalQuantity(s.relayedInL2Block),
    relayTransactionHash: s.relayTransactionHash as string | undefined,
    failureReason: s.failureReason === "callFailed" || s.failureReason === "deferred" ? s.failureReason : undefined,
    ...(typeof s.revertData === "string" ? { revertData: s.revertData } : {}),
    ...(typeof s.revertReason === "string" ? { revertReason: s.revertReason } : {}),
  };
}

/** `rollup_getWithdrawalProof`'s answer, typed. */
export function decodeWithdrawalProof(p: JsonObject): WithdrawalProofResult {
  const m = p.message as JsonObject;
  return {
    l2BlockNumber: quantity(p.l2BlockNumber),
    message: {
      nonce: quantity(m.nonce),
      from: m.from as string,
      to: m.to as string,
      value: quantity(m.value),
      data: m.data as string,
    },
    messageHash: p.messageHash as string,
    accountProof: p.accountProof as string[],
    storageProof: p.storageProof as string[],
    finalized: p.finalized === true,
  };
}

// ------------------------------------------------------------------ errors on the wire

/**
 * JSON-RPC error codes, as JSON-RPC 2.0, EIP-1474 and geth number them. The node answers each
 * error with one of these; the SDK reads them back (`readRpcError`).
 */
export const RpcErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  Internal: -32603,
  /** geth's catch-all for rejected transactions and server errors; the node's own errors use it. */
  Server: -32000,
  /** geth's code for the calls of a batch left unanswered once its answers pass the size limit. */
  ResponseTooLarge: -32003,
  /** EVM revert with data (EIP-1474 / geth): `data` is the revert bytes, not an object. */
  ExecutionReverted: 3,
} as const;

/**
 * What the node says about an error beside its JSON-RPC code: its own stable code
 * (`FOLLOWER_READ_ONLY`, `TX_REJECTED`, `INVALID_PARAMS` …), what to do about it, and any
 * fields of that error (`reason` of a refused transaction).
 */
export interface NodeErrorData {
  readonly code: string;
  readonly hint: string;
  readonly [field: string]: RpcJson;
}

/**
 * A JSON-RPC error object as the node sends it: `{ code, message, data }`. `message` is one line.
 * `data` is a `NodeErrorData`, except for a revert (code 3), whose `data` is the revert bytes as
 * clients expect them (ethers decodes a custom error from them).
 */
export interface RpcErrorObject {
  readonly code: number;
  readonly message: string;
  readonly data?: NodeErrorData | string;
}

/** The node's code for an error that only has a JSON-RPC code (a bad parameter, an unknown method…). */
const STANDARD_ERRORS: Readonly<Record<number, { readonly code: string; readonly hint: string }>> = {
  [RpcErrorCode.ParseError]: { code: "PARSE_ERROR", hint: "send a JSON-RPC 2.0 request as valid JSON" },
  [RpcErrorCode.InvalidRequest]: {
    code: "INVALID_REQUEST",
    hint: 'send {"jsonrpc":"2.0","method":…,"params":[…],"id":…} (or an array of them)',
  },
  [RpcErrorCode.MethodNotFound]: {
    code: "METHOD_NOT_FOUND",
    hint: "the node does not serve this method (dev methods only on a devnet); see docs/rpc.md",
  },
  [RpcErrorCode.InvalidParams]: {
    code: "INVALID_PARAMS",
    hint: "the message names the parameter: fix its value or type (quantities and data are 0x-prefixed hex)",
  },
  [RpcErrorCode.Internal]: { code: "INTERNAL", hint: "the node failed unexpectedly: see its log" },
  [RpcErrorCode.Server]: { code: "SERVER_ERROR", hint: "see the message" },
  [RpcErrorCode.ResponseTooLarge]: {
    code: "RESPONSE_TOO_LARGE",
    hint: "send the remaining calls in another request",
  },
};

/** The `data` of an error that carries only a JSON-RPC code (the code's own name and hint). */
export function standardErrorData(rpcCode: number, hint?: string): NodeErrorData {
  const standard = STANDARD_ERRORS[rpcCode] ?? { code: `RPC_${rpcCode}`, hint: "see the message" };
  return { code: standard.code, hint: hint ?? standard.hint };
}

/**
 * The one way a node error crosses the wire: `rpcCode` by its class (the caller's choice: -32000,
 * -32602 …), the message on one line, and the node's `code` and `hint` (plus `fields`) in `data`.
 */
export function encodeRpcError(
  rpcCode: number,
  message: string,
  error: { readonly code: string; readonly hint: string },
  fields: { readonly [field: string]: RpcJson } = {},
): RpcErrorObject {
  return { code: rpcCode, message: oneLine(message), data: { ...fields, code: error.code, hint: error.hint } };
}

/** A revert as clients expect it: code 3, `data` the revert bytes (hex). */
export function encodeRevertError(message: string, revertData: string): RpcErrorObject {
  return { code: RpcErrorCode.ExecutionReverted, message: oneLine(message), data: revertData };
}

/** A message on one line: JSON-RPC clients show `message` as one. */
function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, " ").trim();
}

/** An error the node answered, read back from the wire. */
export interface ReadRpcError {
  readonly rpcCode: number;
  readonly message: string;
  /** The node's code (`data.code`); the JSON-RPC code's name when the server sent none (another client). */
  readonly code: string;
  /** The node's hint; undefined when the server sent none. */
  readonly hint?: string;
  /** `data` as sent: a NodeErrorData, a revert's bytes, or another server's data. */
  readonly data?: unknown;
}

/** The fields a JSON-RPC error object must have. */
function isErrorObject(value: unknown): value is { code: number; message: string; data?: unknown } {
  if (typeof value !== "object" || value === null) return false;
  const { code, message } = value as { code?: unknown; message?: unknown };
  return typeof code === "number" && Number.isInteger(code) && typeof message === "string";
}

/** Where clients keep the server's error object inside their own errors (ethers v6: error, info, cause). */
const WRAPPER_KEYS = ["error", "info", "cause"] as const;
/** How deep the wrappers go (ethers: error.info.info.error for an unsupported legacy transaction). */
const MAX_WRAPPING = 4;

/**
 * The JSON-RPC error object inside `error`: the object itself, or the one a client wrapped
 * (ethers puts it in `error.error` or `error.info.error`, even behind "could not coalesce error").
 * Undefined when `error` holds none (a network failure, a local bug).
 */
export function readRpcError(error: unknown, depth = 0): ReadRpcError | undefined {
  if (typeof error !== "object" || error === null || depth > MAX_WRAPPING) return undefined;
  // A wrapper is searched first: an ethers error has a code too (a string), never a number.
  for (const key of WRAPPER_KEYS) {
    const found = readRpcError((error as Record<string, unknown>)[key], depth + 1);
    if (found !== undefined) return found;
  }
  if (!isErrorObject(error)) return undefined;
  const data = error.data;
  const node =
    typeof data === "object" && data !== null && typeof (data as { code?: unknown }).code === "string"
      ? (data as { code: string; hint?: unknown })
      : undefined;
  const standard = STANDARD_ERRORS[error.code];
  return {
    rpcCode: error.code,
    message: error.message,
    code:
      node?.code ??
      (error.code === RpcErrorCode.ExecutionReverted ? "EXECUTION_REVERTED" : (standard?.code ?? `RPC_${error.code}`)),
    ...(typeof node?.hint === "string" ? { hint: node.hint } : {}),
    ...(data === undefined ? {} : { data }),
  };
}
