import { type TypedTransaction, createTxFromRLP } from "@ethereumjs/tx";

import { effectiveGasPrice } from "../../chain/blockBuilder";
import { nextGasLimit } from "../../chain/gasLimit";
import type { RpcBackend } from "../backend";
import { RpcError, RpcErrorCode, invalidParams } from "../errors";
import type { Json } from "../format";
import { data, parseAddress, parseData, parseHash, parseQuantity, quantity } from "../hex";
import type { MethodTable } from "./types";

function asObject(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw invalidParams(`${name}: expected an object`);
  return value as Record<string, unknown>;
}

function decodeTransactions(backend: RpcBackend, value: unknown): TypedTransaction[] {
  // null: build from the pool, as a block producer would.
  if (value === null || value === undefined) return [...(backend.pooledTransactions?.() ?? [])];
  if (!Array.isArray(value)) throw invalidParams("transactions: expected an array of raw transactions or null");
  return value.map((raw: unknown, i) => {
    try {
      return createTxFromRLP(parseData(raw, `transactions[${i}]`), { common: backend.chain.common });
    } catch (error) {
      if (error instanceof RpcError) throw error;
      throw invalidParams(`transactions[${i}]: ${(error as Error).message.split(" (")[0]}`);
    }
  });
}

/**
 * testing_buildBlockV1 (execution-apis): builds a block on `parentHash` from payload attributes
 * and the given transactions (or the pool's), and answers it as an engine API payload without
 * adding it to the chain. The gas limit steps toward geth's 60M target like a geth builder.
 */
async function buildBlock(backend: RpcBackend, params: readonly unknown[]): Promise<Json> {
  const parentHash = parseHash(params[0], "parentHash");
  const attributes = asObject(params[1], "payloadAttributes");
  if (Array.isArray(attributes.withdrawals) && attributes.withdrawals.length > 0)
    throw invalidParams("payloadAttributes.withdrawals: withdrawals are not supported by this node");
  const txs = decodeTransactions(backend, params[2]);
  const extraData =
    params[3] === undefined || params[3] === null ? new Uint8Array() : parseData(params[3], "extraData");
  const parent = backend.chain.getBlock({ hash: parentHash });
  if (parent === undefined) throw new RpcError(RpcErrorCode.Server, "unknown parent block");
  const mined = await backend.chain.buildPayload(
    parentHash,
    {
      timestamp: parseQuantity(attributes.timestamp, "payloadAttributes.timestamp"),
      coinbase: parseAddress(attributes.suggestedFeeRecipient, "payloadAttributes.suggestedFeeRecipient"),
      prevRandao: parseHash(attributes.prevRandao, "payloadAttributes.prevRandao"),
      parentBeaconBlockRoot:
        attributes.parentBeaconBlockRoot === undefined || attributes.parentBeaconBlockRoot === null
          ? new Uint8Array(32)
          : parseHash(attributes.parentBeaconBlockRoot, "payloadAttributes.parentBeaconBlockRoot"),
      extraData,
      gasLimit: nextGasLimit(parent.block.header.gasLimit),
    },
    txs,
  );
  const { block, receipts } = mined.record;
  const h = block.header;
  const baseFee = h.baseFeePerGas ?? 0n;
  const value = block.transactions.reduce(
    (sum, tx, i) => sum + (effectiveGasPrice(tx, baseFee) - baseFee) * (receipts[i]?.gasUsed ?? 0n),
    0n,
  );
  return {
    executionPayload: {
      parentHash: data(h.parentHash),
      feeRecipient: h.coinbase.toString(),
      stateRoot: data(h.stateRoot),
      receiptsRoot: data(h.receiptTrie),
      logsBloom: data(h.logsBloom),
      prevRandao: data(h.mixHash),
      blockNumber: quantity(h.number),
      gasLimit: quantity(h.gasLimit),
      gasUsed: quantity(h.gasUsed),
      timestamp: quantity(h.timestamp),
      extraData: data(h.extraData),
      baseFeePerGas: quantity(baseFee),
      blockHash: data(block.hash()),
      transactions: block.transactions.map((tx) => data(tx.serialize())),
      withdrawals: block.withdrawals === undefined ? undefined : [],
      blobGasUsed: h.blobGasUsed === undefined ? undefined : quantity(h.blobGasUsed),
      excessBlobGas: h.excessBlobGas === undefined ? undefined : quantity(h.excessBlobGas),
    },
    blockValue: quantity(value),
    blobsBundle: { commitments: [], proofs: [], blobs: [] },
    executionRequests: h.requestsHash === undefined ? undefined : (mined.requests ?? []).map((r) => data(r)),
    shouldOverrideBuilder: false,
  };
}

/** The testing_* namespace (execution-apis' test-only methods). */
export const testingMethods: MethodTable = {
  testing_buildBlockV1: (params, backend) => buildBlock(backend, params),
};
