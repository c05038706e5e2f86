import { createBlockFromRLP } from "@ethereumjs/block";
import { createTxFromRLP } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";
import {
  type Contract,
  ContractFactory,
  type InterfaceAbi,
  type Wallet,
  getBytes,
  parseEther,
  parseUnits,
} from "ethers";
import { artifacts } from "hardhat";

import type { BatchSubmitter } from "../../rollup-node/bridge/batchSubmitter";
import { ROLLUP_INTERFACE } from "../../rollup-node/bridge/contracts";
import { Chain } from "../../rollup-node/chain/chain";
import type { Sequencer } from "../../rollup-node/l2/sequencer";
import { type E2eRollup, eventually, increaseL1Time, startE2eRollup } from "./support/harness";

/**
 * docs/design/submitter-recovery.md: a block L1 rejects for what it consumes or anchors
 * (`OverdueMessageSkipped`, `AnchorMismatch`) is not a dead end. The node drops its unaccepted
 * blocks from that one on, returns their transactions to the pool, and builds them again with the
 * messages L1 requires; what L1 accepted stays.
 */
describe("e2e: the submitter rebuilds a block L1 cannot accept as it is (its messages, no witness) instead of halting", function () {
  this.timeout(120_000);
  let r: E2eRollup;
  let sequencer: Sequencer;
  let submitter: BatchSubmitter;
  let user: Wallet;
  let nonce = 0;
  const recipient = "0x00000000000000000000000000000000000bed01";
  const depositee = "0x00000000000000000000000000000000000bed02";

  before(async () => {
    // Blocks are produced by hand, so the test decides what each block holds and when.
    r = await startE2eRollup({ produceBlocks: false });
    sequencer = r.devnet.node.sequencer;
    submitter = r.devnet.node.bridge.submitter as BatchSubmitter;
    user = r.l2Wallet(3);
  });

  after(async () => {
    await r?.stop();
  });

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
  const transfer = async (value: bigint): Promise<string> =>
    (await r.l2.send("eth_sendRawTransaction", [await signTransfer(value)])) as string;

  /** How many times transaction `hash` is in the node's chain. */
  function occurrences(hash: string): number {
    let count = 0;
    for (let n = 1n; n <= sequencer.chain.headNumber; n++)
      count += sequencer.chain.resolveBlock(n).block.transactions.filter((tx) => bytesToHex(tx.hash()) === hash).length;
    return count;
  }

  it("a backlog that left a message overdue: the blocks that skip it are dropped and rebuilt with it first, their transactions kept", async () => {
    // One block accepted first: what L1 accepted must survive the recovery.
    const kept = await sequencer.produceBlock();
    await submitter.waitForAccepted(kept.number, 30_000);
    await submitter.stop();

    // Two blocks built while L1 had no message for them, left unsubmitted (a submitter waiting for funds, say).
    const first = await transfer(1_000n);
    const skipping = await sequencer.produceBlock();
    const second = await transfer(2_000n);
    await sequencer.produceBlock();
    expect(skipping.consumedMessages).to.equal(0);
    // Then a deposit is queued on L1 and becomes overdue before the backlog reaches L1.
    await (await r.rollup(1).depositETH(depositee, { value: parseEther("1") })).wait();
    await increaseL1Time(r.l1, r.devnet.deployment.policy.forceInclusionDelay + 10n);

    submitter.start();
    await eventually("the node to drop the blocks that skip the overdue message", async () => {
      if (submitter.haltReason !== undefined) throw new Error(`the submitter stopped: ${submitter.haltReason.message}`);
      return sequencer.chain.headNumber === kept.number ? true : undefined;
    });
    expect(bytesToHex(sequencer.chain.head.hash())).to.equal(await r.rollup().headHash());
    expect(sequencer.pendingTransaction(getBytes(first))).to.not.equal(undefined);
    expect(sequencer.pendingTransaction(getBytes(second))).to.not.equal(undefined);

    const rebuilt = await sequencer.produceBlock();
    expect(rebuilt.number).to.equal(skipping.number);
    expect(rebuilt.consumedMessages).to.equal(1);
    await eventually("the rebuilt block on L1", async () => {
      if (submitter.haltReason !== undefined) throw new Error(`the submitter stopped: ${submitter.haltReason.message}`);
      return (await r.rollup().headNumber()) === rebuilt.number ? true : undefined;
    });
    expect(await r.rollup().headHash()).to.equal(bytesToHex(rebuilt.block.hash()));
    expect(await r.rollup().nextMessageIndex()).to.equal(await r.rollup().messageCount());
    expect(await r.l2.getBalance(depositee)).to.equal(parseEther("1"));
    expect(occurrences(first)).to.equal(1);
    expect(occurrences(second)).to.equal(1);
    expect(await r.l2.getBalance(recipient)).to.equal(3_000n);
    expect(submitter.haltReason).to.equal(undefined);
    expect(r.log.has("OverdueMessageSkipped")).to.equal(true);
  });

  it("an L1 reorg that replaced the message a block anchored: the block is rebuilt on the message L1 now has", async () => {
    await eventually("L1 to accept the L2 head", async () =>
      (await r.rollup().headNumber()) === sequencer.chain.headNumber ? true : undefined,
    );
    await submitter.stop();
    const replaced = "0x00000000000000000000000000000000000bed03";
    const replacing = "0x00000000000000000000000000000000000bed04";
    const snapshot = (await r.l1.send("evm_snapshot", [])) as string;
    await (await r.rollup(1).depositETH(replaced, { value: parseEther("1") })).wait();
    const anchoring = await eventually("a block anchoring the deposit", async () => {
      const block = await sequencer.produceBlock();
      return block.consumedMessages > 0 ? block : undefined;
    });
    // The reorg: L1 loses that deposit, and another one takes its nonce on the new branch.
    expect(await r.l1.send("evm_revert", [snapshot])).to.equal(true);
    await (await r.rollup(2).depositETH(replacing, { value: parseEther("2") })).wait();

    submitter.start();
    await eventually("the node to drop the block anchoring the lost deposit", async () => {
      if (submitter.haltReason !== undefined) throw new Error(`the submitter stopped: ${submitter.haltReason.message}`);
      return sequencer.chain.headNumber < anchoring.number ? true : undefined;
    });
    const rebuilt = await eventually("a rebuilt block anchoring the new deposit", async () => {
      const block = await sequencer.produceBlock();
      return block.consumedMessages > 0 ? block : undefined;
    });
    await eventually("the rebuilt block on L1", async () => {
      if (submitter.haltReason !== undefined) throw new Error(`the submitter stopped: ${submitter.haltReason.message}`);
      return (await r.rollup().headNumber()) === rebuilt.number ? true : undefined;
    });
    expect(await r.rollup().nextMessageIndex()).to.equal(await r.rollup().messageCount());
    expect(await r.l2.getBalance(replacing)).to.equal(parseEther("2"));
    expect(await r.l2.getBalance(replaced)).to.equal(0n);
    expect(r.log.has("AnchorMismatch")).to.equal(true);
  });

  it("a foreign block stored without its witness, then reorganised off L1, is rebuilt by the node instead of sent without a witness", async () => {
    await submitter.stop();
    // A stranger's chain at L1's head, and its block with a transfer the node has not seen.
    const stranger = await Chain.create({ genesis: r.devnet.genesis });
    for (let n = 1n; n <= (await r.rollup().headNumber()); n++)
      await stranger.importBlock(
        createBlockFromRLP(sequencer.chain.resolveBlock(n).block.serialize(), { common: stranger.common }),
      );
    const raw = await signTransfer(40_000n);
    const foreignTx = bytesToHex(createTxFromRLP(getBytes(raw), { common: stranger.common }).hash());
    const foreign = await stranger.mineBlock([createTxFromRLP(getBytes(raw), { common: stranger.common })], {
      captureWitness: true,
    });
    const block = foreign.record.block;
    const parent = stranger.resolveBlock(block.header.number - 1n).block;

    const snapshot = (await r.l1.send("evm_snapshot", [])) as string;
    // Anyone may advance once the sequencer has been inactive; through a contract, so the witness is
    // not in the outer calldata: the node derives the block from L1 and stores it without one.
    const artifact = await artifacts.readArtifact("Forwarder");
    const forwarder = (await new ContractFactory(
      artifact.abi as InterfaceAbi,
      artifact.bytecode,
      r.l1Wallet(6),
    ).deploy()) as Contract;
    await forwarder.waitForDeployment();
    await increaseL1Time(r.l1, r.devnet.deployment.policy.sequencerInactivityPeriod + 10n);
    const advance = ROLLUP_INTERFACE.encodeFunctionData("advance", [
      parent.header.serialize(),
      block.serialize(),
      foreign.encodedWitness as Uint8Array,
      "0x",
      0,
    ]);
    const forward = forwarder.getFunction("forward") as (
      target: string,
      data: string,
      o: object,
    ) => Promise<{ wait(): Promise<unknown> }>;
    await (await forward(r.devnet.deployment.address, advance, { gasLimit: 16_000_000n })).wait();
    expect(await r.rollup().headHash()).to.equal(bytesToHex(block.hash()));

    submitter.start();
    await eventually("the node to take the stranger's block", async () => {
      if (submitter.haltReason !== undefined) throw new Error(`the submitter stopped: ${submitter.haltReason.message}`);
      const local = sequencer.chain.getBlock(block.header.number);
      return local !== undefined && bytesToHex(local.block.hash()) === bytesToHex(block.hash()) ? true : undefined;
    });
    expect(await sequencer.encodedWitness(block.header.number)).to.have.length(0);
    await submitter.stop();

    // The L1 reorg: the stranger's advance is gone; the node's chain still holds its block.
    expect(await r.l1.send("evm_revert", [snapshot])).to.equal(true);
    expect(await r.rollup().headNumber()).to.equal(block.header.number - 1n);
    submitter.start();
    await eventually("the node to drop the block it cannot prove", async () => {
      if (submitter.haltReason !== undefined) throw new Error(`the submitter stopped: ${submitter.haltReason.message}`);
      return sequencer.chain.headNumber === block.header.number - 1n ? true : undefined;
    });
    const rebuilt = await sequencer.produceBlock();
    expect(rebuilt.block.transactions.map((tx) => bytesToHex(tx.hash()))).to.include(foreignTx);
    await eventually("the rebuilt block on L1", async () => {
      if (submitter.haltReason !== undefined) throw new Error(`the submitter stopped: ${submitter.haltReason.message}`);
      return (await r.rollup().headNumber()) === rebuilt.number ? true : undefined;
    });
    expect(await r.rollup().headHash()).to.equal(bytesToHex(rebuilt.block.hash()));
    expect(occurrences(foreignTx)).to.equal(1);
    expect(await r.l2.getBalance(recipient)).to.equal(43_000n);
  });
});
