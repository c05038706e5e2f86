import { type Block, createBlockFromRLP } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import { RLP } from "@ethereumjs/rlp";
import { bigIntToUnpaddedBytes, bytesToBigInt, bytesToUtf8, utf8ToBytes } from "@ethereumjs/util";

import type { BlockRecord, ChainLog, ChainReceipt } from "../chain/types";
import { DataDirError } from "./errors";

/** What the sequencer stores with each block besides the block itself: its L1 anchor. */
export interface AnchorMeta {
  readonly consumedMessages: number;
  readonly firstMessageNonce: bigint;
}

/** A block as stored: the block, its receipts and its anchor. */
export interface StoredBlock {
  readonly record: BlockRecord;
  readonly anchor: AnchorMeta;
}

const EMPTY = new Uint8Array();

const uint = (value: bigint | number): Uint8Array => bigIntToUnpaddedBytes(BigInt(value));

// Receipt fields derivable from the block (hash, index, number, block hash, type) are not stored.
function encodeReceipt(receipt: ChainReceipt): Uint8Array[] | Uint8Array[][] {
  return [
    receipt.from,
    receipt.to ?? EMPTY,
    uint(receipt.status),
    uint(receipt.cumulativeGasUsed),
    uint(receipt.gasUsed),
    uint(receipt.effectiveGasPrice),
    receipt.contractAddress ?? EMPTY,
    receipt.logs.map((log) => [log.address, [...log.topics], log.data]) as never,
    receipt.logsBloom,
    receipt.revertData,
    receipt.error === undefined ? EMPTY : utf8ToBytes(receipt.error),
  ];
}

function decodeReceipt(fields: unknown, block: Block, index: number): ChainReceipt {
  const [from, to, status, cumulative, gasUsed, price, contract, logs, bloom, revertData, error] =
    fields as Uint8Array[];
  const tx = block.transactions[index];
  if (tx === undefined)
    throw new DataDirError(
      `stored block ${block.header.number} has more receipts than transactions`,
      "reset the data directory",
    );
  return {
    transactionHash: tx.hash(),
    transactionIndex: index,
    blockNumber: block.header.number,
    blockHash: block.hash(),
    from: from as Uint8Array,
    to: (to as Uint8Array).length === 0 ? undefined : to,
    type: tx.type,
    status: bytesToBigInt(status as Uint8Array) === 1n ? 1 : 0,
    cumulativeGasUsed: bytesToBigInt(cumulative as Uint8Array),
    gasUsed: bytesToBigInt(gasUsed as Uint8Array),
    effectiveGasPrice: bytesToBigInt(price as Uint8Array),
    contractAddress: (contract as Uint8Array).length === 0 ? undefined : contract,
    logs: (logs as unknown as [Uint8Array, Uint8Array[], Uint8Array][]).map(
      ([address, topics, data]): ChainLog => ({ address, topics, data }),
    ),
    logsBloom: bloom as Uint8Array,
    revertData: revertData as Uint8Array,
    error: (error as Uint8Array).length === 0 ? undefined : bytesToUtf8(error as Uint8Array),
  };
}

/** RLP `[block, [receipt…], consumedMessages, firstMessageNonce]`. */
export function encodeStoredBlock(stored: StoredBlock): Uint8Array {
  const { record, anchor } = stored;
  return RLP.encode([
    record.block.serialize(),
    record.receipts.map(encodeReceipt) as never,
    uint(anchor.consumedMessages),
    uint(anchor.firstMessageNonce),
  ]);
}

export function decodeStoredBlock(bytes: Uint8Array, common: Common): StoredBlock {
  const [blockRlp, receipts, consumed, first] = RLP.decode(bytes) as unknown as [
    Uint8Array,
    unknown[],
    Uint8Array,
    Uint8Array,
  ];
  const block = createBlockFromRLP(blockRlp, { common });
  return {
    record: { block, receipts: receipts.map((fields, index) => decodeReceipt(fields, block, index)) },
    anchor: { consumedMessages: Number(bytesToBigInt(consumed)), firstMessageNonce: bytesToBigInt(first) },
  };
}
