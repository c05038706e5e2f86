import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { RLP } from "@ethereumjs/rlp";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { bigIntToUnpaddedBytes, bytesToHex, hexToBytes } from "@ethereumjs/util";
import { expect } from "chai";
import { AbiCoder, Interface, ZeroHash, dataLength, getAddress, getBytes, hexlify, keccak256 } from "ethers";
import { artifacts, ethers } from "hardhat";

import { acceptanceHistory } from "../../rollup-node/bridge/acceptance";
import { EVM, type EVMResult, type EVMRunCallOpts } from "@ethereumjs/evm";
import { ExecuteErrorCode, executeGasCostOfBlock, maxVerifiableL2GasLimit } from "../../precompiles";
import { encodeExecutionProofs } from "../../precompiles/proofs/codec";
import type { ExecutionProof } from "../../precompiles/proofs/types";
import {
  type L1Message,
  type L2Message,
  L2_BRIDGE_ADDRESS,
  hashL1Message,
  hashL2Message,
  messageRoot,
  sentMessageSlot,
} from "../../protocol/messages";
import type { OptimisticExampleRollup } from "../../typechain-types";
import { type TestCommittee, testCommittee } from "../../tools/committeeFixture";
import { TestSigner, tamperBlock, word } from "../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain, type TestAccount } from "../../tools/l2TestChain";
import { challengeGasBound } from "../../rollup-node/bridge/challenger";
import { MAX_PROPOSAL_BYTES, maxProposableGasLimit } from "../../rollup-node/bridge/challengeBound";
import { L1_GAS_LIMIT_MARGIN_DIVISOR, challengeGasCap } from "../../rollup-node/bridge/advanceGasCap";
import { DEFAULT_EXECUTE_GAS_SCHEDULE, L1_TX_GAS_LIMIT_CAP } from "../../precompiles/gas";
import { DEFAULT_L2_GAS_LIMIT } from "../../rollup-node/l2/genesis";
import { MIN_L2_GAS_LIMIT } from "../../rollup-node/bridge/anchor";
import { fixtureCommitteeProof } from "../support/proofFixtures";
import { TX_GAS_LIMIT_CAP } from "../../rollup-node/chain/simulate";
import { decodeWitness, encodeWitness } from "../../precompiles/witness";
import { decodeExecuteInput } from "../../precompiles/codec";
import { contractsAcceptAsBlock } from "../../tools/blockHeadersReader";
import { buildCorpus, makeCase } from "../../tools/executeFuzz";
import { MIN_PROPOSAL_GAS_BURST, withProposalGasDefaults } from "../../deploy/rollup";

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

/** Deploys a rollup over a test chain; `extraAccounts` join the genesis, `genesisGasLimit` replaces its gas limit. */
async function deploy(
  policy: Policy = NO_PROOF_POLICY,
  options: {
    readonly extraAccounts?: readonly TestAccount[];
    readonly genesisGasLimit?: bigint;
    /** OptimisticConfig fields beyond the window and the bond (the proposal gas bucket's R and C). */
    readonly optimistic?: Record<string, bigint>;
  } = {},
): Promise<Fixture> {
  const [sequencer, challenger, user] = await ethers.getSigners();
  const probe = await L2TestChain.create(L2_CHAIN_ID, []);
  const chain = await L2TestChain.create(
    L2_CHAIN_ID,
    [
      { address: TestSigner.fromSeed(5, probe.common).address.toString(), balance: 100n * ONE_ETH },
      {
        address: L2_BRIDGE_ADDRESS,
        code: (await artifacts.readArtifact("L2Bridge")).deployedBytecode,
        balance: BRIDGE_PREMINT,
      },
      ...(options.extraAccounts ?? []),
    ],
    // The node's default gas limit: a proposal's challenge is priced at its header's gas limit, so the
    // test chain's 16M would leave room for only a few KB of committed witness.
    { gasLimit: options.genesisGasLimit ?? DEFAULT_L2_GAS_LIMIT },
  );
  const genesis = chain.latest.header;
  const rollup = (await ethers.deployContract("OptimisticExampleRollup", [
    L2_CHAIN_ID,
    bytesToHex(genesis.hash()),
    bytesToHex(genesis.stateRoot),
    sequencer.address,
    { sequencerInactivityPeriod: INACTIVITY_PERIOD, forceInclusionDelay: FORCE_INCLUSION_DELAY },
    withProposalGasDefaults({ challengeWindow: WINDOW, proposalBond: BOND, ...options.optimistic }),
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

/** The RLP of the header inside a block's RLP. */
function headerRlpOf(blockRlp: Uint8Array): Uint8Array {
  const [header] = RLP.decode(blockRlp) as unknown as Uint8Array[][];
  return RLP.encode(header);
}

/** keccak256 of the header inside a block's RLP: the block hash. */
function blockHashOf(blockRlp: Uint8Array): string {
  return keccak256(headerRlpOf(blockRlp));
}

/** The same block with a state root no execution produces: invalid, and otherwise consistent. */
function withWrongStateRoot(built: BuiltBlock): Uint8Array {
  return tamperBlock(built.block, { stateRoot: hexToBytes(`0x${word(0xbad)}`) });
}

/** The block's RLP with raw header fields replaced (no validation: any bytes a proposer could post). */
function withHeaderFields(blockRlp: Uint8Array, fields: Record<number, bigint | Uint8Array>): Uint8Array {
  const block = RLP.decode(blockRlp) as unknown as Uint8Array[][];
  const header = [...(block[0] as Uint8Array[])];
  for (const [index, value] of Object.entries(fields))
    header[Number(index)] = typeof value === "bigint" ? bigIntToUnpaddedBytes(value) : value;
  return RLP.encode([header, ...block.slice(1)] as never);
}

/** How BlockHeaders.decode refuses bytes: its own errors, or RLPReader's `require` strings. */
const headerReaderErrors = new Interface([
  "error HeaderTooShort(uint256 fieldCount)",
  "error MalformedHeaderField(uint256 index, uint256 size)",
  "error Error(string)",
]);

/** An RLP list prefix followed by `items`, raw: the items need not be valid RLP inside. */
function rawList(items: readonly Uint8Array[]): Uint8Array {
  const payload = Uint8Array.from(items.flatMap((item) => [...item]));
  if (payload.length <= 55) return Uint8Array.from([0xc0 + payload.length, ...payload]);
  const lengthBytes = bigIntToUnpaddedBytes(BigInt(payload.length));
  return Uint8Array.from([0xf7 + lengthBytes.length, ...lengthBytes, ...payload]);
}

/** A block that moves state (so that it needs a witness). */
async function transferBlock(f: Fixture, options: { discard?: boolean; gasLimit?: bigint } = {}): Promise<BuiltBlock> {
  return f.chain.buildBlock([f.alice.tx({ to: "0x00000000000000000000000000000000000000aa", value: 1n })], options);
}

/** The relay of a block's only message, as L1 requires it first in the block (full gas, anchored at `timestamp`). */
function relayTx(f: Fixture, message: L1Message, timestamp: bigint) {
  const data = f.bridge.encodeFunctionData("relayMessage", [message, timestamp, 0n, []]);
  return f.alice.tx({
    to: L2_BRIDGE_ADDRESS,
    data,
    gasLimit: message.gasLimit + message.gasLimit / 63n + 200_000n + 40n * BigInt(getBytes(data).length),
  });
}

/** Proposes `block` on the parent `parentHeader`, committing to `witness` (what a challenge must then use). */
async function propose(
  f: Fixture,
  parentHeader: Uint8Array,
  block: Uint8Array,
  witness: Uint8Array | string,
  consumedMessages = 0,
  signer = f.sequencer,
) {
  return f.rollup.connect(signer).propose(parentHeader, block, witness, consumedMessages, { value: BOND });
}

/** The gas EXECUTE charges to re-execute `block` (the devnet's default schedule): what a challenger passes. */
function executeGasFor(parentHeader: Uint8Array, block: Uint8Array, witness: Uint8Array | string): bigint {
  const input = AbiCoder.defaultAbiCoder().encode(
    ["uint64", "bytes", "bytes", "bytes", "bytes"],
    [L2_CHAIN_ID, parentHeader, block, witness, "0x"],
  );
  return executeGasCostOfBlock(dataLength(input), block);
}

/** Challenges block `number` from `signer`, passing EXECUTE exactly its cost unless `executeGas` is given. */
function challenge(
  f: Fixture,
  number: bigint,
  parentHeader: Uint8Array,
  block: Uint8Array,
  witness: Uint8Array | string,
  executeGas?: bigint,
  signer = f.challenger,
) {
  return f.rollup
    .connect(signer)
    .challenge(number, parentHeader, block, witness, executeGas ?? executeGasFor(parentHeader, block, witness));
}

/** `count` contracts of `size` bytes of code each (a STOP, then filler) and one that CALLs them all: reading their code cold costs ≈ 2.6k gas per ≈ `size` bytes of witness. */
function codeHeavyAccounts(count: number, size: number): { accounts: TestAccount[]; reader: string } {
  const targets = Array.from({ length: count }, (_, i) => `0x${(0xc0de0000 + i).toString(16).padStart(40, "0")}`);
  // A STOP, then the stream keccak256(abi.encode(i, 0)) ‖ keccak256(abi.encode(i, 1)) ‖ … from its
  // second byte: code no compressor shrinks. The words are hashed from their bytes, not through
  // ethers' ABI coder and hex strings: 28 contracts of 17 KB are ≈ 15,000 words, ≈ 1.5 CPU s that way.
  const filler = (i: number): string => {
    const words = Math.ceil(size / 32);
    const stream = new Uint8Array(words * 32);
    const input = new Uint8Array(64);
    const view = new DataView(input.buffer);
    view.setUint32(28, i);
    for (let j = 0; j < words; j++) {
      view.setUint32(60, j);
      stream.set(keccak_256(input), 32 * j);
    }
    stream[0] = 0x00;
    return bytesToHex(stream.subarray(0, size));
  };
  // For each target: CALL(gas, target, 0, 0, 0, 0, 0) and POP the result; then STOP.
  const reader = `0x${targets.map((t) => `6000600060006000600073${t.slice(2)}5af150`).join("")}00`;
  const readerAddress = "0x00000000000000000000000000000000000c0de5";
  return {
    accounts: [
      ...targets.map((address, i) => ({ address, code: filler(i) })),
      { address: readerAddress, code: reader },
    ],
    reader: readerAddress,
  };
}

/** `witness` padded with junk code entries (never read) so that `otherBytes` plus the witness are exactly `total` bytes. */
function paddedWitness(witness: Uint8Array, otherBytes: number, total: number): Uint8Array {
  const parts = decodeWitness(witness);
  let junk = total - otherBytes - witness.length - 8;
  for (;;) {
    const padded = encodeWitness({ ...parts, codes: [...parts.codes, new Uint8Array(junk).fill(0xab)] });
    const excess = otherBytes + padded.length - total;
    if (excess === 0) return padded;
    junk -= excess;
  }
}

async function balanceOf(f: Fixture): Promise<bigint> {
  return ethers.provider.getBalance(await f.rollup.getAddress());
}

describe("OptimisticRollup (provisional blocks, challenges by EXECUTE, proofs that finalize at once)", function () {
  this.timeout(300_000);

  describe("proposing", () => {
    it("rejects a zero challenge window or bond, and a proposal gas bucket smaller than the most a proposable block is charged", async () => {
      const [sequencer] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("OptimisticExampleRollup");
      const args = (window: bigint, bond: bigint, burst = MIN_PROPOSAL_GAS_BURST) =>
        [
          L2_CHAIN_ID,
          ZeroHash,
          ZeroHash,
          sequencer.address,
          { sequencerInactivityPeriod: 1n, forceInclusionDelay: 1n },
          { challengeWindow: window, proposalBond: bond, proposalGasPerSecond: 1n, proposalGasBurst: burst },
          NO_PROOF_POLICY,
        ] as const;
      await expect(factory.deploy(...args(0n, BOND)))
        .to.be.revertedWithCustomError(factory, "InvalidOptimisticConfig")
        .withArgs(0n, BOND);
      await expect(factory.deploy(...args(WINDOW, 0n)))
        .to.be.revertedWithCustomError(factory, "InvalidOptimisticConfig")
        .withArgs(WINDOW, 0n);
      // A block of a 16.6M gas limit may be charged 5/4 of it (refunds): 2^24 could never hold it.
      await expect(factory.deploy(...args(WINDOW, BOND, 1n << 24n)))
        .to.be.revertedWithCustomError(factory, "InvalidProposalGasRate")
        .withArgs(1n, 1n << 24n, MIN_PROPOSAL_GAS_BURST);
    });

    it("records a block with its bond as provisional: the head and stateRootOf do not move", async () => {
      const f = await deploy();
      const built = await transferBlock(f);
      const tx = await propose(f, built.parentHeader, built.blockRlp, built.witness);
      const proposedAt = BigInt((await ethers.provider.getBlock(tx.blockNumber!))!.timestamp);
      await expect(tx)
        .to.emit(f.rollup, "BlockProposed")
        .withArgs(
          1n,
          bytesToHex(built.block.hash()),
          bytesToHex(built.block.header.stateRoot),
          0n,
          proposedAt + WINDOW,
          f.sequencer.address,
        );

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
      await expect(f.rollup.provisionalBlock(2n))
        .to.be.revertedWithCustomError(f.rollup, "NotProvisional")
        .withArgs(2n);
    });

    it("requires the exact bond, the sequencer, the tip as parent (and its header), and no advance while blocks are pending", async () => {
      const f = await deploy();
      const first = await transferBlock(f);
      await expect(f.rollup.propose(first.parentHeader, first.blockRlp, first.witness, 0, { value: BOND - 1n }))
        .to.be.revertedWithCustomError(f.rollup, "IncorrectBond")
        .withArgs(BOND - 1n, BOND);
      await expect(
        propose(f, first.parentHeader, first.blockRlp, first.witness, 0, f.user),
      ).to.be.revertedWithCustomError(f.rollup, "NotSequencer");
      // The posted parent header (part of a challenge's input) must be the tip's.
      await expect(propose(f, headerRlpOf(first.blockRlp), first.blockRlp, first.witness))
        .to.be.revertedWithCustomError(f.rollup, "ParentHeaderMismatch")
        .withArgs(blockHashOf(first.blockRlp), bytesToHex(first.block.header.parentHash));
      await propose(f, first.parentHeader, first.blockRlp, first.witness);
      await expect(propose(f, first.parentHeader, first.blockRlp, first.witness))
        .to.be.revertedWithCustomError(f.rollup, "ParentNotTip")
        .withArgs(bytesToHex(first.block.header.parentHash), bytesToHex(first.block.hash()));
      const second = await f.chain.buildBlock([]);
      await expect(f.rollup.advance(second.parentHeader, second.blockRlp, second.witness, "0x", 0))
        .to.be.revertedWithCustomError(f.rollup, "ProvisionalBlocksPending")
        .withArgs(1n);
      await propose(f, second.parentHeader, second.blockRlp, second.witness);
      expect(await f.rollup.tip()).to.deep.equal([2n, bytesToHex(second.block.hash())]);
    });

    it("checks the anchor against the messages after those the provisional chain consumed", async () => {
      const f = await deploy();
      await f.rollup.connect(f.user).depositETH(f.user.address, { value: 1n });
      const message: L1Message = {
        nonce: 0n,
        from: f.user.address,
        to: f.user.address,
        value: 1n,
        gasLimit: DEPOSIT_GAS_LIMIT,
        data: "0x",
      };
      const empty = await f.chain.buildBlock([], { discard: true });
      await expect(propose(f, empty.parentHeader, empty.blockRlp, empty.witness, 1))
        .to.be.revertedWithCustomError(f.rollup, "AnchorMismatch")
        .withArgs(hashL1Message(message), ZeroHash);

      const timestamp = f.chain.latest.header.timestamp + 1n;
      const root = getBytes(messageRoot([hashL1Message(message)]));
      // L1 requires the block to start with the message's relay.
      const unrelayed = await f.chain.buildBlock([], { timestamp, parentBeaconBlockRoot: root, discard: true });
      await expect(propose(f, unrelayed.parentHeader, unrelayed.blockRlp, unrelayed.witness, 1))
        .to.be.revertedWithCustomError(f.rollup, "RelayMissing")
        .withArgs(0n, 0);
      const anchored = await f.chain.buildBlock([relayTx(f, message, timestamp)], {
        timestamp,
        parentBeaconBlockRoot: root,
      });
      await propose(f, anchored.parentHeader, anchored.blockRlp, anchored.witness, 1);
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
      await propose(f, first.parentHeader, first.blockRlp, first.witness);
      await propose(f, second.parentHeader, second.blockRlp, second.witness);
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
        .withArgs(
          1n,
          bytesToHex(first.block.hash()),
          bytesToHex(first.block.header.stateRoot),
          false,
          f.sequencer.address,
        )
        .and.to.emit(f.rollup, "BlockFinalized")
        .withArgs(
          2n,
          bytesToHex(second.block.hash()),
          bytesToHex(second.block.header.stateRoot),
          false,
          f.sequencer.address,
        );
      expect(await f.rollup.headNumber()).to.equal(2n);
      expect(await f.rollup.headHash()).to.equal(bytesToHex(second.block.hash()));
      expect(await f.rollup.stateRootOf(1n)).to.equal(bytesToHex(first.block.header.stateRoot));
      expect(await f.rollup.stateRootOf(2n)).to.equal(bytesToHex(second.block.header.stateRoot));
      expect(await f.rollup.provisionalCount()).to.equal(0n);
      await expect(f.rollup.finalize(2n)).to.be.revertedWithCustomError(f.rollup, "NotProvisional").withArgs(2n);

      expect(await f.rollup.bondCredit(f.sequencer.address)).to.equal(2n * BOND);
      await expect(f.rollup.withdrawBonds()).to.changeEtherBalances([f.sequencer, f.rollup], [2n * BOND, -2n * BOND]);
      expect(await f.rollup.bondCredit(f.sequencer.address)).to.equal(0n);
      await expect(f.rollup.withdrawBonds())
        .to.be.revertedWithCustomError(f.rollup, "NothingToWithdraw")
        .withArgs(f.sequencer.address);

      // With nothing pending, blocks can be advanced directly again.
      const third = await transferBlock(f);
      await expect(f.rollup.advance(third.parentHeader, third.blockRlp, third.witness, "0x", 0)).to.emit(
        f.rollup,
        "BlockAdvanced",
      );
    });

    it("lets an L2 → L1 message be finalized only against a final state root", async () => {
      const f = await deploy();
      await f.rollup.connect(f.user).depositETH(f.user.address, { value: 10n * ONE_ETH });
      const message: L1Message = {
        nonce: 0n,
        from: f.user.address,
        to: f.user.address,
        value: 10n * ONE_ETH,
        gasLimit: DEPOSIT_GAS_LIMIT,
        data: "0x",
      };
      const withdrawal: L2Message = {
        nonce: 0n,
        from: getAddress(f.alice.address.toString()),
        to: f.challenger.address,
        value: ONE_ETH,
        data: "0x",
      };
      const timestamp = f.chain.latest.header.timestamp + 1n;
      const built = await f.chain.buildBlock(
        [
          relayTx(f, message, timestamp),
          f.alice.tx({
            to: L2_BRIDGE_ADDRESS,
            value: withdrawal.value,
            data: f.bridge.encodeFunctionData("withdraw", [withdrawal.to]),
          }),
        ],
        { timestamp, parentBeaconBlockRoot: getBytes(messageRoot([hashL1Message(message)])) },
      );
      expect(built.txResults[0].execResult.exceptionError).to.equal(undefined);
      expect(built.txResults[1].execResult.exceptionError).to.equal(undefined);
      await propose(f, built.parentHeader, built.blockRlp, built.witness, 1);

      const proof = await f.chain.getProof(L2_BRIDGE_ADDRESS, [sentMessageSlot(hashL2Message(withdrawal))], 1n);
      const finalizeMessage = () =>
        f.rollup.finalizeMessage(1n, withdrawal, proof.accountProof, proof.storageProof[0].proof);
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
      await propose(f, first.parentHeader, first.blockRlp, first.witness);
      await propose(f, second.parentHeader, forged, second.witness);
      await propose(f, headerRlpOf(forged), forgedChild, third.witness);
      expect(await f.rollup.tip()).to.deep.equal([3n, blockHashOf(forgedChild)]);
      expect(await balanceOf(f)).to.equal(3n * BOND);

      const won = challenge(f, 2n, second.parentHeader, forged, second.witness);
      await expect(won)
        .to.emit(f.rollup, "BlockChallenged")
        .withArgs(2n, forgedHash, f.challenger.address, ExecuteErrorCode.StateRootMismatch, anyValue, 2n, 2n * BOND);
      await expect(won).to.changeEtherBalances([f.challenger, f.rollup], [2n * BOND, -2n * BOND]);

      expect(await f.rollup.tip()).to.deep.equal([1n, bytesToHex(first.block.hash())]);
      expect(await f.rollup.provisionalCount()).to.equal(1n);
      await expect(f.rollup.provisionalBlock(2n))
        .to.be.revertedWithCustomError(f.rollup, "NotProvisional")
        .withArgs(2n);
      await expect(f.rollup.provisionalBlock(3n))
        .to.be.revertedWithCustomError(f.rollup, "NotProvisional")
        .withArgs(3n);
      await expect(challenge(f, 2n, second.parentHeader, forged, second.witness))
        .to.be.revertedWithCustomError(f.rollup, "NotProvisional")
        .withArgs(2n);

      // The valid chain continues from block 1; nothing of the removed blocks is credited.
      await propose(f, second.parentHeader, second.blockRlp, second.witness);
      await propose(f, third.parentHeader, third.blockRlp, third.witness);
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

    it("a proposal whose gasUsed exceeds its gasLimit, with an arbitrary state root, is challenged and removed (InvalidHeader)", async () => {
      const f = await deploy();
      const built = await transferBlock(f, { discard: true });
      const forged = withHeaderFields(built.blockRlp, {
        3: hexToBytes(`0x${word(0xbad)}`),
        10: built.block.header.gasLimit + 1n,
      });
      await propose(f, built.parentHeader, forged, built.witness);
      const won = challenge(f, 1n, built.parentHeader, forged, built.witness);
      await expect(won)
        .to.emit(f.rollup, "BlockChallenged")
        .withArgs(1n, blockHashOf(forged), f.challenger.address, ExecuteErrorCode.InvalidHeader, anyValue, 1n, BOND);
      expect(await f.rollup.provisionalCount()).to.equal(0n);
      expect(await f.rollup.tip()).to.deep.equal([0n, bytesToHex(f.chain.latest.hash())]);
    });

    it("a block whose header holds a field that is not valid RLP inside passes BlockHeaders.decode: proposed, it is challenged and removed (InvalidHeader)", async () => {
      const f = await deploy();
      const built = await transferBlock(f, { discard: true });
      // requestsHash (field 20, not read by BlockHeaders.decode) becomes a list whose inner item
      // claims 5 bytes but has 1: the contract checks only the prefixes it walks.
      const block = RLP.decode(built.blockRlp) as unknown as Uint8Array[][];
      const header = block[0] as Uint8Array[];
      const forgedHeader = rawList([
        ...header.slice(0, 20).map((field) => RLP.encode(field)),
        Uint8Array.of(0xc2, 0xc5, 0x00),
      ]);
      const forged = rawList([forgedHeader, ...block.slice(1).map((part) => RLP.encode(part as never))]);
      expect(contractsAcceptAsBlock(forged)).to.equal(true);
      await propose(f, built.parentHeader, forged, built.witness);
      const won = challenge(f, 1n, built.parentHeader, forged, built.witness);
      await expect(won)
        .to.emit(f.rollup, "BlockChallenged")
        .withArgs(
          1n,
          keccak256(forgedHeader),
          f.challenger.address,
          ExecuteErrorCode.InvalidHeader,
          anyValue,
          1n,
          BOND,
        );
      expect(await f.rollup.provisionalCount()).to.equal(0n);
    });

    it("the block bytes of fuzz cases 5664 and 19089 (seed 20261127: a header field's length prefix broken) cannot be proposed: BlockHeaders.decode refuses them", async () => {
      const f = await deploy();
      const corpus = await buildCorpus();
      const parentHeader = f.chain.latest.header.serialize();
      for (const index of [5664, 19089]) {
        const block = decodeExecuteInput(makeCase(corpus, 20261127, index).input).block;
        expect(contractsAcceptAsBlock(block), `case ${index}`).to.equal(false);
        const refusal = await propose(f, parentHeader, block, EMPTY_WITNESS).then(
          () => undefined,
          (error: Error) => error,
        );
        // Refused by the header reader itself (BlockHeaders' own errors or an RLPReader require), before any other check.
        const reason = headerReaderErrors.parseError(String((refusal as { data?: string } | undefined)?.data));
        expect(reason?.name, `case ${index}`).to.be.oneOf(["HeaderTooShort", "MalformedHeaderField", "Error"]);
        if (reason?.name === "Error") expect(String(reason.args[0])).to.match(/^RLPReader: /);
      }
      expect(await f.rollup.provisionalCount()).to.equal(0n);
    });

    it("a block whose gas limit exceeds what EXECUTE may verify cannot be proposed: its challenge could need more than one L1 transaction (ProposalNotChallengeable)", async () => {
      const budget = maxVerifiableL2GasLimit();
      const f = await deploy(NO_PROOF_POLICY, { genesisGasLimit: budget + 1n });
      const built = await transferBlock(f);
      expect(built.block.header.gasLimit).to.equal(budget + 1n);
      const size = built.parentHeader.length + built.blockRlp.length + built.witness.length;
      await expect(propose(f, built.parentHeader, built.blockRlp, built.witness))
        .to.be.revertedWithCustomError(f.rollup, "ProposalNotChallengeable")
        .withArgs(challengeGasBound(size, budget + 1n), TX_GAS_LIMIT_CAP);
      expect(await f.rollup.provisionalCount()).to.equal(0n);
    });

    it("a challenge against a valid block fails and leaves it intact", async () => {
      const f = await deploy();
      const built = await transferBlock(f);
      await propose(f, built.parentHeader, built.blockRlp, built.witness);
      await expect(challenge(f, 1n, built.parentHeader, built.blockRlp, built.witness))
        .to.be.revertedWithCustomError(f.rollup, "ChallengeFailed")
        .withArgs(0n, "EXECUTE accepted the block");
      expect(await f.rollup.provisionalCount()).to.equal(1n);
      expect(await balanceOf(f)).to.equal(BOND);
    });

    it("a challenge must use the committed witness; too little gas for EXECUTE fails without harming the block, which later finalizes", async () => {
      const f = await deploy();
      const built = await transferBlock(f);
      await propose(f, built.parentHeader, built.blockRlp, built.witness);
      await expect(challenge(f, 1n, built.parentHeader, built.blockRlp, EMPTY_WITNESS))
        .to.be.revertedWithCustomError(f.rollup, "WitnessMismatch")
        .withArgs(keccak256(EMPTY_WITNESS), keccak256(built.witness));
      const cost = executeGasFor(built.parentHeader, built.blockRlp, built.witness);
      await expect(challenge(f, 1n, built.parentHeader, built.blockRlp, built.witness, cost - 1n))
        .to.be.revertedWithCustomError(f.rollup, "ChallengeFailed")
        .withArgs(ExecuteErrorCode.OutOfGas, anyValue);
      expect(await f.rollup.provisionalCount()).to.equal(1n);
      expect((await f.rollup.provisionalBlock(1n)).blockHash).to.equal(bytesToHex(built.block.hash()));
      expect((await f.rollup.provisionalBlock(1n)).witnessHash).to.equal(keccak256(built.witness));
      await time.increase(WINDOW);
      await expect(f.rollup.finalize(1n))
        .to.emit(f.rollup, "BlockFinalized")
        .withArgs(1n, bytesToHex(built.block.hash()), anyValue, false, f.sequencer.address);
    });

    it("a challenge of an invalid block with too little gas fails; with the committed witness it then wins at EXECUTE's cost", async () => {
      const f = await deploy();
      const built = await transferBlock(f, { discard: true });
      const forged = withWrongStateRoot(built);
      await propose(f, built.parentHeader, forged, built.witness);
      const cost = executeGasFor(built.parentHeader, forged, built.witness);
      await expect(challenge(f, 1n, built.parentHeader, forged, built.witness, cost - 1n))
        .to.be.revertedWithCustomError(f.rollup, "ChallengeFailed")
        .withArgs(ExecuteErrorCode.OutOfGas, anyValue);
      const won = await challenge(f, 1n, built.parentHeader, forged, built.witness);
      await expect(won)
        .to.emit(f.rollup, "BlockChallenged")
        .withArgs(
          1n,
          blockHashOf(forged),
          f.challenger.address,
          ExecuteErrorCode.StateRootMismatch,
          anyValue,
          1n,
          BOND,
        );
      // A failed EXECUTE consumes all the gas passed to it: the challenger pays for `cost`, not more.
      const receipt = (await won.wait())!;
      expect(receipt.gasUsed).to.be.lessThan(cost + 150_000n);
      expect(await f.rollup.provisionalCount()).to.equal(0n);
      expect(await balanceOf(f)).to.equal(0n);
    });

    it("a committed witness EXECUTE cannot use is the proposer's fault: an incomplete or malformed one loses the bond, even for a valid block", async () => {
      const f = await deploy();
      const built = await transferBlock(f, { discard: true });
      await propose(f, built.parentHeader, built.blockRlp, EMPTY_WITNESS);
      await expect(challenge(f, 1n, built.parentHeader, built.blockRlp, EMPTY_WITNESS))
        .to.emit(f.rollup, "BlockChallenged")
        .withArgs(
          1n,
          bytesToHex(built.block.hash()),
          f.challenger.address,
          ExecuteErrorCode.WitnessIncomplete,
          anyValue,
          1n,
          BOND,
        );

      const notRlp = "0xff";
      await propose(f, built.parentHeader, built.blockRlp, notRlp);
      await expect(challenge(f, 1n, built.parentHeader, built.blockRlp, notRlp))
        .to.emit(f.rollup, "BlockChallenged")
        .withArgs(
          1n,
          bytesToHex(built.block.hash()),
          f.challenger.address,
          ExecuteErrorCode.MalformedInput,
          anyValue,
          1n,
          BOND,
        );

      // With its complete witness the same block stands.
      await propose(f, built.parentHeader, built.blockRlp, built.witness);
      await expect(challenge(f, 1n, built.parentHeader, built.blockRlp, built.witness))
        .to.be.revertedWithCustomError(f.rollup, "ChallengeFailed")
        .withArgs(0n, "EXECUTE accepted the block");
    });

    it("a challenge must use the posted block and its parent's header", async () => {
      const f = await deploy();
      const first = await transferBlock(f);
      const second = await transferBlock(f);
      await propose(f, first.parentHeader, first.blockRlp, first.witness);
      await propose(f, second.parentHeader, second.blockRlp, second.witness);
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

  describe("the proposal gas bucket bounds the check work proposed per second of L1 time (challenger capacity)", () => {
    const RATE = 100_000n;
    /** The least capacity (`MIN_PROPOSAL_GAS_BURST`): 5/4 of 2^24, the most a proposable block is charged. */
    const BURST = MIN_PROPOSAL_GAS_BURST;
    /** Each block: one transfer with this gas limit; a check of it runs at most 5/4 of its gasUsed (21,000) plus it. */
    const TX_GAS_LIMIT = 3_900_000n;
    const CHARGED = 21_000n + 21_000n / 4n + TX_GAS_LIMIT;
    const rateErrors = {
      interface: new Interface([
        "error ProposalGasRateExceeded(uint256 charged, uint256 level, uint256 capacity, uint256 availableAt)",
      ]),
    };

    it("refuses the proposal that would overflow the bucket, with the figures, and accepts it once L1 time has drained the bucket", async () => {
      const f = await deploy(NO_PROOF_POLICY, {
        optimistic: { proposalGasPerSecond: RATE, proposalGasBurst: BURST },
      });
      const heavy = () =>
        f.chain.buildBlock([
          f.alice.tx({ to: "0x00000000000000000000000000000000000000aa", value: 1n, gasLimit: TX_GAS_LIMIT }),
        ]);
      // Five such blocks fit in C = 5/4 · 2^24 (the bucket drains only 100k per L1 second meanwhile).
      for (let i = 0; i < 5; i++) {
        const built = await heavy();
        await propose(f, built.parentHeader, built.blockRlp, built.witness);
      }
      const sixth = await heavy();
      await expect(
        f.rollup.connect(f.sequencer).propose(sixth.parentHeader, sixth.blockRlp, sixth.witness, 0, { value: BOND }),
      )
        .to.be.revertedWithCustomError(rateErrors, "ProposalGasRateExceeded")
        .withArgs(CHARGED, anyValue, BURST, anyValue);
      expect((await f.rollup.tip())[0]).to.equal(5n);

      // After C / R seconds of L1 time the bucket is empty again.
      await time.increase(Number(BURST / RATE));
      await propose(f, sixth.parentHeader, sixth.blockRlp, sixth.witness);
      expect((await f.rollup.tip())[0]).to.equal(6n);
      expect(await f.rollup.proposalGasLevel()).to.equal(CHARGED);
      expect(await f.rollup.MIN_PROPOSAL_GAS_BURST()).to.equal(MIN_PROPOSAL_GAS_BURST);
    });

    /**
     * Refunds (EIP-3529) make a transaction execute up to 5/4 of the block gas it uses, so a
     * block's check can run more than its gasUsed plus one transaction. A contract clears
     * `SLOTS_PER_TX` set slots per call (5,000 gas each, 4,800 refunded, the refund capped at a
     * fifth of the transaction's gas); `TXS` such calls with tight gas limits fill one block.
     */
    const CLEARER = "0x00000000000000000000000000000000000c1ea5";
    const SLOTS_PER_TX = 10;
    const TXS = 30;
    const CLEAR_TX_GAS_LIMIT = 75_000n;

    /** Code that sets to zero the slots calldataload(0) + i for i < SLOTS_PER_TX, then stops. */
    function clearerCode(): string {
      let code = "";
      for (let i = 0; i < SLOTS_PER_TX; i++) code += `6000600035${"60"}${i.toString(16).padStart(2, "0")}0155`;
      return `0x${code}00`;
    }

    function clearerAccount(): TestAccount {
      const storage: Record<string, string> = {};
      for (let slot = 0; slot < TXS * SLOTS_PER_TX; slot++) storage[`0x${word(slot)}`] = "0x01";
      return { address: CLEARER, code: clearerCode(), storage };
    }

    /**
     * The L2 gas the real EXECUTE executes (before refunds) in the transactions of each block it
     * re-executes, measured while `action` runs: every EVM call of a transaction on the L2 chain
     * (the precompile's own VM; system calls excluded) records its gas limit and the gas it used,
     * and a transaction executes its gas limit less what its call leaves.
     */
    async function measureExecuted(txGasLimits: readonly bigint[], action: () => Promise<void>): Promise<bigint[]> {
      const prototype = EVM.prototype as unknown as { runCall(opts: EVMRunCallOpts): Promise<EVMResult> };
      const original = prototype.runCall;
      const runs = new Map<unknown, bigint[]>();
      prototype.runCall = async function (this: EVM, opts: EVMRunCallOpts): Promise<EVMResult> {
        const result = await original.call(this, opts);
        const system = opts.caller?.toString() === "0xfffffffffffffffffffffffffffffffffffffffe";
        if (this.common.chainId() === L2_CHAIN_ID && !system) {
          const calls = runs.get(this) ?? [];
          const index = calls.length;
          calls.push((txGasLimits[index] ?? 0n) - (opts.gasLimit ?? 0n) + result.execResult.executionGasUsed);
          runs.set(this, calls);
        }
        return result;
      };
      try {
        await action();
      } finally {
        prototype.runCall = original;
      }
      return [...runs.values()].map((calls) => {
        expect(calls.length, "EXECUTE ran every transaction of the block").to.equal(txGasLimits.length);
        return calls.reduce((a, b) => a + b, 0n);
      });
    }

    for (const { name, genesisGasLimit } of [
      { name: "a block far below its gas limit", genesisGasLimit: DEFAULT_L2_GAS_LIMIT },
      { name: "a block filled to its gas limit", genesisGasLimit: 1_740_000n },
    ]) {
      it(`charges a block whose transactions refund heavily at least the L2 gas its challenge's EXECUTE executes (${name})`, async () => {
        // Below MIN_L2_GAS_LIMIT only a climb is proposable (NativeRollup._checkGasLimit): the
        // genesis one gas below the block's gas limit.
        const climb = genesisGasLimit < MIN_L2_GAS_LIMIT;
        const f = await deploy(NO_PROOF_POLICY, {
          extraAccounts: [clearerAccount()],
          genesisGasLimit: climb ? genesisGasLimit - 1n : genesisGasLimit,
        });
        const txs = Array.from({ length: TXS }, (_, i) =>
          f.alice.tx({
            to: CLEARER,
            data: `0x${word(i * SLOTS_PER_TX)}`,
            gasLimit: CLEAR_TX_GAS_LIMIT,
          }),
        );
        const built = await f.chain.buildBlock(txs, { gasLimit: genesisGasLimit });
        const { gasUsed, gasLimit } = built.block.header;
        expect(built.txResults.every((r) => r.execResult.exceptionError === undefined)).to.equal(true);
        await propose(f, built.parentHeader, built.blockRlp, built.witness);
        const charged = await f.rollup.proposalGasLevel();

        const executed = await measureExecuted(
          txs.map((tx) => tx.gasLimit),
          async () => {
            await expect(
              f.rollup
                .connect(f.challenger)
                .challenge(
                  1n,
                  built.parentHeader,
                  built.blockRlp,
                  built.witness,
                  executeGasFor(built.parentHeader, built.blockRlp, built.witness),
                  { gasLimit: 15_000_000n },
                ),
            )
              .to.be.revertedWithCustomError(f.rollup, "ChallengeFailed")
              .withArgs(0n, "EXECUTE accepted the block");
          },
        );
        expect(executed.length, "one EXECUTE run").to.equal(1);
        const run = executed[0] ?? 0n;
        process.stdout.write(
          `      gasLimit ${gasLimit}, gasUsed ${gasUsed}: EXECUTE executed ${run}, the bucket charged ${charged} (executed/charged ${(Number(run) / Number(charged)).toFixed(3)})\n`,
        );
        // The refunds are heavy: the block executes about 5/4 of the gas it uses.
        expect(run * 100n).to.be.greaterThan(gasUsed * 120n);
        expect(charged).to.be.greaterThanOrEqual(run);
      });
    }
  });

  describe("the witness commitment keeps every challenge within one L1 transaction", () => {
    it("the contract's EXECUTE prices and challenge bound are precompiles/gas.ts's and the challenger's (drift fails here)", async () => {
      const f = await deploy();
      expect(await f.rollup.EXECUTE_BASE_GAS()).to.equal(DEFAULT_EXECUTE_GAS_SCHEDULE.baseGas);
      expect(await f.rollup.EXECUTE_GAS_PER_INPUT_BYTE()).to.equal(DEFAULT_EXECUTE_GAS_SCHEDULE.perInputByteGas);
      expect(await f.rollup.EXECUTE_GAS_PER_L2_GAS()).to.equal(DEFAULT_EXECUTE_GAS_SCHEDULE.perL2Gas);
      expect(await f.rollup.L1_TX_GAS_CAP()).to.equal(L1_TX_GAS_LIMIT_CAP);
      expect(await f.rollup.MAX_PROPOSAL_BYTES()).to.equal(BigInt(MAX_PROPOSAL_BYTES));
      for (const bytes of [0, 1, 31, 32, 33, 1_000, 210_000, 300_001, MAX_PROPOSAL_BYTES - 1, MAX_PROPOSAL_BYTES]) {
        for (const l2Gas of [0n, 21_000n, DEFAULT_L2_GAS_LIMIT, maxVerifiableL2GasLimit()]) {
          expect(await f.rollup.challengeGasBound(bytes, l2Gas)).to.equal(
            challengeGasBound(bytes, l2Gas),
            `${bytes} B, ${l2Gas} L2 gas`,
          );
        }
      }
    });

    it("the contract's challenge cap is the node's: 2^24 on this L1, whose blocks hold more (the 8M-gas L1 of test/attacks/challengeOverL1GasLimit.test.ts checks the limit less a 32nd)", async () => {
      const f = await deploy();
      expect(await f.rollup.L1_GAS_LIMIT_MARGIN_DIVISOR()).to.equal(L1_GAS_LIMIT_MARGIN_DIVISOR);
      const limit = (await ethers.provider.getBlock("latest"))?.gasLimit as bigint;
      expect(limit).to.be.greaterThan((L1_TX_GAS_LIMIT_CAP * 32n) / 31n);
      expect(await f.rollup.challengeGasCap()).to.equal(challengeGasCap(limit));
      expect(challengeGasCap(limit)).to.equal(L1_TX_GAS_LIMIT_CAP);
    });

    it("refuses a proposal above MAX_PROPOSAL_BYTES or whose bytes and gas limit together price a challenge above 2^24; the largest allowed one (most bytes at the most gas) is challenged within Osaka's 2^24 gas cap (measured)", async () => {
      const max = MAX_PROPOSAL_BYTES;
      const gasLimit = maxProposableGasLimit(max);
      expect(challengeGasBound(max, gasLimit)).to.be.lessThanOrEqual(TX_GAS_LIMIT_CAP);
      expect(challengeGasBound(max, gasLimit + 1n)).to.be.greaterThan(TX_GAS_LIMIT_CAP);
      // Below MIN_L2_GAS_LIMIT only a climb is proposable (NativeRollup._checkGasLimit): the
      // genesis one gas below the block's gas limit.
      expect(gasLimit).to.be.lessThan(MIN_L2_GAS_LIMIT);
      const f = await deploy(NO_PROOF_POLICY, { genesisGasLimit: gasLimit - 1n });
      expect(await f.rollup.MAX_PROPOSAL_BYTES()).to.equal(BigInt(max));

      const built = await transferBlock(f, { discard: true, gasLimit });
      expect(built.block.header.gasLimit).to.equal(gasLimit);
      // Forged, and claiming its whole gas limit as gasUsed: EXECUTE charges all of it.
      const forged = withHeaderFields(built.blockRlp, { 3: hexToBytes(`0x${word(0xbad)}`), 10: gasLimit });
      const posted = built.parentHeader.length + forged.length;
      const tooLarge = paddedWitness(built.witness, posted, max + 1);
      await expect(propose(f, built.parentHeader, forged, tooLarge))
        .to.be.revertedWithCustomError(f.rollup, "ProposalTooLarge")
        .withArgs(max + 1, max);
      const largest = paddedWitness(built.witness, posted, max);
      // One more unit of gas limit with the same bytes: its challenge could not fit.
      const greedy = withHeaderFields(forged, { 9: gasLimit + 1n });
      await expect(propose(f, built.parentHeader, greedy, largest))
        .to.be.revertedWithCustomError(f.rollup, "ProposalNotChallengeable")
        .withArgs(challengeGasBound(max, gasLimit + 1n), TX_GAS_LIMIT_CAP);

      await propose(f, built.parentHeader, forged, largest);
      const executeGas = executeGasFor(built.parentHeader, forged, largest);
      const won = await f.rollup
        .connect(f.challenger)
        .challenge(1n, built.parentHeader, forged, largest, executeGas, { gasLimit: challengeGasBound(max, gasLimit) });
      const receipt = (await won.wait())!;
      await expect(won)
        .to.emit(f.rollup, "BlockChallenged")
        .withArgs(
          1n,
          blockHashOf(forged),
          f.challenger.address,
          ExecuteErrorCode.StateRootMismatch,
          anyValue,
          1n,
          BOND,
        );
      expect(receipt.gasUsed).to.be.lessThanOrEqual(challengeGasBound(max, gasLimit));
      process.stderr.write(
        `      largest proposal: ${max} B committed (parent header ${built.parentHeader.length} B + block ${forged.length} B + witness ${largest.length} B) at gas limit ${gasLimit} (charged in full); ` +
          `EXECUTE charged ${executeGas}; the challenge used ${receipt.gasUsed} L1 gas (bound ${challengeGasBound(max, gasLimit)}, cap ${TX_GAS_LIMIT_CAP})\n`,
      );
    });

    it("the gas-and-bytes attack: a forged block committing MAX_PROPOSAL_BYTES whose header claims ≈ 16.7M L2 gas is refused at proposal (its challenge could not fit one L1 transaction)", async () => {
      // EXECUTE charges 16 L1 gas per input byte AND 1 per L2 gas charged (up to the header's gas
      // limit): both at their largest, one challenge would need more than 2^24, so the forged
      // block could never be removed. (Before the joint rule it was accepted, and a challenge at
      // the cap failed: "ChallengeFailed(2, EXECUTE needs 23074304 gas ... got 7346516)".)
      const gasLimit = maxVerifiableL2GasLimit();
      const f = await deploy(NO_PROOF_POLICY, { genesisGasLimit: gasLimit });
      const max = Number(await f.rollup.MAX_PROPOSAL_BYTES());
      const built = await transferBlock(f, { discard: true });
      expect(built.block.header.gasLimit).to.equal(gasLimit);
      const forged = withHeaderFields(built.blockRlp, { 3: hexToBytes(`0x${word(0xbad)}`), 10: gasLimit });
      const witness = paddedWitness(built.witness, built.parentHeader.length + forged.length, max);
      // What its challenge would pass EXECUTE alone is over what one L1 transaction carries.
      expect(executeGasFor(built.parentHeader, forged, witness)).to.be.greaterThan(TX_GAS_LIMIT_CAP);
      await expect(propose(f, built.parentHeader, forged, witness))
        .to.be.revertedWithCustomError(f.rollup, "ProposalNotChallengeable")
        .withArgs(challengeGasBound(max, gasLimit), TX_GAS_LIMIT_CAP);
      expect(await f.rollup.provisionalCount()).to.equal(0n);
    });

    it("the witness-heavy attack: a forged block reading 28 contracts of 17 KB cannot be proposed with its witness, and with a witness that fits it loses in one L1 transaction", async () => {
      const heavy = codeHeavyAccounts(28, 17_000);
      // The node's default gas limit: at the test chain's 16M, the joint rule leaves no room for the truncated witness below.
      const f = await deploy(NO_PROOF_POLICY, { extraAccounts: heavy.accounts });
      const max = Number(await f.rollup.MAX_PROPOSAL_BYTES());
      const built = await f.chain.buildBlock([f.alice.tx({ to: heavy.reader, gasLimit: 500_000n })], { discard: true });
      expect(built.txResults[0].execResult.exceptionError).to.equal(undefined);
      const forged = withWrongStateRoot(built);
      process.stderr.write(
        `      witness-heavy block: ${built.block.header.gasUsed} L2 gas, witness ${built.witness.length} B (${(built.witness.length / Number(built.block.header.gasUsed)).toFixed(1)} B per gas); ` +
          `a proposal may commit ${max} B\n`,
      );
      expect(built.parentHeader.length + forged.length + built.witness.length).to.be.greaterThan(max);

      // With the witness that proves it, the forged block cannot be proposed at all: this one is
      // even above what one L1 transaction can carry (anything between the bound and the cap is
      // ProposalTooLarge, see above) ...
      const refused = await propose(f, built.parentHeader, forged, built.witness).then(
        () => undefined,
        (error: Error) => error,
      );
      expect(refused?.message).to.match(/intrinsic gas too low/);
      // ... and with any witness that fits (here: all of it but half the codes) it loses its bond.
      const parts = decodeWitness(built.witness);
      const truncated = encodeWitness({ ...parts, codes: parts.codes.slice(0, parts.codes.length / 2) });
      await propose(f, built.parentHeader, forged, truncated);
      const won = await challenge(f, 1n, built.parentHeader, forged, truncated);
      await expect(won)
        .to.emit(f.rollup, "BlockChallenged")
        .withArgs(
          1n,
          blockHashOf(forged),
          f.challenger.address,
          ExecuteErrorCode.WitnessIncomplete,
          anyValue,
          1n,
          BOND,
        );
      expect((await won.wait())!.gasUsed).to.be.lessThan(TX_GAS_LIMIT_CAP);
      expect(await f.rollup.provisionalCount()).to.equal(0n);
    });
  });

  describe("proofs", () => {
    let committees: TestCommittee[];

    before(async () => {
      committees = await Promise.all([testCommittee(4, 31), testCommittee(4, 32), testCommittee(4, 33)]);
    });

    function proofsOf(built: BuiltBlock, which: readonly TestCommittee[]): Promise<ExecutionProof[]> {
      return Promise.all(which.map((c) => fixtureCommitteeProof(c, L2_CHAIN_ID, built, [0, 1, 2])));
    }

    async function proofsFor(built: BuiltBlock, which: readonly TestCommittee[]): Promise<string> {
      return hexlify(encodeExecutionProofs(await proofsOf(built, which)));
    }

    it("2-of-3 committee proofs finalize provisional blocks at once, in order, and end their challenges", async () => {
      const f = await deploy({
        threshold: 2,
        allowReexecution: false,
        acceptedKeys: committees.map((c) => hexlify(c.keyHash)),
      });
      const first = await transferBlock(f);
      const second = await transferBlock(f);
      await propose(f, first.parentHeader, first.blockRlp, first.witness);
      await propose(f, second.parentHeader, second.blockRlp, second.witness);

      // Block 2 is proven first: it cannot finalize before its parent.
      await expect(
        f.rollup
          .connect(f.user)
          .prove(
            2n,
            second.parentHeader,
            second.blockRlp,
            "0x",
            await proofsFor(second, [committees[0], committees[1]]),
          ),
      )
        .to.emit(f.rollup, "BlockProven")
        .withArgs(2n, bytesToHex(second.block.hash()), f.user.address)
        .and.not.to.emit(f.rollup, "BlockFinalized");
      expect((await f.rollup.provisionalBlock(2n)).proven).to.equal(true);
      expect(await f.rollup.headNumber()).to.equal(0n);
      await expect(challenge(f, 2n, second.parentHeader, second.blockRlp, second.witness))
        .to.be.revertedWithCustomError(f.rollup, "AlreadyProven")
        .withArgs(2n);

      // One proof is not enough under the policy, and re-execution is not allowed with proofs.
      const [byThird] = await proofsOf(first, [committees[2]]);
      const single = hexlify(encodeExecutionProofs([byThird]));
      await expect(f.rollup.prove(1n, first.parentHeader, first.blockRlp, "0x", single))
        .to.be.revertedWithCustomError(executeErrors, "ExecuteInvalid")
        .withArgs(ExecuteErrorCode.ProofsInsufficient, anyValue);

      // Proving block 1 finalizes it and the already proven block 2, well within the window.
      await expect(
        f.rollup
          .connect(f.user)
          // The third committee's proof above is valid: with the second's it makes k = 2 (proven once, not twice).
          .prove(
            1n,
            first.parentHeader,
            first.blockRlp,
            "0x",
            hexlify(encodeExecutionProofs([...(await proofsOf(first, [committees[1]])), byThird])),
          ),
      )
        .to.emit(f.rollup, "BlockFinalized")
        .withArgs(
          1n,
          bytesToHex(first.block.hash()),
          bytesToHex(first.block.header.stateRoot),
          true,
          f.sequencer.address,
        )
        .and.to.emit(f.rollup, "BlockFinalized")
        .withArgs(
          2n,
          bytesToHex(second.block.hash()),
          bytesToHex(second.block.header.stateRoot),
          true,
          f.sequencer.address,
        );
      expect(await f.rollup.headNumber()).to.equal(2n);
      expect(await f.rollup.stateRootOf(2n)).to.equal(bytesToHex(second.block.header.stateRoot));
      expect(await f.rollup.bondCredit(f.sequencer.address)).to.equal(2n * BOND);
      expect(await balanceOf(f)).to.equal(2n * BOND);
    });

    it("a re-execution also proves a block when the policy allows it; an invalid block cannot be proven", async () => {
      const f = await deploy({
        threshold: 2,
        allowReexecution: true,
        acceptedKeys: committees.map((c) => hexlify(c.keyHash)),
      });
      const valid = await transferBlock(f);
      const forged = withWrongStateRoot(valid);
      await propose(f, valid.parentHeader, forged, valid.witness);
      await expect(f.rollup.prove(1n, valid.parentHeader, forged, valid.witness, "0x"))
        .to.be.revertedWithCustomError(executeErrors, "ExecuteInvalid")
        .withArgs(ExecuteErrorCode.StateRootMismatch, anyValue);
      await challenge(f, 1n, valid.parentHeader, forged, valid.witness);

      await propose(f, valid.parentHeader, valid.blockRlp, valid.witness);
      await expect(f.rollup.prove(1n, valid.parentHeader, valid.blockRlp, valid.witness, "0x"))
        .to.emit(f.rollup, "BlockFinalized")
        .withArgs(1n, bytesToHex(valid.block.hash()), anyValue, true, f.sequencer.address);
    });
  });
});
