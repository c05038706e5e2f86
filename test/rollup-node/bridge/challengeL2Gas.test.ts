import { expect } from "chai";
import { encodeRlp, getBytes, toBeHex } from "ethers";

import { chargedL2Gas, l2GasClaimOfBlockRlp, maxVerifiableL2GasLimit } from "../../../precompiles/gas";
import { challengeL2Gas } from "../../../rollup-node/bridge/challenger";

/** A block RLP whose header is 15 fields with `gasLimit` at index 9 and `gasUsed` at 10, and the given body items. */
function blockRlp(gasLimit: bigint, gasUsed: bigint, transactions: unknown[]): Uint8Array {
  const header = Array.from({ length: 15 }, () => "0x");
  header[9] = gasLimit === 0n ? "0x" : toBeHex(gasLimit);
  header[10] = gasUsed === 0n ? "0x" : toBeHex(gasUsed);
  return getBytes(encodeRlp([header, transactions as string[], []]));
}

/** A legacy transaction's fields with the given gas limit (index 2). */
function legacyTx(gasLimit: bigint): string[] {
  return ["0x", "0x01", toBeHex(gasLimit), "0x", "0x", "0x", "0x1b", "0x01", "0x01"];
}

describe("challengeL2Gas: the L2 gas a challenge passes EXECUTE is never less than EXECUTE charges", () => {
  it("is EXECUTE's charge when the block's gas claim can be read", () => {
    const block = blockRlp(4_000_000n, 21_000n, [legacyTx(100_000n)]);
    const claim = l2GasClaimOfBlockRlp(block);
    expect(claim).to.not.equal(undefined);
    expect(challengeL2Gas(block)).to.equal(chargedL2Gas(claim as NonNullable<typeof claim>));
    expect(challengeL2Gas(block)).to.equal(100_000n);
  });

  it("is the header's gas limit when a transaction cannot be read (a legacy transaction wrapped as a byte string)", () => {
    const wrapped = encodeRlp(legacyTx(100_000n));
    const block = blockRlp(4_000_000n, 21_000n, [wrapped]);
    expect(l2GasClaimOfBlockRlp(block)).to.equal(undefined);
    expect(challengeL2Gas(block)).to.equal(4_000_000n);
  });

  it("is capped at the most EXECUTE verifies when the header claims more", () => {
    const block = blockRlp(maxVerifiableL2GasLimit() * 2n, 0n, ["0xff"]);
    expect(challengeL2Gas(block)).to.equal(maxVerifiableL2GasLimit());
  });

  it("is the most EXECUTE verifies when not even the header can be read", () => {
    expect(challengeL2Gas(Uint8Array.of(0xc3, 0x01, 0x02))).to.equal(maxVerifiableL2GasLimit());
    expect(challengeL2Gas(Uint8Array.of(0xff))).to.equal(maxVerifiableL2GasLimit());
  });
});
