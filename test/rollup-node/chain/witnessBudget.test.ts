import { createBlock } from "@ethereumjs/block";
import { type TypedTransaction, createTx } from "@ethereumjs/tx";
import { hexToBytes } from "@ethereumjs/util";
import { expect } from "chai";

import { encodeWitness } from "../../../precompiles";
import { WitnessCaptureError } from "../../../rollup-node/chain/errors";
import { createChainCommon } from "../../../rollup-node/chain/genesis";
import type { MinedBlock } from "../../../rollup-node/chain/types";
import { type WitnessedBuilder, buildWithinWitnessBudget } from "../../../rollup-node/chain/witnessBudget";
import { rejection } from "../rejection";

const KEY = hexToBytes("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
const common = createChainCommon(1337n);

/** A transaction whose share of the block's witness is `bytes` bytes (its calldata length). */
function tx(nonce: number, bytes: number): TypedTransaction {
  return createTx(
    { nonce: BigInt(nonce), gasLimit: 1_000_000n, gasPrice: 10n ** 10n, data: new Uint8Array(bytes) },
    { common },
  ).sign(KEY);
}

/**
 * A builder that includes every candidate, and a witness of one trie node per transaction as
 * large as its calldata: the budget search sees a witness growing with what the block holds.
 */
function builder(): WitnessedBuilder & { builds: number } {
  return {
    builds: 0,
    async build(candidates): Promise<MinedBlock> {
      this.builds++;
      const block = createBlock({ transactions: [...candidates] }, { common });
      return { record: { block, receipts: [] }, skipped: [], preStateRoot: new Uint8Array(32) };
    },
    async witnessOf(mined) {
      return { state: mined.record.block.transactions.map((t) => t.data), codes: [], headers: [] };
    },
  };
}

const nonces = (txs: readonly TypedTransaction[]): number[] => txs.map((t) => Number(t.nonce));
const EMPTY = encodeWitness({ state: [], codes: [], headers: [] }).length;

describe("building a block within its witness budget", () => {
  it("builds once when the block fits, and carries the witness it measured", async () => {
    const b = builder();
    const mined = await buildWithinWitnessBudget(b, [tx(0, 100), tx(1, 100)], { maxWitnessBytes: 1000 });
    expect(nonces(mined.record.block.transactions)).to.deep.equal([0, 1]);
    expect(mined.skipped).to.deep.equal([]);
    expect(mined.encodedWitness?.length).to.be.at.most(1000);
    expect(mined.witness?.state).to.have.length(2);
    expect(b.builds).to.equal(1);
  });

  it("leaves the trailing transactions for a later block (retryable) until the witness fits", async () => {
    const txs = Array.from({ length: 10 }, (_, i) => tx(i, 100));
    const mined = await buildWithinWitnessBudget(builder(), txs, { maxWitnessBytes: EMPTY + 450 });
    const included = nonces(mined.record.block.transactions);
    expect(included).to.deep.equal(included.map((_, i) => i));
    expect(mined.encodedWitness?.length).to.be.at.most(EMPTY + 450);
    expect(mined.skipped.map((s) => [Number(s.tx.nonce), s.reason, s.retryable])).to.deep.equal(
      txs.slice(included.length).map((t) => [Number(t.nonce), "block witness budget reached", true]),
    );
  });

  it("drops a transaction too big for any block (not retryable) and includes the ones behind it", async () => {
    const mined = await buildWithinWitnessBudget(builder(), [tx(0, 5000), tx(1, 50), tx(2, 50)], {
      maxWitnessBytes: 1000,
    });
    expect(nonces(mined.record.block.transactions)).to.deep.equal([1, 2]);
    const [dropped] = mined.skipped;
    expect([Number(dropped?.tx.nonce), dropped?.retryable, dropped?.oversized]).to.deep.equal([0, false, true]);
    expect(dropped?.reason).to.match(/^exceeds the block budget: its witness of \d+ B exceeds 1000 B$/);
  });

  it("applies the block budget after the witness bound, with its own reason", async () => {
    const mined = await buildWithinWitnessBudget(builder(), [tx(0, 10), tx(1, 10), tx(2, 10)], {
      maxWitnessBytes: 1000,
      blockBudget: (block) =>
        block.transactions.length > 2 ? { reason: "more than two transactions", ratio: 1.5 } : undefined,
    });
    expect(nonces(mined.record.block.transactions)).to.deep.equal([0, 1]);
    expect(mined.skipped.map((s) => Number(s.tx.nonce))).to.deep.equal([2]);
  });

  it("never drops the required relays: when they alone do not fit, they wait (retryable, over budget)", async () => {
    const mined = await buildWithinWitnessBudget(builder(), [tx(0, 800), tx(1, 800), tx(2, 10)], {
      maxWitnessBytes: 1000,
      requiredTransactions: 2,
    });
    expect(mined.record.block.transactions).to.have.length(0);
    const relays = mined.skipped.filter((s) => s.overBudget === true);
    expect(relays.map((s) => [Number(s.tx.nonce), s.retryable])).to.deep.equal([
      [0, true],
      [1, true],
    ]);
    expect(relays[0]?.reason).to.match(/^block budget reached by the L1 messages' relays alone: /);
  });

  it("fails when even an empty block exceeds the budget: nothing can be built", async () => {
    const failure = await rejection(buildWithinWitnessBudget(builder(), [tx(0, 10)], { maxWitnessBytes: EMPTY - 1 }));
    expect(failure).to.be.instanceOf(WitnessCaptureError);
    expect(failure.message).to.match(/an empty block exceeds the block budget/);
  });
});
