import { bytesToHex } from "@ethereumjs/util";

import type { BlockRecord, ChainReceipt, TxLocation } from "./types";

/**
 * Mined blocks, indexed by number, hash and transaction hash. In memory: the chain's state
 * lives in the (injectable) trie database, block history here.
 */
export class BlockStore {
  private readonly byNumber: BlockRecord[] = [];
  private readonly numberByHash = new Map<string, bigint>();
  private readonly txIndex = new Map<string, TxLocation>();

  get head(): BlockRecord {
    const head = this.byNumber[this.byNumber.length - 1];
    if (head === undefined) throw new Error("block store is empty: the genesis block must be added first");
    return head;
  }

  get headNumber(): bigint {
    return BigInt(this.byNumber.length - 1);
  }

  add(record: BlockRecord): void {
    const number = record.block.header.number;
    if (number !== BigInt(this.byNumber.length))
      throw new Error(`block ${number} does not extend head ${this.byNumber.length - 1}`);
    this.byNumber.push(record);
    this.numberByHash.set(bytesToHex(record.block.hash()), number);
    record.block.transactions.forEach((tx, index) =>
      this.txIndex.set(bytesToHex(tx.hash()), { blockNumber: number, index }),
    );
  }

  byNumberOrUndefined(number: bigint): BlockRecord | undefined {
    return number < 0n ? undefined : this.byNumber[Number(number)];
  }

  byHash(hash: Uint8Array): BlockRecord | undefined {
    const number = this.numberByHash.get(bytesToHex(hash));
    return number === undefined ? undefined : this.byNumber[Number(number)];
  }

  locateTx(hash: Uint8Array): TxLocation | undefined {
    return this.txIndex.get(bytesToHex(hash));
  }

  receipt(hash: Uint8Array): ChainReceipt | undefined {
    const location = this.locateTx(hash);
    return location === undefined ? undefined : this.byNumber[Number(location.blockNumber)]?.receipts[location.index];
  }

  /** Drops every block above `number` (snapshot revert). */
  truncate(number: bigint): BlockRecord[] {
    const dropped = this.byNumber.splice(Number(number) + 1);
    for (const record of dropped) {
      this.numberByHash.delete(bytesToHex(record.block.hash()));
      for (const tx of record.block.transactions) this.txIndex.delete(bytesToHex(tx.hash()));
    }
    return dropped;
  }
}
