import type { Block } from "@ethereumjs/block";
import { Capability, type TypedTransaction } from "@ethereumjs/tx";
import { bytesToBigInt, bytesToHex } from "@ethereumjs/util";

import { effectiveGasPrice } from "../chain/blockBuilder";
import type { ChainReceipt, LocatedLog } from "../chain/types";
import { type HexString, data, dataOrNull, quantity } from "./hex";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json | undefined };

interface TxWithFees {
  readonly gasPrice?: bigint;
  readonly maxFeePerGas?: bigint;
  readonly maxPriorityFeePerGas?: bigint;
  readonly chainId?: bigint;
  readonly accessList?: [Uint8Array, Uint8Array[]][];
  readonly authorizationList?: Uint8Array[][];
  readonly maxFeePerBlobGas?: bigint;
  /** EthereumJS keeps these as 0x-hex strings. */
  readonly blobVersionedHashes?: (string | Uint8Array)[];
}

/** The chain id a transaction commits to: typed ones carry it, EIP-155 legacy ones encode it in v. */
function signedChainId(tx: TypedTransaction & TxWithFees): bigint | undefined {
  if (tx.type !== 0) return tx.chainId;
  if (tx.v === undefined || tx.v < 35n) return undefined;
  return (tx.v - 35n) / 2n;
}

function bytesQuantity(bytes: Uint8Array | undefined): HexString {
  return quantity(bytesToBigInt(bytes ?? new Uint8Array()));
}

function accessListJson(list: [Uint8Array, Uint8Array[]][]): Json {
  return list.map(([address, keys]) => ({ address: data(address), storageKeys: keys.map(data) }));
}

/** A transaction as eth_getTransactionByHash returns it; block fields null when pending. */
export function formatTransaction(tx: TypedTransaction, block: Block | undefined, index: number | undefined): Json {
  const t = tx as TypedTransaction & TxWithFees;
  const out: { [key: string]: Json | undefined } = {
    blockHash: block ? data(block.hash()) : null,
    blockNumber: block ? quantity(block.header.number) : null,
    blockTimestamp: block ? quantity(block.header.timestamp) : undefined,
    from: tx.getSenderAddress().toString(),
    gas: quantity(tx.gasLimit),
    gasPrice: quantity(
      tx.supports(Capability.EIP1559FeeMarket)
        ? block
          ? effectiveGasPrice(tx, block.header.baseFeePerGas ?? 0n)
          : (t.maxFeePerGas ?? 0n)
        : (t.gasPrice ?? 0n),
    ),
    maxFeePerGas: t.maxFeePerGas !== undefined ? quantity(t.maxFeePerGas) : undefined,
    maxPriorityFeePerGas: t.maxPriorityFeePerGas !== undefined ? quantity(t.maxPriorityFeePerGas) : undefined,
    hash: data(tx.hash()),
    input: data(tx.data),
    nonce: quantity(tx.nonce),
    to: tx.to ? tx.to.toString() : null,
    transactionIndex: index !== undefined && block ? quantity(index) : null,
    value: quantity(tx.value),
    type: quantity(tx.type),
    accessList: t.accessList !== undefined && tx.type !== 0 ? accessListJson(t.accessList) : undefined,
    chainId: signedChainId(t) !== undefined ? quantity(signedChainId(t) as bigint) : undefined,
    maxFeePerBlobGas: t.maxFeePerBlobGas !== undefined ? quantity(t.maxFeePerBlobGas) : undefined,
    blobVersionedHashes:
      t.blobVersionedHashes !== undefined
        ? t.blobVersionedHashes.map((h) => (typeof h === "string" ? h : data(h)))
        : undefined,
    authorizationList:
      t.authorizationList !== undefined
        ? t.authorizationList.map(([chainId, address, nonce, yParity, r, s]) => ({
            chainId: bytesQuantity(chainId),
            address: bytesToHex(address ?? new Uint8Array()),
            nonce: bytesQuantity(nonce),
            yParity: bytesQuantity(yParity),
            r: bytesQuantity(r),
            s: bytesQuantity(s),
          }))
        : undefined,
    v: tx.v !== undefined ? quantity(tx.v) : undefined,
    r: tx.r !== undefined ? quantity(tx.r) : undefined,
    s: tx.s !== undefined ? quantity(tx.s) : undefined,
    yParity: tx.type !== 0 && tx.v !== undefined ? quantity(tx.v) : undefined,
  };
  return out;
}

/** A block as eth_getBlockBy* returns it, with full transactions or their hashes. */
export function formatBlock(block: Block, fullTransactions: boolean): Json {
  const h = block.header;
  return {
    baseFeePerGas: h.baseFeePerGas !== undefined ? quantity(h.baseFeePerGas) : undefined,
    blobGasUsed: h.blobGasUsed !== undefined ? quantity(h.blobGasUsed) : undefined,
    difficulty: quantity(h.difficulty),
    excessBlobGas: h.excessBlobGas !== undefined ? quantity(h.excessBlobGas) : undefined,
    extraData: data(h.extraData),
    gasLimit: quantity(h.gasLimit),
    gasUsed: quantity(h.gasUsed),
    hash: data(block.hash()),
    logsBloom: data(h.logsBloom),
    miner: h.coinbase.toString(),
    mixHash: data(h.mixHash),
    nonce: data(h.nonce),
    number: quantity(h.number),
    parentBeaconBlockRoot: h.parentBeaconBlockRoot !== undefined ? data(h.parentBeaconBlockRoot) : undefined,
    parentHash: data(h.parentHash),
    receiptsRoot: data(h.receiptTrie),
    requestsHash: h.requestsHash !== undefined ? data(h.requestsHash) : undefined,
    sha3Uncles: data(h.uncleHash),
    size: quantity(block.serialize().length),
    stateRoot: data(h.stateRoot),
    timestamp: quantity(h.timestamp),
    transactions: block.transactions.map((tx, i) =>
      fullTransactions ? formatTransaction(tx, block, i) : data(tx.hash()),
    ),
    transactionsRoot: data(h.transactionsTrie),
    uncles: [],
    withdrawals:
      block.withdrawals !== undefined
        ? block.withdrawals.map((w) => ({
            index: quantity(w.index),
            validatorIndex: quantity(w.validatorIndex),
            address: w.address.toString(),
            amount: quantity(w.amount),
          }))
        : undefined,
    withdrawalsRoot: h.withdrawalsRoot !== undefined ? data(h.withdrawalsRoot) : undefined,
  };
}

export function formatLog(log: LocatedLog): Json {
  return {
    address: data(log.address),
    topics: log.topics.map(data),
    data: data(log.data),
    blockNumber: quantity(log.blockNumber),
    transactionHash: data(log.transactionHash),
    transactionIndex: quantity(log.transactionIndex),
    blockHash: data(log.blockHash),
    blockTimestamp: quantity(log.blockTimestamp),
    logIndex: quantity(log.logIndex),
    removed: false,
  };
}

/** A receipt as eth_getTransactionReceipt returns it; `firstLogIndex` is the block-wide index of its first log. */
export function formatReceipt(receipt: ChainReceipt, firstLogIndex: number, blockTimestamp: bigint): Json {
  return {
    blockHash: data(receipt.blockHash),
    blockNumber: quantity(receipt.blockNumber),
    contractAddress: dataOrNull(receipt.contractAddress),
    cumulativeGasUsed: quantity(receipt.cumulativeGasUsed),
    effectiveGasPrice: quantity(receipt.effectiveGasPrice),
    from: data(receipt.from),
    gasUsed: quantity(receipt.gasUsed),
    logs: receipt.logs.map((log, i) =>
      formatLog({
        ...log,
        blockNumber: receipt.blockNumber,
        blockHash: receipt.blockHash,
        blockTimestamp,
        transactionHash: receipt.transactionHash,
        transactionIndex: receipt.transactionIndex,
        logIndex: firstLogIndex + i,
      }),
    ),
    logsBloom: data(receipt.logsBloom),
    // Before Byzantium (EIP-658) a receipt commits to the post-transaction state root instead of a status.
    root: receipt.postStateRoot !== undefined ? data(receipt.postStateRoot) : undefined,
    status: receipt.postStateRoot === undefined ? quantity(receipt.status) : undefined,
    blobGasUsed: receipt.blobGasUsed !== undefined ? quantity(receipt.blobGasUsed) : undefined,
    blobGasPrice: receipt.blobGasPrice !== undefined ? quantity(receipt.blobGasPrice) : undefined,
    to: dataOrNull(receipt.to),
    transactionHash: data(receipt.transactionHash),
    transactionIndex: quantity(receipt.transactionIndex),
    type: quantity(receipt.type),
  };
}

export type { HexString };
