// The `rollup` section of a project's hardhat.config.ts: which rollup contract the devnet deploys
// and with which policies, and what the L2 chain looks like. Loaded with the config, so it
// imports nothing that needs compiled contracts.
import { getAddress, isAddress, isHexString, parseEther } from "ethers";

import {
  DEFAULT_ROLLUP_POLICY,
  type RollupPolicy,
  SEQUENCING_RULES,
  type SequencingRule,
  type SequencingRuleName,
  sequencingRuleOf,
} from "../deploy/policy";
import type { WriteRuleStep, WriteRules } from "../precompiles";
import type { GenesisAccount, Hex } from "../rollup-node/chain/genesis";
import {
  DEFAULT_CHALLENGE_WINDOW,
  DEFAULT_L2_BLOCK_TIME_MS,
  DEFAULT_L2_CHAIN_ID,
  DEFAULT_PROPOSAL_BOND,
} from "../rollup-node/devnet/defaults";
import { DEFAULT_DEVNET_MODE, type ResolvedDevnetMode } from "../rollup-node/devnet/mode";
import { NodeError } from "../rollup-node/errors";

/** An L2 genesis account as written in hardhat.config.ts (balances in wei, as strings or bigints). */
export interface RollupGenesisAccountUserConfig {
  readonly balance?: string | bigint;
  readonly nonce?: number | bigint;
  readonly code?: string;
  readonly storage?: Readonly<Record<string, string>>;
}

/** A predeploy: the runtime code of one of the project's contracts, placed at `address` in the L2 genesis. */
export interface RollupPredeployUserConfig {
  readonly contract: string;
  readonly balance?: string | bigint;
  readonly storage?: Readonly<Record<string, string>>;
}

export interface RollupUserConfig {
  /** The project's rollup contract (an artifact name); default: the framework's example for the mode. */
  readonly contract?: string;
  readonly l2ChainId?: number | bigint;
  /** L2 block interval of the devnet's sequencer, in ms. */
  readonly blockTimeMs?: number;
  /** L2 block gas limit. */
  readonly gasLimit?: number | bigint;
  /**
   * Who may advance: `rule` is what the contract's `_authorizeAdvance` enforces (`rollup:init`
   * writes it; default `fallback`, NativeRollup's own). NativeRollup.RollupConfig: seconds of
   * sequencer silence before anyone may advance (read only by the fallback rule), and the
   * force-inclusion delay.
   */
  readonly sequencing?: {
    readonly rule?: SequencingRuleName;
    readonly inactivityPeriod?: number | bigint;
    readonly forceInclusionDelay?: number | bigint;
  };
  /** k-of-n proofs: `committees` attestation committees (n), `threshold` of them (k, default n). */
  readonly proofs?: { readonly committees: number; readonly threshold?: number };
  /** Optimistic acceptance: challenge window (s) and proposal bond (ETH, decimal string). */
  readonly optimistic?: { readonly challengeWindow?: number | bigint; readonly proposalBond?: string };
  readonly genesis?: {
    readonly alloc?: Readonly<Record<string, RollupGenesisAccountUserConfig>>;
    readonly predeploys?: Readonly<Record<string, RollupPredeployUserConfig>>;
    /**
     * EXECUTE's write rules for the L2 (the genesis's `config.writeRules`, consensus-rules.md §5):
     * a rule, or steps `[{ rule, block | timestamp }, …]` from genesis. The devnet gives them to the
     * node, the L1's EXECUTE and the attesters alike; per block from genesis when absent.
     */
    readonly writeRules?: RollupWriteRulesUserConfig;
  };
}

/** `rollup.genesis.writeRules` as written in hardhat.config.ts: activations as numbers or bigints. */
export type RollupWriteRulesUserConfig =
  | WriteRules
  | readonly (
      | { readonly rule: WriteRuleStep["rule"]; readonly block: number | bigint }
      | { readonly rule: WriteRuleStep["rule"]; readonly timestamp: number | bigint }
    )[];

export interface ResolvedRollupPredeploy {
  readonly address: string;
  readonly contract: string;
  readonly balance?: bigint;
  readonly storage?: Readonly<Record<string, Hex>>;
}

/** The `rollup` section with defaults applied and values checked. */
export interface ResolvedRollupConfig {
  readonly contract?: string;
  readonly l2ChainId: bigint;
  readonly blockTimeMs: number;
  readonly gasLimit?: bigint;
  readonly policy: RollupPolicy;
  /** Who may advance, with what applies to that rule alone (the inactivity period is fallback's). */
  readonly sequencing: SequencingRule;
  /** The acceptance mode: `rollup.proofs` or `rollup.optimistic` (at most one), else re-execution. */
  readonly mode: ResolvedDevnetMode;
  readonly alloc: Readonly<Record<string, GenesisAccount>>;
  readonly predeploys: readonly ResolvedRollupPredeploy[];
  /** The L2's write rules (`genesis.writeRules`); absent: per block from genesis. Checked where the devnet starts. */
  readonly writeRules?: WriteRules;
}

/** The `rollup` section of hardhat.config.ts is invalid. */
export class RollupConfigError extends NodeError {
  constructor(message: string, hint: string) {
    super("ROLLUP_CONFIG", `hardhat.config.ts rollup.${message}`, hint);
  }
}

function positiveInteger(
  value: number | bigint | undefined,
  field: string,
  fallback: bigint,
  allowZero = false,
): bigint {
  if (value === undefined) return fallback;
  if ((typeof value === "number" && !Number.isSafeInteger(value)) || BigInt(value) < (allowZero ? 0n : 1n)) {
    throw new RollupConfigError(
      `${field} must be a ${allowZero ? "non-negative" : "positive"} integer, got ${value}`,
      `e.g. ${field}: ${fallback}`,
    );
  }
  return BigInt(value);
}

function address(value: string, field: string): string {
  if (!isAddress(value))
    throw new RollupConfigError(
      `${field}: "${value}" is not an address`,
      "use a 20-byte hex address, all lower case or with a valid EIP-55 checksum",
    );
  return getAddress(value);
}

function storage(value: Readonly<Record<string, string>> | undefined, field: string): Record<string, Hex> | undefined {
  if (value === undefined) return undefined;
  const out: Record<string, Hex> = {};
  for (const [slot, word] of Object.entries(value)) {
    if (!isHexString(slot) || !isHexString(word))
      throw new RollupConfigError(
        `${field}.storage: slot and value must be hex, got ${slot} → ${word}`,
        'e.g. { "0x0": "0x2a" }',
      );
    out[slot] = word as Hex;
  }
  return out;
}

function genesisAccount(account: RollupGenesisAccountUserConfig, field: string): GenesisAccount {
  if (account.code !== undefined && !isHexString(account.code))
    throw new RollupConfigError(
      `${field}.code must be hex`,
      "or use rollup.genesis.predeploys to place a contract of this project",
    );
  const slots = storage(account.storage, field);
  return {
    ...(account.balance === undefined
      ? {}
      : { balance: positiveInteger(BigInt(account.balance), `${field}.balance`, 0n, true) }),
    ...(account.nonce === undefined ? {} : { nonce: positiveInteger(account.nonce, `${field}.nonce`, 0n, true) }),
    ...(account.code === undefined ? {} : { code: account.code as Hex }),
    ...(slots === undefined ? {} : { storage: slots }),
  };
}

/**
 * `genesis.writeRules` with bigint activations. Only its shape is checked here (the config loads
 * without EXECUTE's code, docs/design/task-startup.md); the rules themselves are checked by
 * `checkWriteRules` where the devnet starts (WriteRulesError, code WRITE_RULES).
 */
function writeRulesOfConfig(value: RollupWriteRulesUserConfig | undefined): WriteRules | undefined {
  if (value === undefined || typeof value === "string") return value;
  if (!Array.isArray(value))
    throw new RollupConfigError(
      "genesis.writeRules: expected a rule name or a list of steps",
      'e.g. writeRules: [{ rule: "write-through", block: 0 }, { rule: "per-block", block: 1000 }]',
    );
  return value.map((step, index): WriteRuleStep => {
    const at = (key: "block" | "timestamp"): bigint =>
      positiveInteger((step as Record<string, number | bigint>)[key], `genesis.writeRules[${index}].${key}`, 0n, true);
    return "block" in step ? { rule: step.rule, block: at("block") } : { rule: step.rule, timestamp: at("timestamp") };
  });
}

export function resolveRollupConfig(user: RollupUserConfig | undefined): ResolvedRollupConfig {
  const config = user ?? {};
  if (config.contract !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(config.contract)) {
    throw new RollupConfigError(
      `contract: "${config.contract}" is not a contract name`,
      'name the contract, e.g. contract: "MyRollup"',
    );
  }
  if (config.proofs !== undefined && config.optimistic !== undefined) {
    throw new RollupConfigError(
      "proofs and rollup.optimistic cannot be combined on the devnet yet",
      "keep one of them",
    );
  }
  let mode: ResolvedDevnetMode = DEFAULT_DEVNET_MODE;
  if (config.proofs !== undefined) {
    const committees = Number(positiveInteger(config.proofs.committees, "proofs.committees", 1n));
    const threshold = Number(positiveInteger(config.proofs.threshold, "proofs.threshold", BigInt(committees)));
    if (threshold > committees)
      throw new RollupConfigError(
        `proofs.threshold (${threshold}) exceeds proofs.committees (${committees})`,
        "k of n needs k <= n",
      );
    mode = { kind: "proofs", committees, threshold };
  }
  if (config.optimistic !== undefined) {
    let proposalBond = DEFAULT_PROPOSAL_BOND;
    if (config.optimistic.proposalBond !== undefined) {
      try {
        proposalBond = parseEther(config.optimistic.proposalBond);
      } catch {
        throw new RollupConfigError(
          `optimistic.proposalBond: "${config.optimistic.proposalBond}" is not an ETH amount`,
          'e.g. proposalBond: "0.1"',
        );
      }
      if (proposalBond <= 0n)
        throw new RollupConfigError("optimistic.proposalBond must be positive", 'e.g. proposalBond: "0.1"');
    }
    mode = {
      kind: "optimistic",
      challengeWindow: positiveInteger(
        config.optimistic.challengeWindow,
        "optimistic.challengeWindow",
        DEFAULT_CHALLENGE_WINDOW,
      ),
      proposalBond,
    };
  }
  const alloc: Record<string, GenesisAccount> = {};
  for (const [key, account] of Object.entries(config.genesis?.alloc ?? {}))
    alloc[address(key, `genesis.alloc`)] = genesisAccount(account, `genesis.alloc["${key}"]`);
  const predeploys: ResolvedRollupPredeploy[] = [];
  for (const [key, predeploy] of Object.entries(config.genesis?.predeploys ?? {})) {
    const at = address(key, "genesis.predeploys");
    if (alloc[at] !== undefined)
      throw new RollupConfigError(`genesis: ${at} is both in alloc and in predeploys`, "keep it in one of them");
    const slots = storage(predeploy.storage, `genesis.predeploys["${key}"]`);
    predeploys.push({
      address: at,
      contract: predeploy.contract,
      ...(predeploy.balance === undefined ? {} : { balance: BigInt(predeploy.balance) }),
      ...(slots === undefined ? {} : { storage: slots }),
    });
  }
  const blockTimeMs = Number(positiveInteger(config.blockTimeMs, "blockTimeMs", BigInt(DEFAULT_L2_BLOCK_TIME_MS)));
  const policy: RollupPolicy = {
    sequencerInactivityPeriod: positiveInteger(
      config.sequencing?.inactivityPeriod,
      "sequencing.inactivityPeriod",
      DEFAULT_ROLLUP_POLICY.sequencerInactivityPeriod,
      true,
    ),
    forceInclusionDelay: positiveInteger(
      config.sequencing?.forceInclusionDelay,
      "sequencing.forceInclusionDelay",
      DEFAULT_ROLLUP_POLICY.forceInclusionDelay,
      true,
    ),
  };
  const rule = config.sequencing?.rule ?? "fallback";
  if (!(SEQUENCING_RULES as readonly string[]).includes(rule))
    throw new RollupConfigError(
      `sequencing.rule: ${String(rule)} is not a sequencing rule`,
      `use one of ${SEQUENCING_RULES.join(", ")}: the rule your contract's _authorizeAdvance enforces`,
    );
  return {
    ...(config.contract === undefined ? {} : { contract: config.contract }),
    l2ChainId: positiveInteger(config.l2ChainId, "l2ChainId", DEFAULT_L2_CHAIN_ID),
    blockTimeMs,
    ...(config.gasLimit === undefined ? {} : { gasLimit: positiveInteger(config.gasLimit, "gasLimit", 0n) }),
    policy,
    sequencing: sequencingRuleOf(rule, policy),
    mode,
    alloc,
    predeploys,
    ...(config.genesis?.writeRules === undefined ? {} : { writeRules: writeRulesOfConfig(config.genesis.writeRules) }),
  };
}
