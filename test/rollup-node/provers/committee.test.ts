import { expect } from "chai";

import { ExecuteError, ExecuteErrorCode } from "../../../precompiles";
import {
  type Attestation,
  bundledCircuitArtifacts,
  proveCommittee,
  releaseProverThreads,
} from "../../../rollup-node/provers/committee";
import { attest, committeeProof, testCommittee, withoutWitnessErrorOutput } from "../../../tools/committeeFixture";
import { TestSigner, tamperBlock, word } from "../../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../../../tools/l2TestChain";
import { hexToBytes } from "@ethereumjs/util";

const CHAIN_ID = 907n;

describe("the committee attestation prover", function () {
  this.timeout(300_000);
  let built: BuiltBlock;

  before(async () => {
    const probe = await L2TestChain.create(CHAIN_ID, []);
    const alice = TestSigner.fromSeed(11, probe.common);
    const chain = await L2TestChain.create(CHAIN_ID, [{ address: alice.address.toString(), balance: 10n ** 18n }]);
    built = await chain.buildBlock([
      TestSigner.fromSeed(11, chain.common).tx({ to: "0x00000000000000000000000000000000000000aa", value: 1n }),
    ]);
  });

  after(releaseProverThreads);

  it("attesters refuse to sign a block that does not re-execute", async () => {
    const c = await testCommittee(3, 3);
    const forged = { ...built, blockRlp: tamperBlock(built.block, { stateRoot: hexToBytes(`0x${word(7)}`) }) };
    try {
      await attest(c, CHAIN_ID, forged, [0]);
      expect.fail("an attester signed an invalid block");
    } catch (error) {
      expect(error).to.be.instanceOf(ExecuteError);
      expect((error as ExecuteError).code).to.equal(ExecuteErrorCode.StateRootMismatch);
    }
  });

  it("cannot prove with a signer counted twice", async () => {
    const c = await testCommittee(3, 4);
    const { attestations, commitment } = await attest(c, CHAIN_ID, built, [0, 1]);
    const duplicated: Attestation[] = [attestations[0], attestations[0], attestations[1]];
    await expectProofFails(() => proveCommittee(bundledCircuitArtifacts(), c.committee, commitment, duplicated));
  });

  it("cannot prove with a signer outside the committee", async () => {
    const members = await testCommittee(3, 5);
    const outsider = await testCommittee(3, 6);
    const { attestations, commitment } = await attest(members, CHAIN_ID, built, [0, 1]);
    const { attestations: foreign } = await attest(outsider, CHAIN_ID, built, [2]);
    await expectProofFails(() =>
      proveCommittee(bundledCircuitArtifacts(), members.committee, commitment, [...attestations, foreign[0]]),
    );
  });

  it("proofs started together share one set of prover threads, which the release ends", async () => {
    // A process that proves two blocks at once (two proof types, or two committees) and then
    // releases the prover threads must be able to exit: no worker thread may outlive the release.
    // Idle prover threads are unreferenced (they do not hold the process open), so the ports
    // alone would not see a lost set: the live worker threads are counted too.
    await releaseProverThreads();
    const ports = () => process.getActiveResourcesInfo().filter((r) => r === "MessagePort").length;
    const before = ports();
    const threadsBefore = liveThreads();
    const [a, b] = await Promise.all([testCommittee(3, 41), testCommittee(3, 42)]);
    await Promise.all([committeeProof(a, CHAIN_ID, built, [0, 1, 2]), committeeProof(b, CHAIN_ID, built, [0, 1, 2])]);
    expect(liveThreads(), "the proofs ran on prover threads").to.be.greaterThan(threadsBefore);
    await releaseProverThreads();
    expect(ports(), "message ports of prover threads left after the release").to.equal(before);
    expect(liveThreads(), "prover threads left after the release").to.equal(threadsBefore);
  });

  it("keeps its prover threads between proofs without holding the process open while they idle", async () => {
    // A process that proved and did not release its threads can still exit (nothing it no longer
    // waits for is referenced), and its next proof reuses the same threads instead of building them.
    await releaseProverThreads();
    const ports = () => process.getActiveResourcesInfo().filter((r) => r === "MessagePort").length;
    const before = ports();
    const c = await testCommittee(3, 43);
    await committeeProof(c, CHAIN_ID, built, [0, 1, 2]);
    const curve = (globalThis as { curve_bn128?: unknown }).curve_bn128;
    expect(curve, "the prover threads are kept").to.not.equal(undefined);
    expect(ports(), "idle prover threads hold the process open").to.equal(before);
    await committeeProof(c, CHAIN_ID, built, [0, 1, 2]);
    expect((globalThis as { curve_bn128?: unknown }).curve_bn128 === curve, "the threads were rebuilt").to.equal(true);
    expect(ports(), "idle prover threads hold the process open").to.equal(before);
  });

  it("needs K attestations", async () => {
    const c = await testCommittee(3, 7);
    const { attestations, commitment } = await attest(c, CHAIN_ID, built, [0, 1]);
    await expectProofFails(
      () => proveCommittee(bundledCircuitArtifacts(), c.committee, commitment, attestations),
      "NOT_ENOUGH_SIGNATURES",
    );
  });
});

/** The process's live worker threads, referenced or not (Node's diagnostic report lists each). */
function liveThreads(): number {
  return (process.report.getReport() as { workers: readonly unknown[] }).workers.length;
}

/** Expects `prove` to fail (with `code`, when given); circom's own report of the failed constraint is not printed. */
async function expectProofFails(prove: () => Promise<unknown>, code?: string): Promise<void> {
  try {
    await withoutWitnessErrorOutput(prove);
  } catch (error) {
    if (code !== undefined) expect((error as { code?: string }).code).to.equal(code);
    return;
  }
  expect.fail("a proof was produced for an invalid attestation set");
}
