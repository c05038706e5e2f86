import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { RLP } from "@ethereumjs/rlp";
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import { expect } from "chai";
import { AbiCoder, Interface, ZeroHash, dataLength, getAddress, getBytes, hexlify, keccak256 } from "ethers";
import { artifacts, ethers } from "hardhat";

import { acceptanceHistory } from "../../rollup-node/bridge/acceptance";
import { ExecuteErrorCode, executeGasCost } from "../../precompiles";
import { encodeExecutionProofs } from "../../precompiles/proofs/codec";
import type { ExecutionProof } from "../../precompiles/proofs/types";
import { type L1Message, type L2Message, L2_BRIDGE_ADDRESS, hashL1Message, hashL2Message, messageRoot, sentMessageSlot } from "../../rollup-node/bridge/messages";
import { releaseProverThreads } from "../../rollup-node/provers/committee";
import type { OptimisticExampleRollup } from "../../typechain-types";
import { type TestCommittee, committeeProof, testCommittee } from "../support/committeeFixture";
import { TestSigner, tamperBlock, word } from "../support/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../support/l2TestChain";

const L2_CHAIN_ID = 4343n;
const ONE_ETH = 10n ** 18n;
const BOND = ONE_ETH / 10n;
const WINDOW = 3_600n;
const INACTIVITY_PERIOD = 86_400n;
const FORCE_INCLUSION_DELAY = 86_400n;
const DEPOSIT_GAS_LIMIT = 100_000n;
const BRIDGE_PREMINT = 10n ** 9n * ONE_ETH;
/** A witness with no trie node, code or header: EXECUTE cannot check a block that reads state. */
const EMPTY_WITNESS = "0xc3c0c0c0";
const NO_PROOF_POLICY = { threshold: 0, allowReexecution: false, acceptedKeys: [] as string[] };

/** The precompile's revert, which `prove` bubbles up unchanged (declared in Execute.sol). */
const executeErrors = { interface: new Interface(["error ExecuteInvalid(uint8 code, string reason)"]) };

interface Fixture {
  rollup: OptimisticExampleRollup;
  chain: L2TestChain;
  sequencer: HardhatEthersSigner;
  challenger: HardhatEthersSigner;
  user: HardhatEthersSigner;
  alice: TestSigner;
  bridge: Interface;
}

type Policy = { threshold: number; allowReexecution: boolean; acceptedKeys: string[] };

async function deploy(policy: Policy = NO_PROOF_POLICY): Promise<Fixture> {
  const [sequencer, challenger, user] = await ethers.getSigners();
  const probe = await L2TestChain.create(L2_CHAIN_ID, []);
  const chain = await L2TestChain.create(L2_CHAIN_ID, [
    { address: TestSigner.fromSeed(5, probe.common).address.toString(), balance: 100n * ONE_ETH },
    { address: L2_BRIDGE_ADDRESS, code: (await artifacts.readArtifact("L2Bridge")).deployedBytecode, balance: BRIDGE_PREMINT },
  ]);
  const genesis = chain.latest.header;
  const rollup = (await ethers.deployContract("OptimisticExampleRollup", [
    L2_CHAIN_ID,
    bytesToHex(genesis.hash()),
    bytesToHex(genesis.stateRoot),
    sequencer.address,
    { sequencerInactivityPeriod: INACTIVITY_PERIOD, forceInclusionDelay: FORCE_INCLUSION_DELAY },
    { challengeWindow: WINDOW, proposalBond: BOND },
    policy,
  ])) as unknown as OptimisticExampleRollup;
  return {
    rollup,
    chain,
    sequencer,
    challenger,
    user,
    alice: TestSigner.fromSeed(5, chain.common),
    bridge: new Interface((await artifacts.readArtifact("L2Bridge")).abi),
  };
}

/** keccak256 of the header inside a block's RLP: the block hash. */
function blockHashOf(blockRlp: Uint8Array): string {
  const [header] = RLP.decode(blockRlp) as unknown as Uint8Array[][];
  return keccak256(RLP.encode(header));
}

/** The same block with a state root no execution produces: invalid, and otherwise consistent. */
function withWrongStateRoot(built: BuiltBlock): Uint8Array {
  return tamperBlock(built.block, { stateRoot: hexToBytes(`0x${word(0xbad)}`) });
}

/** A block that moves state (so that it needs a witness). */
async function transferBlock(f: Fixture, options: { discard?: boolean } = {}): Promise<BuiltBlock> {
  return f.chain.buildBlock([f.alice.tx({ to: "0x00000000000000000000000000000000000000aa", value: 1n })], options);
}

/** The relay of a block's only message, as L1 requires it first in the block (full gas, anchored at `timestamp`). */
function relayTx(f: Fixture, message: L1Message, timestamp: bigint) {
  const data = f.bridge.encodeFunctionData("relayMessage", [message, timestamp, 0n, []]);
  return f.alice.tx({ to: L2_BRIDGE_ADDRESS, data, gasLimit: message.gasLimit + message.gasLimit / 63n + 200_000n + 40n * BigInt(getBytes(data).length) });
}

async function propose(f: Fixture, block: Uint8Array, consumedMessages = 0, signer = f.sequencer) {
  return f.rollup.connect(signer).propose(block, consumedMessages, { value: BOND });
}

/** The gas EXECUTE charges to re-execute `block` (the devnet's default schedule): what a challenger passes. */
function executeGasFor(parentHeader: Uint8Array, block: Uint8Array, witness: Uint8Array | string): bigint {
  const input = AbiCoder.defaultAbiCoder().encode(["uint64", "bytes", "bytes", "bytes", "bytes"], [L2_CHAIN_ID, parentHeader, block, witness, "0x"]);
  return executeGasCost(dataLength(input));
}

/** Challenges block `number` from `signer`, passing EXECUTE exactly its cost unless `executeGas` is given. */
function challenge(f: Fixture, number: bigint, parentHeader: Uint8Array, block: Uint8Array, witness: Uint8Array | string, executeGas?: bigint, signer = f.challenger) {
  return f.rollup.connect(signer).challenge(number, parentHeader, block, witness, executeGas ?? executeGasFor(parentHeader, block, witness));
}

async function balanceOf(f: Fixture): Promise<bigint> {
  return ethers.provider.getBalance(await f.rollup.getAddress());
}

describe("OptimisticRollup (provisional blocks, challenges by EXECUTE, proofs that finalize at once)", function () {
  this.timeout(300_000);

  describe("proposing", () => {
    it("rejects a zero challenge window or bond", async () => {
      const [sequencer] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("OptimisticExampleRollup");
      const args = (window: bigint, bond: bigint) =>
        [L2_CHAIN_ID, ZeroHash, ZeroHash, sequencer.address, { sequencerInactivityPeriod: 1n, forceInclusionDelay: 1n }, { challengeWindow: window, proposalBond: bond }, NO_PROOF_POLICY] as const;
      await expect(factory.deploy(...args(0n, BOND))).to.be.revertedWithCustomError(factory, "InvalidOptimisticConfig").withArgs(0n, BOND);
      await expect(factory.deploy(...args(WINDOW, 0n))).to.be.revertedWithCustomError(factory, "InvalidOptimisticConfig").withArgs(WINDOW, 0n);
    });

    it("records a block with its bond as provisional: the head and stateRootOf do not move", async () => {
      const f = await deploy();
      const built = await transferBlock(f);
      const tx = await propose(f, built.blockRlp);
      const proposedAt = BigInt((await ethers.provider.getBlock(tx.blockNumber!))!.timestamp);
      await expect(tx)
        .to.emit(f.rollup, "BlockProposed")
        .withArgs(1n, bytesToHex(built.block.hash()), bytesToHex(built.block.header.stateRoot), 0n, proposedAt + WINDOW, f.sequencer.address);

      expect(await f.rollup.tip()).to.deep.equal([1n, bytesToHex(built.block.hash())]);
      expect(await f.rollup.provisionalCount()).to.equal(1n);
      expect(await f.rollup.headNumber()).to.equal(0n);
      expect(await f.rollup.stateRootOf(1n)).to.equal(ZeroHash);
      expect(await f.rollup.finalizableAt(1n)).to.equal(proposedAt + WINDOW);
      const record = await f.rollup.provisionalBlock(1n);
      expect(record.blockHash).to.equal(bytesToHex(built.block.hash()));
      expect(record.dataHash).to.equal(keccak256(built.blockRlp));
      expect(record.proposer).to.equal(f.sequencer.address);
      expect(record.proven).to.equal(false);
      expect(await balanceOf(f)).to.equal(BOND);
      await expect(f.rollup.provisionalBlock(2n)).to.be.revertedWithCustomError(f.rollup, "NotProvisional").withArgs(2n);
    });

    it("requires the exact bond, the sequencer, the tip as parent, and no advance while blocks are pending", async () => {
      const f = await deploy();
      const first = await transferBlock(f);
      await expect(f.rollup.propose(first.blockRlp, 0, { value: BOND - 1n }))
        .to.be.revertedWithCustomError(f.rollup, "IncorrectBond")
        .withArgs(BOND - 1n, BOND);
      await expect(propose(f, first.blockRlp, 0, f.user)).to.be.revertedWithCustomError(f.rollup, "NotSequencer");
      await propose(f, first.blockRlp);
      await expect(propose(f, first.blockRlp))
        .to.be.revertedWithCustomError(f.rollup, "ParentNotTip")
        .withArgs(bytesToHex(first.block.header.parentHash), bytesToHex(first.block.hash()));
      const second = await f.chain.buildBlock([]);
      await expect(f.rollup.advance(second.parentHeader, second.blockRlp, second.witness, "0x", 0))
        .to.be.revertedWithCustomError(f.rollup, "ProvisionalBlocksPending")
        .withArgs(1n);
      await propose(f, second.blockRlp);
      expect(await f.rollup.tip()).to.deep.equal([2n, bytesToHex(second.block.hash())]);
    });

    it("checks the anchor against the messages after those the provisional chain consumed", async () => {
      const f = await deploy();
      await f.rollup.connect(f.user).depositETH(f.user.address, { value: 1n });
      const message: L1Message = { nonce: 0n, from: f.user.address, to: f.user.address, value: 1n, gasLimit: DEPOSIT_GAS_LIMIT, data: "0x" };
      const empty = await f.chain.buildBlock([], { discard: true });
      await expect(propose(f, empty.blockRlp, 1))
        .to.be.revertedWithCustomError(f.rollup, "AnchorMismatch")
        .withArgs(hashL1Message(message), ZeroHash);

      const timestamp = f.chain.latest.header.timestamp + 1n;
      const root = getBytes(messageRoot([hashL1Message(message)]));
      // L1 requires the block to start with the message's relay.
      const unrelayed = await f.chain.buildBlock([], { timestamp, parentBeaconBlockRoot: root, discard: true });
      await expect(propose(f, unrelayed.blockRlp, 1)).to.be.revertedWithCustomError(f.rollup, "RelayMissing").withArgs(0n, 0);
      const anchored = await f.chain.buildBlock([relayTx(f, message, timestamp)], { timestamp, parentBeaconBlockRoot: root });
      await propose(f, anchored.blockRlp, 1);
      expect(await f.rollup.provisionalMessageIndex()).to.equal(1n);
      expect(await f.rollup.nextMessageIndex()).to.equal(0n);
      await time.increase(WINDOW);
      await f.rollup.finalize(1n);
      expect(await f.rollup.nextMessageIndex()).to.equal(1n);
    });
  });

  describe("finalization after the window", () => {
    it("finalizes valid blocks in order once their window has passed, and returns the bonds", async () => {
      const f = await deploy();
      const first = await transferBlock(f);
      const second = await transferBlock(f);
      await propose(f, first.blockRlp);
      await propose(f, second.blockRlp);
      expect(await balanceOf(f)).to.equal(2n * BOND);

      const openUntil = await f.rollup.finalizableAt(1n);
      await expect(f.rollup.connect(f.user).finalize(1n))
        .to.be.revertedWithCustomError(f.rollup, "ChallengeWindowOpen")
        .withArgs(1n, openUntil);
      await time.increaseTo(openUntil);
      await expect(challenge(f, 1n, first.parentHeader, first.blockRlp, first.witness))
        .to.be.revertedWithCustomError(f.rollup, "ChallengeWindowClosed")
        .withArgs(1n, openUntil);

      await time.increase(WINDOW);
      await expect(f.rollup.connect(f.user).finalize(2n))
        .to.emit(f.rollup, "BlockFinalized")
        .withArgs(1n, bytesToHex(first.block.hash()), bytesToHex(first.block.header.stateRoot), false, f.sequencer.address)
        .and.to.emit(f.rollup, "BlockFinalized")
        .withArgs(2n, bytesToHex(second.block.hash()), bytesToHex(second.block.header.stateRoot), false, f.sequencer.address);
      expect(await f.rollup.headNumber()).to.equal(2n);
      expect(await f.rollup.headHash()).to.equal(bytesToHex(second.block.hash()));
      expect(await f.rollup.stateRootOf(1n)).to.equal(bytesToHex(first.block.header.stateRoot));
      expect(await f.rollup.stateRootOf(2n)).to.equal(bytesToHex(second.block.header.stateRoot));
      expect(await f.rollup.provisionalCount()).to.equal(0n);
      await expect(f.rollup.finalize(2n)).to.be.revertedWithCustomError(f.rollup, "NotProvisional").withArgs(2n);

      expect(await f.rollup.bondCredit(f.sequencer.address)).to.equal(2n * BOND);
      await expect(f.rollup.withdrawBonds()).to.changeEtherBalances([f.sequencer, f.rollup], [2n * BOND, -2n * BOND]);
      expect(await f.rollup.bondCredit(f.sequencer.address)).to.equal(0n);
      await expect(f.rollup.withdrawBonds()).to.be.revertedWithCustomError(f.rollup, "NothingToWithdraw").withArgs(f.sequencer.address);

      // With nothing pending, blocks can be advanced directly again.
      const third = await transferBlock(f);
      await expect(f.rollup.advance(third.parentHeader, third.blockRlp, third.witness, "0x", 0)).to.emit(f.rollup, "BlockAdvanced");
    });

    it("lets an L2 → L1 message be finalized only against a final state root", async () => {
      const f = await deploy();
      await f.rollup.connect(f.user).depositETH(f.user.address, { value: 10n * ONE_ETH });
      const message: L1Message = { nonce: 0n, from: f.user.address, to: f.user.address, value: 10n * ONE_ETH, gasLimit: DEPOSIT_GAS_LIMIT, data: "0x" };
      const withdrawal: L2Message = { nonce: 0n, from: getAddress(f.alice.address.toString()), to: f.challenger.address, value: ONE_ETH, data: "0x" };
      const timestamp = f.chain.latest.header.timestamp + 1n;
      const built = await f.chain.buildBlock(
        [relayTx(f, message, timestamp), f.alice.tx({ to: L2_BRIDGE_ADDRESS, value: withdrawal.value, data: f.bridge.encodeFunctionData("withdraw", [withdrawal.to]) })],
        { timestamp, parentBeaconBlockRoot: getBytes(messageRoot([hashL1Message(message)])) },
      );
      expect(built.txResults[0].execResult.exceptionError).to.equal(undefined);
      expect(built.txResults[1].execResult.exceptionError).to.equal(undefined);
      await propose(f, built.blockRlp, 1);

      const proof = await f.chain.getProof(L2_BRIDGE_ADDRESS, [sentMessageSlot(hashL2Message(withdrawal))], 1n);
      const finalizeMessage = () => f.rollup.finalizeMessage(1n, withdrawal, proof.accountProof, proof.storageProof[0].proof);
      await expect(finalizeMessage()).to.be.revertedWithCustomError(f.rollup, "BlockNotAccepted").withArgs(1n);
      await time.increase(WINDOW);
      await f.rollup.finalize(1n);
      await expect(finalizeMessage()).to.changeEtherBalance(f.challenger, ONE_ETH);
    });
  });

  describe("challenges", () => {
    it("a challenge against an invalid block succeeds: it and its descendants are removed and their bonds paid to the challenger", async () => {
      const f = await deploy();
      const first = await transferBlock(f);
      const second = await transferBlock(f);
      const third = await transferBlock(f);
      const forged = withWrongStateRoot(second);
      const forgedHash = blockHashOf(forged);
      const forgedChild = tamperBlock(third.block, { parentHash: hexToBytes(forgedHash as `0x${string}`) });
      await propose(f, first.blockRlp);
      await propose(f, forged);
      await propose(f, forgedChild);
      expect(await f.rollup.tip()).to.deep.equal([3n, blockHashOf(forgedChild)]);
      expect(await balanceOf(f)).to.equal(3n * BOND);

      const won = challenge(f, 2n, second.parentHeader, forged, second.witness);
      await expect(won)
        .to.emit(f.rollup, "BlockChallenged")
        .withArgs(2n, forgedHash, f.challenger.address, ExecuteErrorCode.StateRootMismatch, anyValue, 2n, 2n * BOND);
      await expect(won).to.changeEtherBalances([f.challenger, f.rollup], [2n * BOND, -2n * BOND]);

      expect(await f.rollup.tip()).to.deep.equal([1n, bytesToHex(first.block.hash())]);
      expect(await f.rollup.provisionalCount()).to.equal(1n);
      await expect(f.rollup.provisionalBlock(2n)).to.be.revertedWithCustomError(f.rollup, "NotProvisional").withArgs(2n);
      await expect(f.rollup.provisionalBlock(3n)).to.be.revertedWithCustomError(f.rollup, "NotProvisional").withArgs(3n);
      await expect(challenge(f, 2n, second.parentHeader, forged, second.witness))
        .to.be.revertedWithCustomError(f.rollup, "NotProvisional")
        .withArgs(2n);

      // The valid chain continues from block 1; nothing of the removed blocks is credited.
      await propose(f, second.blockRlp);
      await propose(f, third.blockRlp);
      await time.increase(WINDOW);
      await f.rollup.finalize(3n);
      expect(await f.rollup.headHash()).to.equal(bytesToHex(third.block.hash()));
      expect(await f.rollup.bondCredit(f.sequencer.address)).to.equal(3n * BOND);
      expect(await balanceOf(f)).to.equal(3n * BOND);

      // What `npx hardhat rollup:blocks` shows, read back from L1 alone.
      const history = await acceptanceHistory(ethers.provider, await f.rollup.getAddress());
      const summary = history.map((b) => [b.number, b.blockHash, b.status, b.mode, b.challenge?.code]);
      expect(summary).to.deep.equal([
        [1n, bytesToHex(first.block.hash()), "final", "optimistic", undefined],
        [2n, forgedHash, "challenged", "optimistic", ExecuteErrorCode.StateRootMismatch],
        [2n, bytesToHex(second.block.hash()), "final", "optimistic", undefined],
        [3n, blockHashOf(forgedChild), "challenged", "optimistic", ExecuteErrorCode.StateRootMismatch],
        [3n, bytesToHex(third.block.hash()), "final", "optimistic", undefined],
      ]);
    });

    it("a challenge against a valid block fails and leaves it intact", async () => {
      const f = await deploy();
      const built = await transferBlock(f);
      await propose(f, built.blockRlp);
      await expect(challenge(f, 1n, built.parentHeader, built.blockRlp, built.witness))
        .to.be.revertedWithCustomError(f.rollup, "ChallengeFailed")
        .withArgs(0n, "EXECUTE accepted the block");
      expect(await f.rollup.provisionalCount()).to.equal(1n);
      expect(await balanceOf(f)).to.equal(BOND);
    });

    it("a challenge with an incomplete witness (or too little gas for EXECUTE) fails without harming the block, which later finalizes", async () => {
      const f = await deploy();
      const built = await transferBlock(f);
      await propose(f, built.blockRlp);
      await expect(challenge(f, 1n, built.parentHeader, built.blockRlp, EMPTY_WITNESS))
        .to.be.revertedWithCustomError(f.rollup, "ChallengeFailed")
        .withArgs(ExecuteErrorCode.WitnessIncomplete, anyValue);
      const cost = executeGasFor(built.parentHeader, built.blockRlp, built.witness);
      await expect(challenge(f, 1n, built.parentHeader, built.blockRlp, built.witness, cost - 1n))
        .to.be.revertedWithCustomError(f.rollup, "ChallengeFailed")
        .withArgs(ExecuteErrorCode.OutOfGas, anyValue);
      expect(await f.rollup.provisionalCount()).to.equal(1n);
      expect((await f.rollup.provisionalBlock(1n)).blockHash).to.equal(bytesToHex(built.block.hash()));
      await time.increase(WINDOW);
      await expect(f.rollup.finalize(1n)).to.emit(f.rollup, "BlockFinalized").withArgs(1n, bytesToHex(built.block.hash()), anyValue, false, f.sequencer.address);
    });

    it("a challenge of an invalid block with an incomplete witness or too little gas fails; a complete one then wins at EXECUTE's cost", async () => {
      const f = await deploy();
      const built = await transferBlock(f, { discard: true });
      const forged = withWrongStateRoot(built);
      await propose(f, forged);
      await expect(challenge(f, 1n, built.parentHeader, forged, EMPTY_WITNESS))
        .to.be.revertedWithCustomError(f.rollup, "ChallengeFailed")
        .withArgs(ExecuteErrorCode.WitnessIncomplete, anyValue);
      const cost = executeGasFor(built.parentHeader, forged, built.witness);
      await expect(challenge(f, 1n, built.parentHeader, forged, built.witness, cost - 1n))
        .to.be.revertedWithCustomError(f.rollup, "ChallengeFailed")
        .withArgs(ExecuteErrorCode.OutOfGas, anyValue);
      const won = await challenge(f, 1n, built.parentHeader, forged, built.witness);
      await expect(won)
        .to.emit(f.rollup, "BlockChallenged")
        .withArgs(1n, blockHashOf(forged), f.challenger.address, ExecuteErrorCode.StateRootMismatch, anyValue, 1n, BOND);
      // A failed EXECUTE consumes all the gas passed to it: the challenger pays for `cost`, not more.
      const receipt = (await won.wait())!;
      expect(receipt.gasUsed).to.be.lessThan(cost + 150_000n);
      expect(await f.rollup.provisionalCount()).to.equal(0n);
      expect(await balanceOf(f)).to.equal(0n);
    });

    it("a challenge must use the posted block and its parent's header", async () => {
      const f = await deploy();
      const first = await transferBlock(f);
      const second = await transferBlock(f);
      await propose(f, first.blockRlp);
      await propose(f, second.blockRlp);
      // The same header with other transactions is not the posted block.
      const otherBody = tamperBlock(second.block, {}, { transactions: [] });
      await expect(challenge(f, 2n, second.parentHeader, otherBody, second.witness))
        .to.be.revertedWithCustomError(f.rollup, "BlockDataMismatch")
        .withArgs(keccak256(otherBody), keccak256(second.blockRlp));
      await expect(challenge(f, 2n, first.parentHeader, second.blockRlp, second.witness))
        .to.be.revertedWithCustomError(f.rollup, "ParentHeaderMismatch")
        .withArgs(keccak256(first.parentHeader), bytesToHex(first.block.hash()));
    });
  });

  describe("proofs", () => {
    let committees: TestCommittee[];

    before(async () => {
      committees = await Promise.all([testCommittee(4, 31), testCommittee(4, 32), testCommittee(4, 33)]);
    });

    after(releaseProverThreads);

    async function proofsFor(built: BuiltBlock, which: readonly TestCommittee[]): Promise<string> {
      const proofs: ExecutionProof[] = await Promise.all(which.map((c) => committeeProof(c, L2_CHAIN_ID, built, [0, 1, 2])));
      return hexlify(encodeExecutionProofs(proofs));
    }

    it("2-of-3 committee proofs finalize provisional blocks at once, in order, and end their challenges", async () => {
      const f = await deploy({ threshold: 2, allowReexecution: false, acceptedKeys: committees.map((c) => hexlify(c.keyHash)) });
      const first = await transferBlock(f);
      const second = await transferBlock(f);
      await propose(f, first.blockRlp);
      await propose(f, second.blockRlp);

      // Block 2 is proven first: it cannot finalize before its parent.
      await expect(f.rollup.connect(f.user).prove(2n, second.parentHeader, second.blockRlp, "0x", await proofsFor(second, [committees[0], committees[1]])))
        .to.emit(f.rollup, "BlockProven")
        .withArgs(2n, bytesToHex(second.block.hash()), f.user.address)
        .and.not.to.emit(f.rollup, "BlockFinalized");
      expect((await f.rollup.provisionalBlock(2n)).proven).to.equal(true);
      expect(await f.rollup.headNumber()).to.equal(0n);
      await expect(challenge(f, 2n, second.parentHeader, second.blockRlp, second.witness))
        .to.be.revertedWithCustomError(f.rollup, "AlreadyProven")
        .withArgs(2n);

      // One proof is not enough under the policy, and re-execution is not allowed with proofs.
      const single = await proofsFor(first, [committees[2]]);
      await expect(f.rollup.prove(1n, first.parentHeader, first.blockRlp, "0x", single))
        .to.be.revertedWithCustomError(executeErrors, "ExecuteInvalid")
        .withArgs(ExecuteErrorCode.ProofsInsufficient, anyValue);

      // Proving block 1 finalizes it and the already proven block 2, well within the window.
      await expect(f.rollup.connect(f.user).prove(1n, first.parentHeader, first.blockRlp, "0x", await proofsFor(first, [committees[1], committees[2]])))
        .to.emit(f.rollup, "BlockFinalized")
        .withArgs(1n, bytesToHex(first.block.hash()), bytesToHex(first.block.header.stateRoot), true, f.sequencer.address)
        .and.to.emit(f.rollup, "BlockFinalized")
        .withArgs(2n, bytesToHex(second.block.hash()), bytesToHex(second.block.header.stateRoot), true, f.sequencer.address);
      expect(await f.rollup.headNumber()).to.equal(2n);
      expect(await f.rollup.stateRootOf(2n)).to.equal(bytesToHex(second.block.header.stateRoot));
      expect(await f.rollup.bondCredit(f.sequencer.address)).to.equal(2n * BOND);
      expect(await balanceOf(f)).to.equal(2n * BOND);
    });

    it("a re-execution also proves a block; an invalid block cannot be proven", async () => {
      const f = await deploy({ threshold: 2, allowReexecution: false, acceptedKeys: committees.map((c) => hexlify(c.keyHash)) });
      const valid = await transferBlock(f);
      const forged = withWrongStateRoot(valid);
      await propose(f, forged);
      await expect(f.rollup.prove(1n, valid.parentHeader, forged, valid.witness, "0x"))
        .to.be.revertedWithCustomError(executeErrors, "ExecuteInvalid")
        .withArgs(ExecuteErrorCode.StateRootMismatch, anyValue);
      await challenge(f, 1n, valid.parentHeader, forged, valid.witness);

      await propose(f, valid.blockRlp);
      await expect(f.rollup.prove(1n, valid.parentHeader, valid.blockRlp, valid.witness, "0x"))
        .to.emit(f.rollup, "BlockFinalized")
        .withArgs(1n, bytesToHex(valid.block.hash()), anyValue, true, f.sequencer.address);
    });
  });
});
