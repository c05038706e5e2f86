import { NodeError } from "../errors";

/**
 * Errors of the bridge (L1 watcher, anchor provider, batch submitter, withdrawals). Each has a
 * stable `code` for programs and RPC clients and a `hint` for the human reading it.
 */
export class BridgeError extends NodeError {}

/** L1 refused an L2 block for good: resubmitting the same block can never succeed. */
export class BlockRejectedError extends BridgeError {
  constructor(
    readonly blockNumber: bigint,
    /** Decoded revert, e.g. `ExecuteInvalid(StateRootMismatch, "...")`. */
    readonly reason: string,
    /** The EXECUTE error code when EXECUTE rejected the block; undefined for contract checks. */
    readonly executeCode: number | undefined,
  ) {
    super(
      "BLOCK_REJECTED",
      `L1 rejected L2 block ${blockNumber}: ${reason}`,
      "the sequencer produced a block L1 will never accept; the node stops submitting here. Inspect the block, fix the sequencer and restart with --reset",
    );
  }
}

/** The rollup's head on L1 is not a block this sequencer produced (someone else advanced differently). */
export class ChainDivergedError extends BridgeError {
  constructor(
    readonly blockNumber: bigint,
    readonly l1HeadHash: string,
    readonly localHash: string | undefined,
  ) {
    super(
      "CHAIN_DIVERGED",
      `L1 head ${blockNumber} is ${l1HeadHash}, the local L2 block ${blockNumber} is ${localHash ?? "missing"}`,
      "another account advanced the rollup with other blocks (e.g. after sequencer inactivity); restart the sequencer from the L1 head",
    );
  }
}

/** No L2 → L1 message matches the query. */
export class MessageNotFoundError extends BridgeError {
  constructor(what: string) {
    super("MESSAGE_NOT_FOUND", `no L2 → L1 message ${what}`, "pass the hash of the L2 transaction that called L2Bridge.withdraw/sendMessageToL1, or the message hash it emitted");
  }
}

/** The message exists but no L2 block at or after it has been accepted on L1 yet. */
export class NotProvableYetError extends BridgeError {
  constructor(
    readonly l2BlockNumber: bigint,
    readonly acceptedHead: bigint,
  ) {
    super(
      "NOT_PROVABLE_YET",
      `the message was sent in L2 block ${l2BlockNumber}; L1 has accepted blocks up to ${acceptedHead}`,
      "wait until the batch submitter has advanced the rollup past that block (rollup_status shows progress)",
    );
  }
}

/** The L1 contract's data disagrees with what the node saw (a gap in the message queue, a bad hash). */
export class L1InconsistencyError extends BridgeError {
  constructor(message: string) {
    super("L1_INCONSISTENT", message, "the L1 node may be behind or the rollup address wrong; the watcher rescans from the contract's state");
  }
}
