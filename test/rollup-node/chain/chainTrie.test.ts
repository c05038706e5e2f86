import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { MapDB, ValueEncoding, bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";

import type { StoredValue } from "../../../precompiles";
import { BoundedDecodedNodes, createChainTrie } from "../../../rollup-node/chain/chainTrie";

/** A deterministic byte string for `seed` (no randomness in a test's inputs). */
function bytesOf(seed: number, length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (seed * 131 + i * 17) % 256);
}

describe("chain state trie (DecodedNodeTrie with a bounded memo)", () => {
  it("forgets its oldest decoded node past the bound", () => {
    const memo = new BoundedDecodedNodes(3);
    const keys = [1, 2, 3, 4, 5].map((i) => bytesOf(i, 4));
    for (const key of keys) memo.set(key, [key]);
    expect(memo.size).to.equal(3);
    expect([...memo.keys()]).to.deep.equal(keys.slice(2));
  });

  it("writes the same nodes and reaches the same roots as upstream's trie, reading back through a memo smaller than a path", async () => {
    const opts = { useKeyHashing: true, valueEncoding: ValueEncoding.Bytes } as const;
    const upstreamDb = new MapDB<string, StoredValue>();
    const chainDb = new MapDB<string, StoredValue>();
    const upstream = new MerklePatriciaTrie({ ...opts, db: upstreamDb });
    // A memo of 2 entries: most reads miss it and decode again, the rest hit it.
    const chain = createChainTrie({ ...opts, db: chainDb }, 2);
    const roots: string[][] = [];
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 80; i++) {
        const key = bytesOf((round * 53 + i) % 150, 20);
        const value = bytesOf(round * 1000 + i, 1 + ((i * 7) % 70));
        await upstream.put(key, value);
        await chain.put(key, value);
      }
      for (let i = 0; i < 30; i++) {
        await upstream.del(bytesOf(i * 5, 20));
        await chain.del(bytesOf(i * 5, 20));
      }
      roots.push([bytesToHex(upstream.root()), bytesToHex(chain.root())]);
      for (let i = 0; i < 150; i++) {
        const key = bytesOf(i, 20);
        const [a, b] = await Promise.all([upstream.get(key), chain.get(key)]);
        expect(b === null ? null : bytesToHex(b), `key ${i}, round ${round}`).to.equal(
          a === null ? null : bytesToHex(a),
        );
      }
    }
    for (const [a, b] of roots) expect(b).to.equal(a);
    expect(new Set(roots.map(([a]) => a)).size).to.equal(4);
    const stored = (db: MapDB<string, StoredValue>): string[] =>
      [...db._database.entries()].map(([k, v]) => `${k}=${typeof v === "string" ? v : bytesToHex(v)}`).sort();
    expect(stored(chainDb)).to.deep.equal(stored(upstreamDb));
  });
});
