/**
 * The errors both sides of the rollup RPC raise: the node when it answers `rollup_*`, the SDK
 * when it reads the chains itself. One class each, so a program that catches
 * `NotProvableYetError` works whether the node or the SDK found the message not provable yet.
 */

/**
 * An error with a stable `code` (for programs and RPC clients) and a `hint` (for the human
 * reading it). The node's `NodeError` and the SDK's `RollupSdkError` extend it.
 */
export class CodedError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * An error of the protocol itself, raised alike by the node and the SDK. The SDK counts these
 * as its own (`instanceof RollupSdkError` holds), the node answers them over RPC with code and hint.
 */
export class ProtocolError extends CodedError {}

/** The default hint of MessageNotFoundError: what a caller may pass to find a message. */
const MESSAGE_NOT_FOUND_HINT =
  "pass the message a deposit/sendMessage/withdraw/sendMessageToL1 call returned, its message hash, or the hash of the transaction that sent it; check the rollup address";

/** No message matches a transaction hash or a message hash. */
export class MessageNotFoundError extends ProtocolError {
  constructor(what: string, hint: string = MESSAGE_NOT_FOUND_HINT) {
    super("MESSAGE_NOT_FOUND", `no rollup message ${what}`, hint);
  }
}

/** The default hint of NotProvableYetError. */
const NOT_PROVABLE_YET_HINT =
  "wait until the batch submitter has advanced the rollup past that block (rollup_status shows progress)";

/** An L2 → L1 message whose L2 block the rollup contract has not accepted yet (or, optimistic, not finalized). */
export class NotProvableYetError extends ProtocolError {
  constructor(
    readonly messageHash: string,
    readonly l2BlockNumber: bigint,
    readonly acceptedL2Head: bigint,
    /** Optimistic rollup: when the block's challenge window closes (unix seconds), once it is proposed. */
    readonly finalAt?: bigint,
    hint?: string,
  ) {
    super(
      "NOT_PROVABLE_YET",
      finalAt === undefined
        ? `withdrawal not provable yet: its L2 block ${l2BlockNumber} is not accepted on L1 (head ${acceptedL2Head})`
        : `withdrawal not provable yet: its L2 block ${l2BlockNumber} is proposed on L1 and waiting for the challenge window, final at ${new Date(Number(finalAt) * 1000).toISOString()}`,
      hint ??
        (finalAt === undefined
          ? NOT_PROVABLE_YET_HINT
          : "nothing is wrong: an optimistic block is final once its challenge window has passed unchallenged; wait with waitForMessageStatus(message, 'provable') (npx hardhat rollup:finalize <hash> then)"),
    );
  }
}
