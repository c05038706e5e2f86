import { type BatchDBOp, type DB, type EncodingOpts, KECCAK256_RLP, bytesToUnprefixedHex } from "@ethereumjs/util";

import { type StoredValue, keyOf } from "../../precompiles";
import { EXECUTION_SLICE_MS } from "./executionYield";

/**
 * Entries the chain's node cache keeps: a block's execution, its witness capture and the next
 * block's read the same few thousand paths. Full of account-trie nodes (356 B on average) it
 * holds about 57 MiB (`scripts/node-cache-cost.ts`: 595 B per entry after GC).
 */
export const DEFAULT_NODE_CACHE_ENTRIES = 100_000;
/**
 * Bytes the node cache keeps (keys, values and NODE_CACHE_ENTRY_OVERHEAD_BYTES each): the bound
 * that holds whatever the values are. Code is cached under its hash too, up to 24 KiB a contract:
 * by entries alone, 100,000 of those would be 2.4 GB. 64 MiB is what the entry bound costs with
 * trie nodes, so for them the entry bound still binds first. On a state of 20,000 accounts paid in a
 * scattered order it keeps 99 % of the reads off LevelDB, 16 MiB 82 % (docs/design/memory-bounds.md,
 * round 31); a node whose state is small fills it with superseded nodes and can set less.
 */
export const DEFAULT_NODE_CACHE_BYTES = 64 * 1024 * 1024;
/**
 * What an entry costs besides its key's and value's bytes: the Map entry, the key string's and
 * the Uint8Array's and ArrayBuffer's objects (measured: 595 B per entry for 356 B nodes and
 * 64-character keys, scripts/node-cache-cost.ts).
 */
export const NODE_CACHE_ENTRY_OVERHEAD_BYTES = 176;

/**
 * The key of the empty trie's root node, which no trie stores (an empty trie has no node): every
 * account without storage, and every new account, has a storage trie at this root, and a read of it
 * asked LevelDB each time (56 misses a block of 60 transfers, ~1 per transaction: 4 % of the
 * sequencer's CPU at load 18 and a thread-pool round trip each).
 */
const EMPTY_TRIE_ROOT_KEY = bytesToUnprefixedHex(KECCAK256_RLP);

/**
 * A read-through, write-through cache over the chain's trie database, bounded by entry count and
 * by bytes (least recently used first out).
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
  private bytes = 0;
  private hitCount = 0;
  private missCount = 0;
  /** Entries dropped to keep within a bound (a delete is not counted): above 0, the cache has been full. */
  private evictionCount = 0;
  /**
   * Writes held back since `holdWrites()`, the last per key, in the order first written: reads
   * answer them (before the cache, whose bound could drop them), the database has not seen them.
   */
  private held: Map<string, BatchDBOp<string, StoredValue>> | undefined;
  /** The database was asked for the empty trie's root and had nothing: asked once, not per read. */
  private emptyRootAbsent = false;
  /** The values read since `recordReads()` (undefined: the empty root, absent), by key; not the held writes. */
  private recorded: Map<string, StoredValue | undefined> | undefined;
  /** When a read or held write last let the event loop take a turn (performance.now()). */
  private lastTurn = performance.now();

  constructor(
    private readonly inner: DB<string, StoredValue>,
    private readonly maxEntries: number = DEFAULT_NODE_CACHE_ENTRIES,
    private readonly maxBytes: number = DEFAULT_NODE_CACHE_BYTES,
  ) {}

  /** The bytes held as the bound counts them (keys, values, the per-entry overhead). */
  get heldBytes(): number {
    return this.bytes;
  }

  /**
   * Entries dropped to keep within the bounds since the cache was made: 0 while it is filling, so
   * a memory figure taken after the first eviction no longer contains the cache's warm-up.
   */
  get evictions(): number {
    return this.evictionCount;
  }

  /** Reads answered from the cache and reads passed to the database, since the cache was made (the bound's worth, measured). */
  get reads(): { readonly hits: number; readonly misses: number } {
    return { hits: this.hitCount, misses: this.missCount };
  }

  /**
   * Holds every write back until `releaseWrites()`. A block's build writes each touched account's
   * trie path in a batch of its own (the state manager flushes its caches account by account): ~70
   * LevelDB writes, each a round trip through libuv's thread pool, for a block of 60 transfers.
   * Held, they are one write per block. Safe for the same reason as the cache: every key is
   * content-addressed, so a held node read back is the node, and a node nothing refers to yet
   * (the head moves after the release) is harmless wherever a crash leaves it.
   */
  holdWrites(): void {
    this.held ??= new Map();
  }

  /** Writes what was held since `holdWrites()` in one batch, and writes through again. */
  async releaseWrites(): Promise<void> {
    const held = this.held;
    this.held = undefined;
    if (held !== undefined && held.size > 0) await this.inner.batch([...held.values()]);
  }

  /**
   * Remembers every value read from here on (not the held writes: what was stored before), until
   * `takeReads()`. A block's build reads the parent-state nodes its witness capture will read
   * again: shipped with the block, they spare the capture thread most of its questions.
   */
  recordReads(): void {
    this.recorded = new Map();
  }

  /** The reads since `recordReads()`, by key (undefined: absent), and stops recording. */
  takeReads(): Map<string, StoredValue | undefined> {
    const recorded = this.recorded ?? new Map<string, StoredValue | undefined>();
    this.recorded = undefined;
    return recorded;
  }

  async get(key: string, opts?: EncodingOpts): Promise<StoredValue | undefined> {
    const hexKey = keyOf(key);
    await this.turn();
    const held = this.held?.get(hexKey);
    if (held !== undefined) return held.type === "put" ? held.value : undefined;
    const cached = this.entries.get(hexKey);
    if (cached !== undefined) {
      this.hitCount++;
      // Most recently used last: eviction takes the first.
      this.entries.delete(hexKey);
      this.entries.set(hexKey, cached);
      this.recorded?.set(hexKey, cached);
      return cached;
    }
    // Absent until written through this cache (remember() clears the flag).
    if (hexKey === EMPTY_TRIE_ROOT_KEY && this.emptyRootAbsent) {
      this.hitCount++;
      this.recorded?.set(hexKey, undefined);
      return undefined;
    }
    this.missCount++;
    const value = await this.inner.get(key, opts);
    if (value !== undefined) this.remember(hexKey, value);
    else if (hexKey === EMPTY_TRIE_ROOT_KEY) this.emptyRootAbsent = true;
    // An absence is recorded for the empty root alone: another absent key could be one the build
    // writes later (held), which a read then answers.
    if (value !== undefined || hexKey === EMPTY_TRIE_ROOT_KEY) this.recorded?.set(hexKey, value);
    return value;
  }

  async put(key: string, value: StoredValue, opts?: EncodingOpts): Promise<void> {
    if (this.held !== undefined) return this.batch([{ type: "put", key, value }]);
    await this.inner.put(key, value, opts);
    this.remember(keyOf(key), value);
  }

  async del(key: string, opts?: EncodingOpts): Promise<void> {
    if (this.held !== undefined) return this.batch([{ type: "del", key }]);
    this.forget(keyOf(key));
    await this.inner.del(key, opts);
  }

  async batch(ops: BatchDBOp<string, StoredValue>[]): Promise<void> {
    for (const op of ops) if (op.type === "del") this.forget(keyOf(op.key));
    const held = this.held;
    if (held !== undefined) {
      for (const op of ops) held.set(keyOf(op.key), op);
      await this.turn();
    } else {
      await this.inner.batch(ops);
    }
    for (const op of ops) if (op.type === "put") this.remember(keyOf(op.key), op.value);
  }

  shallowCopy(): DB<string, StoredValue> {
    return this;
  }

  async open(): Promise<void> {
    await this.inner.open();
  }

  /**
   * Lets the event loop take a turn once EXECUTION_SLICE_MS has passed since the last. A LevelDB
   * read or write did that by itself; answered from memory (a cache hit, a held write, the absent
   * empty root) nothing did, and a block's closing state-root flush ran in one piece: sockets
   * (admissions) waited for it, and bench:rollup's capacity row fell to a third
   * (docs/design/l2-throughput.md, stop 23). Safe where a database read already yielded.
   */
  private async turn(): Promise<void> {
    if (performance.now() - this.lastTurn < EXECUTION_SLICE_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.lastTurn = performance.now();
  }

  private remember(hexKey: string, value: StoredValue): void {
    if (hexKey === EMPTY_TRIE_ROOT_KEY) this.emptyRootAbsent = false;
    this.forget(hexKey);
    this.entries.set(hexKey, value);
    this.bytes += entryBytes(hexKey, value);
    while (this.entries.size > this.maxEntries || (this.bytes > this.maxBytes && this.entries.size > 1)) {
      this.forget(this.entries.keys().next().value as string);
      this.evictionCount++;
    }
  }

  private forget(hexKey: string): void {
    const value = this.entries.get(hexKey);
    if (value === undefined) return;
    this.entries.delete(hexKey);
    this.bytes -= entryBytes(hexKey, value);
  }
}

/** An entry's cost as the byte bound counts it (a hex string value counts its bytes). */
function entryBytes(hexKey: string, value: StoredValue): number {
  const valueLength = typeof value === "string" ? value.length / 2 : value.length;
  return hexKey.length + valueLength + NODE_CACHE_ENTRY_OVERHEAD_BYTES;
}
