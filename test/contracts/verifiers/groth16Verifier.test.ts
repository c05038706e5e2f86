import { expect } from "chai";
import { hexlify, keccak256 } from "ethers";
import { ethers } from "hardhat";

import {
  decodeGroth16Key,
  decodeGroth16Proof,
  encodeGroth16Key,
  encodeGroth16Proof,
} from "../../../precompiles/proofs/codec";
import { BN254_SCALAR_FIELD } from "../../../precompiles/proofs/commitment";
import { verifyGroth16 } from "../../../precompiles/proofs/groth16";
import type { ExecutionProof, Groth16Proof } from "../../../precompiles/proofs/types";
import { bundledCircuitArtifacts } from "../../../rollup-node/provers/committee";
import type { Groth16Verifier } from "../../../typechain-types";
import { type TestCommittee, testCommittee } from "../../../tools/committeeFixture";
import { fixtureProveCommittee } from "../../support/proofFixtures";

/** BN254's base field: coordinates are canonical below it. */
const BASE_FIELD = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
const COMMITMENT = 123456789n;

describe("Groth16Verifier (one accepted key, in Solidity) agrees with EXECUTE's Groth16 verifier", function () {
  this.timeout(300_000);
  let committee: TestCommittee;
  let proof: ExecutionProof;
  let verifier: Groth16Verifier;

  /** Both verifiers' answers for a proof of the committee key against `commitment`. */
  async function both(p: Groth16Proof, commitment: bigint): Promise<[boolean, boolean]> {
    const key = decodeGroth16Key(committee.verificationKey);
    const ts = await verifyGroth16(key, p, [...key.boundInputs, commitment]);
    return [ts, await verifier.verify(hexlify(encodeGroth16Proof(p)), commitment)];
  }

  before(async () => {
    committee = await testCommittee(4, 51);
    const attestations = [0, 1, 2].map((i) => committee.keys[i].sign(i, COMMITMENT));
    proof = await fixtureProveCommittee(bundledCircuitArtifacts(), committee.committee, COMMITMENT, attestations);
    verifier = (await ethers.deployContract("Groth16Verifier", [
      hexlify(committee.verificationKey),
    ])) as unknown as Groth16Verifier;
  });

  it("is found under the hash of the key it was built from", async () => {
    expect(await verifier.KEY_HASH()).to.equal(keccak256(committee.verificationKey));
  });

  it("accepts the proof of its commitment and refuses it for another", async () => {
    const p = decodeGroth16Proof(proof.proofData);
    expect(await both(p, COMMITMENT)).to.deep.equal([true, true]);
    expect(await both(p, COMMITMENT + 1n)).to.deep.equal([false, false]);
  });

  it("refuses a tampered proof and a commitment outside the scalar field", async () => {
    const p = decodeGroth16Proof(proof.proofData);
    expect(await both({ ...p, c: [p.c[0], p.c[1] + 1n] }, COMMITMENT)).to.deep.equal([false, false]);
    expect(await verifier.verify(proof.proofData, COMMITMENT + BN254_SCALAR_FIELD)).to.equal(false);
    expect(await verifier.verify(hexlify(proof.proofData).slice(0, -64), COMMITMENT)).to.equal(false);
  });

  it("refuses non-canonical coordinates (y + p names the same point modulo p)", async () => {
    const p = decodeGroth16Proof(proof.proofData);
    expect(
      await verifier.verify(hexlify(encodeGroth16Proof({ ...p, a: [p.a[0], p.a[1] + BASE_FIELD] })), COMMITMENT),
    ).to.equal(false);
    expect(
      await verifier.verify(hexlify(encodeGroth16Proof({ ...p, c: [p.c[0] + BASE_FIELD, p.c[1]] })), COMMITMENT),
    ).to.equal(false);
  });

  it("refuses a key whose IC does not match its bound inputs plus the commitment", async () => {
    const key = decodeGroth16Key(committee.verificationKey);
    const factory = await ethers.getContractFactory("Groth16Verifier");
    await expect(ethers.deployContract("Groth16Verifier", [hexlify(encodeGroth16Key({ ...key, boundInputs: [] }))]))
      .to.be.revertedWithCustomError(factory, "KeyInputCountMismatch")
      .withArgs(key.ic.length, 0n);
  });
});
