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

/**
 * Rebuilds a trie from `pairs` with every key of `deepKeys` at depth 64: for each of its 64
 * nibbles, the 15 keys that differ from it there (and nowhere else) hold `decoyValue`. Returns the root.
 */
async function buildDeep(
  db: MapDB<string, StoredValue>,
  common: Common,
  pairs: readonly [Uint8Array, Uint8Array][],
  deepKeys: readonly Uint8Array[],
  decoyValue: Uint8Array,
): Promise<Uint8Array> {
  const trie = rawTrie(db, common);
  const present = new Set(pairs.map(([key]) => Buffer.from(key).toString("hex")));
  for (const [key, value] of pairs) await trie.put(key, value);
  for (const key of deepKeys) {
    for (let index = 0; index < NIBBLES; index++) {
      for (let nibble = 0; nibble < 16; nibble++) {
        if (nibble === nibbleAt(key, index)) continue;
        const decoy = withNibble(key, index, nibble);
        if (!present.has(Buffer.from(decoy).toString("hex"))) await trie.put(decoy, decoyValue);
      }
    }
  }
  return trie.root();
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
      common,
      slots,
      (shape.deepSlots?.[address] ?? []).map(hashedKey),
      RLP.encode(Uint8Array.of(1)),
    );
    const huge = shape.hugeStorageRootValue?.[address];
    if (huge !== undefined) storageRoot = await hugeRootValue(db, storageRoot, huge);
    account.storageRoot = storageRoot;
    rewritten.push([key, account.serialize()]);
  }
  let root = await buildDeep(db, common, rewritten, (shape.deepAccounts ?? []).map(hashedKey), decoyAccount);
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
