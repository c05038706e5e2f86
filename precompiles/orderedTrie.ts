import { KECCAK256_RLP } from "@ethereumjs/util";

import { encodeNode } from "./decodedNodeTrie";

/** A node whose encoding is shorter than this is embedded in its parent, not referenced by its hash. */
const EMBEDDED_NODE_LIMIT = 32;
const BRANCH_WIDTH = 16;
/** Hex-prefix flags (the Yellow Paper's HP encoding): +2 for a leaf, +1 for an odd number of nibbles. */
const HP_LEAF = 2;
const HP_ODD = 1;
const SINGLE_BYTE_LIMIT = 0x80;

type RawNode = readonly (Uint8Array | RawNode)[];
type Keccak = (bytes: Uint8Array) => Uint8Array;

interface Entry {
  readonly nibbles: readonly number[];
  readonly value: Uint8Array;
}

/** RLP of a non-negative integer below 2^53 (what `RLP.encode(i)` gives for an index). */
export function rlpIndex(index: number): Uint8Array {
  if (index === 0) return Uint8Array.of(SINGLE_BYTE_LIMIT);
  if (index < SINGLE_BYTE_LIMIT) return Uint8Array.of(index);
  const bytes: number[] = [];
  for (let rest = index; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Uint8Array.of(SINGLE_BYTE_LIMIT + bytes.length, ...bytes);
}

function nibblesOf(key: Uint8Array): number[] {
  const nibbles: number[] = [];
  for (const byte of key) nibbles.push(byte >> 4, byte & 0x0f);
  return nibbles;
}

/** The hex-prefix encoding of a leaf's or extension's key nibbles. */
function hexPrefix(nibbles: readonly number[], leaf: boolean): Uint8Array {
  const odd = nibbles.length % 2 === 1;
  const flag = (leaf ? HP_LEAF : 0) + (odd ? HP_ODD : 0);
  const out = new Uint8Array(Math.floor(nibbles.length / 2) + 1);
  let at = 0;
  if (odd) out[0] = (flag << 4) | nibbles[0];
  else out[0] = flag << 4;
  for (let i = odd ? 1 : 0; i < nibbles.length; i += 2) out[++at] = (nibbles[i] << 4) | nibbles[i + 1];
  return out;
}

/** How a parent refers to `raw`: the list itself below 32 encoded bytes, else the hash of its encoding. */
function reference(raw: RawNode, keccak: Keccak): Uint8Array | RawNode {
  const encoded = encodeNode(raw);
  return encoded.length < EMBEDDED_NODE_LIMIT ? raw : keccak(encoded);
}

function commonPrefixLength(entries: readonly Entry[], depth: number): number {
  const first = entries[0].nibbles;
  let length = 0;
  for (;;) {
    const at = depth + length;
    if (at >= first.length) return length;
    const nibble = first[at];
    for (const entry of entries) if (entry.nibbles.length <= at || entry.nibbles[at] !== nibble) return length;
    length++;
  }
}

/** The node holding `entries` (distinct keys, each at least `depth` nibbles long) below `depth` nibbles. */
function nodeAt(entries: readonly Entry[], depth: number, keccak: Keccak): RawNode {
  if (entries.length === 1) {
    const [only] = entries;
    return [hexPrefix(only.nibbles.slice(depth), true), only.value];
  }
  const shared = commonPrefixLength(entries, depth);
  if (shared > 0) {
    const child = nodeAt(entries, depth + shared, keccak);
    return [hexPrefix(entries[0].nibbles.slice(depth, depth + shared), false), reference(child, keccak)];
  }
  const slots: Entry[][] = Array.from({ length: BRANCH_WIDTH }, () => []);
  let value: Uint8Array = new Uint8Array();
  for (const entry of entries) {
    if (entry.nibbles.length === depth) value = entry.value;
    else slots[entry.nibbles[depth]].push(entry);
  }
  const children = slots.map((slot) =>
    slot.length === 0 ? new Uint8Array() : reference(nodeAt(slot, depth + 1, keccak), keccak),
  );
  return [...children, value];
}

/**
 * The root of the Merkle-Patricia trie mapping `RLP(i)` to `values[i]`: what EthereumJS's
 * `genTransactionsTrieRoot` computes with a `MerklePatriciaTrie` (one asynchronous put per item,
 * each re-encoding and re-hashing the path from the root), built here once, bottom-up, in one
 * synchronous pass. Same nodes, same encoding (`encodeNode`, byte for byte RLP's), same embedding
 * rule (a node under 32 bytes inside its parent, the root always hashed), so the same root
 * (test/precompiles/orderedTrie.test.ts compares them). Every value must be non-empty: the trie
 * treats a put of an empty value as a delete, which this does not model.
 */
export function orderedTrieRoot(values: readonly Uint8Array[], keccak: Keccak): Uint8Array {
  if (values.length === 0) return KECCAK256_RLP;
  if (values.some((value) => value.length === 0)) throw new TypeError("orderedTrieRoot: an empty value is a delete");
  const entries = values.map((value, index) => ({ nibbles: nibblesOf(rlpIndex(index)), value }));
  return keccak(encodeNode(nodeAt(entries, 0, keccak)));
}
