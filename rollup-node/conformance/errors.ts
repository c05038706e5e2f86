import { NodeError } from "../errors";

/** The conformance suite or its chain cannot be loaded or replayed. */
export class ConformanceError extends NodeError {}

/** A geth genesis file this converter cannot express as an EthereumJS chain. */
export class GethGenesisError extends ConformanceError {
  constructor(message: string) {
    super(
      "GETH_GENESIS",
      message,
      "the converter supports go-ethereum's ethash/PoS genesis format (see rollup-node/conformance/gethGenesis.ts)",
    );
  }
}

/** The suite directory is missing or malformed. */
export class SuiteNotFoundError extends ConformanceError {
  constructor(message: string) {
    super(
      "SUITE_NOT_FOUND",
      message,
      "the repository vendors the suite in test/conformance/rpc-compat (restore it with git checkout), or set RPC_COMPAT_DIR to a copy of execution-apis' tests/ folder (genesis.json, chain.rlp, <method>/<case>.io)",
    );
  }
}

/** A block of chain.rlp does not decode, or the chain core rejected it. */
export class ChainImportError extends ConformanceError {
  constructor(message: string) {
    super("CHAIN_IMPORT", message, "the chain file must hold RLP blocks of this genesis, back to back, in order");
  }
}

/** An `.io` test file does not follow the `>>` / `<<` format. */
export class IoFormatError extends ConformanceError {
  constructor(message: string) {
    super(
      "IO_FORMAT",
      message,
      "a case file holds `// comment`, `>> request` and `<< response` lines, each request followed by its response",
    );
  }
}
