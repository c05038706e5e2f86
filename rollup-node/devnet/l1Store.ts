import { mkdirSync, rmSync } from "node:fs";

import type { Common } from "@ethereumjs/common";
import { bigIntToBytes, bytesToBigInt } from "@ethereumjs/util";

import type { BlockArchive } from "../chain/blockStore";
import { ChainConfigError } from "../chain/errors";
import type { BlockRecord, TxLocation } from "../chain/types";
import { decodeStoredBlock, encodeStoredBlock } from "../l2/recordCodec";
import { BlockIndex } from "../l2/store";
import { LevelDB } from "../storage/levelDb";

/**
 * The L1 devnet's chain on disk, so a devnet run can be resumed: one LevelDB holding the state
 * trie (the chain's own keys) and, under `l1:` keys, the genesis timestamp, the head number and
 * each block with its receipts, and the index entries (`l1:hash:`, `l1:tx:`) that find a block or
 * a transaction by hash. A block's record is written after its state, so after a kill the
 * directory holds whole blocks only. It is also the chain's block archive: the devnet's chain
 * keeps only its newest blocks in memory and reads older ones (with their calldata) from here. Dev-only edits without a block (hardhat_setBalance,
 * evm_snapshot/evm_revert) are not recorded.
 */
const GENESIS_TIMESTAMP_KEY = "l1:genesis-timestamp";
const HEAD_KEY = "l1:head";
const blockKey = (n: bigint): string => `l1:block:${n.toString(16).padStart(16, "0")}`;
const NO_ANCHOR = { consumedMessages: 0, firstMessageNonce: 0n };
const INDEX_PREFIXES = { hash: "l1:hash:", tx: "l1:tx:" };

/**
 * A stored block's record, or the refusal a damaged one gets (bytes cut short or rewritten: a disk
 * error or a hand edit; LevelDB's batches do not tear on kill -9) in place of the decoder's bare error.
 */
function decodeRecord(bytes: Uint8Array, common: Common, number: bigint): ReturnType<typeof decodeStoredBlock> {
  try {
    return decodeStoredBlock(bytes, common);
  } catch (error) {
    throw new ChainConfigError(
      `L1 block ${number}'s stored record cannot be decoded (${(error as Error).message})`,
      "the data directory is damaged: start again with --reset",
    );
  }
}

export class L1Store implements BlockArchive {
  /** The highest block whose record is written (see BlockArchive). */
  private archived = 0n;
  private readonly index: BlockIndex;

  private constructor(readonly db: LevelDB) {
    this.index = new BlockIndex(db, INDEX_PREFIXES);
  }

  get archivedHead(): bigint {
    return this.archived;
  }

  readBlock(number: bigint, common: Common): BlockRecord | undefined {
    const bytes = this.db.getSync(blockKey(number));
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

  /** Opens (creating) the store in `directory`; `reset` wipes it first. */
  static async open(directory: string, options: { reset?: boolean } = {}): Promise<L1Store> {
    if (options.reset === true) rmSync(directory, { recursive: true, force: true });
    mkdirSync(directory, { recursive: true });
    let store: L1Store;
    try {
      store = new L1Store(await LevelDB.open(directory));
    } catch (error) {
      throw new ChainConfigError(
        `cannot open the L1 data directory ${directory}: ${(error as Error).message}`,
        "another devnet may be using it: stop it, or pass another --data-dir",
      );
    }
    const head = await store.db.get(HEAD_KEY);
    store.archived = head === undefined ? 0n : bytesToBigInt(head);
    return store;
  }

  /** The genesis timestamp of the stored chain (undefined for a new store). */
  async genesisTimestamp(): Promise<bigint | undefined> {
    const stored = await this.db.get(GENESIS_TIMESTAMP_KEY);
    return stored === undefined ? undefined : bytesToBigInt(stored);
  }

  async setGenesisTimestamp(timestamp: bigint): Promise<void> {
    await this.db.put(GENESIS_TIMESTAMP_KEY, bigIntToBytes(timestamp));
  }

  /**
   * Blocks 1..head in order, each read and decoded when the consumer asks for it: a resume hands
   * them to the chain, which keeps only the newest, so a long history is never in memory at once
   * (all of it decoded into one array was the whole history's calldata and receipts at every start).
   */
  async *blocks(common: Common): AsyncGenerator<BlockRecord> {
    const head = await this.db.get(HEAD_KEY);
    const count = head === undefined ? 0n : bytesToBigInt(head);
    for (let n = 1n; n <= count; n++) {
      const bytes = await this.db.get(blockKey(n));
      if (bytes === undefined)
        throw new ChainConfigError(
          `L1 block ${n} is missing below the stored head ${count}`,
          "the data directory is damaged: start again with --reset",
        );
      yield decodeRecord(bytes, common, n).record;
    }
  }

  /** Records a mined block and makes it the head, atomically. */
  async append(record: BlockRecord): Promise<void> {
    const number = record.block.header.number;
    await this.db.batch([
      { type: "put", key: blockKey(number), value: encodeStoredBlock({ record, anchor: NO_ANCHOR }) },
      { type: "put", key: HEAD_KEY, value: bigIntToBytes(number) },
      ...this.index.ops(record),
    ]);
    this.archived = number;
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
