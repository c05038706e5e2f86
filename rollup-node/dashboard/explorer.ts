/**
 * The dashboard's L2 transaction view: a block's transactions and a transaction's receipt, read
 * from the node's own chain and served as JSON on GET (the page cannot POST JSON-RPC to the node:
 * its CORS policy refuses other origins, see docs/design/rpc-exposure.md; these reads are as
 * public as the snapshot).
 */
import { bytesToHex, hexToBytes } from "@ethereumjs/util";

import type { Chain } from "../chain/chain";
import type { ChainReceipt } from "../chain/types";

export interface ExplorerTransaction {
  readonly hash: string;
  readonly index: number;
  readonly from: string;
  /** Null for a contract creation. */
  readonly to: string | null;
  /** Wei, decimal. */
  readonly value: string;
  readonly nonce: number;
  readonly status: 0 | 1 | null;
  readonly gasUsed: number | null;
}

export interface ExplorerBlock {
  readonly number: number;
  readonly hash: string;
  readonly timestamp: number;
  readonly gasUsed: number;
  readonly transactions: readonly ExplorerTransaction[];
}

export interface ExplorerReceipt extends ExplorerTransaction {
  readonly blockNumber: number;
  readonly blockHash: string;
  readonly contractAddress: string | null;
  readonly effectiveGasPrice: string;
  /** Calldata bytes. */
  readonly inputBytes: number;
  readonly logs: readonly { readonly address: string; readonly topics: readonly string[]; readonly data: string }[];
}

/** Block `number` with its transactions; undefined when the node has no such block. */
export function explorerBlock(chain: Pick<Chain, "getBlock">, number: bigint): ExplorerBlock | undefined {
  const record = chain.getBlock(number);
  if (record === undefined) return undefined;
  const { block, receipts } = record;
  return {
    number: Number(block.header.number),
    hash: bytesToHex(block.hash()),
    timestamp: Number(block.header.timestamp),
    gasUsed: Number(block.header.gasUsed),
    transactions: block.transactions.map((tx, index) => {
      const receipt: ChainReceipt | undefined = receipts[index];
      return {
        hash: bytesToHex(tx.hash()),
        index,
        from: tx.getSenderAddress().toString(),
        to: tx.to === undefined ? null : tx.to.toString(),
        value: tx.value.toString(),
        nonce: Number(tx.nonce),
        status: receipt?.status ?? null,
        gasUsed: receipt === undefined ? null : Number(receipt.gasUsed),
      };
    }),
  };
}

/** The receipt of transaction `hash`; undefined when the node has not mined it. */
export function explorerReceipt(
  chain: Pick<Chain, "getTransaction" | "getReceipt">,
  hash: string,
): ExplorerReceipt | undefined {
  const bytes = hexToBytes(hash as `0x${string}`);
  const found = chain.getTransaction(bytes);
  const receipt = chain.getReceipt(bytes);
  if (found === undefined || receipt === undefined) return undefined;
  const { tx, location, block } = found;
  return {
    hash: bytesToHex(tx.hash()),
    index: location.index,
    from: bytesToHex(receipt.from),
    to: receipt.to === undefined ? null : bytesToHex(receipt.to),
    value: tx.value.toString(),
    nonce: Number(tx.nonce),
    status: receipt.status,
    gasUsed: Number(receipt.gasUsed),
    blockNumber: Number(location.blockNumber),
    blockHash: bytesToHex(block.hash()),
    contractAddress: receipt.contractAddress === undefined ? null : bytesToHex(receipt.contractAddress),
    effectiveGasPrice: receipt.effectiveGasPrice.toString(),
    inputBytes: tx.data.length,
    logs: receipt.logs.map((log) => ({
      address: bytesToHex(log.address),
      topics: log.topics.map((t) => bytesToHex(t)),
      data: bytesToHex(log.data),
    })),
  };
}
