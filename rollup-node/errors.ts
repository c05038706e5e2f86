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

/**
 * What to do about a port another process holds: stop it, or start on another port through the
 * command's own option (`portOption`), 0 picking a free one.
 */
export function portTakenHint(port: number, portOption: string | undefined): string {
  const how = portOption === undefined ? "start on another port" : `pass another port with ${portOption} N`;
  return `another process is listening on port ${port}: stop it, or ${how} (${portOption ?? "port"} 0 picks a free one)`;
}
