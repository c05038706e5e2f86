import { RLP } from "@ethereumjs/rlp";
import {
  type BranchMPTNodeBranchValue,
  type MPTNode,
  type NodeReferenceOrRawMPTNode,
  type MPTOpts,
  MerklePatriciaTrie,
  type TrieShallowCopyOpts,
  decodeRawMPTNode,
  isRawMPTNode,
} from "@ethereumjs/mpt";
import { type BatchDBOp, EthereumJSErrorWithoutCode } from "@ethereumjs/util";

/** A node's RLP decoded once: the `[17 items]` or `[key, value]` list `decodeRawMPTNode` reads. */
type RawNode = Uint8Array[];

/**
 * The decoded form of each stored node value, keyed by the value object the trie database
 * returned. Keying by the object (not by the node's hash) keeps every database read: a node is
 * still fetched, still missing when the database lacks it (a write reverted with its checkpoint
 * included), and the memo only skips decoding the very bytes already decoded once. Stored node
 * values are never written to in place (the trie stores a fresh encoding for every change), so
 * the same object decodes to the same list.
 */
export type DecodedNodes = Map<Uint8Array, RawNode>;

/**
 * A Merkle-Patricia trie that decodes each stored node once. Upstream `lookupNode` RLP-decodes
 * a node (after copying it) on every read, and without the state manager's caches every account
 * and slot read walks from the root: a block of 100 transfers decodes the same root and upper
 * branches hundreds of times. The result is identical: the same database read, the same
 * `Missing node in DB` error (the text upstream `findPath` recognises), the same node objects
 * built fresh from the decoded list on every lookup (the trie edits the nodes it looks up, so a
 * node object is never shared; the decoded list is only read: `BranchMPTNode.fromArray` copies
 * it, leaf and extension nodes replace their fields rather than edit them).
 *
 * Nodes the trie writes are entered in the memo as they are written (`_formatNode`), with the
 * list their bytes decode to (`decodedForm`): every put re-encodes the path from the root, and the
 * next read walks it again, so most reads are of nodes written since the block began.
 *
 * Storage tries are `shallowCopy`s of the account trie: the override keeps them of this class
 * and shares the memo.
 */
export class DecodedNodeTrie extends MerklePatriciaTrie {
  private readonly decodedNodes: DecodedNodes;

  constructor(opts: MPTOpts, decodedNodes: DecodedNodes = new Map()) {
    super(opts);
    this.decodedNodes = decodedNodes;
  }

  override async lookupNode(node: Uint8Array | Uint8Array[]): Promise<MPTNode> {
    if (isRawMPTNode(node)) return decodeRawMPTNode(node);
    const value = (await this._db.get(this._getDbKey(node))) ?? null;
    if (value === null) throw EthereumJSErrorWithoutCode("Missing node in DB");
    let raw = this.decodedNodes.get(value);
    if (raw === undefined) {
      const decoded = RLP.decode(value);
      if (!isRawMPTNode(decoded)) throw EthereumJSErrorWithoutCode("Invalid node");
      raw = decoded;
      this.decodedNodes.set(value, raw);
    }
    return decodeRawMPTNode(raw);
  }

  override _formatNode(
    node: MPTNode,
    topLevel: boolean,
    opStack: BatchDBOp[],
    remove = false,
  ): Uint8Array | NodeReferenceOrRawMPTNode | BranchMPTNodeBranchValue[] {
    const queued = opStack.length;
    const formatted = super._formatNode(node, topLevel, opStack, remove);
    const op = opStack[opStack.length - 1];
    // A put of the node's bytes: the object the database will hand back on a read of its hash.
    if (opStack.length > queued && op?.type === "put" && op.value instanceof Uint8Array) {
      this.decodedNodes.set(op.value, decodedForm(node.raw()));
    }
    return formatted;
  }

  override shallowCopy(includeCheckpoints = true, opts?: TrieShallowCopyOpts): DecodedNodeTrie {
    const trie = new DecodedNodeTrie(
      { ...this._opts, db: this._db.db.shallowCopy(), root: this.root(), cacheSize: 0, ...(opts ?? {}) },
      this.decodedNodes,
    );
    if (includeCheckpoints && this.hasCheckpoints()) trie._db.setCheckpoints(this._db.checkpoints);
    return trie;
  }
}

/**
 * What `RLP.decode(RLP.encode(raw))` returns for a node's `raw()`, without encoding: the same
 * byte strings (never written to in place), nested lists for embedded nodes, and an empty byte
 * string where `raw()` holds null (an empty branch slot or branch value), since RLP encodes null
 * as the empty string.
 */
export function decodedForm(raw: readonly unknown[]): RawNode {
  return raw.map((item) =>
    item === null ? new Uint8Array() : Array.isArray(item) ? decodedForm(item) : (item as Uint8Array),
  ) as RawNode;
}
