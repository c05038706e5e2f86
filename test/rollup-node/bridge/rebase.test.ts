import { RLP } from "@ethereumjs/rlp";
import { bytesToHex, concatBytes, hexToBytes } from "@ethereumjs/util";
import { expect } from "chai";
import { keccak256 } from "ethers";

import { findBlockBodies } from "../../../rollup-node/follower/blockBody";
import { parentHashOf } from "../../../rollup-node/bridge/rebase";

/** A header-shaped RLP list: its first field is the parent hash, then enough fields to be a header. */
function header(parentHash: `0x${string}`): Uint8Array {
  const fields: Uint8Array[] = [hexToBytes(parentHash)];
  for (let i = 0; i < 14; i++) fields.push(new Uint8Array(32).fill(i + 1));
  return RLP.encode(fields);
}

/** A block list of pre-encoded items (the body may be non-canonical RLP, which RLP.decode refuses). */
function blockOf(...items: Uint8Array[]): Uint8Array {
  const payload = concatBytes(...items);
  const length = payload.length;
  const lengthBytes = length < 256 ? Uint8Array.of(length) : Uint8Array.of(length >> 8, length & 0xff);
  return concatBytes(Uint8Array.of(0xf7 + lengthBytes.length), lengthBytes, payload);
}

describe("bridge: rebase walks back along the headers L1 accepted", () => {
  const parent: `0x${string}` = `0x${"ab".repeat(32)}`;
  const h = header(parent);
  const emptyList = Uint8Array.of(0xc0);

  it("reads the parent hash from the header, whatever body a decoy carries beside it", () => {
    // A decoy in the calldata before the real block: the same header (it hashes to the accepted
    // block hash) with a body item in a non-canonical encoding (0xb8 0x01 0x05: one byte in the
    // long form). Candidates are found by their header alone, so the decoy may come first.
    const decoy = blockOf(h, Uint8Array.of(0xb8, 0x01, 0x05), emptyList);
    const real = blockOf(h, emptyList, emptyList);
    const calldata = concatBytes(Uint8Array.of(0x12, 0x34, 0x56, 0x78), decoy, real);
    const found = findBlockBodies(bytesToHex(calldata), keccak256(h)).map((b) => b.blockRlp);
    expect(found.map((b) => bytesToHex(b))).to.deep.equal([bytesToHex(decoy), bytesToHex(real)]);
    expect(parentHashOf(found[0])).to.equal(parent);
    expect(parentHashOf(found[1])).to.equal(parent);
  });

  it("gives no parent for bytes that hold no header", () => {
    expect(parentHashOf(undefined)).to.equal("");
    expect(parentHashOf(Uint8Array.of(0x05))).to.equal("");
  });
});
