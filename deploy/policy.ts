/** Sequencing policy of a rollup (NativeRollup.RollupConfig). */
export interface RollupPolicy {
  /** Seconds without an accepted block after which anyone may advance. */
  readonly sequencerInactivityPeriod: bigint;
  /** Seconds after which a queued L1 message must be consumed by the next block. */
  readonly forceInclusionDelay: bigint;
}

/** One hour of silence opens sequencing to anyone; a queued message must be included within ten minutes. */
export const DEFAULT_ROLLUP_POLICY: RollupPolicy = { sequencerInactivityPeriod: 3_600n, forceInclusionDelay: 600n };

/** Who may advance a rollup, by its contract's `_authorizeAdvance` (the rule `rollup:init` writes). */
export const SEQUENCING_RULES = ["permissioned", "based", "fallback"] as const;
export type SequencingRuleName = (typeof SEQUENCING_RULES)[number];

/** Where a project declares its rule (hardhat.config.ts), named in the errors that find it wrong. */
export const SEQUENCING_RULE_CONFIG_KEY = "rollup.sequencing.rule";

/**
 * A rollup's sequencing rule, with what applies to it alone: only `fallback` has an inactivity
 * period (NativeRollup's own rule: the sequencer, or anyone once it has been silent that long);
 * `based` lets anyone advance at any time and `permissioned` only the sequencer, whatever
 * `SEQUENCER_INACTIVITY_PERIOD` the contract was deployed with.
 */
export type SequencingRule =
  | { readonly kind: "fallback"; readonly inactivityPeriod: bigint }
  | { readonly kind: "based" }
  | { readonly kind: "permissioned" };

/** The rule named `name` under `policy` (the inactivity period is fallback's). */
export function sequencingRuleOf(name: SequencingRuleName, policy: RollupPolicy): SequencingRule {
  return name === "fallback"
    ? { kind: "fallback", inactivityPeriod: policy.sequencerInactivityPeriod }
    : { kind: name };
}

/** The rule in words, for banners and deployment output. */
export function describeSequencing(rule: SequencingRule): string {
  switch (rule.kind) {
    case "fallback":
      return `fallback: the sequencer, or anyone once it has been silent for ${rule.inactivityPeriod} s`;
    case "based":
      return "based: anyone may advance at any time";
    case "permissioned":
      return "permissioned: only the sequencer may advance";
  }
}
