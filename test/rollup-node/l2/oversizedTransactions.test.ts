import { createFeeMarket1559Tx } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";

import { Chain } from "../../../rollup-node/chain/chain";
import { l2Genesis, readL2BridgeRuntimeCode } from "../../../rollup-node/l2/genesis";
import { Mempool } from "../../../rollup-node/l2/mempool";
import { rejection } from "../rejection";
import { GENESIS_TIME, L2_CHAIN_ID, common, signers } from "./l2Support";

/** A contract whose code alone is more witness than the 70 KB budget below (STOP, then filler). */
const BIG = "0x00000000000000000000000000000000000c0000";
const TO = "0x00000000000000000000000000000000000000cc";
const BUDGET = 70_000;
const OVERSIZED_SENDERS = 10;
/** Enough signers for the bound test: 4 + 7 and 4 + 8 attackers, and the honest sender. */
const SIGNERS = 24;

async function chainWithBigContract(): Promise<Chain> {
  const alloc: Record<string, { balance?: bigint; code?: `0x${string}` }> = {
    [BIG]: { code: `0x00${"5d".repeat(150_000 - 1)}` },
  };
  for (const signer of signers(SIGNERS)) alloc[signer.address.toString()] = { balance: 10n ** 22n };
  return Chain.create({
    genesis: l2Genesis({ chainId: L2_CHAIN_ID, timestamp: GENESIS_TIME, bridgeCode: readL2BridgeRuntimeCode(), alloc }),
  });
}

async function reason(promise: Promise<unknown>): Promise<string> {
  return ((await rejection(promise)) as Error).message;
}

const hashes = (txs: readonly { hash(): Uint8Array }[]): string[] => txs.map((tx) => bytesToHex(tx.hash()));

describe("oversized transactions: none delays others, none comes back for free", function () {
  this.timeout(300_000);

  it(`a transfer behind ${OVERSIZED_SENDERS} transactions each too big for any block is in the same block; they are dropped or wait`, async () => {
    const chain = await chainWithBigContract();
    const all = signers(OVERSIZED_SENDERS + 1);
    const oversized = all.slice(0, OVERSIZED_SENDERS).map((signer) => signer.tx({ to: BIG, gasLimit: 50_000n }));
    const transfer = (all[OVERSIZED_SENDERS] as (typeof all)[number]).tx({ to: TO, value: 1n, gasLimit: 21_000n });
    const mined = await chain.mineBlock([...oversized, transfer], { captureWitness: true, maxWitnessBytes: BUDGET });
    expect(hashes(mined.record.block.transactions)).to.deep.equal(hashes([transfer]));
    expect((mined.encodedWitness as Uint8Array).length).to.be.at.most(BUDGET);
    // The first four were checked alone and dropped; the tail search left the others for later
    // (retryable): the next block checks them alone in turn, and nothing is lost.
    const dropped = mined.skipped.filter((s) => s.oversized === true);
    expect(dropped.length).to.be.at.least(4);
    for (const s of dropped) expect(s.retryable).to.equal(false);
    expect(hashes(mined.skipped.map((s) => s.tx)).sort()).to.deep.equal(hashes(oversized).sort());
  });

  it("the bound: 12 oversized transactions from 12 senders (4 ahead of a transfer, 8 behind it) delay it one block; 11 (4 ahead, 7 behind) do not", async () => {
    // Four are checked alone from the front; the tail search then has to drop the ones behind the
    // transfer one by one (about two builds each) before its 16 builds are spent.
    const chain = await chainWithBigContract();
    const all = signers(SIGNERS);
    const honest = all[SIGNERS - 1] as (typeof all)[number];
    const transfer = () => honest.tx({ to: TO, value: 1n, gasLimit: 21_000n });
    const attack = (from: number, ahead: number, behind: number, tx: ReturnType<typeof transfer>) => {
      const txs = all.slice(from, from + ahead + behind).map((signer) => signer.tx({ to: BIG, gasLimit: 50_000n }));
      return [...txs.slice(0, ahead), tx, ...txs.slice(ahead)];
    };
    const first = transfer();
    const eleven = await chain.mineBlock(attack(0, 4, 7, first), { captureWitness: true, maxWitnessBytes: BUDGET });
    expect(hashes(eleven.record.block.transactions)).to.deep.equal(hashes([first]));
    const second = transfer();
    const twelve = await chain.mineBlock(attack(11, 4, 8, second), { captureWitness: true, maxWitnessBytes: BUDGET });
    expect(hashes(twelve.record.block.transactions)).to.deep.equal([]);
    expect(twelve.skipped.find((s) => bytesToHex(s.tx.hash()) === bytesToHex(second.hash()))?.retryable).to.equal(
      true,
      "it waits for the next block",
    );
  });

  it("refuses a dropped oversized transaction, and its sender's next ones, until the ban ends; other senders are not affected", async () => {
    const chain = await chainWithBigContract();
    let now = 1_000_000;
    const banMs = 60_000;
    const pool = new Mempool({ chain, now: () => now, limits: { oversizedBanMs: banMs } });
    const [attacker, honest] = signers(2);
    const oversized = attacker!.tx({ to: BIG, gasLimit: 50_000n });
    await pool.add(oversized);
    const mined = await chain.mineBlock(pool.ordered(), { captureWitness: true, maxWitnessBytes: BUDGET });
    expect(mined.skipped.map((s) => [bytesToHex(s.tx.hash()), s.retryable])).to.deep.equal([
      [bytesToHex(oversized.hash()), false],
    ]);
    await pool.settle(mined);
    expect(pool.get(oversized.hash())).to.equal(undefined);

    // The same transaction again, and a fresh one of the same sender (the dropped one never ran:
    // its nonce is free, its balance intact), are refused with the reason.
    expect(await reason(pool.add(oversized))).to.equal("exceeds the block budget");
    const resent = createFeeMarket1559Tx(
      {
        chainId: L2_CHAIN_ID,
        nonce: 0n,
        maxFeePerGas: 10n ** 11n,
        maxPriorityFeePerGas: 10n ** 9n,
        gasLimit: 50_001n,
        to: BIG,
      },
      { common },
    ).sign(attacker!.privateKey);
    expect(await reason(pool.add(resent))).to.equal("sender barred for an oversized transaction");
    await pool.add(honest!.tx({ to: TO, value: 1n, gasLimit: 21_000n }));

    expect(mined.skipped[0]?.oversized).to.equal(true);

    now += banMs;
    await pool.add(resent);
    expect(pool.get(resent.hash())).to.not.equal(undefined);
  });
});
