import { createBlockFromRLP } from "@ethereumjs/block";
import type { TypedTransaction } from "@ethereumjs/tx";
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import { expect } from "chai";

import { DerivationMismatchError } from "../../../rollup-node/follower/errors";
import type { Sequencer } from "../../../rollup-node/l2/sequencer";
import type { L2Store } from "../../../rollup-node/l2/store";
import type { ForeignBlock, ProducedBlock } from "../../../rollup-node/l2/types";
import { tamperBlock } from "../../../tools/l2Fixtures";
import { rejection } from "../rejection";
import { GENESIS_TIME, common, describeSequencers, openSequencer, signers, tickingClock } from "./l2Support";

const TO = "0x00000000000000000000000000000000000000b0";

/** Block `produced` as L1 would hand it to a rebase: its accepting event and its body from calldata. */
function foreignOf(produced: ProducedBlock): ForeignBlock {
  return {
    event: {
      kind: "advanced",
      number: produced.number,
      blockHash: bytesToHex(produced.block.hash()),
      stateRoot: bytesToHex(produced.block.header.stateRoot),
      messagesConsumed: BigInt(produced.consumedMessages),
      origin: {
        blockNumber: 1,
        blockHash: `0x${"11".repeat(32)}`,
        transactionHash: `0x${"22".repeat(32)}`,
        logIndex: 0,
      },
    },
    candidates: [{ blockRlp: produced.blockRlp, witness: produced.encodedWitness, via: "rollup-call" }],
  };
}

const hashes = (txs: readonly TypedTransaction[]): string[] => txs.map((tx) => bytesToHex(tx.hash()));

describe("L2 sequencer rebase on L1's chain", function () {
  this.timeout(30_000);
  const { dirs, track } = describeSequencers();

  /**
   * The node built blocks 1 (a, b) and 2 (c); L1 accepted a stranger's block 1 holding `a` only.
   * Returns both sides and the transactions.
   */
  async function diverged(): Promise<{
    node: Sequencer;
    dir: string;
    foreign: ProducedBlock;
    a: TypedTransaction;
    b: TypedTransaction;
    c: TypedTransaction;
  }> {
    const [alice, bob] = signers(2);
    const a = alice!.tx({ to: TO, value: 1n, gasLimit: 21_000n });
    const b = alice!.tx({ to: TO, value: 2n, gasLimit: 21_000n });
    const c = bob!.tx({ to: TO, value: 4n, gasLimit: 21_000n });
    const dir = dirs.make();
    const node = track(await openSequencer(dir));
    for (const tx of [a, b]) await node.submitTransaction(tx);
    await node.produceBlock();
    await node.submitTransaction(c);
    await node.produceBlock();
    // Another clock, so the stranger's block differs from the node's even when both are empty.
    const stranger = track(await openSequencer(dirs.make(), { now: tickingClock(GENESIS_TIME + 5_000n) }));
    await stranger.submitTransaction(a);
    const foreign = await stranger.produceBlock();
    expect(foreign.block.transactions).to.have.length(1);
    return { node, dir, foreign, a, b, c };
  }

  it("drops its own blocks, derives L1's, and returns what L1's block left out to the pool (each transaction once), durably", async () => {
    const { node, dir, foreign, a, b, c } = await diverged();
    const report = await node.rebase(0n, [foreignOf(foreign)]);
    expect(report).to.deep.include({
      keep: 0n,
      droppedBlocks: 2,
      importedBlocks: 1,
      returnedTransactions: 2,
      droppedTransactions: 1,
    });
    expect(bytesToHex(node.chain.head.hash())).to.equal(bytesToHex(foreign.block.hash()));
    expect(node.chain.getReceipt(a.hash())?.status).to.equal(1);
    expect(hashes(node.pendingTransactions())).to.have.members(hashes([b, c]));
    expect(await node.chain.getBalance(hexToBytes(TO))).to.equal(1n);

    const next = await node.produceBlock();
    expect(next.number).to.equal(2n);
    expect(hashes(next.block.transactions)).to.have.members(hashes([b, c]));
    expect(await node.chain.getBalance(hexToBytes(TO))).to.equal(7n);

    // A restart finds exactly this chain: L1's block 1, then the node's block 2, and an empty pool.
    const reopened = track(await openSequencer(dirs.crashCopy(dir)));
    expect(bytesToHex(reopened.chain.resolveBlock(1n).block.hash())).to.equal(bytesToHex(foreign.block.hash()));
    expect(bytesToHex(reopened.chain.head.hash())).to.equal(bytesToHex(next.block.hash()));
    expect(reopened.pendingTransactions()).to.have.length(0);
    expect(await reopened.chain.getBalance(hexToBytes(TO))).to.equal(7n);
  });

  it("a crash after dropping its blocks and before deriving L1's leaves a prefix of L1's chain with every dropped transaction pooled", async () => {
    const { node, dir, foreign, a, b, c } = await diverged();
    let crashed = "";
    // The process dies right after the truncation batch, before the first foreign block is stored.
    (node as unknown as { store: L2Store }).store.commitBlock = async () => {
      crashed = dirs.crashCopy(dir);
      throw new Error("killed");
    };
    expect(((await rejection(node.rebase(0n, [foreignOf(foreign)]))) as Error).message).to.equal("killed");

    const reopened = track(await openSequencer(crashed));
    expect(reopened.chain.headNumber).to.equal(0n);
    expect(hashes(reopened.pendingTransactions())).to.have.members(hashes([a, b, c]));
    // The next rebase (the submitter's first check after the restart) finishes the job.
    await reopened.rebase(0n, [foreignOf(foreign)]);
    expect(bytesToHex(reopened.chain.head.hash())).to.equal(bytesToHex(foreign.block.hash()));
    expect(hashes(reopened.pendingTransactions())).to.have.members(hashes([b, c]));
  });

  it("stops with the reason when L1's block does not execute here (a consensus split is never papered over)", async () => {
    const { node, foreign } = await diverged();
    const forged = { ...foreign, blockRlp: tamperBlock(foreign.block, { stateRoot: new Uint8Array(32).fill(7) }) };
    const forgedForeign = foreignOf(forged);
    // L1 recorded the forged block's own hash: its body is found, but it does not execute to that header.
    const forgedHash = bytesToHex(createBlockFromRLP(forged.blockRlp, { common }).hash());
    const error = await rejection(
      node.rebase(0n, [{ ...forgedForeign, event: { ...forgedForeign.event, blockHash: forgedHash } }]),
    );
    expect(error).to.be.instanceOf(DerivationMismatchError);
    expect((error as Error).message).to.match(/state root|stateRoot|invalid/i);
  });
});
