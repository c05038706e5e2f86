import type { TypedTransaction } from "@ethereumjs/tx";
import type { VM } from "@ethereumjs/vm";

/**
 * How long a block's execution may run before it lets the event loop serve I/O (ms). The build
 * and the witness capture are long runs of promise continuations: when the trie nodes they read
 * are cached, nothing in them waits for I/O, so no socket is read until the block is done and
 * every eth_sendRawTransaction that arrives meanwhile waits for the whole build (in bench:rollup
 * a block took ~4 admissions per sender, whatever its length). 10 ms keeps an admission's wait
 * near a transfer's execution time while the yields themselves (one setImmediate each) cost
 * nothing measurable.
 */
export const EXECUTION_SLICE_MS = 10;

/**
 * Lets the event loop take a turn before a transaction of `vm` starts, once `sliceMs` has passed
 * since the last turn; returns the function that stops it. Safe wherever the chain already
 * yields on a database read: admission reads the head state on a trie of its own and takes no
 * chain lock, and every other state read waits for the chain's mutex, which the build holds
 * (docs/design/admission-during-build.md).
 */
export function yieldBetweenTransactions(vm: VM, sliceMs: number = EXECUTION_SLICE_MS): () => void {
  let since = performance.now();
  // Two parameters: the VM awaits a listener that takes `resolve` before the transaction runs.
  const listener = (_tx: TypedTransaction, resolve?: (result?: unknown) => void): void => {
    if (performance.now() - since < sliceMs) {
      resolve?.();
      return;
    }
    setImmediate(() => {
      since = performance.now();
      resolve?.();
    });
  };
  vm.events.on("beforeTx", listener);
  return () => {
    vm.events.off("beforeTx", listener);
  };
}
