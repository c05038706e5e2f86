import { expect } from "chai";
import { hexlify } from "ethers";
import { ethers } from "hardhat";
import { copyFileSync, mkdtempSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { wtns } from "snarkjs";

import { decodeGroth16Key, decodeGroth16Proof } from "../../../precompiles/proofs/codec";
import { verifyGroth16 } from "../../../precompiles/proofs/groth16";
import {
  CircuitError,
  type CircuitInput,
  type LoadedCircuit,
  MAX_LOADED_CIRCUITS,
  loadCircuit,
} from "../../../rollup-node/provers/circuitCache";
import {
  type Attestation,
  type CircuitArtifacts,
  bundledCircuitArtifacts,
  proveCommittee,
  releaseProverThreads,
} from "../../../rollup-node/provers/committee";
import { type TestCommittee, testCommittee } from "../../../tools/committeeFixture";

/** The committee circuit's input for three members' attestations of `commitment`. */
function committeeInput(c: TestCommittee, commitment: bigint, attestations: readonly Attestation[]): CircuitInput {
  return {
    committeeRoot: c.committee.root,
    commitment,
    Ax: attestations.map((a) => c.committee.publicKeys[a.memberIndex][0]),
    Ay: attestations.map((a) => c.committee.publicKeys[a.memberIndex][1]),
    R8x: attestations.map((a) => a.R8[0]),
    R8y: attestations.map((a) => a.R8[1]),
    S: attestations.map((a) => a.S),
    memberIndex: attestations.map((a) => a.memberIndex),
    siblings: attestations.map((a) => c.committee.siblings(a.memberIndex)),
  };
}

/**
 * Whether two loads gave the same loaded circuit (the same object). A boolean, not chai's `equal`
 * on the circuits: hardhat-chai-matchers' `equal` walks an object's contents (a 9 MB zkey).
 */
function same(a: LoadedCircuit, b: LoadedCircuit): boolean {
  return a === b;
}

/** snarkjs's own witness file for `input` (its calculator compiles the module from the path). */
async function snarkjsWitness(wasmPath: string, input: CircuitInput): Promise<Uint8Array> {
  const out = { type: "mem" as const, data: new Uint8Array(0) };
  await wtns.calculate(input, wasmPath, out);
  return out.data;
}

/** The bundled circuit copied to a fresh folder: a circuit this test may rebuild in place. */
function copiedCircuit(): { artifacts: CircuitArtifacts; remove(): void } {
  const bundled = bundledCircuitArtifacts();
  const dir = mkdtempSync(path.join(tmpdir(), "circuit-cache-"));
  const artifacts = bundledCircuitArtifacts(dir);
  copyFileSync(bundled.wasm, artifacts.wasm);
  copyFileSync(bundled.zkey, artifacts.zkey);
  copyFileSync(bundled.verificationKey, artifacts.verificationKey);
  return { artifacts, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

describe("the circuit held in memory across proofs", function () {
  this.timeout(300_000);
  let c: TestCommittee;

  before(async () => {
    c = await testCommittee(4, 61);
  });

  after(releaseProverThreads);

  it("computes the witness snarkjs's own calculator computes, byte for byte, proof after proof", async () => {
    const { wasm, zkey } = bundledCircuitArtifacts();
    const circuit = await loadCircuit(wasm, zkey);
    for (const commitment of [5n, 6n]) {
      const input = committeeInput(
        c,
        commitment,
        [0, 1, 3].map((i) => c.keys[i].sign(i, commitment)),
      );
      const expected = await snarkjsWitness(wasm, input);
      expect(hexlify(circuit.witness(input))).to.equal(hexlify(expected));
    }
  });

  it("proves with the loaded circuit, and the second proof of the process verifies like the first (JS and Solidity)", async () => {
    const artifacts = bundledCircuitArtifacts();
    const key = decodeGroth16Key(c.verificationKey);
    const verifier = await ethers.deployContract("Groth16Verifier", [hexlify(c.verificationKey)]);
    for (const commitment of [71n, 72n]) {
      const before = await loadCircuit(artifacts.wasm, artifacts.zkey);
      const proof = await proveCommittee(
        artifacts,
        c.committee,
        commitment,
        [0, 1, 2].map((i) => c.keys[i].sign(i, commitment)),
      );
      const after = await loadCircuit(artifacts.wasm, artifacts.zkey);
      expect(same(after, before), "the proof used the circuit already loaded").to.equal(true);
      const p = decodeGroth16Proof(proof.proofData);
      expect(await verifyGroth16(key, p, [...key.boundInputs, commitment])).to.equal(true);
      expect(await verifier.verify(hexlify(proof.proofData), commitment)).to.equal(true);
      expect(await verifier.verify(hexlify(proof.proofData), commitment + 1n)).to.equal(false);
    }
  });

  it("refuses an input that does not satisfy the circuit, and computes the next witness as before", async () => {
    const { wasm, zkey } = bundledCircuitArtifacts();
    const circuit = await loadCircuit(wasm, zkey);
    const attestations = [0, 1, 2].map((i) => c.keys[i].sign(i, 8n));
    const forged = committeeInput(c, 9n, attestations);
    expect(() => circuit.witness(forged))
      .to.throw(CircuitError)
      .with.property("code", "WITNESS_FAILED");
    expect(() => circuit.witness({ ...committeeInput(c, 8n, attestations), S: [1n, 2n] }))
      .to.throw(CircuitError)
      .with.property("code", "BAD_INPUT");
    const input = committeeInput(c, 8n, attestations);
    expect(hexlify(circuit.witness(input))).to.equal(hexlify(await snarkjsWitness(wasm, input)));
  });

  it("loads a circuit rebuilt in place afresh, keeps at most MAX_LOADED_CIRCUITS, and the release drops them", async () => {
    const copies = Array.from({ length: MAX_LOADED_CIRCUITS + 1 }, copiedCircuit);
    try {
      const [first, ...others] = copies.map((copy) => copy.artifacts);
      const loaded = await loadCircuit(first.wasm, first.zkey);
      expect(same(await loadCircuit(first.wasm, first.zkey), loaded)).to.equal(true);
      // A rebuild: same path, another modification time.
      utimesSync(first.zkey, new Date(), new Date(Date.now() + 5_000));
      const rebuilt = await loadCircuit(first.wasm, first.zkey);
      expect(same(rebuilt, loaded), "a rebuilt circuit is loaded afresh").to.equal(false);
      for (const other of others) await loadCircuit(other.wasm, other.zkey);
      expect(same(await loadCircuit(first.wasm, first.zkey), rebuilt), "the oldest entry was dropped").to.equal(false);
      const kept = await loadCircuit(first.wasm, first.zkey);
      await releaseProverThreads();
      expect(same(await loadCircuit(first.wasm, first.zkey), kept), "dropped by the release").to.equal(false);
    } finally {
      for (const copy of copies) copy.remove();
    }
  });
});
