import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";

import { ExecuteError, encodeWitness, executeErrorName, verifyBlock } from "../../precompiles";
import { type Corpus, type CorpusEntry, decodableCases } from "../../tools/executeFuzz";

/** What `verifyBlock` made of an input: "valid" with the state root, or the error's code name and message. */
export interface Verdict {
  readonly verdict: string;
  readonly detail: string;
}

/** `verifyBlock`'s verdict on `params`, for differential tests that compare two paths of the verifier. */
export async function verdictOf(params: Parameters<typeof verifyBlock>[0]): Promise<Verdict> {
  try {
    const result = await verifyBlock(params);
    return { verdict: "valid", detail: bytesToHex(result.stateRoot) };
  } catch (error) {
    if (error instanceof ExecuteError) return { verdict: executeErrorName(error.code), detail: error.message };
    return { verdict: "crash", detail: String(error) };
  }
}

/**
 * `verifyBlock`'s verdict on each of `entries` and on `cases` decodable fuzz cases of `corpus` (seed
 * `seed`), with the default options and with `baseline`'s: they must be equal (same verdict and
 * message). Returns how many inputs got each verdict, for the caller's not-vacuous checks.
 */
export async function compareVerdictsWith(
  baseline: Partial<Parameters<typeof verifyBlock>[0]>,
  corpus: Corpus,
  entries: readonly CorpusEntry[],
  seed: number,
  cases: number,
): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  const compare = async (params: Parameters<typeof verifyBlock>[0], what: string) => {
    const current = await verdictOf(params);
    expect(current, what).to.deep.equal(await verdictOf({ ...params, ...baseline }));
    seen.set(current.verdict, (seen.get(current.verdict) ?? 0) + 1);
  };
  for (const entry of entries) {
    const { chainId, parentHeader, block } = entry;
    await compare({ chainId, parentHeader, block, witness: encodeWitness(entry.witness) }, entry.name);
  }
  for (const { index, fuzz, input } of decodableCases(corpus, seed, cases)) {
    const { chainId, parentHeader, block, witness } = input;
    await compare({ chainId, parentHeader, block, witness }, `case ${index} (${fuzz.kind}: ${fuzz.description})`);
  }
  return seen;
}
