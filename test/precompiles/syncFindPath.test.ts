import { MerklePatriciaTrie, type MPTNode, type Path } from "@ethereumjs/mpt";
import { RLP } from "@ethereumjs/rlp";
import { ValueEncoding } from "@ethereumjs/util";
import { expect } from "chai";

import { keccak256, prepareCrypto } from "../../precompiles/crypto";
import { DecodedNodeTrie } from "../../precompiles/decodedNodeTrie";
import { LazyHashTrie, newLazyState } from "../../precompiles/lazyHashTrie";
import { generator } from "../support/seededRandom";
import { InMemoryWritesDB, type StoredValue, WitnessDB, keyOf, toHex } from "../../precompiles/witness";

/**
 * Differential test of `DecodedNodeTrie`'s synchronous `findPath` (taken over a plain `WitnessDB`)
 * against upstream's walk (`WalkController`), which the same trie takes when `lookupNode` is set on
 * the instance. Two tries of the same class over two copies of the same partial witness get the same
 * random operations (reads, writes, deletes, checkpoints, and `findPath` itself with and without
 * `throwIfMissing`); every answer, path (found node, remaining nibbles, stack), error, root and
 * missing read must be the same, step by step.
 */

type Random = ReturnType<typeof generator>;

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];

/** Keys that are prefixes of each other (branch values, leaves shorter and longer than the rest). */
const KEY_LENGTHS = [1, 2, 2, 3, 3, 4, 20, 32];
const KEY_BYTES = [0x00, 0x01, 0x10, 0x11, 0x80, 0xff];
const VALUE_LENGTHS = [1, 2, 20, 29, 31, 32, 33, 56, 100];

const randomBytes = (random: Random, lengths: readonly number[], bytes?: readonly number[]): Uint8Array =>
  Uint8Array.from({ length: pick(random, lengths) }, () =>
    bytes === undefined ? Math.floor(random() * 256) : pick(random, bytes),
  );

/** The pre-state's database: every node the upstream trie wrote building it. */
class PreStateDB extends InMemoryWritesDB {
  async get(key: string): Promise<StoredValue | undefined> {
    return this.entries.get(keyOf(key));
  }

  nodes(): Uint8Array[] {
    return [...this.entries.values()];
  }
}

const hex = (bytes: Uint8Array | null): string => (bytes === null ? "null" : toHex(bytes));
const nodeText = (node: MPTNode | null): string =>
  node === null ? "null" : `${node.constructor.name}:${toHex(RLP.encode(node.raw()))}`;
const pathText = (path: Path): string =>
  `node ${nodeText(path.node)} remaining [${path.remaining.join(",")}] stack ${path.stack.map(nodeText).join(" / ")}`;

type Kind = "decoded" | "lazy";

/** Random cases per seed and trie class. */
const CASES = Number(process.env.SYNC_FINDPATH_CASES ?? 100);

/** A trie of `kind` over a fresh witness database; `upstreamWalk` sets `lookupNode` on the instance. */
function makeTrie(kind: Kind, witness: Uint8Array[], useKeyHashing: boolean, tag: Uint8Array, upstreamWalk: boolean) {
  const db = new WitnessDB({ state: witness, codes: [] });
  const opts = { db, useKeyHashing, useKeyHashingFunction: keccak256, valueEncoding: ValueEncoding.Bytes };
  // Both lazy tries get the same stand-in tag, so that the nodes they write compare byte for byte.
  const trie = kind === "lazy" ? new LazyHashTrie(opts, undefined, newLazyState(tag)) : new DecodedNodeTrie(opts);
  if (upstreamWalk) {
    const own = trie.lookupNode.bind(trie);
    trie.lookupNode = own;
  }
  return { trie, db };
}

async function answer(run: () => Promise<string>): Promise<string> {
  try {
    return await run();
  } catch (error) {
    return `error ${(error as Error).message}`;
  }
}

/** One random case's trace: every step's answer and root and the missing reads so far. */
async function trace(
  trie: MerklePatriciaTrie,
  db: WitnessDB,
  random: Random,
  keys: Uint8Array[],
  values: Uint8Array[],
  useKeyHashing: boolean,
): Promise<string[]> {
  const steps: string[] = [];
  const length = 20 + Math.floor(random() * 60);
  for (let i = 0; i < length; i++) {
    const draw = random();
    // Mostly keys of the state, sometimes a key the state never had (a miss at any depth).
    const key = random() < 0.85 ? pick(random, keys) : randomBytes(random, KEY_LENGTHS, KEY_BYTES);
    // findPath takes the key the trie stores under (`appliedKey`): hashed under useKeyHashing.
    const appliedKey = useKeyHashing ? keccak256(key) : key;
    const text = await answer(async () => {
      if (draw < 0.25) return `get ${hex(await trie.get(key))}`;
      if (draw < 0.45) return pathText(await trie.findPath(appliedKey, random() < 0.3));
      if (draw < 0.65) await trie.put(key, pick(random, values));
      else if (draw < 0.75) await trie.del(key);
      else if (draw < 0.85) trie.checkpoint();
      else if (!trie.hasCheckpoints()) return "no checkpoint to end";
      else if (draw < 0.93) await trie.commit();
      else await trie.revert();
      return ["put", "del", "checkpoint", "commit", "revert"][[0.65, 0.75, 0.85, 0.93, 1].findIndex((x) => draw < x)];
    });
    steps.push(`${i}: ${text}; root ${hex(trie.root())}; missing ${db.missing.join(",")}`);
    // An error ends the run: a write that failed holds the trie's lock (upstream releases it only on success).
    if (text.startsWith("error ")) break;
  }
  return steps;
}

async function compareOnSeed(seed: number, cases: number, kind: Kind): Promise<{ missing: number; found: number }> {
  let missing = 0;
  let found = 0;
  for (let c = 0; c < cases; c++) {
    const random = generator(seed * 1000 + c);
    const useKeyHashing = random() < 0.3;
    const keys = Array.from({ length: 4 + Math.floor(random() * 30) }, () =>
      randomBytes(random, KEY_LENGTHS, KEY_BYTES),
    );
    const values = Array.from({ length: 2 + Math.floor(random() * 5) }, () => randomBytes(random, VALUE_LENGTHS));
    const preDb = new PreStateDB();
    const pre = new MerklePatriciaTrie({
      db: preDb,
      useKeyHashing,
      useKeyHashingFunction: keccak256,
      valueEncoding: ValueEncoding.Bytes,
    });
    const count = Math.floor(random() * 40);
    for (let i = 0; i < count; i++) await pre.put(pick(random, keys), pick(random, values));
    const dropRate = pick(random, [0, 0.1, 0.3]);
    const witness = preDb.nodes().filter(() => random() >= dropRate);
    const tag = Uint8Array.from({ length: 16 }, () => Math.floor(random() * 256));
    const opsSeed = Math.floor(random() * 2 ** 32);
    const sync = makeTrie(kind, witness, useKeyHashing, tag, false);
    const upstream = makeTrie(kind, witness, useKeyHashing, tag, true);
    sync.trie.root(pre.root());
    upstream.trie.root(pre.root());
    const syncSteps = await trace(sync.trie, sync.db, generator(opsSeed), keys, values, useKeyHashing);
    const upstreamSteps = await trace(upstream.trie, upstream.db, generator(opsSeed), keys, values, useKeyHashing);
    // The first step that differs (a whole-trace diff is slow to print).
    const at = syncSteps.findIndex((text, i) => text !== upstreamSteps[i]);
    expect(syncSteps[at], `seed ${seed}, case ${c}, step ${at}`).to.equal(upstreamSteps[at]);
    expect(syncSteps.length).to.equal(upstreamSteps.length);
    if (sync.db.missing.length > 0) missing++;
    found += syncSteps.filter((s) => s.includes("node ") && !s.includes("node null")).length;
  }
  return { missing, found };
}

describe("DecodedNodeTrie's synchronous findPath (against upstream's WalkController walk)", function () {
  this.timeout(600_000);

  before(async () => {
    await prepareCrypto();
  });

  for (const kind of ["decoded", "lazy"] as const)
    for (const seed of [31, 2026])
      it(`${kind}: the same paths, answers, roots, errors and missing reads on random operations (seed ${seed})`, async () => {
        const { missing, found } = await compareOnSeed(seed, CASES, kind);
        // Not vacuous: walks end at missing nodes in some cases, and findPath finds nodes in many.
        expect(missing).to.be.greaterThan(CASES / 10);
        expect(found).to.be.greaterThan(CASES * 2);
      });

  it("takes the synchronous walk over a plain WitnessDB and upstream's walk when lookupNode is wrapped", async () => {
    const pre = new MerklePatriciaTrie({ db: new PreStateDB(), useKeyHashingFunction: keccak256 });
    await pre.put(Uint8Array.of(1, 2), Uint8Array.of(3));
    const witness = (pre.database().db as PreStateDB).nodes();
    for (const upstreamWalk of [false, true]) {
      const { trie } = makeTrie("decoded", witness, false, new Uint8Array(16), upstreamWalk);
      trie.root(pre.root());
      const walkController = MerklePatriciaTrie.prototype.walkTrie;
      let walks = 0;
      trie.walkTrie = async function (this: MerklePatriciaTrie, ...args: Parameters<typeof walkController>) {
        walks++;
        return walkController.apply(this, args);
      };
      expect(await trie.get(Uint8Array.of(1, 2))).to.deep.equal(Uint8Array.of(3));
      expect(walks).to.equal(upstreamWalk ? 1 : 0);
    }
  });
});
