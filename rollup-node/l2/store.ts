import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";

import type { Common } from "@ethereumjs/common";
import { type TypedTransaction, createTxFromRLP } from "@ethereumjs/tx";
import { RLP } from "@ethereumjs/rlp";
import {
  type BatchDBOp,
  bigIntToBytes,
  bigIntToUnpaddedBytes,
  bytesToBigInt,
  bytesToHex,
  equalsBytes,
} from "@ethereumjs/util";

import type { StoredValue } from "../../precompiles";
import type { BlockArchive } from "../chain/blockStore";
import type { BlockRecord, TxLocation } from "../chain/types";
import { LevelDB } from "../storage/levelDb";
import { DataDirError } from "./errors";
import { type AnchorMeta, type StoredBlock, decodeStoredBlock, encodeStoredBlock } from "./recordCodec";

/**
 * Persistence layout of an L2 node's data directory: one LevelDB at `<dataDir>/chaindata`.
 *
 * - state trie nodes and code: the chain's own keys (unprefixed hex; code is "63" + hash);
 * - `l2:genesis` → genesis block hash (a directory never serves another chain);
 * - `l2:head` → number of the last stored block (big-endian);
 * - `l2:block:<number as 16 hex digits>` → RLP [block, receipts, consumedMessages, firstMessageNonce];
 * - `l2:witness:<number as 16 hex digits>` → RLP [state, codes, headers] as EXECUTE takes it;
 * - `l2:pool:<tx hash>` → the raw transaction, for every accepted, not yet mined one;
 * - `l2:hash:<block hash>` → the block's number, `l2:tx:<tx hash>` → RLP [block number, index]:
 *   the chain's lookups by hash for blocks no longer in memory (chain/blockStore.ts). A rewind
 *   leaves them stale; the block store checks each against the block it names.
 *
 * Every record key contains ':' and trie keys are hex, so the two never collide. A block, its
 * witness, the head pointer and the removal of its transactions from the pool are one atomic
 * batch, written after the block's state nodes: after a kill the directory holds either the
 * whole block (and its state) or nothing of it.
 */
const GENESIS_KEY = "l2:genesis";
const HEAD_KEY = "l2:head";
const BLOCK_PREFIX = "l2:block:";
const WITNESS_PREFIX = "l2:witness:";
const POOL_PREFIX = "l2:pool:";
const HASH_PREFIX = "l2:hash:";
const TX_PREFIX = "l2:tx:";

const numberKey = (prefix: string, number: bigint): string => `${prefix}${number.toString(16).padStart(16, "0")}`;

export interface BlockCommit {
  readonly stored: StoredBlock;
  readonly encodedWitness: Uint8Array;
  /** Pool entries the block settles (mined or invalid). */
  readonly removedFromPool: readonly Uint8Array[];
  /** More records written in the same batch (a follower's L1 origin of the block). */
  readonly extraOps?: readonly BatchDBOp<string, StoredValue>[];
}

/** A node's `storage` section (the sequencer's and the follower's, docs/design/node-config.md): where its chain lives. */
export interface NodeStorageConfig {
  readonly dataDir: string;
  /** Start from genesis instead of resuming the chain in `dataDir`. */
  readonly reset?: boolean;
}

/**
 * The index that finds an archived block by its hash and its transactions by theirs: entries under
 * `prefixes` written beside each block record, read back synchronously. One definition for the L2
 * node's store and the devnet L1's (l1Store.ts), which differ only in their prefixes.
 */
export class BlockIndex {
  constructor(
    private readonly db: LevelDB,
    private readonly prefixes: { readonly hash: string; readonly tx: string },
  ) {}

  /** The entries to write in the same batch as `record`. */
  ops(record: BlockRecord): BatchDBOp<string, StoredValue>[] {
    const numberBytes = bigIntToUnpaddedBytes(record.block.header.number);
    return [
      { type: "put", key: this.prefixes.hash + bytesToHex(record.block.hash()), value: numberBytes },
      ...record.block.transactions.map(
        (tx, index): BatchDBOp<string, StoredValue> => ({
          type: "put",
          key: this.prefixes.tx + bytesToHex(tx.hash()),
          value: RLP.encode([numberBytes, bigIntToUnpaddedBytes(BigInt(index))]),
        }),
      ),
    ];
  }

  blockNumberOf(hash: Uint8Array): bigint | undefined {
    const bytes = this.db.getSync(this.prefixes.hash + bytesToHex(hash));
    return bytes === undefined ? undefined : bytesToBigInt(bytes);
  }

  txLocation(hash: Uint8Array): TxLocation | undefined {
    const bytes = this.db.getSync(this.prefixes.tx + bytesToHex(hash));
    if (bytes === undefined) return undefined;
    const [number, index] = RLP.decode(bytes) as Uint8Array[];
    return { blockNumber: bytesToBigInt(number as Uint8Array), index: Number(bytesToBigInt(index as Uint8Array)) };
  }
}

/**
 * Whether opening the database failed because another process holds its lock. classic-level
 * reports only "Database failed to open" and puts the LOCK error in its `cause` (code
 * LEVEL_LOCKED), so the whole chain of causes is read.
 */
function heldByAnother(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if ((e as { code?: unknown }).code === "LEVEL_LOCKED" || /lock/i.test(e.message)) return true;
  }
  return false;
}

/**
 * The L2 node's durable records next to the state trie; also the chain's block archive (blocks
 * no longer held in memory are read back from here).
 */
export class L2Store implements BlockArchive {
  /** The highest block whose record is written (see BlockArchive). */
  private archived = 0n;

  private readonly index: BlockIndex;

  private constructor(
    readonly db: LevelDB,
    /** The data directory the chain lives in, named when it holds another chain. */
    private readonly dataDir: string,
  ) {
    this.index = new BlockIndex(db, { hash: HASH_PREFIX, tx: TX_PREFIX });
  }

  get archivedHead(): bigint {
    return this.archived;
  }

  readBlock(number: bigint, common: Common): BlockRecord | undefined {
    const bytes = this.db.getSync(numberKey(BLOCK_PREFIX, number));
    return bytes === undefined ? undefined : decodeStoredBlock(bytes, common).record;
  }

  blockNumberOf(hash: Uint8Array): bigint | undefined {
    return this.index.blockNumberOf(hash);
  }

  txLocation(hash: Uint8Array): TxLocation | undefined {
    return this.index.txLocation(hash);
  }

  forgetAbove(number: bigint): void {
    if (number < this.archived) this.archived = number;
  }

  /** The anchor stored with block `number` (its consumed messages), read without decoding the block. */
  anchorSync(number: bigint): AnchorMeta | undefined {
    const bytes = this.db.getSync(numberKey(BLOCK_PREFIX, number));
    if (bytes === undefined) return undefined;
    const [, , consumed, first] = RLP.decode(bytes) as Uint8Array[];
    return {
      consumedMessages: Number(bytesToBigInt(consumed as Uint8Array)),
      firstMessageNonce: bytesToBigInt(first as Uint8Array),
    };
  }

  /** Opens (creating) `<dataDir>/chaindata`; `reset` wipes it first. */
  static async open(dataDir: string, options: { reset?: boolean } = {}): Promise<L2Store> {
    const directory = path.join(dataDir, "chaindata");
    try {
      if (options.reset === true) rmSync(directory, { recursive: true, force: true });
      mkdirSync(dataDir, { recursive: true });
      const store = new L2Store(await LevelDB.open(directory), dataDir);
      store.archived = await store.headNumber();
      return store;
    } catch (error) {
      const locked = heldByAnother(error);
      throw new DataDirError(
        `cannot open the L2 data directory ${directory}: ${(error as Error).message}`,
        locked
          ? "another L2 node is using this data directory: stop it or pick another --data-dir"
          : "check the path and its permissions",
      );
    }
  }

  /** Records the genesis hash on first use; afterwards refuses a different one. */
  async checkGenesis(hash: Uint8Array): Promise<void> {
    const stored = await this.db.get(GENESIS_KEY);
    if (stored === undefined) {
      await this.db.put(GENESIS_KEY, hash);
      return;
    }
    if (!equalsBytes(stored, hash)) {
      throw new DataDirError(
        `the data directory ${this.dataDir} holds the chain with genesis ${bytesToHex(stored)}, not ${bytesToHex(hash)}`,
        // Two deployment records in one folder share their default `l2/`: a directory of its own
        // keeps the other rollup's chain, where --reset would delete it.
        "another rollup's chain lives there (the default is l2/ beside the deployment record): give this one its own --data-dir, or use the genesis the directory was created with; --reset deletes that chain and starts this one",
      );
    }
  }

  /** The last stored block number (0 when only genesis exists). */
  async headNumber(): Promise<bigint> {
    const head = await this.db.get(HEAD_KEY);
    return head === undefined ? 0n : bytesToBigInt(head);
  }

  /**
   * Blocks 1..head in order, each read and decoded when the consumer asks for it: a resume hands
   * them to the chain, which keeps only the newest, so a long history is never in memory at once.
   */
  async *blocks(common: Common): AsyncGenerator<StoredBlock> {
    const head = await this.headNumber();
    for (let n = 1n; n <= head; n++) {
      const bytes = await this.db.get(numberKey(BLOCK_PREFIX, n));
      if (bytes === undefined)
        throw new DataDirError(
          `block ${n} is missing below the stored head ${head}`,
          "the data directory is damaged: reset it",
        );
      let block: StoredBlock;
      try {
        block = decodeStoredBlock(bytes, common);
      } catch (error) {
        // A damaged record (a disk error, a hand edit: LevelDB's batches do not tear on kill -9).
        throw new DataDirError(
          `block ${n}'s stored record cannot be decoded (${(error as Error).message})`,
          "the data directory is damaged: reset it",
        );
      }
      yield block;
    }
  }

  async witness(number: bigint): Promise<Uint8Array | undefined> {
    return this.db.get(numberKey(WITNESS_PREFIX, number));
  }

  /** Writes a block, its witness and the new head atomically; the block's state must already be written. */
  async commitBlock(commit: BlockCommit): Promise<void> {
    const number = commit.stored.record.block.header.number;
    const ops: BatchDBOp<string, StoredValue>[] = [
      { type: "put", key: numberKey(BLOCK_PREFIX, number), value: encodeStoredBlock(commit.stored) },
      { type: "put", key: numberKey(WITNESS_PREFIX, number), value: commit.encodedWitness },
      { type: "put", key: HEAD_KEY, value: bigIntToBytes(number) },
      ...this.index.ops(commit.stored.record),
      ...commit.removedFromPool.map(
        (hash): BatchDBOp<string, StoredValue> => ({ type: "del", key: POOL_PREFIX + bytesToHex(hash) }),
      ),
      ...(commit.extraOps ?? []),
    ];
    await this.db.batch(ops);
    this.archived = number;
  }

  /**
   * Drops every block above `number` (a follower undoing blocks an L1 reorganisation or a
   * challenge removed): their records and the head pointer change in one batch with `extraOps`.
   * Their state nodes stay (the trie is append-only and the parent's root is still complete).
   */
  async truncate(number: bigint, extraOps: readonly BatchDBOp<string, StoredValue>[] = []): Promise<void> {
    const head = await this.headNumber();
    const ops: BatchDBOp<string, StoredValue>[] = [];
    for (let n = number + 1n; n <= head; n++)
      ops.push({ type: "del", key: numberKey(BLOCK_PREFIX, n) }, { type: "del", key: numberKey(WITNESS_PREFIX, n) });
    ops.push({ type: "put", key: HEAD_KEY, value: bigIntToBytes(number) }, ...extraOps);
    this.forgetAbove(number);
    await this.db.batch(ops);
  }

  /** Persists an accepted transaction (and forgets the one it replaces) before it is acknowledged. */
  async poolPut(tx: TypedTransaction, replaced: TypedTransaction | undefined): Promise<void> {
    await this.poolPutMany([{ tx, replaced }]);
  }

  /** Journals admitted transactions (dropping the ones they replaced) in one atomic batch, in order. */
  async poolPutMany(
    entries: readonly { readonly tx: TypedTransaction; readonly replaced: TypedTransaction | undefined }[],
  ): Promise<void> {
    const ops: BatchDBOp<string, StoredValue>[] = [];
    for (const { tx, replaced } of entries) {
      ops.push({ type: "put", key: POOL_PREFIX + bytesToHex(tx.hash()), value: tx.serialize() });
      if (replaced !== undefined) ops.push({ type: "del", key: POOL_PREFIX + bytesToHex(replaced.hash()) });
    }
    await this.db.batch(ops);
  }

  /** Batch operations journaling `txs` in the pool (to write with another batch, e.g. a rebase's truncation). */
  poolPutOps(txs: readonly TypedTransaction[]): BatchDBOp<string, StoredValue>[] {
    return txs.map((tx) => ({ type: "put" as const, key: POOL_PREFIX + bytesToHex(tx.hash()), value: tx.serialize() }));
  }

  async poolDelete(hashes: readonly Uint8Array[]): Promise<void> {
    if (hashes.length > 0)
      await this.db.batch(hashes.map((hash) => ({ type: "del" as const, key: POOL_PREFIX + bytesToHex(hash) })));
  }

  /** The persisted pool; entries that no longer decode are dropped (and reported by hash). */
  async pooled(common: Common): Promise<{ txs: TypedTransaction[]; undecodable: string[] }> {
    const txs: TypedTransaction[] = [];
    const undecodable: string[] = [];
    for (const [key, raw] of await this.db.entries(POOL_PREFIX)) {
      try {
        txs.push(createTxFromRLP(raw, { common }));
      } catch {
        undecodable.push(key.slice(POOL_PREFIX.length));
      }
    }
    return { txs, undecodable };
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

/**
 * The records of `stored` in order, as a chain's history; `onBlock` sees each stored block (its
 * anchor) as it passes, so that a resume keeps what it needs of them without holding them all.
 */
export async function* historyOf(
  stored: AsyncIterable<StoredBlock>,
  onBlock: (block: StoredBlock) => void,
): AsyncGenerator<BlockRecord> {
  for await (const block of stored) {
    onBlock(block);
    yield block.record;
  }
}
