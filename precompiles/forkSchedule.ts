import {
  type Common,
  type CustomCrypto,
  type HardforkTransitionConfig,
  Mainnet,
  createCustomCommon,
} from "@ethereumjs/common";

import { fastCrypto } from "./crypto";

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
  /** Added to (and overriding) the fast crypto of `./crypto`: e.g. a KZG, or the JS crypto for a baseline. */
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
      customCrypto: { ...fastCrypto(), ...options.customCrypto },
    },
  );
}
