import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { hexlify } from "ethers";
import { ethers } from "hardhat";

import { decodeGroth16Proof, encodeGroth16Proof } from "../../precompiles/proofs/codec";
import type { ExecutionProof } from "../../precompiles/proofs/types";
import { CommitteeError, bundledCircuitArtifacts } from "../../rollup-node/provers/committee";
import { CircuitError } from "../../rollup-node/provers/circuitCache";
import type { Groth16Verifier } from "../../typechain-types";
import { type TestCommittee, testCommittee, withoutWitnessErrorOutput } from "../../tools/committeeFixture";
import {
  ProofFixtureError,
  ProofFixtureStore,
  type ProofStatement,
  committeeStatement,
  proofFixtureKey,
  proofFixtureMode,
} from "./proofFixtures";

const COMMITMENT = 987654321n;

/** What `promise` was rejected with; fails the test if it was fulfilled. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!("error" in outcome)) throw new Error(`expected a rejection, got ${String(outcome.value)}`);
  expect(outcome.error).to.be.instanceOf(Error);
  return outcome.error as Error;
}

/** Asserts `promise` is rejected with a ProofFixtureError of `code` whose message includes `text`. */
async function expectFixtureError(promise: Promise<unknown>, code: ProofFixtureError["code"], text: string) {
  const error = await rejection(promise);
  expect(error).to.be.instanceOf(ProofFixtureError);
  expect((error as ProofFixtureError).code).to.equal(code);
  expect(error.message).to.include(text);
}

describe("the proof fixture store: a stored proof is returned only for its own statement, and only if it verifies", function () {
  this.timeout(300_000);
  let committee: TestCommittee;
  let dir: string;
  let statement: ProofStatement;
  let other: ProofStatement;
  let proven: ExecutionProof;
  let verifier: Groth16Verifier;
  const artifacts = bundledCircuitArtifacts();
  const sign = (commitment: bigint, members = [0, 1, 2]) => members.map((i) => committee.keys[i].sign(i, commitment));
  const fileOf = (s: ProofStatement): string => path.join(dir, `${proofFixtureKey(s)}.json`);

  before(async () => {
    committee = await testCommittee(4, 61);
    dir = mkdtempSync(path.join(tmpdir(), "proof-fixtures-"));
    statement = committeeStatement(artifacts, committee.verificationKey, COMMITMENT);
    other = committeeStatement(artifacts, committee.verificationKey, COMMITMENT + 1n);
    verifier = (await ethers.deployContract("Groth16Verifier", [
      hexlify(committee.verificationKey),
    ])) as unknown as Groth16Verifier;
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it("proves on a miss and, in write mode, stores the proof under its statement's key; the next lookup is a hit", async () => {
    const writer = new ProofFixtureStore(dir, "write");
    proven = await writer.proveCommittee(artifacts, committee.committee, COMMITMENT, sign(COMMITMENT));
    expect(writer.counts).to.deep.equal({ hits: 0, proved: 1, written: 1 });
    expect(JSON.parse(readFileSync(fileOf(statement), "utf8")).statement).to.deep.equal(statement);
    expect(await verifier.verify(proven.proofData, COMMITMENT)).to.equal(true);

    const reader = new ProofFixtureStore(dir, "read");
    const again = await reader.proveCommittee(artifacts, committee.committee, COMMITMENT, sign(COMMITMENT));
    expect(reader.counts).to.deep.equal({ hits: 1, proved: 0, written: 0 });
    expect(hexlify(again.proofData)).to.equal(hexlify(proven.proofData));
    expect(hexlify(again.verificationKey)).to.equal(hexlify(committee.verificationKey));
  });

  it("keys differ for statements that differ in the commitment, the committee or the circuit's proving key", () => {
    const keys = new Set([
      proofFixtureKey(statement),
      proofFixtureKey(other),
      proofFixtureKey({ ...statement, verificationKeyHash: `0x${"00".repeat(32)}` }),
      proofFixtureKey({ ...statement, zkeySha256: "00".repeat(32) }),
    ]);
    expect(keys.size).to.equal(4);
  });

  it("does not return a proof stored for one statement when asked for another (a file copied under another key)", async () => {
    writeFileSync(fileOf(other), readFileSync(fileOf(statement)));
    const reader = new ProofFixtureStore(dir, "read");
    const asked = reader.proveCommittee(artifacts, committee.committee, COMMITMENT + 1n, sign(COMMITMENT + 1n));
    await expectFixtureError(asked, "FIXTURE_KEY_MISMATCH", "another statement");
    expect(reader.counts.hits).to.equal(0);
    rmSync(fileOf(other));
  });

  it("does not return a proof whose stored statement was edited to the one asked for: it does not verify for it", async () => {
    const stored = JSON.parse(readFileSync(fileOf(statement), "utf8"));
    writeFileSync(fileOf(other), JSON.stringify({ ...stored, statement: other }));
    const asked = new ProofFixtureStore(dir, "read").lookup(other, committee.verificationKey);
    await expectFixtureError(asked, "FIXTURE_INVALID", "does not verify");
    // The contract the fixture would be handed to refuses it too.
    expect(await verifier.verify(proven.proofData, COMMITMENT + 1n)).to.equal(false);
    rmSync(fileOf(other));
  });

  it("refuses a tampered proof under the right key (EXECUTE's verifier, before returning it), and the Solidity verifier rejects it", async () => {
    const original = readFileSync(fileOf(statement), "utf8");
    const p = decodeGroth16Proof(proven.proofData);
    const tampered = hexlify(encodeGroth16Proof({ ...p, c: [p.c[0], p.c[1] + 1n] }));
    writeFileSync(fileOf(statement), JSON.stringify({ statement, proofData: tampered }));
    try {
      const reader = new ProofFixtureStore(dir, "read");
      const asked = reader.proveCommittee(artifacts, committee.committee, COMMITMENT, sign(COMMITMENT));
      await expectFixtureError(asked, "FIXTURE_INVALID", "does not verify");
      expect(await verifier.verify(tampered, COMMITMENT)).to.equal(false);
    } finally {
      writeFileSync(fileOf(statement), original);
    }
  });

  it("hands attestations the prover would refuse to the prover, whatever is stored for the statement", async () => {
    const reader = new ProofFixtureStore(dir, "read");
    const tooFew = await rejection(
      reader.proveCommittee(artifacts, committee.committee, COMMITMENT, sign(COMMITMENT, [0, 1])),
    );
    expect(tooFew).to.be.instanceOf(CommitteeError);
    expect((tooFew as CommitteeError).code).to.equal("NOT_ENOUGH_SIGNATURES");
    // Member 0's signature twice: the circuit's distinct-signer constraint fails.
    const twice = [...sign(COMMITMENT, [0, 1]), sign(COMMITMENT, [0])[0]];
    const duplicate = await rejection(
      withoutWitnessErrorOutput(() => reader.proveCommittee(artifacts, committee.committee, COMMITMENT, twice)),
    );
    expect(duplicate).to.be.instanceOf(CircuitError);
    expect((duplicate as CircuitError).code).to.equal("WITNESS_FAILED");
    expect(reader.counts.hits).to.equal(0);
  });

  it("hands a set whose signature the circuit refuses to the prover, though a proof of the statement is stored", async () => {
    const reader = new ProofFixtureStore(dir, "read");
    // Member 1's S altered: the three members and the commitment are the stored statement's.
    const forged = sign(COMMITMENT).map((a) => (a.memberIndex === 1 ? { ...a, S: a.S + 1n } : a));
    const refused = await rejection(
      withoutWitnessErrorOutput(() => reader.proveCommittee(artifacts, committee.committee, COMMITMENT, forged)),
    );
    expect(refused).to.be.instanceOf(CircuitError);
    expect((refused as CircuitError).code).to.equal("WITNESS_FAILED");
    expect(reader.counts.hits).to.equal(0);
    // A bad fourth signature is one the prover leaves out (it takes the first three by member): a hit.
    const extra = [...sign(COMMITMENT), ...sign(COMMITMENT, [3]).map((a) => ({ ...a, S: a.S + 1n }))];
    const served = await reader.proveCommittee(artifacts, committee.committee, COMMITMENT, extra);
    expect(reader.counts).to.deep.equal({ hits: 1, proved: 0, written: 0 });
    expect(await verifier.verify(served.proofData, COMMITMENT)).to.equal(true);
  });

  it("reads its mode from PROOF_FIXTURES: read by default, write, off; anything else is refused", () => {
    expect(proofFixtureMode(undefined)).to.equal("read");
    expect(proofFixtureMode("write")).to.equal("write");
    expect(proofFixtureMode("off")).to.equal("off");
    expect(() => proofFixtureMode("yes")).to.throw(ProofFixtureError, "PROOF_FIXTURES=yes");
  });
});
