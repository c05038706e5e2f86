/**
 * The SDK's errors. Each carries a stable `code` (for programs: `err.code === "NOT_PROVABLE_YET"`)
 * and a `hint` that says what to do next (for the human reading it). Callers tell them apart
 * with `instanceof` or by `code`. The `message` says what went wrong and not the hint, so a
 * caller printing both prints the hint once (Node shows `hint` with an uncaught error's properties).
 */
import { CodedError, ProtocolError } from "../protocol";

export class RollupSdkError extends CodedError {
  declare readonly code: RollupSdkErrorCode;
  constructor(code: RollupSdkErrorCode, message: string, hint: string) {
    super(code, message, hint);
  }

  /**
   * The protocol's errors (MessageNotFoundError, NotProvableYetError) are declared once, in
   * protocol/, and thrown by the SDK too: they count as SDK errors, so one `catch` with
   * `instanceof RollupSdkError` sees every error the SDK throws.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    return this === RollupSdkError && value instanceof ProtocolError;
  }
}

// A message that is not found or not provable yet is the protocol's error: the node raises the
// same classes (CodedError with code MESSAGE_NOT_FOUND / NOT_PROVABLE_YET), so callers catch one.
export { MessageNotFoundError, NotProvableYetError } from "../protocol";

export type RollupSdkErrorCode =
  | "SIGNER_REQUIRED"
  | "INVALID_ARGUMENT"
  | "MESSAGE_NOT_FOUND"
  | "NOT_PROVABLE_YET"
  | "ALREADY_FINALIZED"
  | "FINALIZATION_FAILED"
  | "TRANSACTION_FAILED"
  | "NODE_RPC"
  | "MESSAGE_FAILED"
  | "TIMEOUT"
  | "NOT_A_ROLLUP";

/** An L1 → L2 message was consumed but its call did not complete (it reverted, or its block deferred it). */
export class MessageFailedError extends RollupSdkError {
  constructor(
    readonly nonce: bigint,
    readonly status: "failed" | "refunded",
    readonly failureReason: "callFailed" | "deferred" | undefined,
    /** The decoded revert of the failed call, when it ran (`decodeRevertReason`). */
    readonly revertReason?: string,
  ) {
    super(
      "MESSAGE_FAILED",
      status === "refunded"
        ? `L1 → L2 message #${nonce} failed and its value was refunded`
        : `L1 → L2 message #${nonce} was consumed but its call ${failureReason === "deferred" ? "was deferred (its block could not carry it)" : revertReason === undefined ? "failed (reverted or ran out of its gas limit)" : `reverted: ${revertReason}`}; L2Bridge keeps the message (and any value it carried) for a retry or a refund`,
      status === "refunded"
        ? "nothing is left to do for this message"
        : "anyone may run it again with retryMessage(message) (npx hardhat rollup:retry-message <hash>) once the call can succeed; its L1 sender may take the value back with L2Bridge.refundMessage(message, to, onL1), on L2 or through an L1 message to L2Bridge",
    );
  }
}

/** A write was asked of a layer whose runner is a provider, not a signer. */
export class SignerRequiredError extends RollupSdkError {
  constructor(
    readonly layer: "L1" | "L2",
    action: string,
  ) {
    super(
      "SIGNER_REQUIRED",
      `${action} sends an ${layer} transaction, but the client's ${layer} runner is a provider`,
      `create the client with an ethers Signer connected to the ${layer} provider (e.g. new Wallet(key, ${layer.toLowerCase()}Provider))`,
    );
  }
}

/** An argument the SDK cannot act on (a status of the other direction, a malformed hash). */
export class InvalidArgumentError extends RollupSdkError {
  constructor(message: string, hint: string) {
    super("INVALID_ARGUMENT", message, hint);
  }
}

/** An L2 → L1 message that was already finalized on L1 (each message pays out once). */
export class AlreadyFinalizedError extends RollupSdkError {
  constructor(readonly messageHash: string) {
    super(
      "ALREADY_FINALIZED",
      `message ${messageHash} is already finalized on L1`,
      "nothing left to do: its value was paid and its call made; getMessageStatus(message) reports 'finalized'",
    );
  }
}

/** finalizeMessage reverted for another reason (the message's L1 call failed, a bad proof). */
export class FinalizationFailedError extends RollupSdkError {
  constructor(
    readonly messageHash: string,
    /** The rollup contract's decoded error, e.g. `MessageCallFailed(0x…, 0x…)`, when known. */
    readonly reason: string,
  ) {
    super(
      "FINALIZATION_FAILED",
      `finalizing ${messageHash} on L1 failed: ${reason}`,
      reason.startsWith("MessageCallFailed")
        ? "the message's L1 call reverted; the finalization was undone and can be retried once the recipient accepts the call"
        : "fetch a fresh proof (finalizeWithdrawal does) and retry; if it keeps failing, check that the client's L2 node serves the rollup at this address",
    );
  }
}

/** An L1 or L2 transaction the SDK sent reverted or was not mined. */
export class TransactionFailedError extends RollupSdkError {
  constructor(
    readonly layer: "L1" | "L2",
    readonly transactionHash: string | undefined,
    reason: string,
  ) {
    super(
      "TRANSACTION_FAILED",
      `${layer} transaction ${transactionHash ?? "(not sent)"} failed: ${reason}`,
      "check the arguments (recipient, value, gas limit) and the sender's balance on that layer",
    );
  }
}

/**
 * A node answered a JSON-RPC call with an error: the node's own code (`nodeCode`: TX_REJECTED,
 * FOLLOWER_READ_ONLY, INVALID_PARAMS …) and hint, read from the error's `data` as the wire protocol
 * defines it (protocol/rpc.ts, docs/rpc.md "Errors"), whatever client wrapped it (`nodeRpcErrorFrom`).
 */
export class NodeRpcError extends RollupSdkError {
  constructor(
    readonly method: string,
    /** The node's error code (e.g. NOT_PROVABLE_YET), or the JSON-RPC code's name (METHOD_NOT_FOUND …). */
    readonly nodeCode: string,
    message: string,
    /** The node's hint; undefined when the node sent none (another client). */
    readonly nodeHint: string | undefined,
    /** The JSON-RPC error code (-32000, -32602 …). */
    readonly rpcCode?: number,
    /** The error's `data` as sent (the node's fields, e.g. `reason` of a refused transaction). */
    readonly data?: unknown,
  ) {
    super(
      "NODE_RPC",
      `${method} failed on the node: ${message}`,
      nodeHint ?? "check that the L2 runner points at the rollup's node (npx hardhat rollup:status)",
    );
  }

  /** The node's `data.reason` (a refused transaction's geth reason, e.g. "nonce too low"), when it sent one. */
  get reason(): string | undefined {
    const reason = (this.data as { reason?: unknown } | undefined)?.reason;
    return typeof reason === "string" ? reason : undefined;
  }
}

/** A wait (for a message status or an L2 block) ran out of time. */
export class WaitTimeoutError extends RollupSdkError {
  constructor(
    readonly waitedFor: string,
    readonly timeoutMs: number,
    /** Where things stood at the last check, e.g. "status initiated, L2 block 12, accepted head 10". */
    readonly lastSeen: string,
    hint: string,
  ) {
    super("TIMEOUT", `gave up after ${timeoutMs} ms waiting for ${waitedFor} (last seen: ${lastSeen})`, hint);
  }
}
