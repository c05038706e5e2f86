// What the deployed rollup contract enforces about who may advance, read on L1, and its check
// against the rule the user declared (hardhat.config.ts rollup.sequencing.rule): a banner that
// says "based: anyone may advance" over a permissioned contract misleads its users.

import { MaxUint256, type Provider } from "ethers";

import { SEQUENCING_RULE_CONFIG_KEY, type SequencingRule, describeSequencing } from "../../deploy/policy";
import { NodeError } from "../errors";
import { type AdvanceAuthorization, proposingOpensAt, sequencingOpensAt } from "../bridge/authorization";
import { connectRollup } from "../bridge/contracts";

/** The rule the contract enforces, or why it cannot be told unambiguously from L1 now. */
export type OnChainSequencing =
  | { readonly known: true; readonly rule: SequencingRule }
  | { readonly known: false; readonly why: string };

/** Callers of the probe that hold no key (an eth_call needs none); the first that is not SEQUENCER asks. */
const STRANGERS = ["0x000000000000000000000000000000000000dEaD", "0x000000000000000000000000000000000000bEEF"];

/**
 * Reads the rule by the contract's own authorization check (`sequencingOpensAt`: `advance` called
 * from an account that is not the sequencer) and NativeRollup's fallback clock
 * (`openSequencingAt`: `lastAdvanceTimestamp + SEQUENCER_INACTIVITY_PERIOD`), all at one L1 block:
 * refused until never (`NotSequencer(_, 2^256-1)`) is permissioned; refused until the fallback's
 * opening is fallback with the deployed period; allowed before that opening is based. Allowed
 * after it (fallback open, or based: the same answer), refused until another time (a custom
 * rule), or no answer at all is unknown. An optimistic rollup refuses `advance` while blocks are
 * provisional before asking its rule: then the rule is read from `propose`'s check
 * (`proposingOpensAt`), which asks it first.
 */
export async function readSequencingRule(address: string, provider: Provider): Promise<OnChainSequencing> {
  const rollup = connectRollup(address, provider);
  const block = await provider.getBlock("latest");
  if (block === null) return { known: false, why: "the L1 node returned no latest block" };
  const blockTag = block.number;
  // The interface exposes the fallback's opening and the last advance, not the period itself.
  const [sequencer, fallbackOpensAt, lastAdvance] = await Promise.all([
    rollup.SEQUENCER({ blockTag }),
    rollup.openSequencingAt({ blockTag }),
    rollup.lastAdvanceTimestamp({ blockTag }),
  ]);
  const period = fallbackOpensAt - lastAdvance;
  const stranger = STRANGERS.find((a) => a.toLowerCase() !== sequencer.toLowerCase()) as string;
  let answer: AdvanceAuthorization;
  try {
    answer = await sequencingOpensAt(rollup, stranger, blockTag);
  } catch (error) {
    return { known: false, why: `the contract's authorization check gave no answer (${(error as Error).message})` };
  }
  if (answer.status === "provisional") {
    // An optimistic rollup refuses `advance` while blocks are provisional, before its rule; its
    // `propose` asks the rule first (as a take-over node does): the rule read there, at the same block.
    try {
      answer = await proposingOpensAt(rollup, stranger, blockTag);
    } catch (error) {
      return { known: false, why: `the contract's proposal check gave no answer (${(error as Error).message})` };
    }
  }
  if (answer.status === "refused") {
    if (answer.openAt === MaxUint256) return { known: true, rule: { kind: "permissioned" } };
    if (answer.openAt === fallbackOpensAt) return { known: true, rule: { kind: "fallback", inactivityPeriod: period } };
    return {
      known: false,
      why: `another account may advance from L1 time ${answer.openAt}, neither never nor NativeRollup's fallback opening (${fallbackOpensAt})`,
    };
  }
  if (BigInt(block.timestamp) < fallbackOpensAt) return { known: true, rule: { kind: "based" } };
  return {
    known: false,
    why: `anyone may advance now, which both fallback (its ${period} s of sequencer silence over) and based allow`,
  };
}

/**
 * What found the mismatch, for the hint's next steps: the devnet (which deploys `rollup.contract`
 * itself), `rollup:deploy` (whose contract is on L1 and recorded in `--out` by then), or
 * `rollup:node` (a rollup some deployment record names).
 */
export type SequencingCheckSite =
  | { readonly kind: "devnet" }
  | { readonly kind: "deploy"; readonly record: string }
  | { readonly kind: "node"; readonly deployment: string };

/** The declared rule disagrees with the deployed contract's. */
export class SequencingMismatchError extends NodeError {
  constructor(
    readonly declared: SequencingRule,
    readonly enforced: SequencingRule,
    address: string,
    /** Where the user declared the rule (a config key or an option), for the hint. */
    configKey: string,
    site: SequencingCheckSite,
  ) {
    super(
      "SEQUENCING_MISMATCH",
      `${configKey} declares "${describeSequencing(declared)}", but the rollup contract at ${address} enforces "${describeSequencing(enforced)}"`,
      sequencingMismatchHint(declared, enforced, configKey, site),
    );
  }
}

/**
 * The two ways out, as the command that found the mismatch takes them: declare the contract's
 * rule, or deploy a contract that enforces the declared one (`rollup:init <folder>` writes a
 * project whose contract does; `rollup:deploy` will not overwrite the record it already wrote).
 */
export function sequencingMismatchHint(
  declared: SequencingRule,
  enforced: SequencingRule,
  configKey: string,
  site: SequencingCheckSite,
): string {
  const period =
    enforced.kind === "fallback" ? ` (its inactivity period, ${enforced.inactivityPeriod} s, is the deployment's)` : "";
  const match = `set ${configKey} to "${enforced.kind}" in hardhat.config.ts to match the contract${period}`;
  const init = `npx hardhat rollup:init <new folder> --sequencing ${declared.kind} writes a project whose contract enforces "${declared.kind}"`;
  switch (site.kind) {
    case "devnet":
      return `${match}, or make rollup.contract one that enforces the declared rule (${init})`;
    case "deploy":
      return `${match}: the contract is deployed, ${site.record} records it and rollup:node --deployment ${site.record} runs it. To deploy the declared rule instead, ${init}; run rollup:deploy with another --out (${site.record} records this deployment, which rollup:deploy does not overwrite)`;
    case "node":
      return `${match} (the rollup ${site.deployment} records), or run the node from the project whose contract it is`;
  }
}

/** Same rule: the kind, and fallback's period. */
function sameRule(a: SequencingRule, b: SequencingRule): boolean {
  if (a.kind !== b.kind) return false;
  return a.kind !== "fallback" || a.inactivityPeriod === (b as typeof a).inactivityPeriod;
}

/**
 * `declared` checked against what the contract at `address` enforces: throws
 * SequencingMismatchError when L1 answers another rule; returns why it could not check (for the
 * banner to say the rule is declared, not confirmed), or undefined when L1 confirmed it.
 */
export async function checkSequencingRule(
  declared: SequencingRule,
  address: string,
  provider: Provider,
  configKey: string,
  site: SequencingCheckSite,
): Promise<string | undefined> {
  const onChain = await readSequencingRule(address, provider);
  if (!onChain.known) return onChain.why;
  if (!sameRule(declared, onChain.rule))
    throw new SequencingMismatchError(declared, onChain.rule, address, configKey, site);
  return undefined;
}

/** Where the shown rule comes from: L1 confirmed it, or only the config says so (and why L1 could not tell). */
export function sequencingSource(unconfirmed: string | undefined): string {
  return unconfirmed === undefined
    ? "the contract's, checked on L1"
    : `declared in config, ${SEQUENCING_RULE_CONFIG_KEY}; not confirmed on L1: ${unconfirmed}`;
}
