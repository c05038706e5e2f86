/**
 * The gas limit the batch submitter derives for an `advance` (rollup-node/bridge/advanceGas.ts) is
 * never below what the transaction uses, across block shapes and rollups, on the in-process devnet
 * with the real EXECUTE: each advance is sent with the derived limit and must succeed with
 * gasUsed ≤ limit. Prints, per shape, the gas used, the margin, and the residual the contract's
 * own work took (what ADVANCE_CONTRACT_GAS and ADVANCE_GAS_PER_MESSAGE are declared against).
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";
import { type BaseContract, Interface, Wallet, getBytes, hexlify, parseEther } from "ethers";
import { artifacts, ethers } from "hardhat";

import { EXECUTE_ADDRESS, decodeExecutionProofs, encodeProofBundle } from "../../precompiles";
import { encodeExecutionProofs } from "../../precompiles/proofs/codec";
import { type L1Message, L2_BRIDGE_ADDRESS, hashL1Message, messageProof, messageRoot } from "../../protocol";
import {
  ADVANCE_CONTRACT_GAS,
  ADVANCE_GAS_PER_MESSAGE,
  ADVANCE_GAS_PER_POLICY_KEY,
  ADVANCE_RELAY_CHECK_GAS,
  advanceGasOf,
  calldataTokens,
} from "../../rollup-node/bridge/advanceGas";
import { withProposalGasDefaults } from "../../deploy/rollup";
import { committeeProof, testCommittee } from "../../tools/committeeFixture";
import type { BuiltBlock } from "../../tools/l2TestChain";
import { TestSigner, chainWithBridge } from "../../tools/l2Fixtures";
import { L2TestChain } from "../../tools/l2TestChain";
import type { ExampleRollup } from "../../typechain-types";

const L2_CHAIN_ID = 4545n;
const ONE_ETH = 10n ** 18n;
const BRIDGE_PREMINT = 10n ** 9n * ONE_ETH;
const ROLLUP_CONFIG = { sequencerInactivityPeriod: 3_600n, forceInclusionDelay: 600n };
const NO_PROOF_POLICY = { threshold: 0, allowReexecution: false, acceptedKeys: [] as string[] };
const DEPOSIT_GAS_LIMIT = 100_000n;
/** Most a derived limit may exceed the gas used, besides a tenth of it (the memory bound's slack on large inputs). */
const MAX_MARGIN_GAS = 200_000n;
const RELAY = new Interface([
  "function relayMessage((uint256 nonce, address from, address to, uint256 value, uint256 gasLimit, bytes data) message, uint64 anchorTimestamp, uint256 index, bytes32[] proof)",
]);

/** An L2 test chain with a funded account and the L2Bridge predeploy, as the rollups' genesis. */
async function l2Chain(): Promise<{ chain: L2TestChain; alice: TestSigner }> {
  return chainWithBridge(L2_CHAIN_ID, (await artifacts.readArtifact("L2Bridge")).deployedBytecode, BRIDGE_PREMINT);
}

interface Measured {
  readonly shape: string;
  readonly used: bigint;
  readonly limit: bigint;
  readonly residual: bigint;
}

describe("an advance's derived gas limit is never below the gas its transaction uses (real EXECUTE)", function () {
  this.timeout(600_000);
  let sequencer: HardhatEthersSigner;
  let user: HardhatEthersSigner;
  const measured: Measured[] = [];

  before(async () => {
    [sequencer, user] = await ethers.getSigners();
  });

  after(() => {
    for (const m of measured) {
      console.log(
        `      ${m.shape}: used ${m.used}, limit ${m.limit} (margin ${m.limit - m.used}, ${((Number(m.limit - m.used) * 100) / Number(m.used)).toFixed(1)} %), contract's own work ${m.residual}`,
      );
    }
  });

  async function deploy(name: string, extra: readonly unknown[], genesis: L2TestChain): Promise<ExampleRollup> {
    const head = genesis.latest.header;
    return (await ethers.deployContract(name, [
      L2_CHAIN_ID,
      bytesToHex(head.hash()),
      bytesToHex(head.stateRoot),
      sequencer.address,
      ROLLUP_CONFIG,
      ...extra,
    ])) as unknown as ExampleRollup;
  }

  /** Sends `built` to `rollup` with the derived limit and checks that it is enough. */
  async function advanceWithDerivedLimit(
    shape: string,
    rollup: ExampleRollup,
    built: BuiltBlock,
    consumed: number,
    proofs: { encoded: Uint8Array; count: number; keys: string[] } | undefined = undefined,
    signer: HardhatEthersSigner | Wallet = sequencer,
  ): Promise<void> {
    const witness = proofs === undefined ? built.witness : new Uint8Array();
    const args = [built.parentHeader, built.blockRlp, witness, proofs?.encoded ?? "0x", consumed] as const;
    const policy =
      proofs === undefined ? NO_PROOF_POLICY : { threshold: 1, allowReexecution: false, acceptedKeys: proofs.keys };
    const proofBundle =
      proofs === undefined
        ? new Uint8Array()
        : encodeProofBundle({
            policy: { ...policy, acceptedKeys: policy.acceptedKeys.map((k) => getBytes(k)) },
            proofs: decodeExecutionProofs(proofs.encoded),
          });
    const logsBlock = (await ethers.provider.getCode(await signer.getAddress())) !== "0x";
    const { gasLimit } = advanceGasOf({
      calldata: getBytes(rollup.interface.encodeFunctionData("advance", [...args])),
      parentHeader: built.parentHeader,
      block: built.blockRlp,
      witness,
      proofBundle,
      proofCount: proofs?.count ?? 0,
      consumedMessages: consumed,
      policyKeys: policy.acceptedKeys.length,
      logsBlock,
    });
    const sent = await (rollup.connect(signer) as unknown as ExampleRollup).advance(...args, { gasLimit });
    const receipt = await sent.wait();
    expect(receipt?.status, `${shape}: the advance failed at the derived limit`).to.equal(1);
    const used = receipt?.gasUsed as bigint;
    expect(used, `${shape}: used more than the derived limit`).to.be.at.most(gasLimit);
    // Not priced far above: the key is asked for what it spends (a fee spike must not stall a funded key).
    expect(gasLimit - used, `${shape}: margin`).to.be.below(MAX_MARGIN_GAS + used / 10n);
    const contractGas =
      ADVANCE_CONTRACT_GAS +
      (consumed > 0 ? ADVANCE_RELAY_CHECK_GAS + ADVANCE_GAS_PER_MESSAGE * BigInt(consumed) : 0n) +
      ADVANCE_GAS_PER_POLICY_KEY * BigInt(policy.acceptedKeys.length);
    measured.push({ shape, used, limit: gasLimit, residual: used - (gasLimit - contractGas) });
  }

  it("re-execution (ExampleRollup): an empty block, one transfer, 40 and 300 transfers to new accounts", async () => {
    const { chain, alice } = await l2Chain();
    const rollup = await deploy("ExampleRollup", [], chain);
    await advanceWithDerivedLimit("empty block", rollup, await chain.buildBlock([]), 0);
    for (const transfers of [1, 40, 300]) {
      const built = await chain.buildBlock(
        Array.from({ length: transfers }, (_, i) =>
          alice.tx({ to: `0x${(0xaa0000 + transfers * 1000 + i).toString(16).padStart(40, "0")}`, value: 1n }),
        ),
      );
      await advanceWithDerivedLimit(`${transfers} transfers (${built.witness.length} B witness)`, rollup, built, 0);
    }
  });

  it("re-execution: a large witness (200 transfers from 200 accounts)", async () => {
    const probe = await L2TestChain.create(L2_CHAIN_ID, []);
    const senders = Array.from({ length: 200 }, (_, i) => TestSigner.fromSeed(1_000 + i, probe.common));
    const chain = await L2TestChain.create(
      L2_CHAIN_ID,
      senders.map((s) => ({ address: s.address.toString(), balance: ONE_ETH })),
    );
    const rollup = await deploy("ExampleRollup", [], chain);
    const built = await chain.buildBlock(
      senders.map((_, i) =>
        TestSigner.fromSeed(1_000 + i, chain.common).tx({
          to: "0x00000000000000000000000000000000000000aa",
          value: 1n,
        }),
      ),
    );
    await advanceWithDerivedLimit(`200 senders (${built.witness.length} B witness)`, rollup, built, 0);
  });

  it("re-execution: a witness of 3 contracts' code and little L2 gas (EIP-7623's calldata floor is what the transaction pays)", async () => {
    const probe = await L2TestChain.create(L2_CHAIN_ID, []);
    const alice = TestSigner.fromSeed(7, probe.common);
    // 24 KB of non-zero code each (three different codes: a witness holds each code once), starting
    // with STOP: calling one costs little L2 gas but ships its code.
    const targets = [0xc1, 0xc2, 0xc3].map((n) => `0x${n.toString(16).padStart(40, "0")}`);
    const chain = await L2TestChain.create(L2_CHAIN_ID, [
      { address: alice.address.toString(), balance: ONE_ETH },
      ...targets.map((address, i) => ({ address, code: `0x00${(0x5b + i).toString(16).repeat(24_000 - 1)}` })),
    ]);
    const rollup = await deploy("ExampleRollup", [], chain);
    const sender = TestSigner.fromSeed(7, chain.common);
    const built = await chain.buildBlock(targets.map((to) => sender.tx({ to, gasLimit: 30_000n })));
    const calldata = getBytes(
      rollup.interface.encodeFunctionData("advance", [built.parentHeader, built.blockRlp, built.witness, "0x", 0]),
    );
    const floor = 21_000n + 10n * calldataTokens(calldata);
    const { gasLimit } = advanceGasOf({
      calldata,
      parentHeader: built.parentHeader,
      block: built.blockRlp,
      witness: built.witness,
      proofBundle: new Uint8Array(),
      proofCount: 0,
      consumedMessages: 0,
      policyKeys: 0,
      logsBlock: false,
    });
    expect(gasLimit, "the shape's premise: the floor binds").to.equal(floor);
    await advanceWithDerivedLimit(
      `3 calls of 24 KB contracts (${built.witness.length} B witness, floor)`,
      rollup,
      built,
      0,
    );
  });

  it("re-execution: blocks relaying 1 and 8 L1 deposits", async () => {
    const { chain, alice } = await l2Chain();
    const rollup = await deploy("ExampleRollup", [], chain);
    let nonce = 0n;
    for (const count of [1, 8]) {
      const deposits: L1Message[] = [];
      for (let i = 0; i < count; i++) {
        await (await rollup.connect(user).depositETH(user.address, { value: ONE_ETH })).wait();
        deposits.push({
          nonce: nonce++,
          from: user.address,
          to: user.address,
          value: ONE_ETH,
          gasLimit: DEPOSIT_GAS_LIMIT,
          data: "0x",
        });
      }
      const hashes = deposits.map(hashL1Message);
      const timestamp = chain.latest.header.timestamp + 1n;
      const relays = deposits.map((deposit, i) => {
        const data = RELAY.encodeFunctionData("relayMessage", [deposit, timestamp, i, messageProof(hashes, i)]);
        return alice.tx({
          to: L2_BRIDGE_ADDRESS,
          data,
          gasLimit: DEPOSIT_GAS_LIMIT + DEPOSIT_GAS_LIMIT / 63n + 200_000n + 40n * BigInt(getBytes(data).length),
        });
      });
      const built = await chain.buildBlock(relays, { timestamp, parentBeaconBlockRoot: getBytes(messageRoot(hashes)) });
      await advanceWithDerivedLimit(`a block relaying ${count} deposits`, rollup, built, count);
    }
  });

  it("re-execution through an EIP-7702 account (the rollup logs the block in BlockData)", async () => {
    const { chain, alice } = await l2Chain();
    const delegated = new Wallet(Wallet.createRandom().privateKey, ethers.provider);
    await (await sequencer.sendTransaction({ to: delegated.address, value: parseEther("10") })).wait();
    const target = (await ethers.deployContract("Counter")) as unknown as BaseContract;
    const auth = await delegated.authorize({ address: await target.getAddress(), nonce: 1 });
    await (
      await delegated.sendTransaction({ to: sequencer.address, authorizationList: [auth], type: 4, gasLimit: 100_000n })
    ).wait();
    expect(await ethers.provider.getCode(delegated.address)).to.not.equal("0x");
    const head = chain.latest.header;
    const rollup = (await ethers.deployContract("ExampleRollup", [
      L2_CHAIN_ID,
      bytesToHex(head.hash()),
      bytesToHex(head.stateRoot),
      delegated.address,
      ROLLUP_CONFIG,
    ])) as unknown as ExampleRollup;
    const built = await chain.buildBlock(
      Array.from({ length: 40 }, (_, i) =>
        alice.tx({ to: `0x${(0xbb00 + i).toString(16).padStart(40, "0")}`, value: 1n }),
      ),
    );
    await advanceWithDerivedLimit(
      "40 transfers by an EIP-7702 account (BlockData)",
      rollup,
      built,
      0,
      undefined,
      delegated,
    );
  });

  it("an OptimisticRollup's advance (no proposal pending) and proof mode (ProvenRollup, 1 committee proof)", async () => {
    {
      const { chain, alice } = await l2Chain();
      const rollup = await deploy(
        "OptimisticExampleRollup",
        [withProposalGasDefaults({ challengeWindow: 3_600n, proposalBond: ONE_ETH / 10n }), NO_PROOF_POLICY],
        chain,
      );
      const built = await chain.buildBlock([alice.tx({ to: "0x00000000000000000000000000000000000000aa", value: 1n })]);
      await advanceWithDerivedLimit("OptimisticExampleRollup, 1 transfer", rollup, built, 0);
    }
    {
      const { chain, alice } = await l2Chain();
      const committee = await testCommittee(4, 31);
      const keys = [hexlify(committee.keyHash)];
      const rollup = await deploy(
        "ProvenRollup",
        [{ threshold: 1, allowReexecution: false, acceptedKeys: keys }, EXECUTE_ADDRESS],
        chain,
      );
      const built = await chain.buildBlock([alice.tx({ to: "0x00000000000000000000000000000000000000aa", value: 1n })]);
      const encoded = encodeExecutionProofs([await committeeProof(committee, L2_CHAIN_ID, built, [0, 1, 2])]);
      await advanceWithDerivedLimit("proof mode, 1 committee proof", rollup, built, 0, { encoded, count: 1, keys });
    }
  });
});
