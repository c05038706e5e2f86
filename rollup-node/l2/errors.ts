import { ChainError } from "../chain/errors";

/**
 * Errors of the L2 node. They extend the chain's error class so the JSON-RPC layer answers
 * them like other node errors (-32000 with the message), and carry a stable `code` and `hint`.
 */
export class L2Error extends ChainError {}

/** The data directory cannot be used as it is (another chain, damaged, unreadable). */
export class DataDirError extends L2Error {
  constructor(message: string, hint: string) {
    super("L2_DATA_DIR", message, hint);
  }
}

/** A contract artifact the L2 genesis needs is missing or unreadable. */
export class ArtifactError extends L2Error {
  constructor(message: string, hint: string) {
    super("L2_ARTIFACT", message, hint);
  }
}

/** The sequencer was used after `close()`. */
export class SequencerClosedError extends L2Error {
  constructor() {
    super("L2_CLOSED", "the sequencer is closed", "open a new Sequencer on the data directory");
  }
}

/** A block number with no stored witness (genesis, or past the head). */
export class NoWitnessError extends L2Error {
  constructor(what: string) {
    super(
      "L2_NO_WITNESS",
      `no execution witness for block ${what}`,
      "witnesses exist for blocks 1..head; genesis has none",
    );
  }
}
