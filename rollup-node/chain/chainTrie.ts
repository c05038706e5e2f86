import type { MPTOpts } from "@ethereumjs/mpt";

import { DecodedNodeTrie } from "../../precompiles";

/** The memo a `DecodedNodeTrie` keeps: a stored node's bytes → the list they decode to. */
type DecodedNodes = NonNullable<ConstructorParameters<typeof DecodedNodeTrie>[1]>;
type DecodedNode = DecodedNodes extends Map<Uint8Array, infer Node> ? Node : never;

/**
 * Decoded nodes the chain's trie keeps. A block of 60 transfers reads and writes ~400 nodes of
 * the state trie (its ~80 accounts' paths), and the next block reads the ones the last wrote: a
 * few blocks' worth. A branch node's list is 17 views of its bytes (~2 KB with their objects),
 * so this bound is ~8 MB at most.
 */
export const DEFAULT_DECODED_NODES = 4096;

/**
 * A `DecodedNodeTrie` memo that forgets its oldest entry past `maxEntries`. The verifier's and
 * the witness capture's memo dies with their trie after one block; the chain's trie lives as long
 * as the node, so its memo is bounded (a forgotten node is decoded again on its next read: the
 * same list).
 */
export class BoundedDecodedNodes extends Map<Uint8Array, DecodedNode> {
  constructor(private readonly maxEntries: number) {
    super();
  }

  override set(key: Uint8Array, value: DecodedNode): this {
    super.set(key, value);
    if (this.size > this.maxEntries) this.delete(this.keys().next().value as Uint8Array);
    return this;
  }
}

/**
 * The chain's state trie: upstream's trie with each stored node decoded once while it stays in a
 * bounded memo (`DecodedNodeTrie`, the verifier's own class: the same database reads and writes,
 * the same nodes and roots). Upstream decodes a node again on every walk from the root, and the
 * block builder's closing flush walks from the root once per touched account; the witness capture
 * then checks the builder's state root against its own re-execution on every block.
 */
export function createChainTrie(opts: MPTOpts, maxDecodedNodes: number = DEFAULT_DECODED_NODES): DecodedNodeTrie {
  return new DecodedNodeTrie(opts, new BoundedDecodedNodes(maxDecodedNodes));
}
