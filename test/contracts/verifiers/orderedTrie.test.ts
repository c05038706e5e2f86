import { expect } from "chai";
import { createBlockHeader } from "@ethereumjs/block";
import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { RLP } from "@ethereumjs/rlp";
import { bytesToHex } from "@ethereumjs/util";
import fc from "fast-check";
import { hexlify, randomBytes } from "ethers";
import { ethers } from "hardhat";

import { l2Common } from "../../../precompiles";
import type { ProofModeLibsHarness } from "../../../typechain-types";

/** EthereumJS's root of `values` under keys rlp(0), rlp(1), … (how a header's transactions root is made). */
async function referenceRoot(values: readonly Uint8Array[]): Promise<string> {
  const trie = new MerklePatriciaTrie();
  for (const [i, value] of values.entries()) await trie.put(RLP.encode(i), value);
  return bytesToHex(trie.root());
}

describe("the Solidity checks of proof mode, against EthereumJS", function () {
  this.timeout(300_000);
  let harness: ProofModeLibsHarness;

  before(async () => {
    harness = (await ethers.deployContract("ProofModeLibsHarness")) as unknown as ProofModeLibsHarness;
  });

  describe("OrderedTrie (a header's transactions root)", () => {
    // Across the key encodings: 0x80, the single bytes up to 0x7f, 0x81xx from 128, 0x82xxxx from 256.
    for (const count of [0, 1, 2, 3, 16, 17, 127, 128, 129, 200, 256, 300]) {
      it(`gives EthereumJS's root for ${count} values`, async () => {
        // Short values are embedded in their parent node, long ones referenced by hash; single bytes below 0x80 are their own RLP.
        const values = Array.from({ length: count }, (_, i) =>
          i % 7 === 3 ? Uint8Array.of(i % 0x80) : randomBytes(1 + ((i * 37) % 120)),
        );
        expect(await harness.orderedRoot(values.map((v) => hexlify(v)))).to.equal(await referenceRoot(values));
      });
    }
  });

  describe("L2HeaderRules.nextBaseFee (EIP-1559)", () => {
    it("gives EthereumJS's calcNextBaseFee for parents below, at and above the gas target", async () => {
      const common = l2Common(1n);
      const parents = fc.sample(
        fc.record({
          gasLimit: fc.bigInt({ min: 5000n, max: 2n ** 63n - 1n }),
          usedShare: fc.integer({ min: 0, max: 1000 }),
          baseFeePerGas: fc.bigInt({ min: 0n, max: 2n ** 96n }),
        }),
        { numRuns: 60, seed: 7 },
      );
      const cases = [
        ...parents.map((p) => ({
          gasLimit: p.gasLimit,
          gasUsed: (p.gasLimit * BigInt(p.usedShare)) / 1000n,
          baseFeePerGas: p.baseFeePerGas,
        })),
        { gasLimit: 30_000_000n, gasUsed: 15_000_000n, baseFeePerGas: 7n },
        { gasLimit: 30_000_000n, gasUsed: 15_000_001n, baseFeePerGas: 7n },
        { gasLimit: 30_000_000n, gasUsed: 0n, baseFeePerGas: 1n },
      ];
      for (const parent of cases) {
        const expected = createBlockHeader(
          { ...parent, number: 1n },
          { common, skipConsensusFormatValidation: true },
        ).calcNextBaseFee();
        expect(
          await harness.nextBaseFee(parent.gasLimit, parent.gasUsed, parent.baseFeePerGas),
          JSON.stringify(parent, (_k, v) => (typeof v === "bigint" ? v.toString() : v)),
        ).to.equal(expected);
      }
    });
  });
});
