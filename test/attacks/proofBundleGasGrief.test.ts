import { rmSync } from "node:fs";
import { expect } from "chai";
import { AbiCoder, getBytes } from "ethers";
import hre from "hardhat";

import { BatchSubmitter } from "../../rollup-node/bridge/batchSubmitter";
import type { Logger } from "../../rollup-node/logger";
import { blockProofSource } from "../../rollup-node/node/proofSource";
import type { Sequencer } from "../../rollup-node/l2/sequencer";
import { type ExecutionProver, ProofService } from "../../rollup-node/provers/proofService";
import { type TestCommittee, committeeProver, testCommittee } from "../../tools/committeeFixture";
import { type EdrL1, startEdrL1 } from "../../tools/edrL1";
import { LoggedLines } from "../../tools/loggedLines";
import { deployVerifierRollup, openDevSequencer } from "../../tools/verifierRollup";
import { fixtureProveCommittee } from "../support/proofFixtures";

/**
 * The L2's clock, stopped (2024-01-01, behind any L1 it runs beside): its blocks are the same in every run, so the committee's
 * Groth16 proofs come from the committed fixtures (test/fixtures/proofs). The prover is not this
 * file's subject: what L1's Solidity verifiers do with its proofs is.
 */
const FIXED_CLOCK = 1_704_067_200n;
const L2_CHAIN_ID = 779n;
const PROOF_ABI = ["uint256[2]", "uint256[2][2]", "uint256[2]"] as const;

/**
 * A prover of an accepted key that answers a proof whose A is (1, 3): coordinates below p, so the
 * Solidity verifier's canonical checks pass, but not on BN254's curve (y² = x³ + 3 holds for (1, 2)).
 * The node's count discards it ("not on the curve"); L1's pairing precompile fails on it and, as
 * every failing precompile does, keeps all the gas it was given: 63/64 of what was left.
 */
function offCurveProver(name: string, c: TestCommittee): ExecutionProver {
  const honest = committeeProver(c, name, fixtureProveCommittee);
  return {
    ...honest,
    prove: async (block) => {
      const proof = await honest.prove(block);
      const [, b, cPoint] = AbiCoder.defaultAbiCoder().decode(PROOF_ABI, proof.proofData);
      const proofData = getBytes(AbiCoder.defaultAbiCoder().encode(PROOF_ABI, [[1n, 3n], b, cPoint]));
      return { ...proof, proofData };
    },
  };
}

/**
 * A k-of-n policy tolerates n − k provers that fail: one prover's bad proof must not fail or
 * price out the good ones (as one attester's bad signature must not fail a committee's proof,
 * docs/design/attester-server.md). On Solidity verifiers (ProofModeExecute) every proof in the
 * bundle is checked in a try/catch with 63/64 of the gas left; a proof the node already knows does
 * not count, sent anyway, burns almost all of it (attack-review-s22.md, finding 1).
 */
describe("attack: a prover's proof that does not count, sent to Solidity verifiers, burns the advance's gas", function () {
  this.timeout(600_000);
  let l1: EdrL1;
  let good: TestCommittee;
  let hostile: TestCommittee;
  let dir: string;
  let sequencer: Sequencer;
  let rollupAddress: string;

  before(async () => {
    l1 = await startEdrL1(hre);
    good = await testCommittee(4, 51);
    hostile = await testCommittee(4, 52);
    ({ sequencer, dir } = await openDevSequencer(L2_CHAIN_ID, "proof-gas-grief-", new LoggedLines(), FIXED_CLOCK));
    // 1 of 2: either committee's proof suffices; a prover that fails must not matter.
    rollupAddress = await deployVerifierRollup(l1.signer, sequencer, L2_CHAIN_ID, [good, hostile], 1);
  });

  after(async () => {
    await sequencer?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  async function submitter(provers: ExecutionProver[], logger: Logger = new LoggedLines()): Promise<BatchSubmitter> {
    // EDR mines on demand: an L1 block now, or the pending block is older than the L2 block.
    await l1.provider.send("evm_mine", []);
    return new BatchSubmitter({
      sequencer,
      rollupAddress,
      signer: l1.signer,
      logger,
      retry: { initialDelayMs: 20, maxDelayMs: 200 },
      mode: { kind: "proofs", proofs: blockProofSource(new ProofService(provers), L2_CHAIN_ID) },
    });
  }

  it("one bad proof ahead of a good one: the block goes on the good proof alone, at an ordinary advance's gas", async () => {
    await sequencer.produceBlock();
    const lines = new LoggedLines();
    const s = await submitter(
      [offCurveProver("hostile", hostile), committeeProver(good, "committee", fixtureProveCommittee)],
      lines,
    );
    await s.submitNext();
    expect(s.haltReason).to.equal(undefined);
    // An empty block on one proof costs ≈ 535,000 L1 gas (docs/design/first-block-proofs.md).
    const used = s.accepted[0]?.l1GasUsed;
    expect(used !== undefined && used < 1_000_000n, `L1 gas of the advance: ${used}`).to.equal(true);
    expect(s.accepted.map((a) => [a.number, a.provenBy])).to.deep.equal([[1n, ["committee"]]]);
    // The operator is told which prover's proof was left out, and why.
    expect(lines.all.filter((l) => /left out.*hostile: .*curve/i.test(l))).to.have.length(1);
  });

  it("two bad proofs ahead of a good one: the block is accepted, not halted on as proofs L1 refuses", async () => {
    await sequencer.produceBlock();
    const s = await submitter([
      offCurveProver("hostile", hostile),
      offCurveProver("hostile-2", hostile),
      committeeProver(good, "committee", fixtureProveCommittee),
    ]);
    await s.submitNext();
    expect(s.haltReason).to.equal(undefined);
    expect(s.accepted.map((a) => [a.number, a.provenBy])).to.deep.equal([[2n, ["committee"]]]);
  });
});
