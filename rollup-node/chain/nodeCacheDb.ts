import type { BatchDBOp, DB, EncodingOpts } from "@ethereumjs/util";

import { type StoredValue, keyOf } from "../../precompiles";

/**
 * Entries the chain's node cache keeps (about 30–60 MB of trie nodes): a block's execution, its
 * witness capture and the next block's read the same few thousand paths.
 */
export const DEFAULT_NODE_CACHE_ENTRIES = 100_000;

/**
 * A read-through, write-through cache over the chain's trie database, bounded by entry count
 * (least recently used first out).
 *
 * Why it is always right: every key the chain reads or writes through it is content-addressed,
 * a trie node under its hash or code under its hash, so a key never maps to other bytes; nodes
 * are never deleted (no pruning), and a delete drops the entry anyway. The records stored beside
 * the trie (keys with ':') are read and written by the stores directly, never through this.
 *
 * Why: without it the witness capture (an uncached re-execution, as the verifier runs) asks the
 * database for every node of every path it walks, each an asynchronous LevelDB read, and these
 * were more than half of a block's production time under load.
 */
export class NodeCacheDB implements DB<string, StoredValue> {
  private readonly entries = new Map<string, StoredValue>();

  constructor(
    private readonly inner: DB<string, StoredValue>,
    private readonly maxEntries: number = DEFAULT_NODE_CACHE_ENTRIES,
  ) {}

  async get(key: string, opts?: EncodingOpts): Promise<StoredValue | undefined> {
    const hexKey = keyOf(key);
    const cached = this.entries.get(hexKey);
    if (cached !== undefined) {
      // Most recently used last: eviction takes the first.
      this.entries.delete(hexKey);
      this.entries.set(hexKey, cached);
      return cached;
    }
    const value = await this.inner.get(key, opts);
    if (value !== undefined) this.remember(hexKey, value);
    return value;
  }

  async put(key: string, value: StoredValue, opts?: EncodingOpts): Promise<void> {
    await this.inner.put(key, value, opts);
    this.remember(keyOf(key), value);
  }

  async del(key: string, opts?: EncodingOpts): Promise<void> {
    this.entries.delete(keyOf(key));
    await this.inner.del(key, opts);
  }

  async batch(ops: BatchDBOp<string, StoredValue>[]): Promise<void> {
    for (const op of ops) if (op.type === "del") this.entries.delete(keyOf(op.key));
    await this.inner.batch(ops);
    for (const op of ops) if (op.type === "put") this.remember(keyOf(op.key), op.value);
  }

  shallowCopy(): DB<string, StoredValue> {
    return this;
  }

  async open(): Promise<void> {
    await this.inner.open();
  }

  private remember(hexKey: string, value: StoredValue): void {
    this.entries.delete(hexKey);
    this.entries.set(hexKey, value);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }
}
