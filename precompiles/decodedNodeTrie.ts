import { RLP } from "@ethereumjs/rlp";
import {
  BranchMPTNode,
  type BranchMPTNodeBranchValue,
  CheckpointDB,
  ExtensionMPTNode,
  LeafMPTNode,
  type MPTNode,
  type NodeReferenceOrRawMPTNode,
  type MPTOpts,
  MerklePatriciaTrie,
  type Path,
  type TrieShallowCopyOpts,
  decodeRawMPTNode,
  isRawMPTNode,
} from "@ethereumjs/mpt";
import { type BatchDBOp, type DB, EthereumJSErrorWithoutCode, type ValueEncoding } from "@ethereumjs/util";

import { HexKeyCheckpointDB } from "./hexKeyCheckpointDB";
import type { WitnessDB } from "./witness";

/** The error text of an absent node, which upstream's `findPath` swallows (a walk that ends unfound). */
const MISSING_NODE = "Missing node in DB";

/** A key's nibbles, high half of each byte first, as upstream's `bytesToNibbles` gives them (no terminator). */
function keyNibbles(key: Uint8Array): number[] {
  const nibbles: number[] = [];
  for (let i = 0; i < key.length; i++) {
    nibbles[2 * i] = key[i] >> 4;
    nibbles[2 * i + 1] = key[i] % 16;
  }
  return nibbles;
}

/** A node whose encoding is shorter than this is embedded in its parent, not stored under its hash. */
const EMBEDDED_NODE_LIMIT = 32;

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
 * list their bytes decode to (`encodeNodeDecoded`: views of those bytes): every put re-encodes the path from the root, and the
 * next read walks it again, so most reads are of nodes written since the block began.
 *
 * Storage tries are `shallowCopy`s of the account trie: the override keeps them of this class
 * and shares the memo.
 */
export class DecodedNodeTrie extends MerklePatriciaTrie {
  protected readonly decodedNodes: DecodedNodes;

  constructor(opts: MPTOpts, decodedNodes: DecodedNodes = new Map()) {
    super(opts);
    this.decodedNodes = decodedNodes;
  }

  /**
   * Upstream's `database`, with a `HexKeyCheckpointDB` over `db`: the same checkpoint database whose
   * hex keys are made natively (MerklePatriciaTrie's constructor calls this; copies too).
   */
  override database(db?: DB<string, string | Uint8Array>, valueEncoding?: ValueEncoding): CheckpointDB {
    if (db !== undefined) {
      if (db instanceof CheckpointDB) throw EthereumJSErrorWithoutCode("Cannot pass in an instance of CheckpointDB");
      this._db = new HexKeyCheckpointDB({ db, cacheSize: this._opts.cacheSize, valueEncoding });
    }
    return this._db;
  }

  override async lookupNode(node: Uint8Array | Uint8Array[]): Promise<MPTNode> {
    if (isRawMPTNode(node)) return decodeRawMPTNode(node);
    return this.decodeStored((await this._db.get(this._getDbKey(node))) ?? null);
  }

  /**
   * `lookupNode` without a promise, reading through `source` (`HexKeyCheckpointDB.syncSource`): the
   * same database read, node and error. A subclass that overrides `lookupNode` overrides this too.
   */
  protected lookupNodeSync(node: Uint8Array | Uint8Array[], source: WitnessDB): MPTNode {
    if (isRawMPTNode(node)) return decodeRawMPTNode(node);
    return this.decodeStored((this._db as HexKeyCheckpointDB).getSync(this._getDbKey(node), source) ?? null);
  }

  /** A node from the value the database gave for its hash (decoded once per value object). */
  private decodeStored(value: Uint8Array | null): MPTNode {
    if (value === null) throw EthereumJSErrorWithoutCode(MISSING_NODE);
    let raw = this.decodedNodes.get(value);
    if (raw === undefined) {
      const decoded = RLP.decode(value);
      if (!isRawMPTNode(decoded)) throw EthereumJSErrorWithoutCode("Invalid node");
      raw = decoded;
      this.decodedNodes.set(value, raw);
    }
    return decodeRawMPTNode(raw);
  }

  /**
   * Upstream's `findPath` (EthereumJS 10.1.3 mpt.js), as a synchronous loop when the trie's nodes
   * are all in memory (a `WitnessDB` under the checkpoint database, `syncSource`): the verifier's
   * every account read and every write walks from the root, and upstream's walk makes per node a
   * task closure, a key-nibble array and two promises, and per walk a `WalkController` and its task
   * queue (docs/design/verifier-overheads.md, eighth round). The same nodes are looked up in the
   * same order, and the result is built the same way; anything else (a resumed walk, another
   * database, a `get` or `lookupNode` wrapped by a test) takes upstream's walk.
   */
  override async findPath(
    key: Uint8Array,
    throwIfMissing = false,
    partialPath: { stack: MPTNode[] } = { stack: [] },
  ): Promise<Path> {
    const source = partialPath.stack.length === 0 ? this.syncSource() : undefined;
    if (source === undefined) return super.findPath(key, throwIfMissing, partialPath);
    return this.findPathSync(key, throwIfMissing, source);
  }

  /** The database `findPath` may read synchronously, if any (and `lookupNode` is not wrapped on this instance). */
  private syncSource(): WitnessDB | undefined {
    if (!(this._db instanceof HexKeyCheckpointDB) || Object.hasOwn(this, "lookupNode")) return undefined;
    return this._db.syncSource();
  }

  /**
   * Upstream's walk, step for step: each node goes into the stack at the key position reached; a
   * branch ends the walk at the key's end or at an empty child, else goes on to the child; a leaf
   * ends it, found when its key is the rest of the key; an extension goes on to its child when its
   * key matches. A missing node ends the walk with no node found (thrown only under
   * `throwIfMissing`); any other error is thrown, as upstream's walk rejects with it.
   */
  private findPathSync(key: Uint8Array, throwIfMissing: boolean, source: WitnessDB): Path {
    const target = keyNibbles(key);
    const keyLength = target.length;
    const stack: MPTNode[] = new Array(keyLength);
    let progress = 0;
    let result: Path | null = null;
    try {
      let node = this.lookupNodeSync(this.root(), source);
      for (;;) {
        stack[progress] = node;
        let child: Uint8Array | Uint8Array[];
        if (node instanceof BranchMPTNode) {
          if (progress === keyLength) {
            result = { node, remaining: [], stack };
            break;
          }
          const branch = node.getBranch(target[progress] as number);
          if (!branch) {
            result = { node: null, remaining: target.slice(progress), stack };
            break;
          }
          progress++;
          child = branch as Uint8Array | Uint8Array[];
        } else if (node instanceof LeafMPTNode) {
          const start = progress;
          const leafKey = node.key();
          let matches = keyLength - progress <= leafKey.length;
          for (let i = 0; matches && i < leafKey.length; i++, progress++) matches = leafKey[i] === target[progress];
          result = matches ? { node, remaining: [], stack } : { node: null, remaining: target.slice(start), stack };
          break;
        } else if (node instanceof ExtensionMPTNode) {
          const start = progress;
          const extensionKey = node.key();
          let matches = true;
          for (let i = 0; matches && i < extensionKey.length; i++, progress++)
            matches = extensionKey[i] === target[progress];
          if (!matches) {
            result = { node: null, remaining: target.slice(start), stack };
            break;
          }
          child = node.value() as Uint8Array | Uint8Array[];
        } else break;
        node = this.lookupNodeSync(child, source);
      }
    } catch (error) {
      if ((error as Error).message !== MISSING_NODE || throwIfMissing) throw error;
    }
    if (result === null) result = { node: null, remaining: [], stack };
    result.stack = result.stack.filter((entry) => entry !== undefined);
    return result;
  }

  /**
   * Upstream's `_formatNode`, with the node's bytes from `encodeNode` (byte for byte
   * `node.serialize()`, in one allocation instead of one per item) and each stored node entered
   * in the memo: the object put here is the one the database hands back on a read of its hash.
   */
  override _formatNode(
    node: MPTNode,
    topLevel: boolean,
    opStack: BatchDBOp[],
    remove = false,
  ): Uint8Array | NodeReferenceOrRawMPTNode | BranchMPTNodeBranchValue[] {
    const raw = node.raw();
    const { encoded, decoded } = encodeNodeDecoded(raw);
    if (encoded.length >= EMBEDDED_NODE_LIMIT || topLevel) {
      const nodeHash = this.hash(encoded);
      const dbKey = this._getDbKey(nodeHash);
      if (!remove) {
        opStack.push({ type: "put", key: dbKey, value: encoded });
        this.decodedNodes.set(encoded, decoded);
      } else if (this._opts.useNodePruning) opStack.push({ type: "del", key: dbKey });
      return nodeHash;
    }
    // A fresh list, as upstream returns: the parent holds it, and `raw` went into no memo.
    return node.raw();
  }

  override shallowCopy(includeCheckpoints = true, opts?: TrieShallowCopyOpts): DecodedNodeTrie {
    const trie = this.copyOver({
      ...this._opts,
      db: this._db.db.shallowCopy(),
      root: this.root(),
      cacheSize: 0,
      ...(opts ?? {}),
    });
    if (includeCheckpoints && this.hasCheckpoints()) {
      trie._db.setCheckpoints(this._db.checkpoints);
      this.checkpointsCopied();
    }
    return trie;
  }

  /** A trie of this class over `opts` sharing this one's memo (a storage trie, a copy). */
  protected copyOver(opts: MPTOpts): DecodedNodeTrie {
    return new DecodedNodeTrie(opts, this.decodedNodes);
  }

  /** Told when a copy took this trie's checkpoints (their maps copied into another database). */
  protected checkpointsCopied(): void {}
}

/** What a node's `raw()` holds: byte strings, null for an empty slot, lists for embedded nodes. */
type RawItem = Uint8Array | null | undefined | readonly RawItem[];

const SHORT_LIMIT = 55;
const BYTES_OFFSET = 0x80;
const LIST_OFFSET = 0xc0;

/** Bytes of the big-endian length in a long RLP prefix. */
function lengthOfLength(length: number): number {
  let bytes = 0;
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes++;
  return bytes;
}

function prefixLength(payload: number): number {
  return payload <= SHORT_LIMIT ? 1 : 1 + lengthOfLength(payload);
}

/** The RLP length of `item`; lists' payload lengths are pushed to `payloads` in pre-order. */
function measure(item: RawItem, payloads: number[]): number {
  if (Array.isArray(item)) {
    const at = payloads.length;
    payloads.push(0);
    let payload = 0;
    for (const child of item as readonly RawItem[]) payload += measure(child, payloads);
    payloads[at] = payload;
    return prefixLength(payload) + payload;
  }
  const bytes = (item ?? EMPTY) as Uint8Array;
  if (bytes.length === 1 && bytes[0] < BYTES_OFFSET) return 1;
  return prefixLength(bytes.length) + bytes.length;
}

/**
 * The length of `encodeNode(raw)` without encoding it: whether a node is embedded in its parent
 * or referenced by hash depends only on this (a reference is 32 bytes whatever it points to).
 */
export function encodedNodeLength(raw: readonly unknown[]): number {
  if (!isRawItem(raw)) return RLP.encode(raw as Parameters<typeof RLP.encode>[0]).length;
  return measure(raw, []);
}

function writePrefix(out: Uint8Array, at: number, payload: number, offset: number): number {
  if (payload <= SHORT_LIMIT) {
    out[at] = offset + payload;
    return at + 1;
  }
  const size = lengthOfLength(payload);
  out[at] = offset + SHORT_LIMIT + size;
  for (let i = size, rest = payload; i >= 1; i--, rest = Math.floor(rest / 256)) out[at + i] = rest % 256;
  return at + 1 + size;
}

/** A decoded list under construction: `write` pushes each item's view of `out` to it. */
type DecodedList = (Uint8Array | DecodedList)[];

function write(
  item: RawItem,
  out: Uint8Array,
  at: number,
  payloads: readonly number[],
  next: { list: number },
  decoded: DecodedList | undefined,
): number {
  if (Array.isArray(item)) {
    let cursor = writePrefix(out, at, payloads[next.list++], LIST_OFFSET);
    const list: DecodedList | undefined = decoded === undefined ? undefined : [];
    for (const child of item as readonly RawItem[]) cursor = write(child, out, cursor, payloads, next, list);
    if (list !== undefined) decoded?.push(list);
    return cursor;
  }
  const bytes = (item ?? EMPTY) as Uint8Array;
  if (bytes.length === 1 && bytes[0] < BYTES_OFFSET) {
    out[at] = bytes[0];
    decoded?.push(out.subarray(at, at + 1));
    return at + 1;
  }
  const cursor = writePrefix(out, at, bytes.length, BYTES_OFFSET);
  out.set(bytes, cursor);
  decoded?.push(out.subarray(cursor, cursor + bytes.length));
  return cursor + bytes.length;
}

const EMPTY = new Uint8Array();

function isRawItem(item: unknown): item is RawItem {
  return (
    item === null || item === undefined || item instanceof Uint8Array || (Array.isArray(item) && item.every(isRawItem))
  );
}

/**
 * `RLP.encode(raw)` for a trie node's `raw()` (byte strings, null as the empty string, nested
 * lists), measured first and written into one array. Anything else a list could hold (numbers,
 * strings) goes to `RLP.encode` itself, so the bytes are always RLP's.
 */
export function encodeNode(raw: readonly unknown[]): Uint8Array {
  if (!isRawItem(raw)) return RLP.encode(raw as Parameters<typeof RLP.encode>[0]);
  const payloads: number[] = [];
  const out = new Uint8Array(measure(raw, payloads));
  write(raw, out, 0, payloads, { list: 0 }, undefined);
  return out;
}

/**
 * A node's `encodeNode` bytes and what `RLP.decode` returns for them: the same lists, each byte
 * string a view of the encoded bytes (not the node's own arrays: a value the caller edits after
 * `put` must not change what was stored, as upstream's encoding copies it), an empty one for null.
 * Only for `raw()` lists (byte strings, null, nested lists).
 */
export function encodeNodeDecoded(raw: readonly unknown[]): { encoded: Uint8Array; decoded: RawNode } {
  if (!isRawItem(raw))
    throw new TypeError("encodeNodeDecoded: a trie node's raw() holds only byte strings, null and lists");
  const payloads: number[] = [];
  const encoded = new Uint8Array(measure(raw, payloads));
  const holder: DecodedList = [];
  write(raw, encoded, 0, payloads, { list: 0 }, holder);
  return { encoded, decoded: holder[0] as RawNode };
}
