import { expect } from "chai";
import { ZeroHash, hexlify, keccak256, randomBytes, toUtf8Bytes } from "ethers";
import { ethers } from "hardhat";

import type { MessagesHarness } from "../../typechain-types";
import {
  type L1Message,
  type L2Message,
  hashL1Message,
  hashL2Message,
  hashPair,
  messageProof,
  messageRoot,
  verifyMessageProof,
} from "../../protocol/messages";

const leaf = (i: number) => keccak256(toUtf8Bytes(`message ${i}`));
const leaves = (n: number) => Array.from({ length: n }, (_, i) => leaf(i));

describe("MessageTree and message hashing (Solidity = TypeScript mirror)", () => {
  let harness: MessagesHarness;

  before(async () => {
    harness = (await ethers.deployContract("MessagesHarness")) as unknown as MessagesHarness;
  });

  it("the root of no leaves is zero and the root of one leaf is the leaf", async () => {
    expect(await harness.root([])).to.equal(ZeroHash);
    expect(messageRoot([])).to.equal(ZeroHash);
    expect(await harness.root([leaf(0)])).to.equal(leaf(0));
    expect(messageRoot([leaf(0)])).to.equal(leaf(0));
  });

  it("pads the leaves with zero hashes to the next power of two", async () => {
    const [a, b, c] = leaves(3);
    const expected = hashPair(hashPair(a, b), hashPair(c, ZeroHash));
    expect(messageRoot([a, b, c])).to.equal(expected);
    expect(await harness.root([a, b, c])).to.equal(expected);
    // Five leaves: the padding subtree hashes to keccak(0 ‖ 0), not to zero.
    const five = leaves(5);
    const right = hashPair(hashPair(five[4], ZeroHash), hashPair(ZeroHash, ZeroHash));
    const left = hashPair(hashPair(five[0], five[1]), hashPair(five[2], five[3]));
    expect(await harness.root(five)).to.equal(hashPair(left, right));
  });

  it("agrees with the TypeScript mirror on roots and proofs for 1..9 leaves", async () => {
    for (let n = 1; n <= 9; n++) {
      const tree = leaves(n);
      const root = messageRoot(tree);
      expect(await harness.root(tree), `root of ${n}`).to.equal(root);
      for (let i = 0; i < n; i++) {
        const proof = messageProof(tree, i);
        expect(verifyMessageProof(root, tree[i], i, proof)).to.equal(true);
        expect(await harness.verify(root, tree[i], i, proof), `leaf ${i} of ${n}`).to.equal(true);
      }
    }
  });

  it("rejects a proof for the wrong leaf, the wrong index, or an index beyond the tree", async () => {
    const tree = leaves(6);
    const root = messageRoot(tree);
    const proof = messageProof(tree, 2);
    expect(await harness.verify(root, tree[3], 2, proof)).to.equal(false);
    expect(await harness.verify(root, tree[2], 3, proof)).to.equal(false);
    expect(await harness.verify(root, tree[2], 2 + 2 ** proof.length, proof)).to.equal(false);
    expect(await harness.verify(root, hexlify(randomBytes(32)), 2, proof)).to.equal(false);
  });

  it("hashes an L1 → L2 message as keccak256(abi.encode(nonce, from, to, value, gasLimit, data))", async () => {
    const message: L1Message = {
      nonce: 7n,
      from: "0x00000000000000000000000000000000000000f1",
      to: "0x00000000000000000000000000000000000000f2",
      value: 10n ** 18n,
      gasLimit: 100_000n,
      data: "0xdeadbeef",
    };
    expect(await harness.hashL1(message)).to.equal(hashL1Message(message));
  });

  it("hashes an L2 → L1 message as keccak256(abi.encode(nonce, from, to, value, data))", async () => {
    const message: L2Message = {
      nonce: 3n,
      from: "0x00000000000000000000000000000000000000f3",
      to: "0x00000000000000000000000000000000000000f4",
      value: 5n,
      data: "0x",
    };
    expect(await harness.hashL2(message)).to.equal(hashL2Message(message));
  });
});
