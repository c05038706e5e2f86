/**
 * Adversarial RLP for tests and measurements of EXECUTE's decoders (docs/design/rlp-depth.md):
 * lists nested in one another as deep as a byte budget allows, built in one buffer without recursion.
 */

/** The RLP prefix of a list whose payload is `length` bytes. */
export function rlpListPrefix(length: number): Uint8Array {
  if (length <= 55) return Uint8Array.of(0xc0 + length);
  const lengthBytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) lengthBytes.unshift(rest % 256);
  return Uint8Array.of(0xf7 + lengthBytes.length, ...lengthBytes);
}

/** The RLP list whose payload is `payload` (items already encoded, concatenated). */
export function rlpListOf(payload: Uint8Array): Uint8Array {
  const prefix = rlpListPrefix(payload.length);
  const list = new Uint8Array(prefix.length + payload.length);
  list.set(prefix);
  list.set(payload, prefix.length);
  return list;
}

/** The encoded length of each level, from the innermost item (`innermost` bytes) out to `depth` lists. */
function levelLengths(depth: number, innermost: number): number[] {
  const lengths = [innermost];
  for (let level = 1; level <= depth; level++) {
    const payload = lengths[level - 1] as number;
    lengths.push(rlpListPrefix(payload).length + payload);
  }
  return lengths;
}

/**
 * `depth` lists nested in one another around `innermost` (an encoded item; the empty list when not
 * given): the prefixes from the outermost in, then the innermost item.
 */
export function nestedLists(depth: number, innermost: Uint8Array = Uint8Array.of(0xc0)): Uint8Array {
  const lengths = levelLengths(depth, innermost.length);
  const out = new Uint8Array(lengths[depth] as number);
  let offset = 0;
  for (let level = depth; level > 0; level--) {
    const prefix = rlpListPrefix(lengths[level - 1] as number);
    out.set(prefix, offset);
    offset += prefix.length;
  }
  out.set(innermost, offset);
  return out;
}

/** The deepest nesting of empty lists that fits in `bytes` bytes (the most levels per byte). */
export function deepestNestingOfSize(bytes: number): Uint8Array {
  let low = 0;
  let high = bytes;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    const lengths = levelLengths(mid, 1);
    if ((lengths[mid] as number) <= bytes) low = mid;
    else high = mid - 1;
  }
  return nestedLists(low);
}
