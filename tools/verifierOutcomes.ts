import { RLP } from "@ethereumjs/rlp";
import { bytesToHex } from "@ethereumjs/util";

import { ExecuteError, type VerifyBlockParams, verifyBlock } from "../precompiles";
import type { BuiltBlock } from "./l2TestChain";

/** The verifier's options whose verdicts must not differ (each a same-verdict optimisation). */
export type VerifierModes = Pick<
  VerifyBlockParams,
  "memoizeTrieNodes" | "cacheStateReads" | "lazyTrieHashing" | "writes"
>;

/**
 * A verification's outcome as EXECUTE reports it: the block hash and state root, or the error's
 * code and reason (a missing witness entry's reason names its key).
 */
export async function verifierOutcome(
  chainId: bigint,
  built: Pick<BuiltBlock, "parentHeader">,
  block: Uint8Array,
  witness: Uint8Array,
  modes: VerifierModes,
): Promise<string> {
  try {
    const result = await verifyBlock({ chainId, parentHeader: built.parentHeader, block, witness, ...modes });
    return `valid ${bytesToHex(result.blockHash)} ${bytesToHex(result.stateRoot)}`;
  } catch (error) {
    if (error instanceof ExecuteError) return `invalid ${error.code}: ${error.message}`;
    throw error;
  }
}

/** `witness` (RLP `[state, codes, headers]`) with one state node, then one code, left out: each in turn. */
export function witnessesWithOneDropped(witness: Uint8Array): { label: string; witness: Uint8Array }[] {
  const [state, codes, headers] = RLP.decode(witness) as Uint8Array[][];
  const out: { label: string; witness: Uint8Array }[] = [];
  for (let drop = 0; drop < state.length; drop++) {
    out.push({
      label: `without state node ${drop}`,
      witness: RLP.encode([state.filter((_, i) => i !== drop), codes, headers]),
    });
  }
  for (let drop = 0; drop < codes.length; drop++) {
    out.push({
      label: `without code ${drop}`,
      witness: RLP.encode([state, codes.filter((_, i) => i !== drop), headers]),
    });
  }
  return out;
}

/** The baseline's outcome of each variant, and every variant on which another mode's outcome differed. */
export interface ModeComparison {
  readonly outcomes: readonly string[];
  /** `label (modes): outcome ≠ baseline's` for each difference: empty when every mode agreed. */
  readonly mismatches: readonly string[];
}

/** Verifies `block` with each witness variant under `baseline` and each of `others`, and compares the outcomes. */
export async function compareModes(
  chainId: bigint,
  built: Pick<BuiltBlock, "parentHeader">,
  block: Uint8Array,
  variants: readonly { label: string; witness: Uint8Array }[],
  baseline: VerifierModes,
  others: readonly VerifierModes[],
): Promise<ModeComparison> {
  const outcomes: string[] = [];
  const mismatches: string[] = [];
  for (const { label, witness } of variants) {
    const expected = await verifierOutcome(chainId, built, block, witness, baseline);
    outcomes.push(expected);
    for (const modes of others) {
      const actual = await verifierOutcome(chainId, built, block, witness, modes);
      if (actual !== expected) mismatches.push(`${label} (${JSON.stringify(modes)}): ${actual} ≠ ${expected}`);
    }
  }
  return { outcomes, mismatches };
}
