import { createBlockFromRLP } from "@ethereumjs/block";
import { createTxFromRLP } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";
import { type Contract, ContractFactory, type InterfaceAbi, type Wallet, getBytes, hexlify, parseUnits } from "ethers";
import { artifacts } from "hardhat";

import type { BatchSubmitter } from "../../rollup-node/bridge/batchSubmitter";
import { Chain } from "../../rollup-node/chain/chain";
import type { MinedBlock } from "../../rollup-node/chain/types";
import type { Sequencer } from "../../rollup-node/l2/sequencer";
import { type E2eRollup, eventually, increaseL1Time, startE2eRollup } from "./support/harness";

/**
 * Issue 10 item 14: under `fallback` sequencing, once the sequencer has been inactive past its
 * period, anyone may advance the rollup. A valid block from someone else accepted on L1 must not
 * stop the node: it re-derives L1's block, drops its own unaccepted ones, returns their
 * transactions to its pool, and carries on on top of L1's head.
 */
describe("e2e: the sequencer rebases on a valid block someone else got accepted on L1", function () {
  this.timeout(120_000);
  let r: E2eRollup;
  let sequencer: Sequencer;
  let submitter: BatchSubmitter;
  /** Another party's L2 chain on the same genesis: it builds its own blocks with their witness. */
  let stranger: Chain;
  const recipient = "0x00000000000000000000000000000000000aeba5";
  let user: Wallet;
  let nonce = 0;

  before(async () => {
    // Blocks are produced by hand, so each test decides what the node's block holds.
    r = await startE2eRollup({ produceBlocks: false });
    sequencer = r.devnet.node.sequencer;
    submitter = r.devnet.node.bridge.submitter as BatchSubmitter;
    stranger = await Chain.create({ genesis: r.devnet.genesis });
    user = r.l2Wallet(3);
  });

  after(async () => {
    await r?.stop();
  });

  /** A signed transfer of `value` wei from the user, at the next nonce. */
  const signTransfer = (value: bigint): Promise<string> =>
    user.signTransaction({
      chainId: r.devnet.l2ChainId,
      nonce: nonce++,
      to: recipient,
      value,
      gasLimit: 21_000n,
      maxFeePerGas: parseUnits("20", "gwei"),
      maxPriorityFeePerGas: 1n,
      type: 2,
    });

  /** The stranger (L1 dev account 6, not the SEQUENCER) advances its block once sequencing is open to anyone. */
  async function strangerAdvances(mined: MinedBlock): Promise<void> {
    await increaseL1Time(r.l1, r.devnet.deployment.policy.sequencerInactivityPeriod + 10n);
    const block = mined.record.block;
    const parent = stranger.resolveBlock(block.header.number - 1n).block;
    await (
      await r
        .rollup(6)
        .advance(parent.header.serialize(), block.serialize(), mined.encodedWitness as Uint8Array, "0x", 0, {
          gasLimit: 16_000_000n,
        })
    ).wait();
    expect(await r.rollup().headHash()).to.equal(bytesToHex(block.hash()));
  }

  /** The stranger advances its block through MaskingAdvancer: the block's bytes are in no calldata (attack review C2). */
  async function strangerAdvancesMasked(mined: MinedBlock): Promise<void> {
    await increaseL1Time(r.l1, r.devnet.deployment.policy.sequencerInactivityPeriod + 10n);
    const block = mined.record.block;
    const parent = stranger.resolveBlock(block.header.number - 1n).block;
    const artifact = await artifacts.readArtifact("MaskingAdvancer");
    const masker = (await new ContractFactory(
      artifact.abi as InterfaceAbi,
      artifact.bytecode,
      r.l1Wallet(6),
    ).deploy()) as Contract;
    await masker.waitForDeployment();
    const advanceMasked = masker.getFunction("advanceMasked");
    const masked = block.serialize().map((b) => b ^ 0x5a);
    const args = [r.devnet.deployment.address, parent.header.serialize(), masked, "0x5a"] as const;
    await (await advanceMasked(...args, mined.encodedWitness as Uint8Array, "0x", 0, { gasLimit: 16_000_000n })).wait();
    expect(await r.rollup().headHash()).to.equal(bytesToHex(block.hash()));
  }

  const rebases = (): number => r.log.lines.filter((line) => line.includes("rebased on L1's chain")).length;

  /** Waits until the node has rebased (once more) and its block `number` is L1's; fails at once if the submitter stopped. */
  async function nodeTakesL1Block(number: bigint, hash: string, rebasesBefore: number): Promise<void> {
    await eventually(`the node to take L1's block ${number}`, async () => {
      if (submitter.haltReason !== undefined) throw new Error(`the submitter stopped: ${submitter.haltReason.message}`);
      const noBody = r.log.lines.find((line) => line.includes(`L2 block ${number}: its body is not in`));
      if (noBody !== undefined) throw new Error(`the node cannot find L1's block: ${noBody}`);
      if (rebases() === rebasesBefore) return undefined;
      const local = sequencer.chain.getBlock(number);
      return local !== undefined && bytesToHex(local.block.hash()) === hash ? true : undefined;
    });
  }

  /** How many times transaction `hash` is in the node's chain. */
  function occurrences(hash: string): number {
    let count = 0;
    for (let n = 1n; n <= sequencer.chain.headNumber; n++) {
      count += sequencer.chain.resolveBlock(n).block.transactions.filter((tx) => bytesToHex(tx.hash()) === hash).length;
    }
    return count;
  }

  /** The node's next block, accepted on L1 by the node's own submitter. */
  async function nextAccepted(): Promise<{ number: bigint; txs: string[] }> {
    const own = await sequencer.produceBlock();
    await eventually(`the node's block ${own.number} on L1`, async () => {
      if (submitter.haltReason !== undefined) throw new Error(`the submitter stopped: ${submitter.haltReason.message}`);
      return (await r.rollup().headNumber()) === own.number ? true : undefined;
    });
    expect(await r.rollup().headHash()).to.equal(bytesToHex(own.block.hash()));
    return { number: own.number, txs: own.block.transactions.map((tx) => bytesToHex(tx.hash())) };
  }

  it("takes a stranger's empty block, drops its own, and includes the dropped transaction in its next accepted block", async () => {
    await submitter.stop();
    const transfer = (await r.l2.send("eth_sendRawTransaction", [await signTransfer(1_000n)])) as string;
    const own = await sequencer.produceBlock();
    expect(own.block.transactions.map((tx) => bytesToHex(tx.hash()))).to.include(transfer);
    // The node kept building meanwhile: two blocks of its own that L1 will never accept.
    await sequencer.produceBlock();

    const foreign = await stranger.mineBlock([], { captureWitness: true });
    await strangerAdvances(foreign);
    const before = rebases();
    submitter.start();
    await nodeTakesL1Block(1n, bytesToHex(foreign.record.block.hash()), before);
    expect(sequencer.pendingTransaction(getBytes(transfer))).to.not.equal(undefined);

    const next = await nextAccepted();
    expect(next.number).to.equal(2n);
    expect(next.txs).to.include(transfer);
    expect(occurrences(transfer)).to.equal(1);
    expect((await r.l2.getTransactionReceipt(transfer))?.blockNumber).to.equal(2);
    expect(await r.l2.getBalance(recipient)).to.equal(1_000n);
    expect(submitter.haltReason).to.equal(undefined);
  });

  it("takes a stranger's block with a transaction: what it included is not applied twice, what it left out is included again exactly once", async () => {
    await submitter.stop();
    // The stranger follows L1: it imports the node's accepted block 2.
    for (let n = stranger.headNumber + 1n; n <= (await r.rollup().headNumber()); n++) {
      await stranger.importBlock(
        createBlockFromRLP(sequencer.chain.resolveBlock(n).block.serialize(), { common: stranger.common }),
      );
    }
    const shared = await signTransfer(20_000n);
    const ownOnly = await signTransfer(300_000n);
    const sharedHash = (await r.l2.send("eth_sendRawTransaction", [shared])) as string;
    const ownOnlyHash = (await r.l2.send("eth_sendRawTransaction", [ownOnly])) as string;
    const own = await sequencer.produceBlock();
    expect(own.block.transactions.map((tx) => bytesToHex(tx.hash()))).to.include.members([sharedHash, ownOnlyHash]);

    // The stranger got the first transfer too (it was broadcast), not the second.
    const foreign = await stranger.mineBlock([createTxFromRLP(getBytes(shared), { common: stranger.common })], {
      captureWitness: true,
    });
    expect(foreign.record.block.transactions).to.have.length(1);
    await strangerAdvances(foreign);
    const before = rebases();
    submitter.start();
    await nodeTakesL1Block(own.number, bytesToHex(foreign.record.block.hash()), before);

    const next = await nextAccepted();
    expect(next.txs).to.include(ownOnlyHash);
    expect(next.txs).to.not.include(sharedHash);
    expect(occurrences(sharedHash)).to.equal(1);
    expect(occurrences(ownOnlyHash)).to.equal(1);
    expect((await r.l2.getTransactionReceipt(sharedHash))?.blockHash).to.equal(hexlify(foreign.record.block.hash()));
    expect(await r.l2.getBalance(recipient)).to.equal(1_000n + 20_000n + 300_000n);
    expect(sequencer.pendingTransactions()).to.have.length(0);
  });

  it("takes a stranger's block advanced by a contract that builds the block in memory (no calldata holds it), from the rollup's BlockData event", async () => {
    await submitter.stop();
    for (let n = stranger.headNumber + 1n; n <= (await r.rollup().headNumber()); n++) {
      await stranger.importBlock(
        createBlockFromRLP(sequencer.chain.resolveBlock(n).block.serialize(), { common: stranger.common }),
      );
    }
    const transfer = (await r.l2.send("eth_sendRawTransaction", [await signTransfer(4_000n)])) as string;
    const own = await sequencer.produceBlock();
    expect(own.block.transactions.map((tx) => bytesToHex(tx.hash()))).to.include(transfer);
    const foreign = await stranger.mineBlock([], { captureWitness: true });
    await strangerAdvancesMasked(foreign);
    const before = rebases();
    submitter.start();
    await nodeTakesL1Block(own.number, bytesToHex(foreign.record.block.hash()), before);
    const next = await nextAccepted();
    expect(next.txs).to.include(transfer);
    expect(occurrences(transfer)).to.equal(1);
    expect(submitter.haltReason).to.equal(undefined);
  });
});
