/**
 * EXECUTE's write rules side by side (docs/design/consensus-rules.md §5): "per-block",
 * "write-through" and "per-block-changes" differ only in which trie nodes a witness must hold, so
 * on a witness complete for all three they must give the same verdict, for the same reason (a
 * state-root mismatch names the root execution gave), and leave every input byte as it was. The
 * EXECUTE fuzzer runs its cases through this (tools/executeFuzz.ts, `runFuzz`'s `allRulesCases`).
 */
import { RLP } from "@ethereumjs/rlp";
import { bytesToHex, equalsBytes } from "@ethereumjs/util";

import {
  ExecuteError,
  ExecuteErrorCode,
  VERIFIER_WRITES,
  type VerifierWrites,
  encodeWitness,
  executeErrorName,
  verifyBlock,
} from "../precompiles";
import type { WitnessParts } from "./l2TestChain";

const INCOMPLETE = executeErrorName(ExecuteErrorCode.WitnessIncomplete);

/** What one rule made of an input: "valid" with the state root, or the error's code name and message. */
export interface RuleVerdict {
  readonly rule: VerifierWrites;
  /** "valid", an `ExecuteErrorCode` name, or "crash" (not an `ExecuteError`). */
  readonly verdict: string;
  /** The error's message, or the state root of a valid block. */
  readonly detail: string;
}

export interface RuleComparison {
  readonly verdicts: readonly RuleVerdict[];
  /**
   * False when some rule found the witness incomplete (a witness holds what one rule reads, not
   * necessarily what another does: nothing to compare) or the input has no witness to extend.
   */
  readonly compared: boolean;
  /** Why the rules disagree (or changed an input), if they do. */
  readonly divergence?: string;
}

/** The inputs of one verification, as EXECUTE decodes them from its calldata. */
export interface RuleInput {
  readonly chainId: bigint;
  readonly parentHeader: Uint8Array;
  readonly block: Uint8Array;
  readonly witness: Uint8Array;
}

/** `parts` with the state nodes and codes of `extra` it lacks appended (a witness may hold unused entries). */
export function withExtraNodes(parts: WitnessParts, extra: readonly WitnessParts[]): WitnessParts {
  const add = (list: readonly Uint8Array[], more: (w: WitnessParts) => readonly Uint8Array[]) => {
    const seen = new Set(list.map(bytesToHex));
    const out = [...list];
    for (const w of extra)
      for (const node of more(w)) {
        const key = bytesToHex(node);
        if (!seen.has(key)) {
          seen.add(key);
          out.push(node);
        }
      }
    return out;
  };
  return { state: add(parts.state, (w) => w.state), codes: add(parts.codes, (w) => w.codes), headers: parts.headers };
}

/** The witness's three lists, or undefined when the bytes are not `[state, codes, headers]` of byte strings. */
export function witnessPartsOf(witness: Uint8Array): WitnessParts | undefined {
  let decoded: unknown;
  try {
    decoded = RLP.decode(witness);
  } catch {
    return undefined;
  }
  if (!Array.isArray(decoded) || decoded.length !== 3) return undefined;
  const lists = decoded as unknown[];
  if (!lists.every((list) => Array.isArray(list) && list.every((item) => item instanceof Uint8Array))) return undefined;
  const [state, codes, headers] = lists as Uint8Array[][];
  return { state, codes, headers };
}

/** The verifier compared: `verifyBlock` (a stand-in only to check that the comparison catches a broken one). */
export type RuleVerifier = (params: Parameters<typeof verifyBlock>[0]) => Promise<{ stateRoot: Uint8Array }>;

/** Verifies `input` under `rule`, checking that the call left every byte of its inputs as it was. */
async function verdictUnder(
  rule: VerifierWrites,
  input: RuleInput,
  verify: RuleVerifier,
): Promise<RuleVerdict & { mutated?: string }> {
  const before = {
    parentHeader: input.parentHeader.slice(),
    block: input.block.slice(),
    witness: input.witness.slice(),
  };
  let verdict: RuleVerdict;
  try {
    const result = await verify({ ...input, writes: rule });
    verdict = { rule, verdict: "valid", detail: bytesToHex(result.stateRoot) };
  } catch (error) {
    verdict =
      error instanceof ExecuteError
        ? { rule, verdict: executeErrorName(error.code), detail: error.message }
        : { rule, verdict: "crash", detail: String((error as Error)?.stack ?? error) };
  }
  const changed = (["parentHeader", "block", "witness"] as const).filter((k) => !equalsBytes(before[k], input[k]));
  return changed.length === 0 ? verdict : { ...verdict, mutated: changed.join(", ") };
}

/**
 * Verifies `input` under every write rule, its witness extended with `extra` (the state nodes and
 * codes each rule's own recording of the unmutated block read), and compares: the same verdict
 * and the same message (or state root) under all, unless some rule found the witness incomplete.
 */
export async function compareWriteRules(
  input: RuleInput,
  extra: readonly WitnessParts[] = [],
  rules: readonly VerifierWrites[] = VERIFIER_WRITES,
  verify: RuleVerifier = verifyBlock,
): Promise<RuleComparison> {
  const parts = witnessPartsOf(input.witness);
  const witness =
    parts === undefined || extra.length === 0 ? input.witness : encodeWitness(withExtraNodes(parts, extra));
  const verdicts: (RuleVerdict & { mutated?: string })[] = [];
  for (const rule of rules) verdicts.push(await verdictUnder(rule, { ...input, witness }, verify));
  const mutated = verdicts.find((v) => v.mutated !== undefined);
  if (mutated !== undefined)
    return { verdicts, compared: true, divergence: `verifyBlock under ${mutated.rule} changed its ${mutated.mutated}` };
  const incomplete = verdicts.filter((v) => v.verdict === INCOMPLETE);
  if (incomplete.length > 0 && incomplete.length < verdicts.length) return { verdicts, compared: false };
  const [first, ...rest] = verdicts;
  const other = rest.find(
    (v) => v.verdict !== first?.verdict || (v.verdict !== INCOMPLETE && v.detail !== first.detail),
  );
  if (other === undefined || first === undefined) return { verdicts, compared: true };
  return {
    verdicts,
    compared: true,
    divergence: `${first.rule}: ${first.verdict} (${first.detail.slice(0, 200)}); ${other.rule}: ${other.verdict} (${other.detail.slice(0, 200)})`,
  };
}
