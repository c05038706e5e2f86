import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { RLP } from "@ethereumjs/rlp";
import { ValueEncoding } from "@ethereumjs/util";
import { expect } from "chai";

import { DecodedNodeTrie } from "../../precompiles/decodedNodeTrie";
import { LazyHashTrie } from "../../precompiles/lazyHashTrie";
import { keccak256, prepareCrypto } from "../../precompiles/crypto";
import { cpuSeconds } from "../../tools/cpuTime";
import { MissingWitnessDataError } from "../../precompiles/errors";
import { InMemoryWritesDB, type StoredValue, WitnessDB, keyOf, toHex } from "../../precompiles/witness";
import { generator } from "../support/seededRandom";

/**
 * Differential test of the verifier's trie against EthereumJS's: the same random operations on
 * both, each over its own copy of the same partial witness, must give the same answer at every
 * step (values read, roots, the error and the step it ends at) and leave the same reads missing
 * and the same writes in the database. The witness lacks a random part of the pre-state's nodes,
 * so walks end at missing nodes, as they do on an incomplete witness.
 */

type Random = ReturnType<typeof generator>;

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

/** Key lengths with prefixes of each other (branch values) and a few bytes shared by many keys. */
const KEY_LENGTHS = [1, 2, 2, 3, 3, 4, 20, 32];
const KEY_BYTES = [0x00, 0x01, 0x10, 0x11, 0x80, 0xff];
/** Value lengths around RLP's classes and the 32-byte line between embedded and stored nodes. */
const VALUE_LENGTHS = [1, 1, 2, 5, 20, 27, 28, 29, 30, 31, 32, 33, 55, 56, 100];

function randomKey(random: Random): Uint8Array {
  return Uint8Array.from({ length: pick(random, KEY_LENGTHS) }, () => pick(random, KEY_BYTES));
}

function randomValue(random: Random): Uint8Array {
  const value = Uint8Array.from({ length: pick(random, VALUE_LENGTHS) }, () => Math.floor(random() * 256));
  // A single byte below 0x80 is its own RLP encoding; at or above, it gets a prefix: both occur.
  if (value.length === 1 && random() < 0.5) value[0] %= 0x80;
  return value;
}

/** The pre-state's database: every node the upstream trie wrote building it. */
class RecordingDB extends InMemoryWritesDB {
  async get(key: string): Promise<StoredValue | undefined> {
    return this.entries.get(keyOf(key));
  }

  nodes(): Uint8Array[] {
    return [...this.entries.values()];
  }
}

/** A witness database whose writes and reads of witness nodes can be compared. */
class InspectableWitnessDB extends WitnessDB {
  private readonly witnessKeys: Set<string>;
  /** Keys of witness nodes read (present at the read), in order. */
  readonly witnessReads: string[] = [];

  constructor(witness: Uint8Array[]) {
    super({ state: witness, codes: [] });
    this.witnessKeys = new Set(this.entries.keys());
  }

  override async get(key: Uint8Array | string): Promise<Uint8Array | undefined> {
    if (this.witnessKeys.has(keyOf(key))) this.witnessReads.push(keyOf(key));
    return super.get(key);
  }

  written(): string[] {
    return [...this.entries].map(([key, value]) => `${key}=${toHex(value)}`).sort();
  }

  /** The entries with each of `trie`'s stand-in markers replaced by the node upstream stores under its hash. */
  resolvedWritten(trie: LazyHashTrie, hash: (bytes: Uint8Array) => Uint8Array): string[] {
    const out = new Set<string>();
    for (const [key, value] of this.entries) {
      const encoded = trie.resolvedEncoding(value);
      out.add(encoded === undefined ? `${key}=${toHex(value)}` : `${toHex(hash(encoded))}=${toHex(encoded)}`);
    }
    return [...out].sort();
  }
}

interface Case {
  readonly useKeyHashing: boolean;
  readonly witness: Uint8Array[];
  readonly root: Uint8Array;
  readonly ops: readonly Op[];
}

type Op =
  | { readonly kind: "get" | "del"; readonly key: Uint8Array }
  | { readonly kind: "put"; readonly key: Uint8Array; readonly value: Uint8Array }
  | { readonly kind: "checkpoint" | "commit" | "revert" | "copyGet"; readonly key: Uint8Array }
  | { readonly kind: "setRoot"; readonly index: number };

/**
 * Every trie of the random cases, EthereumJS's and the verifier's, hashes with the keccak EXECUTE
 * runs with (precompiles/crypto.ts: WebAssembly once `prepareCrypto()` has resolved), as
 * verifyBlock's tries do (through `common.customCrypto`). EthereumJS's default, @noble/hashes'
 * keccak in JavaScript, was half of this file's CPU; what is compared here is the tries' walks,
 * writes and errors, and test/precompiles/crypto.test.ts compares the keccak backends themselves.
 */
const TRIE_HASHING = { useKeyHashingFunction: keccak256 } as const;

async function randomCase(random: Random): Promise<Case> {
  const useKeyHashing = random() < 0.3;
  const keys = Array.from({ length: 4 + Math.floor(random() * 30) }, () => randomKey(random));
  // Few distinct values: equal leaves under different keys give equal nodes in different places.
  const values = Array.from({ length: 2 + Math.floor(random() * 6) }, () => randomValue(random));
  const preDb = new RecordingDB();
  const pre = new MerklePatriciaTrie({ db: preDb, ...TRIE_HASHING, useKeyHashing, valueEncoding: ValueEncoding.Bytes });
  const preCount = Math.floor(random() * 40);
  for (let i = 0; i < preCount; i++) {
    if (random() < 0.15) await pre.del(pick(random, keys));
    else await pre.put(pick(random, keys), pick(random, values));
  }
  const dropRate = pick(random, [0, 0.05, 0.15, 0.4]);
  const witness = preDb.nodes().filter(() => random() >= dropRate);
  const ops: Op[] = [];
  const length = 10 + Math.floor(random() * 70);
  for (let i = 0; i < length; i++) {
    const draw = random();
    const key = pick(random, keys);
    if (draw < 0.2) ops.push({ kind: "get", key });
    else if (draw < 0.45)
      ops.push({ kind: "put", key, value: random() < 0.05 ? new Uint8Array() : pick(random, values) });
    else if (draw < 0.57) ops.push({ kind: "del", key });
    else if (draw < 0.71) ops.push({ kind: "checkpoint", key });
    else if (draw < 0.81) ops.push({ kind: "commit", key });
    else if (draw < 0.91) ops.push({ kind: "revert", key });
    else if (draw < 0.95) ops.push({ kind: "copyGet", key });
    // A root from anywhere before, also from inside a checkpoint since reverted.
    else ops.push({ kind: "setRoot", index: Math.floor(random() * 40) });
  }
  return { useKeyHashing, witness, root: pre.root(), ops };
}

/** Cases per seed. */
const CASES = 150;

const hex = (bytes: Uint8Array | null): string => (bytes === null ? "null" : toHex(bytes));

/** One step's answer: what it returned, or the error that ended the run (then nothing runs after it). */
async function step(trie: MerklePatriciaTrie, op: Op, roots: Uint8Array[]): Promise<string> {
  switch (op.kind) {
    case "get":
      return `get ${hex(await trie.get(op.key))}`;
    case "put":
      await trie.put(op.key, op.value);
      return "put";
    case "del":
      await trie.del(op.key);
      return "del";
    case "checkpoint":
      trie.checkpoint();
      return "checkpoint";
    case "commit":
      if (!trie.hasCheckpoints()) return "commit skipped";
      await trie.commit();
      return "commit";
    case "revert":
      if (!trie.hasCheckpoints()) return "revert skipped";
      await trie.revert();
      return "revert";
    case "copyGet": {
      // A storage trie is made this way: a copy without the checkpoints, reading the database below them.
      const copy = trie.shallowCopy(false);
      return `copy ${hex(await copy.get(op.key))}`;
    }
    case "setRoot": {
      const root = roots[op.index % roots.length];
      trie.root(root);
      return `root set ${hex(root)}`;
    }
  }
}

/** Every step's answer and root, then the missing reads and the database's writes. */
async function trace(
  make: (opts: ConstructorParameters<typeof MerklePatriciaTrie>[0]) => MerklePatriciaTrie,
  testCase: Case,
): Promise<{ steps: string[]; missing: readonly string[]; written: string[] }> {
  const db = new InspectableWitnessDB(testCase.witness);
  const trie = make({ db, ...TRIE_HASHING, useKeyHashing: testCase.useKeyHashing, valueEncoding: ValueEncoding.Bytes });
  const steps: string[] = [];
  const roots: Uint8Array[] = [testCase.root];
  try {
    trie.root(testCase.root);
    for (const [index, op] of testCase.ops.entries()) {
      const answer = await step(trie, op, roots);
      roots.push(trie.root());
      steps.push(`${index} ${answer} -> ${hex(trie.root())}`);
    }
  } catch (error) {
    steps.push(`${steps.length} error ${(error as Error).constructor.name}: ${(error as Error).message}`);
  }
  return { steps, missing: db.missing, written: db.written() };
}

const upstreamTrie = (opts: ConstructorParameters<typeof MerklePatriciaTrie>[0]) => new MerklePatriciaTrie(opts);
const verifierTrie = (opts: ConstructorParameters<typeof MerklePatriciaTrie>[0]) =>
  new DecodedNodeTrie(opts as NonNullable<typeof opts>);

const lazyTrie = (opts: ConstructorParameters<typeof MerklePatriciaTrie>[0]) =>
  new LazyHashTrie(opts as NonNullable<typeof opts>);

describe("DecodedNodeTrie against EthereumJS's trie, operation by operation, on partial witnesses", () => {
  // The keccak of every witness database (its keys) and of the tries: WebAssembly, loaded once.
  before(() => prepareCrypto());

  it("reads a node the witness lacks once the run wrote a node of the same content elsewhere, as EthereumJS's trie does", async () => {
    // Keys 0x12 and 0x22 hold the same 32-byte value: their leaves, [0x32, value] under slots 1
    // and 2 of the root branch, are one node (35 bytes: stored by hash). The witness lacks it.
    const value = new Uint8Array(32).fill(7);
    const preDb = new RecordingDB();
    const pre = new MerklePatriciaTrie({ db: preDb, ...TRIE_HASHING, valueEncoding: ValueEncoding.Bytes });
    await pre.put(Uint8Array.of(0x12), value);
    await pre.put(Uint8Array.of(0x22), value);
    const isTheLeaf = (node: Uint8Array): boolean => {
      const [path] = RLP.decode(node) as Uint8Array[];
      return path.length === 1 && path[0] === 0x32; // a leaf (0x3_) with the one nibble 2 left
    };
    const witness = preDb.nodes().filter((node) => !isTheLeaf(node));
    expect(preDb.nodes().filter(isTheLeaf)).to.have.length(1);
    for (const make of [upstreamTrie, verifierTrie, lazyTrie]) {
      // Without the write, reading 0x12 is a missing node.
      const control = new InspectableWitnessDB(witness);
      const before = make({ db: control, valueEncoding: ValueEncoding.Bytes, root: pre.root() });
      let error: unknown;
      await before.get(Uint8Array.of(0x12)).catch((caught: unknown) => {
        error = caught;
      });
      expect(error).to.be.instanceOf(MissingWitnessDataError);
      // Writing 0x32 puts the same leaf under slot 3: the database now holds a node of that content.
      const db = new InspectableWitnessDB(witness);
      const trie = make({ db, valueEncoding: ValueEncoding.Bytes, root: pre.root() });
      await trie.put(Uint8Array.of(0x32), value);
      expect(await trie.get(Uint8Array.of(0x12))).to.deep.equal(value);
      expect(db.missing).to.deep.equal([]);
    }
  });

  for (const seed of [20261128, 1, 77, 4242, 9, 31337]) {
    it(`gives the same answers, roots, missing nodes and writes (seed ${seed}, ${CASES} cases)`, async function () {
      this.timeout(120_000);
      const random = generator(seed);
      let endedMissing = 0;
      let stepsRun = 0;
      for (let n = 0; n < CASES; n++) {
        const testCase = await randomCase(random);
        const expected = await trace(upstreamTrie, testCase);
        const actual = await trace(verifierTrie, testCase);
        // `eql` is chai's deep equality, as `deep.equal`, without hardhat-chai-matchers' address
        // check, which renders both operands to a string on every call: ≈ 40 % of this file's CPU.
        expect(actual.steps, `case ${n}`).to.eql(expected.steps);
        expect(actual.missing, `case ${n} missing reads`).to.eql(expected.missing);
        expect(actual.written, `case ${n} writes`).to.eql(expected.written);
        if (expected.missing.length > 0) endedMissing++;
        stepsRun += expected.steps.length;
      }
      // The cases reach both outcomes: runs to the end and runs ended by a missing node.
      expect(endedMissing).to.be.greaterThan(CASES / 10);
      expect(endedMissing).to.be.lessThan(CASES * 0.9);
      expect(stepsRun).to.be.greaterThan(CASES * 10);
    });
  }
});

/**
 * LazyHashTrie (finding 1 of attack-review-s23.md) against EthereumJS's trie. The lazy trie's
 * `root()` is a stand-in until something resolves it, so a step's real root is compared only at
 * observed steps and at the end (resolving at every step would hide the laziness); `setRoot` names
 * either the lazy trie's own root at that step (a stand-in: what an account's storage root holds)
 * or its resolved root (what `getStateRoot` gives and `setStateRoot` takes).
 */
interface Plan {
  readonly observe: readonly boolean[];
  readonly realRoots: readonly boolean[];
}

interface LazyTrace {
  readonly steps: string[];
  readonly missing: readonly string[];
  readonly reads: Set<string>;
  readonly written: string[];
}

async function traceAgainstLazy(
  lazy: boolean,
  testCase: Case,
  plan: Plan,
  witness = testCase.witness,
): Promise<LazyTrace> {
  const db = new InspectableWitnessDB(witness);
  const opts = { db, ...TRIE_HASHING, useKeyHashing: testCase.useKeyHashing, valueEncoding: ValueEncoding.Bytes };
  const trie = lazy ? new LazyHashTrie(opts) : new MerklePatriciaTrie(opts);
  const real = (): Uint8Array => (trie instanceof LazyHashTrie ? trie.resolvedRoot() : trie.root());
  const steps: string[] = [];
  const roots: Uint8Array[] = [testCase.root];
  try {
    trie.root(testCase.root);
    for (const [index, op] of testCase.ops.entries()) {
      // The root set is the lazy trie's own (maybe a stand-in): what it resolves to is compared.
      let answer = await step(trie, op, roots);
      if (op.kind === "setRoot") answer = "root set";
      roots.push(plan.realRoots[index] ? real() : trie.root());
      const observe = plan.observe[index] || op.kind === "setRoot";
      steps.push(observe ? `${index} ${answer} -> ${hex(real())}` : `${index} ${answer}`);
    }
    steps.push(`end -> ${hex(real())}`);
  } catch (error) {
    if (process.env.DIFF_DEBUG) console.log(lazy, error);
    steps.push(`${steps.length} error ${(error as Error).constructor.name}: ${(error as Error).message}`);
  }
  const written = trie instanceof LazyHashTrie ? db.resolvedWritten(trie, keccak256) : db.written();
  return { steps, missing: db.missing, reads: new Set(db.witnessReads), written };
}

describe("LazyHashTrie against EthereumJS's trie: same roots, errors, missing nodes and witness reads", () => {
  before(() => prepareCrypto());

  for (const seed of (process.env.DIFF_SEEDS ?? "20261128,5,606,8080,13,271828").split(",").map(Number)) {
    it(`on random operations over partial witnesses (seed ${seed}, ${CASES} cases), and with one read node dropped`, async function () {
      this.timeout(300_000);
      const random = generator(seed);
      let endedMissing = 0;
      let dropped = 0;
      let dropsThatMissed = 0;
      for (let n = 0; n < CASES; n++) {
        const testCase = await randomCase(random);
        const observeRate = pick(random, [0, 0.2, 1]);
        const plan: Plan = {
          observe: testCase.ops.map(() => random() < observeRate),
          realRoots: testCase.ops.map(() => random() < 0.5),
        };
        const expected = await traceAgainstLazy(false, testCase, plan);
        const actual = await traceAgainstLazy(true, testCase, plan);
        expect(actual.steps, `case ${n}`).to.eql(expected.steps);
        expect(actual.missing, `case ${n} missing reads`).to.eql(expected.missing);
        expect(actual.written, `case ${n} writes, resolved`).to.eql(expected.written);
        // Where the two read different witness nodes, each read node is present in both views
        // (upstream may find its own write of the same bytes, or a checkpoint's copy, first): the
        // drops below show each such node needed by both or by neither.
        const differ = [...actual.reads, ...expected.reads].filter(
          (key) => !(actual.reads.has(key) && expected.reads.has(key)),
        );
        if (expected.missing.length > 0) endedMissing++;
        // Each witness node read by either where they differ, and up to 3 others, dropped in turn: the same outcome on both.
        const read = [...expected.reads];
        const drops = [...differ, ...Array.from({ length: Math.min(3, read.length) }, () => pick(random, read))];
        for (const drop of drops) {
          const witness = testCase.witness.filter((node) => toHex(keccak256(node)) !== drop);
          const without = await traceAgainstLazy(false, testCase, plan, witness);
          const lazyWithout = await traceAgainstLazy(true, testCase, plan, witness);
          expect(lazyWithout.steps, `case ${n} without ${drop}`).to.eql(without.steps);
          expect(lazyWithout.missing, `case ${n} without ${drop}: missing`).to.eql(without.missing);
          dropped++;
          if (without.missing.length > 0) dropsThatMissed++;
        }
      }
      expect(endedMissing).to.be.greaterThan(CASES / 10);
      expect(endedMissing).to.be.lessThan(CASES * 0.9);
      expect(dropped).to.be.greaterThan(CASES);
      expect(dropsThatMissed).to.be.greaterThan(dropped / 4);
    });
  }
});

describe("LazyHashTrie's content-addressed lookup", () => {
  // The tries hash with EXECUTE's keccak, as above: what these tests count and compare is the
  // lookup's work per read, which the keccak backend does not change (in @noble/hashes' JavaScript,
  // hashing the written copies was ≈ 16 % of this file's samples: fast-tests.md, round 29b).
  before(() => prepareCrypto());

  /** A witness database that counts presence checks: the lookup's work. */
  class CountingWitnessDB extends InspectableWitnessDB {
    checks = 0;

    override has(hexKey: string): boolean {
      this.checks++;
      return super.has(hexKey);
    }
  }

  /** Keys 0x12 and 0x22 share one leaf node (as in the first test), which the witness lacks: a lazy trie over it. */
  async function trieLackingSharedLeaf(): Promise<{ db: CountingWitnessDB; trie: LazyHashTrie; value: Uint8Array }> {
    const value = new Uint8Array(32).fill(7);
    const preDb = new RecordingDB();
    const pre = new MerklePatriciaTrie({ db: preDb, ...TRIE_HASHING, valueEncoding: ValueEncoding.Bytes });
    await pre.put(Uint8Array.of(0x12), value);
    await pre.put(Uint8Array.of(0x22), value);
    const witness = preDb.nodes().filter((node) => (RLP.decode(node) as Uint8Array[]).length === 17);
    const db = new CountingWitnessDB(witness);
    return {
      db,
      trie: new LazyHashTrie({ db, ...TRIE_HASHING, valueEncoding: ValueEncoding.Bytes, root: pre.root() }),
      value,
    };
  }

  it("costs O(1) amortised however often one content was written in reverted checkpoints", async function () {
    this.timeout(120_000);
    const { db, trie, value } = await trieLackingSharedLeaf();
    const writes = 2000;
    const reads = 2000;
    // The same leaf written (under 0x32) in `writes` checkpoints, each reverted; then once for good.
    for (let i = 0; i < writes; i++) {
      trie.checkpoint();
      await trie.put(Uint8Array.of(0x32), value);
      await trie.revert();
    }
    trie.checkpoint();
    await trie.put(Uint8Array.of(0x32), value);
    db.checks = 0;
    for (let i = 0; i < reads; i++) expect(await trie.get(Uint8Array.of(0x12))).to.eql(value);
    expect(db.missing).to.eql([]);
    // Scanning every written copy at every read would be writes × reads (4,000,000) checks.
    expect(db.checks).to.be.below(10 * (writes + reads));
  });

  /**
   * CPU seconds of `reads` reads of 0x12, whose leaf the witness lacks, after `copies` writes of
   * that leaf's content (under 0x32, alternating with another value) in one live checkpoint: what
   * a block does to the account trie (runBlock's checkpoint stays open until the block's end).
   */
  async function readsAfterLiveCopies(copies: number, reads: number): Promise<number> {
    const { db, trie, value } = await trieLackingSharedLeaf();
    const other = new Uint8Array(32).fill(8);
    trie.checkpoint();
    for (let i = 0; i < copies; i++) {
      await trie.put(Uint8Array.of(0x32), value);
      await trie.put(Uint8Array.of(0x32), other);
    }
    await trie.put(Uint8Array.of(0x32), value);
    expect(await trie.get(Uint8Array.of(0x12))).to.eql(value);
    const start = cpuSeconds();
    for (let i = 0; i < reads; i++) expect(await trie.get(Uint8Array.of(0x12))).to.eql(value);
    const spent = cpuSeconds() - start;
    expect(db.missing).to.eql([]);
    return spent;
  }

  it("costs O(1) per read however often one content was written in a live checkpoint", async function () {
    this.timeout(120_000);
    const reads = 4000;
    // Same run, alternated: the reads' CPU with 20,000 live copies against 10 (a scan of every
    // copy at every read would be 80,000,000 steps, several times the reads' own work).
    const few: number[] = [];
    const many: number[] = [];
    for (let round = 0; round < 2; round++) {
      few.push(await readsAfterLiveCopies(10, reads));
      many.push(await readsAfterLiveCopies(20_000, reads));
    }
    expect(Math.min(...many) / Math.min(...few)).to.be.below(3);
  });
});
