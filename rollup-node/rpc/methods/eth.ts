import type { Block } from "@ethereumjs/block";
import { bytesToHex } from "@ethereumjs/util";

import { effectiveGasPrice } from "../../chain/blockBuilder";
import type { Chain } from "../../chain/chain";
import { decodeSubmittedTransaction } from "../../chain/submittedTransaction";
import type { BlockRecord, BlockTag } from "../../chain/types";
import { RpcError, RpcErrorCode, invalidParams } from "../errors";
import { type Json, formatBlock, formatLog, formatReceipt, formatTransaction } from "../format";
import {
  data,
  parseAddress,
  parseBlockTag,
  parseBoolean,
  parseData,
  parseHash,
  parseQuantity,
  parseSlot,
  quantity,
} from "../hex";
import { parseCallRequest, parseLogFilter, parseTransactionRequest } from "../params";
import type { MethodTable } from "./types";

/** The tip eth_maxPriorityFeePerGas suggests (Hardhat's and many wallets' default). */
export const SUGGESTED_PRIORITY_FEE = 1_000_000_000n;
/** eth_feeHistory serves at most this many blocks per call, as geth. */
const MAX_FEE_HISTORY = 1024n;
/** eth_getLogs answers at most this many blocks per query (bounded work per request). */
const MAX_LOG_RANGE = 10_000n;

function blockOrNull(chain: Chain, tag: BlockTag): BlockRecord | null {
  return chain.getBlock(tag) ?? null;
}

function nextBaseFee(chain: Chain): bigint {
  return chain.common.isActivatedEIP(1559) ? chain.head.header.calcNextBaseFee() : 0n;
}

/** The blob base fee of the block after `header` (EIP-4844; 0 before Cancun). */
function blobBaseFeeAfter(chain: Chain, header: Block["header"]): bigint {
  return header.excessBlobGas === undefined
    ? 0n
    : header.calcNextBlobGasPrice(header.common.isActivatedEIP(4844) ? header.common : chain.common);
}

function nextBlobBaseFee(chain: Chain): bigint {
  return blobBaseFeeAfter(chain, chain.head.header);
}

/** Share of the block's blob gas capacity used (0 before Cancun). */
function blobGasUsedRatio(header: Block["header"]): number {
  if (header.blobGasUsed === undefined || !header.common.isActivatedEIP(4844)) return 0;
  return Number(header.blobGasUsed) / Number(header.common.getBlobGasSchedule().maxBlobGasPerBlock);
}

function receiptJson(chain: Chain, hash: Uint8Array): Json {
  const found = chain.getTransaction(hash);
  const receipt = chain.getReceipt(hash);
  if (found === undefined || receipt === undefined) return null;
  const record = chain.getBlock(found.location.blockNumber) as BlockRecord;
  let firstLogIndex = 0;
  for (const earlier of record.receipts.slice(0, found.location.index)) firstLogIndex += earlier.logs.length;
  return formatReceipt(receipt, firstLogIndex, record.block.header.timestamp);
}

/** Weighted-by-gas percentiles of the tips paid in `block` (eth_feeHistory rewards). */
function rewards(record: BlockRecord, percentiles: readonly number[]): Json {
  const baseFee = record.block.header.baseFeePerGas ?? 0n;
  const tips = record.block.transactions
    .map((tx, i) => ({ tip: effectiveGasPrice(tx, baseFee) - baseFee, gas: record.receipts[i]?.gasUsed ?? 0n }))
    .sort((a, b) => (a.tip < b.tip ? -1 : a.tip > b.tip ? 1 : 0));
  const total = tips.reduce((sum, t) => sum + t.gas, 0n);
  return percentiles.map((p) => {
    if (tips.length === 0) return "0x0";
    const threshold = (total * BigInt(Math.round(p * 100))) / 10_000n;
    let cumulative = 0n;
    for (const t of tips) {
      cumulative += t.gas;
      if (cumulative >= threshold) return quantity(t.tip);
    }
    return quantity((tips[tips.length - 1] as { tip: bigint }).tip);
  });
}

function feeHistory(chain: Chain, params: readonly unknown[]): Json {
  let count = parseQuantity(params[0], "blockCount");
  if (count > MAX_FEE_HISTORY) count = MAX_FEE_HISTORY;
  const newestTag = parseBlockTag(params[1], "newestBlock");
  const newest = chain.resolveBlock(newestTag).block.header.number;
  const percentiles = params[2] === undefined || params[2] === null ? undefined : (params[2] as unknown[]);
  if (
    percentiles !== undefined &&
    (!Array.isArray(percentiles) || percentiles.some((p) => typeof p !== "number" || p < 0 || p > 100))
  ) {
    throw invalidParams("rewardPercentiles: expected increasing numbers between 0 and 100");
  }
  if (count > newest + 1n) count = newest + 1n;
  const oldest = newest - count + 1n;
  const baseFees: Json[] = [];
  const ratios: number[] = [];
  const blobFees: Json[] = [];
  const blobRatios: number[] = [];
  const reward: Json[] = [];
  let last: Block | undefined;
  for (let n = oldest; n <= newest; n++) {
    const record = chain.getBlock(n) as BlockRecord;
    const h = record.block.header;
    baseFees.push(quantity(h.baseFeePerGas ?? 0n));
    ratios.push(Number(h.gasUsed) / Number(h.gasLimit));
    blobFees.push(quantity(h.excessBlobGas === undefined ? 0n : h.getBlobGasPrice()));
    blobRatios.push(blobGasUsedRatio(h));
    if (percentiles !== undefined) reward.push(rewards(record, percentiles as number[]));
    last = record.block;
  }
  if (last !== undefined) {
    baseFees.push(quantity(last.header.common.isActivatedEIP(1559) ? last.header.calcNextBaseFee() : 0n));
    blobFees.push(quantity(blobBaseFeeAfter(chain, last.header)));
  }
  const out: { [key: string]: Json } = {
    oldestBlock: quantity(oldest),
    baseFeePerGas: baseFees,
    gasUsedRatio: ratios,
    baseFeePerBlobGas: blobFees,
    blobGasUsedRatio: blobRatios,
  };
  if (percentiles !== undefined) out.reward = reward;
  return out;
}

async function proof(chain: Chain, params: readonly unknown[]): Promise<Json> {
  const address = parseAddress(params[0], "address");
  if (!Array.isArray(params[1])) throw invalidParams("storageKeys: expected an array");
  const keys = params[1].map((k: unknown, i) => parseSlot(k, `storageKeys[${i}]`));
  const p = await chain.getProof(address, keys, parseBlockTag(params[2]));
  return {
    address: p.address,
    accountProof: p.accountProof,
    balance: p.balance,
    codeHash: p.codeHash,
    nonce: p.nonce,
    storageHash: p.storageHash,
    // A key is echoed as the caller wrote it when it is a full word, and as a quantity when it
    // was short, as geth does: verifiers that hash the key as written (EthereumJS'
    // verifyMerkleStateProof) then work for callers who send words.
    storageProof: p.storageProof.map((s, i) => ({
      key: echoedSlot(params[1] as unknown[], i, s.key),
      value: quantity(BigInt(s.value)),
      proof: s.proof,
    })),
  };
}

function echoedSlot(requested: readonly unknown[], index: number, word: string): string {
  const asWritten = requested[index];
  return typeof asWritten === "string" && asWritten.length === 66 ? asWritten.toLowerCase() : quantity(BigInt(word));
}

/** At most this many slots per eth_getStorageValues call (bounded work per request). */
const MAX_STORAGE_VALUES = 1024;

/** eth_getStorageValues: `{address: [slot, …]}` → `{address: [value, …]}` at one block. */
async function storageValues(chain: Chain, params: readonly unknown[]): Promise<Json> {
  const request = params[0];
  if (typeof request !== "object" || request === null || Array.isArray(request))
    throw invalidParams("request: expected an object of address → slots");
  const entries = Object.entries(request as Record<string, unknown>);
  if (entries.length === 0) throw invalidParams("empty request");
  const tag = parseBlockTag(params[1]);
  let count = 0;
  const out: { [address: string]: Json } = {};
  for (const [addressHex, slots] of entries) {
    const address = parseAddress(addressHex, "address");
    if (!Array.isArray(slots)) throw invalidParams(`${addressHex}: expected an array of slots`);
    count += slots.length;
    if (count > MAX_STORAGE_VALUES) throw invalidParams(`too many slots (max ${MAX_STORAGE_VALUES})`);
    const values: Json[] = [];
    for (const [i, slot] of slots.entries())
      values.push(data(await chain.getStorageAt(address, parseSlot(slot, `${addressHex}[${i}]`), tag)));
    out[addressHex] = values;
  }
  return out;
}

/** The eth_* namespace. */
export const ethMethods: MethodTable = {
  eth_chainId: (_params, { chain }) => quantity(chain.chainId),
  eth_blockNumber: (_params, { chain }) => quantity(chain.headNumber),
  eth_syncing: () => false,
  eth_accounts: (_params, backend) => backend.accounts().map((a) => bytesToHex(a)),
  eth_gasPrice: (_params, { chain }) => quantity(nextBaseFee(chain) + SUGGESTED_PRIORITY_FEE),
  eth_maxPriorityFeePerGas: () => quantity(SUGGESTED_PRIORITY_FEE),
  eth_blobBaseFee: (_params, { chain }) => quantity(nextBlobBaseFee(chain)),
  eth_baseFee: (_params, { chain }) => quantity(nextBaseFee(chain)),
  eth_feeHistory: (params, { chain }) => feeHistory(chain, params),

  eth_getBalance: async (params, { chain }) =>
    quantity(await chain.getBalance(parseAddress(params[0], "address"), parseBlockTag(params[1]))),
  eth_getCode: async (params, { chain }) =>
    data(await chain.getCode(parseAddress(params[0], "address"), parseBlockTag(params[1]))),
  eth_getStorageAt: async (params, { chain }) =>
    data(
      await chain.getStorageAt(
        parseAddress(params[0], "address"),
        parseSlot(params[1], "slot"),
        parseBlockTag(params[2]),
      ),
    ),
  eth_getTransactionCount: async (params, backend) => {
    const address = parseAddress(params[0], "address");
    const tag = parseBlockTag(params[1]);
    return quantity(
      tag === "pending" ? await backend.pendingNonce(address) : await backend.chain.getNonce(address, tag),
    );
  },
  eth_getProof: (params, { chain }) => proof(chain, params),
  eth_getStorageValues: (params, { chain }) => storageValues(chain, params),
  eth_createAccessList: async (params, { chain }) => {
    const result = await chain.createAccessList(parseCallRequest(params[0]), parseBlockTag(params[1]));
    return {
      accessList: result.accessList.map((e) => ({ address: data(e.address), storageKeys: e.storageKeys.map(data) })),
      gasUsed: quantity(result.gasUsed),
      error: result.error,
    };
  },

  eth_call: async (params, { chain }) =>
    data((await chain.call(parseCallRequest(params[0]), parseBlockTag(params[1]))).returnValue),
  eth_estimateGas: async (params, { chain }) =>
    quantity(
      await chain.estimateGas(
        parseCallRequest(params[0]),
        params[1] === undefined || params[1] === null ? "pending" : parseBlockTag(params[1]),
      ),
    ),

  eth_sendTransaction: async (params, backend) => {
    const request = parseTransactionRequest(params[0]);
    const tx = await backend.signTransaction(request);
    return data(await backend.submitTransaction(tx));
  },
  eth_sendRawTransaction: async (params, backend) => {
    const raw = parseData(params[0], "transaction");
    // Throws InvalidSubmittedTransactionError (a ChainError: answered as a server error with its hint).
    const tx = decodeSubmittedTransaction(raw, backend.chain.common);
    if (!tx.isSigned()) throw new RpcError(RpcErrorCode.Server, "invalid transaction: not signed");
    return data(await backend.submitTransaction(tx));
  },

  eth_getTransactionByHash: (params, backend) => {
    const hash = parseHash(params[0], "hash");
    const found = backend.chain.getTransaction(hash);
    if (found !== undefined) return formatTransaction(found.tx, found.block, found.location.index);
    const pending = backend.pendingTransaction(hash);
    return pending === undefined ? null : formatTransaction(pending, undefined, undefined);
  },
  eth_getTransactionReceipt: (params, { chain }) => receiptJson(chain, parseHash(params[0], "hash")),
  eth_getTransactionByBlockHashAndIndex: (params, { chain }) => {
    const record = blockOrNull(chain, { hash: parseHash(params[0], "blockHash") });
    const index = Number(parseQuantity(params[1], "index"));
    const tx = record?.block.transactions[index];
    return record === null || tx === undefined ? null : formatTransaction(tx, record.block, index);
  },
  eth_getTransactionByBlockNumberAndIndex: (params, { chain }) => {
    const record = blockOrNull(chain, parseBlockTag(params[0]));
    const index = Number(parseQuantity(params[1], "index"));
    const tx = record?.block.transactions[index];
    return record === null || tx === undefined ? null : formatTransaction(tx, record.block, index);
  },

  eth_getBlockByNumber: (params, { chain }) => {
    const record = blockOrNull(chain, parseBlockTag(params[0]));
    return record === null ? null : formatBlock(record.block, parseBoolean(params[1] ?? false, "fullTransactions"));
  },
  eth_getBlockByHash: (params, { chain }) => {
    const record = blockOrNull(chain, { hash: parseHash(params[0], "blockHash") });
    return record === null ? null : formatBlock(record.block, parseBoolean(params[1] ?? false, "fullTransactions"));
  },
  eth_getBlockTransactionCountByNumber: (params, { chain }) => {
    const record = blockOrNull(chain, parseBlockTag(params[0]));
    return record === null ? null : quantity(record.block.transactions.length);
  },
  eth_getBlockTransactionCountByHash: (params, { chain }) => {
    const record = blockOrNull(chain, { hash: parseHash(params[0], "blockHash") });
    return record === null ? null : quantity(record.block.transactions.length);
  },
  eth_getBlockReceipts: (params, { chain }) => {
    const record = blockOrNull(chain, parseBlockTag(params[0]));
    return record === null ? null : record.block.transactions.map((tx) => receiptJson(chain, tx.hash()));
  },
  eth_getUncleCountByBlockNumber: () => "0x0",
  eth_getUncleCountByBlockHash: () => "0x0",

  eth_getLogs: (params, { chain }) => {
    const filter = parseLogFilter(params[0], chain.headNumber);
    const from = filter.fromBlock ?? chain.headNumber;
    const to = filter.toBlock ?? chain.headNumber;
    if (filter.blockHash === undefined) {
      if (from > to) throw invalidParams("invalid block range params");
      if (from > chain.headNumber || to > chain.headNumber)
        throw invalidParams("block range extends beyond current head block");
      if (to - from > MAX_LOG_RANGE)
        throw new RpcError(RpcErrorCode.Server, `query exceeds the ${MAX_LOG_RANGE}-block range limit`);
    }
    return chain.getLogs(filter).map(formatLog);
  },
};
