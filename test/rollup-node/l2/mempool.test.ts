import { createFeeMarket1559Tx, createLegacyTx } from "@ethereumjs/tx";
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import { expect } from "chai";

import { Chain } from "../../../rollup-node/chain/chain";
import { createChainCommon } from "../../../rollup-node/chain/genesis";
import { DEFAULT_MEMPOOL_LIMITS, Mempool, type MempoolJournal } from "../../../rollup-node/l2/mempool";
import { decodeRawTransaction } from "../../../rollup-node/l2/rawTransaction";
import { rejection } from "../rejection";
import { L2_CHAIN_ID, common, signers, testGenesis } from "./l2Support";

const TO = "0x00000000000000000000000000000000000000aa";

async function reason(promise: Promise<unknown>): Promise<string> {
  return ((await rejection(promise)) as Error).message;
}

function fee(
  nonce: bigint,
  maxFeePerGas: bigint,
  maxPriorityFeePerGas: bigint,
  fields: { gasLimit?: bigint; value?: bigint; chainId?: bigint; data?: Uint8Array; signer?: number } = {},
) {
  const chainId = fields.chainId ?? common.chainId();
  return createFeeMarket1559Tx(
    {
      chainId,
      nonce,
      maxFeePerGas,
      maxPriorityFeePerGas,
      gasLimit: fields.gasLimit ?? 21_000n,
      to: TO,
      value: fields.value ?? 0n,
      data: fields.data,
    },
    { common: chainId === common.chainId() ? common : createChainCommon(chainId) },
  ).sign(signerKey(fields.signer));
}

// The dev signers' keys (TestSigner seeds are 1, 2, …): the first by default.
function signerKey(index = 0): Uint8Array {
  return hexToBytes(`0x${(index + 1).toString(16).padStart(64, "0")}`);
}

const GWEI = 10n ** 9n;

/** A transaction of dev signer `signer` at `nonce`, paying `maxFeeGwei`. */
function from(signer: number, nonce: bigint, maxFeeGwei = 100n) {
  return fee(nonce, maxFeeGwei * GWEI, GWEI, { signer });
}

/** A journal that records what it was asked to forget. */
function recordingJournal(): MempoolJournal & { removed: string[] } {
  const removed: string[] = [];
  return {
    removed,
    put: async () => {},
    remove: async (hashes) => {
      removed.push(...hashes.map((h) => bytesToHex(h)));
    },
  };
}

describe("L2 mempool", () => {
  let chain: Chain;
  let pool: Mempool;

  beforeEach(async () => {
    chain = await Chain.create({ genesis: testGenesis() });
    pool = new Mempool({ chain });
  });

  it("orders each sender's transactions by nonce and counts contiguous ones in the pending nonce", async () => {
    const [alice, bob] = signers(2);
    const a0 = alice!.tx({ to: TO, gasLimit: 21_000n });
    const a1 = alice!.tx({ to: TO, gasLimit: 21_000n });
    const a2 = alice!.tx({ to: TO, gasLimit: 21_000n });
    const b0 = bob!.tx({ to: TO, gasLimit: 21_000n });
    for (const tx of [a2, b0, a0]) await pool.add(tx);
    expect(await pool.nextNonce(alice!.address.bytes)).to.equal(1n);
    await pool.add(a1);
    expect(await pool.nextNonce(alice!.address.bytes)).to.equal(3n);
    expect(pool.ordered().map((tx) => bytesToHex(tx.hash()))).to.deep.equal(
      [a0, a1, a2, b0].map((tx) => bytesToHex(tx.hash())),
    );
  });

  it("replaces a pooled transaction only when both fee fields rise by at least 10%", async () => {
    const original = fee(0n, 100n * 10n ** 9n, 10n * 10n ** 9n);
    await pool.add(original);
    expect(await reason(pool.add(fee(0n, 110n * 10n ** 9n, 10n * 10n ** 9n)))).to.equal(
      "replacement transaction underpriced",
    );
    expect(await reason(pool.add(fee(0n, 109n * 10n ** 9n, 11n * 10n ** 9n)))).to.equal(
      "replacement transaction underpriced",
    );
    const replacement = fee(0n, 110n * 10n ** 9n, 11n * 10n ** 9n);
    await pool.add(replacement);
    expect(pool.size).to.equal(1);
    expect(pool.get(original.hash())).to.equal(undefined);
    expect(pool.get(replacement.hash())).to.equal(replacement);
    expect(await reason(pool.add(replacement))).to.equal("already known");
  });

  it("rejects invalid transactions with geth's messages", async () => {
    const gwei = 10n ** 9n;
    await chain.mineBlock([fee(0n, 100n * gwei, gwei)]);
    expect(await reason(pool.add(fee(0n, 100n * gwei, gwei)))).to.equal("nonce too low");
    expect(await reason(pool.add(fee(1n, 100n * gwei, gwei, { value: 10n ** 30n })))).to.equal(
      "insufficient funds for gas * price + value",
    );
    expect(await reason(pool.add(fee(1n, 100n * gwei, gwei, { gasLimit: 20_000n })))).to.equal("intrinsic gas too low");
    expect(await reason(pool.add(fee(1n, 100n * gwei, gwei, { gasLimit: 5_000_000n })))).to.equal(
      "exceeds block gas limit",
    );
    expect(await reason(pool.add(fee(1n, 1n, 1n)))).to.equal("max fee per gas less than block base fee");
    expect(await reason(pool.add(fee(1n, 100n * gwei, gwei, { chainId: 1n })))).to.equal("invalid chain id");
    // Signed without EIP-155 (v = 27/28): replayable on every chain.
    const unprotected = createLegacyTx(
      { nonce: 1n, gasPrice: 100n * gwei, gasLimit: 21_000n, to: TO },
      { common: createChainCommon(L2_CHAIN_ID, "tangerineWhistle") },
    ).sign(signerKey());
    expect(await reason(pool.add(createLegacyTx(unprotected.toJSON(), { common })))).to.equal(
      "only replay-protected (EIP-155) transactions allowed over RPC",
    );
    expect(pool.size).to.equal(0);
  });

  it("holds at most ACCOUNT_QUEUE gapped transactions per sender: the next is refused, other senders still get in", async () => {
    const { accountQueue } = DEFAULT_MEMPOOL_LIMITS;
    const errors = new Map<string, number>();
    for (let nonce = 1n; nonce <= BigInt(accountQueue + 10); nonce++) {
      try {
        await pool.add(from(0, nonce));
      } catch (error) {
        const message = (error as Error).message;
        errors.set(message, (errors.get(message) ?? 0) + 1);
      }
    }
    expect(pool.size).to.equal(accountQueue);
    expect([...errors]).to.deep.equal([["account limit exceeded", 10]]);
    await pool.add(from(1, 0n));
    await pool.add(from(2, 5n));
    expect(pool.size).to.equal(accountQueue + 2);
  });

  it("caps gapped transactions pool-wide, evicting the cheapest (then the oldest) for a better-paying one", async () => {
    const journal = recordingJournal();
    pool = new Mempool({ chain, journal, limits: { globalQueue: 3 } });
    const queued = [from(0, 1n, 100n), from(0, 2n, 90n), from(1, 4n, 90n)];
    for (const tx of queued) await pool.add(tx);
    expect(await reason(pool.add(from(2, 3n, 90n)))).to.equal("txpool is full");
    const better = from(2, 3n, 95n);
    await pool.add(better);
    // The two 90-gwei ones are the cheapest; the older one (signer 0's nonce 2) goes.
    expect(pool.get(queued[1]!.hash())).to.equal(undefined);
    expect(journal.removed).to.deep.equal([bytesToHex(queued[1]!.hash())]);
    expect(pool.size).to.equal(3);
    // Executable transactions are not queued: they still get in.
    await pool.add(from(3, 0n, 10n));
    expect(pool.size).to.equal(4);
  });

  it("evicts gapped transactions older than the queue lifetime, and keeps executable ones", async () => {
    let now = 1_000_000;
    const journal = recordingJournal();
    pool = new Mempool({ chain, journal, now: () => now });
    const gapped = from(0, 7n);
    const executable = from(1, 0n);
    await pool.add(gapped);
    await pool.add(executable);
    now += DEFAULT_MEMPOOL_LIMITS.queueLifetimeMs - 1;
    await pool.prune();
    expect(pool.size).to.equal(2);
    now += 2;
    await pool.prune();
    expect(pool.get(gapped.hash())).to.equal(undefined);
    expect(pool.get(executable.hash())).to.equal(executable);
    expect(journal.removed).to.deep.equal([bytesToHex(gapped.hash())]);
  });

  it("applies the limits to the transactions a restart restores", async () => {
    const { accountQueue } = DEFAULT_MEMPOOL_LIMITS;
    const journaled = Array.from({ length: accountQueue + 20 }, (_, i) => from(0, BigInt(i + 1)));
    const journal = recordingJournal();
    pool = new Mempool({ chain, journal });
    const dropped = await pool.restore([...journaled, from(1, 0n)]);
    expect(pool.size).to.equal(accountQueue + 1);
    expect(dropped).to.have.length(20);
    expect(journal.removed).to.have.length(20);
    // The highest nonces go: the ones furthest from being executable.
    expect(pool.get(journaled[accountQueue - 1]!.hash())).to.not.equal(undefined);
    expect(pool.get(journaled[accountQueue]!.hash())).to.equal(undefined);
  });

  it("refuses at admission what block building would drop: gas below the EIP-7623 calldata floor", async () => {
    const data = new Uint8Array(64 * 1024).fill(0xab);
    const probe = fee(0n, 100n * GWEI, GWEI, { data, gasLimit: 3_000_000n });
    expect(probe.getMinimumGasLimit()).to.be.greaterThan(probe.getIntrinsicGas());
    const belowFloor = fee(0n, 100n * GWEI, GWEI, { data, gasLimit: probe.getIntrinsicGas() });
    expect(await reason(pool.add(belowFloor))).to.equal("insufficient gas for floor data gas cost");
    const atFloor = fee(0n, 100n * GWEI, GWEI, { data, gasLimit: probe.getMinimumGasLimit() });
    await pool.add(atFloor);
    const mined = await chain.mineBlock(pool.ordered());
    expect(mined.record.block.transactions).to.have.length(1);
  });

  it("decodes raw transactions with geth's messages for blobs, unknown types, and foreign chains", () => {
    const decodeError = (raw: Uint8Array): string => {
      try {
        decodeRawTransaction(raw, common);
        return "accepted";
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(decodeError(Uint8Array.from([0x03, 0xc0]))).to.equal("transaction type not supported");
    expect(decodeError(Uint8Array.from([0x05, 0xc0]))).to.equal("transaction type not supported");
    expect(decodeError(fee(0n, 10n ** 11n, 10n ** 9n, { chainId: 5n }).serialize())).to.equal("invalid chain id");
    const good = fee(0n, 10n ** 11n, 10n ** 9n);
    expect(bytesToHex(decodeRawTransaction(good.serialize(), common).hash())).to.equal(bytesToHex(good.hash()));
  });

  it("decodes a raw transaction that remembers its sender: getSenderAddress neither recovers nor hashes again", () => {
    const good = fee(0n, 10n ** 11n, 10n ** 9n);
    const tx = decodeRawTransaction(good.serialize(), common);
    expect(Object.isFrozen(tx)).to.equal(true);
    // Another sender's public key in the library's cache: a transaction that derives its address
    // from the cached key on every call (upstream's getSenderAddress) would answer that sender.
    tx.cache.senderPubKey = fee(0n, 10n ** 11n, 10n ** 9n, { signer: 2 }).getSenderPublicKey();
    expect(tx.getSenderAddress().toString()).to.equal(good.getSenderAddress().toString());
    // An Address of its own on each call, as upstream's: a caller that edits one edits no other's.
    expect(tx.getSenderAddress()).to.not.equal(tx.getSenderAddress());
    expect(tx.getSenderAddress().bytes).to.not.equal(tx.getSenderAddress().bytes);
  });

  describe("batched admission (addMany: one journal write for the transactions that waited for the pool lock)", () => {
    /** Each outcome as `add` would answer it: the hash, or geth's rejection. */
    function described(outcomes: PromiseSettledResult<Uint8Array>[]): string[] {
      return outcomes.map((o) => (o.status === "fulfilled" ? bytesToHex(o.value) : (o.reason as Error).message));
    }

    /** The pool as the node would serve it: every pooled hash, the executable order, and the queued count. */
    function snapshot(p: Mempool): string {
      const hashes = (txs: readonly { hash(): Uint8Array }[]) => txs.map((tx) => bytesToHex(tx.hash()));
      return JSON.stringify([hashes(p.all()).sort(), hashes(p.ordered()), p.queuedCount]);
    }

    it("judges each transaction as add would one after another, and journals the admitted ones in one write", async () => {
      const writes: number[] = [];
      const journal: MempoolJournal = {
        put: async () => {
          writes.push(1);
        },
        putMany: async (entries) => {
          writes.push(entries.length);
        },
        remove: async () => {},
      };
      const batch = [
        from(0, 0n),
        from(0, 1n),
        from(0, 0n), // already known: the first is pooled by now
        fee(1n, 105n * GWEI, GWEI), // signer 0's nonce 1 again, not 10% more: underpriced
        from(1, 0n),
        fee(2n, 1n, 1n), // below the base fee
      ];
      const expected: string[] = [];
      for (const tx of batch) expected.push(await pool.add(tx).then(bytesToHex, (e: Error) => e.message));
      expect(expected.filter((o) => !o.startsWith("0x"))).to.deep.equal([
        "already known",
        "replacement transaction underpriced",
        "max fee per gas less than block base fee",
      ]);
      const batched = new Mempool({ chain, journal });
      expect(described(await batched.addMany(batch))).to.deep.equal(expected);
      expect(writes).to.deep.equal([3]);
      expect(snapshot(batched)).to.equal(snapshot(pool));
    });

    it("undoes the whole batch when its journal write fails, evictions and arrival order included", async () => {
      let now = 1_000;
      let failing = false;
      const journal: MempoolJournal = {
        put: async () => {},
        putMany: async () => {
          if (failing) throw new Error("disk full");
        },
        remove: async () => {},
      };
      pool = new Mempool({ chain, journal, limits: { globalQueue: 2 }, now: () => now++ });
      const original = from(0, 0n, 100n);
      for (const tx of [original, from(1, 5n, 90n), from(2, 5n, 90n)]) await pool.add(tx);
      const before = snapshot(pool);
      failing = true;
      // A replacement of signer 0's nonce 0, a queued one that evicts the oldest cheapest, a new sender.
      const outcomes = await pool.addMany([fee(0n, 200n * GWEI, 2n * GWEI), from(3, 5n, 95n), from(4, 0n)]);
      expect(described(outcomes)).to.deep.equal(["disk full", "disk full", "disk full"]);
      expect(snapshot(pool)).to.equal(before);
      expect(pool.get(original.hash())).to.equal(original);
      // The restored queued transactions kept their age: the oldest cheapest is still the one evicted next.
      failing = false;
      await pool.add(from(3, 5n, 95n));
      expect(pool.get(from(1, 5n, 90n).hash())).to.equal(undefined);
      expect(pool.get(from(2, 5n, 90n).hash())).to.not.equal(undefined);
    });
  });
});
