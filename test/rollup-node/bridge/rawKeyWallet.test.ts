import { expect } from "chai";
import { Transaction, type TransactionRequest, Wallet, getBytes, hexlify, keccak256, toBeHex } from "ethers";

import { RawKeyWallet, signEip1559 } from "../../../rollup-node/bridge/rawKeyWallet";

/** A seeded stream of bytes (keccak in counter mode): a failing case is the same at every run. */
function randomStream(seed: string): (length: number) => Uint8Array {
  let counter = 0;
  let pool: Uint8Array = new Uint8Array();
  return (length) => {
    const out = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      if (pool.length === 0) pool = getBytes(keccak256(new TextEncoder().encode(`${seed}/${counter++}`)));
      const take = Math.min(pool.length, length - filled);
      out.set(pool.subarray(0, take), filled);
      pool = pool.subarray(take);
      filled += take;
    }
    return out;
  };
}

/** Data sizes 0 to 128 KiB: RLP's short and long string forms and their edges, a witness's sizes. */
const DATA_SIZES = [0, 1, 55, 56, 255, 256, 4096, 32 * 1024, 65_535, 65_536, 128 * 1024];

/** A random plain EIP-1559 call: every field set, fees from 0 to 2^128, values to 2^200. */
function randomRequest(random: (n: number) => Uint8Array, dataLength: number): TransactionRequest {
  const big = (bytes: number): bigint => BigInt(hexlify(random(bytes)));
  const maxFeePerGas = big(16);
  const priority = big(16);
  return {
    type: 2,
    chainId: 1n + big(8),
    // ethers signs nonces that are safe integers.
    nonce: Number(big(6)),
    to: hexlify(random(20)),
    gasLimit: big(8) >> 1n,
    maxFeePerGas,
    maxPriorityFeePerGas: priority % (maxFeePerGas + 1n),
    value: big(25),
    data: hexlify(random(dataLength)),
  };
}

describe("RawKeyWallet: EIP-1559 transactions signed from bytes", () => {
  it("signEip1559 makes the transaction ethers' Wallet signs, byte for byte, over random fields and data of 0-128 KiB", async () => {
    const random = randomStream("rawKeyWallet");
    for (const [i, size] of DATA_SIZES.entries()) {
      const wallet = new Wallet(hexlify(random(32)));
      const request = randomRequest(random, size);
      const expected = await wallet.signTransaction(request);
      const fields = {
        chainId: BigInt(request.chainId as bigint),
        nonce: BigInt(request.nonce as number),
        maxPriorityFeePerGas: request.maxPriorityFeePerGas as bigint,
        maxFeePerGas: request.maxFeePerGas as bigint,
        gasLimit: request.gasLimit as bigint,
        to: request.to as `0x${string}`,
        value: request.value as bigint,
        data: getBytes(request.data as string),
      };
      const raw = signEip1559(fields, getBytes(wallet.privateKey));
      expect(hexlify(raw), `case ${i}: ${size} bytes of data`).to.equal(expected);
      expect(keccak256(raw), `case ${i}: the hash`).to.equal(Transaction.from(expected).hash);
      expect(Transaction.from(hexlify(raw)).from, `case ${i}: the sender`).to.equal(wallet.address);
    }
  });

  it("RawKeyWallet.signTransaction signs plain EIP-1559 calls itself and gives ethers' bytes", async () => {
    const random = randomStream("rawKeyWallet.signTransaction");
    const original = Wallet.prototype.signTransaction;
    for (const [i, size] of DATA_SIZES.entries()) {
      const key = hexlify(random(32));
      const request = randomRequest(random, size);
      const expected = await new Wallet(key).signTransaction(request);
      // ethers' own signing made unavailable: the bytes must come from the bytes path.
      Wallet.prototype.signTransaction = async () => {
        throw new Error("ethers' Wallet.signTransaction was called");
      };
      try {
        const signed = await new RawKeyWallet(key).signTransaction({ ...request, from: new Wallet(key).address });
        expect(signed, `case ${i}: ${size} bytes of data`).to.equal(expected);
      } finally {
        Wallet.prototype.signTransaction = original;
      }
    }
  });

  it("leaves to ethers what is not a plain EIP-1559 call with every field set, and refuses another sender as ethers does", async () => {
    const random = randomStream("rawKeyWallet.fallback");
    const key = hexlify(random(32));
    const base = randomRequest(random, 100);
    const requests: TransactionRequest[] = [
      { ...base, type: 0, maxFeePerGas: undefined, maxPriorityFeePerGas: undefined, gasPrice: 7n },
      { ...base, accessList: [{ address: hexlify(random(20)), storageKeys: [toBeHex(1n, 32)] }] },
      // Refused by EthereumJS and by ethers: ethers' refusal is the one thrown.
      { ...base, maxFeePerGas: 1n, maxPriorityFeePerGas: 2n },
    ];
    const outcome = (signed: Promise<string>) => signed.catch((e: unknown) => `refused: ${String(e)}`);
    for (const [i, request] of requests.entries())
      expect(await outcome(new RawKeyWallet(key).signTransaction(request)), `case ${i}`).to.equal(
        await outcome(new Wallet(key).signTransaction(request)),
      );
    const other = Wallet.createRandom().address;
    const refusal = await new RawKeyWallet(key).signTransaction({ ...base, from: other }).catch((e: unknown) => e);
    expect(String(refusal)).to.match(/transaction from address mismatch/);
  });
});
