/**
 * The devnet L1's block gas limit (`--l1-gas-limit`): what a user lowers to try the advance gas
 * cap (docs/design/advance-gas-cap.md) on an L1 whose blocks hold less than 2^24. A module that
 * loads nothing heavy: the `devnet` task reads it before `hardhat compile`.
 */
import { DEFAULT_GAS_LIMIT } from "../chain/defaults";
import { DEFAULT_DEVNET_MODE, type DevnetMode } from "./mode";

/** The L1 devnet's block gas limit when none is given: the chain's default (geth's target). */
export const DEFAULT_DEVNET_L1_GAS_LIMIT = DEFAULT_GAS_LIMIT;

/**
 * The least block gas limit the devnet can deploy and run its rollup on, by mode. The binding
 * figure is the rollup contract's creation, one L1 transaction the devnet sends first (measured:
 * ExampleRollup 4.25M gas, ProvenRollup 4.39M, OptimisticExampleRollup 7.39M); an `advance` of a
 * one-transaction L2 block is ≈ 0.7M, and the advance gas cap shrinks L2 blocks to what is left.
 * Rounded up so the creation fits with room for a constructor change.
 */
export const MIN_DEVNET_L1_GAS_LIMIT: Readonly<Record<DevnetMode["kind"], bigint>> = {
  "re-execution": 5_000_000n,
  proofs: 5_000_000n,
  optimistic: 8_000_000n,
};

/** Block headers hold the gas limit as a 64-bit number; EXECUTE refuses one not below 2^63. */
const MAX_L1_GAS_LIMIT = 2n ** 63n - 1n;

/** What is wrong with a requested L1 gas limit; the caller gives it its code (CLI_USAGE, DEVNET_OPTIONS). */
export interface L1GasLimitProblem {
  readonly message: string;
  readonly hint: string;
}

const EXAMPLE = "e.g. --l1-gas-limit 8000000 (an L1 whose blocks hold less than 2^24 = 16777216)";

/** `--l1-gas-limit` as given on a command line: a whole number of gas, or the problem with it. */
export function parseL1GasLimit(text: string): bigint | L1GasLimitProblem {
  const trimmed = text.trim().replaceAll("_", "");
  if (!/^\d+$/.test(trimmed))
    return { message: `--l1-gas-limit must be a whole number of gas, got "${text}"`, hint: `pass ${EXAMPLE}` };
  return BigInt(trimmed);
}

/** The problem with an L1 gas limit for a devnet of `mode`, or undefined when it can run. */
export function l1GasLimitProblem(gasLimit: bigint, mode: DevnetMode["kind"]): L1GasLimitProblem | undefined {
  const minimum = MIN_DEVNET_L1_GAS_LIMIT[mode];
  if (gasLimit < minimum)
    return {
      message: `--l1-gas-limit ${gasLimit} is below ${minimum}, the least ${mode === "optimistic" ? "an" : "a"} ${mode} devnet runs on: its rollup contract is deployed in one L1 transaction (${mode === "optimistic" ? "OptimisticExampleRollup's creation takes ≈ 7.4M gas" : `${mode === "proofs" ? "ProvenRollup" : "ExampleRollup"}'s creation takes ≈ 4.3M gas`}), and no transaction may use more gas than its block holds`,
      hint: `pass at least ${minimum}, ${EXAMPLE}`,
    };
  if (gasLimit > MAX_L1_GAS_LIMIT)
    return {
      message: `--l1-gas-limit ${gasLimit} is above ${MAX_L1_GAS_LIMIT}, the most a block header holds`,
      hint: `pass ${EXAMPLE}, or leave it out for ${DEFAULT_DEVNET_L1_GAS_LIMIT}`,
    };
  return undefined;
}

/** `--l1-gas-limit` as given, for a devnet of `mode` (the default mode's when none): the gas, or the problem with it. */
export function checkedL1GasLimit(text: string, mode: DevnetMode["kind"] | undefined): bigint | L1GasLimitProblem {
  const parsed = parseL1GasLimit(text);
  if (typeof parsed !== "bigint") return parsed;
  return l1GasLimitProblem(parsed, mode ?? DEFAULT_DEVNET_MODE.kind) ?? parsed;
}

/**
 * The gas limit a devnet runs its L1 at: a resumed chain keeps the one it was made with (every L1
 * block keeps its parent's, from genesis), so asking for another one is refused, not ignored.
 * `recorded` is the record's; records written before the option existed were made at the default.
 */
export function resumedL1GasLimit(
  requested: bigint | undefined,
  recorded: bigint | undefined,
  dataDir: string,
): bigint | L1GasLimitProblem {
  const made = recorded ?? DEFAULT_DEVNET_L1_GAS_LIMIT;
  if (requested === undefined || requested === made) return made;
  return {
    message: `the devnet in ${dataDir} was made with an L1 block gas limit of ${made}: a resumed chain cannot change its genesis gas limit (each L1 block keeps its parent's), so it cannot run at ${requested}`,
    hint: `pass --reset to start both chains over at ${requested} (the chains in ${dataDir} are lost), or leave out --l1-gas-limit to resume at ${made}`,
  };
}
