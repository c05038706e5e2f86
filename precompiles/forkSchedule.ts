import {
  type Common,
  type CustomCrypto,
  type HardforkTransitionConfig,
  Mainnet,
  createCustomCommon,
} from "@ethereumjs/common";

import { fastCrypto } from "./crypto";
import { SHARED_KZG } from "./kzg";

/**
 * The mainnet "fork" that is an irregular state change, not a rule set: at its block EthereumJS
 * moves the DAO balances and demands a fixed extraData for ten headers. An L2 has no such history.
 */
const IRREGULAR_FORKS: ReadonlySet<string> = new Set(["dao"]);

export interface ForkCommonOptions {
  /** Every fork up to and including this one is active. */
  readonly hardfork: string;
  readonly name?: string;
  readonly eips?: readonly number[];
  /** Added to (and overriding) the fast crypto of `./crypto`: e.g. the JS crypto for a baseline; the KZG is `SHARED_KZG` unless one is given. */
  readonly customCrypto?: CustomCrypto;
}

/** Thrown when `hardfork` is not a fork @ethereumjs/common knows. */
export class UnknownHardforkError extends Error {
  readonly code = "UNKNOWN_HARDFORK";
  readonly hint = "use a fork name known to @ethereumjs/common, e.g. osaka or prague";
  constructor(readonly hardfork: string) {
    super(`unknown hardfork "${hardfork}"`);
    this.name = "UnknownHardforkError";
  }
}

/**
 * The fork schedule of a chain without history: every mainnet fork up to `hardfork` (but not
 * the DAO's irregular state change) is active from block 0 and timestamp 0, and no later fork
 * is scheduled. Built on Mainnet's parameters, but with none of its block numbers: with
 * `createCustomCommon(…, Mainnet, { hardfork })` alone, EthereumJS keeps mainnet's schedule and
 * applies e.g. the DAO extraData rule at block 1,920,000 and London's initial base fee at
 * 12,965,000 — rules that would halt an L2 at those heights.
 */
export function genesisForkCommon(chainId: bigint, options: ForkCommonOptions): Common {
  const hardforks: HardforkTransitionConfig[] = [];
  let found = false;
  for (const fork of Mainnet.hardforks) {
    if (IRREGULAR_FORKS.has(fork.name)) continue;
    // Forks scheduled by timestamp (Shanghai on) stay timestamp forks, at time 0.
    hardforks.push(
      fork.timestamp !== undefined ? { name: fork.name, block: null, timestamp: 0 } : { name: fork.name, block: 0 },
    );
    if (fork.name === options.hardfork) {
      found = true;
      break;
    }
  }
  if (!found) throw new UnknownHardforkError(options.hardfork);
  return createCustomCommon(
    { chainId: Number(chainId), name: options.name ?? `chain-${chainId}`, hardforks },
    Mainnet,
    {
      hardfork: options.hardfork,
      eips: options.eips === undefined ? undefined : [...options.eips],
      // A KZG always: EIP-4844's point-evaluation precompile throws without one (a library error, not an
      // EVM failure), so a block calling it would be refused or accepted by which crypto the caller's
      // Common carried (attack-review-s29.md, finding 1).
      customCrypto: { ...fastCrypto(), ...options.customCrypto, kzg: options.customCrypto?.kzg ?? SHARED_KZG },
    },
  );
}

/**
 * How EXECUTE's state manager writes a block's state changes to the tries: a consensus rule of
 * EXECUTE, since it decides which trie nodes a block's witness must hold (docs/design/consensus-rules.md
 * §5; docs/design/verifier-write-path.md, "Per-block writes").
 *
 * - `per-block`: accounts, storage and code are kept in EthereumJS's caches for the whole block and
 *   written to the tries only when runBlock reads the state root (once, after the block's last
 *   system call), in the caches' order (`BlockBufferedStateManager`). Every chain's rule from
 *   genesis unless its schedule says otherwise.
 * - `per-block-changes`: per block, but the flush leaves out every entry whose write would not change
 *   its trie (a read written back, a slot restored to its value at the block's start): a read-only
 *   block writes nothing (`ChangedEntriesStateManager`; session 25). Only where a schedule names it.
 * - `write-through`: every write goes to the storage trie and the account trie at once (EXECUTE
 *   until session 24). A chain that ran it before upgrading keeps it for its blocks below the
 *   upgrade (`WriteRules`), so that a witness recorded for them still verifies; it is also the
 *   baseline of benches and differential tests.
 */
export type VerifierWrites = "per-block" | "write-through" | "per-block-changes";

/** Every write rule, declared once: the schedule's check, its hint and the differential tests read it. */
export const VERIFIER_WRITES: readonly VerifierWrites[] = ["per-block", "write-through", "per-block-changes"];

/** The write rule of a chain that schedules none: declared once. */
export const DEFAULT_VERIFIER_WRITES: VerifierWrites = "per-block";

/**
 * One step of a write-rule schedule: `rule` from L2 block number `block` on, or from the first L2
 * block whose timestamp is at least `timestamp` (seconds), until the next step takes over. As
 * EthereumJS's and geth's forks: a step is keyed by block number or by timestamp, never both.
 */
export type WriteRuleStep =
  | { readonly rule: VerifierWrites; readonly block: bigint }
  | { readonly rule: VerifierWrites; readonly timestamp: bigint };

/**
 * A chain's write rules: one rule for every block, or a schedule whose first step is at genesis
 * (block 0 or timestamp 0), block-numbered steps before timestamped ones, each kind increasing.
 * The verifier (`verifyBlock`, EXECUTE) and every witness recorder (`recordVerifierRun`) resolve
 * a block's rule from it with `writeRuleAt`, the one function, so they cannot disagree on it.
 */
export type WriteRules = VerifierWrites | readonly WriteRuleStep[];

/** The fields of an L2 header a write-rule schedule is keyed by. */
export interface ScheduledHeader {
  readonly number: bigint;
  readonly timestamp: bigint;
}

/** Thrown for a write-rule schedule `writeRuleAt` cannot apply (a configuration error, never a verdict). */
export class WriteRulesError extends Error {
  readonly code = "WRITE_RULES";
  readonly hint =
    `give one rule (${VERIFIER_WRITES.map((rule) => `"${rule}"`).join(", ")}) or steps [{ rule, block | timestamp }, …], the first at block 0 or timestamp 0, block steps before timestamp steps, each kind increasing`;
  constructor(message: string) {
    super(message);
    this.name = "WriteRulesError";
  }
}

function stepActivation(step: WriteRuleStep, index: number): { kind: "block" | "timestamp"; at: bigint } {
  const hasBlock = "block" in step && step.block !== undefined;
  const hasTimestamp = "timestamp" in step && step.timestamp !== undefined;
  if (hasBlock === hasTimestamp)
    throw new WriteRulesError(`write rule step ${index} must have exactly one of block and timestamp`);
  const at = hasBlock ? (step as { block: bigint }).block : (step as { timestamp: bigint }).timestamp;
  if (typeof at !== "bigint" || at < 0n)
    throw new WriteRulesError(`write rule step ${index}: activation ${String(at)} is not a non-negative bigint`);
  return { kind: hasBlock ? "block" : "timestamp", at };
}

/** Throws `WriteRulesError` unless `rules` is a rule or a well-formed schedule (see `WriteRules`). */
export function checkWriteRules(rules: WriteRules): void {
  if (typeof rules === "string") {
    if (!VERIFIER_WRITES.includes(rules)) throw new WriteRulesError(`unknown write rule "${rules}"`);
    return;
  }
  if (!Array.isArray(rules) || rules.length === 0)
    throw new WriteRulesError("a write-rule schedule has at least one step");
  let previous: { kind: "block" | "timestamp"; at: bigint } | undefined;
  rules.forEach((step: WriteRuleStep, index: number) => {
    if (!VERIFIER_WRITES.includes(step.rule))
      throw new WriteRulesError(`write rule step ${index}: unknown write rule "${String(step.rule)}"`);
    const activation = stepActivation(step, index);
    if (previous === undefined) {
      if (activation.at !== 0n)
        throw new WriteRulesError(
          `write rule step 0 is at ${activation.kind} ${activation.at}: the first is at genesis (0)`,
        );
    } else if (previous.kind === "timestamp" && activation.kind === "block") {
      throw new WriteRulesError(`write rule step ${index} is keyed by block after a step keyed by timestamp`);
    } else if (previous.kind === activation.kind && activation.at <= previous.at) {
      throw new WriteRulesError(
        `write rule step ${index} is at ${activation.kind} ${activation.at}, not after step ${index - 1}'s ${previous.at}`,
      );
    }
    previous = activation;
  });
}

/**
 * The write rule in force for the L2 block `header`: the last step of the schedule it has reached
 * (its number at least the step's block, or its timestamp at least the step's timestamp). Since a
 * child's number and timestamp both exceed its parent's, the rule changes only forward in a chain.
 */
export function writeRuleAt(rules: WriteRules, header: ScheduledHeader): VerifierWrites {
  checkWriteRules(rules);
  if (typeof rules === "string") return rules;
  let rule = rules[0].rule;
  // Each step keyed as the check keyed it (`stepActivation`): a step whose unused key is present
  // but undefined is keyed by the other, not skipped.
  rules.forEach((step: WriteRuleStep, index: number) => {
    const { kind, at } = stepActivation(step, index);
    if ((kind === "block" ? header.number : header.timestamp) >= at) rule = step.rule;
  });
  return rule;
}

/** One step of a schedule as it crosses a wire: the activation as a 0x-hex quantity. */
export type WriteRuleStepJson =
  | { readonly rule: VerifierWrites; readonly block: string }
  | { readonly rule: VerifierWrites; readonly timestamp: string };

/** `WriteRules` as JSON (an attester's init message, the L1 devnet's report of EXECUTE's rules). */
export type WriteRulesJson = VerifierWrites | readonly WriteRuleStepJson[];

const hexQuantity = (value: bigint): string => `0x${value.toString(16)}`;

/** `rules` as JSON: the rule's name, or its steps with 0x-hex activations (`writeRulesFromJson` reads it back). */
export function writeRulesToJson(rules: WriteRules): WriteRulesJson {
  checkWriteRules(rules);
  if (typeof rules === "string") return rules;
  return rules.map((step, index): WriteRuleStepJson => {
    const { kind, at } = stepActivation(step, index);
    return kind === "block"
      ? { rule: step.rule, block: hexQuantity(at) }
      : { rule: step.rule, timestamp: hexQuantity(at) };
  });
}

function jsonActivation(value: unknown, where: string): bigint {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === "string" && /^0x[0-9a-fA-F]+$/.test(value)) return BigInt(value);
  throw new WriteRulesError(`${where}: ${JSON.stringify(value)} is not a quantity (0x-hex or a safe integer)`);
}

/** The `WriteRules` of `writeRulesToJson`'s JSON (numbers or 0x-hex), checked: `WriteRulesError` otherwise. */
export function writeRulesFromJson(value: unknown): WriteRules {
  if (typeof value === "string") {
    checkWriteRules(value as VerifierWrites);
    return value as VerifierWrites;
  }
  if (!Array.isArray(value)) throw new WriteRulesError("write rules: expected a rule name or a list of steps");
  const steps = value.map((raw: unknown, index: number): WriteRuleStep => {
    if (typeof raw !== "object" || raw === null) throw new WriteRulesError(`write rule step ${index} is not an object`);
    const step = raw as { rule?: unknown; block?: unknown; timestamp?: unknown };
    const rule = step.rule as VerifierWrites;
    if (step.block !== undefined && step.timestamp !== undefined)
      throw new WriteRulesError(`write rule step ${index} must have exactly one of block and timestamp`);
    if (step.block !== undefined) return { rule, block: jsonActivation(step.block, `write rule step ${index}`) };
    if (step.timestamp !== undefined)
      return { rule, timestamp: jsonActivation(step.timestamp, `write rule step ${index}`) };
    throw new WriteRulesError(`write rule step ${index} must have exactly one of block and timestamp`);
  });
  checkWriteRules(steps);
  return steps;
}

/**
 * Whether `a` and `b` give every header the same rule. A schedule's rule at a header depends only on
 * which block activations its number reaches and which timestamp activations its timestamp reaches
 * (`writeRuleAt`), so comparing the two at every pair (block activation, timestamp activation) of
 * either schedule, 0 included, compares them on every header: each such pair stands for one region
 * of headers that reach the same activations. Exact both ways: two schedules written differently
 * (a step repeating the rule before it, of either kind, or a timestamp step at 0) are the same, and
 * a schedule whose timestamp step can be reached before an earlier block step is not (session 26's
 * form-based comparison found `[per-block at timestamp 0, per-block at timestamp 50]` other than
 * `per-block`, refusing a node whose genesis wrote it so: attack-review-s26.md).
 */
export function sameWriteRules(a: WriteRules, b: WriteRules): boolean {
  const blocks = new Set<bigint>([0n]);
  const timestamps = new Set<bigint>([0n]);
  for (const rules of [a, b]) {
    checkWriteRules(rules);
    if (typeof rules === "string") continue;
    rules.forEach((step: WriteRuleStep, index: number) => {
      const { kind, at } = stepActivation(step, index);
      (kind === "block" ? blocks : timestamps).add(at);
    });
  }
  for (const number of blocks)
    for (const timestamp of timestamps)
      if (writeRuleAt(a, { number, timestamp }) !== writeRuleAt(b, { number, timestamp })) return false;
  return true;
}

/** `rules` in words, for messages: `per-block`, or `write-through from block 0, per-block from block 3`. */
export function describeWriteRules(rules: WriteRules): string {
  checkWriteRules(rules);
  if (typeof rules === "string") return rules;
  return rules
    .map((step, index) => {
      const { kind, at } = stepActivation(step, index);
      return `${step.rule} from ${kind} ${at}`;
    })
    .join(", ");
}
