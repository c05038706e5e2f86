import type { Provider } from "ethers";

import { describeWriteRules } from "../../precompiles";
import type { L1Health, RollupStatus } from "../../protocol";
import { BridgeError } from "./errors";
import { rollupCodeMissing } from "./l1Watcher";
import type { WriteRulesWatch } from "./writeRulesAgreement";

/** The fields of `rollup_status` read from L1 (reported as last read while L1 fails). */
export type L1StatusReads = Pick<
  RollupStatus,
  | "l1ChainId"
  | "l1Head"
  | "acceptedL2Head"
  | "acceptedL2HeadHash"
  | "proposedL2Head"
  | "proposedL2HeadHash"
  | "proposedFinalAt"
  | "pendingL1Messages"
  | "l1MessageCount"
>;

/**
 * How long a `rollup_status` waits for its L1 (the reads, then what a failure means) before it
 * reports the L1 `unreachable`: an L1 that accepts and never answers would otherwise hold the
 * status for the provider's own timeout (ethers': 5 minutes).
 */
export const DEFAULT_L1_STATUS_TIMEOUT_MS = 10_000;

export interface L1HealthConfig {
  readonly provider: Provider;
  readonly rollupAddress: string;
  /** Milliseconds since the epoch (`Date.now` unless a test fixes the clock). */
  readonly now?: () => number;
  /** The node's running check of the L1's write rules: a mismatch it found is reported on a read that succeeds. */
  readonly writeRules?: Pick<WriteRulesWatch, "mismatch">;
  /** The bound on one status's L1 reads, in milliseconds (DEFAULT_L1_STATUS_TIMEOUT_MS). */
  readonly timeoutMs?: number;
}

/** A status's L1 reads did not settle within the monitor's bound. */
export class L1StatusTimeoutError extends BridgeError {
  constructor(readonly timeoutMs: number) {
    super(
      "L1_TIMEOUT",
      `the L1 read timed out after ${timeoutMs} ms`,
      "check that the L1 node answers (it accepts connections but does not reply); the bound is the node's l1.statusTimeoutMs",
    );
  }
}

/**
 * `promise`, or L1StatusTimeoutError once `timeoutMs` (of `boundMs`, the whole bound) have passed.
 * What `promise` does after that is ignored.
 */
function within<T>(promise: Promise<T>, timeoutMs: number, boundMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new L1StatusTimeoutError(boundMs)), Math.max(0, timeoutMs));
    // A pending status must not keep a stopping process alive.
    timer.unref();
  });
  promise.catch(() => undefined);
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * The node's view of its L1 for `rollup_status`: each status read goes through `read`, which
 * keeps the last successful read and, when a read fails, says why (the L1 does not answer, or it
 * answers without the rollup's code) and since when. One per node: a fresh one would restart
 * `since` on every call.
 */
export class L1HealthMonitor {
  private current: L1Health | undefined;
  private last: L1StatusReads | undefined;

  constructor(private readonly config: L1HealthConfig) {}

  /** The state found by the last read (undefined before the first). */
  get health(): L1Health | undefined {
    return this.current;
  }

  /**
   * Runs `reads` against L1. On success: those reads and "ok". On failure: the last successful
   * reads with what failed; before any read succeeded there is nothing to report but the failure,
   * which is thrown (L1_UNREACHABLE or ROLLUP_MISSING).
   */
  async read(reads: () => Promise<L1StatusReads>): Promise<{ readonly l1: L1Health; readonly reads: L1StatusReads }> {
    const bound = this.config.timeoutMs ?? DEFAULT_L1_STATUS_TIMEOUT_MS;
    const started = performance.now();
    let fresh: L1StatusReads;
    try {
      fresh = await within(reads(), bound, bound);
    } catch (error) {
      const l1 = await this.failed(error, bound - (performance.now() - started), bound);
      if (this.last === undefined)
        throw l1.state === "rollup-missing"
          ? new BridgeError(
              "ROLLUP_MISSING",
              `this L1 has no rollup contract at ${l1.address}`,
              "the L1 was reset, or its URL points to another chain: give the node the rollup's L1",
            )
          : new BridgeError(
              "L1_UNREACHABLE",
              `the node cannot read its L1: ${l1.state === "unreachable" ? l1.error : ""}`,
              "check that the L1 node runs and that --l1-rpc names it",
            );
      return { l1, reads: this.last };
    }
    this.last = fresh;
    // Memory, not L1: the watch's last finding (it asks the L1 on its own triggers).
    const mismatch = this.config.writeRules?.mismatch;
    this.current =
      mismatch === undefined
        ? { state: "ok", head: fresh.l1Head }
        : {
            state: "write-rules-mismatch",
            head: fresh.l1Head,
            since: mismatch.since,
            nodeRules: describeWriteRules(mismatch.error.node),
            l1Rules: describeWriteRules(mismatch.error.l1.rules),
          };
    return { l1: this.current, reads: fresh };
  }

  /**
   * What a failed read means: no code at the rollup's address on an L1 that answers, or an L1
   * that does not. The probe of the code gets what is left of the bound (none after a timeout).
   */
  private async failed(error: unknown, leftMs: number, boundMs: number): Promise<L1Health> {
    const missing =
      !(error instanceof L1StatusTimeoutError) &&
      leftMs > 0 &&
      (await within(rollupCodeMissing(this.config.provider, this.config.rollupAddress), leftMs, boundMs).catch(
        () => false,
      ));
    const since = (state: L1Health["state"]): bigint =>
      this.current !== undefined && this.current.state === state && "since" in this.current
        ? this.current.since
        : BigInt(Math.floor((this.config.now ?? Date.now)() / 1000));
    this.current = missing
      ? { state: "rollup-missing", address: this.config.rollupAddress, since: since("rollup-missing") }
      : { state: "unreachable", since: since("unreachable"), error: readFailure(error) };
    return this.current;
  }
}

/** An ethers error's one-line message (its `shortMessage`), else the error's message. */
function readFailure(error: unknown): string {
  const short = (error as { shortMessage?: unknown }).shortMessage;
  return typeof short === "string" ? short : error instanceof Error ? error.message : String(error);
}
