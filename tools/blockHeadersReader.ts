/**
 * What the rollup contracts accept as a posted block, restated in TypeScript for the fuzz oracle:
 * `BlockHeaders.decode` (contracts/rollup/BlockHeaders.sol) over the RLP reader it uses
 * (@eth-optimism/contracts-bedrock RLPReader). Bytes it refuses can never be a proposal, so
 * EXECUTE may call them "could not be checked"; bytes it accepts must get a code >= 64 when
 * invalid. The restatement is checked against the compiled contract by proposing the same bytes
 * in test/contracts/optimisticRollup.test.ts.
 */

/** An item as RLPReader sees it: where it starts and how many bytes it spans, prefix included. */
interface Item {
  readonly start: number;
  readonly length: number;
}

/** RLPReader's `MAX_LIST_LENGTH`: a list with more items makes `readList` revert. */
const MAX_LIST_LENGTH = 32;
/** Header fields BlockHeaders.decode reads, with the size each must (`exact`) or may at most (`max`) have. */
const READ_FIELDS: readonly { index: number; exact?: number; max?: number }[] = [
  { index: 0, exact: 32 },
  { index: 2, exact: 20 },
  { index: 3, exact: 32 },
  { index: 5, exact: 32 },
  { index: 8, max: 8 },
  { index: 9, max: 8 },
  { index: 10, max: 8 },
  { index: 11, max: 8 },
  { index: 15, max: 32 },
  { index: 19, exact: 32 },
];
const MIN_HEADER_FIELDS = 20;

/** Big-endian integer of the `n` length bytes at `at` (past the end reads as zero; the caller's length checks then fail). */
function readLength(bytes: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 256 + (bytes[at + i] ?? 0);
  return v;
}

/** RLPReader._decodeLength of the item at `item`: [payload offset, payload length, isList], or undefined where it reverts. */
function decodeLength(bytes: Uint8Array, item: Item): [number, number, boolean] | undefined {
  if (item.length <= 0) return undefined;
  const prefix = bytes[item.start];
  const first = bytes[item.start + 1] ?? 0;
  if (prefix <= 0x7f) return [0, 1, false];
  if (prefix <= 0xb7) {
    const len = prefix - 0x80;
    if (!(item.length > len) || (len === 1 && first < 0x80)) return undefined;
    return [1, len, false];
  }
  if (prefix <= 0xbf || prefix >= 0xf8) {
    const lenOfLen = prefix - (prefix <= 0xbf ? 0xb7 : 0xf7);
    if (!(item.length > lenOfLen) || first === 0) return undefined;
    const len = readLength(bytes, item.start + 1, lenOfLen);
    if (!(len > 55) || !(item.length > lenOfLen + len)) return undefined;
    return [1 + lenOfLen, len, prefix >= 0xf8];
  }
  const len = prefix - 0xc0;
  if (!(item.length > len)) return undefined;
  return [1, len, true];
}

/** RLPReader.readList: the list's items, or undefined where it reverts. */
function readList(bytes: Uint8Array, list: Item): Item[] | undefined {
  const decoded = decodeLength(bytes, list);
  if (decoded === undefined) return undefined;
  const [listOffset, listLength, isList] = decoded;
  if (!isList || listOffset + listLength !== list.length) return undefined;
  const items: Item[] = [];
  let offset = listOffset;
  while (offset < list.length) {
    const sub = decodeLength(bytes, { start: list.start + offset, length: list.length - offset });
    if (sub === undefined || items.length === MAX_LIST_LENGTH) return undefined;
    items.push({ start: list.start + offset, length: sub[0] + sub[1] });
    offset += sub[0] + sub[1];
  }
  return items;
}

/** RLPReader.readBytes: the payload size of a data item spanning exactly `item`, or undefined where it reverts. */
function readBytesSize(bytes: Uint8Array, item: Item): number | undefined {
  const decoded = decodeLength(bytes, item);
  if (decoded === undefined || decoded[2] || item.length !== decoded[0] + decoded[1]) return undefined;
  return decoded[1];
}

/** True when `BlockHeaders.decode(bytes)` returns rather than reverts: the bytes can be a posted block. */
export function contractsAcceptAsBlock(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return false;
  const top = readList(bytes, { start: 0, length: bytes.length });
  if (top === undefined || top.length === 0) return false;
  const fields = readList(bytes, top[0]);
  if (fields === undefined || fields.length < MIN_HEADER_FIELDS) return false;
  return READ_FIELDS.every(({ index, exact, max }) => {
    const size = readBytesSize(bytes, fields[index]);
    return size !== undefined && (exact === undefined || size === exact) && (max === undefined || size <= max);
  });
}
