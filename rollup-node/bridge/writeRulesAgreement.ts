// Does the L1's EXECUTE apply the write rules this node records witnesses under? The genesis
// block hash does not commit to a chain's `writeRules`, so nothing on L1 would notice a node
// given another schedule than EXECUTE: its blocks would be WitnessIncomplete on L1 (a halt in
// re-execution, valid proposals challenged away in optimistic mode). The node asks at start and
// refuses to run on a mismatch (docs/design/write-rule-agreement.md).
import type { Provider } from "ethers";

import {
  DEFAULT_VERIFIER_WRITES,
  type WriteRules,
  WriteRulesError,
  describeWriteRules,
  sameWriteRules,
  writeRulesFromJson,
} from "../../precompiles";
import { BridgeError } from "./errors";

/**
 * The L1 devnet's dev method that reports the write rules its EXECUTE applies to a chain: params
 * `[chainId]` (a quantity), result the rules as `writeRulesToJson` writes them.
 */
export const EXECUTE_WRITE_RULES_METHOD = "devnet_executeWriteRules";

/** The write rules the L1's EXECUTE applies to a chain, and how the node knows them. */
export type L1WriteRules =
  /** The L1 answered `EXECUTE_WRITE_RULES_METHOD`: a framework devnet, whose EXECUTE was configured per chain. */
  | { readonly source: "reported"; readonly rules: WriteRules }
  /**
   * The L1 does not serve the method: its EXECUTE is taken as protocol code, which has no
   * per-chain configuration and applies the default rule (`DEFAULT_VERIFIER_WRITES`) to every chain.
   */
  | { readonly source: "protocol"; readonly rules: WriteRules; readonly why: string };

/** The L1's EXECUTE applies other write rules to the chain than the node's genesis declares. */
export class WriteRulesMismatchError extends BridgeError {
  constructor(
    readonly chainId: bigint,
    readonly node: WriteRules,
    readonly l1: L1WriteRules,
  ) {
    const l1Words =
      l1.source === "reported"
        ? `the L1's EXECUTE applies ${describeWriteRules(l1.rules)} (its ${EXECUTE_WRITE_RULES_METHOD})`
        : `the L1's EXECUTE is protocol code applying ${describeWriteRules(l1.rules)} to every chain (${l1.why})`;
    super(
      "WRITE_RULES_MISMATCH",
      `chain ${chainId}: the node's genesis declares write rules ${describeWriteRules(node)}, ${l1Words}: every block recorded under one and verified under the other may be WitnessIncomplete on L1`,
      l1.source === "reported"
        ? `start the node and the L1 from the same genesis file's config.writeRules (node: ${describeWriteRules(node)}; L1: ${describeWriteRules(l1.rules)}), e.g. restart the L1 devnet with this genesis`
        : `on an L1 whose EXECUTE has no per-chain rules, declare none (or "${DEFAULT_VERIFIER_WRITES}") in the genesis's config.writeRules (node: ${describeWriteRules(node)}; L1: ${describeWriteRules(l1.rules)})`,
    );
  }
}

/** A JSON-RPC error that says the method is not served (by its code or, through ethers, its message). */
function isMethodNotFound(error: unknown): boolean {
  const seen = new Set<unknown>();
  const walk = (value: unknown): boolean => {
    if (typeof value !== "object" || value === null || seen.has(value)) return false;
    seen.add(value);
    const e = value as { code?: unknown; message?: unknown; error?: unknown; info?: unknown };
    // -32601: method not found (JSON-RPC); -32004: method not supported (EIP-1474, Hardhat's EDR).
    if (e.code === -32601 || e.code === -32004 || e.code === "UNSUPPORTED_OPERATION") return true;
    if (typeof e.message === "string" && /method not found|does not exist|not supported|not available/i.test(e.message))
      return true;
    return walk(e.error) || walk(e.info);
  };
  return walk(error);
}

/** Reads what the L1 behind `provider` says its EXECUTE applies to chain `chainId`. */
export async function readL1WriteRules(provider: Provider, chainId: bigint): Promise<L1WriteRules> {
  const send = (provider as Provider & { send?: (method: string, params: unknown[]) => Promise<unknown> }).send;
  if (typeof send !== "function")
    return {
      source: "protocol",
      rules: DEFAULT_VERIFIER_WRITES,
      why: "the L1 provider sends no raw JSON-RPC to ask",
    };
  let answer: unknown;
  try {
    answer = await send.call(provider, EXECUTE_WRITE_RULES_METHOD, [`0x${chainId.toString(16)}`]);
  } catch (error) {
    if (!isMethodNotFound(error)) throw error;
    return {
      source: "protocol",
      rules: DEFAULT_VERIFIER_WRITES,
      why: `the L1 does not serve ${EXECUTE_WRITE_RULES_METHOD}`,
    };
  }
  try {
    return { source: "reported", rules: writeRulesFromJson(answer) };
  } catch (error) {
    if (!(error instanceof WriteRulesError)) throw error;
    throw new BridgeError(
      "WRITE_RULES_UNREADABLE",
      `the L1's ${EXECUTE_WRITE_RULES_METHOD} answered ${JSON.stringify(answer)}: ${error.message}`,
      "the L1 is not a devnet of this framework's version: start the node against one that is, or an L1 without the method",
    );
  }
}

/**
 * Refuses (`WriteRulesMismatchError`) unless the L1's EXECUTE applies `nodeRules` (the node's
 * genesis's `writeRules`, the default when absent) to chain `chainId`; returns what the L1 said.
 */
export async function checkL1WriteRules(
  provider: Provider,
  chainId: bigint,
  nodeRules: WriteRules = DEFAULT_VERIFIER_WRITES,
): Promise<L1WriteRules> {
  const l1 = await readL1WriteRules(provider, chainId);
  if (!sameWriteRules(nodeRules, l1.rules)) throw new WriteRulesMismatchError(chainId, nodeRules, l1);
  return l1;
}
