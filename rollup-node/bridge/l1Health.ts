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

export interface L1HealthConfig {
  readonly provider: Provider;
  readonly rollupAddress: string;
  /** Milliseconds since the epoch (`Date.now` unless a test fixes the clock). */
  readonly now?: () => number;
  /** The node's running check of the L1's write rules: a mismatch it found is reported on a read that succeeds. */
  readonly writeRules?: Pick<WriteRulesWatch, "mismatch">;
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
    let fresh: L1StatusReads;
    try {
      fresh = await reads();
    } catch (error) {
      const l1 = await this.failed(error);
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

  /** What a failed read means: no code at the rollup's address on an L1 that answers, or an L1 that does not. */
  private async failed(error: unknown): Promise<L1Health> {
    const missing = await rollupCodeMissing(this.config.provider, this.config.rollupAddress);
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
