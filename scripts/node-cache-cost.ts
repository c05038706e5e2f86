/**
 * What the chain's trie node cache (NodeCacheDB) costs in memory when full
 * (`node --expose-gc -r ts-node/register/transpile-only scripts/node-cache-cost.ts [entries] [accounts]`).
 *
 * It writes `accounts` accounts into a state trie over a NodeCacheDB of `entries` entries, as the
 * chain does (hashed keys, RLP accounts, each put's nodes written through the cache), then reads
 * them all back through the cache, and prints the JS heap and the off-heap (ArrayBuffer) bytes the
 * filled cache holds after a full GC, per entry. docs/design/memory-bounds.md quotes it.
 */
import { randomBytes } from "node:crypto";

import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { Account, MapDB, ValueEncoding } from "@ethereumjs/util";

import type { StoredValue } from "../precompiles";
import { NodeCacheDB } from "../rollup-node/chain/nodeCacheDb";

const ENTRIES = Number(process.argv[2] ?? 100_000);
const ACCOUNTS = Number(process.argv[3] ?? 60_000);

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) throw new Error("run with node --expose-gc");
  collect();
  collect();
}

async function main(): Promise<void> {
  const backing = new MapDB<string, StoredValue>();
  const trie = new MerklePatriciaTrie({ db: backing, useKeyHashing: true, valueEncoding: ValueEncoding.Bytes });
  for (let i = 0; i < ACCOUNTS; i++) {
    await trie.put(randomBytes(20), new Account(BigInt(i), 10n ** 18n * BigInt(i + 1)).serialize());
  }
  const keys = [...(backing as unknown as { _database: Map<string, StoredValue> })._database.keys()];
  gc();
  const before = process.memoryUsage();
  // LevelDB hands each read its own copy of the bytes: so does this stand-in, so the cache alone holds them.
  const copying = {
    get: async (key: string): Promise<StoredValue | undefined> => {
      const value = await backing.get(key);
      return typeof value === "string" ? value : value?.slice();
    },
  } as unknown as MapDB<string, StoredValue>;
  const cache = new NodeCacheDB(copying, ENTRIES);
  // Read every node through the cache: it keeps the newest ENTRIES (values as the backing store returns them).
  for (const key of keys) await cache.get(key);
  gc();
  const after = process.memoryUsage();
  const held = Math.min(ENTRIES, keys.length);
  const heap = after.heapUsed - before.heapUsed;
  const offHeap = after.arrayBuffers - before.arrayBuffers;
  const mib = (b: number): string => (b / 1024 / 1024).toFixed(1);
  const valueBytes = keys
    .slice(-held)
    .reduce(
      (sum, k) => sum + ((backing as unknown as { _database: Map<string, Uint8Array> })._database.get(k)?.length ?? 0),
      0,
    );
  console.log(`trie nodes written: ${keys.length}; cache holds ${held} (bound ${ENTRIES})`);
  console.log(
    `node bytes (the values themselves): ${mib(valueBytes)} MiB, ${(valueBytes / held).toFixed(0)} B per node`,
  );
  console.log(
    `cache cost after GC: JS heap +${mib(heap)} MiB, ArrayBuffers +${mib(offHeap)} MiB; ${((heap + offHeap) / held).toFixed(0)} B per entry; at ${ENTRIES} entries about ${mib(((heap + offHeap) / held) * ENTRIES)} MiB`,
  );
  if (cache === undefined) throw new Error("unreachable"); // keeps the cache alive until here
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
