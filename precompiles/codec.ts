import { ExecuteError, ExecuteErrorCode } from "./errors";

/** The decoded input of EXECUTE: `abi.encode(uint64, bytes, bytes, bytes, bytes)`. */
export interface ExecuteInput {
  readonly chainId: bigint;
  /** RLP of the parent L2 header. */
  readonly parentHeader: Uint8Array;
  /** RLP of the full L2 block. */
  readonly block: Uint8Array;
  /** RLP `[state, codes, headers]`, see `witness.ts`. */
  readonly witness: Uint8Array;
  /** Empty for re-execution. */
  readonly proofs: Uint8Array;
}

/** What EXECUTE returns for a valid block (352 bytes ABI-encoded, see `encodeExecuteResult`). */
export interface ExecuteResult {
  readonly blockHash: Uint8Array;
  readonly stateRoot: Uint8Array;
  readonly receiptsRoot: Uint8Array;
  readonly number: bigint;
  readonly timestamp: bigint;
  readonly gasLimit: bigint;
  readonly gasUsed: bigint;
  readonly baseFeePerGas: bigint;
  /** Base fee times gas used: the L2 ETH the block burned. */
  readonly burnedFees: bigint;
  /** 20-byte address. */
  readonly coinbase: Uint8Array;
  /** The L1 anchor (docs/DESIGN.md §4.4). */
  readonly parentBeaconBlockRoot: Uint8Array;
}

const WORD = 32;
const HEAD_WORDS = 5;
const BYTES_FIELDS = ["parentHeader", "block", "witness", "proofs"] as const;
/** Byte size of the encoded result: eleven static words. */
export const EXECUTE_RESULT_SIZE = 11 * WORD;
const UINT64_MAX = (1n << 64n) - 1n;

function malformed(reason: string): ExecuteError {
  return new ExecuteError(ExecuteErrorCode.MalformedInput, reason);
}

function readWord(data: Uint8Array, offset: number, field: string): bigint {
  if (offset + WORD > data.length) throw malformed(`input ends inside ${field}`);
  let value = 0n;
  for (let i = offset; i < offset + WORD; i++) value = (value << 8n) | BigInt(data[i]);
  return value;
}

function readBytes(data: Uint8Array, headIndex: number, field: string, headWords = HEAD_WORDS): Uint8Array {
  const offset = readWord(data, headIndex * WORD, `${field} offset`);
  if (offset < BigInt(headWords * WORD) || offset % BigInt(WORD) !== 0n || offset > BigInt(data.length)) {
    throw malformed(`${field} offset ${offset} is out of bounds`);
  }
  const start = Number(offset);
  const length = readWord(data, start, `${field} length`);
  const end = BigInt(start + WORD) + length;
  if (end > BigInt(data.length)) throw malformed(`${field} of ${length} bytes runs past the end of the input`);
  return data.subarray(start + WORD, Number(end));
}

/**
 * Decodes EXECUTE's input strictly: every offset and length must lie inside the input and the
 * chain id must fit a uint64. Throws `ExecuteError(MalformedInput)` otherwise.
 */
export function decodeExecuteInput(data: Uint8Array): ExecuteInput {
  if (data.length < HEAD_WORDS * WORD) throw malformed(`input of ${data.length} bytes is shorter than the ABI head`);
  const chainId = readWord(data, 0, "chainId");
  if (chainId > UINT64_MAX) throw malformed("chainId does not fit in a uint64");
  const [parentHeader, block, witness, proofs] = BYTES_FIELDS.map((field, i) => readBytes(data, i + 1, field));
  return { chainId, parentHeader, block, witness, proofs };
}

function writeWord(out: Uint8Array, offset: number, value: bigint): void {
  for (let i = WORD - 1; i >= 0; i--) {
    out[offset + i] = Number(value & 0xffn);
    value >>= 8n;
  }
}

function paddedLength(length: number): number {
  return Math.ceil(length / WORD) * WORD;
}

/** Byte length of EXECUTE's encoded input: what its per-byte gas is charged on. */
export function executeInputLength(input: Pick<ExecuteInput, (typeof BYTES_FIELDS)[number]>): number {
  return HEAD_WORDS * WORD + BYTES_FIELDS.reduce((sum, field) => sum + WORD + paddedLength(input[field].length), 0);
}

/** Encodes EXECUTE's input exactly as Solidity's `abi.encode` does. */
export function encodeExecuteInput(input: ExecuteInput): Uint8Array {
  const fields = BYTES_FIELDS.map((field) => input[field]);
  const size = executeInputLength(input);
  const out = new Uint8Array(size);
  writeWord(out, 0, input.chainId);
  let tail = HEAD_WORDS * WORD;
  fields.forEach((field, i) => {
    writeWord(out, (i + 1) * WORD, BigInt(tail));
    writeWord(out, tail, BigInt(field.length));
    out.set(field, tail + WORD);
    tail += WORD + paddedLength(field.length);
  });
  return out;
}

function bytesToBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  return value;
}

/** Encodes the result as `abi.encode(bytes32, bytes32, bytes32, uint64 ×4, uint256 ×2, address, bytes32)`. */
export function encodeExecuteResult(result: ExecuteResult): Uint8Array {
  const words = [
    bytesToBigInt(result.blockHash),
    bytesToBigInt(result.stateRoot),
    bytesToBigInt(result.receiptsRoot),
    result.number,
    result.timestamp,
    result.gasLimit,
    result.gasUsed,
    result.baseFeePerGas,
    result.burnedFees,
    bytesToBigInt(result.coinbase),
    bytesToBigInt(result.parentBeaconBlockRoot),
  ];
  const out = new Uint8Array(EXECUTE_RESULT_SIZE);
  words.forEach((word, i) => writeWord(out, i * WORD, word));
  return out;
}

function wordBytes(data: Uint8Array, index: number, size = WORD): Uint8Array {
  return data.slice(index * WORD + WORD - size, (index + 1) * WORD);
}

/** Decodes the 352-byte output of EXECUTE. */
export function decodeExecuteResult(data: Uint8Array): ExecuteResult {
  if (data.length !== EXECUTE_RESULT_SIZE) {
    throw malformed(`an EXECUTE result is ${EXECUTE_RESULT_SIZE} bytes, got ${data.length}`);
  }
  const word = (i: number) => readWord(data, i * WORD, "result");
  return {
    blockHash: wordBytes(data, 0),
    stateRoot: wordBytes(data, 1),
    receiptsRoot: wordBytes(data, 2),
    number: word(3),
    timestamp: word(4),
    gasLimit: word(5),
    gasUsed: word(6),
    baseFeePerGas: word(7),
    burnedFees: word(8),
    coinbase: wordBytes(data, 9, 20),
    parentBeaconBlockRoot: wordBytes(data, 10),
  };
}

/** Selector of `ExecuteInvalid(uint8 code, string reason)`: the first four bytes of its keccak-256. */
export const EXECUTE_INVALID_SELECTOR = Uint8Array.from([0xdf, 0x07, 0xcb, 0x53]);

/**
 * Most bytes of UTF-8 reason EXECUTE returns. A reason may quote the input (a library's message
 * echoes a malformed field), and a challenge copies, decodes and logs the reason: bounding it keeps
 * the cost of acting on a failure independent of what the block holds (docs/design/execute-budget.md).
 */
export const MAX_EXECUTE_REASON_BYTES = 256;

/** Marks a reason cut to `MAX_EXECUTE_REASON_BYTES`. */
const TRUNCATION_MARK = "...";

/** The UTF-8 of `reason`, cut on a character boundary to at most `MAX_EXECUTE_REASON_BYTES`. */
export function boundedReasonBytes(reason: string): Uint8Array {
  const text = new TextEncoder().encode(reason);
  if (text.length <= MAX_EXECUTE_REASON_BYTES) return text;
  let cut = MAX_EXECUTE_REASON_BYTES - TRUNCATION_MARK.length;
  // Never split a multi-byte character: back off over continuation bytes (0b10xxxxxx).
  while (cut > 0 && (text[cut] & 0xc0) === 0x80) cut--;
  const out = new Uint8Array(cut + TRUNCATION_MARK.length);
  out.set(text.subarray(0, cut), 0);
  out.set(new TextEncoder().encode(TRUNCATION_MARK), cut);
  return out;
}

/**
 * Revert data of a failed EXECUTE: `ExecuteInvalid(code, reason)` ABI-encoded with its selector,
 * the reason bounded by `MAX_EXECUTE_REASON_BYTES` (so the whole revert is at most
 * `MAX_EXECUTE_INVALID_SIZE` bytes).
 */
export function encodeExecuteInvalid(code: number, reason: string): Uint8Array {
  const text = boundedReasonBytes(reason);
  const out = new Uint8Array(4 + 3 * WORD + paddedLength(text.length));
  out.set(EXECUTE_INVALID_SELECTOR, 0);
  writeWord(out, 4, BigInt(code));
  writeWord(out, 4 + WORD, BigInt(2 * WORD));
  writeWord(out, 4 + 2 * WORD, BigInt(text.length));
  out.set(text, 4 + 3 * WORD);
  return out;
}

/** Most bytes of EXECUTE's revert data: selector, code, offset and length words, and the padded bounded reason. */
export const MAX_EXECUTE_INVALID_SIZE = 4 + 3 * WORD + paddedLength(MAX_EXECUTE_REASON_BYTES);

/** Reads `ExecuteInvalid(code, reason)` revert data; undefined when the data is something else. */
export function decodeExecuteInvalid(data: Uint8Array): { code: number; reason: string } | undefined {
  if (data.length < 4 + 3 * WORD || !EXECUTE_INVALID_SELECTOR.every((b, i) => data[i] === b)) return undefined;
  const body = data.subarray(4);
  try {
    const code = readWord(body, 0, "code");
    const reason = new TextDecoder().decode(readBytes(body, 1, "reason", 2));
    return code <= 0xffn ? { code: Number(code), reason } : undefined;
  } catch {
    return undefined;
  }
}
