import { type Block, createBlockFromBytesArray, createBlockHeaderFromBytesArray } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import { RLP } from "@ethereumjs/rlp";
import { createAccessList2930Tx, createFeeMarket1559Tx, createLegacyTx } from "@ethereumjs/tx";
import { Address, bigIntToBytes, bytesToHex, publicToAddress } from "@ethereumjs/util";
import { expect } from "chai";

import { type TransactionData, blockWithEmptyOmmersAndWithdrawals } from "../../precompiles/blockBody";
import { l2Common } from "../../precompiles/verifyBlock";
import { type Corpus, buildCorpus } from "../../tools/executeFuzz";
import { compareVerdictsWith } from "../support/verifyVerdict";
import { TestSigner } from "../../tools/l2Fixtures";
import { transactionView } from "../support/transactionView";

/**
 * The block decoding of EXECUTE with one prepared Common for a block's transactions
 * (`blockWithEmptyOmmersAndWithdrawals`, precompiles/blockBody.ts) against EthereumJS's
 * `createBlockFromBytesArray` (a Common copy and parameter merge per transaction): the same blocks
 * and transactions (down to each transaction's parameter cache) or the same error, and the same
 * `verifyBlock` verdict and message on the corpus and the fuzzer's cases.
 */

const SEED = 20261130;
const CASES = Number(process.env.BLOCK_BODY_DIFFERENTIAL_CASES ?? 150);
const OPTIONS = { skipConsensusFormatValidation: true };

/** The decoded block as far as anything can read it, or the decoder's error. */
function decodeView(decode: () => Block): unknown {
  let block: Block;
  try {
    block = decode();
  } catch (error) {
    return { error: (error as Error).message };
  }
  return {
    serialized: bytesToHex(block.serialize()),
    hash: bytesToHex(block.hash()),
    header: JSON.stringify(block.header.toJSON()),
    withdrawals: block.withdrawals?.length,
    ommers: block.uncleHeaders.length,
    transactions: block.transactions.map(transactionView),
  };
}

/**
 * Decodes `values` (an RLP block with empty ommers and withdrawals) both ways, each with a Common of its
 * own (copies share their parameters, so one path's merge would otherwise prepare the other's); the
 * shared path's Common identity too.
 */
function decodeBoth(values: unknown[], chainId: bigint): { shared: unknown; upstream: unknown; sharedCommons: number } {
  const upstream = decodeView(() =>
    createBlockFromBytesArray(values as never, { ...OPTIONS, common: l2Common(chainId) }),
  );
  const opts = { ...OPTIONS, common: l2Common(chainId) };
  let commons = new Set<Common>();
  const shared = decodeView(() => {
    const header = createBlockHeaderFromBytesArray(values[0] as Uint8Array[], opts);
    const block = blockWithEmptyOmmersAndWithdrawals(header, values[1] as TransactionData[], opts);
    commons = new Set(block.transactions.map((tx) => tx.common));
    return block;
  });
  return { shared, upstream, sharedCommons: commons.size };
}

describe("EXECUTE's block decoding with one Common per block: as createBlockFromBytesArray", function () {
  this.timeout(600_000);
  let corpus: Corpus;

  before(async () => {
    corpus = await buildCorpus();
  });

  it("every corpus block: the same block and transactions, one Common shared by its transactions", () => {
    let withTransactions = 0;
    for (const entry of corpus.entries) {
      const values = RLP.decode(entry.block) as unknown as unknown[];
      const { shared, upstream, sharedCommons } = decodeBoth(values, entry.chainId);
      expect(shared, entry.name).to.deep.equal(upstream);
      const count = (values[1] as unknown[]).length;
      expect(sharedCommons, entry.name).to.equal(count === 0 ? 0 : 1);
      if (count > 1) withTransactions++;
    }
    // Not vacuous: blocks of several transactions (a legacy one among them) were compared.
    expect(withTransactions).to.be.greaterThan(1);
  });

  it("hand-made bodies of every accepted type and of transactions the constructors refuse: the same block or the same error", () => {
    const entry = corpus.entries.find((e) => (RLP.decode(e.block) as unknown as unknown[][])[1].length > 0);
    if (entry === undefined) throw new Error("the corpus has no block with transactions");
    const common = l2Common(entry.chainId);
    const signer = TestSigner.fromSeed(77, common);
    const other = l2Common(entry.chainId + 1n);
    const key = signer.privateKey;
    const to = "0x00000000000000000000000000000000000000cc";
    const fee = {
      maxFeePerGas: 10n ** 11n,
      maxPriorityFeePerGas: 10n ** 9n,
      gasLimit: 50_000n,
      to,
      value: 1n,
    } as const;
    const legacy = createLegacyTx({ gasPrice: 10n ** 11n, gasLimit: 21_000n, to, value: 2n }, { common }).sign(key);
    const highS = RLP.decode(legacy.serialize()) as unknown as Uint8Array[];
    highS[8] = bigIntToBytes(2n ** 255n);
    const dynamicFee = createFeeMarket1559Tx({ ...fee, chainId: entry.chainId }, { common })
      .sign(key)
      .serialize();
    // The gas limit (field 4) above EIP-7825's cap, which no constructor lets a transaction be built with.
    const overCap = RLP.decode(dynamicFee.subarray(1)) as unknown as Uint8Array[];
    overCap[4] = bigIntToBytes(2n ** 24n + 1n);
    const bodies: Record<string, TransactionData[]> = {
      "legacy, 2930, 1559, 7702": [
        legacy.raw() as Uint8Array[],
        createAccessList2930Tx(
          { chainId: entry.chainId, gasPrice: 10n ** 11n, gasLimit: 30_000n, to, accessList: [] },
          { common },
        )
          .sign(key)
          .serialize(),
        createFeeMarket1559Tx({ ...fee, chainId: entry.chainId, nonce: 1n }, { common })
          .sign(key)
          .serialize(),
        signer.delegationTx(TestSigner.fromSeed(78, common), to, "0x").serialize(),
      ],
      "a 1559 transaction of another chain": [
        createFeeMarket1559Tx({ ...fee, chainId: entry.chainId + 1n }, { common: other })
          .sign(key)
          .serialize(),
      ],
      "a legacy transaction signed for another chain": [
        createLegacyTx({ gasPrice: 1n, gasLimit: 21_000n, to }, { common: other }).sign(key).raw() as Uint8Array[],
      ],
      "a valid one, then one above EIP-7825's gas cap": [
        legacy.raw() as Uint8Array[],
        Uint8Array.of(dynamicFee[0], ...RLP.encode(overCap)),
      ],
      "a high-s signature": [highS],
      "a legacy list of five items": [highS.slice(0, 5)],
      "an unknown type": [Uint8Array.of(0x09, 0xc0)],
      "an unsigned transaction": [createFeeMarket1559Tx({ ...fee, chainId: entry.chainId }, { common }).serialize()],
    };
    const values = RLP.decode(entry.block) as unknown as unknown[];
    let errors = 0;
    for (const [name, transactions] of Object.entries(bodies)) {
      const { shared, upstream } = decodeBoth([values[0], transactions, ...values.slice(2)], entry.chainId);
      expect(shared, name).to.deep.equal(upstream);
      if ((upstream as { error?: string }).error !== undefined) errors++;
    }
    // Not vacuous: the constructors refused some bodies and accepted the others.
    expect(errors).to.be.greaterThanOrEqual(4);
    expect(errors).to.be.lessThan(Object.keys(bodies).length);
  });

  it("after decoding, a transaction's Common copies as any Common does", () => {
    const entry = corpus.entries.find((e) => (RLP.decode(e.block) as unknown as unknown[][])[1].length > 0);
    if (entry === undefined) throw new Error("the corpus has no block with transactions");
    const values = RLP.decode(entry.block) as unknown as unknown[];
    const opts = { ...OPTIONS, common: l2Common(entry.chainId) };
    const header = createBlockHeaderFromBytesArray(values[0] as Uint8Array[], opts);
    const [tx] = blockWithEmptyOmmersAndWithdrawals(header, values[1] as TransactionData[], opts).transactions;
    expect(tx.common.copy()).to.not.equal(tx.common);
    expect(Object.hasOwn(tx.common, "copy") || Object.hasOwn(tx.common, "updateParams")).to.equal(false);
    // The sender's address by the Common's keccak: its own method, upstream's address, a frozen transaction.
    expect(Object.hasOwn(tx, "getSenderAddress")).to.equal(true);
    expect(tx.getSenderAddress().toString()).to.equal(new Address(publicToAddress(tx.getSenderPublicKey())).toString());
    expect(Object.isFrozen(tx)).to.equal(true);
    // Its encoding made once: each call a fresh copy of upstream's bytes, which a write into one does not change.
    expect(Object.hasOwn(tx, "serialize")).to.equal(true);
    const upstream = Object.getPrototypeOf(tx).serialize.call(tx) as Uint8Array;
    const first = tx.serialize();
    expect(bytesToHex(first)).to.equal(bytesToHex(upstream));
    first[first.length - 1] ^= 1;
    expect(bytesToHex(tx.serialize())).to.equal(bytesToHex(upstream));
  });

  it(`the corpus and ${CASES} mutation fuzz cases: the same verdict and message from verifyBlock`, async () => {
    const seen = await compareVerdictsWith({ sharedTransactionCommon: false }, corpus, corpus.entries, SEED, CASES);
    // Not vacuous: valid blocks and several kinds of refusal (invalid transactions among them) were compared.
    expect(seen.get("valid") ?? 0, JSON.stringify([...seen])).to.be.greaterThan(0);
    expect(seen.get("InvalidTransactions") ?? 0, JSON.stringify([...seen])).to.be.greaterThan(0);
    expect(seen.size, JSON.stringify([...seen])).to.be.greaterThanOrEqual(4);
  });
});
