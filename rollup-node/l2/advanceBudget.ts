import type { Common } from "@ethereumjs/common";
import { createFeeMarket1559Tx } from "@ethereumjs/tx";
import { getBytes, id } from "ethers";

import {
  DEFAULT_EXECUTE_GAS_SCHEDULE,
  type ExecuteGasSchedule,
  chargedL2Gas,
  executeGasCost,
  executeInputLength,
  l2GasClaimOfBlockRlp,
} from "../../precompiles";
import { ADVANCE_GAS_PER_MESSAGE, ADVANCE_RELAY_CHECK_GAS, advanceGasLimit } from "../bridge/advanceGas";
import {
  MAX_REQUIRED_MESSAGES_PER_BLOCK,
  MESSAGE_DATA_SIZE_LIMIT,
  MIN_L2_GAS_LIMIT,
  RELAY_GAS_PER_CALLDATA_BYTE,
  RELAY_OVERHEAD_GAS,
} from "../bridge/anchor";
import { L1_GAS_LIMIT_MARGIN_DIVISOR, advanceBuildCap } from "../bridge/advanceGasCap";
import { COPY_GAS_PER_WORD } from "../bridge/l1GasPrices";
import { TX_GAS_LIMIT_CAP } from "../chain/simulate";
import type { BudgetExcess } from "../chain/types";

/**
 * What one re-execution `advance` carries, and whether a block fits it.
 * See docs/design/mempool-and-block-budget.md for the derivation.
 */

/** The parts of an L2 block that `advance(parentHeader, block, witness, proofs, consumedMessages)` sends to L1. */
export interface AdvancePayload {
  readonly parentHeader: Uint8Array;
  readonly block: Uint8Array;
  readonly witness: Uint8Array;
  readonly consumedMessages: number;
}

/**
 * What the rollup and its L1 allow one `advance`: both read from L1 (../bridge/advanceGasCap.ts),
 * so the budget admits no block the submitter cannot send (docs/design/advance-gas-cap.md).
 */
export interface AdvanceLimits {
  /**
   * The most gas a block's `advance` may need: the lower of EIP-7825's 2^24 and the L1's block gas
   * limit less a margin (`advanceBuildCap`). TX_GAS_LIMIT_CAP when absent.
   */
  readonly cap?: bigint;
  /** Accepted keys of the rollup's proof policy, which `advance` reads on every call. None when absent. */
  readonly policyKeys?: number;
}

/** The L1 gas one `advance` of a block needs at most, against what one L1 transaction may use. */
export interface AdvanceGas {
  /** Upper bound of the `advance` transaction's gas (EIP-7623: the larger of execution and the calldata floor). */
  readonly gas: bigint;
  /** The most an `advance` may need (AdvanceLimits.cap): EIP-7825's 2^24, or less on an L1 whose blocks hold less. */
  readonly cap: bigint;
  /** EXECUTE's charge for the block (precompiles/gas.ts), included in `gas`. */
  readonly executeGas: bigint;
  /** The EIP-7623 floor of the calldata (21,000 + 10 per token), which `gas` is at least. */
  readonly calldataFloorGas: bigint;
}

/**
 * The rollup contract's own work in `advance` besides EXECUTE and memory: the parent-header hash,
 * the sequencing checks, five storage writes (one of them a new `stateRootOf` slot, 22.1k cold),
 * the event and the authorization read. At most 48k on the L1 devnet for an empty block
 * (test/rollup-node/l2/advanceBudget.test.ts); over three times that, for the variants' extra
 * checks (OptimisticRollup) and because an underestimate halts L1 acceptance.
 */
export const ADVANCE_CONTRACT_GAS = 160_000n;
/** Yellow Paper memory pricing (unchanged since Frontier): 3 gas per word, plus words² / 512. */
const MEMORY_GAS_PER_WORD = 3n;
const MEMORY_QUAD_DIVISOR = 512n;
/** Calldata-sized copies `advance` holds in memory besides EXECUTE's input (see `advanceGas`). */
const CALLDATA_COPIES_IN_MEMORY = 2n;
/** Words of memory besides the copies: Solidity's scratch space, the ABI heads and EXECUTE's 352-byte result. */
const MEMORY_SLACK_WORDS = 64n;

/** No cap: the submitter's derived limit as derived, to be compared with the cap here. */
const UNCAPPED = 2n ** 256n;

const ADVANCE_SELECTOR = getBytes(id("advance(bytes,bytes,bytes,bytes,uint256)")).slice(0, 4);
/** Any non-zero address: the calldata cost does not depend on it. */
const ROLLUP_PLACEHOLDER: `0x${string}` = `0x${"11".repeat(20)}`;

function writeWord(out: Uint8Array, offset: number, value: number): void {
  let v = value;
  for (let i = 31; i >= 24 && v > 0; i--) {
    out[offset + i] = v & 0xff;
    v = Math.floor(v / 256);
  }
}

/** The exact calldata of `advance` for `payload` (re-execution: empty proofs), as Solidity's ABI lays it out. */
export function advanceCalldata(payload: AdvancePayload): Uint8Array {
  const fields = [payload.parentHeader, payload.block, payload.witness, new Uint8Array()];
  const padded = (n: number): number => Math.ceil(n / 32) * 32;
  const headBytes = 32 * (fields.length + 1);
  const size = ADVANCE_SELECTOR.length + headBytes + fields.reduce((sum, f) => sum + 32 + padded(f.length), 0);
  const out = new Uint8Array(size);
  out.set(ADVANCE_SELECTOR);
  const base = ADVANCE_SELECTOR.length;
  let tail = headBytes;
  fields.forEach((field, i) => {
    writeWord(out, base + 32 * i, tail);
    writeWord(out, base + tail, field.length);
    out.set(field, base + tail + 32);
    tail += 32 + padded(field.length);
  });
  writeWord(out, base + 32 * fields.length, payload.consumedMessages);
  return out;
}

/** The L1 fork's calldata prices, as @ethereumjs/tx holds them. */
interface CalldataPricing {
  readonly txGas: bigint;
  readonly zeroByteGas: bigint;
  readonly nonZeroByteGas: bigint;
  /** EIP-7623's price per token (a zero byte is one token, a non-zero byte four); 0 before Prague. */
  readonly floorPerToken: bigint;
  /** A fork that prices calldata otherwise (EIP-7976, EIP-2780): ask the transaction itself. */
  readonly exact: boolean;
}

const pricings = new WeakMap<Common, CalldataPricing>();

function calldataPricing(common: Common): CalldataPricing {
  let pricing = pricings.get(common);
  if (pricing === undefined) {
    // The transaction library adds its parameters to its own copy of the Common.
    const txCommon = createFeeMarket1559Tx({ to: ROLLUP_PLACEHOLDER }, { common }).common;
    pricing = {
      txGas: txCommon.param("txGas"),
      zeroByteGas: txCommon.param("txDataZeroGas"),
      nonZeroByteGas: txCommon.param("txDataNonZeroGas"),
      floorPerToken: txCommon.isActivatedEIP(7623) ? txCommon.param("totalCostFloorPerToken") : 0n,
      exact: txCommon.isActivatedEIP(7976) || txCommon.isActivatedEIP(2780),
    };
    pricings.set(common, pricing);
  }
  return pricing;
}

/**
 * Intrinsic gas and minimum gas limit (the larger of intrinsic gas and the EIP-7623 floor) of an
 * L1 call carrying `data`: what @ethereumjs/tx's getIntrinsicGas / getMinimumGasLimit return,
 * without building a transaction and counting in BigInts per byte (a 400 KB witness took 150 ms).
 */
export function calldataGas(data: Uint8Array, common: Common): { intrinsic: bigint; minimum: bigint } {
  const pricing = calldataPricing(common);
  if (pricing.exact) {
    const l1Tx = createFeeMarket1559Tx({ data, to: ROLLUP_PLACEHOLDER, gasLimit: TX_GAS_LIMIT_CAP }, { common });
    return { intrinsic: l1Tx.getIntrinsicGas(), minimum: l1Tx.getMinimumGasLimit() };
  }
  let zeros = 0;
  for (const byte of data) if (byte === 0) zeros++;
  const zero = BigInt(zeros);
  const nonZero = BigInt(data.length - zeros);
  const intrinsic = pricing.txGas + pricing.zeroByteGas * zero + pricing.nonZeroByteGas * nonZero;
  const floor = pricing.floorPerToken === 0n ? 0n : pricing.txGas + pricing.floorPerToken * (zero + 4n * nonZero);
  return { intrinsic, minimum: floor > intrinsic ? floor : intrinsic };
}

function words(bytes: bigint): bigint {
  return (bytes + 31n) / 32n;
}

/**
 * Upper bound of the L1 gas of the `advance` that carries `payload`, with the calldata costs of
 * the L1's fork (`common`: the L2 follows the L1's fork) as @ethereumjs/tx prices them:
 *
 *   gas = max(intrinsic + execution, calldata floor,              (EIP-7623)
 *             the submitter's derived limit, bridge/advanceGas.ts)
 *   execution = EXECUTE · 64/63 + memory(2 calldata copies + EXECUTE input) + copies
 *             + ADVANCE_CONTRACT_GAS + relays (ADVANCE_RELAY_CHECK_GAS + ADVANCE_GAS_PER_MESSAGE each:
 *               the submitter's measured figures, ../bridge/advanceGas.ts)
 */
export function advanceGas(
  payload: AdvancePayload,
  common: Common,
  schedule: ExecuteGasSchedule = DEFAULT_EXECUTE_GAS_SCHEDULE,
  l2Gas: bigint = chargedL2GasOfBlock(payload.block),
  limits: AdvanceLimits = {},
): AdvanceGas {
  const data = advanceCalldata(payload);
  const { intrinsic, minimum } = calldataGas(data, common);
  const inputLength = BigInt(
    executeInputLength({
      parentHeader: payload.parentHeader,
      block: payload.block,
      witness: payload.witness,
      proofs: new Uint8Array(),
    }),
  );
  const executeGas = executeGasCost(Number(inputLength), l2Gas, schedule);
  // The 63/64 rule: the CALL must hold a 64th more than it forwards.
  const forwarded = executeGas + executeGas / 63n + 1n;
  // Memory holds the calldata's bytes copied to memory, EXECUTE's ABI-encoded input, and one
  // more copy of the calldata's size: counting one copy underestimated a 411 KB witness's
  // advance by 30k gas on the L1 devnet (test/rollup-node/l2/advanceBudget.test.ts), two bound it.
  const copied = CALLDATA_COPIES_IN_MEMORY * words(BigInt(data.length)) + words(inputLength);
  const memoryWords = copied + MEMORY_SLACK_WORDS;
  const memory = MEMORY_GAS_PER_WORD * memoryWords + (memoryWords * memoryWords) / MEMORY_QUAD_DIVISOR;
  const execution =
    forwarded +
    memory +
    COPY_GAS_PER_WORD * copied +
    ADVANCE_CONTRACT_GAS +
    (payload.consumedMessages > 0
      ? ADVANCE_RELAY_CHECK_GAS + ADVANCE_GAS_PER_MESSAGE * BigInt(payload.consumedMessages)
      : 0n);
  const withExecution = intrinsic + execution;
  const bound = withExecution > minimum ? withExecution : minimum;
  // Never below the limit the submitter derives for this advance (uncapped): a block admitted
  // under it would be sent at the cap, short of what the derivation bounds (the relays' copies
  // and hashes, which this bound does not price).
  // The sequencer does not know whether the submitter's key has code (an EIP-7702 account, whose
  // advances the rollup logs in BlockData at 8 gas a block byte): the bound assumes it does.
  const derived = advanceGasLimit(
    {
      calldata: data,
      executeGas,
      executeInputLength: Number(inputLength),
      blockLength: payload.block.length,
      proofBundleLength: 0,
      consumedMessages: payload.consumedMessages,
      // The contract reads the policy's keys on every advance, re-executed or proven.
      policyKeys: limits.policyKeys ?? 0,
      logsBlock: true,
    },
    UNCAPPED,
  );
  let gas = bound;
  if (derived > gas) gas = derived;
  return {
    gas,
    cap: limits.cap ?? TX_GAS_LIMIT_CAP,
    executeGas,
    calldataFloorGas: minimum,
  };
}

/**
 * Why `payload` does not fit one `advance`, or undefined when it does: the one budget check of
 * block building, for ordinary transactions and L1 messages' relays alike.
 */
export function advanceBudgetExcess(
  payload: AdvancePayload,
  common: Common,
  schedule?: ExecuteGasSchedule,
  l2Gas?: bigint,
  limits?: AdvanceLimits,
): BudgetExcess | undefined {
  const { gas, cap } = advanceGas(payload, common, schedule, l2Gas, limits);
  if (gas <= cap) return undefined;
  return {
    reason: `its advance needs ≈ ${gas} L1 gas (witness ${payload.witness.length} B, block ${payload.block.length} B), over the ${cap} one advance may use on this L1`,
    ratio: Number(gas) / Number(cap),
  };
}

/** The L2 gas EXECUTE charges for a block (0 for bytes that are not a block: EXECUTE rejects those first). */
function chargedL2GasOfBlock(blockRlp: Uint8Array): bigint {
  const claim = l2GasClaimOfBlockRlp(blockRlp);
  return claim === undefined ? 0n : chargedL2Gas(claim);
}

/**
 * The most witness bytes an `advance` can carry beside a block of `blockBytes` consuming
 * `consumedMessages` messages and charged `l2Gas` L2 gas (witness bytes taken as non-zero), under
 * `limits` (2^24 and no policy keys by default): the figure the design note quotes.
 */
export function advanceWitnessCapacity(
  common: Common,
  blockBytes = 1_000,
  consumedMessages = 0,
  schedule?: ExecuteGasSchedule,
  l2Gas = 0n,
  limits?: AdvanceLimits,
): number {
  const parentHeader = new Uint8Array(620).fill(0xff);
  const block = new Uint8Array(blockBytes).fill(0xff);
  const fits = (n: number): boolean =>
    advanceBudgetExcess(
      { parentHeader, block, witness: new Uint8Array(n).fill(0xff), consumedMessages },
      common,
      schedule,
      l2Gas,
      limits,
    ) === undefined;
  let low = 0;
  let high = Number((limits?.cap ?? TX_GAS_LIMIT_CAP) / 16n);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fits(mid)) low = mid;
    else high = mid - 1;
  }
  return low;
}

/**
 * Witness bytes allowed for the block of the messages L1 may require at once: measured 8,402–8,571 B
 * for the block relaying one message at the 64 KB data limit (L2Bridge's slots, the EIP-4788 root;
 * a relay whose call needs more is deferred, which reads only those), doubled for the slots of the
 * up to MAX_REQUIRED_MESSAGES_PER_BLOCK messages of a lighter set.
 */
const REQUIRED_SET_WITNESS_BYTES = 16 * 1024;
/** Block bytes besides the relays' calldata: the header, each relay transaction's envelope and signature. */
const REQUIRED_SET_BLOCK_OVERHEAD_BYTES = 2 * 1024;
/** A relay's calldata besides its message's data: selector, ABI head (13 words) and an 8-level proof, rounded up. */
const RELAY_ABI_AND_PROOF_BYTES = 1024;
/** A parent header's bytes, with room for every optional field. */
const PARENT_HEADER_BYTES = 700;

/**
 * Upper bound of the L1 gas of the `advance` of the heaviest block L1 may require the sequencer to
 * build: the overdue messages its overdue budget holds (at most MIN_L2_GAS_LIMIT of weight, so at
 * most one message's 64 KB of data, or (MIN_L2_GAS_LIMIT − 2 · RELAY_OVERHEAD_GAS) / 40 bytes of
 * relay calldata among several) in one block, priced as non-zero bytes. On an L1 whose build cap
 * is below it, a stranger's messages (two `sendMessage`s of ≈ 31 KB) can make every block L1 would
 * accept one that does not fit its blocks: no block accepted, by anyone, until the L1's limit rises
 * (docs/design/advance-gas-cap.md §3, attack-review-s27.md fourth pass).
 */
export function requiredMessagesAdvanceGas(common: Common, policyKeys = 0): bigint {
  // One message: its data at the limit and its relay's ABI head and proof. Two or more: what their
  // weights leave after an overhead each.
  const oneMessage = MESSAGE_DATA_SIZE_LIMIT + RELAY_ABI_AND_PROOF_BYTES;
  const severalMessages = Number((MIN_L2_GAS_LIMIT - 2n * RELAY_OVERHEAD_GAS) / RELAY_GAS_PER_CALLDATA_BYTE);
  const relayBytes = Math.max(oneMessage, severalMessages);
  const payload: AdvancePayload = {
    parentHeader: new Uint8Array(PARENT_HEADER_BYTES).fill(0xff),
    block: new Uint8Array(relayBytes + REQUIRED_SET_BLOCK_OVERHEAD_BYTES).fill(0xff),
    witness: new Uint8Array(REQUIRED_SET_WITNESS_BYTES).fill(0xff),
    consumedMessages: MAX_REQUIRED_MESSAGES_PER_BLOCK,
  };
  return advanceGas(payload, common, DEFAULT_EXECUTE_GAS_SCHEDULE, MIN_L2_GAS_LIMIT, { policyKeys }).gas;
}

/**
 * The least L1 block gas limit whose build cap (`advanceBuildCap`) holds `requiredMessagesAdvanceGas`:
 * what the node's start and `rollup:deploy` tell the operator an L1 needs.
 */
export function leastL1GasLimitForRequiredMessages(common: Common, policyKeys = 0): bigint {
  const required = requiredMessagesAdvanceGas(common, policyKeys);
  let limit = required + required / (L1_GAS_LIMIT_MARGIN_DIVISOR - 1n);
  while (advanceBuildCap(limit) < required) limit++;
  return limit;
}
