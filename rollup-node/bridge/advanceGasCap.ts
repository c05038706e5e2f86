// What one `advance` may need on this L1, read from L1: the lower of EIP-7825's per-transaction cap
// and the L1's block gas limit, and the rollup's proof-policy keys the contract reads on every
// `advance`. The sequencer builds within it and the submitter sends within it, so no block is
// built that no L1 block can carry (docs/design/advance-gas-cap.md). The same reading of the L1's
// block gas limit bounds optimistic proposals and their challenges (docs/design/challenge-gas-cap.md).
import type { Provider } from "ethers";

import { L1_TX_GAS_LIMIT_CAP } from "../../precompiles";
import type { Logger } from "../logger";
import { type RollupContract, connectRollup } from "./contracts";
import { L1HeadReader } from "./l1HeadReader";

/**
 * The share of the L1's block gas limit a block's `advance` is built to need at most: all but a
 * 32nd. A block's gas limit differs from its parent's by less than a 1024th (the yellow paper's
 * rule, kept by EIP-1559), so the 32nd holds through at least 32 L1 blocks of the steepest fall
 * (≈ 6 min at 12 s), far more than an L2 block waits between being built and its `advance` being
 * included, while the limit is read again at every L1 poll and before every `advance`. It costs
 * 3 % of a block's capacity, and only on an L1 whose blocks hold less than 2^24 gas.
 */
export const L1_GAS_LIMIT_MARGIN_DIVISOR = 32n;

/** The most gas an `advance` can be sent with on an L1 whose latest block gas limit is `l1BlockGasLimit`. */
export function advanceSendCap(l1BlockGasLimit: bigint): bigint {
  return l1BlockGasLimit < L1_TX_GAS_LIMIT_CAP ? l1BlockGasLimit : L1_TX_GAS_LIMIT_CAP;
}

/** The most gas a block the sequencer builds may need to `advance`: the send cap less the margin for the limit's fall. */
export function advanceBuildCap(l1BlockGasLimit: bigint): bigint {
  return advanceSendCap(l1BlockGasLimit - l1BlockGasLimit / L1_GAS_LIMIT_MARGIN_DIVISOR);
}

/**
 * A block's gas limit differs from its parent's by less than the parent's over this (the yellow
 * paper's rule, kept by EIP-1559): the next L1 block holds at least G − G / 1024.
 */
export const L1_GAS_LIMIT_STEP_DIVISOR = 1024n;

/**
 * OptimisticRollup's `challengeGasCap()` in an L1 block whose gas limit is `l1BlockGasLimit`: the
 * most L1 gas a proposal's challenge may need (`challengeGasBound`) for `propose` to accept it.
 * The L1's limit less the 32nd it cannot lose within 32 L1 blocks, in which the honest challenger
 * challenges; 2^24 on L1s whose blocks hold more. A test checks it against the contract.
 */
export function challengeGasCap(l1BlockGasLimit: bigint): bigint {
  return advanceSendCap(l1BlockGasLimit - l1BlockGasLimit / L1_GAS_LIMIT_MARGIN_DIVISOR);
}

/**
 * The most L1 gas a proposal's challenge may need for the propose submitter to send it when the
 * latest L1 block holds `l1BlockGasLimit`: the contract's cap in the next L1 block at the steepest
 * fall, so a proposal included there is accepted.
 */
export function proposalSendCap(l1BlockGasLimit: bigint): bigint {
  return challengeGasCap(l1BlockGasLimit - l1BlockGasLimit / L1_GAS_LIMIT_STEP_DIVISOR);
}

/**
 * The most L1 gas a proposal's challenge may need for the sequencer to build the block: the
 * contract's cap after the limit fell by a further 32nd, which covers the 32 L1 blocks a block may
 * wait between being built and its proposal being included, as the advance build cap does.
 */
export function proposalBuildCap(l1BlockGasLimit: bigint): bigint {
  return challengeGasCap(l1BlockGasLimit - l1BlockGasLimit / L1_GAS_LIMIT_MARGIN_DIVISOR);
}

/** What the block budget (../l2/advanceBudget.ts `AdvanceLimits`) and the submitter read. */
export interface AdvanceGasCap {
  /** The build cap and the policy's key count, as last read (2^24 and none before the first read). */
  limits(): { readonly cap: bigint; readonly policyKeys: number };
  /** The send cap as last read (2^24 before the first read): the most gas any transaction can be sent with on this L1. */
  sendCap(): bigint;
  /**
   * Optimistic mode, as last read (2^24 before the first read): the most L1 gas a proposal's
   * challenge may need for the sequencer to build its block (`build`) and for the propose
   * submitter to send it (`send`).
   */
  proposalCaps(): { readonly build: bigint; readonly send: bigint };
  /** Reads the L1's latest block gas limit and the rollup's proof policy again. */
  refresh(): Promise<void>;
}

export interface L1AdvanceGasCapConfig {
  readonly provider: Provider;
  readonly rollupAddress: string;
  /** The node's shared reading of the L1 head (one of its own if not given). */
  readonly head?: L1HeadReader;
  readonly logger: Logger;
}

/** The L1's latest block gas limit and the rollup's proof policy, read at start and then on every poll. */
export class L1AdvanceGasCap implements AdvanceGasCap {
  private l1BlockGasLimit: bigint | undefined;
  private policyKeys = 0;
  /** The hash of the L1 block last read. */
  private readAt: string | undefined;
  /** The build cap last logged. */
  private said: bigint | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private failing = false;
  /** Made once: a contract builds the rollup's ABI interface (≈ 1.5 ms), and refresh runs at every L1 poll. */
  private readonly rollup: RollupContract;
  private readonly head: L1HeadReader;

  constructor(private readonly config: L1AdvanceGasCapConfig) {
    this.rollup = connectRollup(config.rollupAddress, config.provider);
    this.head = config.head ?? new L1HeadReader(config.provider);
  }

  limits(): { readonly cap: bigint; readonly policyKeys: number } {
    const cap = this.l1BlockGasLimit === undefined ? L1_TX_GAS_LIMIT_CAP : advanceBuildCap(this.l1BlockGasLimit);
    return { cap, policyKeys: this.policyKeys };
  }

  sendCap(): bigint {
    return this.l1BlockGasLimit === undefined ? L1_TX_GAS_LIMIT_CAP : advanceSendCap(this.l1BlockGasLimit);
  }

  proposalCaps(): { readonly build: bigint; readonly send: bigint } {
    const limit = this.l1BlockGasLimit;
    if (limit === undefined) return { build: L1_TX_GAS_LIMIT_CAP, send: L1_TX_GAS_LIMIT_CAP };
    return { build: proposalBuildCap(limit), send: proposalSendCap(limit) };
  }

  /** Reads again, at an L1 head read less than `maxAgeMs` ago (0, the default: read now). */
  async refresh(maxAgeMs = 0): Promise<void> {
    const latest = await this.head.latest(maxAgeMs);
    // The L1 block last read: its gas limit and the contract's state there cannot have changed
    // (as the L1 watcher and heads, no eth_call at an unchanged head: on the devnet each one runs
    // the rollup contract on the node's thread).
    if (latest.hash !== null && latest.hash === this.readAt) return;
    const policy = await this.rollup.proofPolicy({ blockTag: latest.number });
    this.readAt = latest.hash ?? undefined;
    this.l1BlockGasLimit = latest.gasLimit;
    this.policyKeys = policy.acceptedKeys.length;
    const { cap } = this.limits();
    // Said when it binds first and when it moves by a margin's worth: a limit drifting by a
    // 1024th per L1 block would otherwise be logged at every poll.
    const moved =
      this.said === undefined ||
      (cap > this.said ? cap - this.said : this.said - cap) * L1_GAS_LIMIT_MARGIN_DIVISOR >= this.said;
    if (!moved || (this.said === undefined && cap === L1_TX_GAS_LIMIT_CAP)) return;
    this.said = cap;
    this.config.logger.info(
      cap < L1_TX_GAS_LIMIT_CAP
        ? `the L1's block gas limit is ${latest.gasLimit}: blocks are built for advances of at most ${cap} L1 gas (2^24 on L1s whose blocks hold more)`
        : `the L1's block gas limit is ${latest.gasLimit}: advances may use 2^24 L1 gas again`,
    );
  }

  /**
   * Reads again `pollMs` after each read ends (never two at once: reads that pile up on a slow L1
   * would starve the node). A failed read keeps the last value, said once until a read succeeds.
   */
  start(pollMs: number): void {
    if (this.running) return;
    this.running = true;
    const next = (): void => {
      if (!this.running) return;
      this.timer = setTimeout(() => {
        // The head the watcher (or the heads) read within the interval: this poll needs no newer.
        this.refresh(pollMs).then(
          () => {
            this.failing = false;
            next();
          },
          (error: unknown) => {
            if (!this.failing)
              this.config.logger.warn(
                `could not read the L1's block gas limit, keeping ${this.l1BlockGasLimit ?? "2^24"}: ${(error as Error).message}`,
              );
            this.failing = true;
            next();
          },
        );
      }, pollMs);
      this.timer.unref?.();
    };
    next();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
