import { RLP } from "@ethereumjs/rlp";
import {
  type BranchMPTNodeBranchValue,
  type Checkpoint,
  type CheckpointDB,
  type MPTNode,
  type MPTOpts,
  type NodeReferenceOrRawMPTNode,
  decodeRawMPTNode,
  isRawMPTNode,
} from "@ethereumjs/mpt";
import { type BatchDBOp, KECCAK256_RLP, type NestedUint8Array } from "@ethereumjs/util";

import { DecodedNodeTrie, type DecodedNodes, encodeNode, encodedNodeLength } from "./decodedNodeTrie";
import { type InMemoryWritesDB, WitnessDB, toHex } from "./witness";

/** A node's encoding shorter than this is embedded in its parent (as `_formatNode` decides). */
const EMBEDDED_NODE_LIMIT = 32;
const REFERENCE_LENGTH = 32;
const TAG_LENGTH = 16;
const STAND_INS_PER_BUFFER = 1024;
const EMPTY_TRIE_ROOT_HEX = toHex(KECCAK256_RLP);

/** A node the trie wrote, kept as its `raw()` list with references to other written nodes unhashed. */
interface WrittenNode {
  readonly raw: BranchMPTNodeBranchValue[];
  /** Its database key (hex), under which its entry is present exactly where upstream's node would be. */
  readonly dbKey: string;
  /** The database its marker was put in (a checkpoint of it, or its base). */
  readonly creator: CheckpointDB;
  /** The node's real hash and encoding, once something needed them. */
  resolved?: { readonly hash: Uint8Array; readonly encoded: Uint8Array };
}

/**
 * The written nodes with one real key, for the content-addressed lookup, kept so that each lookup
 * costs O(1) amortised (an adversary could write one content many times, in reverted calls too):
 * a node found in the base database settles the key for good (the base drops nothing); a node
 * absent from its creator's database was reverted for good and is dropped; a node in a live
 * checkpoint of another database cannot be in the base until that database's outermost
 * checkpoint ends, so its group is skipped while that checkpoint is the same.
 */
interface SameContent {
  inBase?: WrittenNode;
  readonly byCreator: Map<CheckpointDB, CreatorGroup>;
}

interface CreatorGroup {
  nodes: WrittenNode[];
  /** Nodes before this index were seen outside the base while `outer` was the creator's outermost checkpoint. */
  checked: number;
  outer?: Checkpoint;
}

/** Shared by an account trie and its storage tries (`shallowCopy`). */
export interface LazyState {
  /** Random per verification: no pre-state value can name a stand-in (see `LazyHashTrie`). */
  readonly tag: Uint8Array;
  /** Stand-in reference (hex) → the node, in the order written. */
  readonly written: Map<string, WrittenNode>;
  /** The same nodes in the order written. */
  readonly order: [string, WrittenNode][];
  /** Real database key (hex) → the written nodes resolved to it. */
  readonly byRealKey: Map<string, SameContent>;
  /** A trie was copied with its checkpoints: a marker may then be in a database other than its creator. */
  layersCopied: boolean;
  /** Iterator position: nodes written before it are resolved and in `byRealKey`. */
  indexed: number;
  counter: number;
  /** Where the next stand-ins are allocated. */
  buffer: Uint8Array;
}

/**
 * The state of a new account trie (its storage tries share it): nothing written yet, stand-ins under
 * `tag` (random per verification; a test gives two tries the same tag to compare their writes).
 */
export function newLazyState(
  tag: Uint8Array = globalThis.crypto.getRandomValues(new Uint8Array(TAG_LENGTH)),
): LazyState {
  return {
    tag,
    written: new Map(),
    order: [],
    byRealKey: new Map(),
    layersCopied: false,
    indexed: 0,
    counter: 0,
    buffer: new Uint8Array(),
  };
}

/**
 * A `DecodedNodeTrie` that defers encoding and hashing of the nodes it writes until a real root is
 * asked for (`resolvedRoot`: the state root at the block's end), docs/design/attack-review-s23.md
 * finding 1. Upstream re-encodes and re-hashes every node on a written path at every `put`/`del`
 * and stores each one; here `_formatNode` gives a written node a stand-in reference (32 bytes: a
 * random tag and a counter) and stores a marker under it, in the same database operation batch
 * (so checkpoints keep or drop it exactly as they keep or drop upstream's node).
 *
 * Everything else is upstream's code, in upstream's order: the same walks, the same collapses, the
 * same nodes looked up. Whether a node is embedded depends only on its encoded length, which a
 * stand-in (32 bytes) leaves as a hash would. So every operation reads the same witness nodes:
 * - a stand-in whose marker is present is the node upstream would read from its writes;
 * - a stand-in whose marker is absent (dropped with a reverted checkpoint) is resolved and its
 *   real hash read as upstream reads it (found, or the same missing-node error);
 * - a real hash the database lacks may still be a node upstream wrote (content-addressed: an
 *   identical node elsewhere): every written node is kept, so it is resolved and found if one with
 *   a present marker has that hash, exactly when upstream's database holds it.
 * An account's storage root may be a stand-in (`_modifyContractStorage` reads `root()`); resolving
 * an account leaf resolves the stand-in in its RLP. A pre-state can name a stand-in only by
 * guessing the 128-bit random tag.
 */
export class LazyHashTrie extends DecodedNodeTrie {
  private readonly lazy: LazyState;

  constructor(opts: MPTOpts, decodedNodes?: DecodedNodes, lazy?: LazyState) {
    super(opts, decodedNodes);
    // A WitnessDB: it asks it whether a key is present, and its missing reads throw (so a
    // checkpoint never caches a miss of a node key: see `isPresent`).
    if (!(this._db.db instanceof WitnessDB)) throw new TypeError("LazyHashTrie needs a WitnessDB");
    this.lazy = lazy ?? newLazyState();
  }

  /** The trie's real root: `root()` may be a stand-in. */
  resolvedRoot(): Uint8Array {
    return this.resolve(this.root());
  }

  /**
   * The real encoding of the node written under `standIn`, or undefined if it is not one: what
   * upstream would have stored under its hash (the differential test compares databases with it).
   */
  resolvedEncoding(standIn: Uint8Array): Uint8Array | undefined {
    if (!this.isStandIn(standIn)) return undefined;
    const key = toHex(standIn);
    const node = this.lazy.written.get(key);
    if (node === undefined) return undefined;
    this.resolveWritten(key, node);
    return node.resolved?.encoded;
  }

  override async lookupNode(node: Uint8Array | Uint8Array[]): Promise<MPTNode> {
    if (isRawMPTNode(node)) return decodeRawMPTNode(node);
    const answer = this.writtenOrReference(node);
    return answer instanceof Uint8Array ? super.lookupNode(answer) : answer;
  }

  protected override lookupNodeSync(node: Uint8Array | Uint8Array[], source: WitnessDB): MPTNode {
    if (isRawMPTNode(node)) return decodeRawMPTNode(node);
    const answer = this.writtenOrReference(node);
    return answer instanceof Uint8Array ? super.lookupNodeSync(answer, source) : answer;
  }

  /**
   * The written node a lookup of `node` finds without reading the database (its marker present, or
   * another written node of the same real key present), else the reference to read: `node`
   * itself, or a stand-in whose marker is absent resolved to its real hash.
   */
  private writtenOrReference(node: Uint8Array): MPTNode | Uint8Array {
    let reference = node;
    const written = this.isStandIn(reference) ? this.lazy.written.get(toHex(reference)) : undefined;
    if (written !== undefined) {
      if (this.isPresent(written.dbKey)) return decodeRawMPTNode(written.raw as Uint8Array[]);
      reference = this.resolve(reference);
    }
    const key = toHex(this._getDbKey(reference));
    if (key !== EMPTY_TRIE_ROOT_HEX && !this.isPresent(key)) {
      const same = this.presentWrittenWithKey(key);
      if (same !== undefined) return decodeRawMPTNode(same.raw as Uint8Array[]);
    }
    return reference;
  }

  override _formatNode(
    node: MPTNode,
    topLevel: boolean,
    opStack: BatchDBOp[],
    remove = false,
  ): Uint8Array | NodeReferenceOrRawMPTNode | BranchMPTNodeBranchValue[] {
    // Upstream's `remove` call only prunes (off here); its return value is never used.
    if (remove) return this._opts.useNodePruning ? super._formatNode(node, topLevel, opStack, remove) : [];
    const raw = node.raw();
    // The value is the caller's array: upstream encodes it at once (a copy); this keeps it until a
    // root is resolved, so it copies it, also in an embedded node (its parent keeps it).
    const last = raw.length - 1;
    const value = raw[last];
    if (value instanceof Uint8Array && value.length > 0 && !isExtension(raw)) raw[last] = value.slice();
    if (!topLevel && encodedNodeLength(raw) < EMBEDDED_NODE_LIMIT) return raw;
    const reference = this.standIn();
    const dbKey = this._getDbKey(reference);
    const standIn = toHex(reference);
    // One string for both keys when the trie has no key prefix (the verifier's tries have none).
    const written: WrittenNode = {
      raw,
      dbKey: dbKey === reference ? standIn : toHex(dbKey),
      creator: this._db,
    };
    this.lazy.written.set(standIn, written);
    this.lazy.order.push([standIn, written]);
    opStack.push({ type: "put", key: dbKey, value: reference });
    return reference;
  }

  protected override copyOver(opts: MPTOpts): LazyHashTrie {
    return new LazyHashTrie(opts, this.decodedNodes, this.lazy);
  }

  protected override checkpointsCopied(): void {
    this.lazy.layersCopied = true;
  }

  private isStandIn(reference: Uint8Array): boolean {
    if (reference.length !== REFERENCE_LENGTH) return false;
    const tag = this.lazy.tag;
    for (let i = 0; i < TAG_LENGTH; i++) if (reference[i] !== tag[i]) return false;
    return true;
  }

  private standIn(): Uint8Array {
    // Views of one buffer per STAND_INS_PER_BUFFER stand-ins: a buffer of its own each costs more than its 32 bytes.
    const at = this.lazy.counter % STAND_INS_PER_BUFFER;
    if (at === 0) this.lazy.buffer = new Uint8Array(REFERENCE_LENGTH * STAND_INS_PER_BUFFER);
    const reference = this.lazy.buffer.subarray(at * REFERENCE_LENGTH, (at + 1) * REFERENCE_LENGTH);
    reference.set(this.lazy.tag);
    let rest = ++this.lazy.counter;
    for (let i = REFERENCE_LENGTH - 1; rest > 0; i--, rest = Math.floor(rest / 256)) reference[i] = rest % 256;
    return reference;
  }

  /** What `CheckpointDB.get` would find under `key` (hex), without reading (no miss recorded). */
  private isPresent(key: string, db: CheckpointDB = this._db): boolean {
    // A checkpoint holds `undefined` only for a deletion (pruning) or a cached miss, and a WitnessDB
    // miss throws except for the empty-trie root (never asked here): without pruning, the base answers first.
    if (!this._opts.useNodePruning && this.inBase(key)) return true;
    const checkpoints = db.checkpoints;
    for (let i = checkpoints.length - 1; i >= 0; i--) {
      const map = checkpoints[i].keyValueMap;
      if (map.has(key)) return map.get(key) !== undefined;
    }
    return this.inBase(key);
  }

  private inBase(key: string): boolean {
    return (this._db.db as InMemoryWritesDB).has(key);
  }

  /** A written node whose real key is `key` and whose marker is present, resolving what is not yet. */
  private presentWrittenWithKey(key: string): WrittenNode | undefined {
    const { order, byRealKey } = this.lazy;
    // Each node is resolved once: the cost is at most upstream's, which hashes every node as written.
    for (; this.lazy.indexed < order.length; this.lazy.indexed++) this.resolveWritten(...order[this.lazy.indexed]);
    const same = byRealKey.get(key);
    if (same === undefined) return undefined;
    if (same.inBase !== undefined) return same.inBase;
    for (const [creator, group] of same.byCreator) {
      const found = this.lookInGroup(same, creator, group);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  private lookInGroup(same: SameContent, creator: CheckpointDB, group: CreatorGroup): WrittenNode | undefined {
    if (creator === this._db || this.lazy.layersCopied) return this.lookInOwnGroup(same, group);
    const outer = creator.checkpoints[0];
    // Another database's nodes reach this one only through the base, which they cannot reach while
    // the creator's outermost checkpoint is the one they were last seen under.
    if (outer !== undefined && outer === group.outer && group.checked === group.nodes.length) return undefined;
    if (outer !== group.outer) group.checked = 0;
    const kept: WrittenNode[] = [];
    for (const [index, node] of group.nodes.entries()) {
      if (index < group.checked) {
        kept.push(node);
        continue;
      }
      if (this.inBase(node.dbKey)) {
        same.inBase = node;
        return node;
      }
      // Absent from its creator: reverted, for good.
      if (this.isPresent(node.dbKey, creator)) kept.push(node);
    }
    group.nodes = kept;
    group.outer = outer;
    group.checked = kept.length;
    return undefined;
  }

  /**
   * The first node of this database's group (or of any group, once checkpoints were copied) that is
   * present. Every node before it is absent: reverted for good (its layer is gone, and one revert
   * drops every later write of this database too), so it is dropped unless layers were copied (a
   * copy may still hold it). The scan stops at the first present node: with one copy live, a lookup
   * costs O(1) however many copies were written after it (each kept in the open block checkpoint).
   */
  private lookInOwnGroup(same: SameContent, group: CreatorGroup): WrittenNode | undefined {
    const { nodes } = group;
    const kept: WrittenNode[] = [];
    let index = 0;
    let found: WrittenNode | undefined;
    for (; index < nodes.length; index++) {
      const node = nodes[index];
      if (this.inBase(node.dbKey)) {
        same.inBase = node;
        return node;
      }
      if (this.isPresent(node.dbKey)) {
        found = node;
        break;
      }
      if (this.lazy.layersCopied) kept.push(node);
    }
    if (index > kept.length) group.nodes = kept.concat(nodes.slice(index));
    return found;
  }

  /** The real reference for `reference`: itself unless it is a stand-in. */
  private resolve(reference: Uint8Array): Uint8Array {
    if (!this.isStandIn(reference)) return reference;
    const standIn = toHex(reference);
    const node = this.lazy.written.get(standIn);
    return node === undefined ? reference : this.resolveWritten(standIn, node);
  }

  private resolveWritten(_standIn: string, node: WrittenNode): Uint8Array {
    if (node.resolved !== undefined) return node.resolved.hash;
    const encoded = encodeNode(this.resolvedRaw(node.raw));
    const hash = this.hash(encoded);
    node.resolved = { hash, encoded };
    const key = toHex(this._getDbKey(hash));
    let same = this.lazy.byRealKey.get(key);
    if (same === undefined) {
      same = { byCreator: new Map() };
      this.lazy.byRealKey.set(key, same);
    }
    const group = same.byCreator.get(node.creator);
    if (group === undefined) same.byCreator.set(node.creator, { nodes: [node], checked: 0 });
    else group.nodes.push(node);
    return hash;
  }

  /** `raw` with each stand-in replaced by its real hash (children, and an account's storage root). */
  private resolvedRaw(raw: readonly BranchMPTNodeBranchValue[]): BranchMPTNodeBranchValue[] {
    if (raw.length === 17) {
      const out = raw.map((child, i) => (i < 16 ? this.resolveChild(child) : child));
      out[16] = this.resolveValue(raw[16]);
      return out;
    }
    if (isExtension(raw)) return [raw[0], this.resolveChild(raw[1])];
    return [raw[0], this.resolveValue(raw[1])];
  }

  private resolveChild(child: BranchMPTNodeBranchValue): BranchMPTNodeBranchValue {
    // An embedded node is shorter than a reference: it holds none.
    return child instanceof Uint8Array && child.length === REFERENCE_LENGTH ? this.resolve(child) : child;
  }

  /** A value that is an account (`[nonce, balance, storageRoot, codeHash]`) with a stand-in root gets the real one. */
  private resolveValue(value: BranchMPTNodeBranchValue): BranchMPTNodeBranchValue {
    if (!(value instanceof Uint8Array) || value.length === 0 || value[0] < 0xc0) return value;
    let decoded: Uint8Array | NestedUint8Array;
    try {
      decoded = RLP.decode(value);
    } catch {
      return value; // not RLP, so no account: a value of a trie other than the state trie
    }
    if (!Array.isArray(decoded) || decoded.length !== 4) return value;
    const root = decoded[2];
    if (!(root instanceof Uint8Array) || !this.isStandIn(root)) return value;
    decoded[2] = this.resolve(root);
    return RLP.encode(decoded);
  }
}

/** A two-item node whose hex-prefix flag says extension (0 or 1), not leaf (2 or 3). */
function isExtension(raw: readonly BranchMPTNodeBranchValue[]): boolean {
  const path = raw[0];
  return raw.length === 2 && path instanceof Uint8Array && path.length > 0 && path[0] >> 4 < 2;
}
