import { expect } from "chai";
import { getBytes, keccak256 } from "ethers";

import { ExecuteError, ExecuteErrorCode, executeErrorName } from "../../precompiles";
import { decodeGroth16Proof, encodeGroth16Proof } from "../../precompiles/proofs/codec";
import type { ExecutionProof, ProofBundle } from "../../precompiles/proofs/types";
import { verifyBlockWithProofs } from "../../precompiles/proofs/verifyProofs";
import { releaseProverThreads } from "../../rollup-node/provers/committee";
import { type TestCommittee, bundle, testCommittee } from "../../tools/committeeFixture";
import { fixtureCommitteeProof } from "../support/proofFixtures";
import { TestSigner } from "../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../../tools/l2TestChain";

const CHAIN_ID = 906n;

function verifyWith(built: BuiltBlock, proofs: ProofBundle, witness = built.witness) {
  return verifyBlockWithProofs({
    chainId: CHAIN_ID,
    parentHeader: built.parentHeader,
    block: built.blockRlp,
    witness,
    bundle: proofs,
  });
}

async function expectCode(promise: Promise<unknown>, code: ExecuteErrorCode): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(ExecuteError);
    expect(executeErrorName((error as ExecuteError).code), (error as Error).message).to.equal(executeErrorName(code));
    return;
  }
  expect.fail(`expected ${executeErrorName(code)}`);
}

describe("EXECUTE proof mode (k of n proof types, committee attestations in Groth16)", function () {
  this.timeout(300_000);
  let committeeA: TestCommittee;
  let committeeB: TestCommittee;
  let built: BuiltBlock;
  let next: BuiltBlock;
  let proofA: ExecutionProof;
  let proofB: ExecutionProof;

  before(async () => {
    [committeeA, committeeB] = await Promise.all([testCommittee(5, 1), testCommittee(4, 2)]);
    const probe = await L2TestChain.create(CHAIN_ID, []);
    const alice = TestSigner.fromSeed(9, probe.common);
    const chain = await L2TestChain.create(CHAIN_ID, [{ address: alice.address.toString(), balance: 10n ** 18n }]);
    const signer = TestSigner.fromSeed(9, chain.common);
    built = await chain.buildBlock([signer.tx({ to: "0x00000000000000000000000000000000000000aa", value: 1n })]);
    next = await chain.buildBlock([signer.tx({ to: "0x00000000000000000000000000000000000000bb", value: 2n })]);
    proofA = await fixtureCommitteeProof(committeeA, CHAIN_ID, built, [0, 2, 4]);
    proofB = await fixtureCommitteeProof(committeeB, CHAIN_ID, built, [1, 2, 3]);
  });

  after(releaseProverThreads);

  it("accepts a block proven under k distinct accepted keys, without reading the witness", async () => {
    const proven = await verifyWith(
      built,
      bundle([proofA, proofB], [committeeA.keyHash, committeeB.keyHash], 2),
      new Uint8Array([0xc0]),
    );
    expect(proven.acceptedBy.mode).to.equal("proofs");
    expect(proven.acceptedBy.keys).to.have.length(2);
    expect(proven.result.blockHash).to.deep.equal(built.block.hash());
  });

  it("does not count a proof under a key outside the policy", async () => {
    await expectCode(
      verifyWith(built, bundle([proofA, proofB], [committeeA.keyHash, getBytes(keccak256("0x01"))], 2)),
      ExecuteErrorCode.ProofsInsufficient,
    );
  });

  it("counts a repeated key once", async () => {
    await expectCode(
      verifyWith(built, bundle([proofA, proofA], [committeeA.keyHash, committeeB.keyHash], 2)),
      ExecuteErrorCode.ProofsInsufficient,
    );
  });

  it("rejects a tampered proof", async () => {
    const decoded = decodeGroth16Proof(proofA.proofData);
    const tampered = { ...proofA, proofData: encodeGroth16Proof({ ...decoded, c: [decoded.c[0], decoded.c[1] + 1n] }) };
    await expectCode(
      verifyWith(built, bundle([tampered], [committeeA.keyHash], 1)),
      ExecuteErrorCode.ProofsInsufficient,
    );
  });

  it("rejects a proof of another block's commitment", async () => {
    await expectCode(verifyWith(next, bundle([proofA], [committeeA.keyHash], 1)), ExecuteErrorCode.ProofsInsufficient);
  });

  it("rejects a proof presented under another committee's key", async () => {
    const swapped = { ...proofA, verificationKey: committeeB.verificationKey };
    await expectCode(
      verifyWith(built, bundle([swapped], [committeeB.keyHash], 1)),
      ExecuteErrorCode.ProofsInsufficient,
    );
  });

  it("falls back to re-execution when proofs fall short and the policy allows it", async () => {
    const proven = await verifyWith(built, bundle([proofA], [committeeA.keyHash, committeeB.keyHash], 2, true));
    expect(proven.acceptedBy.mode).to.equal("reexecution");
  });

  it("reports an incomplete witness, not an invalid block, when the fallback lacks data", async () => {
    await expectCode(
      verifyWith(built, bundle([], [committeeA.keyHash], 1, true), new Uint8Array([0xc3, 0xc0, 0xc0, 0xc0])),
      ExecuteErrorCode.WitnessIncomplete,
    );
  });

  it("rejects a policy that asks for more proofs than it accepts keys", async () => {
    await expectCode(verifyWith(built, bundle([proofA], [committeeA.keyHash], 2)), ExecuteErrorCode.MalformedInput);
  });
});
