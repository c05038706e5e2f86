import { genTransactionsTrieRoot } from "@ethereumjs/block";
import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { RLP } from "@ethereumjs/rlp";
import { KECCAK256_RLP, bytesToHex } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { expect } from "chai";

import { orderedTrieRoot, rlpIndex } from "../../precompiles/orderedTrie";
import { Rng } from "../../tools/executeFuzz";
import { TestSigner, tamperBlock, transactionsRootVerdict, word } from "../../tools/l2Fixtures";
import { L2TestChain } from "../../tools/l2TestChain";

/**
 * `orderedTrieRoot` (the verifier's transactions root, built bottom-up in one pass) against
 * EthereumJS's `MerklePatriciaTrie` with one put per item, as `transactionsTrieIsValid` builds it:
 * the roots must be equal byte for byte, for every count of items across the shapes the keys make
 * (RLP(0) = 0x80 beside the one-byte keys 0x01..0x7f, the two-byte keys 0x81xx from 128, the
 * three-byte keys from 256) and every length class of value (embedded nodes below 32 bytes).
 */

const VALUE_LENGTHS = [1, 2, 5, 20, 27, 28, 29, 30, 31, 32, 33, 55, 56, 110, 300];

async function upstreamRoot(values: readonly Uint8Array[]): Promise<Uint8Array> {
  const trie = new MerklePatriciaTrie();
  for (const [index, value] of values.entries()) await trie.put(RLP.encode(index), value);
  return trie.root();
}

describe("orderedTrieRoot", () => {
  it("encodes an index as RLP.encode does", () => {
    for (const index of [0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 2 ** 32, 2 ** 40 + 3])
      expect(bytesToHex(rlpIndex(index)), `index ${index}`).to.equal(bytesToHex(RLP.encode(index)));
  });

  it("gives EthereumJS's root for every count of items from 0 to 300 and random values", async () => {
    const rng = new Rng(20261128);
    const counts = [...Array.from({ length: 140 }, (_, i) => i), 200, 255, 256, 257, 300];
    for (const count of counts) {
      const values = Array.from({ length: count }, () => {
        const length = rng.pick(VALUE_LENGTHS);
        // Small alphabets make equal values (equal nodes in different places) frequent.
        return Uint8Array.from({ length }, () => rng.int(3));
      });
      expect(bytesToHex(orderedTrieRoot(values, keccak_256)), `${count} items`).to.equal(
        bytesToHex(await upstreamRoot(values)),
      );
    }
  });

  it("gives the empty trie's root for no items, and refuses an empty value (a delete in the trie)", () => {
    expect(orderedTrieRoot([], keccak_256)).to.deep.equal(KECCAK256_RLP);
    expect(() => orderedTrieRoot([Uint8Array.of(1), new Uint8Array()], keccak_256)).to.throw(TypeError, /delete/);
  });

  it("gives genTransactionsTrieRoot's root for signed transactions of a block", async () => {
    const chain = await L2TestChain.create(903n, []);
    const signer = TestSigner.fromSeed(7, chain.common);
    for (const count of [1, 2, 17, 130]) {
      const txs = Array.from({ length: count }, (_, i) =>
        signer.tx({ to: `0x${(0xabc000 + i).toString(16).padStart(40, "0")}`, value: BigInt(i) }),
      );
      const expected = await genTransactionsTrieRoot(txs, new MerklePatriciaTrie({ common: chain.common }));
      expect(
        bytesToHex(
          orderedTrieRoot(
            txs.map((tx) => tx.serialize()),
            keccak_256,
          ),
        ),
        `${count} txs`,
      ).to.equal(bytesToHex(expected));
    }
  });

  it("gives verifyBlock the verdict EthereumJS's transactionsTrieIsValid gives, on valid and tampered blocks", async () => {
    const chainId = 903n;
    const probe = await L2TestChain.create(chainId, []);
    const senders = [11, 12, 13].map((seed) => TestSigner.fromSeed(seed, probe.common));
    const chain = await L2TestChain.create(
      chainId,
      senders.map((s) => ({ address: s.address.toString(), balance: 10n ** 20n })),
    );
    const signers = [11, 12, 13].map((seed) => TestSigner.fromSeed(seed, chain.common));
    const txs = Array.from({ length: 18 }, (_, i) =>
      signers[i % 3].tx({ to: `0x${(0xbee000 + i).toString(16).padStart(40, "0")}`, value: 1n, gasLimit: 21_000n }),
    );
    const built = await chain.buildBlock(txs);
    const { block } = built;
    const swapped = [block.transactions[1], block.transactions[0], ...block.transactions.slice(2)];
    const variants: Record<string, Uint8Array> = {
      valid: built.blockRlp,
      "another transactions root": tamperBlock(block, {
        transactionsTrie: Uint8Array.from(Buffer.from(word(1), "hex")),
      }),
      "two transactions swapped": tamperBlock(block, {}, { transactions: swapped }),
      "the last transaction dropped": tamperBlock(block, {}, { transactions: block.transactions.slice(0, -1) }),
      "no transactions": tamperBlock(block, {}, { transactions: [] }),
      "swapped, with the root of the swapped list": tamperBlock(
        block,
        { transactionsTrie: await genTransactionsTrieRoot(swapped, new MerklePatriciaTrie({ common: chain.common })) },
        { transactions: swapped },
      ),
    };
    const rootRejections: string[] = [];
    for (const [name, bytes] of Object.entries(variants)) {
      const { verdict, rootRejected, upstreamValid } = await transactionsRootVerdict(
        chainId,
        chain.common,
        built,
        bytes,
      );
      expect(rootRejected, `${name}: ${verdict}`).to.equal(!upstreamValid);
      if (rootRejected) rootRejections.push(name);
    }
    expect(rootRejections).to.deep.equal([
      "another transactions root",
      "two transactions swapped",
      "the last transaction dropped",
      "no transactions",
    ]);
  });
});
