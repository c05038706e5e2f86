/**
 * Whether `error` is V8 running out of memory or stack (a `RangeError` it throws: "Array buffer
 * allocation failed", "WebAssembly.Memory(): could not allocate memory", "Maximum call stack size
 * exceeded"), which says nothing about the input and another run may not hit. Not ethers' coded
 * errors: ethers throws a `RangeError` with a `code` (BUFFER_OVERRUN, "data out-of-bounds") for
 * truncated ABI data, a property of the input that every run meets the same way — a malformed proof,
 * whose verdict must stay "does not count".
 */
export function isResourceFailure(error: unknown): error is RangeError {
  return error instanceof RangeError && typeof (error as { code?: unknown }).code !== "string";
}
