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

/**
 * L1 kept refusing a block for the overdue L1 messages it leaves (`OverdueMessageLeft`,
 * `OverdueMessageSkipped`) after MAX_REBUILDS_PER_BLOCK rebuilds: the block L1 requires (every
 * overdue message its overdue budget holds) is one the node does not build, most likely because
 * its `advance` does not fit this L1's blocks and the sequencer consumed fewer messages
 * (docs/design/advance-gas-cap.md §3). No rebuild or reset helps: the L1 must hold larger blocks.
 */
export class RequiredMessagesNotBuiltError extends BridgeError {
  constructor(
    readonly blockNumber: bigint,
    /** The decoded revert, e.g. `OverdueMessageLeft(1, 1519433, 1520701)`. */
    readonly reason: string,
  ) {
    super(
      "REQUIRED_MESSAGES_NOT_BUILT",
      `L1 refused L2 block ${blockNumber} ${reason}: it must consume the overdue L1 → L2 messages its overdue budget holds, and the node, rebuilding it, did not`,
      "if the sequencer's log says it consumed fewer L1 → L2 messages because the relays exceed the advance budget, this L1's blocks cannot carry the messages L1 requires in one block: nobody's blocks will be accepted until the L1's block gas limit rises (the node logs at start the least it needs); run the rollup on an L1 whose blocks hold more, or deploy it with a lower MESSAGE_DATA_SIZE_LIMIT. Nothing was sent for the refused blocks (each was simulated first). Restarting with --reset does not help",
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
