import { createFeeMarket1559Tx, createLegacyTx } from "@ethereumjs/tx";
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import { expect } from "chai";

import { Chain } from "../../../rollup-node/chain/chain";
import { createChainCommon } from "../../../rollup-node/chain/genesis";
import { Mempool } from "../../../rollup-node/l2/mempool";
import { decodeRawTransaction } from "../../../rollup-node/l2/rawTransaction";
import { rejection } from "../rejection";
import { L2_CHAIN_ID, common, signers, testGenesis } from "./l2Support";

const TO = "0x00000000000000000000000000000000000000aa";

async function reason(promise: Promise<unknown>): Promise<string> {
  return ((await rejection(promise)) as Error).message;
}

function fee(nonce: bigint, maxFeePerGas: bigint, maxPriorityFeePerGas: bigint, fields: { gasLimit?: bigint; value?: bigint; chainId?: bigint } = {}) {
  const chainId = fields.chainId ?? common.chainId();
  return createFeeMarket1559Tx(
    { chainId, nonce, maxFeePerGas, maxPriorityFeePerGas, gasLimit: fields.gasLimit ?? 21_000n, to: TO, value: fields.value ?? 0n },
    { common: chainId === common.chainId() ? common : createChainCommon(chainId) },
  ).sign(signerKey());
}

// The first dev signer's key (TestSigner seeds are 1, 2, …).
function signerKey(): Uint8Array {
  return hexToBytes(`0x${(1).toString(16).padStart(64, "0")}`);
}

describe("L2 mempool", () => {
  let chain: Chain;
  let pool: Mempool;

  beforeEach(async () => {
    chain = await Chain.create({ genesis: testGenesis() });
    pool = new Mempool({ chain });
  });

  it("orders each sender's transactions by nonce and counts contiguous ones in the pending nonce", async () => {
    const [alice, bob] = signers(2);
    const a0 = alice!.tx({ to: TO, gasLimit: 21_000n });
    const a1 = alice!.tx({ to: TO, gasLimit: 21_000n });
    const a2 = alice!.tx({ to: TO, gasLimit: 21_000n });
    const b0 = bob!.tx({ to: TO, gasLimit: 21_000n });
    for (const tx of [a2, b0, a0]) await pool.add(tx);
    expect(await pool.nextNonce(alice!.address.bytes)).to.equal(1n);
    await pool.add(a1);
    expect(await pool.nextNonce(alice!.address.bytes)).to.equal(3n);
    expect(pool.ordered().map((tx) => bytesToHex(tx.hash()))).to.deep.equal([a0, a1, a2, b0].map((tx) => bytesToHex(tx.hash())));
  });

  it("replaces a pooled transaction only when both fee fields rise by at least 10%", async () => {
    const original = fee(0n, 100n * 10n ** 9n, 10n * 10n ** 9n);
    await pool.add(original);
    expect(await reason(pool.add(fee(0n, 110n * 10n ** 9n, 10n * 10n ** 9n)))).to.equal("replacement transaction underpriced");
    expect(await reason(pool.add(fee(0n, 109n * 10n ** 9n, 11n * 10n ** 9n)))).to.equal("replacement transaction underpriced");
    const replacement = fee(0n, 110n * 10n ** 9n, 11n * 10n ** 9n);
    await pool.add(replacement);
    expect(pool.size).to.equal(1);
    expect(pool.get(original.hash())).to.equal(undefined);
    expect(pool.get(replacement.hash())).to.equal(replacement);
    expect(await reason(pool.add(replacement))).to.equal("already known");
  });

  it("rejects invalid transactions with geth's messages", async () => {
    const gwei = 10n ** 9n;
    await chain.mineBlock([fee(0n, 100n * gwei, gwei)]);
    expect(await reason(pool.add(fee(0n, 100n * gwei, gwei)))).to.equal("nonce too low");
    expect(await reason(pool.add(fee(1n, 100n * gwei, gwei, { value: 10n ** 30n })))).to.equal("insufficient funds for gas * price + value");
    expect(await reason(pool.add(fee(1n, 100n * gwei, gwei, { gasLimit: 20_000n })))).to.equal("intrinsic gas too low");
    expect(await reason(pool.add(fee(1n, 100n * gwei, gwei, { gasLimit: 5_000_000n })))).to.equal("exceeds block gas limit");
    expect(await reason(pool.add(fee(1n, 1n, 1n)))).to.equal("max fee per gas less than block base fee");
    expect(await reason(pool.add(fee(1n, 100n * gwei, gwei, { chainId: 1n })))).to.equal("invalid chain id");
    // Signed without EIP-155 (v = 27/28): replayable on every chain.
    const unprotected = createLegacyTx({ nonce: 1n, gasPrice: 100n * gwei, gasLimit: 21_000n, to: TO }, { common: createChainCommon(L2_CHAIN_ID, "tangerineWhistle") }).sign(signerKey());
    expect(await reason(pool.add(createLegacyTx(unprotected.toJSON(), { common })))).to.equal("only replay-protected (EIP-155) transactions allowed over RPC");
    expect(pool.size).to.equal(0);
  });

  it("decodes raw transactions with geth's messages for blobs, unknown types, and foreign chains", () => {
    const decodeError = (raw: Uint8Array): string => {
      try {
        decodeRawTransaction(raw, common);
        return "accepted";
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(decodeError(Uint8Array.from([0x03, 0xc0]))).to.equal("transaction type not supported");
    expect(decodeError(Uint8Array.from([0x05, 0xc0]))).to.equal("transaction type not supported");
    expect(decodeError(fee(0n, 10n ** 11n, 10n ** 9n, { chainId: 5n }).serialize())).to.equal("invalid chain id");
    const good = fee(0n, 10n ** 11n, 10n ** 9n);
    expect(bytesToHex(decodeRawTransaction(good.serialize(), common).hash())).to.equal(bytesToHex(good.hash()));
  });
});
