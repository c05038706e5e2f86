import { createMPT, createMerkleProof } from "@ethereumjs/mpt";
import { RLP } from "@ethereumjs/rlp";
import { KECCAK256_NULL, KECCAK256_RLP, bytesToHex, createAccount, hexToBytes } from "@ethereumjs/util";
import { expect } from "chai";
import {
  type BaseContract,
  type ContractTransactionResponse,
  Wallet,
  ZeroHash,
  getBytes,
  keccak256,
  parseEther,
} from "ethers";
import { artifacts, ethers } from "hardhat";

import { BatchSubmitter } from "../../rollup-node/bridge/batchSubmitter";
import type { Challenger } from "../../rollup-node/bridge/challenger";
import { challengeGasBound, maxCommittedBytes } from "../../rollup-node/bridge/challengeBound";
import { type OptimisticExampleRollup, connectOptimisticRollup } from "../../rollup-node/bridge/contracts";
import { BlockRejectedError } from "../../rollup-node/bridge/errors";
import type { ProducedBlock } from "../../rollup-node/l2/types";
import { TX_GAS_LIMIT_CAP } from "../../rollup-node/chain/simulate";
import { type L2Message, L2_BRIDGE_ADDRESS, hashL2Message, sentMessageSlot } from "../../protocol/messages";
import { tamperBlock } from "../../tools/l2Fixtures";
import { type E2eRollup, eventually, increaseL1Time, startE2eRollup } from "./support/harness";

const WINDOW = 30n;
const BOND = parseEther("0.1");
/** A witness with no trie node, code or header: the most a forger commits to. */
const EMPTY_WITNESS_RLP = "0xc3c0c0c0";

/** A state root holding only an L2Bridge whose sent-messages slot records `message`, with the proofs `finalizeMessage` takes. */
async function forgedWithdrawalState(
  message: L2Message,
): Promise<{ stateRoot: Uint8Array; accountProof: string[]; storageProof: string[] }> {
  const storage = await createMPT({ useKeyHashing: true });
  const slot = hexToBytes(sentMessageSlot(hashL2Message(message)) as `0x${string}`);
  await storage.put(slot, RLP.encode(1));
  const accounts = await createMPT({ useKeyHashing: true });
  const bridge = hexToBytes(L2_BRIDGE_ADDRESS as `0x${string}`);
  await accounts.put(
    bridge,
    createAccount({ nonce: 1n, balance: 0n, storageRoot: storage.root(), codeHash: KECCAK256_NULL }).serialize(),
  );
  return {
    stateRoot: accounts.root(),
    accountProof: (await createMerkleProof(accounts, bridge)).map((n) => bytesToHex(n)),
    storageProof: (await createMerkleProof(storage, slot)).map((n) => bytesToHex(n)),
  };
}

describe("e2e: optimistic attacks the node's challenger defeats (security issue, optimistic mode)", function () {
  this.timeout(180_000);
  let r: E2eRollup;
  let rollup: OptimisticExampleRollup;
  let submitter: BatchSubmitter;
  let challenger: Challenger;

  before(async () => {
    r = await startE2eRollup({ mode: { kind: "optimistic", challengeWindow: WINDOW, proposalBond: BOND } });
    rollup = connectOptimisticRollup(r.devnet.deployment.address, r.l1);
    submitter = r.devnet.node.bridge.submitter as BatchSubmitter;
    challenger = r.devnet.node.bridge.challenger as Challenger;
  });

  after(async () => {
    await r?.stop();
  });

  /**
   * With the node's submitter stopped and the sequencer inactive on L1, a stranger builds on the
   * tip an empty block whose state root proves a withdrawal of the rollup's whole balance
   * (its header otherwise consistent with the parent, so EXECUTE gets as far as the witness).
   */
  async function forgeOnTip(stranger: string): Promise<{
    number: bigint;
    parentHeader: Uint8Array;
    block: Uint8Array;
    message: L2Message;
    proofs: { accountProof: string[]; storageProof: string[] };
  }> {
    const [tip] = await rollup.tip();
    const parent = await r.devnet.node.sequencer.producedBlock(tip);
    if (parent === undefined) throw new Error(`the node has no block ${tip}`);
    const message: L2Message = {
      nonce: 10n ** 9n + tip,
      from: stranger,
      to: stranger,
      value: await r.l1.getBalance(await rollup.getAddress()),
      data: "0x",
    };
    const forged = await forgedWithdrawalState(message);
    const l1Time = BigInt((await r.l1.getBlock("latest"))?.timestamp ?? 0);
    const block = tamperBlock(
      parent.block,
      {
        parentHash: parent.block.hash(),
        number: tip + 1n,
        timestamp: l1Time > parent.block.header.timestamp ? l1Time : parent.block.header.timestamp + 1n,
        stateRoot: forged.stateRoot,
        transactionsTrie: KECCAK256_RLP,
        receiptTrie: KECCAK256_RLP,
        gasUsed: 0n,
        baseFeePerGas: parent.block.header.calcNextBaseFee(),
        logsBloom: new Uint8Array(256),
        parentBeaconBlockRoot: getBytes(ZeroHash),
      },
      { transactions: [] },
    );
    return { number: tip + 1n, parentHeader: parent.block.header.serialize(), block, message, proofs: forged };
  }

  /**
   * Moves L1 past the sequencer's inactivity period. A proposal the stopped submitter had in
   * flight may still land after the jump, which counts as the sequencer's activity: jump again
   * until sequencing is open to anyone.
   */
  async function sequencerInactive(): Promise<void> {
    await eventually(
      "sequencing open to anyone",
      async () => {
        await increaseL1Time(r.l1, (await rollup.SEQUENCER_INACTIVITY_PERIOD()) + 1n);
        const now = BigInt((await r.l1.getBlock("latest"))?.timestamp ?? 0);
        return (await rollup.openSequencingAt()) <= now ? true : undefined;
      },
      30_000,
    );
  }

  /** After the window: the forged block cannot be finalized and its withdrawal never pays. */
  async function expectForgeryDead(
    number: bigint,
    message: L2Message,
    proofs: { accountProof: string[]; storageProof: string[] },
    balance: bigint,
  ): Promise<void> {
    await increaseL1Time(r.l1, WINDOW + 1n);
    const thief = connectOptimisticRollup(r.devnet.deployment.address, r.l1Wallet(7));
    await expect(thief.finalize(number)).to.be.revertedWithCustomError(rollup, "NotProvisional");
    await expect(
      thief.finalizeMessage(number, message, proofs.accountProof, proofs.storageProof),
    ).to.be.revertedWithCustomError(rollup, "BlockNotAccepted");
    expect(await r.l1.getBalance(await rollup.getAddress())).to.equal(balance);
  }

  it("a stranger's empty block with a forged state root that proves a withdrawal is challenged and removed; the withdrawal never pays", async () => {
    const depositor = r.l1Wallet(1).address;
    const l2Before = await r.l2.getBalance(depositor);
    await (
      await connectOptimisticRollup(r.devnet.deployment.address, r.l1Wallet(1)).depositETH(depositor, {
        value: parseEther("3"),
      })
    ).wait();
    await eventually(
      "the L2 credit",
      async () => ((await r.l2.getBalance(depositor)) > l2Before ? true : undefined),
      30_000,
    );
    const l2Head = BigInt(await r.l2.getBlockNumber());
    await eventually(
      "the proposal of the L2 head",
      async () => ((await rollup.tip())[0] >= l2Head ? true : undefined),
      30_000,
    );
    await submitter.stop();
    await sequencerInactive();

    const stranger = r.l1Wallet(6);
    const balance = await r.l1.getBalance(await rollup.getAddress());
    expect(balance).to.be.greaterThanOrEqual(parseEther("3"));
    const { number, parentHeader, block, message, proofs } = await forgeOnTip(stranger.address);
    const attacker = connectOptimisticRollup(r.devnet.deployment.address, stranger);
    await (await attacker.propose(parentHeader, block, EMPTY_WITNESS_RLP, 0, { value: BOND })).wait();
    const [tip, forgedHash] = await rollup.tip();
    expect(tip).to.equal(number);

    const won = await eventually(
      "the challenge",
      async () => challenger.challenges.find((c) => c.blockHash === forgedHash),
      30_000,
    );
    expect(won.removed).to.equal(1n);
    expect(won.reward).to.equal(BOND);
    await expectForgeryDead(number, message, proofs, balance);
  });

  it("the same forgery proposed through a forwarding contract is found from the contract's event, challenged and removed", async () => {
    await sequencerInactive();
    const stranger = r.l1Wallet(8);
    const artifact = await artifacts.readArtifact("ProposalForwarder");
    const factory = new ethers.ContractFactory(artifact.abi, artifact.bytecode, stranger);
    const forwarder = (await (await factory.deploy(await rollup.getAddress())).waitForDeployment()) as BaseContract & {
      forward(
        parentHeader: Uint8Array,
        block: Uint8Array,
        witness: string,
        consumed: number,
        o: object,
      ): Promise<ContractTransactionResponse>;
    };
    const balance = await r.l1.getBalance(await rollup.getAddress());
    const { number, parentHeader, block, message, proofs } = await forgeOnTip(await forwarder.getAddress());
    await sequencerInactive();
    await (await forwarder.forward(parentHeader, block, EMPTY_WITNESS_RLP, 0, { value: BOND })).wait();
    const [tip, forgedHash] = await rollup.tip();
    expect(tip).to.equal(number);

    const won = await eventually(
      "the challenge",
      async () => challenger.challenges.find((c) => c.blockHash === forgedHash),
      30_000,
    );
    expect(won.removed).to.equal(1n);
    await expectForgeryDead(number, message, proofs, balance);
  });

  it("the node's proposer never posts a block whose parent header, block and witness exceed MAX_PROPOSAL_BYTES (a challenge could not carry it): it stops loudly instead", async () => {
    const [tip, tipHash] = await rollup.tip();
    await (await r.l2Wallet(2).sendTransaction({ to: r.l2Wallet(3).address, value: 1n })).wait();
    const own = await eventually(
      "the node's block after the tip",
      async () => r.devnet.node.sequencer.producedBlock(tip + 1n),
      30_000,
    );
    expect(keccak256(own.parentHeader)).to.equal(tipHash);
    const max = Number(await rollup.MAX_PROPOSAL_BYTES());
    const oversized: ProducedBlock = {
      ...own,
      encodedWitness: new Uint8Array(max - own.blockRlp.length + 1).fill(0xab),
    };
    const sequencer = {
      producedBlock: async (n: bigint) => (n === tip + 1n ? oversized : r.devnet.node.sequencer.producedBlock(n)),
      onBlock: () => () => undefined,
    };
    const proposer = new BatchSubmitter({
      sequencer,
      rollupAddress: r.devnet.deployment.address,
      signer: new Wallet(r.devnet.keys.sequencer.privateKey, r.l1),
      logger: r.log.factory("test-proposer"),
      mode: { kind: "optimistic" },
    });
    const refused = await proposer.submitNext().then(
      () => undefined,
      (error: Error) => error,
    );
    expect(refused).to.be.instanceOf(BlockRejectedError);
    expect(refused?.message).to.include(`exceed MAX_PROPOSAL_BYTES ${max}: it cannot be proposed`);
    expect((await rollup.tip())[0]).to.equal(tip);
  });

  it("nor one within MAX_PROPOSAL_BYTES whose bytes and header gas limit together price its challenge above 2^24 (the contract's ProposalNotChallengeable): it stops loudly instead", async () => {
    const [tip, tipHash] = await rollup.tip();
    await (await r.l2Wallet(2).sendTransaction({ to: r.l2Wallet(3).address, value: 1n })).wait();
    const own = await eventually(
      "the node's block after the tip",
      async () => r.devnet.node.sequencer.producedBlock(tip + 1n),
      30_000,
    );
    expect(keccak256(own.parentHeader)).to.equal(tipHash);
    const gasLimit = own.block.header.gasLimit;
    // One byte more than the joint rule allows at this gas limit, still below MAX_PROPOSAL_BYTES.
    const committed = maxCommittedBytes(gasLimit) + 1;
    expect(committed).to.be.lessThan(Number(await rollup.MAX_PROPOSAL_BYTES()));
    const heavy: ProducedBlock = {
      ...own,
      encodedWitness: new Uint8Array(committed - own.parentHeader.length - own.blockRlp.length).fill(0xab),
    };
    const sequencer = {
      producedBlock: async (n: bigint) => (n === tip + 1n ? heavy : r.devnet.node.sequencer.producedBlock(n)),
      onBlock: () => () => undefined,
    };
    const proposer = new BatchSubmitter({
      sequencer,
      rollupAddress: r.devnet.deployment.address,
      signer: new Wallet(r.devnet.keys.sequencer.privateKey, r.l1),
      logger: r.log.factory("test-proposer"),
      mode: { kind: "optimistic" },
    });
    const refused = await proposer.submitNext().then(
      () => undefined,
      (error: Error) => error,
    );
    expect(refused).to.be.instanceOf(BlockRejectedError);
    expect(refused?.message).to.include(
      `price its challenge at ${challengeGasBound(committed, gasLimit)} L1 gas, over the cap ${TX_GAS_LIMIT_CAP} (ProposalNotChallengeable)`,
    );
    // The contract refuses it too, with the same figures.
    const asSequencer = connectOptimisticRollup(
      r.devnet.deployment.address,
      new Wallet(r.devnet.keys.sequencer.privateKey, r.l1),
    );
    await expect(
      asSequencer.propose.staticCall(heavy.parentHeader, heavy.blockRlp, heavy.encodedWitness, heavy.consumedMessages, {
        value: await rollup.PROPOSAL_BOND(),
      }),
    )
      .to.be.revertedWithCustomError(rollup, "ProposalNotChallengeable")
      .withArgs(challengeGasBound(committed, gasLimit), TX_GAS_LIMIT_CAP);
    expect((await rollup.tip())[0]).to.equal(tip);
  });
});
