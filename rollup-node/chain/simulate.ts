import { type Block, createBlock } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import { type TypedTransaction, type TypedTxData, createTx } from "@ethereumjs/tx";
import { getActivePrecompiles } from "@ethereumjs/evm";
import { Address, bytesToHex, createZeroAddress, hexToBytes, setLengthLeft } from "@ethereumjs/util";
import { type RunTxResult, type VM, runTx } from "@ethereumjs/vm";

import { TransactionRejectedError } from "./errors";
import { executionError } from "./revert";
import { describeRejection } from "./txValidation";
import type { BeforeExecutionHook, CallRequest, CallResult } from "./types";

/** EIP-7825 (Osaka): no transaction may carry more gas than 2^24. */
export const TX_GAS_LIMIT_CAP = 16_777_216n;
/** geth stops the estimate search once the bounds are within 1.5% of each other. */
const ESTIMATE_TOLERANCE_PER_MILLE = 15n;

export interface SimulationContext {
  readonly vm: VM;
  readonly common: Common;
  /** The block whose header is the execution context (its state is already loaded). */
  readonly block: Block;
  readonly beforeExecution?: BeforeExecutionHook;
}

/**
 * The next block after `parent` as it would be built at `timestamp`, without transactions: what
 * a call or an estimate at "pending" runs in (its number, time, base fee and blob gas are the
 * next block's, so code reading them sees what the transaction will).
 */
export function pendingBlock(parent: Block, timestamp: bigint, common: Common): Block {
  const header = parent.header;
  return createBlock(
    {
      header: {
        parentHash: parent.hash(),
        number: header.number + 1n,
        timestamp,
        coinbase: header.coinbase,
        gasLimit: header.gasLimit,
        mixHash: parent.hash(),
        baseFeePerGas: common.isActivatedEIP(1559) ? header.calcNextBaseFee() : undefined,
        excessBlobGas: header.excessBlobGas === undefined ? undefined : header.calcNextExcessBlobGas(common),
        blobGasUsed: header.blobGasUsed === undefined ? undefined : 0n,
        parentBeaconBlockRoot: header.parentBeaconBlockRoot,
        withdrawalsRoot: header.withdrawalsRoot,
        requestsHash: header.requestsHash,
      },
    },
    { common },
  );
}

/** The highest gas a simulated transaction may carry at this block. */
export function simulationGasCap(ctx: SimulationContext): bigint {
  const blockLimit = ctx.block.header.gasLimit;
  return ctx.common.isActivatedEIP(7825) && blockLimit > TX_GAS_LIMIT_CAP ? TX_GAS_LIMIT_CAP : blockLimit;
}

function hasFees(request: CallRequest): boolean {
  return (
    (request.gasPrice ?? 0n) > 0n || (request.maxFeePerGas ?? 0n) > 0n || (request.maxPriorityFeePerGas ?? 0n) > 0n
  );
}

// Without fee fields, geth runs calls at base fee 0 so that a zero-priced call is valid.
function contextBlock(ctx: SimulationContext, request: CallRequest): Block {
  const h = ctx.block.header;
  return createBlock(
    {
      header: {
        parentHash: h.parentHash,
        number: h.number,
        timestamp: h.timestamp,
        coinbase: h.coinbase,
        gasLimit: h.gasLimit,
        mixHash: h.mixHash,
        baseFeePerGas: hasFees(request) ? h.baseFeePerGas : 0n,
        excessBlobGas: h.excessBlobGas,
        blobGasUsed: h.blobGasUsed,
        parentBeaconBlockRoot: h.parentBeaconBlockRoot,
        withdrawalsRoot: h.withdrawalsRoot,
        requestsHash: h.requestsHash,
      },
    },
    { common: ctx.common },
  );
}

function simulatedTx(ctx: SimulationContext, request: CallRequest, gasLimit: bigint): TypedTransaction {
  const base = {
    to: request.to,
    value: request.value ?? 0n,
    data: request.data ?? new Uint8Array(),
    gasLimit,
    nonce: request.nonce ?? 0n,
    accessList: request.accessList?.map((item) => [item.address, [...item.storageKeys]]),
  };
  const data: TypedTxData =
    request.gasPrice !== undefined && request.maxFeePerGas === undefined
      ? ({ ...base, type: request.accessList ? 1 : 0, gasPrice: request.gasPrice } as TypedTxData)
      : ({
          ...base,
          type: 2,
          maxFeePerGas: request.maxFeePerGas ?? 0n,
          maxPriorityFeePerGas: request.maxPriorityFeePerGas ?? 0n,
        } as TypedTxData);
  const tx = createTx(data, { common: ctx.common, freeze: false });
  const from = request.from !== undefined ? new Address(request.from) : createZeroAddress();
  // An unsigned transaction "sent" by `from`: how EthereumJS simulates calls without a key.
  tx.getSenderAddress = () => from;
  return tx;
}

/** Runs `request` once with `gasLimit` on the loaded state, leaving the state untouched. */
async function runOnce(
  ctx: SimulationContext,
  request: CallRequest,
  gasLimit: bigint,
  reportAccessList = false,
): Promise<RunTxResult> {
  const { vm } = ctx;
  ctx.beforeExecution?.("call");
  await vm.evm.journal.checkpoint();
  try {
    return await runTx(vm, {
      tx: simulatedTx(ctx, request, gasLimit),
      block: contextBlock(ctx, request),
      skipNonce: true,
      skipBalance: !hasFees(request),
      skipBlockGasLimitValidation: true,
      skipHardForkValidation: true,
      reportAccessList,
    });
  } catch (error) {
    const { reason, hint } = describeRejection((error as Error).message);
    throw new TransactionRejectedError(reason, hint, reason);
  } finally {
    await vm.evm.journal.revert();
  }
}

/** eth_call: executes without committing; a revert raises ExecutionRevertedError. */
export async function simulateCall(ctx: SimulationContext, request: CallRequest): Promise<CallResult> {
  const cap = simulationGasCap(ctx);
  const gas = request.gas === undefined || request.gas > cap ? cap : request.gas;
  const result = await runOnce(ctx, request, gas);
  if (result.execResult.exceptionError !== undefined) throw executionError(result.execResult);
  return { returnValue: result.execResult.returnValue, gasUsed: result.totalGasSpent };
}

function succeeded(result: RunTxResult): boolean {
  return result.execResult.exceptionError === undefined;
}

/**
 * eth_estimateGas: the smallest gas limit (within 1.5%, as geth) at which the call succeeds.
 * Gas used is not enough (refunds, the 63/64 rule, EXECUTE's all-or-nothing gas), hence the search.
 */
export async function estimateGas(ctx: SimulationContext, request: CallRequest): Promise<bigint> {
  const cap = simulationGasCap(ctx);
  let hi = request.gas !== undefined && request.gas < cap ? request.gas : cap;
  const first = await runOnce(ctx, request, hi);
  if (!succeeded(first)) throw executionError(first.execResult);
  let lo = first.totalGasSpent - 1n;
  // Plain transfers and refund-free calls succeed with exactly the gas they use.
  if (first.gasRefund === 0n && first.totalGasSpent < hi) {
    const exact = await runOnce(ctx, request, first.totalGasSpent).catch(() => undefined);
    if (exact !== undefined && succeeded(exact)) return first.totalGasSpent;
  }
  // Most calls succeed with gas used + refund + a 64th: try that before searching.
  const optimistic = ((first.totalGasSpent + first.gasRefund + 2300n) * 64n) / 63n;
  if (optimistic < hi) {
    const attempt = await runOnce(ctx, request, optimistic).catch(() => undefined);
    if (attempt !== undefined && succeeded(attempt)) hi = optimistic;
    else lo = optimistic;
  }
  while (lo + 1n < hi && ((hi - lo) * 1000n) / hi > ESTIMATE_TOLERANCE_PER_MILLE) {
    const mid = (lo + hi) / 2n;
    const attempt = await runOnce(ctx, request, mid).catch((error: unknown) => {
      if (error instanceof TransactionRejectedError && error.reason === "intrinsic gas too low") return undefined;
      throw error;
    });
    if (attempt !== undefined && succeeded(attempt)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** eth_createAccessList's answer: the list, the gas the call uses with it, and its failure if any. */
export interface AccessListResult {
  readonly accessList: readonly AccessListEntry[];
  readonly gasUsed: bigint;
  readonly error?: string;
}

export interface AccessListEntry {
  readonly address: Uint8Array;
  readonly storageKeys: readonly Uint8Array[];
}

/** Rounds until the list settles: each list changes the warm set, hence possibly the path. */
const MAX_ACCESS_LIST_ROUNDS = 8;

function sameList(a: readonly AccessListEntry[] | undefined, b: readonly AccessListEntry[]): boolean {
  const key = (list: readonly AccessListEntry[]): string =>
    list.map((e) => `${bytesToHex(e.address)}:${e.storageKeys.map(bytesToHex).join(",")}`).join(";");
  return a !== undefined && key(a) === key(b);
}

/**
 * eth_createAccessList, as geth builds it: run with the current list, take what the call
 * touched, repeat until the list no longer changes. Addresses every transaction warms anyway
 * (sender, recipient, precompiles) are left out unless their storage was touched.
 */
export async function createAccessList(ctx: SimulationContext, request: CallRequest): Promise<AccessListResult> {
  const cap = simulationGasCap(ctx);
  const gas = request.gas === undefined || request.gas > cap ? cap : request.gas;
  const excluded = new Set<string>([
    bytesToHex(request.from ?? new Uint8Array(20)),
    ...(request.to !== undefined ? [bytesToHex(request.to)] : []),
    ...[...getActivePrecompiles(ctx.common).keys()].map((a) => `0x${a}`),
  ]);
  let list: readonly AccessListEntry[] | undefined = request.accessList;
  for (let round = 0; ; round++) {
    const result = await runOnce(ctx, { ...request, accessList: list ?? [] }, gas, true);
    const touched: AccessListEntry[] = (result.accessList ?? [])
      .map((item) => ({
        address: hexToBytes(item.address),
        storageKeys: item.storageKeys.map((k) => setLengthLeft(hexToBytes(k), 32)),
      }))
      .filter((item) => item.storageKeys.length > 0 || !excluded.has(bytesToHex(item.address)));
    if (sameList(list, touched) || round + 1 >= MAX_ACCESS_LIST_ROUNDS) {
      // geth reports the bare EVM error here ("execution reverted"), without a decoded reason.
      const failure = result.execResult.exceptionError?.error;
      const error = failure === undefined ? undefined : failure === "revert" ? "execution reverted" : failure;
      return { accessList: touched, gasUsed: result.totalGasSpent, ...(error !== undefined ? { error } : {}) };
    }
    list = touched;
  }
}
