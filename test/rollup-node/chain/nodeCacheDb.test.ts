import { type BatchDBOp, KECCAK256_RLP, MapDB, bytesToUnprefixedHex } from "@ethereumjs/util";
import { expect } from "chai";

import type { StoredValue } from "../../../precompiles";
import { Chain } from "../../../rollup-node/chain/chain";
import {
  DEFAULT_NODE_CACHE_BYTES,
  NODE_CACHE_ENTRY_OVERHEAD_BYTES,
  NodeCacheDB,
} from "../../../rollup-node/chain/nodeCacheDb";
import { transferChain } from "../../../tools/transferChain";

/** A MapDB that counts the reads and the writes (put, del, batch: one each) that reach it. */
class CountingDB extends MapDB<string, StoredValue> {
  reads = 0;
  writes = 0;

  override async get(key: string): Promise<StoredValue | undefined> {
    this.reads++;
    return super.get(key);
  }

  override async put(key: string, value: StoredValue): Promise<void> {
    this.writes++;
    return super.put(key, value);
  }

  override async del(key: string): Promise<void> {
    this.writes++;
    return super.del(key);
  }

  override async batch(ops: BatchDBOp<string, StoredValue>[]): Promise<void> {
    this.writes++;
    for (const op of ops) op.type === "put" ? await super.put(op.key, op.value) : await super.del(op.key);
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
    expect(cache.evictions, "filling: nothing dropped yet").to.equal(0);
    await cache.put("cc", bytes(3));
    // load:l2 reads the target after the first eviction: from then on the cache replaces, not adds.
    expect(cache.evictions, "full: one entry dropped for the third").to.equal(1);
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
    // 1 MiB holds 42 such entries (24 KiB + 3 B key + 176 B each): 58 of the 100 were dropped, and
    // reading c0 back (remembered again) dropped one more.
    expect(cache.evictions).to.equal(
      100 - Math.floor(maxBytes / (24 * 1024 + 3 + NODE_CACHE_ENTRY_OVERHEAD_BYTES)) + 1,
    );
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
    expect(cache.evictions, "a delete is not an eviction").to.equal(0);
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

  it("holds writes back until released, answering them meanwhile (even past its bound), then writes them in one batch", async () => {
    const inner = new CountingDB();
    await inner.put("dd", bytes(4));
    inner.writes = 0;
    const cache = new NodeCacheDB(inner, 1);
    cache.holdWrites();
    await cache.put("aa", bytes(1));
    await cache.batch([
      { type: "put", key: "bb", value: bytes(2) },
      { type: "put", key: "cc", value: bytes(3) },
    ]);
    await cache.del("dd");
    expect(inner.writes, "nothing reaches the database while held").to.equal(0);
    expect(await inner.get("aa")).to.equal(undefined);
    // The cache keeps one entry: the held writes are answered from the hold, not the cache.
    expect(await cache.get("aa")).to.deep.equal(bytes(1));
    expect(await cache.get("bb")).to.deep.equal(bytes(2));
    expect(await cache.get("dd"), "a held delete").to.equal(undefined);
    await cache.releaseWrites();
    expect(inner.writes, "one batch").to.equal(1);
    expect(await inner.get("aa")).to.deep.equal(bytes(1));
    expect(await inner.get("cc")).to.deep.equal(bytes(3));
    expect(await inner.get("dd")).to.equal(undefined);
    await cache.put("ee", bytes(5));
    expect(inner.writes, "written through again").to.equal(2);
  });

  it("a built block's state is in the chain's database before beforeStore runs (the record and head pointer follow it), in one write", async () => {
    const inner = new CountingDB();
    const { chain, txs } = await transferChain({ chainId: 31_337n, transfers: 60, db: inner });
    inner.writes = 0;
    let rootStoredFirst = false;
    let writesBeforeStore = 0;
    const mined = await chain.mineBlock(txs, {
      captureWitness: true,
      beforeStore: async (built) => {
        writesBeforeStore = inner.writes;
        rootStoredFirst = (await inner.get(bytesToUnprefixedHex(built.record.block.header.stateRoot))) !== undefined;
      },
    });
    expect(mined.record.block.transactions).to.have.length(60);
    expect(rootStoredFirst, "the new state root's node is in the database at beforeStore").to.equal(true);
    expect(writesBeforeStore, "the build's trie writes, in one batch").to.equal(1);
  });

  it("asks the database for the empty trie's root once (every storage-less account's storage trie starts there), and answers it again once written", async () => {
    const inner = new CountingDB();
    const cache = new NodeCacheDB(inner, 1);
    const emptyRoot = bytesToUnprefixedHex(KECCAK256_RLP);
    for (let i = 0; i < 5; i++) expect(await cache.get(emptyRoot)).to.equal(undefined);
    expect(inner.reads).to.equal(1);
    // Written through the cache, then pushed out of its one entry: read from the database again.
    await cache.put(emptyRoot, bytes(9));
    await cache.put("aa", bytes(1));
    expect(await cache.get(emptyRoot)).to.deep.equal(bytes(9));
    expect(inner.reads).to.equal(2);
  });

  it("a block of 60 transfers asks the database for no node the chain holds in its cache, the empty trie's root included", async () => {
    const inner = new CountingDB();
    const { chain, txs } = await transferChain({ chainId: 31_337n, transfers: 120, db: inner });
    await chain.mineBlock(txs.slice(0, 60), { captureWitness: true });
    inner.reads = 0;
    await chain.mineBlock(txs.slice(60), { captureWitness: true });
    expect(inner.reads).to.be.at.most(1);
  });
});
