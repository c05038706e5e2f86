import { expect } from "chai";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { bytesToHex } from "@ethereumjs/util";
import { Interface, concat, getBytes, hexlify, keccak256 } from "ethers";
import { ethers, network } from "hardhat";

import { EXECUTE_ADDRESS, ExecuteErrorCode } from "../../precompiles";
import { encodeExecutionProofs } from "../../precompiles/proofs/codec";
import type { ExecutionProof } from "../../precompiles/proofs/types";
import type { ProvenRollup } from "../../typechain-types";
import { type TestCommittee, testCommittee } from "../../tools/committeeFixture";
import { TestSigner } from "../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../../tools/l2TestChain";
import { fixtureCommitteeProof } from "../support/proofFixtures";

const L2_CHAIN_ID = 908n;
const executeErrors = { interface: new Interface(["error ExecuteInvalid(uint8 code, string reason)"]) };
const policyErrors = {
  interface: new Interface(["error ReexecutionNotAllowed()", "error DuplicateAcceptedKey(bytes32 key)"]),
};

interface CallFrame {
  readonly to?: string;
  readonly gasUsed: string;
  readonly calls?: CallFrame[];
}

/** Gas the EXECUTE call itself used in transaction `hash`, from the devnet's call tracer. */
async function executeGas(hash: string): Promise<bigint> {
  const trace = (await network.provider.send("debug_traceTransaction", [hash, { tracer: "callTracer" }])) as CallFrame;
  const find = (frame: CallFrame): CallFrame | undefined =>
    frame.to?.toLowerCase() === EXECUTE_ADDRESS ? frame : frame.calls?.map(find).find((f) => f !== undefined);
  const call = find(trace);
  if (call === undefined) throw new Error("no call to EXECUTE in the trace");
  return BigInt(call.gasUsed);
}

describe("a rollup whose blocks are accepted by k-of-n proofs (ProvenRollup on the devnet)", function () {
  this.timeout(300_000);
  let committees: TestCommittee[];
  let chain: L2TestChain;
  let signer: TestSigner;
  let rollup: ProvenRollup;

  async function nextBlock(transfers: number): Promise<BuiltBlock> {
    return chain.buildBlock(
      Array.from({ length: transfers }, (_, i) =>
        signer.tx({ to: `0x${(0xaa00n + BigInt(i)).toString(16).padStart(40, "0")}`, value: 1n }),
      ),
    );
  }

  async function proofsFor(built: BuiltBlock, which: readonly TestCommittee[]): Promise<ExecutionProof[]> {
    return Promise.all(which.map((c) => fixtureCommitteeProof(c, L2_CHAIN_ID, built, [0, 1, 2])));
  }

  async function advance(built: BuiltBlock, proofs: readonly ExecutionProof[], witness: Uint8Array | string = "0x") {
    return rollup.advance(
      built.parentHeader,
      built.blockRlp,
      witness,
      proofs.length === 0 ? "0x" : hexlify(encodeExecutionProofs(proofs)),
      0,
    );
  }

  before(async () => {
    committees = await Promise.all([testCommittee(4, 21), testCommittee(4, 22), testCommittee(4, 23)]);
    const probe = await L2TestChain.create(L2_CHAIN_ID, []);
    const alice = TestSigner.fromSeed(12, probe.common);
    chain = await L2TestChain.create(L2_CHAIN_ID, [{ address: alice.address.toString(), balance: 10n ** 20n }]);
    signer = TestSigner.fromSeed(12, chain.common);
    const [sequencer] = await ethers.getSigners();
    const genesis = chain.latest.header;
    rollup = (await ethers.deployContract("ProvenRollup", [
      L2_CHAIN_ID,
      bytesToHex(genesis.hash()),
      bytesToHex(genesis.stateRoot),
      sequencer.address,
      { sequencerInactivityPeriod: 3600, forceInclusionDelay: 3600 },
      { threshold: 2, allowReexecution: false, acceptedKeys: committees.map((c) => hexlify(c.keyHash)) },
      EXECUTE_ADDRESS,
    ])) as unknown as ProvenRollup;
  });

  it("accepts blocks on 2 of 3 proof types alone, at an L1 cost that does not grow with the block", async () => {
    const small = await nextBlock(1);
    const smallTx = await advance(small, await proofsFor(small, [committees[0], committees[2]]));
    await expect(smallTx)
      .to.emit(rollup, "BlockAdvanced")
      .withArgs(1n, bytesToHex(small.block.hash()), anyValue, 0n, anyValue, anyValue, anyValue);

    const large = await nextBlock(40);
    const largeTx = await advance(large, await proofsFor(large, [committees[1], committees[2]]));
    await expect(largeTx)
      .to.emit(rollup, "BlockAdvanced")
      .withArgs(2n, bytesToHex(large.block.hash()), anyValue, 0n, anyValue, anyValue, anyValue);

    const smallGas = await executeGas(smallTx.hash);
    const largeGas = await executeGas(largeTx.hash);
    expect(large.block.header.gasUsed).to.equal(40n * small.block.header.gasUsed);
    // Only the block body's hashing grows (6 gas per 32-byte word): well under 1%.
    expect(Number(largeGas - smallGas) / Number(smallGas)).to.be.lessThan(0.01);
  });

  it("rejects a block with fewer than k valid proofs when the policy forbids re-execution", async () => {
    const built = await nextBlock(1);
    const [one] = await proofsFor(built, [committees[0]]);
    await expect(advance(built, [one, one]))
      .to.be.revertedWithCustomError(executeErrors, "ExecuteInvalid")
      .withArgs(ExecuteErrorCode.ProofsInsufficient, anyValue);
    // allowReexecution = false also closes the plain path: no proofs, just the witness.
    await expect(advance(built, [], built.witness)).to.be.revertedWithCustomError(
      policyErrors,
      "ReexecutionNotAllowed",
    );
    // The proof above is valid: with a second committee's it makes k = 2 (proven once, not twice).
    await expect(advance(built, [one, ...(await proofsFor(built, [committees[1]]))])).to.emit(rollup, "BlockAdvanced");
  });

  it("re-executes a block sent without proofs when the policy allows re-execution", async () => {
    const permissive = await deploy({
      threshold: 2,
      allowReexecution: true,
      acceptedKeys: committees.map((c) => hexlify(c.keyHash)),
    });
    const built = await nextBlock(1);
    await expect(permissive.advance(built.parentHeader, built.blockRlp, built.witness, "0x", 0)).to.emit(
      permissive,
      "BlockAdvanced",
    );
  });

  it("refuses at deployment a policy that lists one key twice, naming the key", async () => {
    const key = hexlify(committees[0].keyHash);
    await expect(deploy({ threshold: 2, allowReexecution: false, acceptedKeys: [key, key] }))
      .to.be.revertedWithCustomError(policyErrors, "DuplicateAcceptedKey")
      .withArgs(key);
  });

  it("does not count one key twice through a second encoding of it listed in the policy", async () => {
    const original = committees[0].verificationKey;
    const alias = getBytes(concat([original, new Uint8Array(32)])); // decodes to the same key
    const aliased = await deploy({
      threshold: 2,
      allowReexecution: false,
      acceptedKeys: [keccak256(original), keccak256(alias)],
    });
    const built = await nextBlock(1);
    const [proof] = await proofsFor(built, [committees[0]]);
    const proofs = hexlify(encodeExecutionProofs([proof, { ...proof, verificationKey: alias }]));
    await expect(aliased.advance(built.parentHeader, built.blockRlp, "0x", proofs, 0))
      .to.be.revertedWithCustomError(executeErrors, "ExecuteInvalid")
      .withArgs(ExecuteErrorCode.ProofsInsufficient, anyValue);
  });

  /** Another ProvenRollup on the same L2 chain's latest block, under `policy`. */
  async function deploy(policy: {
    threshold: number;
    allowReexecution: boolean;
    acceptedKeys: string[];
  }): Promise<ProvenRollup> {
    const [sequencer] = await ethers.getSigners();
    const head = chain.latest.header;
    return (await ethers.deployContract("ProvenRollup", [
      L2_CHAIN_ID,
      bytesToHex(head.hash()),
      bytesToHex(head.stateRoot),
      sequencer.address,
      { sequencerInactivityPeriod: 3600, forceInclusionDelay: 3600 },
      policy,
      EXECUTE_ADDRESS,
    ])) as unknown as ProvenRollup;
  }
});
