/** Sequencing policy of a rollup (NativeRollup.RollupConfig). */
export interface RollupPolicy {
  /** Seconds without an accepted block after which anyone may advance. */
  readonly sequencerInactivityPeriod: bigint;
  /** Seconds after which a queued L1 message must be consumed by the next block. */
  readonly forceInclusionDelay: bigint;
}

/** One hour of silence opens sequencing to anyone; a queued message must be included within ten minutes. */
export const DEFAULT_ROLLUP_POLICY: RollupPolicy = { sequencerInactivityPeriod: 3_600n, forceInclusionDelay: 600n };
