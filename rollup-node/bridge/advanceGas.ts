import { L1_TX_GAS_LIMIT_CAP, executeInputLength, proofModeGasCost, reexecutionGasCost } from "../../precompiles";
import {
  COPY_GAS_PER_WORD,
  FLOOR_GAS_PER_TOKEN,
  KECCAK_GAS_PER_WORD,
  LOG_GAS_PER_BYTE,
  STANDARD_GAS_PER_TOKEN,
  TOKENS_PER_NONZERO_BYTE,
  TX_BASE_GAS,
} from "./l1GasPrices";

/**
 * The gas limit of an `advance` transaction, derived instead of searched
 * (docs/design/advance-pricing.md). `eth_estimateGas` finds it by a binary search that runs the
 * whole transaction, and so EXECUTE's stateless re-execution of the L2 block, at every step; but
 * EXECUTE's charge is a function of its input alone (precompiles/gas.ts, the function the
 * precompile itself uses), the calldata's price is a function of its bytes, and what the rollup
 * contract does around EXECUTE is bounded by the sizes it copies and the messages it checks. So
 * the limit is their sum, known before anything runs; one simulation at that limit then checks
 * that the block would be accepted. Pure arithmetic, like ./challengeBound.ts for `challenge`.
 */

/** What prices one `advance` transaction. */
export interface AdvanceGasInput {
  /** The transaction's calldata (selector and ABI arguments): its intrinsic cost and EIP-7623 floor. */
  readonly calldata: Uint8Array;
  /** EXECUTE's charge for the call (`reexecutionGasCost` or `proofModeGasCost`): exact, a function of its input. */
  readonly executeGas: bigint;
  /** Byte length of EXECUTE's input as the contract encodes it (proofs with the rollup's policy attached). */
  readonly executeInputLength: number;
  /** Byte length of the L2 block's RLP. */
  readonly blockLength: number;
  /** Byte length of the proof bundle EXECUTE receives (0 when re-executing). */
  readonly proofBundleLength: number;
  /** How many queued L1 messages the block consumes (each relay is checked by the contract). */
  readonly consumedMessages: number;
  /** Accepted keys of the rollup's proof policy, which the contract reads from storage on every `advance`. */
  readonly policyKeys: number;
  /** Whether the rollup logs the block's bytes (BlockData): the caller has code (a contract, an EIP-7702 account). */
  readonly logsBlock: boolean;
}

/** The 63/64 rule (EIP-150): the CALL to EXECUTE must hold a 64th more than it forwards. */
const CALL_RESERVE_DIVISOR = 63n;
/**
 * Memory the contract fills besides the copies counted by size: the ABI heads, EXECUTE's 352-byte
 * result and its decoding, the policy, each relay's decoded fields and proof, the event's words.
 */
const MEMORY_SLACK_BYTES = 8n * 1024n;

/**
 * The rollup contract's own work in an `advance` besides what `advanceGasLimit` prices by size:
 * the authorization and head checks (cold SLOADs of the head hash, the sequencer's activity, the
 * message index), keccak of the parent header (≤ 1 KiB), the CALL to EXECUTE, the ExecuteResult's
 * decoding, the sequencing checks, the new head's four SSTOREs (one a fresh `stateRootOf` slot,
 * 22,100), the BlockAdvanced event, and an OptimisticRollup's `provisionalCount` read.
 *
 * Measured (test/bridge/advanceGas.test.ts prints the residual: receipt gas less the calldata,
 * EXECUTE with its 63/64 reserve, and the size-priced terms) at 47–50k on ExampleRollup,
 * OptimisticExampleRollup and ProvenRollup (one key) for small blocks, less for larger ones (the
 * memory bound's slack grows with size). Declared at 80,000: the margin (≥ 30k) covers a move of
 * the contracts' gas by far more than the few hundred gas a change of code layout costs
 * (test/contracts/snapshots/gas.json), a fork that reprices cold storage (EIP-2929 took 2,100 per
 * slot), and a rollup's own `_validateBlock` / `_authorizeAdvance` hook of modest size. A limit too
 * low is caught before any ETH is spent: the simulation at the derived limit runs out of gas, and
 * the submitter falls back to L1's estimate (AdvanceSubmitter).
 */
export const ADVANCE_CONTRACT_GAS = 80_000n;

/**
 * The contract's work per consumed L1 message besides its bytes: the queue reads (cold slots), the
 * relay's RLP walk and ABI decoding, the message hash, the MessageTree root and the relay's proof
 * (one KECCAK256 per tree level). Measured at ≈ 31k per message (the residual of 8 messages less
 * that of 1, over 7, in test/bridge/advanceGas.test.ts); declared at 40,000 (the tree's depth, and
 * so each proof, grows by a level each time the count doubles: ≈ 100 gas a level).
 */
export const ADVANCE_GAS_PER_MESSAGE = 40_000n;

/**
 * Once per block that consumes messages: finding the block's transaction list (an RLP walk of the
 * header), the queue's next entry for the overdue check, and the relays' first memory. Measured at
 * ≈ 18k (the residual of 1 message less that of an empty block, less one ADVANCE_GAS_PER_MESSAGE's
 * measured 31k); declared at 20,000: with ADVANCE_GAS_PER_MESSAGE's margin, ≥ 40k over what 1 message measured.
 */
export const ADVANCE_RELAY_CHECK_GAS = 20_000n;

/** Per accepted key of the proof policy: the cold SLOAD that copies it to memory and the policy's validation. */
export const ADVANCE_GAS_PER_POLICY_KEY = 5_000n;

/** EVM memory expansion cost to `bytes` bytes: 3 per word plus words² / 512 (the yellow paper's C_mem). */
function memoryGas(bytes: bigint): bigint {
  const words = (bytes + 31n) / 32n;
  return 3n * words + (words * words) / 512n;
}

function words(bytes: bigint): bigint {
  return (bytes + 31n) / 32n;
}

/** Calldata tokens of `calldata` (EIP-7623): 1 per zero byte, 4 per other byte. */
export function calldataTokens(calldata: Uint8Array): bigint {
  let tokens = 0n;
  for (const byte of calldata) tokens += byte === 0 ? 1n : TOKENS_PER_NONZERO_BYTE;
  return tokens;
}

/**
 * The gas limit of an `advance` with `input`: never below what the transaction uses when EXECUTE
 * accepts the block, and at most `cap` (EIP-7825's 2^24). The larger of EIP-7623's calldata floor
 * and the standard cost: intrinsic gas (21,000 and the calldata), EXECUTE's exact charge with the
 * 63/64 reserve of its CALL, the memory the contract fills (two copies of EXECUTE's input — the
 * calldata arguments copied to memory, then `abi.encode`'d for the CALL — the proof bundle once
 * more as it is decoded and re-encoded with the policy, the relays' messages decoded and
 * re-encoded to be hashed, the block for BlockData) and the copies', hashes' and log's price,
 * and the contract's own work (ADVANCE_CONTRACT_GAS, ADVANCE_RELAY_CHECK_GAS, ADVANCE_GAS_PER_MESSAGE,
 * ADVANCE_GAS_PER_POLICY_KEY).
 */
export function advanceGasLimit(input: AdvanceGasInput, cap: bigint = L1_TX_GAS_LIMIT_CAP): bigint {
  const tokens = calldataTokens(input.calldata);
  const executeInput = BigInt(input.executeInputLength);
  const block = BigInt(input.blockLength);
  const messages = BigInt(input.consumedMessages);
  const relayBytes = messages > 0n ? 2n * block : 0n;
  const copied = 2n * executeInput + BigInt(input.proofBundleLength) + (input.logsBlock ? block : 0n) + relayBytes;
  const forwarded = input.executeGas + input.executeGas / CALL_RESERVE_DIVISOR + 1n;
  const hashed = messages > 0n ? KECCAK_GAS_PER_WORD * words(block) : 0n;
  const logged = input.logsBlock ? LOG_GAS_PER_BYTE * (32n + 32n * words(block)) : 0n;
  const standard =
    TX_BASE_GAS +
    STANDARD_GAS_PER_TOKEN * tokens +
    forwarded +
    memoryGas(copied + MEMORY_SLACK_BYTES) +
    COPY_GAS_PER_WORD * words(copied) +
    hashed +
    logged +
    ADVANCE_CONTRACT_GAS +
    (messages > 0n ? ADVANCE_RELAY_CHECK_GAS + ADVANCE_GAS_PER_MESSAGE * messages : 0n) +
    ADVANCE_GAS_PER_POLICY_KEY * BigInt(input.policyKeys);
  const floor = TX_BASE_GAS + FLOOR_GAS_PER_TOKEN * tokens;
  const limit = standard > floor ? standard : floor;
  return limit < cap ? limit : cap;
}

/** One `advance` as the submitter sends it, with what the rollup adds to it. */
export interface AdvanceCall {
  /** The transaction's calldata: `advance(parentHeader, block, witness, proofs, consumedMessages)`. */
  readonly calldata: Uint8Array;
  readonly parentHeader: Uint8Array;
  readonly block: Uint8Array;
  /** Empty when the block goes on proofs. */
  readonly witness: Uint8Array;
  /** EXECUTE's `proofs` field: the proofs with the rollup's policy attached (`encodeProofBundle`); empty to re-execute. */
  readonly proofBundle: Uint8Array;
  /** How many proofs the bundle holds. */
  readonly proofCount: number;
  readonly consumedMessages: number;
  /** Accepted keys of the rollup's proof policy. */
  readonly policyKeys: number;
  /** Whether the sender has code (a contract, an EIP-7702 account): the rollup then logs the block. */
  readonly logsBlock: boolean;
}

/** EXECUTE's charge for `call` and the gas limit of its transaction (`advanceGasLimit`). */
export function advanceGasOf(
  call: AdvanceCall,
  cap: bigint = L1_TX_GAS_LIMIT_CAP,
): { executeGas: bigint; gasLimit: bigint } {
  const inputLength = executeInputLength({
    parentHeader: call.parentHeader,
    block: call.block,
    witness: call.witness,
    proofs: call.proofBundle,
  });
  const executeGas =
    call.proofBundle.length === 0
      ? reexecutionGasCost({ parentHeader: call.parentHeader, block: call.block, witness: call.witness })
      : proofModeGasCost({
          inputLength,
          blockLength: call.block.length,
          witnessLength: call.witness.length,
          proofCount: call.proofCount,
        });
  const gasLimit = advanceGasLimit(
    {
      calldata: call.calldata,
      executeGas,
      executeInputLength: inputLength,
      blockLength: call.block.length,
      proofBundleLength: call.proofBundle.length,
      consumedMessages: call.consumedMessages,
      policyKeys: call.policyKeys,
      logsBlock: call.logsBlock,
    },
    cap,
  );
  return { executeGas, gasLimit };
}
