import type { Block, BlockHeader } from "@ethereumjs/block";
import { TransactionType } from "@ethereumjs/tx";
import { KECCAK256_RLP, KECCAK256_RLP_ARRAY, equalsBytes } from "@ethereumjs/util";
import { sha256 } from "@noble/hashes/sha2.js";

import { ExecuteError, ExecuteErrorCode } from "./errors";

/** EIP-1559: the gas limit may move by less than parent/1024 per block. */
const GAS_LIMIT_BOUND_DIVISOR = 1024n;
/** Yellow paper minimum gas limit. */
const MIN_GAS_LIMIT = 5000n;
const MAX_EXTRA_DATA_BYTES = 32;
const EIP155_MIN_V = 35n;
/** EIP-7685 commitment to an empty list of execution requests: sha256 of nothing. */
export const EMPTY_REQUESTS_HASH = sha256(new Uint8Array());
/** Transaction types a native L2 accepts: no blobs (docs/DESIGN.md §3.3). */
const ALLOWED_TX_TYPES: ReadonlySet<TransactionType> = new Set([
  TransactionType.Legacy,
  TransactionType.AccessListEIP2930,
  TransactionType.FeeMarketEIP1559,
  TransactionType.EOACodeEIP7702,
]);

function fail(code: ExecuteErrorCode, reason: string): never {
  throw new ExecuteError(code, reason);
}

/** Checks the header against its parent (docs/DESIGN.md §3.3, checks 2–5). */
export function checkHeaderAgainstParent(header: BlockHeader, parent: BlockHeader): void {
  if (header.number !== parent.number + 1n) {
    fail(ExecuteErrorCode.ParentMismatch, `block number ${header.number} does not follow parent number ${parent.number}`);
  }
  if (!equalsBytes(header.parentHash, parent.hash())) {
    fail(ExecuteErrorCode.ParentMismatch, "parentHash is not the hash of the parent header");
  }
  if (header.timestamp <= parent.timestamp) {
    fail(ExecuteErrorCode.InvalidTimestamp, `timestamp ${header.timestamp} is not above the parent's ${parent.timestamp}`);
  }
  const bound = parent.gasLimit / GAS_LIMIT_BOUND_DIVISOR;
  const delta = header.gasLimit > parent.gasLimit ? header.gasLimit - parent.gasLimit : parent.gasLimit - header.gasLimit;
  if (delta >= bound || header.gasLimit < MIN_GAS_LIMIT) {
    fail(ExecuteErrorCode.InvalidGasLimit, `gas limit ${header.gasLimit} is outside the bounds allowed by the parent's ${parent.gasLimit}`);
  }
  const expectedBaseFee = parent.calcNextBaseFee();
  if (header.baseFeePerGas !== expectedBaseFee) {
    fail(ExecuteErrorCode.InvalidBaseFee, `base fee ${header.baseFeePerGas} differs from ${expectedBaseFee} computed from the parent`);
  }
}

/** Checks the fork-fixed header fields of a post-merge block. */
export function checkHeaderFields(header: BlockHeader): void {
  if (header.gasUsed > header.gasLimit) {
    fail(ExecuteErrorCode.InvalidHeader, `gasUsed ${header.gasUsed} exceeds gasLimit ${header.gasLimit}`);
  }
  if (header.difficulty !== 0n) fail(ExecuteErrorCode.InvalidHeader, "difficulty must be zero after the merge");
  if (!header.nonce.every((b) => b === 0)) fail(ExecuteErrorCode.InvalidHeader, "nonce must be zero after the merge");
  if (!equalsBytes(header.uncleHash, KECCAK256_RLP_ARRAY)) fail(ExecuteErrorCode.InvalidHeader, "ommers hash must be that of an empty list");
  if (header.extraData.length > MAX_EXTRA_DATA_BYTES) {
    fail(ExecuteErrorCode.InvalidHeader, `extraData of ${header.extraData.length} bytes exceeds ${MAX_EXTRA_DATA_BYTES}`);
  }
}

/** Checks what a native L2 block may not carry (docs/DESIGN.md §3.3, check 7). */
export function checkBlockContent(block: Block): void {
  const { header } = block;
  if (block.uncleHeaders.length > 0) fail(ExecuteErrorCode.InvalidHeader, "a post-merge block has no ommers");
  if ((header.blobGasUsed ?? 0n) !== 0n || (header.excessBlobGas ?? 0n) !== 0n) {
    fail(ExecuteErrorCode.UnsupportedContent, "blob gas used and excess blob gas must be zero on a native L2");
  }
  if ((block.withdrawals?.length ?? 0) > 0 || (header.withdrawalsRoot !== undefined && !equalsBytes(header.withdrawalsRoot, KECCAK256_RLP))) {
    fail(ExecuteErrorCode.UnsupportedContent, "a native L2 block has no withdrawals");
  }
  if (header.requestsHash !== undefined && !equalsBytes(header.requestsHash, EMPTY_REQUESTS_HASH)) {
    fail(ExecuteErrorCode.UnsupportedContent, "a native L2 block has no execution requests");
  }
  block.transactions.forEach((tx, index) => {
    if (!ALLOWED_TX_TYPES.has(tx.type)) {
      fail(ExecuteErrorCode.UnsupportedContent, `transaction ${index} has type ${tx.type}; blob transactions are not allowed`);
    }
  });
}

/** Checks the transactions: signed, and replay-protected for this chain. */
export function checkTransactions(block: Block, chainId: bigint): void {
  for (const [index, tx] of block.transactions.entries()) {
    const problems = tx.getValidationErrors();
    if (problems.length > 0) fail(ExecuteErrorCode.InvalidTransactions, `transaction ${index} is invalid: ${problems.join(", ")}`);
    if (!tx.isSigned()) fail(ExecuteErrorCode.InvalidTransactions, `transaction ${index} is not signed`);
    // EIP-155 signatures have v = 2·chainId + 35/36; 27/28 would replay on any chain.
    if (tx.type === TransactionType.Legacy && (tx.v === undefined || tx.v < EIP155_MIN_V)) {
      fail(ExecuteErrorCode.InvalidTransactions, `transaction ${index} is not replay-protected (EIP-155)`);
    }
    if (tx.common.chainId() !== chainId) {
      fail(ExecuteErrorCode.InvalidTransactions, `transaction ${index} is for chain ${tx.common.chainId()}, not ${chainId}`);
    }
  }
}
