import { createBlob4844Tx, createFeeMarket1559Tx } from "@ethereumjs/tx";
import { type PrefixedHexString, bytesToHex, createAddressFromPrivateKey, hexToBytes } from "@ethereumjs/util";
import { expect } from "chai";

import { Chain } from "../../../rollup-node/chain/chain";

const KEYS = [
  hexToBytes("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"),
  hexToBytes("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"),
];
const GENESIS_TIME = 1_700_000_000n;

/** A blob transaction as it sits in a block: versioned hashes only (the sidecar was checked on submission). */
function blobTx(chain: Chain, key: Uint8Array, blobs: number) {
  const blobVersionedHashes = Array.from(
    { length: blobs },
    (_, i): PrefixedHexString => `0x01${i.toString(16).padStart(62, "0")}`,
  );
  return createBlob4844Tx(
    {
      nonce: 0n,
      to: "0x00000000000000000000000000000000000000bb",
      gasLimit: 21_000n,
      maxFeePerGas: 10n ** 10n,
      maxPriorityFeePerGas: 1n,
      maxFeePerBlobGas: 10n ** 10n,
      chainId: 1337n,
      blobVersionedHashes,
    },
    { common: chain.common },
  ).sign(key);
}

describe("block building with blob transactions", () => {
  it("records the blobs' gas in the header and leaves a transaction that no longer fits for a later block", async () => {
    const alloc = Object.fromEntries(
      KEYS.map((k) => [createAddressFromPrivateKey(k).toString(), { balance: 10n ** 21n }]),
    );
    const chain = await Chain.create({
      genesis: { chainId: 1337n, hardfork: "osaka", timestamp: GENESIS_TIME, alloc },
      now: () => GENESIS_TIME,
    });
    const perBlob = chain.common.param("blobGasPerBlob");
    const maxBlobs = chain.common.getBlobGasSchedule().maxBlobGasPerBlock / perBlob;
    const first = blobTx(chain, KEYS[0]!, 6);
    const second = blobTx(chain, KEYS[1]!, 6);
    expect(12n).to.be.greaterThan(maxBlobs, "the two transactions must not fit one block for this test");

    const mined = await chain.mineBlock([first, second]);
    expect(mined.record.block.transactions.map((t) => bytesToHex(t.hash()))).to.deep.equal([bytesToHex(first.hash())]);
    expect(mined.record.block.header.blobGasUsed).to.equal(6n * perBlob);
    expect(mined.skipped.map((s) => [bytesToHex(s.tx.hash()), s.reason, s.retryable])).to.deep.equal([
      [bytesToHex(second.hash()), "block blob gas limit reached", true],
    ]);

    const next = await chain.mineBlock([second]);
    expect(next.record.block.header.blobGasUsed).to.equal(6n * perBlob);
  });
});

describe("block building with transactions below the base fee", () => {
  it("keeps a transaction whose fee cap is below the block's base fee for a later block, with its sender's later nonces", async () => {
    const sender = createAddressFromPrivateKey(KEYS[0]!).toString();
    const chain = await Chain.create({
      genesis: {
        chainId: 1337n,
        hardfork: "osaka",
        timestamp: GENESIS_TIME,
        alloc: { [sender]: { balance: 10n ** 21n } },
      },
      now: () => GENESIS_TIME,
    });
    const baseFee = chain.head.header.calcNextBaseFee();
    const transfer = (nonce: bigint, maxFeePerGas: bigint) =>
      createFeeMarket1559Tx(
        {
          nonce,
          to: "0x00000000000000000000000000000000000000bb",
          gasLimit: 21_000n,
          maxFeePerGas,
          maxPriorityFeePerGas: 1n,
          chainId: 1337n,
        },
        { common: chain.common },
      ).sign(KEYS[0]!);
    const underpriced = transfer(0n, baseFee - 1n);
    const next = transfer(1n, baseFee * 10n);
    const mined = await chain.mineBlock([underpriced, next]);
    expect(mined.record.block.transactions).to.have.length(0);
    expect(mined.skipped.map((s) => [bytesToHex(s.tx.hash()), s.reason, s.retryable])).to.deep.equal([
      [bytesToHex(underpriced.hash()), "max fee per gas less than block base fee", true],
      [bytesToHex(next.hash()), "nonce too high", true],
    ]);
  });
});
