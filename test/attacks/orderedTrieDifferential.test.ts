import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { RLP } from "@ethereumjs/rlp";
import { type TypedTransaction, createAccessList2930Tx } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";

import { keccak256, prepareCrypto } from "../../precompiles/crypto";
import { orderedTrieRoot } from "../../precompiles/orderedTrie";
import { Rng } from "../../tools/executeFuzz";
import { TestSigner, tamperBlock, transactionsRootVerdict } from "../../tools/l2Fixtures";
import { L2TestChain } from "../../tools/l2TestChain";

/**
 * Second pass on EXECUTE's one-pass transactions root (precompiles/orderedTrie.ts,
 * docs/design/attack-review-s23.md "Second pass"): the verdict of verifyBlock must be the verdict
 * it gave before the change (33f4503, `block.transactionsTrieIsValid()`), for every transaction
 * count a verifiable block can hold and past it, and on the blocks an attacker shapes.
 */

/** The largest verifiable block holds ~794 transfers: go past it. */
const MAX_COUNT = 900;
/** The verifyBlock case's block: past index 256, the first transaction whose key is three bytes. */
const BLOCK_TXS = 300;

/** Upstream's root after each put, for every prefix of `values` (one trie, as genTransactionsTrieRoot builds it). */
async function upstreamPrefixRoots(values: readonly Uint8Array[]): Promise<string[]> {
  const trie = new MerklePatriciaTrie();
  const roots = [bytesToHex(trie.root())];
  for (const [index, value] of values.entries()) {
    await trie.put(RLP.encode(index), value);
    roots.push(bytesToHex(trie.root()));
  }
  return roots;
}

describe("attack (second pass): the one-pass transactions root against EthereumJS's trie", function () {
  this.timeout(900_000);

  // The keccak EXECUTE runs with (WebAssembly, loaded once; the JavaScript one until then).
  before(() => prepareCrypto());

  const shapes: Record<string, (rng: Rng, index: number) => Uint8Array> = {
    // Every node embeds in its parent (the leaf of a 1-byte value is far below 32 bytes).
    "tiny values (1-3 bytes)": (rng) => Uint8Array.from({ length: 1 + rng.int(3) }, () => rng.int(256)),
    // Identical values: identical subtrees in different places.
    "one identical value": () => Uint8Array.of(0x42),
    "one identical signed-size value": () => new Uint8Array(110).fill(7),
    // Around the 32-byte embedding boundary, with the value's own RLP prefix switching at 56.
    "values around 32 and 56 bytes": (rng) =>
      Uint8Array.from({ length: rng.pick([25, 26, 27, 28, 29, 30, 31, 32, 33, 54, 55, 56, 57]) }, () => rng.int(2)),
    // A single byte below 0x80 is its own RLP: the leaf's value is then one byte, not two.
    "single bytes below and above 0x80": (_rng, index) => Uint8Array.of(index % 256),
  };

  for (const [name, shape] of Object.entries(shapes)) {
    it(`gives upstream's root for every count from 0 to ${MAX_COUNT}: ${name}`, async () => {
      const rng = new Rng(0x5e23 + name.length);
      const values = Array.from({ length: MAX_COUNT }, (_, index) => shape(rng, index));
      const expected = await upstreamPrefixRoots(values);
      const differing: number[] = [];
      for (let count = 0; count <= MAX_COUNT; count++)
        if (bytesToHex(orderedTrieRoot(values.slice(0, count), keccak256)) !== expected[count]) differing.push(count);
      expect(differing, `counts whose root differs (${name})`).to.deep.equal([]);
    });
  }

  // 300 transactions: past the first three-byte key (index 256), the boundary the tampered variants
  // aim at; every count up to 900 is the root sweep's above.
  it(`gives verifyBlock the old verdict (transactionsTrieIsValid) on a block of ${BLOCK_TXS} transactions of every type, and its tampered variants`, async () => {
    const chainId = 903n;
    const seeds = Array.from({ length: 8 }, (_, i) => 40 + i);
    const probe = await L2TestChain.create(chainId, []);
    const chain = await L2TestChain.create(
      chainId,
      seeds.map((seed) => ({
        address: TestSigner.fromSeed(seed, probe.common).address.toString(),
        balance: 10n ** 21n,
      })),
    );
    const signers = seeds.map((seed) => TestSigner.fromSeed(seed, chain.common));
    const txs: TypedTransaction[] = [];
    const to = (i: number): string => `0x${(0xc0de00 + i).toString(16).padStart(40, "0")}`;
    for (let i = 0; i < BLOCK_TXS; i++) {
      const s = i % signers.length;
      const kind = i % 4;
      if (kind === 0) txs.push(signers[s].legacyTx({ to: to(i), value: BigInt(i) }));
      else if (kind === 1) txs.push(signers[s].tx({ to: to(i), value: 1n, gasLimit: 21_000n }));
      else if (kind === 2)
        txs.push(
          createAccessList2930Tx(
            {
              chainId,
              nonce: (signers[s] as unknown as { nonce: bigint }).nonce,
              gasPrice: 10n ** 11n,
              gasLimit: 21_000n,
              to: to(i) as `0x${string}`,
              value: 0n,
            },
            { common: chain.common },
          ).sign(signers[s].privateKey),
        );
      // The last kind: a second transfer to the same recipient with the same value (near-identical leaves).
      else txs.push(signers[s].tx({ to: to(0), value: 0n, gasLimit: 21_000n }));
      // TestSigner counts its own nonces; the 2930 transaction took one by hand.
      if (kind === 2) (signers[s] as unknown as { nonce: bigint }).nonce += 1n;
    }
    const built = await chain.buildBlock(txs, { discard: true });
    expect(built.block.transactions.length).to.equal(BLOCK_TXS);
    const { block } = built;
    const last = block.transactions.length - 1;
    const variants: Record<string, Uint8Array> = {
      valid: built.blockRlp,
      "the two last swapped": tamperBlock(
        block,
        {},
        {
          transactions: [
            ...block.transactions.slice(0, last - 1),
            block.transactions[last],
            block.transactions[last - 1],
          ],
        },
      ),
      "the 256th (first three-byte key) dropped": tamperBlock(
        block,
        {},
        { transactions: [...block.transactions.slice(0, 256), ...block.transactions.slice(257)] },
      ),
      "the first (key 0x80) moved last": tamperBlock(
        block,
        {},
        { transactions: [...block.transactions.slice(1), block.transactions[0]] },
      ),
      "one transaction duplicated": tamperBlock(
        block,
        {},
        { transactions: [...block.transactions, block.transactions[3]] },
      ),
    };
    for (const [name, bytes] of Object.entries(variants)) {
      const {
        verdict,
        rootRejected,
        upstreamValid: oldValid,
      } = await transactionsRootVerdict(chainId, chain.common, built, bytes);
      expect(rootRejected, `${name}: ${verdict}`).to.equal(!oldValid);
      if (name === "valid") expect(verdict).to.equal("accepted");
    }
  });
});
