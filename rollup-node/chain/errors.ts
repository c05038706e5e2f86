import { NodeError } from "../errors";

/**
 * Errors raised by the chain core. Each carries a stable `code` (for programs and the RPC
 * layer) and a `hint` (for the human reading the message).
 */
export class ChainError extends NodeError {}

/** A block tag, number or hash that names no block of this chain. */
export class UnknownBlockError extends ChainError {
  constructor(what: string) {
    super("UNKNOWN_BLOCK", `unknown block ${what}`, "ask for a block at or below eth_blockNumber");
  }
}

/** A transaction the chain refuses before execution (nonce, funds, fees, gas). */
export class TransactionRejectedError extends ChainError {
  constructor(
    message: string,
    hint: string,
    /** The geth-style reason, e.g. "nonce too low". */
    readonly reason: string = message,
  ) {
    super("TX_REJECTED", message, hint);
  }
}

/** EVM execution ended in REVERT (or another exceptional halt) during a simulation. */
export class ExecutionRevertedError extends ChainError {
  constructor(
    message: string,
    /** The raw revert data returned by the EVM (empty for halts other than REVERT). */
    readonly data: Uint8Array,
    /** True when the frame ended with REVERT; false for out-of-gas, invalid opcode, … */
    readonly isRevert: boolean,
    /** Set when the failed transaction was mined anyway (automine). */
    readonly transactionHash?: Uint8Array,
  ) {
    super("EXECUTION_REVERTED", message, "decode the revert data with the contract's ABI to see the custom error");
  }
}

/** A timestamp that does not move the chain forward. */
export class InvalidTimestampError extends ChainError {
  constructor(message: string) {
    super("INVALID_TIMESTAMP", message, "block timestamps must be strictly increasing");
  }
}

/**
 * A block whose timestamp would pass MAX_DEV_TIMESTAMP: the dev clock reached its cap (a forced
 * time at the cap, then one block per second). Refused, so the cap holds for every block.
 */
export class DevTimestampCapError extends ChainError {
  constructor(timestamp: bigint, max: bigint) {
    super(
      "DEV_TIMESTAMP_CAP",
      `the next block's timestamp ${timestamp} would pass the largest dev timestamp ${max} (2^63 - 1)`,
      "the dev clock was moved to its cap and blocks must grow in time: evm_revert to a snapshot taken before, or restart the devnet with --reset",
    );
  }
}

/** A configuration value the chain cannot start with. */
export class ChainConfigError extends ChainError {
  constructor(message: string, hint: string) {
    super("CHAIN_CONFIG", message, hint);
  }
}

/** Re-executing a block to record its witness did not reproduce the block (a chain bug). */
export class WitnessCaptureError extends ChainError {
  constructor(message: string) {
    super(
      "WITNESS_CAPTURE",
      message,
      "witness capture mirrors the EXECUTE verifier; a chain with custom precompiles or edited state cannot be witnessed",
    );
  }
}

/**
 * A witness capture failed on what it read, not on the block: a damaged database or block store,
 * or a capture thread given or answered other data than the chain holds. Not a verdict on the
 * block (that is WitnessCaptureError): the capture passes it on as it is, and a chain whose
 * capture thread failed so captures the block on its own thread.
 */
export class CaptureSourceError extends ChainError {}

/**
 * The trie database answered a key with bytes that do not hash to it: a damaged database, or a
 * capture thread given another node than the chain read. A witness holding those bytes would
 * lack the node the key names, and L1 would refuse the block as WitnessIncomplete.
 */
export class StoredNodeMismatchError extends CaptureSourceError {
  constructor(message: string) {
    super(
      "STORED_NODE_MISMATCH",
      message,
      "the chain's trie database is damaged (restore it, or resync the chain from L1); on the capture thread the chain captures the block itself",
    );
  }
}

/**
 * An ancestor's header, as the capture was given it, is not the block's ancestor: its RLP does
 * not hash to the hash given with it, or to the parent hash of the header above it (the block's
 * own parent hash for its parent). BLOCKHASH would read a hash the build did not, and a witness
 * holding that header is refused on L1, which authenticates each header through its child.
 */
export class AncestorHeaderMismatchError extends CaptureSourceError {
  constructor(message: string) {
    super(
      "ANCESTOR_HEADER_MISMATCH",
      message,
      "the chain's block store is damaged (restore it, or resync the chain from L1); on the capture thread the chain captures the block itself",
    );
  }
}

/**
 * The chain could not answer its capture thread's question (its database failed): the chain's
 * capture fails with the database's error, and the thread drops the capture it was asking for.
 */
export class CaptureAskError extends CaptureSourceError {
  constructor(message: string) {
    super(
      "CAPTURE_ASK",
      message,
      "the chain's database failed while the capture thread was waiting for it: the chain's log has its error",
    );
  }
}

/**
 * The chain's trie database or block store threw while a capture read it (an I/O error, a closed
 * database): the capture cannot finish, but the block is not at fault. Read as WitnessCaptureError
 * it would say the block is not what its re-execution gives, and point at custom precompiles.
 */
export class CaptureStoreReadError extends CaptureSourceError {
  constructor(message: string) {
    super(
      "CAPTURE_STORE_READ",
      message,
      "the chain's database or block store failed: check the disk and the node's data directory, then restart the node",
    );
  }
}

/** The stored chain does not match the configuration it is opened with, or is damaged. */
export class ChainHistoryError extends ChainError {
  constructor(message: string, hint: string) {
    super("CHAIN_HISTORY", message, hint);
  }
}

/** A block offered for import that does not follow from its parent or whose execution differs from its header. */
export class InvalidBlockError extends ChainError {
  constructor(number: bigint, reason: string) {
    super(
      "INVALID_BLOCK",
      `block ${number} is invalid: ${reason}`,
      "import blocks of this chain's genesis, in order, as their producer sealed them",
    );
  }
}

/** eth_simulateV1 refused the request; `rpcCode` is the execution-apis error code (-38010 …). */
export class SimulationError extends ChainError {
  constructor(
    readonly rpcCode: number,
    message: string,
  ) {
    super("SIMULATION", message, "see the eth_simulateV1 specification for the meaning of the code");
  }
}

/** A block that cannot be re-executed for a trace (the genesis block has no transactions to run). */
export class NotTraceableError extends ChainError {
  constructor(message: string) {
    super("NOT_TRACEABLE", message, "trace a block above 0");
  }
}
