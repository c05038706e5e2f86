import type { Common } from "@ethereumjs/common";
import { RLP } from "@ethereumjs/rlp";
import { type TypedTransaction, createAccessList2930Tx, createFeeMarket1559Tx, createTxFromRLP } from "@ethereumjs/tx";
import { bigIntToBytes } from "@ethereumjs/util";
import { expect } from "chai";

import { createChainCommon } from "../../../rollup-node/chain/genesis";
import { decodeRawTransaction } from "../../../rollup-node/l2/rawTransaction";
import { createTxWithPreparedCommon } from "../../../rollup-node/l2/txCommon";
import { TestSigner } from "../../../tools/l2Fixtures";
import { transactionView } from "../../support/transactionView";
import { L2_CHAIN_ID } from "./l2Support";

/**
 * The admission's transaction decoding with one prepared parameter merge per chain Common
 * (`createTxWithPreparedCommon`, rollup-node/l2/txCommon.ts) against EthereumJS's
 * `createTxFromRLP(raw, { common, freeze: false })`: the same transaction (down to its Common's
 * parameter cache and recorded options) or the same error, also after the chain's Common moved to
 * another fork or gained parameters.
 */

/** One decoding's outcome as far as anything can read it, or the decoder's error. */
function outcome(decode: () => TypedTransaction): unknown {
  try {
    const tx = decode();
    return { ...transactionView(tx), optionsFreeze: tx.txOptions.freeze };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** The raw transactions both decoders are given: every accepted type, and encodings the constructors refuse. */
function rawTransactions(): Record<string, Uint8Array> {
  const common = createChainCommon(L2_CHAIN_ID);
  const other = createChainCommon(L2_CHAIN_ID + 1n);
  const signer = TestSigner.fromSeed(41, common);
  const to = "0x00000000000000000000000000000000000000cc" as const;
  const fee = { maxFeePerGas: 10n ** 11n, maxPriorityFeePerGas: 10n ** 9n, gasLimit: 50_000n, to, value: 1n };
  const legacy = signer.legacyTx({ to, value: 3n }).serialize();
  const highS = RLP.decode(legacy) as unknown as Uint8Array[];
  highS[8] = bigIntToBytes(2n ** 255n);
  const dynamicFee = signer.tx({ to, value: 5n, gasLimit: 21_000n }).serialize();
  const overCap = RLP.decode(dynamicFee.subarray(1)) as unknown as Uint8Array[];
  overCap[4] = bigIntToBytes(2n ** 24n + 1n);
  return {
    legacy,
    "2930": createAccessList2930Tx(
      {
        chainId: L2_CHAIN_ID,
        gasPrice: 10n ** 11n,
        gasLimit: 30_000n,
        to,
        accessList: [{ address: to, storageKeys: [] }],
      },
      { common },
    )
      .sign(signer.privateKey)
      .serialize(),
    "1559": dynamicFee,
    "7702": signer.delegationTx(TestSigner.fromSeed(42, common), to, "0x").serialize(),
    "1559 of another chain": createFeeMarket1559Tx({ ...fee, chainId: L2_CHAIN_ID + 1n }, { common: other })
      .sign(signer.privateKey)
      .serialize(),
    unsigned: createFeeMarket1559Tx({ ...fee, chainId: L2_CHAIN_ID }, { common }).serialize(),
    "high s": RLP.encode(highS),
    "above EIP-7825's gas cap": Uint8Array.of(dynamicFee[0] as number, ...RLP.encode(overCap)),
    "legacy list of five items": RLP.encode(highS.slice(0, 5)),
  };
}

/** Decodes every raw transaction both ways, each way with a chain Common of its own (copies share their parameters). */
function decodeBoth(
  raws: Record<string, Uint8Array>,
  prepared: Common,
  upstream: Common,
): { name: string; prepared: unknown; upstream: unknown }[] {
  return Object.entries(raws).map(([name, raw]) => ({
    name,
    prepared: outcome(() => createTxWithPreparedCommon(raw, prepared)),
    upstream: outcome(() => createTxFromRLP(raw, { common: upstream, freeze: false })),
  }));
}

describe("admission's transaction decoding with one parameter merge: as createTxFromRLP", () => {
  it("every accepted type and the refused encodings: the same transaction or the same error, twice over", () => {
    const raws = rawTransactions();
    const prepared = createChainCommon(L2_CHAIN_ID);
    const upstream = createChainCommon(L2_CHAIN_ID);
    // Twice: the second round decodes with the copy the first prepared.
    for (const round of [1, 2]) {
      const results = decodeBoth(raws, prepared, upstream);
      for (const { name, prepared: mine, upstream: theirs } of results)
        expect(mine, `${name}, round ${round}`).to.deep.equal(theirs);
      // Not vacuous: the constructors accepted some and refused others.
      const refused = results.filter((r) => (r.upstream as { error?: string }).error !== undefined).length;
      expect(refused).to.be.greaterThanOrEqual(3);
      expect(refused).to.be.lessThan(results.length);
    }
  });

  it("follows the chain's Common to another fork and to parameters merged after the first decoding", () => {
    const raws = rawTransactions();
    const prepared = createChainCommon(L2_CHAIN_ID);
    const upstream = createChainCommon(L2_CHAIN_ID);
    decodeBoth(raws, prepared, upstream);
    // A fork schedule's next block moves the chain's Common (Chain.useForkOf): here back to one without 7702.
    for (const common of [prepared, upstream]) common.setHardfork("cancun");
    const atCancun = decodeBoth(raws, prepared, upstream);
    for (const { name, prepared: mine, upstream: theirs } of atCancun)
      expect(mine, `${name} at cancun`).to.deep.equal(theirs);
    expect((atCancun.find((r) => r.name === "7702")?.upstream as { error?: string }).error).to.be.a("string");
    // A parameter set merged into the shared parameters (as a library constructor's first merge does).
    for (const common of [prepared, upstream]) common.updateParams({ 1559: { txParameterOfThisTest: 7 } });
    const merged = decodeBoth(raws, prepared, upstream);
    for (const { name, prepared: mine, upstream: theirs } of merged)
      expect(mine, `${name} after a merge`).to.deep.equal(theirs);
    const { params } = merged.find((r) => r.name === "1559")?.prepared as { params: string };
    expect(params).to.include("txParameterOfThisTest");
  });

  it("follows a parameter whose value changes while the number of parameters stays (attack-review-s29.md)", () => {
    const raws = rawTransactions();
    const prepared = createChainCommon(L2_CHAIN_ID);
    const upstream = createChainCommon(L2_CHAIN_ID);
    // A fork-scoped value overrides the EIPs' (EthereumJS's _buildParamsCache), also over paramsTx's.
    const fork = prepared.hardfork();
    for (const common of [prepared, upstream]) common.updateParams({ [fork]: { txGas: 30_000 } });
    decodeBoth(raws, prepared, upstream);
    for (const common of [prepared, upstream]) common.updateParams({ [fork]: { txGas: 40_000 } });
    const changed = decodeBoth(raws, prepared, upstream);
    for (const { name, prepared: mine, upstream: theirs } of changed)
      expect(mine, `${name} after a value changed`).to.deep.equal(theirs);
    const { params } = changed.find((r) => r.name === "1559")?.upstream as { params: string };
    expect(params, "not vacuous: upstream's transaction has the new value").to.include('"txGas":40000');
  });

  it("each transaction has a plain Common of its own, and the options name the chain's Common", () => {
    const common = createChainCommon(L2_CHAIN_ID);
    const raws = rawTransactions();
    const a = createTxWithPreparedCommon(raws["1559"] as Uint8Array, common);
    const b = createTxWithPreparedCommon(raws.legacy as Uint8Array, common);
    expect(a.common).to.not.equal(b.common);
    expect(a.common).to.not.equal(common);
    for (const tx of [a, b]) {
      expect(Object.hasOwn(tx.common, "updateParams") || Object.hasOwn(tx.common, "copy")).to.equal(false);
      expect(tx.txOptions.common).to.equal(common);
    }
    // runTx moves a transaction's Common to the block's fork: the other transaction's stays.
    a.common.setHardfork("cancun");
    expect(b.common.hardfork()).to.equal(common.hardfork());
    expect(b.common.hardfork()).to.not.equal("cancun");
  });

  it("an admitted transaction (decodeRawTransaction) is encoded once: upstream's bytes, a fresh copy on each call", () => {
    const common = createChainCommon(L2_CHAIN_ID);
    const raws = rawTransactions();
    for (const name of ["legacy", "2930", "1559", "7702"]) {
      const raw = raws[name] as Uint8Array;
      const tx = decodeRawTransaction(raw, common);
      const upstream = createTxFromRLP(raw, { common: createChainCommon(L2_CHAIN_ID) });
      expect(Object.isFrozen(tx), name).to.equal(true);
      expect(Object.hasOwn(tx, "serialize"), name).to.equal(true);
      const first = tx.serialize();
      expect(first, name).to.deep.equal(upstream.serialize());
      expect(tx.hash(), name).to.deep.equal(upstream.hash());
      first.fill(0);
      expect(tx.serialize(), `${name}, after a write into an earlier result`).to.deep.equal(upstream.serialize());
    }
  });
});
