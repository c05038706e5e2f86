import type { TypedTransaction } from "@ethereumjs/tx";

import { TransactionRejectedError } from "../chain/errors";
import { feeCapOf } from "../chain/txPool";
import type { BlockRecord } from "../chain/types";
import { MAX_WALKED_TXS, proposalCheckGas } from "../bridge/proposalCheckGas";
import { plural } from "../logger";
import { DEFAULT_PROPOSAL_SLACK_SHARE } from "./defaults";
import { L2Error } from "./errors";
import type { HeldTransactions } from "./types";

/**
 * The sequencer's slack budget (docs/design/proposal-gas-slack.md). In optimistic mode every
 * block is charged its check gas in OptimisticRollup's proposal gas bucket (R per second, C deep).
 * The part of that charge its transactions reserved and did not use, the block's *slack*, costs a
 * sender nothing: a 21,000-gas transfer with a 3.9M gas limit charges 3.9M. Left unbounded, any
 * stranger keeps the bucket full and every honest block waits for L1 time before it is proposed.
 * So the builder gives slack its own leaky bucket, a share of R and C, and leaves a transaction in
 * the pool (retryable) while its gas limit exceeds the slack left: the paid part of every block
 * keeps the rest of R.
 */

// Declared with the sequencer's other defaults (the node command's option table reads it at config time).
export { DEFAULT_PROPOSAL_SLACK_SHARE };

/** Shares are applied in parts per million (bigint arithmetic on gas). */
const SHARE_PARTS = 1_000_000n;

/** OptimisticRollup's proposal gas bucket: R (check gas per second of L1 time) and C. */
export interface ProposalGasBucket {
  readonly gasPerSecond: bigint;
  readonly burst: bigint;
}

export interface ProposalSlackConfig {
  /** The rollup's bucket (PROPOSAL_GAS_PER_SECOND, PROPOSAL_GAS_BURST). */
  readonly bucket: ProposalGasBucket;
  /** Share of R and C for slack, in (0, 1]; DEFAULT_PROPOSAL_SLACK_SHARE when absent. */
  readonly share?: number;
  /** Wall clock in milliseconds; injectable for tests. */
  readonly nowMs?: () => number;
}

/** A configured share outside (0, 1], or one that leaves no slack rate at this R. */
export class ProposalSlackConfigError extends L2Error {
  constructor(message: string) {
    super(
      "L2_PROPOSAL_SLACK_CONFIG",
      message,
      `set the sequencer's proposalSlackShare to a fraction in (0, 1] (${DEFAULT_PROPOSAL_SLACK_SHARE} by default)`,
    );
  }
}

/**
 * The slack of a built block: its check gas minus the check gas it would have if every
 * transaction's gas limit were the gas it used (an eth_estimateGas-priced block). What remains is
 * what its transactions reserved and did not pay for; whatever the contract's formula, a block
 * whose senders reserve only what they use has none. At most its largest gas limit (the formula is
 * monotone in, and moves at most as much as, the largest limit).
 */
export function blockSlack(record: BlockRecord): bigint {
  const { header, transactions } = record.block;
  const limits = transactions.map((tx) => tx.gasLimit);
  const used = record.receipts.map((receipt) => receipt.gasUsed);
  const charged = proposalCheckGas({ gasUsed: header.gasUsed, gasLimit: header.gasLimit, txGasLimits: limits });
  const paid = proposalCheckGas({ gasUsed: header.gasUsed, gasLimit: header.gasLimit, txGasLimits: used });
  return charged > paid ? charged - paid : 0n;
}

/**
 * Whether a block on the head could include one of `txs`: its sender's next nonce, paying
 * `baseFee`. The sequencer asks it of the selected transactions when some are held, so that held
 * ones do not make the timer build empty blocks (each an L1 proposal).
 */
export async function hasExecutableAmong(
  txs: readonly TypedTransaction[],
  baseFee: bigint,
  nonceOf: (sender: Uint8Array) => Promise<bigint>,
): Promise<boolean> {
  const nonces = new Map<string, bigint>();
  for (const tx of txs) {
    if (feeCapOf(tx) < baseFee) continue;
    const sender = tx.getSenderAddress();
    const key = sender.toString();
    let nonce = nonces.get(key);
    if (nonce === undefined) {
      nonce = await nonceOf(sender.bytes);
      nonces.set(key, nonce);
    }
    if (tx.nonce === nonce) return true;
  }
  return false;
}

/** What the next block may take from the pool, and what waits for slack. */
export interface SlackSelection {
  /** The pooled transactions the block may try, in pool order. */
  readonly selected: readonly TypedTransaction[];
  /** Left in the pool: their gas limit exceeds the slack available now (or no walked slot was left). */
  readonly held: readonly TypedTransaction[];
  /** A line for the log when holding starts (once per episode), undefined otherwise. */
  readonly notice?: string;
}

/**
 * A leaky bucket of block slack: drains `gasPerSecond` (R × share) per second of wall clock, holds
 * `capacity` (C × share). A block is built only from transactions whose gas limit fits what is
 * left, so its slack (at most its largest gas limit) never overflows it; the block's measured
 * slack is charged once it is built.
 */
export class ProposalSlackBudget {
  readonly gasPerSecond: bigint;
  readonly capacity: bigint;
  /** The level in milli-gas (gas × 1000), so a drain per millisecond is exact. */
  private levelMilli = 0n;
  private updatedAtMs: number;
  private holding = false;
  private readonly nowMs: () => number;

  constructor(config: ProposalSlackConfig) {
    const share = config.share ?? DEFAULT_PROPOSAL_SLACK_SHARE;
    if (!(share > 0 && share <= 1))
      throw new ProposalSlackConfigError(`the proposal slack share ${share} is not in (0, 1]`);
    const parts = BigInt(Math.round(share * Number(SHARE_PARTS)));
    this.gasPerSecond = (config.bucket.gasPerSecond * parts) / SHARE_PARTS;
    this.capacity = (config.bucket.burst * parts) / SHARE_PARTS;
    if (this.gasPerSecond <= 0n)
      throw new ProposalSlackConfigError(
        `the proposal slack share ${share} of R = ${config.bucket.gasPerSecond} gas/s leaves no slack rate`,
      );
    this.nowMs = config.nowMs ?? Date.now;
    this.updatedAtMs = this.nowMs();
  }

  /** Slack gas a block built now may add: the capacity minus the drained level. */
  available(): bigint {
    this.drain();
    const level = (this.levelMilli + 999n) / 1000n;
    return level >= this.capacity ? 0n : this.capacity - level;
  }

  /** Milliseconds until `gasLimit` of slack is available (0 when it is; Infinity when it never is). */
  waitMs(gasLimit: bigint): number {
    if (gasLimit > this.capacity) return Number.POSITIVE_INFINITY;
    const missing = gasLimit - this.available();
    return missing <= 0n ? 0 : Number((missing * 1000n + this.gasPerSecond - 1n) / this.gasPerSecond);
  }

  /**
   * The pooled transactions (in pool order) the next block may try: those whose gas limit fits the
   * slack available, at most `slots` of them (the contract reads the gas limits of MAX_WALKED_TXS
   * transactions; past them it charges the block's whole gas limit). The others stay in the pool
   * and are tried again for the next block: a held transaction gates nobody but its own sender's
   * later nonces (which the builder then skips as retryable), and held high-limit transactions
   * enter together once the bucket has room for the largest (only the largest counts).
   */
  select(pooled: readonly TypedTransaction[], slots: number = MAX_WALKED_TXS): SlackSelection {
    const available = this.available();
    const selected: TypedTransaction[] = [];
    const held: TypedTransaction[] = [];
    for (const tx of pooled) {
      if (tx.gasLimit <= available && selected.length < slots) selected.push(tx);
      else held.push(tx);
    }
    const overSlack = held.filter((tx) => tx.gasLimit > available);
    const starts = overSlack.length > 0 && !this.holding;
    this.holding = overSlack.length > 0;
    if (!starts) return { selected, held };
    let largest = 0n;
    for (const tx of overSlack) if (tx.gasLimit > largest) largest = tx.gasLimit;
    // One transaction is said in the singular: "they wait … the largest" named a crowd of one.
    const one = overSlack.length === 1;
    return {
      selected,
      held,
      notice:
        `holding ${plural(overSlack.length, "transaction")} whose gas limit (${one ? "" : "up to "}${largest}) exceeds the proposal slack available ` +
        `(${available} of ${this.capacity} gas, refilling at ${this.gasPerSecond} gas/s): ${one ? "it waits" : "they wait"} in the pool, ` +
        "so that unused gas limits do not fill the rollup's proposal gas bucket; " +
        `${one ? "it" : "the largest"} fits in ≈ ${Math.ceil(this.waitMs(largest) / 1000)} s (a gas limit near the gas used, as eth_estimateGas gives, is not held)`,
    };
  }

  /**
   * What `select` would hold of `pooled` for want of slack now (not for want of walked slots: those
   * go in the next block), and how long the largest waits: what rollup_status reports.
   */
  held(pooled: readonly TypedTransaction[]): HeldTransactions {
    const available = this.available();
    let count = 0;
    let largest = 0n;
    for (const tx of pooled) {
      if (tx.gasLimit <= available) continue;
      count++;
      if (tx.gasLimit > largest) largest = tx.gasLimit;
    }
    return { count, largestGasLimit: largest, largestWaitMs: count === 0 ? 0 : this.waitMs(largest) };
  }

  /** Adds a built block's slack (see `blockSlack`). */
  charge(slack: bigint): void {
    this.drain();
    this.levelMilli += slack * 1000n;
  }

  /**
   * Admission: a transaction whose gas limit exceeds the budget's capacity could never be
   * included: it is refused with what to do instead.
   */
  checkAdmissible(tx: TypedTransaction): void {
    if (tx.gasLimit <= this.capacity) return;
    throw new TransactionRejectedError(
      `gas limit ${tx.gasLimit} exceeds the most unused gas a block may reserve (${this.capacity}) on this optimistic rollup`,
      `lower the gas limit to at most ${this.capacity}: eth_estimateGas gives what the transaction needs`,
      "exceeds proposal slack capacity",
    );
  }

  private drain(): void {
    const now = this.nowMs();
    const elapsed = now > this.updatedAtMs ? BigInt(Math.floor(now - this.updatedAtMs)) : 0n;
    if (elapsed === 0n) return;
    const drained = this.gasPerSecond * elapsed;
    this.levelMilli = drained >= this.levelMilli ? 0n : this.levelMilli - drained;
    this.updatedAtMs += Number(elapsed);
  }
}
