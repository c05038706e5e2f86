// Options of `rollup:init`, checked before anything is written.
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

import { SEQUENCING_RULES, type SequencingRuleName } from "../../deploy/policy";
// defaults.ts, not l1Devnet.ts: rollup:init runs before the compile (it packs the framework, which
// compiles), and l1Devnet.ts reaches typechain-types/.
import { DEFAULT_L1_CHAIN_ID, DEFAULT_L2_BLOCK_TIME_MS, DEFAULT_L2_CHAIN_ID } from "../../rollup-node/devnet/defaults";
import { NodeError } from "../../rollup-node/errors";
import { DEFAULT_INIT_GAS_LIMIT, DEFAULT_INIT_K, DEFAULT_INIT_PROOFS, DEFAULT_INIT_SEQUENCING } from "./defaults";

// One list of rules, the config's and the deployment's (deploy/policy.ts).
export const SEQUENCING_POLICIES = SEQUENCING_RULES;
export type SequencingPolicy = SequencingRuleName;
export const PROOF_POLICIES = ["reexecution", "k-of-n"] as const;
export type ProofPolicyKind = (typeof PROOF_POLICIES)[number];

/** EIP-1559's lower bound on a block gas limit. */
const MIN_GAS_LIMIT = 5_000n;
/** The committee circuit has keys for up to 8 committees' worth of dev attesters; keep n small. */
const MAX_PROOF_TYPES = 8;

/** What the user typed (the Hardhat task's arguments). */
export interface InitArgs {
  readonly dir: string;
  readonly name?: string;
  readonly chainId?: number;
  readonly blockTime?: number;
  readonly gasLimit?: string;
  readonly sequencing?: string;
  readonly proofs?: string;
  readonly k?: number;
  readonly n?: number;
  readonly optimistic?: boolean;
  readonly framework?: string;
}

export interface InitOptions {
  /** Absolute path of the project folder. */
  readonly dir: string;
  /** The npm package name (from the folder's name). */
  readonly project: string;
  /** Contract prefix: `<name>Rollup`, `<name>Info`. */
  readonly name: string;
  readonly chainId: bigint;
  readonly blockTimeMs: number;
  readonly gasLimit: bigint;
  readonly sequencing: SequencingPolicy;
  /** How the rollup accepts blocks: re-executed, on k of n proofs, or optimistically (one of them). */
  readonly mode:
    | { readonly kind: "reexecution" }
    | { readonly kind: "k-of-n"; readonly k: number; readonly n: number }
    | { readonly kind: "optimistic" };
  /** An existing framework tarball to vendor instead of packing one. */
  readonly framework?: string;
}

/** An option of `rollup:init` is invalid. */
export class InitOptionsError extends NodeError {
  constructor(code: string, message: string, hint: string) {
    super(code, `${message}\nhint: ${hint}`, hint);
  }
}

function pascalCase(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== "")
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join("");
}

function packageName(base: string): string {
  return (
    base
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, "-")
      .replace(/^[._-]+/, "") || "rollup"
  );
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T, flag: string): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value))
    throw new InitOptionsError(
      "BAD_OPTION",
      `--${flag} must be one of ${allowed.join(", ")}, got "${value}"`,
      `e.g. --${flag} ${fallback}`,
    );
  return value as T;
}

function integer(value: number | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw new InitOptionsError(
      "BAD_OPTION",
      `--${flag} must be an integer from ${min} to ${max}, got ${value}`,
      `e.g. --${flag} ${min}`,
    );
  return value;
}

/** Checks and completes the options; throws InitOptionsError with a hint on the first problem. */
export function resolveInitOptions(args: InitArgs, cwd = process.cwd()): InitOptions {
  if (args.dir.trim() === "")
    throw new InitOptionsError("NO_DIR", "no project folder given", "npx hardhat rollup:init my-rollup");
  const dir = path.resolve(cwd, args.dir);
  if (existsSync(dir) && (!statSync(dir).isDirectory() || readdirSync(dir).length > 0)) {
    throw new InitOptionsError(
      "DIR_NOT_EMPTY",
      `${dir} already exists and is not an empty folder`,
      "pick a new folder name; rollup:init never overwrites files",
    );
  }
  const name = args.name ?? pascalCase(path.basename(dir));
  if (!/^[A-Z][A-Za-z0-9]{0,39}$/.test(name)) {
    throw new InitOptionsError(
      "BAD_NAME",
      `--name "${name}" is not a contract name prefix (a capital letter, then letters and digits)`,
      "e.g. --name Acme makes contracts/AcmeRollup.sol",
    );
  }
  const chainId = BigInt(integer(args.chainId, "chain-id", 1, Number.MAX_SAFE_INTEGER) ?? Number(DEFAULT_L2_CHAIN_ID));
  if (chainId === DEFAULT_L1_CHAIN_ID)
    throw new InitOptionsError(
      "BAD_CHAIN_ID",
      `--chain-id ${chainId} is the devnet L1's chain id`,
      "an L2 needs its own chain id (EIP-155 replay protection), e.g. --chain-id 42069",
    );
  const blockTimeMs = integer(args.blockTime, "block-time", 50, 3_600_000) ?? DEFAULT_L2_BLOCK_TIME_MS;
  let gasLimit = DEFAULT_INIT_GAS_LIMIT;
  if (args.gasLimit !== undefined) {
    if (!/^[0-9]+$/.test(args.gasLimit))
      throw new InitOptionsError(
        "BAD_OPTION",
        `--gas-limit must be a whole number of gas, got "${args.gasLimit}"`,
        "e.g. --gas-limit 4000000",
      );
    gasLimit = BigInt(args.gasLimit);
    if (gasLimit < MIN_GAS_LIMIT || gasLimit > 2n ** 63n - 1n)
      throw new InitOptionsError(
        "BAD_OPTION",
        `--gas-limit must be from ${MIN_GAS_LIMIT} to 2^63-1, got ${gasLimit}`,
        "e.g. --gas-limit 4000000",
      );
  }
  const sequencing = oneOf(args.sequencing, SEQUENCING_POLICIES, DEFAULT_INIT_SEQUENCING, "sequencing");
  const proofKind = oneOf(args.proofs, PROOF_POLICIES, DEFAULT_INIT_PROOFS, "proofs");
  if (proofKind !== "k-of-n" && (args.k !== undefined || args.n !== undefined)) {
    throw new InitOptionsError(
      "BAD_OPTION",
      "--k and --n only apply to --proofs k-of-n",
      "add --proofs k-of-n, or drop --k / --n",
    );
  }
  const optimistic = args.optimistic === true;
  let mode: InitOptions["mode"] = optimistic ? { kind: "optimistic" } : { kind: "reexecution" };
  if (proofKind === "k-of-n") {
    if (optimistic)
      throw new InitOptionsError(
        "BAD_OPTION",
        "--optimistic and --proofs k-of-n cannot be combined yet (the devnet cannot run both)",
        "pick one of them",
      );
    const k = integer(args.k, "k", 1, MAX_PROOF_TYPES) ?? DEFAULT_INIT_K;
    const n = integer(args.n, "n", 1, MAX_PROOF_TYPES) ?? k;
    if (k > n) throw new InitOptionsError("BAD_OPTION", `--k ${k} exceeds --n ${n}`, "k of n proofs needs k <= n");
    mode = { kind: "k-of-n", k, n };
  }
  if (args.framework !== undefined && !existsSync(args.framework)) {
    throw new InitOptionsError(
      "NO_FRAMEWORK",
      `--framework ${args.framework} does not exist`,
      "pass a tarball made by npm run pack:framework, or leave it out to pack one now",
    );
  }
  return {
    dir,
    project: packageName(path.basename(dir)),
    name,
    chainId,
    blockTimeMs,
    gasLimit,
    sequencing,
    mode,
    ...(args.framework === undefined ? {} : { framework: path.resolve(cwd, args.framework) }),
  };
}
