import { rmSync } from "node:fs";
import { expect } from "chai";
import { Contract, Interface, Wallet, getAddress, getBytes } from "ethers";
import hre from "hardhat";

import {
  ExecuteErrorCode,
  commitmentToField,
  countValidProofs,
  decodeExecutionProofs,
  encodeProofBundle,
  executionCommitment,
  resultOf,
} from "../../precompiles";
import { advanceGasOf } from "../../rollup-node/bridge/advanceGas";
import { AdvanceSubmitter } from "../../rollup-node/bridge/advanceSubmitter";
import { BatchSubmitter, type BlockProofs } from "../../rollup-node/bridge/batchSubmitter";
import {
  type RollupContract,
  connectRollup,
  decodeRollupRevert,
  revertDataOf,
} from "../../rollup-node/bridge/contracts";
import { BridgeError } from "../../rollup-node/bridge/errors";
import { ProofsRefusedByL1Error } from "../../rollup-node/bridge/submissionErrors";
import type { Logger } from "../../rollup-node/logger";
import { blockProofSource } from "../../rollup-node/node/proofSource";
import type { Sequencer } from "../../rollup-node/l2/sequencer";
import type { ProducedBlock } from "../../rollup-node/l2/types";
import { ProofService } from "../../rollup-node/provers/proofService";
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
const L2_CHAIN_ID = 778n;

/** ExecuteInvalid(ProofsInsufficient) as the rollup reverts with it (Execute.sol bubbles the executor's error). */
const EXECUTE_ERRORS = new Interface(["error ExecuteInvalid(uint8 code, string reason)"]);
const PROOFS_INSUFFICIENT = EXECUTE_ERRORS.encodeErrorResult("ExecuteInvalid", [
  ExecuteErrorCode.ProofsInsufficient,
  "0 of the 1 required proofs verified",
]);

/**
 * The anyL1 e2e's failure, without its timing: a proof-mode rollup on Solidity verifiers (an L1
 * without EXECUTE) refused the node's first block with `ProofsInsufficient "0 of the 1 required
 * proofs verified"` and the submitter halted. The first block was the one a timed block built
 * before the node's first L1 read is: no message, no transaction. Such a block's `advance`, at the
 * gas limit the submitter derives from EXECUTE's proof-mode charge, leaves the Groth16 verifier
 * short of gas inside ProofModeExecute's try/catch, which counts it as a proof that does not
 * verify (docs/design/first-block-proofs.md).
 */
describe("proof mode on Solidity verifiers: a block whose advance the derived gas limit prices short is accepted, not halted on", function () {
  this.timeout(600_000);
  let l1: EdrL1;
  let committee: TestCommittee;
  let dir: string;
  let sequencer: Sequencer;
  let rollupAddress: string;
  let rollup: RollupContract;
  let proofs: (produced: ProducedBlock) => Promise<BlockProofs>;

  before(async () => {
    l1 = await startEdrL1(hre);
    committee = await testCommittee(4, 41);
    ({ sequencer, dir } = await openDevSequencer(L2_CHAIN_ID, "first-block-proofs-", new LoggedLines(), FIXED_CLOCK));
    rollupAddress = await deployVerifierRollup(l1.signer, sequencer, L2_CHAIN_ID, [committee], 1);
    rollup = connectRollup(rollupAddress, l1.signer);
    proofs = blockProofSource(
      new ProofService([committeeProver(committee, "committee", fixtureProveCommittee)]),
      L2_CHAIN_ID,
    );
  });

  after(async () => {
    await sequencer?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  function submitter(logger: Logger): BatchSubmitter {
    return new BatchSubmitter({
      sequencer,
      rollupAddress,
      signer: l1.signer,
      logger,
      retry: { initialDelayMs: 20, maxDelayMs: 200 },
      mode: { kind: "proofs", proofs },
    });
  }

  it("the cause: an empty block's proofs verify, yet at the derived limit the verifier runs out of gas and L1 says they do not verify", async () => {
    const produced = await sequencer.produceBlock();
    expect(produced.consumedMessages).to.equal(0);
    expect(produced.block.transactions.length).to.equal(0);
    const delivered = await proofs(produced);
    const policy = { threshold: 1, allowReexecution: false, acceptedKeys: [committee.keyHash] };
    const commitment = commitmentToField(
      executionCommitment(L2_CHAIN_ID, produced.parentHeader, resultOf(produced.block)),
    );
    const counted = await countValidProofs({ policy, proofs: decodeExecutionProofs(delivered.encoded) }, commitment);
    expect(counted.keys, "the proof verifies off chain").to.have.length(1);

    const args = [produced.parentHeader, produced.blockRlp, new Uint8Array(), delivered.encoded, 0] as const;
    const { gasLimit: derived } = advanceGasOf({
      calldata: getBytes(rollup.interface.encodeFunctionData("advance", [...args])),
      parentHeader: produced.parentHeader,
      block: produced.blockRlp,
      witness: new Uint8Array(),
      proofBundle: encodeProofBundle({ policy, proofs: decodeExecutionProofs(delivered.encoded) }),
      proofCount: 1,
      consumedMessages: 0,
      policyKeys: 1,
      logsBlock: false,
    });
    const atDerived = await rollup.advance.staticCall(...args, { gasLimit: derived, blockTag: "pending" }).then(
      () => undefined,
      (error: unknown) => decodeRollupRevert(revertDataOf(error) ?? "0x"),
    );
    expect(atDerived?.executeCode).to.equal(ExecuteErrorCode.ProofsInsufficient);
    expect(atDerived?.text).to.contain("0 of the 1 required proofs verified");
    // The same call with the gas L1 estimates passes: the refusal was the gas, not the proof.
    const estimate = await rollup.advance.estimateGas(...args);
    expect(estimate > derived).to.equal(true);
    await rollup.advance.staticCall(...args, { gasLimit: estimate, blockTag: "pending" });
  });

  it("the submitter sends that block at L1's estimate and L1 accepts it on its proof; it says once, as information, that the derivation is short", async () => {
    const lines = new LoggedLines();
    // Every submitter on Solidity verifiers meets this on its first advance (the derivation prices
    // EXECUTE's schedule): expected, so not a warning an operator would chase (the s27 fresh-clone run).
    const warnings: string[] = [];
    const warn = lines.warn;
    lines.warn = (message: string): void => {
      warnings.push(message);
      warn(message);
    };
    const s = submitter(lines);
    await s.submitNext();
    expect(s.haltReason).to.equal(undefined);
    expect(s.accepted.map((a) => [a.number, a.provenBy, a.witnessBytes])).to.deep.equal([[1n, ["committee"], 0]]);
    expect(await rollup.headNumber()).to.equal(1n);
    const short = lines.all.filter((l) => l.includes("needs more gas than derived"));
    expect(short).to.have.length(1);
    expect(short[0]).to.contain("the derivation prices EXECUTE's schedule, not this Solidity verifier's");
    expect(warnings.filter((l) => l.includes("needs more gas than derived"))).to.deep.equal([]);
    // This L1 has no EXECUTE: the log names what verified the block, the rollup's Solidity verifier.
    const executor = await new Contract(rollupAddress, ["function EXECUTOR() view returns (address)"], l1.signer)
      .getFunction("EXECUTOR")()
      .then((a: string) => getAddress(a));
    const acceptedLine = lines.all.find((l) => l.includes("L2 block 1 accepted on L1"));
    expect(acceptedLine).to.contain(`the Solidity verifier contract ${executor} verified its proofs (committee)`);
    expect(acceptedLine).to.not.contain("EXECUTE");
  });

  it("after a restart (a submitter that has not learnt the derivation is short), the next empty block is accepted too", async () => {
    await sequencer.produceBlock();
    const s = submitter(new LoggedLines());
    await s.submitNext();
    expect(s.haltReason).to.equal(undefined);
    expect(s.accepted.map((a) => [a.number, a.provenBy])).to.deep.equal([[2n, ["committee"]]]);
    expect(await rollup.headNumber()).to.equal(2n);
  });

  it("a policy of 2 of 2 committees (two verifiers, either may be the one short of gas): the empty block is accepted on both proofs", async () => {
    const second = await testCommittee(4, 42);
    const twoOfTwo = await deployVerifierRollup(l1.signer, sequencer, L2_CHAIN_ID, [committee, second], 2);
    const both = blockProofSource(
      new ProofService([
        committeeProver(committee, "committee", fixtureProveCommittee),
        committeeProver(second, "second", fixtureProveCommittee),
      ]),
      L2_CHAIN_ID,
    );
    const s = new BatchSubmitter({
      sequencer,
      rollupAddress: twoOfTwo,
      signer: l1.signer,
      logger: new LoggedLines(),
      mode: { kind: "proofs", proofs: both },
    });
    await s.submitNext();
    expect(s.haltReason).to.equal(undefined);
    expect(s.accepted.map((a) => [a.number, a.provenBy])).to.deep.equal([[1n, ["committee", "second"]]]);
  });

  it("proofs valid here that L1 refuses even at the cap: nothing is sent and the submitter halts naming L1's verifiers", async () => {
    await sequencer.produceBlock();
    const s = new AdvanceSubmitter(
      {
        sequencer,
        rollupAddress,
        signer: l1.signer,
        logger: new LoggedLines(),
        retry: { initialDelayMs: 20, maxDelayMs: 200 },
      },
      proofs,
    );
    // L1 as the rollup's verifiers would answer if they disagreed with EXECUTE's rules: every
    // simulation, estimate and send of `advance` counts no proof, whatever the gas. The rest is L1's own.
    const refuse = async (): Promise<never> => {
      throw Object.assign(new Error("reverted"), { data: PROOFS_INSUFFICIENT });
    };
    Object.defineProperty(s, "advanceCalls", { value: { simulate: refuse, estimate: refuse, send: refuse } });
    const nonce = await l1.provider.getTransactionCount(await l1.signer.getAddress());
    const error = await s.submitNext().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(ProofsRefusedByL1Error);
    expect((error as Error).message).to.match(/L2 block 3 \(ExecuteInvalid\(ProofsInsufficient=6/);
    expect(await l1.provider.getTransactionCount(await l1.signer.getAddress()), "an advance was sent").to.equal(nonce);
  });
});

/** An AdvanceSubmitter whose L1 refuses every simulation and estimate of `advance` with ProofsInsufficient. */
function refusingSubmitter(allowReexecution: boolean) {
  const submitter = new AdvanceSubmitter(
    {
      sequencer: { producedBlock: async () => undefined, onBlock: () => () => {} },
      rollupAddress: Wallet.createRandom().address,
      signer: Wallet.createRandom(),
      logger: new LoggedLines(),
    },
    undefined,
  );
  const refuse = async (): Promise<never> => {
    throw Object.assign(new Error("reverted"), { data: PROOFS_INSUFFICIENT });
  };
  const proofPolicy = async () => ({ threshold: 1n, allowReexecution, acceptedKeys: [] });
  Object.defineProperty(submitter, "rollup", { value: { proofPolicy } });
  Object.defineProperty(submitter, "advanceCalls", { value: { simulate: refuse, estimate: refuse } });
  const gasLimit = (
    submitter as unknown as {
      advanceGasLimit(n: bigint, data: string, d: bigint, cap?: bigint, proven?: boolean): Promise<bigint>;
    }
  ).advanceGasLimit;
  return (proven: boolean) => gasLimit.call(submitter, 1n, "0x", 500_000n, 2n ** 24n, proven).catch((e: unknown) => e);
}

describe("AdvanceSubmitter: proofs that verify here but that L1 refuses even at the cap", () => {
  it("halt with a code that names L1's verifiers, not BLOCK_REJECTED ('fix the sequencer')", async () => {
    const error = await refusingSubmitter(false)(true);
    expect(error).to.be.instanceOf(BridgeError);
    expect((error as BridgeError).code).to.equal("PROOFS_REFUSED_BY_L1");
    expect((error as Error).message).to.match(/L2 block 1.*0 of the 1 required proofs verified.*16777216/);
  });

  it("are L1's answer as it is when the policy allows re-execution (the block is resent with its witness) or the proofs did not meet the threshold here", async () => {
    for (const error of [await refusingSubmitter(true)(true), await refusingSubmitter(false)(false)]) {
      expect(error).not.to.be.instanceOf(BridgeError);
      expect((error as { data?: string }).data).to.equal(PROOFS_INSUFFICIENT);
    }
  });
});
