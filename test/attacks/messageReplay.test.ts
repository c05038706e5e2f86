import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";
import { Interface, getAddress, getBytes } from "ethers";
import { artifacts, ethers } from "hardhat";

import {
  type L1Message,
  type L2Message,
  L2_BRIDGE_ADDRESS,
  hashL1Message,
  hashL2Message,
  messageProof,
  messageRoot,
  sentMessageSlot,
} from "../../protocol/messages";
import type { ExampleRollup } from "../../typechain-types";
import { TestSigner } from "../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../../tools/l2TestChain";

/**
 * Replaying a message of one rollup on another (docs/design/attack-review-s23.md, item 2).
 * Message hashes carry no chain id and no rollup address: an L2 → L1 message is
 * `keccak256(abi.encode(nonce, from, to, value, data))`, an L1 → L2 one adds `gasLimit`. Two
 * rollups here share everything the hash could be confused by: one L1, one L2 genesis (so the
 * same L2 chain id, the same L2Bridge address, the same funded accounts and the same first
 * nonces). What keeps each message to its rollup is where it is proven: an L2 → L1 message
 * against a state root this rollup contract accepted (`stateRootOf`), an L1 → L2 message against
 * the root of this contract's own queue (the block's anchor), each once per contract.
 */
const L2_CHAIN_ID = 4242n;
const ONE_ETH = 10n ** 18n;
const BRIDGE_PREMINT = 10n ** 9n * ONE_ETH;
const INACTIVITY_PERIOD = 3_600n;
const FORCE_INCLUSION_DELAY = 600n;
/** Relay gas beyond the call's share, and per calldata byte (NativeRollup's RELAY_* constants). */
const RELAY_OVERHEAD_GAS = 200_000n;
const RELAY_GAS_PER_CALLDATA_BYTE = 40n;
/** The L2 gas limit of a deposit's message (RollupConstants.sol DEPOSIT_GAS_LIMIT). */
const DEPOSIT_GAS_LIMIT = 100_000n;

interface Rollup {
  readonly contract: ExampleRollup;
  /** This rollup's L2 chain (each rollup has its own copy of the shared genesis). */
  readonly chain: L2TestChain;
  readonly alice: TestSigner;
}

interface Setup {
  readonly a: Rollup;
  readonly b: Rollup;
  readonly sequencer: HardhatEthersSigner;
  readonly user: HardhatEthersSigner;
  readonly stranger: HardhatEthersSigner;
  readonly bridge: Interface;
}

async function chainFromSharedGenesis(): Promise<L2TestChain> {
  const probe = await L2TestChain.create(L2_CHAIN_ID, []);
  return L2TestChain.create(L2_CHAIN_ID, [
    { address: TestSigner.fromSeed(1, probe.common).address.toString(), balance: 100n * ONE_ETH },
    {
      address: L2_BRIDGE_ADDRESS,
      code: (await artifacts.readArtifact("L2Bridge")).deployedBytecode,
      balance: BRIDGE_PREMINT,
    },
  ]);
}

async function deploy(sequencer: HardhatEthersSigner): Promise<Rollup> {
  const chain = await chainFromSharedGenesis();
  const genesis = chain.latest.header;
  const contract = (await ethers.deployContract("ExampleRollup", [
    L2_CHAIN_ID,
    bytesToHex(genesis.hash()),
    bytesToHex(genesis.stateRoot),
    sequencer.address,
    { sequencerInactivityPeriod: INACTIVITY_PERIOD, forceInclusionDelay: FORCE_INCLUSION_DELAY },
  ])) as unknown as ExampleRollup;
  return { contract, chain, alice: TestSigner.fromSeed(1, chain.common) };
}

/** Two rollups; with `deposits`, the user deposits 10 ETH on each (a queued message on each). */
async function setup(deposits = true): Promise<Setup> {
  const [sequencer, user, stranger] = await ethers.getSigners();
  const a = await deploy(sequencer);
  const b = await deploy(sequencer);
  const bridge = new Interface((await artifacts.readArtifact("L2Bridge")).abi);
  // Both hold depositors' ETH: a replay on either would pay out of someone else's deposit.
  if (!deposits) return { a, b, sequencer, user, stranger, bridge };
  await a.contract.connect(user).depositETH(user.address, { value: 10n * ONE_ETH });
  await b.contract.connect(user).depositETH(user.address, { value: 10n * ONE_ETH });
  return { a, b, sequencer, user, stranger, bridge };
}

function advance(rollup: Rollup, built: BuiltBlock, consumed: number, signer: HardhatEthersSigner) {
  return rollup.contract.connect(signer).advance(built.parentHeader, built.blockRlp, built.witness, "0x", consumed);
}

/** An L2 block of `rollup` in which alice withdraws 1 ETH to `to`; nonce 0 of its L2Bridge. */
async function withdrawal(s: Setup, rollup: Rollup, to: string): Promise<{ built: BuiltBlock; message: L2Message }> {
  const message: L2Message = {
    nonce: 0n,
    from: getAddress(rollup.alice.address.toString()),
    to,
    value: ONE_ETH,
    data: "0x",
  };
  const built = await rollup.chain.buildBlock([
    rollup.alice.tx({ to: L2_BRIDGE_ADDRESS, value: ONE_ETH, data: s.bridge.encodeFunctionData("withdraw", [to]) }),
  ]);
  expect(built.txResults[0]?.execResult.exceptionError).to.equal(undefined);
  return { built, message };
}

async function proofOf(chain: L2TestChain, message: L2Message, block: bigint) {
  const proof = await chain.getProof(L2_BRIDGE_ADDRESS, [sentMessageSlot(hashL2Message(message))], block);
  return { accountProof: proof.accountProof, storageProof: proof.storageProof[0]?.proof ?? [] };
}

describe("attack: replaying a message of one rollup on another sharing its L1 and L2 genesis", function () {
  this.timeout(120_000);

  it("an L2 → L1 withdrawal proven on rollup A cannot be finalized on rollup B, before or after B accepts its own block 1, nor twice on A", async () => {
    const s = await setup();
    const { built, message } = await withdrawal(s, s.a, s.stranger.address);
    await advance(s.a, built, 0, s.sequencer);
    const { accountProof, storageProof } = await proofOf(s.a.chain, message, 1n);
    const hash = hashL2Message(message);
    const bBalance = await ethers.provider.getBalance(await s.b.contract.getAddress());

    // B has accepted no block 1: the proof has no root to be checked against.
    await expect(s.b.contract.finalizeMessage(1n, message, accountProof, storageProof))
      .to.be.revertedWithCustomError(s.b.contract, "BlockNotAccepted")
      .withArgs(1n);

    // B accepts its own block 1 (alice pays someone on B instead): same number, another state root.
    const own = await s.b.chain.buildBlock([s.b.alice.tx({ to: s.user.address, value: 5n })]);
    await advance(s.b, own, 0, s.sequencer);
    expect(await s.b.contract.stateRootOf(1n)).to.not.equal(await s.a.contract.stateRootOf(1n));
    await expect(s.b.contract.finalizeMessage(1n, message, accountProof, storageProof)).to.be.reverted;
    // Nor against B's state with B's own (absence) proof: the message was never sent on B.
    const onB = await proofOf(s.b.chain, message, 1n);
    await expect(s.b.contract.finalizeMessage(1n, message, onB.accountProof, onB.storageProof)).to.be.reverted;
    expect(await s.b.contract.finalized(hash)).to.equal(false);
    expect(await ethers.provider.getBalance(await s.b.contract.getAddress())).to.equal(bBalance);

    // On A it is finalized once.
    await expect(s.a.contract.finalizeMessage(1n, message, accountProof, storageProof)).to.emit(
      s.a.contract,
      "MessageFinalized",
    );
    await expect(s.a.contract.finalizeMessage(1n, message, accountProof, storageProof))
      .to.be.revertedWithCustomError(s.a.contract, "AlreadyFinalized")
      .withArgs(hash);
  });

  it("an L1 → L2 message queued on rollup A cannot be consumed by a block of rollup B", async () => {
    const s = await setup();
    // The same deposit, nonce 0, from the same L1 account to the same L2 account, queued on A only.
    await s.a.contract.connect(s.stranger).depositETH(s.stranger.address, { value: ONE_ETH });
    const onA: L1Message = {
      nonce: 1n,
      from: s.stranger.address,
      to: s.stranger.address,
      value: ONE_ETH,
      gasLimit: DEPOSIT_GAS_LIMIT,
      data: "0x",
    };
    expect(hashL1Message(onA)).to.equal(await s.a.contract.messageHash(1n));

    // A block of B that anchors A's two messages and relays them (B's own queue holds one, the user's).
    const queued = [await s.a.contract.messageHash(0n), await s.a.contract.messageHash(1n)];
    const timestamp = s.b.chain.latest.header.timestamp + 1n;
    const relays = [0, 1].map((index) =>
      s.b.alice.tx({
        to: L2_BRIDGE_ADDRESS,
        data: s.bridge.encodeFunctionData("deferMessage", [
          index === 0
            ? {
                nonce: 0n,
                from: s.user.address,
                to: s.user.address,
                value: 10n * ONE_ETH,
                gasLimit: DEPOSIT_GAS_LIMIT,
                data: "0x",
              }
            : onA,
          timestamp,
          index,
          messageProof(queued, index),
        ]),
        gasLimit: RELAY_OVERHEAD_GAS + RELAY_GAS_PER_CALLDATA_BYTE * 1_000n,
      }),
    );
    const built = await s.b.chain.buildBlock(relays, {
      timestamp,
      parentBeaconBlockRoot: getBytes(messageRoot(queued)),
      discard: true,
    });
    await expect(advance(s.b, built, 2, s.sequencer))
      .to.be.revertedWithCustomError(s.b.contract, "MessageCountExceedsQueue")
      .withArgs(2n, 1n);
    // Once B's queue holds a second message of its own, the anchor is the check that fails.
    await s.b.contract.connect(s.user).depositETH(s.user.address, { value: 2n * ONE_ETH });
    await expect(advance(s.b, built, 2, s.sequencer)).to.be.revertedWithCustomError(s.b.contract, "AnchorMismatch");
  });

  it("what does replay: B accepts A's blocks when both start from one L2 genesis (one L2 chain), and then pays A's withdrawals out of B's deposits", async () => {
    // Not a message-format question: two rollups with one genesis are one L2 chain, whose
    // transactions (EIP-155-signed for its chain id) are valid on both. Once B's sequencer has
    // been silent for the inactivity period, anyone may advance B with A's public blocks.
    // (A queued message on B would stop this replay: after the inactivity period it is overdue, and a
    // block of A consumes none of B's messages. Here B holds only the backing of its genesis.)
    const s = await setup(false);
    for (const rollup of [s.a, s.b]) await rollup.contract.depositGenesisSupply({ value: 100n * ONE_ETH });
    const { built, message } = await withdrawal(s, s.a, s.stranger.address);
    await advance(s.a, built, 0, s.sequencer);
    await time.increase(INACTIVITY_PERIOD);
    await expect(advance(s.b, built, 0, s.stranger)).to.emit(s.b.contract, "BlockAdvanced");
    const { accountProof, storageProof } = await proofOf(s.a.chain, message, 1n);
    await expect(s.b.contract.finalizeMessage(1n, message, accountProof, storageProof)).to.emit(
      s.b.contract,
      "MessageFinalized",
    );
  });
});
