import { bytesToBigInt } from "@ethereumjs/util";

import { executeInputLength } from "./codec";
import { ExecuteError, ExecuteErrorCode } from "./errors";
import { decodeBoundedRlp } from "./rlpDepth";

/**
 * The gas schedule of EXECUTE. EIP-8079 leaves gas open; these are this project's choices, argued
 * in docs/design/execute-budget.md.
 *
 * L1 gas for one re-executing call is
 *
 *     baseGas + perInputByteGas · input.length + perL2Gas · chargedL2Gas(block)
 *
 * where `chargedL2Gas` is the largest of the header's `gasUsed`, the block's largest transaction
 * gas limit and 21,000 per transaction (each capped at the header's gas limit). Every term is known before the block runs and is
 * read from data EXECUTE checks: the header's fields against its parent, the transactions against
 * the header's root, and `gasUsed` by execution, which stops (code ≥ 64) after the first
 * transaction that takes the block past its claimed `gasUsed`. So no call executes more than
 * `gasUsed` plus one transaction (≤ 2 · chargedL2Gas, before refunds) of L2 gas, and each L2 gas
 * is paid for in L1 gas at `perL2Gas` — the same EVM running the same opcodes, at L1's price.
 * The L1 block gas limit then bounds the L2 work one L1 block can trigger, as it bounds L1's own.
 */
export interface ExecuteGasSchedule {
  /** Flat cost of one EXECUTE call (decoding, header checks, VM and trie set-up). */
  readonly baseGas: bigint;
  /** Cost per byte of input: hashing and storing the witness dominate re-execution. */
  readonly perInputByteGas: bigint;
  /** L1 gas per unit of charged L2 gas (see `chargedL2Gas`): 1, so an L2 opcode costs what it costs on L1. */
  readonly perL2Gas: bigint;
  /** Proof mode: cost of verifying one proof (a Groth16 check is four BN254 pairings, ≈ 181k gas under EIP-1108). */
  readonly perProofGas: bigint;
  /** Proof mode: cost per 32-byte word of the block body, which is only hashed (KECCAK256's word price). */
  readonly perBlockWordGas: bigint;
}

/**
 * Defaults: 100k base, 16 gas per byte (the calldata price of a non-zero byte), 1 L1 gas per L2
 * gas; in proof mode 200k per proof and 6 gas per block word.
 */
export const DEFAULT_EXECUTE_GAS_SCHEDULE: ExecuteGasSchedule = {
  baseGas: 100_000n,
  perInputByteGas: 16n,
  perL2Gas: 1n,
  perProofGas: 200_000n,
  perBlockWordGas: 6n,
};

/** EIP-7825 (Osaka): no L1 transaction may carry more than 2^24 gas, so no EXECUTE call either. */
export const L1_TX_GAS_LIMIT_CAP = 16_777_216n;

/** What EXECUTE reads from a (checked) L2 block to price its execution. */
export interface L2GasClaim {
  /** The header's gas limit. */
  readonly gasLimit: bigint;
  /** The header's gasUsed: what execution must reproduce. */
  readonly gasUsed: bigint;
  /** The gas limits of the block's transactions, in order. */
  readonly txGasLimits: readonly bigint[];
}

/**
 * The least block gas any transaction of a valid block uses: since EIP-7623 (Prague) a
 * transaction pays at least its floor, 21,000 + 10 per calldata token, whatever its refunds.
 */
export const MIN_GAS_PER_TRANSACTION = 21_000n;

/** Least block gas a transaction uses from London (EIP-3529) to Prague: 21,000 less the largest refund, a fifth. */
export const MIN_GAS_PER_TRANSACTION_LONDON = 16_800n;
/** Least block gas a transaction uses before London: 21,000 less the largest refund, a half. */
export const MIN_GAS_PER_TRANSACTION_FRONTIER = 10_500n;

/** The least block gas any transaction of a valid block uses under `common`'s fork. */
export function minBlockGasPerTransaction(common: { isActivatedEIP(eip: number): boolean }): bigint {
  if (common.isActivatedEIP(7623)) return MIN_GAS_PER_TRANSACTION;
  return common.isActivatedEIP(3529) ? MIN_GAS_PER_TRANSACTION_LONDON : MIN_GAS_PER_TRANSACTION_FRONTIER;
}

/**
 * Refuses a block with more transactions than its gas limit can hold: each uses at least
 * `minGasPerTransaction` of block gas and the block uses at most its gas limit, so such a block
 * cannot be valid. Checked on the count alone, before any transaction is decoded or any signature
 * recovered: without it a block of tiny signed transactions under a small gas limit made EXECUTE
 * recover signatures at 192 L1 gas each (InvalidTransactions, like the execution specs' refusal of
 * the transaction that no longer fits the block's remaining gas).
 */
export function checkTransactionCount(
  count: number,
  gasLimit: bigint,
  minGasPerTransaction: bigint = MIN_GAS_PER_TRANSACTION,
): void {
  const max = gasLimit / minGasPerTransaction;
  if (BigInt(count) > max) {
    throw new ExecuteError(
      ExecuteErrorCode.InvalidTransactions,
      `block has ${count} transactions, more than its gas limit ${gasLimit} holds (${max}: every transaction uses at least ${minGasPerTransaction} gas)`,
    );
  }
}

/**
 * The L2 gas EXECUTE charges for: the largest of the header's gasUsed, the largest transaction gas
 * limit and 21,000 per transaction, each capped at the header's gas limit. Execution stops after
 * the first transaction that takes the block past `gasUsed`, so it runs at most `gasUsed` plus that
 * transaction's gas limit: at most twice this (before refunds). The per-transaction term pays for
 * the signatures, which are all recovered before the block runs; it costs a valid block nothing
 * (from Prague on its gasUsed is at least 21,000 per transaction). The cap keeps every block that could be
 * valid verifiable, so that an invalid one can always be shown invalid. EXECUTE prices only blocks
 * that pass `checkTransactionCount` (at most gasLimit / 21,000 transactions from Prague on), so
 * there the per-transaction term never reaches the cap: every signature EXECUTE recovers is paid
 * 21,000 L1 gas. A caller pricing a block EXECUTE will refuse (`executeGasCostOfBlock`) may pass
 * more than that refusal costs, never less.
 */
export function chargedL2Gas(claim: L2GasClaim): bigint {
  const cap = (gas: bigint): bigint => (gas < claim.gasLimit ? gas : claim.gasLimit);
  let charged = cap(claim.gasUsed);
  const perTransaction = cap(MIN_GAS_PER_TRANSACTION * BigInt(claim.txGasLimits.length));
  if (perTransaction > charged) charged = perTransaction;
  for (const limit of claim.txGasLimits) {
    if (cap(limit) > charged) charged = cap(limit);
  }
  return charged;
}

/** The `L2GasClaim` of a decoded block. */
export function l2GasClaimOf(block: {
  readonly header: { readonly gasLimit: bigint; readonly gasUsed: bigint };
  readonly transactions: readonly { readonly gasLimit: bigint }[];
}): L2GasClaim {
  return {
    gasLimit: block.header.gasLimit,
    gasUsed: block.header.gasUsed,
    txGasLimits: block.transactions.map((tx) => tx.gasLimit),
  };
}

/** Index of `gasLimit` in a header's RLP list (the same in every fork); `gasUsed` follows it. */
export const HEADER_GAS_LIMIT_INDEX = 9;
/** Index of `gasLimit` in a legacy transaction's RLP list (a list in the block body). */
const LEGACY_TX_GAS_LIMIT_INDEX = 2;
/**
 * Index of `gasLimit` in a typed transaction's RLP list, by type (1 = EIP-2930, 2 = EIP-1559,
 * 3 = blob, 4 = EIP-7702). A byte string led by anything else (0, an RLP prefix ≥ 0x80 wrapping a
 * legacy list) is no transaction: EXECUTE refuses the block before pricing it (verifyBlock.ts).
 */
const TYPED_TX_GAS_LIMIT_INDEX: Readonly<Record<number, number>> = { 1: 3, 2: 4, 3: 4, 4: 4 };

function quantityAt(list: unknown, index: number): bigint | undefined {
  const item = Array.isArray(list) ? (list[index] as unknown) : undefined;
  return item instanceof Uint8Array ? bytesToBigInt(item) : undefined;
}

function txGasLimit(encoded: unknown): bigint | undefined {
  if (Array.isArray(encoded)) return quantityAt(encoded, LEGACY_TX_GAS_LIMIT_INDEX);
  if (!(encoded instanceof Uint8Array) || encoded.length === 0 || TYPED_TX_GAS_LIMIT_INDEX[encoded[0]] === undefined)
    return undefined;
  return quantityAt(decodeBoundedRlp(encoded.subarray(1)), TYPED_TX_GAS_LIMIT_INDEX[encoded[0]]);
}

/**
 * The `L2GasClaim` read from a block's RLP without a Common, for callers that must pass EXECUTE
 * enough gas (a challenger, a batch submitter). Undefined when the bytes are not a block: EXECUTE
 * then fails before it charges any L2 gas.
 */
export function l2GasClaimOfBlockRlp(blockRlp: Uint8Array): L2GasClaim | undefined {
  try {
    const [header, transactions] = decodeBoundedRlp(blockRlp) as unknown[];
    const gasLimit = quantityAt(header, HEADER_GAS_LIMIT_INDEX);
    const gasUsed = quantityAt(header, HEADER_GAS_LIMIT_INDEX + 1);
    if (gasLimit === undefined || gasUsed === undefined || !Array.isArray(transactions)) return undefined;
    const txGasLimits = transactions.map(txGasLimit);
    if (txGasLimits.some((limit) => limit === undefined)) return undefined;
    return { gasLimit, gasUsed, txGasLimits: txGasLimits as bigint[] };
  } catch {
    return undefined;
  }
}

/**
 * L1 gas EXECUTE charges to re-execute the ABI input of `inputLength` bytes carrying `blockRlp`:
 * what a caller must pass it (see `l2GasClaimOfBlockRlp`).
 */
export function executeGasCostOfBlock(
  inputLength: number,
  blockRlp: Uint8Array,
  schedule: ExecuteGasSchedule = DEFAULT_EXECUTE_GAS_SCHEDULE,
): bigint {
  const claim = l2GasClaimOfBlockRlp(blockRlp);
  return executeGasCost(inputLength, claim === undefined ? 0n : chargedL2Gas(claim), schedule);
}

/** The byte fields of a re-executing EXECUTE call: the input's length and the block price it. */
export interface ReexecutionInput {
  readonly parentHeader: Uint8Array;
  readonly block: Uint8Array;
  readonly witness: Uint8Array;
}

/**
 * L1 gas EXECUTE charges to re-execute `block` on `parentHeader` from `witness` (no proofs): its
 * ABI input's length and the block's L2 gas claim, priced by `executeGasCostOfBlock`. One formula
 * for every caller that prices an `advance` (the batch submitter, the dashboard), so that they
 * cannot drift from each other or from the precompile.
 */
export function reexecutionGasCost(
  input: ReexecutionInput,
  schedule: ExecuteGasSchedule = DEFAULT_EXECUTE_GAS_SCHEDULE,
): bigint {
  const inputLength = executeInputLength({ ...input, proofs: new Uint8Array() });
  return executeGasCostOfBlock(inputLength, input.block, schedule);
}

/**
 * L1 gas EXECUTE charges to re-execute an input of `inputLength` bytes whose block is charged
 * `l2Gas` (see `chargedL2Gas`; 0 prices only the input, e.g. for a call that fails before running).
 */
export function executeGasCost(
  inputLength: number,
  l2Gas: bigint,
  schedule: ExecuteGasSchedule = DEFAULT_EXECUTE_GAS_SCHEDULE,
): bigint {
  return schedule.baseGas + schedule.perInputByteGas * BigInt(inputLength) + schedule.perL2Gas * l2Gas;
}

/**
 * The largest L2 block gas limit EXECUTE can verify by re-execution: one call runs inside one L1
 * transaction, so the L2 gas it charges plus its base cost must fit the L1 transaction gas cap
 * (EIP-7825). A header with a higher gas limit could be unverifiable, so the header rules treat it
 * as invalid (≥ 64), checked before anything is charged. 16,677,216 with the defaults.
 */
export function maxVerifiableL2GasLimit(
  schedule: ExecuteGasSchedule = DEFAULT_EXECUTE_GAS_SCHEDULE,
  l1TxGasCap: bigint = L1_TX_GAS_LIMIT_CAP,
): bigint {
  return schedule.perL2Gas === 0n ? l1TxGasCap : (l1TxGasCap - schedule.baseGas) / schedule.perL2Gas;
}

/** Sizes that price a proof-mode call. */
export interface ProofModeInput {
  readonly inputLength: number;
  readonly blockLength: number;
  readonly witnessLength: number;
  readonly proofCount: number;
}

/**
 * L1 gas of EXECUTE in proof mode: flat in the L2 block's size. The witness is not read and the
 * block body is only hashed, so neither is charged at the per-byte rate, and the block is not run.
 */
export function proofModeGasCost(
  input: ProofModeInput,
  schedule: ExecuteGasSchedule = DEFAULT_EXECUTE_GAS_SCHEDULE,
): bigint {
  const chargedBytes = BigInt(input.inputLength - input.blockLength - input.witnessLength);
  const blockWords = BigInt(Math.ceil(input.blockLength / 32));
  return (
    schedule.baseGas +
    schedule.perProofGas * BigInt(input.proofCount) +
    schedule.perInputByteGas * chargedBytes +
    schedule.perBlockWordGas * blockWords
  );
}
