import type { EVMInterface } from "@ethereumjs/evm";
import type { VM } from "@ethereumjs/vm";

import { ExecuteError, ExecuteErrorCode } from "./errors";

/** Longest stretch, in ms, re-execution runs without letting the node answer other requests. */
export const DEFAULT_YIELD_EVERY_MS = 10;

/** When re-execution must give way: to the event loop, and (in simulations) to a deadline. */
export interface ExecutionPacing {
  /** `Date.now()` after which a simulated call's verification stops with `SimulationTimeout`; none for blocks. */
  readonly deadline?: number;
  /** The limit `deadline` was set from, for the error message. */
  readonly timeoutMs?: number;
  /** Longest run in ms between two turns of the event loop (default `DEFAULT_YIELD_EVERY_MS`). */
  readonly yieldEveryMs?: number;
}

/** Most transactions a gas-mismatch message lists one by one; the rest are counted (the first and the last are kept). */
export const MAX_LISTED_TRANSACTION_GAS = 16;
/** Of `MAX_LISTED_TRANSACTION_GAS`, how many are the block's first transactions (the rest are its last). */
const LISTED_FIRST = 4;

/**
 * Each transaction's gas as runBlock adds it to the block (`#index gas (cumulative)`), for a
 * gas-mismatch message: which transaction paid what, so a verdict that differs from the builder's
 * names the transaction where the two parted (attack-review-s25.md, round 26). A long block lists
 * its first and last transactions and counts the ones between.
 */
export function describeTransactionGas(gasOfEach: readonly bigint[]): string {
  if (gasOfEach.length === 0) return "no transaction ran";
  let cumulative = 0n;
  const items = gasOfEach.map((gas, index) => {
    cumulative += gas;
    return `#${index} ${gas} (${cumulative})`;
  });
  if (items.length <= MAX_LISTED_TRANSACTION_GAS) return `gas of each transaction (cumulative): ${items.join(", ")}`;
  const last = MAX_LISTED_TRANSACTION_GAS - LISTED_FIRST;
  const skipped = items.length - MAX_LISTED_TRANSACTION_GAS;
  return `gas of each transaction (cumulative): ${[...items.slice(0, LISTED_FIRST), `… ${skipped} more …`, ...items.slice(-last)].join(", ")}`;
}

/** What runBlock adds to the block's gas for one transaction (after refunds, or the EIP-7623 floor). */
export function blockGasOf(result: { readonly blockGasSpent?: bigint; readonly totalGasSpent: bigint }): bigint {
  return result.blockGasSpent ?? result.totalGasSpent;
}

/**
 * Stops a block's execution after the first transaction that takes its cumulative gas past the
 * header's `gasUsed`. Block gas only grows from one transaction to the next, so such a block can
 * never end at `gasUsed`: it is invalid, and what EXECUTE charges (`chargedL2Gas`) then covers
 * the work done — `gasUsed` plus the one transaction that overshot. The error lists the gas of
 * every transaction run (`describeTransactionGas`).
 */
export function stopPastClaimedGas(vm: VM, claimedGasUsed: bigint): void {
  const gasOfEach: bigint[] = [];
  let used = 0n;
  vm.events.on("afterTx", (result) => {
    const gas = blockGasOf(result);
    gasOfEach.push(gas);
    used += gas;
    if (used > claimedGasUsed) {
      throw new ExecuteError(
        ExecuteErrorCode.GasUsedMismatch,
        `gasUsed mismatch: after transaction ${gasOfEach.length - 1} the block has used ${used}, more than the header's ${claimedGasUsed}; ${describeTransactionGas(gasOfEach)}`,
      );
    }
  });
}

/** Stops a simulation past its deadline with `SimulationTimeout` (never a block: it has no deadline). */
export function checkDeadline(pacing: ExecutionPacing): void {
  if (pacing.deadline !== undefined && Date.now() > pacing.deadline) {
    throw new ExecuteError(
      ExecuteErrorCode.SimulationTimeout,
      `EXECUTE stopped after the ${pacing.timeoutMs ?? "configured"} ms a simulated call may run it (eth_call / eth_estimateGas)`,
    );
  }
}

/**
 * Gives the event loop a turn at least every `yieldEveryMs` of execution (at call boundaries, where
 * every precompile call and sub-call passes) so the node keeps answering while EXECUTE runs, and
 * stops a simulation past its deadline. EthereumJS awaits a two-argument listener until it calls
 * back, and a listener that throws aborts the run.
 */
export function paceExecution(evm: EVMInterface, pacing: ExecutionPacing): void {
  const every = pacing.yieldEveryMs ?? DEFAULT_YIELD_EVERY_MS;
  let lastTurn = performance.now();
  evm.events!.on("beforeMessage", (_message: unknown, resume?: (result?: unknown) => void) => {
    checkDeadline(pacing);
    const now = performance.now();
    if (now - lastTurn < every) return resume?.();
    lastTurn = now;
    setImmediate(() => resume?.());
  });
}
