import type { Provider } from "ethers";

import { type RollupContract, connectRollup } from "../bridge/contracts";
import { explainL1ReadFailure } from "../bridge/l1Watcher";
import type { HeadLabelSource } from "../chain/chain";
import { L1HeadReader } from "../bridge/l1HeadReader";
import type { Logger } from "../logger";

/** L1 blocks on top of an acceptance before the sequencer calls the block `finalized` (the follower's default too). */
export { DEFAULT_L1_FINALITY_DEPTH } from "../follower/follower";

export interface L1HeadsConfig {
  readonly l1Provider: Provider;
  readonly rollupAddress: string;
  readonly pollMs: number;
  readonly finalityDepth: number;
  /** The node's shared reading of the L1 head (one of its own if not given). */
  readonly head?: L1HeadReader;
  readonly logger: Logger;
}

/**
 * The sequencer's `safe` and `finalized` heads, read from the rollup contract on L1: `safe` is its
 * `headNumber()` now (the last block final on the rollup), `finalized` its `headNumber()` as of the
 * L1 block `finalityDepth` below the L1 head. Until the first read both are block 0, never the
 * sequencer's own head: a block is safe only once L1 says so.
 */
export class L1Heads {
  private safe = 0n;
  private finalized = 0n;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  /** Hash of the L1 block the heads were last read at. */
  private readAt: string | null = null;
  /** Made once: a contract builds the rollup's ABI interface (≈ 1.5 ms), and refresh runs at every L1 poll. */
  private readonly rollup: RollupContract;
  private readonly head: L1HeadReader;

  constructor(private readonly config: L1HeadsConfig) {
    this.rollup = connectRollup(config.rollupAddress, config.l1Provider);
    this.head = config.head ?? new L1HeadReader(config.l1Provider);
  }

  /** For Chain.setHeadLabels. */
  readonly labels: HeadLabelSource = (tag) => (tag === "safe" ? this.safe : this.finalized);

  /** Reads both heads once, at an L1 head read less than `maxAgeMs` ago (0, the default: read now). */
  async refresh(maxAgeMs = 0): Promise<void> {
    const latest = await this.head.latest(maxAgeMs);
    // The same L1 head block as last time (by hash, so a reorg at the same height is read): its
    // state and its ancestors' cannot have changed, and each eth_call runs the rollup contract.
    if (latest.hash !== null && latest.hash === this.readAt) return;
    const l1Head = latest.number;
    const deep = l1Head - this.config.finalityDepth;
    const [safe, finalized] = await Promise.all([
      this.rollup.headNumber({ blockTag: l1Head }),
      deep < 0 ? Promise.resolve(0n) : this.rollup.headNumber({ blockTag: deep }).catch(() => 0n),
    ]);
    this.safe = safe;
    this.finalized = finalized < safe ? finalized : safe;
    this.readAt = latest.hash;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const tick = (): void => {
      this.timer = setTimeout(() => {
        // The head the watcher (or the gas cap) read within the interval: this poll needs no newer.
        void this.refresh(this.config.pollMs)
          // An L1 without the rollup answers headNumber() with no data: said as such, as the watcher says it.
          .catch(async (error: Error) => {
            const reason = await explainL1ReadFailure(this.config.l1Provider, this.config.rollupAddress, error);
            this.config.logger.warn(`reading the L1 heads failed, retrying: ${reason}`);
          })
          .finally(() => {
            if (this.running) tick();
          });
      }, this.config.pollMs);
    };
    tick();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
