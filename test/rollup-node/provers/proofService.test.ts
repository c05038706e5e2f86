import { expect } from "chai";
import { getBytes } from "ethers";
import { hexToBytes } from "@ethereumjs/util";

import { decodeExecutionProofs } from "../../../precompiles/proofs/codec";
import { verifyBlockWithProofs } from "../../../precompiles/proofs/verifyProofs";
import type { ExecutionProof } from "../../../precompiles/proofs/types";
import { proveCommittee } from "../../../rollup-node/provers/committee";
import {
  CommitteeProver,
  type ExecutionProver,
  ProofService,
  type ProveCommittee,
  devAttesterKeys,
} from "../../../rollup-node/provers/proofService";
import { TestSigner, tamperBlock, word } from "../../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../../../tools/l2TestChain";

const CHAIN_ID = 910n;

/**
 * `proveCommittee`, whose proof of the same commitment from the same attestations (each member's
 * signature is deterministic) is made once per file: the second test asks for the first test's
 * proof again, and what it checks is the service's handling of another prover's failure.
 */
function provingOncePerInput(): ProveCommittee {
  const made = new Map<string, Promise<ExecutionProof>>();
  return (artifacts, committee, commitment, attestations) => {
    const key = JSON.stringify([
      artifacts.zkey,
      String(commitment),
      committee.publicKeys.map((k) => k.map(String)),
      // In member order, as the prover takes them (they arrive in the order the attesters answer).
      [...attestations]
        .sort((a, b) => a.memberIndex - b.memberIndex)
        .map((a) => [a.memberIndex, String(a.R8[0]), String(a.R8[1]), String(a.S)]),
    ]);
    let proof = made.get(key);
    if (proof === undefined) {
      proof = proveCommittee(artifacts, committee, commitment, attestations);
      made.set(key, proof);
    }
    return proof;
  };
}

describe("the proof service: attester processes and committee proofs", function () {
  this.timeout(300_000);
  let service: ProofService;
  let built: BuiltBlock;

  before(async () => {
    service = new ProofService([
      await CommitteeProver.start("alpha", devAttesterKeys("alpha", 3), undefined, { prove: provingOncePerInput() }),
    ]);
    const probe = await L2TestChain.create(CHAIN_ID, []);
    const alice = TestSigner.fromSeed(13, probe.common);
    const chain = await L2TestChain.create(CHAIN_ID, [{ address: alice.address.toString(), balance: 10n ** 18n }]);
    built = await chain.buildBlock([
      TestSigner.fromSeed(13, chain.common).tx({ to: "0x00000000000000000000000000000000000000aa", value: 1n }),
    ]);
  });

  after(async () => {
    await service?.close();
  });

  function params(block = built.blockRlp) {
    return { chainId: CHAIN_ID, parentHeader: built.parentHeader, block, witness: built.witness };
  }

  it("each attester process re-executes the block and their signatures aggregate into a proof EXECUTE accepts", async () => {
    const { encoded, provenBy, failures } = await service.proofsFor(params());
    expect(failures).to.deep.equal([]);
    expect(provenBy).to.deep.equal(["alpha"]);
    const acceptedKeys = [getBytes(service.provers[0].keyHash)];
    const bundle = {
      policy: { threshold: 1, allowReexecution: false, acceptedKeys },
      proofs: decodeExecutionProofs(encoded),
    };
    const proven = await verifyBlockWithProofs({ ...params(), bundle });
    expect(proven.acceptedBy.mode).to.equal("proofs");
  });

  it("leaves out a plugged-in prover that fails, names it, and still delivers the others' proofs", async () => {
    const unreachableZkVm: ExecutionProver = {
      name: "zkvm",
      keyHash: `0x${word(9)}`,
      prove: () => Promise.reject(new Error("prover endpoint refused the connection")),
      close: () => Promise.resolve(),
    };
    const mixed = new ProofService([service.provers[0] as ExecutionProver, unreachableZkVm]);
    const { encoded, provenBy, failures } = await mixed.proofsFor(params());
    expect(provenBy).to.deep.equal(["alpha"]);
    expect(failures).to.deep.equal(["zkvm: prover endpoint refused the connection"]);
    expect(decodeExecutionProofs(encoded)).to.have.length(1);
  });

  it("produces no proof for a block the attesters find invalid", async () => {
    const forged = tamperBlock(built.block, { stateRoot: hexToBytes(`0x${word(5)}`) });
    const { provenBy, failures } = await service.proofsFor(params(forged));
    expect(provenBy).to.deep.equal([]);
    expect(failures[0]).to.match(/0 of 3 attesters signed.*state root mismatch/);
  });
});
