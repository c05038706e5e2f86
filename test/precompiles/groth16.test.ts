import { expect } from "chai";
import { buildBn128 } from "ffjavascript";
import { concat, getBytes, hexlify, keccak256 } from "ethers";

import { ExecuteError, ExecuteErrorCode, executeErrorName, verifyBlock } from "../../precompiles";
import {
  BN254_BASE_FIELD,
  BN254_GROUP_ORDER,
  BN254_TWIST_B,
  type G2Point,
  g2InSubgroup,
  g2OnCurve,
  g2Problem,
} from "../../precompiles/proofs/bn254";
import {
  decodeGroth16Key,
  decodeGroth16Proof,
  encodeGroth16Key,
  encodeGroth16Proof,
} from "../../precompiles/proofs/codec";
import { commitmentToField, executionCommitment } from "../../precompiles/proofs/commitment";
import { verifyGroth16 } from "../../precompiles/proofs/groth16";
import type { ExecutionProof, Groth16Key, Groth16Proof } from "../../precompiles/proofs/types";
import { countValidProofs, verifyBlockWithProofs } from "../../precompiles/proofs/verifyProofs";
import { releaseProverThreads } from "../../rollup-node/provers/committee";
import { type TestCommittee, bundle, testCommittee } from "../../tools/committeeFixture";
import { fixtureCommitteeProof } from "../support/proofFixtures";
import { TestSigner } from "../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../../tools/l2TestChain";

const CHAIN_ID = 911n;
const P = BN254_BASE_FIELD;

/** The BN254 G2 generator (EIP-197), in snarkjs' [[x.c0, x.c1], [y.c0, y.c1]] order. */
const G2_GENERATOR: G2Point = [
  [
    10857046999023057135944570762232829481370756359578518086990519993285655852781n,
    11559732032986387107991004021392285783925812861821192530917403151452391805634n,
  ],
  [
    8495653923123431417604973247489272438418190587263600148770280649306958101930n,
    4082367875863433681332203403145435568316851327593401208105741076214120093531n,
  ],
];

/** A point on the twist outside the order-r subgroup: the first x = k (k = 1, 2, …) whose y exists. */
async function twistPointOutsideSubgroup(): Promise<G2Point> {
  // ffjavascript only finds a square root here; the point itself is checked by the code under test.
  const bn = (await buildBn128(true)) as unknown as {
    F2: {
      fromObject(v: readonly bigint[]): unknown;
      toObject(v: unknown): bigint[];
      isSquare(v: unknown): boolean;
      sqrt(v: unknown): unknown;
      add(a: unknown, b: unknown): unknown;
      mul(a: unknown, b: unknown): unknown;
    };
  };
  for (let k = 1n; ; k++) {
    const x = bn.F2.fromObject([k, 0n]);
    const rhs = bn.F2.add(bn.F2.mul(bn.F2.mul(x, x), x), bn.F2.fromObject(BN254_TWIST_B));
    if (!bn.F2.isSquare(rhs)) continue;
    const y = bn.F2.toObject(bn.F2.sqrt(rhs));
    const point: G2Point = [
      [k, 0n],
      [y[0], y[1]],
    ];
    if (!g2InSubgroup(point)) return point;
  }
}

describe("Groth16 verification: canonical points, G2 subgroup, one encoding per key", function () {
  this.timeout(300_000);
  let committee: TestCommittee;
  let built: BuiltBlock;
  let proof: ExecutionProof;
  let key: Groth16Key;
  let groth16: Groth16Proof;
  let inputs: bigint[];

  before(async () => {
    committee = await testCommittee(3, 31);
    const probe = await L2TestChain.create(CHAIN_ID, []);
    const alice = TestSigner.fromSeed(14, probe.common);
    const chain = await L2TestChain.create(CHAIN_ID, [{ address: alice.address.toString(), balance: 10n ** 18n }]);
    built = await chain.buildBlock([
      TestSigner.fromSeed(14, chain.common).tx({ to: "0x00000000000000000000000000000000000000aa", value: 1n }),
    ]);
    proof = await fixtureCommitteeProof(committee, CHAIN_ID, built, [0, 1, 2]);
    key = decodeGroth16Key(proof.verificationKey);
    groth16 = decodeGroth16Proof(proof.proofData);
    const result = await verifyBlock({
      chainId: CHAIN_ID,
      parentHeader: built.parentHeader,
      block: built.blockRlp,
      witness: built.witness,
    });
    inputs = [...key.boundInputs, commitmentToField(executionCommitment(CHAIN_ID, built.parentHeader, result))];
  });

  after(releaseProverThreads);

  function verifyWith(proofs: readonly ExecutionProof[], acceptedKeys: readonly Uint8Array[], threshold: number) {
    return verifyBlockWithProofs({
      chainId: CHAIN_ID,
      parentHeader: built.parentHeader,
      block: built.blockRlp,
      witness: built.witness,
      bundle: bundle(proofs, acceptedKeys, threshold),
    });
  }

  it("accepts the committee's proof as produced (the baseline every case below alters)", async () => {
    expect(await verifyGroth16(key, groth16, inputs)).to.equal(true);
  });

  describe("coordinates must be below the base-field modulus (as EIP-197 requires)", () => {
    it("rejects a proof whose G1 coordinate is written as x + p", async () => {
      expect(await verifyGroth16(key, { ...groth16, a: [groth16.a[0] + P, groth16.a[1]] }, inputs)).to.equal(false);
    });

    it("rejects a proof whose G2 coordinate is written as x + p", async () => {
      const [[x0, x1], y] = groth16.b;
      expect(await verifyGroth16(key, { ...groth16, b: [[x0 + P, x1], y] }, inputs)).to.equal(false);
    });

    it("rejects a key whose coordinate is written as x + p", async () => {
      expect(await verifyGroth16({ ...key, alpha1: [key.alpha1[0] + P, key.alpha1[1]] }, groth16, inputs)).to.equal(
        false,
      );
    });
  });

  describe("G2 points must be in the order-r subgroup", () => {
    it("computes the twist constant and knows the generator is in the subgroup", () => {
      expect(g2OnCurve(G2_GENERATOR)).to.equal(true);
      expect(g2InSubgroup(G2_GENERATOR)).to.equal(true);
      expect(g2Problem(groth16.b)).to.equal(undefined);
    });

    it("finds an on-curve twist point outside the subgroup, and r times it is not the identity", async () => {
      const outside = await twistPointOutsideSubgroup();
      expect(g2OnCurve(outside)).to.equal(true);
      expect(g2Problem(outside)).to.equal("a G2 point is not in the order-r subgroup");
    });

    it("discards a proof whose B is on the twist but outside the subgroup, saying why", async () => {
      const outside = await twistPointOutsideSubgroup();
      const forged = { ...proof, proofData: encodeGroth16Proof({ ...groth16, b: outside }) };
      const { keys, discarded } = await countValidProofs(
        bundle([forged], [committee.keyHash], 1),
        inputs[inputs.length - 1],
      );
      expect(keys).to.deep.equal([]);
      expect(discarded[0].reason).to.match(/not in the order-r subgroup/);
    });
  });

  describe("one encoding per verification key", () => {
    it("does not count one key twice through two encodings of it (coordinate + p)", async () => {
      const aliasKey = encodeGroth16Key({ ...key, alpha1: [key.alpha1[0] + P, key.alpha1[1]] });
      const alias = { ...proof, verificationKey: aliasKey };
      await expectCode(
        verifyWith([proof, alias], [committee.keyHash, getBytes(keccak256(aliasKey))], 2),
        ExecuteErrorCode.ProofsInsufficient,
      );
    });

    it("does not count one key twice through two ABI encodings of it (trailing bytes)", async () => {
      const aliasKey = getBytes(concat([proof.verificationKey, new Uint8Array(32)]));
      expect(decodeGroth16Key(aliasKey)).to.deep.equal(key);
      const alias = { ...proof, verificationKey: aliasKey };
      await expectCode(
        verifyWith([proof, alias], [committee.keyHash, getBytes(keccak256(aliasKey))], 2),
        ExecuteErrorCode.ProofsInsufficient,
      );
    });

    it("rejects a policy that lists the same key twice, naming it", async () => {
      const error = await expectCode(
        verifyWith([proof], [committee.keyHash, committee.keyHash], 2),
        ExecuteErrorCode.MalformedInput,
      );
      expect(error.message).to.contain(hexlify(committee.keyHash));
    });

    it("rejects a public input at or above the group order r", async () => {
      const last = inputs.length - 1;
      expect(await verifyGroth16(key, groth16, [...inputs.slice(0, last), inputs[last] + BN254_GROUP_ORDER])).to.equal(
        false,
      );
    });
  });
});

async function expectCode(promise: Promise<unknown>, code: ExecuteErrorCode): Promise<ExecuteError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(ExecuteError);
    expect(executeErrorName((error as ExecuteError).code), (error as Error).message).to.equal(executeErrorName(code));
    return error as ExecuteError;
  }
  return expect.fail(`expected ${executeErrorName(code)}`);
}
