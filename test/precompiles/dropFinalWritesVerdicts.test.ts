import { expect } from "chai";

import { VERIFIER_WRITES, type VerifierWrites, encodeWitness, type verifyBlock } from "../../precompiles";
import { BlockBufferedStateManager } from "../../precompiles/verifierStateManager";
import { type Corpus, buildCorpus, decodableCases } from "../../tools/executeFuzz";
import { type Verdict, verdictOf } from "../support/verifyVerdict";

/**
 * An adversarial pass on EXECUTE's last-commit drop (`dropWritesAtLastCommit`, attack-review-s26.md):
 * every fuzz case (forged roots, receipts, gas, witnesses missing or holding extra nodes, reordered,
 * failing transactions, broken system contracts, fork-boundary heights) and every corpus block under
 * each write rule gets the same verdict and message (or state root) with the drop armed as with the
 * block's commit writing its nodes as before.
 */

const SEED = 20261129;
const CASES = Number(process.env.DROP_DIFFERENTIAL_CASES ?? 120);

/** The verdict with the drop armed (EXECUTE's path) and with it disarmed (every commit writes, the old path). */
async function bothPaths(
  params: Parameters<typeof verifyBlock>[0],
): Promise<{ armed: Verdict; old: Verdict; arms: number }> {
  const prototype = BlockBufferedStateManager.prototype;
  const arm = prototype.dropWritesAtLastCommit;
  let arms = 0;
  prototype.dropWritesAtLastCommit = function (this: BlockBufferedStateManager) {
    arms++;
    arm.call(this);
  };
  let armed: Verdict;
  try {
    armed = await verdictOf(params);
  } finally {
    prototype.dropWritesAtLastCommit = arm;
  }
  prototype.dropWritesAtLastCommit = () => undefined;
  let old: Verdict;
  try {
    old = await verdictOf(params);
  } finally {
    prototype.dropWritesAtLastCommit = arm;
  }
  return { armed, old, arms };
}

describe("EXECUTE's last-commit drop: verdicts as on the old path", function () {
  this.timeout(600_000);
  let corpus: Corpus;

  before(async () => {
    corpus = await buildCorpus();
  });

  it("every corpus block under each rule, with its own witness and with the default rule's", async () => {
    let armedRuns = 0;
    for (const entry of corpus.entries) {
      for (const rule of VERIFIER_WRITES) {
        for (const witness of [entry.witnessByRule[rule], entry.witness]) {
          const params = {
            chainId: entry.chainId,
            parentHeader: entry.parentHeader,
            block: entry.block,
            witness: encodeWitness(witness),
            writes: rule as VerifierWrites,
          };
          const { armed, old, arms } = await bothPaths(params);
          expect(armed, `${entry.name} under ${rule}`).to.deep.equal(old);
          if (arms > 0) armedRuns++;
        }
      }
    }
    // Not vacuous: the buffered rules arm the drop on every corpus block.
    expect(armedRuns).to.be.greaterThanOrEqual(corpus.entries.length * 2);
  });

  it(`${CASES} mutation fuzz cases under each rule`, async () => {
    const seen = new Map<string, number>();
    let compared = 0;
    for (const { index, fuzz, input } of decodableCases(corpus, SEED, CASES)) {
      for (const rule of VERIFIER_WRITES) {
        const { armed, old } = await bothPaths({
          chainId: input.chainId,
          parentHeader: input.parentHeader,
          block: input.block,
          witness: input.witness,
          writes: rule,
        });
        expect(armed, `case ${index} (${fuzz.kind}: ${fuzz.description}) under ${rule}`).to.deep.equal(old);
        seen.set(armed.verdict, (seen.get(armed.verdict) ?? 0) + 1);
        compared++;
      }
    }
    // Not vacuous: accepted and refused inputs of several kinds were compared.
    expect(compared).to.be.greaterThan(CASES);
    expect(seen.get("valid") ?? 0, JSON.stringify([...seen])).to.be.greaterThan(0);
    expect(seen.size, JSON.stringify([...seen])).to.be.greaterThanOrEqual(4);
  });
});
