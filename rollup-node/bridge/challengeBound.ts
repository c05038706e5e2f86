import {
  DEFAULT_EXECUTE_GAS_SCHEDULE,
  type ExecuteGasSchedule,
  L1_TX_GAS_LIMIT_CAP,
  executeGasCost,
  executeInputLength,
} from "../../precompiles";
import {
  COPY_GAS_PER_WORD,
  FLOOR_GAS_PER_TOKEN,
  KECCAK_GAS,
  KECCAK_GAS_PER_WORD,
  STANDARD_GAS_PER_TOKEN,
  TOKENS_PER_NONZERO_BYTE,
  TX_BASE_GAS,
} from "./l1GasPrices";

/**
 * What one `OptimisticRollup.challenge` costs at most, and so which proposals the contract accepts
 * (docs/design/optimistic-challenges.md, "The joint rule"). Pure arithmetic, shared by the
 * challenger (its transaction's gas limit), the batch submitter and the sequencer (never build or
 * propose a block the contract would refuse). OptimisticRollup.sol computes the same function
 * (`challengeGasBound`); test/contracts/optimisticRollup.test.ts checks that both agree.
 */

/** OptimisticRollup's MAX_PROPOSAL_BYTES (384 KiB): parent header + block + witness a proposal may post. */
export const MAX_PROPOSAL_BYTES = 384 * 1024;

/** Calldata of `challenge` besides the three byte fields: selector and eight ABI words (5 heads, 3 lengths). */
const CHALLENGE_ABI_BYTES = 4 + 8 * 32;
/** Three byte fields pad to at most this much more than their sum padded as one (Σ padding ≤ 93 and ≡ the sum's). */
const EXTRA_FIELD_PADDING = 2 * 32;
/** EIP-7623 floor of a non-zero byte (a witness is nearly all non-zero): 10 gas per token, 4 tokens. */
const FLOOR_GAS_PER_BYTE = FLOOR_GAS_PER_TOKEN * TOKENS_PER_NONZERO_BYTE;
/** Standard calldata price of a non-zero byte (EIP-2028). */
const CALLDATA_GAS_PER_BYTE = STANDARD_GAS_PER_TOKEN * TOKENS_PER_NONZERO_BYTE;
/** Memory the contract fills per input byte: calldata copied for `keccak256` and for `tryExecute`, and `abi.encode`'s copy. */
const MEMORY_COPIES = 3n;
/**
 * The contract's own work besides copies and hashes: storage reads, the event, the payout. EXECUTE's
 * reason is at most MAX_EXECUTE_REASON_BYTES (256) and tryExecute copies at most 356 bytes of what it
 * returns, so copying, decoding and logging the reason fit here whatever the block holds.
 */
const CHALLENGE_CONTRACT_GAS = 100_000n;
/** The 63/64 rule (EIP-150): the CALL to EXECUTE must hold a 64th more than it forwards. */
const CALL_RESERVE_DIVISOR = 63n;

/** EVM memory expansion cost to `bytes` bytes: 3 per word plus words² / 512 (the yellow paper's C_mem). */
function memoryGas(bytes: bigint): bigint {
  const words = (bytes + 31n) / 32n;
  return 3n * words + (words * words) / 512n;
}

/**
 * Upper bound on the L1 gas a `challenge` needs (its transaction's gas limit) when the proposal
 * committed `committedBytes` (parent header + block + witness, every byte taken as non-zero) and
 * EXECUTE charges `l2Gas` L2 gas for the block (at most the header's gas limit, see `chargedL2Gas`):
 * the larger of EIP-7623's calldata floor and the standard cost (calldata, EXECUTE's charge from
 * `executeGasCost` with the 63/64 reserve of its CALL, memory and copies for the three in-memory
 * copies of the input, keccak, the contract's own work).
 */
export function challengeGasBound(
  committedBytes: number,
  l2Gas: bigint,
  schedule: ExecuteGasSchedule = DEFAULT_EXECUTE_GAS_SCHEDULE,
): bigint {
  const padded = BigInt(Math.ceil(committedBytes / 32) * 32);
  const calldata = BigInt(CHALLENGE_ABI_BYTES + 3 * 32) + padded;
  const inputLength =
    executeInputLength({
      parentHeader: new Uint8Array(committedBytes),
      block: new Uint8Array(),
      witness: new Uint8Array(),
      proofs: new Uint8Array(),
    }) + EXTRA_FIELD_PADDING;
  const input = BigInt(inputLength);
  const inputWords = (input + 31n) / 32n;
  const executeGas = executeGasCost(inputLength, l2Gas, schedule);
  const forwarded = executeGas + executeGas / CALL_RESERVE_DIVISOR + 1n;
  // Three hashes: the parent header, the block, the witness.
  const keccak = 3n * KECCAK_GAS + KECCAK_GAS_PER_WORD * inputWords;
  const copies = COPY_GAS_PER_WORD * MEMORY_COPIES * inputWords;
  const standard =
    TX_BASE_GAS +
    CALLDATA_GAS_PER_BYTE * calldata +
    forwarded +
    memoryGas(MEMORY_COPIES * input) +
    copies +
    keccak +
    CHALLENGE_CONTRACT_GAS;
  const floor = TX_BASE_GAS + FLOOR_GAS_PER_BYTE * calldata;
  return standard > floor ? standard : floor;
}

/** Why a proposal would be refused by OptimisticRollup.propose, with the offending figures. */
export interface ProposalExcess {
  readonly reason: string;
  /** How far over the binding limit it is (> 1): the larger of bytes / MAX_PROPOSAL_BYTES and challenge gas / cap. */
  readonly ratio: number;
}

/**
 * Why OptimisticRollup.propose would refuse a proposal committing `committedBytes` under a header
 * gas limit of `gasLimit`, or undefined when it accepts it: more than `maxProposalBytes`
 * (ProposalTooLarge), or a challenge that could need more than one L1 transaction carries
 * (ProposalNotChallengeable: `challengeGasBound(committedBytes, gasLimit) > cap`). The contract
 * bounds the L2 gas by the header's gas limit, which EXECUTE's charge never exceeds.
 */
export function proposalExcess(
  committedBytes: number,
  gasLimit: bigint,
  limits: { readonly maxProposalBytes?: number; readonly cap?: bigint; readonly schedule?: ExecuteGasSchedule } = {},
): ProposalExcess | undefined {
  const maxBytes = limits.maxProposalBytes ?? MAX_PROPOSAL_BYTES;
  const cap = limits.cap ?? L1_TX_GAS_LIMIT_CAP;
  if (committedBytes > maxBytes) {
    return {
      reason: `parent header, block and witness (${committedBytes} B) exceed MAX_PROPOSAL_BYTES ${maxBytes}`,
      ratio: committedBytes / maxBytes,
    };
  }
  const gas = challengeGasBound(committedBytes, gasLimit, limits.schedule);
  if (gas <= cap) return undefined;
  return {
    reason: `its challenge could need ${gas} L1 gas (${committedBytes} B committed, header gas limit ${gasLimit}), over the ${cap} one L1 transaction may use`,
    ratio: Number(gas) / Number(cap),
  };
}

/**
 * The most bytes a proposal may commit under a header gas limit of `gasLimit` (0 when none): the
 * figure the design note and the sequencer's budget tests quote.
 */
export function maxCommittedBytes(
  gasLimit: bigint,
  limits: { readonly maxProposalBytes?: number; readonly cap?: bigint; readonly schedule?: ExecuteGasSchedule } = {},
): number {
  let low = 0;
  let high = limits.maxProposalBytes ?? MAX_PROPOSAL_BYTES;
  if (proposalExcess(0, gasLimit, limits) !== undefined) return 0;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (proposalExcess(mid, gasLimit, limits) === undefined) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** The largest header gas limit under which a proposal committing `committedBytes` is accepted (0n when none). */
export function maxProposableGasLimit(
  committedBytes: number,
  limits: { readonly maxProposalBytes?: number; readonly cap?: bigint; readonly schedule?: ExecuteGasSchedule } = {},
): bigint {
  if (proposalExcess(committedBytes, 0n, limits) !== undefined) return 0n;
  let low = 0n;
  let high = limits.cap ?? L1_TX_GAS_LIMIT_CAP;
  while (low < high) {
    const mid = (low + high + 1n) / 2n;
    if (proposalExcess(committedBytes, mid, limits) === undefined) low = mid;
    else high = mid - 1n;
  }
  return low;
}
