import { bytesToHex } from "@ethereumjs/util";

import { ExecutionRevertedError, SimulationError, TransactionRejectedError } from "../chain/errors";
// protocol's modules, not its index: the index loads the TypeChain types, which this module needs not.
import { CodedError } from "../../protocol/errors";
import {
  type NodeErrorData,
  type RpcErrorObject,
  RpcErrorCode,
  encodeRevertError,
  encodeRpcError,
  standardErrorData,
} from "../../protocol/rpc";

// The codes are the protocol's (the SDK reads them back); re-exported for the node's methods.
export { RpcErrorCode } from "../../protocol/rpc";

/**
 * An error as it goes on the wire: JSON-RPC code, one-line message, and `data` — the node's
 * `{ code, hint, … }` (protocol/rpc.ts `encodeRpcError`), or a revert's bytes for code 3. An error
 * raised with a JSON-RPC code only (`invalidParams`, method not found) gets that code's own name
 * and hint (`standardErrorData`), so every error a client sees has the same shape.
 */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: NodeErrorData | string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "RpcError";
  }

  toJSON(): RpcErrorObject {
    if (typeof this.data === "string") return encodeRevertError(this.message, this.data);
    const { code, hint, ...fields } = this.data ?? standardErrorData(this.code, this.hint);
    return encodeRpcError(this.code, this.message, { code, hint }, fields);
  }
}

export function invalidParams(message: string): RpcError {
  return new RpcError(RpcErrorCode.InvalidParams, message);
}

/** A node error answered with `rpcCode`: its code and hint (and `fields`) in `data`. */
function nodeRpcError(
  rpcCode: number,
  message: string,
  error: CodedError,
  fields: Record<string, string> = {},
): RpcError {
  return new RpcError(rpcCode, message, { ...fields, code: error.code, hint: error.hint }, error.hint);
}

/**
 * Translates any error thrown by a handler into the error the client sees: the one place a node
 * error gets its JSON-RPC code (docs/rpc.md "Errors"). A revert keeps code 3 with its bytes as
 * `data` (what ethers decodes a custom error from); a refused transaction keeps geth's reason as
 * its message (ethers recognises "nonce too low", "replacement transaction underpriced" …) and
 * carries it in `data.reason` too; eth_simulateV1's errors keep their -38xxx codes; every other
 * coded error (chain, L2, follower, bridge, protocol) is -32000 with its code and hint; anything
 * else is a bug of the node, -32603.
 */
export function toRpcError(error: unknown): RpcError {
  if (error instanceof RpcError) return error;
  if (error instanceof ExecutionRevertedError) {
    return error.isRevert
      ? new RpcError(RpcErrorCode.ExecutionReverted, error.message, bytesToHex(error.data), error.hint)
      : nodeRpcError(RpcErrorCode.Server, error.message, error);
  }
  if (error instanceof SimulationError) return nodeRpcError(error.rpcCode, error.message, error);
  if (error instanceof TransactionRejectedError)
    return nodeRpcError(RpcErrorCode.Server, error.reason, error, { reason: error.reason });
  if (error instanceof CodedError) return nodeRpcError(RpcErrorCode.Server, error.message, error);
  const message = error instanceof Error ? error.message : String(error);
  return new RpcError(RpcErrorCode.Internal, message);
}
