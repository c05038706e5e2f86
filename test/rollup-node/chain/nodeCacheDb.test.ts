import { MapDB } from "@ethereumjs/util";
import { expect } from "chai";

import type { StoredValue } from "../../../precompiles";
import { Chain } from "../../../rollup-node/chain/chain";
import {
  DEFAULT_NODE_CACHE_BYTES,
  NODE_CACHE_ENTRY_OVERHEAD_BYTES,
  NodeCacheDB,
} from "../../../rollup-node/chain/nodeCacheDb";

/** A MapDB that counts the reads that reach it. */
class CountingDB extends MapDB<string, StoredValue> {
  reads = 0;

  override async get(key: string): Promise<StoredValue | undefined> {
    this.reads++;
    return super.get(key);
  }
}

const bytes = (n: number): Uint8Array => Uint8Array.from([n]);

describe("NodeCacheDB: the chain's trie node cache", () => {
  it("answers a key read or written before without asking the database, and a missing key from the database each time", async () => {
    const inner = new CountingDB();
    await inner.put("aa", bytes(1));
    const cache = new NodeCacheDB(inner, 10);
    expect(await cache.get("aa")).to.deep.equal(bytes(1));
    expect(await cache.get("aa")).to.deep.equal(bytes(1));
    await cache.put("bb", bytes(2));
    await cache.batch([{ type: "put", key: "cc", value: bytes(3) }]);
    expect(await cache.get("bb")).to.deep.equal(bytes(2));
    expect(await cache.get("cc")).to.deep.equal(bytes(3));
    expect(inner.reads).to.equal(1);
    expect(await cache.get("dd")).to.equal(undefined);
    expect(await cache.get("dd")).to.equal(undefined);
    expect(inner.reads).to.equal(3);
    // What load:l2's memory lines report: every read passed to the database is a miss, the rest hits.
    expect(cache.reads).to.deep.equal({ hits: 3, misses: 3 });
    // Written through: the database holds what the cache answers.
    expect(await inner.get("cc")).to.deep.equal(bytes(3));
  });

  it("keeps at most maxEntries, dropping the least recently used first", async () => {
    const inner = new CountingDB();
    const cache = new NodeCacheDB(inner, 2);
    await cache.put("aa", bytes(1));
    await cache.put("bb", bytes(2));
    await cache.get("aa");
    await cache.put("cc", bytes(3));
    inner.reads = 0;
    await cache.get("aa");
    await cache.get("cc");
    expect(inner.reads).to.equal(0);
    expect(await cache.get("bb")).to.deep.equal(bytes(2));
    expect(inner.reads).to.equal(1);
  });

  it("keeps at most maxBytes (keys, values and a per-entry overhead), whatever the entry bound: code under its hash is up to 24 KiB, a trie node a few hundred bytes", async () => {
    const inner = new CountingDB();
    const maxBytes = 1024 * 1024;
    const cache = new NodeCacheDB(inner, 10_000, maxBytes);
    const code = (n: number): Uint8Array => new Uint8Array(24 * 1024).fill(n);
    // 100 contracts' code, 2.4 MiB: the entry bound (10,000) is far, the byte bound (1 MiB) is not.
    for (let n = 0; n < 100; n++) await cache.put(`c${n}`, code(n));
    inner.reads = 0;
    expect(await cache.get("c99")).to.deep.equal(code(99));
    expect(inner.reads, "the newest is cached").to.equal(0);
    expect(await cache.get("c0")).to.deep.equal(code(0));
    expect(inner.reads, "the oldest left the cache").to.equal(1);
    expect(cache.heldBytes).to.be.at.most(maxBytes);
    expect(cache.heldBytes).to.be.above(maxBytes - 2 * 24 * 1024 - 2 * NODE_CACHE_ENTRY_OVERHEAD_BYTES);
  });

  it("forgets a deleted key (directly or in a batch)", async () => {
    const inner = new CountingDB();
    const cache = new NodeCacheDB(inner, 10);
    await cache.put("aa", bytes(1));
    await cache.put("bb", bytes(2));
    await cache.del("aa");
    await cache.batch([{ type: "del", key: "bb" }]);
    expect(await cache.get("aa")).to.equal(undefined);
    expect(await cache.get("bb")).to.equal(undefined);
  });

  it("is bounded by the chain's nodeCacheBytes when one is given (load:l2 --node-cache-mb sets it for both chains), by DEFAULT_NODE_CACHE_BYTES otherwise", async () => {
    // 1,000 accounts: their genesis trie nodes (a few hundred KiB) go through the cache.
    const alloc = Object.fromEntries(
      Array.from({ length: 1000 }, (_, i) => [`0x${(i + 1).toString(16).padStart(40, "0")}`, { balance: 1n }]),
    );
    const genesis = { chainId: 1337n, timestamp: 1_700_000_000n, alloc };
    const bound = 64 * 1024;
    const bounded = await Chain.create({ genesis, nodeCacheBytes: bound });
    const unbounded = await Chain.create({ genesis });
    expect(unbounded.heldInMemory.nodeCacheBytes, "the default holds every genesis node").to.be.above(bound);
    expect(unbounded.heldInMemory.nodeCacheBytes).to.be.at.most(DEFAULT_NODE_CACHE_BYTES);
    expect(bounded.heldInMemory.nodeCacheBytes, "bytes held with nodeCacheBytes 64 KiB").to.be.at.most(bound);
    expect(bounded.head.hash()).to.deep.equal(unbounded.head.hash());
  });
});
