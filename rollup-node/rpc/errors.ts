import { bytesToHex } from "@ethereumjs/util";

import {
  ChainError,
  ExecutionRevertedError,
  SimulationError,
  TransactionRejectedError,
  UnknownBlockError,
} from "../chain/errors";

/** JSON-RPC 2.0 and Ethereum error codes. */
export const RpcErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  Internal: -32603,
  /** geth's catch-all for rejected transactions and server errors. */
  Server: -32000,
  /** geth's code for the calls of a batch left unanswered once its answers pass the size limit. */
  ResponseTooLarge: -32003,
  /** EVM revert with data (EIP-1474 / geth). */
  ExecutionReverted: 3,
} as const;

/** An error as it goes on the wire: code, message, optional data. */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "RpcError";
  }

  toJSON(): { code: number; message: string; data?: unknown } {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }
}

export function invalidParams(message: string): RpcError {
  return new RpcError(RpcErrorCode.InvalidParams, message);
}

/** Translates any error thrown by a handler into the error the client sees. */
export function toRpcError(error: unknown): RpcError {
  if (error instanceof RpcError) return error;
  if (error instanceof ExecutionRevertedError) {
    return error.isRevert
      ? new RpcError(RpcErrorCode.ExecutionReverted, error.message, bytesToHex(error.data), error.hint)
      : new RpcError(RpcErrorCode.Server, error.message, undefined, error.hint);
  }
  if (error instanceof SimulationError) return new RpcError(error.rpcCode, error.message, undefined, error.hint);
  if (error instanceof TransactionRejectedError)
    return new RpcError(RpcErrorCode.Server, error.reason, undefined, error.hint);
  if (error instanceof UnknownBlockError)
    return new RpcError(RpcErrorCode.Server, error.message, undefined, error.hint);
  if (error instanceof ChainError) return new RpcError(RpcErrorCode.Server, error.message, undefined, error.hint);
  const message = error instanceof Error ? error.message : String(error);
  return new RpcError(RpcErrorCode.Internal, message);
}
