import type { Common } from "@ethereumjs/common";
import { BranchMPTNode, LeafMPTNode, MerklePatriciaTrie } from "@ethereumjs/mpt";
import { RLP } from "@ethereumjs/rlp";
import { Account, type MapDB, ValueEncoding, createAccountFromRLP, createAddressFromString } from "@ethereumjs/util";

import { keccak_256 as keccak256 } from "@noble/hashes/sha3.js";

import type { StoredValue, VerifierWrites } from "../precompiles";
import { TestSigner } from "./l2Fixtures";
import { type BuiltBlock, L2TestChain } from "./l2TestChain";

/**
 * Adversarial shapes of an L2 pre-state (docs/design/attack-review-s23.md): the state an attacker
 * commits to in a parent header it hands EXECUTE directly. EXECUTE is a pure function of its
 * input, so nothing stops a caller from naming a state root whose trie no honest chain reaches:
 * every account and slot at the deepest path a 32-byte key allows (64 branch nodes of 16 children
 * each), or a root node carrying a huge value in its 17th slot (a branch value no secure trie holds).
 */
export interface StateShape {
  /** Addresses whose account leaf is moved to depth 64 (15 decoy siblings at every level). */
  readonly deepAccounts?: readonly string[];
  /** Per address: storage slots (32-byte hex) moved to depth 64 in that account's storage trie. */
  readonly deepSlots?: Readonly<Record<string, readonly string[]>>;
  /** Per address: bytes put in the 17th item (the value) of that account's storage trie root. */
  readonly hugeStorageRootValue?: Readonly<Record<string, number>>;
  /** Bytes put in the 17th item of the account trie's root. */
  readonly hugeStateRootValue?: number;
}

const NIBBLES = 64;

function nibbleAt(key: Uint8Array, index: number): number {
  const byte = key[index >> 1] as number;
  return index % 2 === 0 ? byte >> 4 : byte & 0x0f;
}

function withNibble(key: Uint8Array, index: number, nibble: number): Uint8Array {
  const out = key.slice();
  const at = index >> 1;
  const byte = out[at] as number;
  out[at] = index % 2 === 0 ? (nibble << 4) | (byte & 0x0f) : (byte & 0xf0) | nibble;
  return out;
}

function nibblesToBytes(nibbles: readonly number[]): Uint8Array {
  const out = new Uint8Array(nibbles.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = ((nibbles[2 * i] as number) << 4) | (nibbles[2 * i + 1] as number);
  return out;
}

function rawTrie(db: MapDB<string, StoredValue>, common: Common, root?: Uint8Array): MerklePatriciaTrie {
  return new MerklePatriciaTrie({ db, useKeyHashing: false, common, valueEncoding: ValueEncoding.Bytes, root });
}

/** Every (hashed key, value) pair of the trie at `root`. */
async function leaves(trie: MerklePatriciaTrie): Promise<[Uint8Array, Uint8Array][]> {
  const out: [Uint8Array, Uint8Array][] = [];
  await trie.walkAllValueNodes(async (node, currentKey) => {
    if (node instanceof LeafMPTNode) {
      out.push([nibblesToBytes([...currentKey, ...node.key()]), node.value() as Uint8Array]);
    } else if (node instanceof BranchMPTNode) {
      out.push([nibblesToBytes(currentKey), node.value() as Uint8Array]);
    }
  });
  return out;
}

/** A trie node as RLP items: a child is embedded (its items) when its encoding is under 32 bytes, else its hash. */
type NodeItems = Uint8Array | NodeItems[];

/** The hex-prefix encoding of a leaf's or extension's key nibbles (Yellow Paper, appendix C). */
function hexPrefix(nibbles: readonly number[], leaf: boolean): Uint8Array {
  const odd = nibbles.length % 2;
  const flag = (leaf ? 2 : 0) + odd;
  return nibblesToBytes(odd === 1 ? [flag, ...nibbles] : [flag, 0, ...nibbles]);
}

/**
 * The node holding `items` (sorted 64-nibble keys, from `depth` on), built bottom-up: every node
 * that is hashed is put in `db` once (by hash, as MerklePatriciaTrie stores it). Returns its items.
 */
function buildNode(
  db: Map<string, Uint8Array>,
  items: readonly { nibbles: readonly number[]; value: Uint8Array }[],
  depth: number,
): NodeItems {
  const first = items[0] as { nibbles: readonly number[]; value: Uint8Array };
  if (items.length === 1) return [hexPrefix(first.nibbles.slice(depth), true), first.value];
  const last = items[items.length - 1] as { nibbles: readonly number[] };
  // Sorted keys share the prefix their first and last share.
  let shared = 0;
  while (first.nibbles[depth + shared] === last.nibbles[depth + shared]) shared++;
  if (shared > 0)
    return [
      hexPrefix(first.nibbles.slice(depth, depth + shared), false),
      childRef(db, buildNode(db, items, depth + shared)),
    ];
  const branch: NodeItems[] = [];
  let from = 0;
  for (let nibble = 0; nibble < 16; nibble++) {
    let to = from;
    while (to < items.length && (items[to] as { nibbles: readonly number[] }).nibbles[depth] === nibble) to++;
    branch.push(to === from ? new Uint8Array() : childRef(db, buildNode(db, items.slice(from, to), depth + 1)));
    from = to;
  }
  branch.push(new Uint8Array());
  return branch;
}

/** How a parent refers to the node `items`: embedded under 32 bytes, else by its hash (and stored). */
function childRef(db: Map<string, Uint8Array>, items: NodeItems): NodeItems {
  const encoded = RLP.encode(items);
  if (encoded.length < 32) return items;
  const hash = keccak256(encoded);
  db.set(Buffer.from(hash).toString("hex"), encoded);
  return hash;
}

/**
 * The root of the secure-trie-shaped trie holding `pairs` (32-byte keys), every node put in `db`:
 * the same root and nodes MerklePatriciaTrie's puts give, built in one pass (each node encoded and
 * hashed once, where a put per key re-hashes its whole path: ten thousand keys at depth 64 took
 * 15 CPU s that way).
 */
export async function trieFromPairs(
  db: MapDB<string, StoredValue>,
  pairs: readonly [Uint8Array, Uint8Array][],
): Promise<Uint8Array> {
  if (pairs.length === 0) return keccak256(RLP.encode(new Uint8Array()));
  // A value at a branch (a key shorter than 32 bytes) is no secure trie's: not reshaped.
  if (pairs.some(([key]) => key.length !== 32)) throw new Error("reshapeState: a trie key is not 32 bytes");
  const items = pairs
    .map(([key, value]) => ({ hex: Buffer.from(key).toString("hex"), value }))
    .sort((a, b) => (a.hex < b.hex ? -1 : a.hex > b.hex ? 1 : 0))
    .map(({ hex, value }) => ({ nibbles: [...hex].map((c) => Number.parseInt(c, 16)), value }));
  const nodes = new Map<string, Uint8Array>();
  const encodedRoot = RLP.encode(buildNode(nodes, items, 0));
  const root = keccak256(encodedRoot);
  nodes.set(Buffer.from(root).toString("hex"), encodedRoot);
  for (const [key, node] of nodes) await db.put(key, node);
  return root;
}

/**
 * Rebuilds a trie from `pairs` with every key of `deepKeys` at depth 64: for each of its 64
 * nibbles, the 15 keys that differ from it there (and nowhere else) hold `decoyValue`. Returns the root.
 */
async function buildDeep(
  db: MapDB<string, StoredValue>,
  pairs: readonly [Uint8Array, Uint8Array][],
  deepKeys: readonly Uint8Array[],
  decoyValue: Uint8Array,
): Promise<Uint8Array> {
  const all = new Map(
    pairs.map(([key, value]) => [Buffer.from(key).toString("hex"), [key, value] as [Uint8Array, Uint8Array]]),
  );
  for (const key of deepKeys) {
    for (let index = 0; index < NIBBLES; index++) {
      for (let nibble = 0; nibble < 16; nibble++) {
        if (nibble === nibbleAt(key, index)) continue;
        const decoy = withNibble(key, index, nibble);
        const hex = Buffer.from(decoy).toString("hex");
        if (!all.has(hex)) all.set(hex, [decoy, decoyValue]);
      }
    }
  }
  return trieFromPairs(db, [...all.values()]);
}

/** Puts `size` bytes in the value slot of the branch node at `root`; returns the new root. */
async function hugeRootValue(db: MapDB<string, StoredValue>, root: Uint8Array, size: number): Promise<Uint8Array> {
  const stored = await db.get(Buffer.from(root).toString("hex"));
  if (stored === undefined || typeof stored === "string") throw new Error("root node not in the database");
  const node = RLP.decode(stored) as Uint8Array[];
  if (node.length !== 17) throw new Error("the root is not a branch node");
  node[16] = new Uint8Array(size).fill(0x5a);
  const encoded = RLP.encode(node);
  const hash = keccak256(encoded);
  await db.put(Buffer.from(hash).toString("hex"), encoded);
  return hash;
}

/** The 32-byte key a secure trie stores `hex` (an address or a slot) under. */
function hashedKey(hex: string): Uint8Array {
  return keccak256(Buffer.from(hex.replace(/^0x/, ""), "hex"));
}

/**
 * Reshapes the state at `stateRoot` (in `db`) as `shape` says; returns the new state root. Every
 * account and slot keeps its value: only the tries' shapes change (and so their roots).
 */
export async function reshapeState(
  db: MapDB<string, StoredValue>,
  common: Common,
  stateRoot: Uint8Array,
  shape: StateShape,
): Promise<Uint8Array> {
  const accounts = await leaves(rawTrie(db, common, stateRoot));
  const decoyAccount = new Account(1n, 1n).serialize();
  const storageAddresses = new Set([
    ...Object.keys(shape.deepSlots ?? {}),
    ...Object.keys(shape.hugeStorageRootValue ?? {}),
  ]);
  const rewritten: [Uint8Array, Uint8Array][] = [];
  for (const [key, value] of accounts) {
    const address = [...storageAddresses].find((a) => Buffer.from(hashedKey(a)).equals(Buffer.from(key)));
    if (address === undefined) {
      rewritten.push([key, value]);
      continue;
    }
    const account = createAccountFromRLP(value);
    const slots = await leaves(rawTrie(db, common, account.storageRoot));
    let storageRoot = await buildDeep(
      db,
      slots,
      (shape.deepSlots?.[address] ?? []).map(hashedKey),
      RLP.encode(Uint8Array.of(1)),
    );
    const huge = shape.hugeStorageRootValue?.[address];
    if (huge !== undefined) storageRoot = await hugeRootValue(db, storageRoot, huge);
    account.storageRoot = storageRoot;
    rewritten.push([key, account.serialize()]);
  }
  let root = await buildDeep(db, rewritten, (shape.deepAccounts ?? []).map(hashedKey), decoyAccount);
  if (shape.hugeStateRootValue !== undefined) root = await hugeRootValue(db, root, shape.hugeStateRootValue);
  // The address parser checks each address once, so a typo fails here rather than as a silent no-op.
  for (const address of [...(shape.deepAccounts ?? []), ...storageAddresses]) createAddressFromString(address);
  return root;
}

/** sstore(0, gas()) while gas() > 30,000: one warm, dirty SSTORE (100 gas) per 127 gas. */
export const SSTORE_LOOP = "0x5b5a6000555a6175301060005700";
/** Where `shapedBlock` places SSTORE_LOOP, with slot 0 set to 1. */
export const LOOPER = "0x000000000000000000000000000000000000100b";
export const SLOT0 = `0x${"00".repeat(32)}`;

/**
 * One L2 block on a genesis reshaped by `shape` (none: an honest trie): "transfers" is 100 ETH
 * transfers from 100 senders, "loop" one transaction of `loopGas` into SSTORE_LOOP. The witness is
 * recorded for the verifier write path `writes` (EXECUTE's when absent): the same block either way.
 */
export async function shapedBlock(
  chainId: bigint,
  kind: "transfers" | "loop",
  shape: StateShape | undefined,
  loopGas = 1_000_000n,
  writes?: VerifierWrites,
): Promise<BuiltBlock> {
  const probe = await L2TestChain.create(chainId, []);
  const count = kind === "transfers" ? 100 : 1;
  const signers = Array.from({ length: count }, (_, i) => TestSigner.fromSeed(100 + i, probe.common));
  const chain = await L2TestChain.create(
    chainId,
    [
      ...signers.map((s) => ({ address: s.address.toString(), balance: 10n ** 18n })),
      { address: LOOPER, code: SSTORE_LOOP, storage: { [SLOT0]: "0x01" } },
    ],
    shape === undefined ? {} : { reshapeState: (db, common, root) => reshapeState(db, common, root, shape) },
  );
  const txs = signers.map((_, i) => {
    const signer = TestSigner.fromSeed(100 + i, chain.common);
    return kind === "transfers"
      ? signer.tx({ to: `0x${(0xaa00 + i).toString(16).padStart(40, "0")}`, value: 1n })
      : signer.tx({ to: LOOPER, gasLimit: loopGas });
  });
  const built = await chain.buildBlock(txs, { writes });
  for (const result of built.txResults) {
    const error = result.execResult.exceptionError;
    if (error !== undefined) throw new Error(`shapedBlock: a transaction failed: ${error.error}`);
  }
  return built;
}
