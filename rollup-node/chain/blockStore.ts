import type { Common } from "@ethereumjs/common";
import { bytesToHex, equalsBytes } from "@ethereumjs/util";

import type { BlockRecord, ChainReceipt, TxLocation } from "./types";

/**
 * Blocks the chain keeps in memory once a block archive holds them: the newest this many (the
 * head's neighbourhood: what block building, BLOCKHASH, witness capture, the sequencer's
 * rebase and the RPC's "latest" ask for). Older blocks are read back from the archive.
 * 64 covers BLOCKHASH's window only partly: older ancestors are read from the archive (rarely).
 */
export const DEFAULT_RECENT_BLOCKS = 64;
/** Older blocks read back from the archive that stay decoded (an explorer paging a block's receipts). */
export const DEFAULT_ARCHIVE_CACHE_BLOCKS = 16;

/**
 * Where a chain's mined blocks are kept durably (the L2 node's and the L1 devnet's LevelDB), read
 * back synchronously: the chain's block reads are synchronous, and a LevelDB point read of one
 * block record takes microseconds.
 *
 * Index entries (hash → number, transaction hash → location) may be stale after a rewind: the
 * store checks every answer against the block it names before using it.
 */
export interface BlockArchive {
  /**
   * The highest block number whose record is durably written (blocks at or below it may leave
   * memory). Lowered by `forgetAbove`, raised by the archive's own writes.
   */
  readonly archivedHead: bigint;
  /** Block `number` with its receipts, or undefined when not archived. */
  readBlock(number: bigint, common: Common): BlockRecord | undefined;
  /** The number of the block with this hash, if one was archived (possibly stale). */
  blockNumberOf(hash: Uint8Array): bigint | undefined;
  /** Where the transaction with this hash was archived (possibly stale). */
  txLocation(hash: Uint8Array): TxLocation | undefined;
  /** The chain dropped every block above `number`: records above it are stale until rewritten. */
  forgetAbove(number: bigint): void;
}

export interface BlockStoreOptions {
  /** Without one, every block stays in memory (a chain without a data directory: tests, in-memory devnets). */
  readonly archive?: BlockArchive;
  /** The Common archived blocks are decoded with. Required with `archive`. */
  readonly common?: Common;
  /** DEFAULT_RECENT_BLOCKS when absent; at least 1 (the head). */
  readonly recentBlocks?: number;
  /** DEFAULT_ARCHIVE_CACHE_BLOCKS when absent. */
  readonly archiveCacheBlocks?: number;
}

/**
 * Mined blocks, indexed by number, hash and transaction hash. The chain's state lives in the
 * (injectable) trie database; block history here: all of it in memory without an archive, only
 * the newest `recentBlocks` (and a few read-back ones) with one, which bounds a long-running
 * node's memory (docs/design/memory-bounds.md).
 */
export class BlockStore {
  /** In-memory blocks by number: every block without an archive, the newest ones with one. */
  private readonly recent = new Map<bigint, BlockRecord>();
  private readonly numberByHash = new Map<string, bigint>();
  private readonly txIndex = new Map<string, TxLocation>();
  /** Archived blocks read back, least recently used first. */
  private readonly readBack = new Map<bigint, BlockRecord>();
  private headRecord: BlockRecord | undefined;
  /**
   * The genesis block once it left `recent`: kept for good. It is never in an archive (the stores
   * write mined blocks only), so letting it go made block 0 unknown (eth_getBlockByNumber(0), the
   * parent of block 1) as soon as a chain was longer than `recentBlocks`. One block, bounded.
   */
  private genesisRecord: BlockRecord | undefined;
  private genesisHash: string | undefined;
  /** The lowest block number still in `recent`. */
  private oldestRecent = 0n;
  private readonly recentBlocks: number;
  private readonly archiveCacheBlocks: number;

  constructor(private readonly options: BlockStoreOptions = {}) {
    if (options.archive !== undefined && options.common === undefined)
      throw new Error("a block store with an archive needs the Common its blocks are decoded with");
    this.recentBlocks = Math.max(1, options.recentBlocks ?? DEFAULT_RECENT_BLOCKS);
    this.archiveCacheBlocks = Math.max(0, options.archiveCacheBlocks ?? DEFAULT_ARCHIVE_CACHE_BLOCKS);
  }

  get head(): BlockRecord {
    if (this.headRecord === undefined) throw new Error("block store is empty: the genesis block must be added first");
    return this.headRecord;
  }

  get headNumber(): bigint {
    return this.head.block.header.number;
  }

  /** Blocks held decoded in memory (the newest ones and the read-back cache): what the bound is about. */
  get blocksInMemory(): number {
    return this.recent.size + this.readBack.size;
  }

  /** Index entries held in memory (hashes and transaction hashes). */
  get indexEntriesInMemory(): number {
    return this.numberByHash.size + this.txIndex.size;
  }

  add(record: BlockRecord): void {
    const number = record.block.header.number;
    const expected = this.headRecord === undefined ? 0n : this.headNumber + 1n;
    if (number !== expected) throw new Error(`block ${number} does not extend head ${expected - 1n}`);
    this.recent.set(number, record);
    if (this.recent.size === 1) this.oldestRecent = number;
    this.headRecord = record;
    // A block re-added after a rewind replaces what was read back under its number.
    this.readBack.delete(number);
    this.numberByHash.set(bytesToHex(record.block.hash()), number);
    record.block.transactions.forEach((tx, index) =>
      this.txIndex.set(bytesToHex(tx.hash()), { blockNumber: number, index }),
    );
    this.evictArchived();
  }

  byNumberOrUndefined(number: bigint): BlockRecord | undefined {
    if (number < 0n || this.headRecord === undefined || number > this.headNumber) return undefined;
    const held = this.recent.get(number) ?? (number === 0n ? this.genesisRecord : undefined);
    if (held !== undefined) return held;
    const cached = this.readBack.get(number);
    if (cached !== undefined) {
      // Most recently used last: eviction takes the first.
      this.readBack.delete(number);
      this.readBack.set(number, cached);
      return cached;
    }
    const archive = this.options.archive;
    if (archive === undefined) return undefined;
    const record = archive.readBlock(number, this.options.common as Common);
    if (record === undefined) return undefined;
    if (this.archiveCacheBlocks > 0) {
      this.readBack.set(number, record);
      if (this.readBack.size > this.archiveCacheBlocks)
        this.readBack.delete(this.readBack.keys().next().value as bigint);
    }
    return record;
  }

  byHash(hash: Uint8Array): BlockRecord | undefined {
    const key = bytesToHex(hash);
    if (key === this.genesisHash) return this.genesisRecord;
    const number = this.numberByHash.get(key) ?? this.options.archive?.blockNumberOf(hash);
    if (number === undefined) return undefined;
    const record = this.byNumberOrUndefined(number);
    // An archived index entry may name a block a rewind replaced.
    return record !== undefined && equalsBytes(record.block.hash(), hash) ? record : undefined;
  }

  locateTx(hash: Uint8Array): TxLocation | undefined {
    const held = this.txIndex.get(bytesToHex(hash));
    if (held !== undefined) return held;
    const location = this.options.archive?.txLocation(hash);
    if (location === undefined) return undefined;
    const tx = this.byNumberOrUndefined(location.blockNumber)?.block.transactions[location.index];
    return tx !== undefined && equalsBytes(tx.hash(), hash) ? location : undefined;
  }

  receipt(hash: Uint8Array): ChainReceipt | undefined {
    const location = this.locateTx(hash);
    return location === undefined
      ? undefined
      : this.byNumberOrUndefined(location.blockNumber)?.receipts[location.index];
  }

  /** Drops every block above `number` (snapshot revert, rewind) and returns them, head last. */
  truncate(number: bigint): BlockRecord[] {
    const dropped: BlockRecord[] = [];
    for (let n = number + 1n; n <= this.headNumber; n++) {
      const record = this.byNumberOrUndefined(n);
      if (record !== undefined) dropped.push(record);
    }
    const newHead = this.byNumberOrUndefined(number);
    if (newHead === undefined) throw new Error(`block ${number} is not in this store`);
    for (const record of dropped) {
      const n = record.block.header.number;
      this.recent.delete(n);
      this.readBack.delete(n);
      this.numberByHash.delete(bytesToHex(record.block.hash()));
      for (const tx of record.block.transactions) this.txIndex.delete(bytesToHex(tx.hash()));
    }
    this.options.archive?.forgetAbove(number);
    this.headRecord = newHead;
    // The new head is always held (it may have been read back from the archive).
    if (!this.recent.has(number)) {
      this.recent.set(number, newHead);
      this.readBack.delete(number);
      this.oldestRecent = number;
    }
    return dropped;
  }

  /** Lets the oldest in-memory blocks go once there are more than `recentBlocks` and the archive holds them. */
  private evictArchived(): void {
    const archive = this.options.archive;
    if (archive === undefined) return;
    while (this.recent.size > this.recentBlocks && this.oldestRecent <= archive.archivedHead) {
      const record = this.recent.get(this.oldestRecent);
      this.recent.delete(this.oldestRecent);
      if (this.oldestRecent === 0n && record !== undefined) {
        // Out of the newest blocks, but held: only its place in `recent` is given up.
        this.genesisRecord = record;
        this.genesisHash = bytesToHex(record.block.hash());
        this.numberByHash.delete(this.genesisHash);
        this.oldestRecent++;
        continue;
      }
      this.oldestRecent++;
      if (record === undefined) continue;
      this.numberByHash.delete(bytesToHex(record.block.hash()));
      for (const tx of record.block.transactions) this.txIndex.delete(bytesToHex(tx.hash()));
    }
  }
}
