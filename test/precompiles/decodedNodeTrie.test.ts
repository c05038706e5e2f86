import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { RLP } from "@ethereumjs/rlp";
import { equalsBytes, hexToBytes } from "@ethereumjs/util";
import { expect } from "chai";

import { ExecuteError, verifyBlock } from "../../precompiles";
import { DecodedNodeTrie, type DecodedNodes, encodeNode, encodeNodeDecoded } from "../../precompiles/decodedNodeTrie";
import { STORE_ADDRESS, STORE_AND_LOG_CODE, TestSigner, storeCall, word } from "../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../../tools/l2TestChain";

const CHAIN_ID = 905n;
const ONE_ETH = 10n ** 18n;

function key(i: number): Uint8Array {
  return hexToBytes(`0x${word(i)}`);
}

async function filled<T extends MerklePatriciaTrie>(trie: T, count: number): Promise<T> {
  for (let i = 0; i < count; i++) await trie.put(key(i), RLP.encode(BigInt(i + 1)));
  return trie;
}

/** The outcome of a verification as the precompile reports it: the result's commitments, or the error's code and reason. */
async function outcome(built: BuiltBlock, witness: Uint8Array, memoizeTrieNodes: boolean): Promise<string> {
  try {
    const result = await verifyBlock({
      chainId: CHAIN_ID,
      parentHeader: built.parentHeader,
      block: built.blockRlp,
      witness,
      memoizeTrieNodes,
    });
    return `ok ${Buffer.from(result.blockHash).toString("hex")} ${Buffer.from(result.stateRoot).toString("hex")}`;
  } catch (error) {
    if (!(error instanceof ExecuteError)) throw error;
    return `${error.code} ${error.message}`;
  }
}

/** A deterministic generator of node-like lists: every byte-string length class RLP tells apart, nulls, nesting. */
function randomItem(next: () => number, depth: number): unknown {
  const pick = next() % (depth > 0 ? 9 : 8);
  const lengths = [0, 1, 1, 2, 32, 55, 56, 300, 70_000];
  if (pick === 8) return Array.from({ length: next() % 18 }, () => randomItem(next, depth - 1));
  if (pick === 7) return null;
  const bytes = new Uint8Array(lengths[pick]);
  for (let i = 0; i < bytes.length; i++) bytes[i] = next() % 256;
  // A single byte below 0x80 encodes as itself; at or above it gets a prefix: both occur.
  if (bytes.length === 1 && next() % 2 === 0) bytes[0] %= 0x80;
  return bytes;
}

describe("DecodedNodeTrie (the verifier's trie: each stored node decoded once)", () => {
  it("encodes a node's raw list byte for byte as RLP.encode does", () => {
    let seed = 20261128;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed >>> 8;
    };
    for (let n = 0; n < 600; n++) {
      const raw = Array.from({ length: n % 3 === 0 ? 17 : 2 + (next() % 3) }, () => randomItem(next, 2));
      const expected = RLP.encode(raw as Parameters<typeof RLP.encode>[0]);
      expect(Buffer.from(encodeNode(raw)).toString("hex")).to.equal(Buffer.from(expected).toString("hex"));
      // What the memo enters for these bytes is what RLP.decode reads from them.
      const { encoded, decoded } = encodeNodeDecoded(raw);
      // `eql` is chai's deep equality, as `deep.equal`, without hardhat-chai-matchers' address check,
      // which renders both operands to a string on every call: it was ≈ 90 % of this file's CPU.
      expect(encoded).to.eql(expected);
      expect(decoded).to.eql(RLP.decode(expected));
    }
    // Lists of other items (numbers, strings) are RLP's own encoding.
    expect(encodeNode([1, "0x02"])).to.deep.equal(RLP.encode([1, "0x02"]));
  });

  it("reads, writes and deletes to the same roots as EthereumJS's trie", async () => {
    const upstream = await filled(new MerklePatriciaTrie({ useKeyHashing: true }), 200);
    const memo = await filled(new DecodedNodeTrie({ useKeyHashing: true }), 200);
    expect(equalsBytes(memo.root(), upstream.root())).to.equal(true);
    for (let i = 0; i < 200; i += 3) {
      await upstream.del(key(i));
      await memo.del(key(i));
      expect(await memo.get(key(i + 1))).to.eql(await upstream.get(key(i + 1)));
    }
    expect(equalsBytes(memo.root(), upstream.root())).to.equal(true);
  });

  it("builds a fresh node on every lookup: editing one leaves the next lookup as stored", async () => {
    const trie = await filled(new DecodedNodeTrie({ useKeyHashing: true }), 50);
    const first = await trie.lookupNode(trie.root());
    const stored = first.serialize();
    first.value(Uint8Array.from([1, 2, 3]));
    const second = await trie.lookupNode(trie.root());
    expect(second).to.not.equal(first);
    expect(equalsBytes(second.serialize(), stored)).to.equal(true);
  });

  it("a node written in a reverted checkpoint is missing afterwards, even once looked up", async () => {
    const trie = await filled(new DecodedNodeTrie({ useKeyHashing: true }), 20);
    const before = trie.root();
    trie.checkpoint();
    await trie.put(key(1000), RLP.encode(7n));
    const written = trie.root();
    await trie.lookupNode(written);
    await trie.revert();
    expect(equalsBytes(trie.root(), before)).to.equal(true);
    let message = "";
    await trie.lookupNode(written).catch((error: Error) => {
      message = error.message;
    });
    expect(message).to.equal("Missing node in DB");
  });

  it("enters each node it writes with exactly what its bytes decode to (branch values, empty slots, embedded nodes)", async () => {
    const memo: DecodedNodes = new Map();
    // Unhashed short keys: keys that prefix others give branch values, short nodes are embedded.
    const trie = new DecodedNodeTrie({}, memo);
    const keys = ["", "01", "0102", "010203", "02", "0201", "ff", "ff00", "ff0001", "10", "1011"].map((k) =>
      hexToBytes(`0x${k}`),
    );
    trie.checkpoint();
    for (const [i, k] of keys.entries()) await trie.put(k, Uint8Array.from([i + 1]));
    for (const [i, k] of keys.entries()) if (i % 3 === 0) await trie.del(k);
    await trie.commit();
    expect(memo.size).to.be.greaterThan(5);
    for (const [bytes, decoded] of memo) expect(decoded).to.eql(RLP.decode(bytes));
  });

  it("a write of a node leaves the memo of other byte strings, even equal ones, untouched", async () => {
    const memo: DecodedNodes = new Map();
    const trie = await filled(new DecodedNodeTrie({ useKeyHashing: true }, memo), 30);
    const [bytes, decoded] = [...memo][0];
    // The same content as another object: the memo is keyed by the object, so it does not answer for the copy.
    expect(memo.has(Uint8Array.from(bytes))).to.equal(false);
    await trie.put(key(1000), RLP.encode(1n));
    expect(memo.get(bytes)).to.equal(decoded);
  });

  it("a value the caller edits after putting it changes nothing stored, as in EthereumJS's trie", async () => {
    // Upstream serializes the leaf at once, so the trie holds a copy of the value; the memo must not
    // hold the caller's array instead (a later read, or a sibling's put re-encoding the leaf, would
    // see the edit).
    const upstream = new MerklePatriciaTrie({ useKeyHashing: true });
    const memo = new DecodedNodeTrie({ useKeyHashing: true });
    for (let i = 0; i < 8; i++) {
      const value = RLP.encode(BigInt(1000 + i));
      await upstream.put(key(i), Uint8Array.from(value));
      await memo.put(key(i), value);
      value.fill(0xee);
    }
    await upstream.put(key(100), RLP.encode(5n));
    await memo.put(key(100), RLP.encode(5n));
    for (let i = 0; i < 8; i++) expect(await memo.get(key(i))).to.eql(await upstream.get(key(i)));
    expect(Buffer.from(memo.root()).toString("hex")).to.equal(Buffer.from(upstream.root()).toString("hex"));
  });

  it("keeps its storage tries (shallow copies) of its own class", async () => {
    const trie = new DecodedNodeTrie({ useKeyHashing: true });
    expect(trie.shallowCopy(false)).to.be.instanceOf(DecodedNodeTrie);
  });

  it("verifyBlock gives the same result with and without it, on a valid block and on a witness that lacks a node", async () => {
    const probe = await L2TestChain.create(CHAIN_ID, []);
    const alice = TestSigner.fromSeed(1, probe.common);
    const chain = await L2TestChain.create(CHAIN_ID, [
      { address: alice.address.toString(), balance: 100n * ONE_ETH },
      {
        address: STORE_ADDRESS,
        code: STORE_AND_LOG_CODE,
        storage: { [`0x${word(1)}`]: "0x01", [`0x${word(2)}`]: "0x02", [`0x${word(3)}`]: "0x03" },
      },
    ]);
    const signer = TestSigner.fromSeed(1, chain.common);
    const built = await chain.buildBlock([
      signer.tx({ to: STORE_ADDRESS, data: storeCall(1n, 0n), gasLimit: 100_000n }),
      signer.tx({ to: STORE_ADDRESS, data: storeCall(4n, 9n), gasLimit: 100_000n }),
      signer.tx({ to: `0x${"ab".repeat(20)}`, value: 1n, gasLimit: 21_000n }),
    ]);
    const valid = await outcome(built, built.witness, true);
    expect(valid.startsWith("ok ")).to.equal(true);
    expect(await outcome(built, built.witness, false)).to.equal(valid);

    const [state, codes, headers] = RLP.decode(built.witness) as Uint8Array[][];
    for (let drop = 0; drop < state.length; drop++) {
      const witness = RLP.encode([state.filter((_, i) => i !== drop), codes, headers]);
      expect(await outcome(built, witness, true)).to.equal(await outcome(built, witness, false));
    }
  });
});
