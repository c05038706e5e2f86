import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { bytesToBigInt, bytesToHex, createAddressFromString, hexToBytes } from "@ethereumjs/util";
import { expect } from "chai";
import { AbiCoder, Interface, ZeroHash, getAddress, getBytes, hexlify, keccak256, zeroPadValue } from "ethers";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { artifacts, ethers } from "hardhat";

import { ExecuteErrorCode } from "../../precompiles";
import type { ExampleRollup, L1Receiver } from "../../typechain-types";
import { TestSigner, tamperBlock, word } from "../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../../tools/l2TestChain";
import {
  DEFAULT_CROSS_DOMAIN_SENDER,
  type L1Message,
  type L2Message,
  L2_BRIDGE_ADDRESS,
  hashL1Message,
  hashL2Message,
  messageProof,
  messageRoot,
  sentMessageSlot,
} from "../../protocol/messages";

const L2_CHAIN_ID = 4242n;
const ONE_ETH = 10n ** 18n;
const BRIDGE_PREMINT = 10n ** 9n * ONE_ETH;
const INACTIVITY_PERIOD = 3_600n;
const FORCE_INCLUSION_DELAY = 600n;
const DEPOSIT_GAS_LIMIT = 100_000n;
/** Where the test L2 genesis places L2Receiver (no constructor, empty storage). */
const L2_RECEIVER_ADDRESS = "0x0000000000000000000000000000000000002ec0";
/** Gas of an L2 relay transaction beyond its call's share: proof checking and bookkeeping (NativeRollup.RELAY_OVERHEAD_GAS). */
const RELAY_OVERHEAD_GAS = 200_000n;
/** Relay gas per calldata byte (NativeRollup.RELAY_GAS_PER_CALLDATA_BYTE). */
const RELAY_GAS_PER_CALLDATA_BYTE = 40n;
/** Seconds after which the EIP-4788 ring buffer has overwritten a root (its length). */
const BEACON_ROOTS_HISTORY = 8_191n;

/** The precompile's revert, which `advance` bubbles up unchanged (declared in Execute.sol). */
const executeErrors = { interface: new Interface(["error ExecuteInvalid(uint8 code, string reason)"]) };

interface Fixture {
  rollup: ExampleRollup;
  chain: L2TestChain;
  sequencer: HardhatEthersSigner;
  user: HardhatEthersSigner;
  stranger: HardhatEthersSigner;
  /** Funded on L2; signs relays and withdrawals. */
  alice: TestSigner;
  bridge: Interface;
  receiver: Interface;
}

async function runtimeCode(name: string): Promise<string> {
  return (await artifacts.readArtifact(name)).deployedBytecode;
}

async function deployRollup(): Promise<Fixture> {
  const [sequencer, user, stranger] = await ethers.getSigners();
  const probe = await L2TestChain.create(L2_CHAIN_ID, []);
  const chain = await L2TestChain.create(L2_CHAIN_ID, [
    { address: TestSigner.fromSeed(1, probe.common).address.toString(), balance: 100n * ONE_ETH },
    { address: L2_BRIDGE_ADDRESS, code: await runtimeCode("L2Bridge"), balance: BRIDGE_PREMINT },
    { address: L2_RECEIVER_ADDRESS, code: await runtimeCode("L2Receiver") },
  ]);
  const genesis = chain.latest.header;
  const rollup = (await ethers.deployContract("ExampleRollup", [
    L2_CHAIN_ID,
    bytesToHex(genesis.hash()),
    bytesToHex(genesis.stateRoot),
    sequencer.address,
    { sequencerInactivityPeriod: INACTIVITY_PERIOD, forceInclusionDelay: FORCE_INCLUSION_DELAY },
  ])) as unknown as ExampleRollup;
  return {
    rollup,
    chain,
    sequencer,
    user,
    stranger,
    alice: TestSigner.fromSeed(1, chain.common),
    bridge: new Interface((await artifacts.readArtifact("L2Bridge")).abi),
    receiver: new Interface((await artifacts.readArtifact("L2Receiver")).abi),
  };
}

/** Submits `built` (or a tampered encoding of it) to `advance`. */
async function advance(
  f: Fixture,
  built: BuiltBlock,
  consumedMessages: number,
  signer = f.sequencer,
  block = built.blockRlp,
) {
  return f.rollup.connect(signer).advance(built.parentHeader, block, built.witness, "0x", consumedMessages);
}

/** The L2 transactions that relay `messages`, anchored together in the block at `anchorTimestamp`. */
function relayTxs(
  f: Fixture,
  messages: readonly L1Message[],
  anchorTimestamp: bigint,
  method: "relayMessage" | "deferMessage" = "relayMessage",
) {
  const leaves = messages.map(hashL1Message);
  return messages.map((message, index) => {
    const data = f.bridge.encodeFunctionData(method, [message, anchorTimestamp, index, messageProof(leaves, index)]);
    const callGas = method === "relayMessage" ? message.gasLimit + message.gasLimit / 63n : 0n;
    return f.alice.tx({
      to: L2_BRIDGE_ADDRESS,
      data,
      gasLimit: callGas + RELAY_OVERHEAD_GAS + RELAY_GAS_PER_CALLDATA_BYTE * BigInt(getBytes(data).length),
    });
  });
}

/** Builds the next L2 block that consumes `messages` (anchoring their root) and relays them. */
async function buildAnchoredBlock(
  f: Fixture,
  messages: readonly L1Message[],
  extraTxs: ReturnType<TestSigner["tx"]>[] = [],
) {
  const timestamp = f.chain.latest.header.timestamp + 1n;
  const root = messageRoot(messages.map(hashL1Message));
  const built = await f.chain.buildBlock([...relayTxs(f, messages, timestamp), ...extraTxs], {
    timestamp,
    parentBeaconBlockRoot: getBytes(root),
  });
  expectAllSucceeded(built);
  return built;
}

function expectAllSucceeded(built: BuiltBlock): void {
  built.txResults.forEach((result, i) =>
    expect(result.execResult.exceptionError, `L2 transaction ${i}`).to.equal(undefined),
  );
}

async function l2Balance(chain: L2TestChain, address: string): Promise<bigint> {
  const account = await (await chain.stateAt()).getAccount(createAddressFromString(address));
  return account?.balance ?? 0n;
}

async function l2Storage(chain: L2TestChain, address: string, slot: number): Promise<bigint> {
  const value = await (await chain.stateAt()).getStorage(
    createAddressFromString(address),
    hexToBytes(`0x${word(slot)}`),
  );
  return bytesToBigInt(value);
}

/** L2Bridge's `failedMessages(nonce)` (a mapping at storage slot 2), read from the L2 state. */
async function failedMessage(chain: L2TestChain, nonce: bigint): Promise<string> {
  const slot = keccak256(AbiCoder.defaultAbiCoder().encode(["uint256", "uint256"], [nonce, 2n]));
  const value = await (await chain.stateAt()).getStorage(
    createAddressFromString(L2_BRIDGE_ADDRESS),
    hexToBytes(slot as `0x${string}`),
  );
  return zeroPadValue(value.length === 0 ? "0x" : hexlify(value), 32);
}

/** Mines an L1 block `seconds` after the latest one (blocks may run ahead of the wall clock). */
async function increaseL1Time(seconds: bigint): Promise<void> {
  await time.increase(seconds);
}

describe("NativeRollup (ExampleRollup on an L1 with EXECUTE)", function () {
  this.timeout(120_000);

  describe("advancing the L2 chain", () => {
    it("accepts an empty L2 block from the sequencer and makes it the head", async () => {
      const f = await deployRollup();
      const built = await f.chain.buildBlock([]);
      const header = built.block.header;
      await expect(advance(f, built, 0))
        .to.emit(f.rollup, "BlockAdvanced")
        .withArgs(1n, bytesToHex(built.block.hash()), bytesToHex(header.stateRoot), 0n, 0n, 0n, f.sequencer.address);
      expect(await f.rollup.headHash()).to.equal(bytesToHex(built.block.hash()));
      expect(await f.rollup.headNumber()).to.equal(1n);
      expect(await f.rollup.stateRootOf(1n)).to.equal(bytesToHex(header.stateRoot));
    });

    it("rejects a block whose parent is not the head", async () => {
      const f = await deployRollup();
      const first = await f.chain.buildBlock([]);
      await advance(f, first, 0);
      await expect(advance(f, first, 0)).to.be.revertedWithCustomError(f.rollup, "ParentNotHead");
    });

    it("rejects a block with a wrong state root: EXECUTE's ExecuteInvalid bubbles up", async () => {
      const f = await deployRollup();
      const built = await f.chain.buildBlock([
        f.alice.tx({ to: "0x00000000000000000000000000000000000000aa", value: 1n }),
      ]);
      const forged = tamperBlock(built.block, { stateRoot: hexToBytes(`0x${word(1)}`) });
      await expect(advance(f, built, 0, f.sequencer, forged))
        .to.be.revertedWithCustomError(executeErrors, "ExecuteInvalid")
        .withArgs(ExecuteErrorCode.StateRootMismatch, anyValue);
      await advance(f, built, 0);
      expect(await f.rollup.headNumber()).to.equal(1n);
    });

    it("rejects an L2 block whose timestamp is ahead of L1", async () => {
      const f = await deployRollup();
      const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
      const built = await f.chain.buildBlock([], { timestamp: now + 86_400n, discard: true });
      await expect(advance(f, built, 0)).to.be.revertedWithCustomError(f.rollup, "BlockFromFuture");
    });
  });

  describe("sequencing policy", () => {
    it("lets only the sequencer advance until it has been inactive for the configured period, then anyone", async () => {
      const f = await deployRollup();
      const built = await f.chain.buildBlock([]);
      const openAt = await f.rollup.openSequencingAt();
      await expect(advance(f, built, 0, f.stranger))
        .to.be.revertedWithCustomError(f.rollup, "NotSequencer")
        .withArgs(f.stranger.address, openAt);
      await increaseL1Time(INACTIVITY_PERIOD);
      await expect(advance(f, built, 0, f.stranger))
        .to.emit(f.rollup, "BlockAdvanced")
        .withArgs(1n, bytesToHex(built.block.hash()), anyValue, 0n, 0n, 0n, f.stranger.address);
    });
  });

  describe("L1 → L2 messages", () => {
    it("a deposit is anchored by the next L2 block, relayed in it, and credited on L2", async () => {
      const f = await deployRollup();
      const recipient = getAddress("0x000000000000000000000000000000000000beef");
      await expect(f.rollup.connect(f.user).depositETH(recipient, { value: ONE_ETH }))
        .to.emit(f.rollup, "MessageQueued")
        .withArgs(0n, f.user.address, recipient, ONE_ETH, DEPOSIT_GAS_LIMIT, "0x", anyValue);
      const message: L1Message = {
        nonce: 0n,
        from: f.user.address,
        to: recipient,
        value: ONE_ETH,
        gasLimit: DEPOSIT_GAS_LIMIT,
        data: "0x",
      };
      expect(await f.rollup.messageHash(0n)).to.equal(hashL1Message(message));
      expect(await f.rollup.messageCount()).to.equal(1n);

      const built = await buildAnchoredBlock(f, [message]);
      expect(await l2Balance(f.chain, recipient)).to.equal(ONE_ETH);
      // The bridge also paid the relayer back its gas at the base fee.
      const reimbursed = BRIDGE_PREMINT - ONE_ETH - (await l2Balance(f.chain, L2_BRIDGE_ADDRESS));
      expect(
        reimbursed > 0n && reimbursed <= built.block.header.gasUsed * (built.block.header.baseFeePerGas as bigint),
      ).to.equal(true);

      await expect(advance(f, built, 1))
        .to.emit(f.rollup, "BlockAdvanced")
        .withArgs(1n, anyValue, anyValue, 1n, anyValue, anyValue, anyValue);
      expect(await f.rollup.nextMessageIndex()).to.equal(1n);
    });

    it("a block must anchor exactly the messages it claims to consume", async () => {
      const f = await deployRollup();
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
      await expect(advance(f, empty, 1))
        .to.be.revertedWithCustomError(f.rollup, "AnchorMismatch")
        .withArgs(hashL1Message(message), ZeroHash);
      await expect(advance(f, empty, 2))
        .to.be.revertedWithCustomError(f.rollup, "MessageCountExceedsQueue")
        .withArgs(2n, 1n);
      const anchored = await buildAnchoredBlock(f, [message]);
      await expect(advance(f, anchored, 0))
        .to.be.revertedWithCustomError(f.rollup, "AnchorMismatch")
        .withArgs(ZeroHash, hashL1Message(message));
      await advance(f, anchored, 1);
    });

    it("an L1 → L2 call sees l1Sender() = the L1 caller, receives the value, and relays only once", async () => {
      const f = await deployRollup();
      const data = f.receiver.encodeFunctionData("receiveMessage", [42n]);
      const gasLimit = 200_000n;
      await f.rollup.connect(f.user).sendMessage(L2_RECEIVER_ADDRESS, gasLimit, data, { value: 25n });
      const message: L1Message = {
        nonce: 0n,
        from: f.user.address,
        to: L2_RECEIVER_ADDRESS,
        value: 25n,
        gasLimit,
        data,
      };

      const timestamp = f.chain.latest.header.timestamp + 1n;
      const [relay] = relayTxs(f, [message], timestamp);
      const [again] = relayTxs(f, [message], timestamp);
      const built = await f.chain.buildBlock([relay, again], {
        timestamp,
        parentBeaconBlockRoot: getBytes(hashL1Message(message)),
      });
      expect(built.txResults[0].execResult.exceptionError).to.equal(undefined);
      expect(built.txResults[1].execResult.exceptionError, "second relay").to.not.equal(undefined);
      const secondError = f.bridge.parseError(hexlify(built.txResults[1].execResult.returnValue));
      expect(secondError?.name).to.equal("AlreadyRelayed");

      expect(await l2Storage(f.chain, L2_RECEIVER_ADDRESS, 0)).to.equal(BigInt(f.user.address)); // lastL1Sender
      expect(await l2Storage(f.chain, L2_RECEIVER_ADDRESS, 1)).to.equal(BigInt(L2_BRIDGE_ADDRESS)); // lastCaller
      expect(await l2Storage(f.chain, L2_RECEIVER_ADDRESS, 2)).to.equal(25n); // lastValue
      expect(await l2Storage(f.chain, L2_RECEIVER_ADDRESS, 3)).to.equal(42n); // lastArgument
      await advance(f, built, 1);
    });

    it("a relay against an L2 timestamp that anchors nothing reverts on L2", async () => {
      const f = await deployRollup();
      const message: L1Message = {
        nonce: 0n,
        from: f.user.address,
        to: f.user.address,
        value: 1n,
        gasLimit: DEPOSIT_GAS_LIMIT,
        data: "0x",
      };
      const built = await f.chain.buildBlock(relayTxs(f, [message], 12_345n));
      const error = f.bridge.parseError(hexlify(built.txResults[0].execResult.returnValue));
      expect(error?.name).to.equal("UnknownAnchor");
    });

    it("a message older than the force-inclusion delay must be consumed by the next block", async () => {
      const f = await deployRollup();
      await f.rollup.connect(f.user).depositETH(f.user.address, { value: 1n });
      const queuedAt = await f.rollup.messageQueuedAt(0n);
      await increaseL1Time(FORCE_INCLUSION_DELAY + 1n);

      const skipping = await f.chain.buildBlock([], { discard: true });
      await expect(advance(f, skipping, 0))
        .to.be.revertedWithCustomError(f.rollup, "OverdueMessageSkipped")
        .withArgs(0n, queuedAt);
      const message: L1Message = {
        nonce: 0n,
        from: f.user.address,
        to: f.user.address,
        value: 1n,
        gasLimit: DEPOSIT_GAS_LIMIT,
        data: "0x",
      };
      await advance(f, await buildAnchoredBlock(f, [message]), 1);
    });
  });

  describe("message liveness: every anchored message is executed or recorded as failed in its block", () => {
    it("rejects a block that anchors a message without relaying it, or relays it with less gas than it is owed", async () => {
      const f = await deployRollup();
      await f.rollup.connect(f.user).depositETH(f.user.address, { value: ONE_ETH });
      const message: L1Message = {
        nonce: 0n,
        from: f.user.address,
        to: f.user.address,
        value: ONE_ETH,
        gasLimit: DEPOSIT_GAS_LIMIT,
        data: "0x",
      };
      const timestamp = f.chain.latest.header.timestamp + 1n;
      const parentBeaconBlockRoot = getBytes(hashL1Message(message));

      // Discarded blocks: each is signed by a fresh signer of alice's key, so alice's nonces stay unused.
      const aliceAgain = (): TestSigner => TestSigner.fromSeed(1, f.chain.common);
      const anchorOnly = await f.chain.buildBlock(
        [aliceAgain().tx({ to: "0x00000000000000000000000000000000000000aa", value: 1n })],
        { timestamp, parentBeaconBlockRoot, discard: true },
      );
      await expect(advance(f, anchorOnly, 1))
        .to.be.revertedWithCustomError(f.rollup, "RelayMissing")
        .withArgs(0n, 3);
      const nothing = await f.chain.buildBlock([], { timestamp, parentBeaconBlockRoot, discard: true });
      await expect(advance(f, nothing, 1))
        .to.be.revertedWithCustomError(f.rollup, "RelayMissing")
        .withArgs(0n, 0);

      const relayData = f.bridge.encodeFunctionData("relayMessage", [message, timestamp, 0n, []]);
      const starved = aliceAgain().tx({ to: L2_BRIDGE_ADDRESS, data: relayData, gasLimit: 60_000n });
      const starvedBlock = await f.chain.buildBlock([starved], { timestamp, parentBeaconBlockRoot, discard: true });
      await expect(advance(f, starvedBlock, 1))
        .to.be.revertedWithCustomError(f.rollup, "RelayMissing")
        .withArgs(0n, 9);

      await advance(f, await buildAnchoredBlock(f, [message]), 1);
      expect(await l2Balance(f.chain, f.user.address)).to.equal(ONE_ETH);
    });

    it("accepts a block with more transactions than an RLP list reader's usual cap (40 after the relay)", async () => {
      const f = await deployRollup();
      await f.rollup.connect(f.user).depositETH(f.user.address, { value: 1n });
      const message: L1Message = {
        nonce: 0n,
        from: f.user.address,
        to: f.user.address,
        value: 1n,
        gasLimit: DEPOSIT_GAS_LIMIT,
        data: "0x",
      };
      const timestamp = f.chain.latest.header.timestamp + 1n;
      const relays = relayTxs(f, [message], timestamp);
      const transfers = Array.from({ length: 40 }, () =>
        f.alice.tx({ to: "0x00000000000000000000000000000000000000aa", value: 1n, gasLimit: 21_000n }),
      );
      const built = await f.chain.buildBlock([...relays, ...transfers], {
        timestamp,
        parentBeaconBlockRoot: getBytes(hashL1Message(message)),
      });
      expectAllSucceeded(built);
      expect(built.block.transactions).to.have.length(41);
      await expect(advance(f, built, 1)).to.emit(f.rollup, "BlockAdvanced");
    });

    it("a deposit whose L2 call reverts (to L2Bridge itself) is consumed and recorded as failed; its L1 sender takes the value back on L1 through an L1 message", async () => {
      const f = await deployRollup();
      await f.rollup.connect(f.user).depositETH(L2_BRIDGE_ADDRESS, { value: ONE_ETH });
      const deposit: L1Message = {
        nonce: 0n,
        from: f.user.address,
        to: L2_BRIDGE_ADDRESS,
        value: ONE_ETH,
        gasLimit: DEPOSIT_GAS_LIMIT,
        data: "0x",
      };
      const first = await buildAnchoredBlock(f, [deposit]);
      await advance(f, first, 1);
      expect(await failedMessage(f.chain, 0n)).to.equal(hashL1Message(deposit));

      // The refund request goes through L1, so no sequencer can refuse it (it is never deferred).
      const refundData = f.bridge.encodeFunctionData("refundMessage", [deposit, f.user.address, true]);
      await f.rollup.connect(f.user).sendMessage(L2_BRIDGE_ADDRESS, 150_000n, refundData);
      const request: L1Message = {
        nonce: 1n,
        from: f.user.address,
        to: L2_BRIDGE_ADDRESS,
        value: 0n,
        gasLimit: 150_000n,
        data: refundData,
      };
      const second = await buildAnchoredBlock(f, [request]);
      await advance(f, second, 1);
      const refund: L2Message = { nonce: 0n, from: f.user.address, to: f.user.address, value: ONE_ETH, data: "0x" };
      const proof = await f.chain.getProof(L2_BRIDGE_ADDRESS, [sentMessageSlot(hashL2Message(refund))], 2n);
      const before = await ethers.provider.getBalance(f.user.address);
      await f.rollup.connect(f.stranger).finalizeMessage(2n, refund, proof.accountProof, proof.storageProof[0].proof);
      expect(await ethers.provider.getBalance(f.user.address)).to.equal(before + ONE_ETH);
    });

    it("a message its block cannot carry is deferred, not stranded: its value is held and anyone may run it later, after the EIP-4788 buffer has rolled over", async () => {
      const f = await deployRollup();
      const data = f.receiver.encodeFunctionData("receiveMessage", [7n]);
      await f.rollup.connect(f.user).sendMessage(L2_RECEIVER_ADDRESS, 200_000n, data, { value: 5n });
      const message: L1Message = {
        nonce: 0n,
        from: f.user.address,
        to: L2_RECEIVER_ADDRESS,
        value: 5n,
        gasLimit: 200_000n,
        data,
      };
      const timestamp = f.chain.latest.header.timestamp + 1n;
      const deferred = await f.chain.buildBlock(relayTxs(f, [message], timestamp, "deferMessage"), {
        timestamp,
        parentBeaconBlockRoot: getBytes(hashL1Message(message)),
      });
      expectAllSucceeded(deferred);
      await advance(f, deferred, 1);
      expect(await l2Storage(f.chain, L2_RECEIVER_ADDRESS, 3)).to.equal(0n);
      expect(await failedMessage(f.chain, 0n)).to.equal(hashL1Message(message));

      const retry = f.bridge.encodeFunctionData("retryMessage", [message]);
      // A retry owes the call its full gas limit: with less it is refused and the message stays failed.
      const starved = await f.chain.buildBlock(
        [f.alice.tx({ to: L2_BRIDGE_ADDRESS, data: retry, gasLimit: 150_000n })],
        { timestamp: timestamp + BEACON_ROOTS_HISTORY + 1n },
      );
      expect(f.bridge.parseError(hexlify(starved.txResults[0].execResult.returnValue))?.name).to.equal(
        "InsufficientRelayGas",
      );
      const retried = await f.chain.buildBlock([
        f.alice.tx({ to: L2_BRIDGE_ADDRESS, data: retry, gasLimit: 500_000n }),
      ]);
      expectAllSucceeded(retried);
      expect(await l2Storage(f.chain, L2_RECEIVER_ADDRESS, 3)).to.equal(7n);
      expect(await l2Storage(f.chain, L2_RECEIVER_ADDRESS, 2)).to.equal(5n);
      expect(await l2Storage(f.chain, L2_RECEIVER_ADDRESS, 0)).to.equal(BigInt(f.user.address));
      expect(await failedMessage(f.chain, 0n)).to.equal(ZeroHash);
    });

    it("a refund request is never deferred, and may not ask for more gas than any block carries", async () => {
      const f = await deployRollup();
      const failed: L1Message = {
        nonce: 0n,
        from: f.user.address,
        to: L2_BRIDGE_ADDRESS,
        value: 0n,
        gasLimit: 1n,
        data: "0x",
      };
      const refundData = f.bridge.encodeFunctionData("refundMessage", [failed, f.user.address, false]);
      await expect(f.rollup.connect(f.user).sendMessage(L2_BRIDGE_ADDRESS, 300_000n, refundData))
        .to.be.revertedWithCustomError(f.rollup, "GasLimitTooHigh")
        .withArgs(300_000n, 200_000n);
      await f.rollup.connect(f.user).sendMessage(L2_BRIDGE_ADDRESS, 100_000n, refundData);
      const request: L1Message = {
        nonce: 0n,
        from: f.user.address,
        to: L2_BRIDGE_ADDRESS,
        value: 0n,
        gasLimit: 100_000n,
        data: refundData,
      };
      const timestamp = f.chain.latest.header.timestamp + 1n;
      const deferring = await f.chain.buildBlock(relayTxs(f, [request], timestamp, "deferMessage"), {
        timestamp,
        parentBeaconBlockRoot: getBytes(hashL1Message(request)),
        discard: true,
      });
      await expect(advance(f, deferring, 1))
        .to.be.revertedWithCustomError(f.rollup, "RelayMissing")
        .withArgs(0n, 8);
    });
  });

  describe("L2 → L1 messages", () => {
    interface Withdrawals {
      f: Fixture;
      l1Receiver: L1Receiver;
      withdrawal: L2Message;
      call: L2Message;
      proofOf: (message: L2Message) => Promise<{ accountProof: string[]; storageProof: string[] }>;
    }

    /** Funds the rollup, then an L2 block (accepted on L1 as block 1) sends a withdrawal and a call to L1. */
    async function withdrawals(): Promise<Withdrawals> {
      const f = await deployRollup();
      const l1Receiver = (await ethers.deployContract("L1Receiver")) as unknown as L1Receiver;
      await f.rollup.connect(f.user).depositETH(f.user.address, { value: 10n * ONE_ETH });
      const from = getAddress(f.alice.address.toString());
      const withdrawal: L2Message = { nonce: 0n, from, to: f.stranger.address, value: ONE_ETH, data: "0x" };
      const callData = l1Receiver.interface.encodeFunctionData("receiveMessage", [7n]);
      const call: L2Message = { nonce: 1n, from, to: await l1Receiver.getAddress(), value: 3n, data: callData };
      const built = await f.chain.buildBlock([
        f.alice.tx({
          to: L2_BRIDGE_ADDRESS,
          value: withdrawal.value,
          data: f.bridge.encodeFunctionData("withdraw", [withdrawal.to]),
        }),
        f.alice.tx({
          to: L2_BRIDGE_ADDRESS,
          value: call.value,
          data: f.bridge.encodeFunctionData("sendMessageToL1", [call.to, call.data]),
        }),
      ]);
      expectAllSucceeded(built);
      await advance(f, built, 0);

      const proofOf = async (message: L2Message) => {
        const proof = await f.chain.getProof(L2_BRIDGE_ADDRESS, [sentMessageSlot(hashL2Message(message))], 1n);
        return { accountProof: proof.accountProof, storageProof: proof.storageProof[0].proof };
      };
      return { f, l1Receiver, withdrawal, call, proofOf };
    }

    it("L2Bridge records the message hash at keccak256(abi.encode(hash, SENT_MESSAGES_SLOT))", async () => {
      const { f, withdrawal } = await withdrawals();
      const proof = await f.chain.getProof(L2_BRIDGE_ADDRESS, [sentMessageSlot(hashL2Message(withdrawal))], 1n);
      expect(BigInt(proof.storageProof[0].value)).to.equal(1n);
      expect(await l2Balance(f.chain, L2_BRIDGE_ADDRESS)).to.equal(BRIDGE_PREMINT + ONE_ETH + 3n);
    });

    it("a withdrawal is finalized on L1 with an EIP-1186 proof, once", async () => {
      const { f, withdrawal, proofOf } = await withdrawals();
      const { accountProof, storageProof } = await proofOf(withdrawal);
      const hash = hashL2Message(withdrawal);
      const before = await ethers.provider.getBalance(withdrawal.to);
      await expect(f.rollup.connect(f.user).finalizeMessage(1n, withdrawal, accountProof, storageProof))
        .to.emit(f.rollup, "MessageFinalized")
        .withArgs(hash, 0n, withdrawal.to, ONE_ETH);
      expect(await ethers.provider.getBalance(withdrawal.to)).to.equal(before + ONE_ETH);
      expect(await f.rollup.finalized(hash)).to.equal(true);
      await expect(f.rollup.connect(f.user).finalizeMessage(1n, withdrawal, accountProof, storageProof))
        .to.be.revertedWithCustomError(f.rollup, "AlreadyFinalized")
        .withArgs(hash);
    });

    it("an L2 → L1 call sees l2Sender() = the L2 sender, and l2Sender() is the default outside it", async () => {
      const { f, l1Receiver, call, proofOf } = await withdrawals();
      const { accountProof, storageProof } = await proofOf(call);
      await f.rollup.finalizeMessage(1n, call, accountProof, storageProof);
      expect(await l1Receiver.lastL2Sender()).to.equal(call.from);
      expect(await l1Receiver.lastCaller()).to.equal(await f.rollup.getAddress());
      expect(await l1Receiver.lastValue()).to.equal(3n);
      expect(await l1Receiver.lastArgument()).to.equal(7n);
      expect(await f.rollup.l2Sender()).to.equal(DEFAULT_CROSS_DOMAIN_SENDER);
    });

    it("rejects a forged message, a proof against an unaccepted block, and a wrong proof", async () => {
      const { f, withdrawal, call, proofOf } = await withdrawals();
      const { accountProof, storageProof } = await proofOf(withdrawal);
      const forged = { ...withdrawal, value: 2n * ONE_ETH };
      await expect(f.rollup.finalizeMessage(1n, forged, accountProof, storageProof)).to.be.reverted;
      await expect(f.rollup.finalizeMessage(2n, withdrawal, accountProof, storageProof))
        .to.be.revertedWithCustomError(f.rollup, "BlockNotAccepted")
        .withArgs(2n);
      const other = await proofOf(call);
      await expect(f.rollup.finalizeMessage(1n, withdrawal, accountProof, other.storageProof)).to.be.reverted;
      // Block 0 (genesis) is accepted but sent nothing.
      const genesisProof = await f.chain.getProof(L2_BRIDGE_ADDRESS, [sentMessageSlot(hashL2Message(withdrawal))], 0n);
      await expect(
        f.rollup.finalizeMessage(0n, withdrawal, genesisProof.accountProof, genesisProof.storageProof[0].proof),
      ).to.be.reverted;
      expect(await f.rollup.finalized(hashL2Message(withdrawal))).to.equal(false);
    });

    it("a failing L1 call reverts the finalization, which stays retryable", async () => {
      const { f, l1Receiver } = await withdrawals();
      const rejected = await l1Receiver.REJECTED_ARGUMENT();
      const message: L2Message = {
        nonce: 2n,
        from: getAddress(f.alice.address.toString()),
        to: await l1Receiver.getAddress(),
        value: 0n,
        data: l1Receiver.interface.encodeFunctionData("receiveMessage", [rejected]),
      };
      const built = await f.chain.buildBlock([
        f.alice.tx({
          to: L2_BRIDGE_ADDRESS,
          data: f.bridge.encodeFunctionData("sendMessageToL1", [message.to, message.data]),
        }),
      ]);
      expectAllSucceeded(built);
      await advance(f, built, 0);
      const proof = await f.chain.getProof(L2_BRIDGE_ADDRESS, [sentMessageSlot(hashL2Message(message))], 2n);
      await expect(f.rollup.finalizeMessage(2n, message, proof.accountProof, proof.storageProof[0].proof))
        .to.be.revertedWithCustomError(f.rollup, "MessageCallFailed")
        .withArgs(hashL2Message(message), anyValue);
      expect(await f.rollup.finalized(hashL2Message(message))).to.equal(false);
    });
  });
});
