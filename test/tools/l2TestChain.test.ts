import type { TypedTransaction } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";

import { STORE_AND_LOG_CODE, STORE_AND_LOG_INITCODE, STORE_ADDRESS, TestSigner, word } from "../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../../tools/l2TestChain";

const CHAIN_ID = 905n;
const SEEDS = [61, 62, 63];

/** A chain whose signers hold ether, with the store-and-log contract. */
async function chainAndSigners(): Promise<{ chain: L2TestChain; signers: TestSigner[] }> {
  const probe = await L2TestChain.create(CHAIN_ID, []);
  const chain = await L2TestChain.create(CHAIN_ID, [
    ...SEEDS.map((seed) => ({
      address: TestSigner.fromSeed(seed, probe.common).address.toString(),
      balance: 10n ** 21n,
    })),
    { address: STORE_ADDRESS, code: STORE_AND_LOG_CODE },
  ]);
  return { chain, signers: SEEDS.map((seed) => TestSigner.fromSeed(seed, chain.common)) };
}

/** Transfers, legacy transfers, storage writes with logs, a creation and a reverting call, in turn. */
function mixedTransactions(signers: TestSigner[], count: number): TypedTransaction[] {
  const txs: TypedTransaction[] = [];
  for (let i = 0; i < count; i++) {
    const signer = signers[i % signers.length];
    const to = `0x${(0xb10c00 + i).toString(16).padStart(40, "0")}`;
    const kind = i % 5;
    if (kind === 0) txs.push(signer.tx({ to, value: BigInt(i + 1), gasLimit: 21_000n }));
    else if (kind === 1) txs.push(signer.legacyTx({ to, value: 1n }));
    else if (kind === 2) txs.push(signer.tx({ to: STORE_ADDRESS, data: `0x${word(i)}${word(i * 7 + 1)}` }));
    else if (kind === 3) txs.push(signer.tx({ data: STORE_AND_LOG_INITCODE }));
    // Too little gas for the store: the call fails, its gas is spent, the block still holds it.
    else txs.push(signer.tx({ to: STORE_ADDRESS, data: `0x${word(i)}${word(1)}`, gasLimit: 22_000n }));
  }
  return txs;
}

function summary(built: BuiltBlock): Record<string, unknown> {
  return {
    block: bytesToHex(built.blockRlp),
    witness: bytesToHex(built.witness),
    results: built.txResults.map((r) => [r.totalGasSpent, r.execResult.exceptionError?.error, r.receipt.logs.length]),
  };
}

describe("L2TestChain.buildBlock", () => {
  it("builds the block EthereumJS's addTransaction builds, transaction by transaction, with the same results and witness", async function () {
    this.timeout(120_000);
    const plain = await chainAndSigners();
    const fast = await chainAndSigners();
    const count = 40;
    const expected = await plain.chain.buildBlock(mixedTransactions(plain.signers, count), {
      plainAddTransaction: true,
    });
    const actual = await fast.chain.buildBlock(mixedTransactions(fast.signers, count));
    expect(actual.block.transactions.length).to.equal(count);
    // Every kind ran as meant: creations, logs, and failed calls among them.
    expect(actual.txResults.some((r) => r.createdAddress !== undefined)).to.equal(true);
    expect(actual.txResults.some((r) => r.receipt.logs.length > 0)).to.equal(true);
    expect(actual.txResults.some((r) => r.execResult.exceptionError !== undefined)).to.equal(true);
    expect(summary(actual)).to.deep.equal(summary(expected));
    // The next block builds on it the same way.
    const next = await fast.chain.buildBlock(mixedTransactions(fast.signers, 5));
    const nextPlain = await plain.chain.buildBlock(mixedTransactions(plain.signers, 5), { plainAddTransaction: true });
    expect(summary(next)).to.deep.equal(summary(nextPlain));
  });

  // tools/heavyBlocks builds its pricing workloads on caches: they must be the blocks the
  // write-through reference builds, with the same results and witness, block after block.
  it("builds the same blocks, results and witnesses on state caches (stateCaches) as write-through", async function () {
    this.timeout(120_000);
    const plain = await chainAndSigners();
    const cached = await chainAndSigners();
    for (const count of [40, 5]) {
      const expected = await plain.chain.buildBlock(mixedTransactions(plain.signers, count));
      const actual = await cached.chain.buildBlock(mixedTransactions(cached.signers, count), { stateCaches: true });
      expect(actual.block.transactions.length).to.equal(count);
      expect(summary(actual)).to.deep.equal(summary(expected));
    }
  });
});
