import { type NestedUint8Array, RLP } from "@ethereumjs/rlp";

/**
 * The deepest list nesting EXECUTE's decoders accept in one RLP item (docs/design/rlp-depth.md).
 * The deepest valid structure is 4 (a typed transaction's access list: tx → accessList → entry →
 * storageKeys); a block is 3 (block → transactions → legacy transaction), a witness 2, a header 1.
 * Bytes nested deeper are never a valid header, block, transaction or witness, so refusing them
 * as undecodable keeps every verdict's class, and it keeps `@ethereumjs/rlp`'s recursive decoder,
 * which copies each level's payload, from quadratic work and a stack overflow.
 */
export const MAX_RLP_DEPTH = 16;

/** RLP nested deeper than `maxDepth`: what a site reports as its usual "not valid RLP". */
export class RlpTooDeepError extends Error {
  readonly code = "RLP_TOO_DEEP";
  readonly hint = "no valid header, block, transaction or witness nests lists this deep";
  readonly offset: number;
  readonly maxDepth: number;

  constructor(offset: number, maxDepth: number) {
    super(`invalid RLP: lists nested deeper than ${maxDepth} (at byte ${offset})`);
    this.name = "RlpTooDeepError";
    this.offset = offset;
    this.maxDepth = maxDepth;
  }
}

/** The payload's start and end of the item at `offset`, or undefined when its prefix runs past `limit`. */
function itemSpan(bytes: Uint8Array, offset: number, limit: number): { payload: number; end: number } | undefined {
  const prefix = bytes[offset] as number;
  if (prefix < 0x80) return { payload: offset, end: offset + 1 };
  const short = prefix - (prefix >= 0xc0 ? 0xc0 : 0x80);
  if (short <= 55) return { payload: offset + 1, end: offset + 1 + short };
  const lengthBytes = short - 55;
  if (offset + 1 + lengthBytes > limit) return undefined;
  let length = 0;
  for (let i = 1; i <= lengthBytes; i++) length = length * 256 + (bytes[offset + i] as number);
  return { payload: offset + 1 + lengthBytes, end: offset + 1 + lengthBytes + length };
}

/**
 * Throws `RlpTooDeepError` when `bytes` opens more than `maxDepth` lists inside one another. One
 * pass over the prefixes, without recursion or copies: linear in the bytes. It judges nothing
 * else: where the prefixes stop making sense it stops and leaves the verdict to the decoder, which
 * meets the same prefixes in the same order, so it never recurses past `maxDepth` either.
 */
export function checkRlpDepth(bytes: Uint8Array, maxDepth: number = MAX_RLP_DEPTH): void {
  // The ends of the lists open at `offset`, innermost last (at most maxDepth of them).
  const ends: number[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    while (ends.length > 0 && offset >= (ends[ends.length - 1] as number)) ends.pop();
    const limit = ends.length > 0 ? (ends[ends.length - 1] as number) : bytes.length;
    const span = itemSpan(bytes, offset, limit);
    if (span === undefined || span.end > limit) return;
    if ((bytes[offset] as number) < 0xc0) {
      offset = span.end;
      continue;
    }
    if (ends.length >= maxDepth) throw new RlpTooDeepError(offset, maxDepth);
    ends.push(span.end);
    offset = span.payload;
  }
}

/** `RLP.decode` of untrusted bytes, refused as `RlpTooDeepError` first when nested past `maxDepth`. */
export function decodeBoundedRlp(bytes: Uint8Array, maxDepth: number = MAX_RLP_DEPTH): Uint8Array | NestedUint8Array {
  checkRlpDepth(bytes, maxDepth);
  return RLP.decode(bytes);
}
