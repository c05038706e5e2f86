import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

import { BridgeError } from "../bridge/errors";
import { DataDirError } from "./errors";
import { RpcError, RpcErrorCode } from "../rpc/errors";
import type { MethodHandler, MethodTable } from "../rpc/methods/types";

/**
 * Why an L2 devnet node no longer submits to L1: the first change L1 could not verify
 * (docs/design/l2-dev-state.md). Blocks from `fromBlock` on are local only.
 */
export interface Detachment {
  /** The dev method that detached the node (hardhat_setBalance, evm_revert, evm_increaseTime…). */
  readonly method: string;
  /** The first L2 block L1 cannot verify (the block built on the patched state, or the first rebuilt one). */
  readonly fromBlock: bigint;
  /** What L1 cannot verify, in words. */
  readonly cause: string;
}

/** The one sentence `rollup_status`, the dashboard and refused bridging calls show. */
export function describeDetachment(d: Detachment): string {
  return `detached from L1: ${d.cause} at block ${d.fromBlock}`;
}

/**
 * The dev methods that detach only by moving the clock (devStateMethods' clock check): the chain
 * is still one L1 could re-execute, its next block is just from L1's future.
 */
const CLOCK_METHODS: ReadonlySet<string> = new Set([
  "evm_increaseTime",
  "anvil_increaseTime",
  "evm_setNextBlockTimestamp",
  "anvil_setNextBlockTimestamp",
  "evm_mine",
]);

/** What to do about a detachment: a clock cause has its own remedy (move L1's clock first). */
export function detachmentHint(d: Detachment): string {
  const stopped = "it no longer submits blocks, relays deposits or proves withdrawals";
  if (CLOCK_METHODS.has(d.method))
    return `${d.method} moved this L2 devnet's clock ahead of L1's latest block time, and the rollup refuses an L2 block from L1's future, so ${stopped}; restart the devnet with --reset to get a chain L1 verifies again. To move time and stay attached, move L1's clock first (evm_increaseTime on the L1 devnet, then evm_mine there), then the L2's by no more than that`;
  return `this L2 devnet was changed outside transactions L1 can re-execute, so ${stopped}; restart the devnet with --reset to get a chain L1 verifies again`;
}

/** The submitter's stand-down reason, and the error of a bridging call on a detached node. */
export class DetachedFromL1Error extends BridgeError {
  constructor(readonly detachment: Detachment) {
    super("DETACHED_FROM_L1", describeDetachment(detachment), detachmentHint(detachment));
  }
}

/** The file in the node's data directory that keeps a detachment across restarts. */
export const DETACHMENT_FILE = "detached.json";

/**
 * The detached switch of an L2 devnet node: off until the first change L1 cannot verify, then on
 * for good (kept in `<dataDir>/detached.json`, so a restarted node does not submit a block L1
 * would reject, nor rebase the local chain back onto L1's). Listeners hear the switch once.
 */
export class L1Detachment {
  private current: Detachment | undefined;
  private readonly listeners = new Set<(detachment: Detachment) => void>();

  /** Reads a kept detachment from `dataDir` (none without one, or after `reset`, which removes it). */
  constructor(
    private readonly dataDir: string | undefined,
    options: { readonly reset?: boolean } = {},
  ) {
    const file = this.file();
    if (file === undefined || !existsSync(file)) return;
    if (options.reset === true) {
      rmSync(file, { force: true });
      return;
    }
    try {
      const kept = JSON.parse(readFileSync(file, "utf8")) as { method: string; fromBlock: string; cause: string };
      if (typeof kept.method !== "string" || typeof kept.cause !== "string") throw new Error("missing fields");
      this.current = { method: kept.method, fromBlock: BigInt(kept.fromBlock), cause: kept.cause };
    } catch (error) {
      // Never read as "attached": a damaged record must not send blocks L1 would reject.
      throw new DataDirError(
        `${file} does not hold a detachment record (${(error as Error).message})`,
        "the L2 devnet was detached from L1 before: restart it with --reset",
      );
    }
  }

  /** The detachment, or undefined while every block is one L1 can verify. */
  get state(): Detachment | undefined {
    return this.current;
  }

  /** Switches to detached (the first call wins: later ones keep the first cause); returns the detachment. */
  detach(detachment: Detachment): Detachment {
    if (this.current !== undefined) return this.current;
    this.current = detachment;
    const file = this.file();
    if (file !== undefined) {
      const kept = { method: detachment.method, fromBlock: detachment.fromBlock.toString(), cause: detachment.cause };
      writeFileSync(file, `${JSON.stringify(kept, null, 2)}\n`);
    }
    for (const listener of this.listeners) listener(detachment);
    return detachment;
  }

  /** Calls `listener` when the node detaches (at once when it already is); returns the unsubscribe. */
  onDetach(listener: (detachment: Detachment) => void): () => void {
    this.listeners.add(listener);
    if (this.current !== undefined) listener(this.current);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private file(): string | undefined {
    return this.dataDir === undefined ? undefined : path.join(this.dataDir, DETACHMENT_FILE);
  }
}

/** The bridging methods a detached node refuses: their answers would speak of blocks L1 never sees. */
const BRIDGING_METHODS = ["rollup_getMessageStatus", "rollup_getWithdrawalProof"] as const;

/**
 * `methods` (the bridge's rollup_* table) with the bridging calls refused while `detachment` is
 * on, with its code and hint like the bridge's own errors (-32000, `data.code` DETACHED_FROM_L1).
 */
export function refuseBridgingWhenDetached(methods: MethodTable, detachment: L1Detachment): MethodTable {
  const guarded: Record<string, MethodHandler> = { ...methods };
  for (const name of BRIDGING_METHODS) {
    const handler = methods[name];
    if (handler === undefined) continue;
    guarded[name] = (params, backend) => {
      const state = detachment.state;
      if (state === undefined) return handler(params, backend);
      const error = new DetachedFromL1Error(state);
      throw new RpcError(RpcErrorCode.Server, error.message, { code: error.code, hint: error.hint }, error.hint);
    };
  }
  return guarded;
}
