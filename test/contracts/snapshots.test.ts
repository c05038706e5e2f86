/**
 * Committed snapshots of what the contracts cost and how L2Bridge lays out its storage, so that a
 * change to either is a reviewed change: the gas each entry point uses on a fixed scenario
 * (test/contracts/snapshots/gas.json) and L2Bridge's storage layout as solc reports it
 * (test/contracts/snapshots/L2Bridge.storage.json). L2Bridge is a predeploy: a slot that moves
 * would read another variable's value in every existing L2 state.
 *
 * After an intended change: `npm run snapshots:update`, then review and commit the diff.
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";

import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import { expect } from "chai";
import {
  AbiCoder,
  type ContractTransactionResponse,
  Interface,
  dataLength,
  getAddress,
  Wallet,
  getBytes,
  hexlify,
  keccak256,
  toUtf8Bytes,
} from "ethers";
import { artifacts, ethers } from "hardhat";

import { EXECUTE_ADDRESS, executeGasCostOfBlock } from "../../precompiles";
import { encodeExecutionProofs } from "../../precompiles/proofs/codec";
import { testCommittee } from "../../tools/committeeFixture";
import { fixtureCommitteeProof } from "../support/proofFixtures";
import {
  type L1Message,
  type L2Message,
  L2_BRIDGE_ADDRESS,
  hashL1Message,
  hashL2Message,
  messageProof,
  messageRoot,
  sentMessageSlot,
} from "../../protocol";
import type { ExampleRollup, OptimisticExampleRollup } from "../../typechain-types";
import { type TestSigner, chainWithBridge, tamperBlock, word } from "../../tools/l2Fixtures";
import type { L2TestChain } from "../../tools/l2TestChain";
import { withProposalGasDefaults } from "../../deploy/rollup";

const SNAPSHOTS = path.join(__dirname, "snapshots");
const GAS_FILE = path.join(SNAPSHOTS, "gas.json");
const LAYOUT_FILE = path.join(SNAPSHOTS, "L2Bridge.storage.json");
/** `npm run snapshots:update` sets it: the test then writes what it measured instead of comparing. */
const UPDATE = process.env.UPDATE_SNAPSHOTS === "1";

const L2_CHAIN_ID = 4545n;
const ONE_ETH = 10n ** 18n;
const BRIDGE_PREMINT = 10n ** 9n * ONE_ETH;
const ROLLUP_CONFIG = { sequencerInactivityPeriod: 3_600n, forceInclusionDelay: 600n };
const BOND = ONE_ETH / 10n;
const NO_PROOF_POLICY = { threshold: 0, allowReexecution: false, acceptedKeys: [] as string[] };
const DEPOSIT_GAS_LIMIT = 100_000n;

async function gasOf(sent: Promise<ContractTransactionResponse>): Promise<number> {
  const receipt = await (await sent).wait();
  if (receipt === null) throw new Error("no receipt");
  return Number(receipt.gasUsed);
}

/** Compares `actual` with the committed snapshot `file`, or rewrites the file under UPDATE_SNAPSHOTS=1. */
async function matchSnapshot(file: string, actual: unknown): Promise<void> {
  const text = `${JSON.stringify(actual, null, 2)}\n`;
  if (UPDATE) {
    await writeFile(file, text);
    return;
  }
  const committed = JSON.parse(await readFile(file, "utf8")) as unknown;
  expect(
    actual,
    `${path.relative(process.cwd(), file)} differs: review the change, then run npm run snapshots:update`,
  ).to.deep.equal(committed);
}

/** An L2 test chain with a funded account and the L2Bridge predeploy, as the rollups' genesis. */
async function l2Chain(): Promise<{ chain: L2TestChain; alice: TestSigner }> {
  return chainWithBridge(L2_CHAIN_ID, (await artifacts.readArtifact("L2Bridge")).deployedBytecode, BRIDGE_PREMINT);
}

describe("contract snapshots: gas of the entry points and L2Bridge's storage layout", function () {
  this.timeout(300_000);
  let sequencer: HardhatEthersSigner;
  let user: HardhatEthersSigner;
  const bridge = new Interface([
    "function relayMessage((uint256 nonce, address from, address to, uint256 value, uint256 gasLimit, bytes data) message, uint64 anchorTimestamp, uint256 index, bytes32[] proof)",
    "function withdraw(address to) payable returns (bytes32)",
  ]);

  before(async () => {
    [sequencer, user] = await ethers.getSigners();
  });

  it("the entry points use the committed gas (npm run snapshots:update to accept a change)", async () => {
    const gas: Record<string, number> = {};

    // Re-execution mode: ExampleRollup, EXECUTE re-executes each block from its witness.
    {
      const { chain, alice } = await l2Chain();
      const genesis = chain.latest.header;
      const rollup = (await ethers.deployContract("ExampleRollup", [
        L2_CHAIN_ID,
        bytesToHex(genesis.hash()),
        bytesToHex(genesis.stateRoot),
        sequencer.address,
        ROLLUP_CONFIG,
      ])) as unknown as ExampleRollup;

      gas["depositETH"] = await gasOf(rollup.connect(user).depositETH(user.address, { value: ONE_ETH }));
      const deposit: L1Message = {
        nonce: 0n,
        from: user.address,
        to: user.address,
        value: ONE_ETH,
        gasLimit: DEPOSIT_GAS_LIMIT,
        data: "0x",
      };
      const timestamp = chain.latest.header.timestamp + 1n;
      const relayData = bridge.encodeFunctionData("relayMessage", [
        deposit,
        timestamp,
        0n,
        messageProof([hashL1Message(deposit)], 0),
      ]);
      const relay = alice.tx({
        to: L2_BRIDGE_ADDRESS,
        data: relayData,
        gasLimit: DEPOSIT_GAS_LIMIT + DEPOSIT_GAS_LIMIT / 63n + 200_000n + 40n * BigInt(getBytes(relayData).length),
      });
      const anchored = await chain.buildBlock([relay], {
        timestamp,
        parentBeaconBlockRoot: getBytes(messageRoot([hashL1Message(deposit)])),
      });
      gas["advance (re-execution, a block relaying 1 deposit)"] = await gasOf(
        rollup.connect(sequencer).advance(anchored.parentHeader, anchored.blockRlp, anchored.witness, "0x", 1),
      );

      const withdrawal: L2Message = {
        nonce: 0n,
        from: getAddress(alice.address.toString()),
        to: user.address,
        value: ONE_ETH / 2n,
        data: "0x",
      };
      const sending = await chain.buildBlock([
        alice.tx({
          to: L2_BRIDGE_ADDRESS,
          value: withdrawal.value,
          data: bridge.encodeFunctionData("withdraw", [withdrawal.to]),
        }),
      ]);
      gas["advance (re-execution, a block with 1 transaction)"] = await gasOf(
        rollup.connect(sequencer).advance(sending.parentHeader, sending.blockRlp, sending.witness, "0x", 0),
      );

      const proof = await chain.getProof(L2_BRIDGE_ADDRESS, [sentMessageSlot(hashL2Message(withdrawal))], 2n);
      gas["finalizeMessage (an ETH withdrawal)"] = await gasOf(
        rollup.connect(user).finalizeMessage(2n, withdrawal, proof.accountProof, proof.storageProof[0].proof),
      );

      // Messages weighing more than a deposit burn 2/3 L1 gas per weight above it (finding 8 of
      // docs/design/attack-review-s27.md): the SDK's default gas limit, and one just over half the
      // overdue budget (a block of delay each).
      for (const gasLimit of [200_000n, 1_274_085n]) {
        gas[`sendMessage (gas limit ${gasLimit}, no data)`] = await gasOf(
          rollup.connect(user).sendMessage(user.address, gasLimit, "0x"),
        );
      }
    }

    // Derivability (docs/design/derivability.md): the same blocks advanced by an account and
    // through a contract (test/Forwarder.sol); only the contract's call makes the rollup log the
    // block's bytes (BlockData), so the difference is the log plus the forwarding call.
    {
      const { chain, alice } = await l2Chain();
      const genesis = chain.latest.header;
      // The forwarded call's calldata holds the rollup's address, whose zero bytes cost 4 gas, not
      // 16: the forwarder and that rollup come from a deployer of this file's own, at nonces 0 and
      // 1, so their addresses do not depend on what other test files a worker ran first.
      const ownDeployer = new Wallet(keccak256(toUtf8Bytes("contract snapshots deployer")), ethers.provider);
      await ethers.provider.send("hardhat_setBalance", [ownDeployer.address, "0x56bc75e2d63100000"]);
      const forwarder = await ethers.deployContract("Forwarder", ownDeployer);
      const deploy = async (rollupSequencer: string, from: HardhatEthersSigner | Wallet): Promise<ExampleRollup> =>
        (await ethers.deployContract(
          "ExampleRollup",
          [L2_CHAIN_ID, bytesToHex(genesis.hash()), bytesToHex(genesis.stateRoot), rollupSequencer, ROLLUP_CONFIG],
          from,
        )) as unknown as ExampleRollup;
      const byAccount = await deploy(sequencer.address, sequencer);
      const byContract = await deploy(await forwarder.getAddress(), ownDeployer);
      for (const transfers of [1, 40]) {
        const built = await chain.buildBlock(
          Array.from({ length: transfers }, (_, i) =>
            alice.tx({ to: `0x${(0xaa00 + i).toString(16).padStart(40, "0")}`, value: 1n }),
          ),
        );
        const args = [built.parentHeader, built.blockRlp, built.witness, "0x", 0] as const;
        const bytes = built.blockRlp.length;
        gas[`advance by an account (a block of ${transfers} transfers, ${bytes} B)`] = await gasOf(
          byAccount.connect(sequencer).advance(...args),
        );
        gas[`advance through a contract (the same block, ${bytes} B logged in BlockData)`] = await gasOf(
          forwarder.getFunction("forward")(
            await byContract.getAddress(),
            new Interface([
              "function advance(bytes parentHeader, bytes block_, bytes witness, bytes proofs, uint256 consumedMessages)",
            ]).encodeFunctionData("advance", args),
          ),
        );
      }
    }

    // Proof mode: ProvenRollup, EXECUTE checks one committee proof (threshold 1) instead of re-executing.
    // A Groth16 proof is randomized, so its calldata's zero bytes vary from run to run: the snapshot
    // is the gas beside the calldata's (receipt gas minus 4 per zero byte and 16 per other byte).
    {
      const { chain, alice } = await l2Chain();
      const genesis = chain.latest.header;
      const committee = await testCommittee(4, 31);
      const rollup = (await ethers.deployContract("ProvenRollup", [
        L2_CHAIN_ID,
        bytesToHex(genesis.hash()),
        bytesToHex(genesis.stateRoot),
        sequencer.address,
        ROLLUP_CONFIG,
        { threshold: 1, allowReexecution: false, acceptedKeys: [hexlify(committee.keyHash)] },
        EXECUTE_ADDRESS,
      ])) as unknown as ExampleRollup;
      const built = await chain.buildBlock([alice.tx({ to: "0x00000000000000000000000000000000000000aa", value: 1n })]);
      const proofs = hexlify(
        encodeExecutionProofs([await fixtureCommitteeProof(committee, L2_CHAIN_ID, built, [0, 1, 2])]),
      );
      const sent = await rollup.connect(sequencer).advance(built.parentHeader, built.blockRlp, "0x", proofs, 0);
      const calldata = getBytes(sent.data);
      const calldataGas = calldata.reduce((sum, byte) => sum + (byte === 0 ? 4 : 16), 0);
      gas["advance (proof mode, 1 committee proof, a block with 1 transaction; gas beside calldata)"] =
        (await gasOf(Promise.resolve(sent))) - calldataGas;
    }

    // Optimistic mode: OptimisticExampleRollup, blocks are proposed with a bond and challenged with EXECUTE.
    {
      const { chain, alice } = await l2Chain();
      const genesis = chain.latest.header;
      const rollup = (await ethers.deployContract("OptimisticExampleRollup", [
        L2_CHAIN_ID,
        bytesToHex(genesis.hash()),
        bytesToHex(genesis.stateRoot),
        sequencer.address,
        ROLLUP_CONFIG,
        withProposalGasDefaults({ challengeWindow: 3_600n, proposalBond: BOND }),
        NO_PROOF_POLICY,
      ])) as unknown as OptimisticExampleRollup;
      const built = await chain.buildBlock(
        [alice.tx({ to: "0x00000000000000000000000000000000000000aa", value: 1n })],
        { discard: true },
      );
      const forged = tamperBlock(built.block, { stateRoot: hexToBytes(`0x${word(0xbad)}`) });
      gas["propose (a block with 1 transaction)"] = await gasOf(
        rollup.connect(sequencer).propose(built.parentHeader, forged, built.witness, 0, { value: BOND }),
      );
      const input = AbiCoder.defaultAbiCoder().encode(
        ["uint64", "bytes", "bytes", "bytes", "bytes"],
        [L2_CHAIN_ID, built.parentHeader, forged, built.witness, "0x"],
      );
      const executeGas = executeGasCostOfBlock(dataLength(input), forged);
      gas["challenge (a wrong state root)"] = await gasOf(
        rollup.connect(user).challenge(1n, built.parentHeader, forged, built.witness, executeGas),
      );
    }

    await matchSnapshot(GAS_FILE, gas);
  });

  it("L2Bridge's storage layout is the committed one (a predeploy's slots never move)", async () => {
    const name = "contracts/l2/L2Bridge.sol:L2Bridge";
    const buildInfo = await artifacts.getBuildInfo(name);
    if (buildInfo === undefined) throw new Error(`no build info for ${name}: run npx hardhat compile`);
    const layout = (
      buildInfo.output.contracts["contracts/l2/L2Bridge.sol"]?.L2Bridge as {
        storageLayout?: {
          storage: { label: string; slot: string; offset: number; type: string }[];
          types: Record<string, { label: string; numberOfBytes: string }>;
        };
      }
    ).storageLayout;
    if (layout === undefined)
      throw new Error("solc gave no storageLayout: hardhat.config.ts must select it in outputSelection");
    // The AST ids in `astId` and in type names change with any edit of any source; the slots,
    // offsets, labels and type labels are the layout.
    const stable = layout.storage.map((v) => ({
      label: v.label,
      slot: v.slot,
      offset: v.offset,
      type: layout.types[v.type]?.label ?? v.type,
      bytes: layout.types[v.type]?.numberOfBytes,
    }));
    await matchSnapshot(LAYOUT_FILE, stable);
  });
});
