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

// The errors of a message lookup are the protocol's: the SDK raises the same classes.
export { MessageNotFoundError, NotProvableYetError } from "../../protocol";

/** The L1 contract's data disagrees with what the node saw (a gap in the message queue, a bad hash). */
export class L1InconsistencyError extends BridgeError {
  constructor(message: string) {
    super(
      "L1_INCONSISTENT",
      message,
      "the L1 node may be behind or the rollup address wrong; the watcher rescans from the contract's state",
    );
  }
}

/** A bridge setting the node cannot run with: a block built under it could be one L1 refuses. */
export class BridgeConfigError extends BridgeError {
  constructor(message: string, hint: string) {
    super("BRIDGE_CONFIG", message, hint);
  }
}
