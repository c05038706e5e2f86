import type { Block, BlockHeader } from "@ethereumjs/block";
import { TransactionType } from "@ethereumjs/tx";
import { KECCAK256_RLP, KECCAK256_RLP_ARRAY, equalsBytes } from "@ethereumjs/util";
import { sha256 } from "@noble/hashes/sha2.js";

import type { Common } from "@ethereumjs/common";

import { ExecuteError, ExecuteErrorCode } from "./errors";
import { type ExecutionPacing, checkDeadline } from "./executionGuard";

/** EIP-1559: the gas limit may move by less than parent/1024 per block. */
const GAS_LIMIT_BOUND_DIVISOR = 1024n;
/** Yellow paper minimum gas limit. */
const MIN_GAS_LIMIT = 5000n;
const MAX_EXTRA_DATA_BYTES = 32;
/** EIP-1985: a gas limit is below 2^63. */
const GAS_LIMIT_CAP = 2n ** 63n;
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

/** Header fields of a post-merge header by index, with their width: bytes exactly, or an integer of at most `maxInt` bytes. */
const HEADER_LAYOUT: readonly {
  readonly name: string;
  readonly bytes?: number;
  readonly maxInt?: number;
  readonly eip?: number;
}[] = [
  { name: "parentHash", bytes: 32 },
  { name: "ommersHash", bytes: 32 },
  { name: "coinbase", bytes: 20 },
  { name: "stateRoot", bytes: 32 },
  { name: "transactionsRoot", bytes: 32 },
  { name: "receiptsRoot", bytes: 32 },
  { name: "logsBloom", bytes: 256 },
  { name: "difficulty", maxInt: 32 },
  { name: "number", maxInt: 8 },
  { name: "gasLimit", maxInt: 8 },
  { name: "gasUsed", maxInt: 8 },
  { name: "timestamp", maxInt: 8 },
  { name: "extraData" },
  { name: "mixHash", bytes: 32 },
  { name: "nonce", bytes: 8 },
  { name: "baseFeePerGas", maxInt: 32, eip: 1559 },
  { name: "withdrawalsRoot", bytes: 32, eip: 4895 },
  { name: "blobGasUsed", maxInt: 8, eip: 4844 },
  { name: "excessBlobGas", maxInt: 8, eip: 4844 },
  { name: "parentBeaconBlockRoot", bytes: 32, eip: 4788 },
  { name: "requestsHash", bytes: 32, eip: 7685 },
];
const GAS_LIMIT_INDEX = 9;
const GAS_USED_INDEX = 10;

function bigIntOf(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  return value;
}

/**
 * Checks the encoding of a block's header, field by field, before EthereumJS builds it: the
 * fork's field count, each field's width, integers without leading zeros (so that the header
 * hash is that of the posted bytes). A posted header that breaks any of these cannot be the
 * header of a valid block, so it is an InvalidHeader (>= 64), never "could not be checked".
 */
export function checkHeaderEncoding(fields: readonly unknown[], common: Common): void {
  const layout = HEADER_LAYOUT.filter((f) => f.eip === undefined || common.isActivatedEIP(f.eip));
  // Fields of later forks (e.g. EIP-7928's) would be a different header format: refused too.
  if (fields.length !== layout.length) {
    fail(
      ExecuteErrorCode.InvalidHeader,
      `the header has ${fields.length} fields, the ${common.hardfork()} header has ${layout.length}`,
    );
  }
  layout.forEach((field, index) => {
    const value = fields[index];
    if (!(value instanceof Uint8Array))
      fail(ExecuteErrorCode.InvalidHeader, `header field ${field.name} is a list, not bytes`);
    if (field.bytes !== undefined && value.length !== field.bytes) {
      fail(ExecuteErrorCode.InvalidHeader, `header field ${field.name} has ${value.length} bytes, not ${field.bytes}`);
    }
    if (field.maxInt !== undefined && (value.length > field.maxInt || value[0] === 0)) {
      fail(
        ExecuteErrorCode.InvalidHeader,
        `header field ${field.name} is not a canonical integer of at most ${field.maxInt} bytes`,
      );
    }
  });
}

/**
 * The gas fields' own rules, on the raw header: gasUsed within gasLimit, the gas limit below
 * 2^63 (EIP-1985) and within what EXECUTE may verify in one L1 block (`maxGasLimit`).
 */
export function checkGasFields(fields: readonly Uint8Array[], maxGasLimit: bigint): void {
  const gasLimit = bigIntOf(fields[GAS_LIMIT_INDEX] as Uint8Array);
  const gasUsed = bigIntOf(fields[GAS_USED_INDEX] as Uint8Array);
  if (gasLimit >= GAS_LIMIT_CAP)
    fail(ExecuteErrorCode.InvalidGasLimit, `gas limit ${gasLimit} is not below 2^63 (EIP-1985)`);
  if (gasLimit > maxGasLimit) {
    fail(
      ExecuteErrorCode.InvalidGasLimit,
      `gas limit ${gasLimit} exceeds ${maxGasLimit}, the most EXECUTE may verify in one L1 block`,
    );
  }
  if (gasUsed > gasLimit) fail(ExecuteErrorCode.InvalidHeader, `gasUsed ${gasUsed} exceeds gasLimit ${gasLimit}`);
}

/** Checks the header against its parent (docs/DESIGN.md §3.3, checks 2–5). */
export function checkHeaderAgainstParent(header: BlockHeader, parent: BlockHeader): void {
  if (header.number !== parent.number + 1n) {
    fail(
      ExecuteErrorCode.ParentMismatch,
      `block number ${header.number} does not follow parent number ${parent.number}`,
    );
  }
  if (!equalsBytes(header.parentHash, parent.hash())) {
    fail(ExecuteErrorCode.ParentMismatch, "parentHash is not the hash of the parent header");
  }
  if (header.timestamp <= parent.timestamp) {
    fail(
      ExecuteErrorCode.InvalidTimestamp,
      `timestamp ${header.timestamp} is not above the parent's ${parent.timestamp}`,
    );
  }
  const bound = parent.gasLimit / GAS_LIMIT_BOUND_DIVISOR;
  const delta =
    header.gasLimit > parent.gasLimit ? header.gasLimit - parent.gasLimit : parent.gasLimit - header.gasLimit;
  if (delta >= bound || header.gasLimit < MIN_GAS_LIMIT) {
    fail(
      ExecuteErrorCode.InvalidGasLimit,
      `gas limit ${header.gasLimit} is outside the bounds allowed by the parent's ${parent.gasLimit}`,
    );
  }
  const expectedBaseFee = parent.calcNextBaseFee();
  if (header.baseFeePerGas !== expectedBaseFee) {
    fail(
      ExecuteErrorCode.InvalidBaseFee,
      `base fee ${header.baseFeePerGas} differs from ${expectedBaseFee} computed from the parent`,
    );
  }
}

/** Checks the fork-fixed header fields of a post-merge block. */
export function checkHeaderFields(header: BlockHeader): void {
  if (header.gasUsed > header.gasLimit) {
    fail(ExecuteErrorCode.InvalidHeader, `gasUsed ${header.gasUsed} exceeds gasLimit ${header.gasLimit}`);
  }
  if (header.difficulty !== 0n) fail(ExecuteErrorCode.InvalidHeader, "difficulty must be zero after the merge");
  if (!header.nonce.every((b) => b === 0)) fail(ExecuteErrorCode.InvalidHeader, "nonce must be zero after the merge");
  if (!equalsBytes(header.uncleHash, KECCAK256_RLP_ARRAY))
    fail(ExecuteErrorCode.InvalidHeader, "ommers hash must be that of an empty list");
  if (header.extraData.length > MAX_EXTRA_DATA_BYTES) {
    fail(
      ExecuteErrorCode.InvalidHeader,
      `extraData of ${header.extraData.length} bytes exceeds ${MAX_EXTRA_DATA_BYTES}`,
    );
  }
}

/** Checks what a native L2 block may not carry (docs/DESIGN.md §3.3, check 7). */
export function checkBlockContent(block: Block): void {
  const { header } = block;
  if (block.uncleHeaders.length > 0) fail(ExecuteErrorCode.InvalidHeader, "a post-merge block has no ommers");
  if ((header.blobGasUsed ?? 0n) !== 0n || (header.excessBlobGas ?? 0n) !== 0n) {
    fail(ExecuteErrorCode.UnsupportedContent, "blob gas used and excess blob gas must be zero on a native L2");
  }
  if (
    (block.withdrawals?.length ?? 0) > 0 ||
    (header.withdrawalsRoot !== undefined && !equalsBytes(header.withdrawalsRoot, KECCAK256_RLP))
  ) {
    fail(ExecuteErrorCode.UnsupportedContent, "a native L2 block has no withdrawals");
  }
  if (header.requestsHash !== undefined && !equalsBytes(header.requestsHash, EMPTY_REQUESTS_HASH)) {
    fail(ExecuteErrorCode.UnsupportedContent, "a native L2 block has no execution requests");
  }
  block.transactions.forEach((tx, index) => {
    if (!ALLOWED_TX_TYPES.has(tx.type)) {
      fail(
        ExecuteErrorCode.UnsupportedContent,
        `transaction ${index} has type ${tx.type}; blob transactions are not allowed`,
      );
    }
  });
}

/** Checks the transactions: signed, and replay-protected for this chain. */
export function checkTransactions(block: Block, chainId: bigint, pacing: ExecutionPacing = {}): void {
  for (const [index, tx] of block.transactions.entries()) {
    // Each check recovers a signature: a simulation stops here too, not only between EVM calls.
    checkDeadline(pacing);
    const problems = tx.getValidationErrors();
    if (problems.length > 0)
      fail(ExecuteErrorCode.InvalidTransactions, `transaction ${index} is invalid: ${problems.join(", ")}`);
    if (!tx.isSigned()) fail(ExecuteErrorCode.InvalidTransactions, `transaction ${index} is not signed`);
    // EIP-155 signatures have v = 2·chainId + 35/36; 27/28 would replay on any chain.
    if (tx.type === TransactionType.Legacy && (tx.v === undefined || tx.v < EIP155_MIN_V)) {
      fail(ExecuteErrorCode.InvalidTransactions, `transaction ${index} is not replay-protected (EIP-155)`);
    }
    if (tx.common.chainId() !== chainId) {
      fail(
        ExecuteErrorCode.InvalidTransactions,
        `transaction ${index} is for chain ${tx.common.chainId()}, not ${chainId}`,
      );
    }
  }
}
