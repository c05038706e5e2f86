import { expect } from "chai";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { createBlockFromRLP } from "@ethereumjs/block";
import { bytesToHex } from "@ethereumjs/util";
import { AbiCoder, Interface, hexlify } from "ethers";
import hre from "hardhat";

import { EXECUTE_ADDRESS, ExecuteErrorCode, encodeExecuteResult, verifyBlock } from "../../../precompiles";
import { encodeExecutionProofs, encodeProofBundle } from "../../../precompiles/proofs/codec";
import { commitmentToField, executionCommitment } from "../../../precompiles/proofs/commitment";
import type { ExecutionProof } from "../../../precompiles/proofs/types";
import { resultOf } from "../../../precompiles/verifyBlock";
import { bundledCircuitArtifacts, proveCommittee, releaseProverThreads } from "../../../rollup-node/provers/committee";
import { type ProofModeExecute, ProofModeExecute__factory, type ProvenRollup, ProvenRollup__factory } from "../../../typechain-types";
import { type TestCommittee, bundle, committeeProof, testCommittee } from "../../support/committeeFixture";
import { type EdrL1, startEdrL1 } from "../../support/edrL1";
import { TestSigner, tamperBlock } from "../../support/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../../support/l2TestChain";

const L2_CHAIN_ID = 912n;
const OTHER_CHAIN_ID = 913n;
const CONFIG = { sequencerInactivityPeriod: 3600, forceInclusionDelay: 3600 };
/** The 352-byte EXECUTE output, as a tuple. */
const EXECUTE_RESULT = "tuple(bytes32,bytes32,bytes32,uint64,uint64,uint64,uint64,uint256,uint256,address,bytes32)";
const executeErrors = { interface: new Interface(["error ExecuteInvalid(uint8 code, string reason)", "error ExecuteMalformedResult(uint256 length)"]) };

/**
 * A proof from a dishonest quorum: the committee signs `commitment` without re-executing
 * anything. It shows what the contract itself must refuse, whatever the provers attest.
 */
async function signedProof(c: TestCommittee, commitment: bigint): Promise<ExecutionProof> {
  const attestations = [0, 1, 2].map((i) => c.keys[i].sign(i, commitment));
  return proveCommittee(bundledCircuitArtifacts(), c.committee, commitment, attestations);
}

/** The commitment of the block `blockRlp` claims, on `parentHeader`, for `chainId` (commitment.ts). */
function claimedCommitment(chainId: bigint, parentHeader: Uint8Array, blockRlp: Uint8Array, common: L2TestChain["common"]): bigint {
  const block = createBlockFromRLP(blockRlp, { common, skipConsensusFormatValidation: true });
  return commitmentToField(executionCommitment(chainId, parentHeader, resultOf(block)));
}

describe("EXECUTE's proof mode in Solidity on an L1 without EXECUTE (ProofModeExecute on Hardhat's EDR network)", function () {
  this.timeout(600_000);
  let l1: EdrL1;
  let committees: TestCommittee[];
  let chain: L2TestChain;
  let signer: TestSigner;
  let executor: ProofModeExecute;
  let rollup: ProvenRollup;
  let genesisHeader: Uint8Array;

  function transfer(value: bigint) {
    return signer.tx({ to: "0x000000000000000000000000000000000000aa01", value });
  }

  function advance(parentHeader: Uint8Array, blockRlp: Uint8Array, proofs: readonly ExecutionProof[]) {
    return rollup.advance(parentHeader, blockRlp, "0x", proofs.length === 0 ? "0x" : hexlify(encodeExecutionProofs(proofs)), 0);
  }

  async function honestProofs(built: BuiltBlock, which: readonly TestCommittee[], chainId = L2_CHAIN_ID): Promise<ExecutionProof[]> {
    return Promise.all(which.map((c) => committeeProof(c, chainId, built, [0, 1, 2])));
  }

  async function expectRefused(tx: Promise<unknown>, code: ExecuteErrorCode): Promise<void> {
    await expect(tx).to.be.revertedWithCustomError(executeErrors, "ExecuteInvalid").withArgs(code, anyValue);
  }

  before(async () => {
    l1 = await startEdrL1(hre);
    committees = await Promise.all([testCommittee(4, 41), testCommittee(4, 42), testCommittee(4, 43)]);
    const probe = await L2TestChain.create(L2_CHAIN_ID, []);
    const alice = TestSigner.fromSeed(17, probe.common);
    chain = await L2TestChain.create(L2_CHAIN_ID, [{ address: alice.address.toString(), balance: 10n ** 20n }]);
    signer = TestSigner.fromSeed(17, chain.common);
    genesisHeader = chain.latest.header.serialize();
    executor = await new ProofModeExecute__factory(l1.signer).deploy(committees.map((c) => hexlify(c.verificationKey)));
    const genesis = chain.latest.header;
    rollup = await new ProvenRollup__factory(l1.signer).deploy(
      L2_CHAIN_ID,
      bytesToHex(genesis.hash()),
      bytesToHex(genesis.stateRoot),
      await l1.signer.getAddress(),
      CONFIG,
      { threshold: 2, allowReexecution: false, acceptedKeys: committees.map((c) => hexlify(c.keyHash)) },
      await executor.getAddress(),
    );
  });

  after(releaseProverThreads);

  it("runs on an L1 that has no EXECUTE: a rollup pointed at the precompile cannot advance there", async () => {
    expect(await l1.provider.getCode(EXECUTE_ADDRESS)).to.equal("0x");
    const genesis = chain.latest.header;
    const onPrecompile = await new ProvenRollup__factory(l1.signer).deploy(
      L2_CHAIN_ID,
      bytesToHex(genesis.hash()),
      bytesToHex(genesis.stateRoot),
      await l1.signer.getAddress(),
      CONFIG,
      { threshold: 1, allowReexecution: false, acceptedKeys: [hexlify(committees[0].keyHash)] },
      EXECUTE_ADDRESS,
    );
    const built = await chain.buildBlock([], { discard: true });
    const proofs = await honestProofs(built, [committees[0]]);
    // A call to an empty account succeeds with no output: the 352-byte result is missing.
    await expect(onPrecompile.advance(built.parentHeader, built.blockRlp, "0x", hexlify(encodeExecutionProofs(proofs)), 0))
      .to.be.revertedWithCustomError(executeErrors, "ExecuteMalformedResult")
      .withArgs(0n);
  });

  it("accepts a block proven under k distinct keys; the head, state root and output are those the proofs committed to", async () => {
    const built = await chain.buildBlock([transfer(1n), transfer(2n)]);
    const proofs = await honestProofs(built, [committees[0], committees[2]]);
    const reexecuted = await verifyBlock({ chainId: L2_CHAIN_ID, parentHeader: built.parentHeader, block: built.blockRlp, witness: built.witness });

    const returned = await executor.verify.staticCall(L2_CHAIN_ID, built.parentHeader, built.blockRlp, hexlify(encodeProofBundle(bundle(proofs, committees.map((c) => c.keyHash), 2))));
    // ethers returns a frozen Result; the calls below take a plain tuple.
    const output = [...returned] as unknown as typeof returned;
    const onChainCommitment = await executor.commitmentOf(L2_CHAIN_ID, built.parentHeader, output);
    expect(onChainCommitment).to.equal(commitmentToField(executionCommitment(L2_CHAIN_ID, built.parentHeader, reexecuted)));
    expect(AbiCoder.defaultAbiCoder().encode([EXECUTE_RESULT], [output])).to.equal(hexlify(encodeExecuteResult(reexecuted)));

    await expect(advance(built.parentHeader, built.blockRlp, proofs))
      .to.emit(rollup, "BlockAdvanced")
      .withArgs(1n, bytesToHex(built.block.hash()), bytesToHex(reexecuted.stateRoot), 0n, reexecuted.gasUsed, reexecuted.burnedFees, anyValue);
    expect(await rollup.headHash()).to.equal(bytesToHex(reexecuted.blockHash));
    expect(await rollup.headNumber()).to.equal(1n);
    expect(await rollup.stateRootOf(1n)).to.equal(bytesToHex(reexecuted.stateRoot));
  });

  describe("refusals, for a block whose honest proofs would be accepted", () => {
    let built: BuiltBlock;
    let sibling: BuiltBlock;
    let honest: ExecutionProof[];

    before(async () => {
      // Another block on the same parent; the chain's head stays where it was.
      sibling = await chain.buildBlock([], { discard: true });
      built = await chain.buildBlock([transfer(3n)]);
      honest = await honestProofs(built, [committees[0], committees[1]]);
    });

    it("refuses proofs of another block on the same parent", async () => {
      const proofs = await honestProofs(sibling, [committees[0], committees[1]]);
      await expectRefused(advance(built.parentHeader, built.blockRlp, proofs), ExecuteErrorCode.ProofsInsufficient);
    });

    it("refuses proofs of this block on another parent", async () => {
      const commitment = claimedCommitment(L2_CHAIN_ID, genesisHeader, built.blockRlp, chain.common);
      const proofs = await Promise.all([committees[0], committees[1]].map((c) => signedProof(c, commitment)));
      await expectRefused(advance(built.parentHeader, built.blockRlp, proofs), ExecuteErrorCode.ProofsInsufficient);
    });

    it("refuses proofs of this block for another chain id", async () => {
      const commitment = claimedCommitment(OTHER_CHAIN_ID, built.parentHeader, built.blockRlp, chain.common);
      const proofs = await Promise.all([committees[0], committees[1]].map((c) => signedProof(c, commitment)));
      await expectRefused(advance(built.parentHeader, built.blockRlp, proofs), ExecuteErrorCode.ProofsInsufficient);
    });

    it("refuses k - 1 proofs, and the same key twice", async () => {
      await expectRefused(advance(built.parentHeader, built.blockRlp, [honest[0]]), ExecuteErrorCode.ProofsInsufficient);
      await expectRefused(advance(built.parentHeader, built.blockRlp, [honest[0], honest[0]]), ExecuteErrorCode.ProofsInsufficient);
    });

    it("refuses the block without proofs: re-execution needs the precompile", async () => {
      await expectRefused(advance(built.parentHeader, built.blockRlp, []), ExecuteErrorCode.ProofsInsufficient);
    });

    it("refuses a body whose transactions are not those of the header's root, though the proofs hold for the header", async () => {
      const tampered = tamperBlock(built.block, {}, { transactions: [] });
      expect(hexlify(createBlockFromRLP(tampered, { common: chain.common, skipConsensusFormatValidation: true }).hash())).to.equal(hexlify(built.block.hash()));
      await expectRefused(advance(built.parentHeader, tampered, honest), ExecuteErrorCode.InvalidTransactions);
    });

    it("refuses a header that breaks a parent rule, though a quorum signed it", async () => {
      const header = built.block.header;
      const cases: [Partial<Record<string, unknown>>, ExecuteErrorCode][] = [
        [{ baseFeePerGas: (header.baseFeePerGas ?? 0n) + 1n }, ExecuteErrorCode.InvalidBaseFee],
        [{ timestamp: chain.headerAt(header.number - 1n).timestamp }, ExecuteErrorCode.InvalidTimestamp],
        [{ gasLimit: header.gasLimit + header.gasLimit / 1024n }, ExecuteErrorCode.InvalidGasLimit],
        [{ number: header.number + 1n }, ExecuteErrorCode.ParentMismatch],
      ];
      for (const [fields, code] of cases) {
        const forged = tamperBlock(built.block, fields);
        const commitment = claimedCommitment(L2_CHAIN_ID, built.parentHeader, forged, chain.common);
        const proofs = await Promise.all([committees[0], committees[1]].map((c) => signedProof(c, commitment)));
        await expectRefused(advance(built.parentHeader, forged, proofs), code);
      }
    });

    it("then accepts the block itself on its honest proofs", async () => {
      await expect(advance(built.parentHeader, built.blockRlp, honest)).to.emit(rollup, "BlockAdvanced").withArgs(2n, bytesToHex(built.block.hash()), anyValue, 0n, anyValue, anyValue, anyValue);
    });
  });

  describe("deployment", () => {
    it("refuses a policy with a key the executor has no verifier for, or that allows re-execution", async () => {
      const genesis = chain.headerAt(0n);
      const deploy = (policy: { threshold: number; allowReexecution: boolean; acceptedKeys: string[] }) =>
        new ProvenRollup__factory(l1.signer).deploy(L2_CHAIN_ID, bytesToHex(genesis.hash()), bytesToHex(genesis.stateRoot), l1.signer.address, CONFIG, policy, executor.target);
      const stranger = `0x${"11".repeat(32)}`;
      await expect(deploy({ threshold: 1, allowReexecution: false, acceptedKeys: [hexlify(committees[0].keyHash), stranger] }))
        .to.be.revertedWithCustomError(rollup, "NoVerifierForKey")
        .withArgs(stranger);
      await expect(deploy({ threshold: 1, allowReexecution: true, acceptedKeys: [hexlify(committees[0].keyHash)] }))
        .to.be.revertedWithCustomError(rollup, "ReexecutionUnavailable")
        .withArgs(executor.target);
    });
  });
});

