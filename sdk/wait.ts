import type { Provider, TransactionReceipt } from "ethers";

import { TransactionFailedError, WaitTimeoutError } from "./errors";

/** How long and how often a wait polls. */
export interface WaitOptions {
  /** Give up after this many milliseconds (WaitTimeoutError). */
  readonly timeoutMs?: number;
  /** Milliseconds between checks; the client's `pollingIntervalMs` by default. */
  readonly pollingIntervalMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One poll's outcome: done with a value, or not yet with a line describing where things stand. */
export type Poll<T> = { readonly done: true; readonly value: T } | { readonly done: false; readonly seen: string };

/**
 * Polls `check` until it is done or `timeoutMs` passes. Each check runs to completion before the
 * next, so a slow node is never flooded; the timeout error carries what the last check saw.
 */
export async function poll<T>(
  what: string,
  check: () => Promise<Poll<T>>,
  options: { timeoutMs: number; intervalMs: number; hint: (seen: string) => string },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const result = await check();
    if (result.done) return result.value;
    if (Date.now() >= deadline)
      throw new WaitTimeoutError(what, options.timeoutMs, result.seen, options.hint(result.seen));
    await sleep(Math.min(options.intervalMs, Math.max(0, deadline - Date.now())));
  }
}

/**
 * Waits for a transaction's receipt by polling at the SDK's interval (ethers' `tx.wait()` follows
 * the provider's polling interval, 4 s by default, which would dominate a devnet round trip), and
 * turns a revert into TransactionFailedError.
 */
export async function waitForReceipt(
  provider: Provider,
  layer: "L1" | "L2",
  hash: string,
  options: { timeoutMs: number; intervalMs: number },
): Promise<TransactionReceipt> {
  const receipt = await poll<TransactionReceipt>(
    `${layer} transaction ${hash} to be mined`,
    async () => {
      const found = await provider.getTransactionReceipt(hash);
      return found === null ? { done: false, seen: "not mined" } : { done: true, value: found };
    },
    {
      ...options,
      hint: () => `check that the ${layer} node is producing blocks; the transaction may still be in its mempool`,
    },
  );
  if (receipt.status !== 1) throw new TransactionFailedError(layer, hash, "reverted");
  return receipt;
}
