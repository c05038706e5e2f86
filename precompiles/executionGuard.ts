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

/**
 * Stops a block's execution after the first transaction that takes its cumulative gas past the
 * header's `gasUsed`. Block gas only grows from one transaction to the next, so such a block can
 * never end at `gasUsed`: it is invalid, and what EXECUTE charges (`chargedL2Gas`) then covers
 * the work done — `gasUsed` plus the one transaction that overshot.
 */
export function stopPastClaimedGas(vm: VM, claimedGasUsed: bigint): void {
  let used = 0n;
  let index = 0;
  vm.events.on("afterTx", (result) => {
    // What runBlock adds to the block's gas (after refunds, or the EIP-7623 floor).
    used += result.blockGasSpent ?? result.totalGasSpent;
    if (used > claimedGasUsed) {
      throw new ExecuteError(
        ExecuteErrorCode.GasUsedMismatch,
        `gasUsed mismatch: after transaction ${index} the block has used ${used}, more than the header's ${claimedGasUsed}`,
      );
    }
    index++;
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
