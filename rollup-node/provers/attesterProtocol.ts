/** Messages between `AttesterPool` and its attesters: JSON over Node's IPC channel or over HTTP. */

import { type Common, Mainnet, createCustomCommon } from "@ethereumjs/common";

import {
  DEFAULT_VERIFIER_WRITES,
  type WriteRules,
  type WriteRulesJson,
  describeWriteRules,
  sameWriteRules,
  writeRulesFromJson,
  writeRulesToJson,
} from "../../precompiles";

/**
 * The L1's fork rules as an attester process receives them: EXECUTE re-executes an L2 block
 * under the L1's Common (fork and EIPs, `l2Common`), so an attester must too, or the two disagree
 * on any block whose outcome a fork changes (after an L1 upgrade, or on an L1 not at the default).
 */
export interface ForkConfig {
  readonly hardfork: string;
  readonly eips: readonly number[];
  /**
   * Each L2 chain's write rules, by chain id in decimal, as its genesis's `config.writeRules`
   * (`writeRulesToJson`): EXECUTE verifies a chain's blocks under them, so an attester must too,
   * or it refuses (WitnessIncomplete) every block recorded under a rule it does not apply. A chain
   * not listed has `DEFAULT_VERIFIER_WRITES`.
   */
  readonly writeRules?: Readonly<Record<string, WriteRulesJson>>;
}

/** `fork` with each chain's write rules of `writeRules` (by chain id), for attesters to verify under. */
export function withWriteRules(fork: ForkConfig, writeRules: ReadonlyMap<bigint, WriteRules>): ForkConfig {
  const json: Record<string, WriteRulesJson> = { ...fork.writeRules };
  for (const [chainId, rules] of writeRules) json[chainId.toString()] = writeRulesToJson(rules);
  return { ...fork, writeRules: json };
}

/** The write rules `fork` gives each chain (checked: `WriteRulesError` for rules it cannot apply). */
export function writeRulesOfFork(fork: ForkConfig): ReadonlyMap<bigint, WriteRules> {
  const rules = new Map<bigint, WriteRules>();
  for (const [chainId, json] of Object.entries(fork.writeRules ?? {}))
    rules.set(BigInt(chainId), writeRulesFromJson(json));
  return rules;
}

/**
 * Why an attester verifying under `attester` would not attest as the node needs (`expected`): a
 * chain whose write rules differ, in words; undefined when every chain `expected` lists agrees.
 */
export function writeRulesDisagreement(attester: ForkConfig, expected: ForkConfig): string | undefined {
  const theirs = writeRulesOfFork(attester);
  for (const [chainId, rules] of writeRulesOfFork(expected)) {
    const their = theirs.get(chainId) ?? DEFAULT_VERIFIER_WRITES;
    if (!sameWriteRules(rules, their))
      return `chain ${chainId}'s write rules are ${describeWriteRules(their)} there, ${describeWriteRules(rules)} in the chain's genesis`;
  }
  return undefined;
}

/** The fork rules of `common`, to send to an attester process. */
export function forkConfigOf(common: Common): ForkConfig {
  return { hardfork: common.hardfork(), eips: [...common.eips()] };
}

/**
 * A Common carrying `fork`'s rules, for `l2Common` (which keeps its fork and EIPs and sets the L2's
 * chain id). Without KZG: an L2 block carries no blobs (the verifier rejects blob transactions).
 */
export function commonOfForkConfig(fork: ForkConfig): Common {
  return createCustomCommon({}, Mainnet, { hardfork: fork.hardfork, eips: [...fork.eips] });
}

/**
 * The first message a local attester process receives: its key and position come over the IPC
 * channel, never on its command line, where `ps` shows them to every user of the machine.
 */
export interface AttesterInit {
  readonly init: true;
  readonly privateKey: string;
  readonly memberIndex: number;
  readonly fork: ForkConfig;
}

export interface AttestRequest {
  readonly id: number;
  readonly chainId: string;
  readonly parentHeader: string;
  readonly block: string;
  readonly witness: string;
}

export type AttestResponse =
  | { readonly id: 0; readonly ok: true; readonly ready: true; readonly publicKey: readonly [string, string] }
  | {
      readonly id: number;
      readonly ok: true;
      readonly memberIndex: number;
      readonly R8: readonly [string, string];
      readonly S: string;
      readonly commitment: string;
    }
  | { readonly id: number; readonly ok: false; readonly code: number | undefined; readonly reason: string };

/** What an attester served over HTTP says about itself (`GET /`). */
export interface AttesterInfo {
  readonly publicKey: readonly [string, string];
  readonly fork: ForkConfig;
}
