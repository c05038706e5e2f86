import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { RLP } from "@ethereumjs/rlp";
import { TransactionType } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import { type TxReceipt, encodeReceipt } from "@ethereumjs/vm";
import { expect } from "chai";

import { keccak256, prepareCrypto } from "../../precompiles/crypto";
import { orderedTrieRoot } from "../../precompiles/orderedTrie";
import { Rng } from "../../tools/executeFuzz";
import { STORE_ADDRESS, STORE_AND_LOG_CODE, TestSigner, storeCall } from "../../tools/l2Fixtures";
import { L2TestChain } from "../../tools/l2TestChain";

/**
 * The receipts root the way `runBlock` builds it (EthereumJS 10.1.3 applyTransactions: a
 * `MerklePatriciaTrie({ common })`, one put of `encodeReceipt(receipt, tx.type)` under `RLP(i)` per
 * transaction) against `orderedTrieRoot` over the same encodings: the equality a one-pass receipts
 * root in the verifier or the node would rest on (docs/design/l2-throughput.md, stop 25).
 */

const TYPES = [
  TransactionType.Legacy,
  TransactionType.AccessListEIP2930,
  TransactionType.FeeMarketEIP1559,
  TransactionType.BlobEIP4844,
  TransactionType.EOACodeEIP7702,
] as const;
const COUNTS = [0, 1, 2, 15, 16, 17, 127, 128, 129, 255, 256, 257, 600];

function randomBytes(rng: Rng, length: number): Uint8Array {
  return Uint8Array.from({ length }, () => rng.int(256));
}

/** A receipt with 0-3 logs of 0-4 topics and 0-100 data bytes, a sparse bloom, success or failure. */
function randomReceipt(rng: Rng, cumulative: bigint): TxReceipt {
  const bitvector = new Uint8Array(256);
  for (let i = rng.int(6); i > 0; i--) bitvector[rng.int(256)] = rng.int(256);
  const logs = Array.from({ length: rng.int(4) }, () => [
    randomBytes(rng, 20),
    Array.from({ length: rng.int(5) }, () => randomBytes(rng, 32)),
    randomBytes(rng, rng.pick([0, 1, 31, 32, 33, 100])),
  ]) as TxReceipt["logs"];
  return { cumulativeBlockGasUsed: cumulative, bitvector, logs, status: rng.int(2) === 0 ? 0 : 1 } as TxReceipt;
}

/** What runBlock's applyTransactions does for the receipts root. */
async function upstreamReceiptsRoot(encoded: readonly Uint8Array[], trie: MerklePatriciaTrie): Promise<Uint8Array> {
  for (const [index, receipt] of encoded.entries()) await trie.put(RLP.encode(index), receipt);
  return trie.root();
}

describe("orderedTrieRoot on receipts (runBlock's receipts root)", function () {
  this.timeout(600_000);
  before(() => prepareCrypto());

  it(`gives applyTransactions' root for ${COUNTS.join(", ")} random typed receipts with logs`, async () => {
    const rng = new Rng(0x25c0de);
    const differing: number[] = [];
    for (const count of COUNTS) {
      let cumulative = 0n;
      const encoded = Array.from({ length: count }, () => {
        cumulative += BigInt(21_000 + rng.int(200_000));
        return encodeReceipt(randomReceipt(rng, cumulative), rng.pick([...TYPES]));
      });
      const chain = await L2TestChain.create(903n, []);
      const expected = await upstreamReceiptsRoot(encoded, new MerklePatriciaTrie({ common: chain.common }));
      if (bytesToHex(orderedTrieRoot(encoded, keccak256)) !== bytesToHex(expected)) differing.push(count);
    }
    expect(differing, "counts whose receipts root differs").to.deep.equal([]);
  });

  it("gives the header's receipts root of a built block whose transactions log, of three types", async () => {
    const chainId = 903n;
    const probe = await L2TestChain.create(chainId, []);
    const seeds = [21, 22, 23];
    const chain = await L2TestChain.create(chainId, [
      ...seeds.map((seed) => ({
        address: TestSigner.fromSeed(seed, probe.common).address.toString(),
        balance: 10n ** 21n,
      })),
      { address: STORE_ADDRESS, code: STORE_AND_LOG_CODE },
    ]);
    const signers = seeds.map((seed) => TestSigner.fromSeed(seed, chain.common));
    const txs = Array.from({ length: 140 }, (_, i) => {
      const signer = signers[i % signers.length];
      if (i % 3 === 0) return signer.legacyTx({ to: `0x${(0xfee000 + i).toString(16).padStart(40, "0")}`, value: 1n });
      if (i % 3 === 1) return signer.tx({ to: STORE_ADDRESS, data: storeCall(i, i + 1), gasLimit: 100_000n });
      return signer.tx({ to: `0x${(0xfee000 + i).toString(16).padStart(40, "0")}`, value: 2n, gasLimit: 21_000n });
    });
    const built = await chain.buildBlock(txs);
    const { block, txResults } = built;
    expect(block.transactions.length).to.equal(140);
    expect(txResults.filter((r) => r.receipt.logs.length > 0).length, "transactions that logged").to.be.greaterThan(40);
    const encoded = txResults.map((result, i) => encodeReceipt(result.receipt, block.transactions[i].type));
    expect(bytesToHex(orderedTrieRoot(encoded, keccak256))).to.equal(bytesToHex(block.header.receiptTrie));
    // And the header's root is not a root any list gives: one receipt fewer gives another.
    expect(bytesToHex(orderedTrieRoot(encoded.slice(0, -1), keccak256))).to.not.equal(
      bytesToHex(block.header.receiptTrie),
    );
  });
});
