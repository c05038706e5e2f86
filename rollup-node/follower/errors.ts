import { L2Error } from "../l2/errors";

/**
 * Errors of the follower node. They extend the L2 node's errors, so the JSON-RPC layer answers
 * them like other node errors (-32000 with the message), with a stable `code` and a `hint`.
 */
export class FollowerError extends L2Error {}

/**
 * L1 accepted a block the follower cannot reproduce from the data L1 holds: its body does not
 * execute on the follower's state, or executes to another hash. Derivation stops here, never forks.
 */
export class DerivationMismatchError extends FollowerError {
  constructor(
    readonly l2BlockNumber: bigint,
    message: string,
  ) {
    super(
      "FOLLOWER_MISMATCH",
      `L2 block ${l2BlockNumber}: ${message}`,
      "the follower stopped instead of forking: check that its genesis is the rollup's, then report the L1 transaction named above",
    );
  }
}

/** The body of an accepted block is neither in the calldata nor in the rollup's logs of the L1 transaction that accepted it. */
export class BodyNotFoundError extends FollowerError {
  constructor(l2BlockNumber: bigint, transactionHash: string, why: string) {
    super(
      "FOLLOWER_NO_BODY",
      `L2 block ${l2BlockNumber}: its body is not in L1 transaction ${transactionHash} (${why})`,
      "the rollup must publish every block it accepts: in the calldata of a direct call, or in its BlockData/ProposalData log (docs/design/derivability.md); a rollup built on an older NativeRollup does not emit BlockData",
    );
  }
}

/** No candidate body in the calldata matches its header's roots (the reason names the last mismatch). */
export class BodyMismatchError extends FollowerError {
  constructor(reason: string) {
    super("FOLLOWER_BODY_MISMATCH", reason, "the calldata holds the block's header but not the body it commits to");
  }
}

/** A follower does not take transactions: they go to the sequencer. */
export class FollowerReadOnlyError extends FollowerError {
  constructor(sequencerRpc: string | undefined) {
    super(
      "FOLLOWER_READ_ONLY",
      `this node is a follower: it derives the chain from L1 and does not take transactions; send them to the rollup's sequencer${sequencerRpc === undefined ? "" : ` at ${sequencerRpc}`}`,
      sequencerRpc === undefined
        ? "send transactions to the rollup's sequencer (or start the follower with a sequencer URL to forward them)"
        : `send transactions to the sequencer at ${sequencerRpc}`,
    );
  }
}

/** A follower does not produce blocks. */
export class FollowerNoProductionError extends FollowerError {
  constructor() {
    super(
      "FOLLOWER_NO_PRODUCTION",
      "this node is a follower: it does not produce blocks",
      "blocks come from L1; use the sequencer's evm_mine",
    );
  }
}

/** The follower was used after `close()`. */
export class FollowerClosedError extends FollowerError {
  constructor() {
    super("FOLLOWER_CLOSED", "the follower is closed", "open a new Follower on the data directory");
  }
}
