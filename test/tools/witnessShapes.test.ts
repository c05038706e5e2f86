import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { MapDB, ValueEncoding } from "@ethereumjs/util";
import { keccak_256 as keccak256 } from "@noble/hashes/sha3.js";
import { expect } from "chai";

import type { StoredValue } from "../../precompiles";
import { trieFromPairs } from "../../tools/witnessShapes";

/** A trie MerklePatriciaTrie builds by a put per key (what reshapeState did before it built in one pass). */
async function putByPut(pairs: readonly [Uint8Array, Uint8Array][]): Promise<Uint8Array> {
  const trie = new MerklePatriciaTrie({ db: new MapDB(), useKeyHashing: false, valueEncoding: ValueEncoding.Bytes });
  for (const [key, value] of pairs) await trie.put(key, value);
  return trie.root();
}

describe("tools/witnessShapes: the adversarial state's tries built in one pass", () => {
  it("gives MerklePatriciaTrie's root for random keys and a key at depth 64, and every value is found through its db", async () => {
    const pairs: [Uint8Array, Uint8Array][] = [];
    for (let i = 0; i < 200; i++) {
      const key = keccak256(Uint8Array.of(i, 1));
      // Short values (embedded children) and long ones (hashed children).
      pairs.push([key, i % 3 === 0 ? Uint8Array.of(i + 1) : keccak256(key)]);
    }
    // A key at depth 64: one sibling differing at each of its 64 nibbles.
    const deep = keccak256(Uint8Array.of(0xde, 0xe9));
    for (let index = 0; index < 64; index++) {
      const sibling = deep.slice();
      sibling[index >> 1] ^= index % 2 === 0 ? 0x10 : 0x01;
      pairs.push([sibling, Uint8Array.of(0x5a)]);
    }
    pairs.push([deep, Uint8Array.of(0x77)]);

    const db = new MapDB<string, StoredValue>();
    const root = await trieFromPairs(db, pairs);
    expect(Buffer.from(root).toString("hex")).to.equal(Buffer.from(await putByPut(pairs)).toString("hex"));
    const trie = new MerklePatriciaTrie({ db, useKeyHashing: false, valueEncoding: ValueEncoding.Bytes, root });
    for (const [key, value] of pairs) expect(await trie.get(key)).to.deep.equal(value);
    // The deep key's leaf is at depth 64: its path from the root is 64 branches, then the leaf.
    const { stack } = await trie.findPath(deep);
    expect(stack.length).to.equal(65);
  });

  it("gives the empty trie's root for no pairs and refuses a key that is not 32 bytes", async () => {
    const db = new MapDB<string, StoredValue>();
    expect(await trieFromPairs(db, [])).to.deep.equal(await putByPut([]));
    let refused = "";
    await trieFromPairs(db, [[Uint8Array.of(1), Uint8Array.of(1)]]).catch((error: Error) => (refused = error.message));
    expect(refused).to.contain("not 32 bytes");
  });
});
