import type { ExecResult } from "@ethereumjs/evm";
import { bytesToBigInt, bytesToHex, bytesToUtf8 } from "@ethereumjs/util";

import { ExecutionRevertedError } from "./errors";

const ERROR_STRING_SELECTOR = "0x08c379a0";
const PANIC_SELECTOR = "0x4e487b71";

// The reasons geth prints for Solidity's Panic(uint256) codes.
const PANIC_REASONS: Readonly<Record<number, string>> = {
  0x00: "generic panic",
  0x01: "assert(false)",
  0x11: "arithmetic underflow or overflow",
  0x12: "division or modulo by zero",
  0x21: "enum overflow",
  0x22: "invalid encoded storage byte array accessed",
  0x31: "out-of-bounds array access; popping on an empty array",
  0x32: "out-of-bounds access of an array or bytesN",
  0x41: "out of memory",
  0x51: "uninitialized function",
};

/** The reason of a `Panic(uint256)` revert, as geth words it. */
export function decodePanic(data: Uint8Array): string | undefined {
  if (data.length !== 36 || bytesToHex(data.subarray(0, 4)) !== PANIC_SELECTOR) return undefined;
  const code = bytesToBigInt(data.subarray(4));
  return PANIC_REASONS[Number(code)] ?? `unknown panic code: 0x${code.toString(16)}`;
}

/** The reason of an `Error(string)` revert, or undefined for any other revert data. */
export function decodeErrorString(data: Uint8Array): string | undefined {
  if (data.length < 68 || bytesToHex(data.subarray(0, 4)) !== ERROR_STRING_SELECTOR) return undefined;
  try {
    const offset = Number(bytesToBigInt(data.subarray(4, 36)));
    const length = Number(bytesToBigInt(data.subarray(4 + offset, 36 + offset)));
    const start = 36 + offset;
    if (start + length > data.length) return undefined;
    return bytesToUtf8(data.subarray(start, start + length));
  } catch {
    return undefined;
  }
}

/** The error a failed simulation raises, with geth's messages ("execution reverted: reason"). */
export function executionError(exec: ExecResult): ExecutionRevertedError {
  return executionFailure(exec.exceptionError?.error, exec.returnValue);
}

/** Like executionError, from an EVM error name and return data (e.g. of a mined receipt). */
export function executionFailure(
  error: string | undefined,
  returnValue: Uint8Array,
  transactionHash?: Uint8Array,
): ExecutionRevertedError {
  if (error === "revert") {
    const reason = decodeErrorString(returnValue) ?? decodePanic(returnValue);
    return new ExecutionRevertedError(
      reason === undefined ? "execution reverted" : `execution reverted: ${reason}`,
      returnValue,
      true,
      transactionHash,
    );
  }
  return new ExecutionRevertedError(error ?? "execution failed", new Uint8Array(), false, transactionHash);
}
