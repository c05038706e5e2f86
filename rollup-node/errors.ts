// protocol/errors, not the index: this module loads while Hardhat reads its config, before
// compilation writes the TypeChain types the rest of protocol/ needs.
import { CodedError } from "../protocol/errors";

/**
 * The base of the node's own errors: a stable `code` (for programs, RPC clients and the RPC
 * layer) and a `hint` (for the human reading the message). Each area keeps its own subclass
 * (ChainError, BridgeError, …) because callers tell them apart with `instanceof`: the RPC layer
 * answers chain errors as server errors, the bridge's methods answer theirs with code and hint.
 */
export class NodeError extends CodedError {}
