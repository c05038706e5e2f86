import { RLP } from "@ethereumjs/rlp";
import { createFeeMarket1559Tx } from "@ethereumjs/tx";
import { expect } from "chai";

import { MAX_RLP_DEPTH, RlpTooDeepError, checkRlpDepth, decodeBoundedRlp } from "../../precompiles";
import { nestedLists, rlpListOf } from "../../tools/deepRlp";
import { TestSigner } from "../../tools/l2Fixtures";
import { L2TestChain } from "../../tools/l2TestChain";
import { cpuSeconds } from "../../tools/cpuTime";

describe("precompiles/rlpDepth: the bound on RLP nesting", () => {
  it("accepts lists nested MAX_RLP_DEPTH deep and refuses one more level, naming where", () => {
    // nestedLists(n) opens n + 1 lists: n around the innermost empty list.
    expect(() => checkRlpDepth(nestedLists(MAX_RLP_DEPTH - 1))).not.to.throw();
    let thrown: unknown;
    try {
      checkRlpDepth(nestedLists(MAX_RLP_DEPTH));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).to.be.instanceOf(RlpTooDeepError);
    expect((thrown as RlpTooDeepError).offset).to.equal(MAX_RLP_DEPTH);
    expect((thrown as Error).message).to.match(/lists nested deeper than 16/);
  });

  it("counts depth, not lists: many sibling lists and a long byte string pass", () => {
    const siblings = rlpListOf(Uint8Array.from(Array.from({ length: 10_000 }, () => 0xc0)));
    expect(() => checkRlpDepth(siblings)).not.to.throw();
    expect(() => checkRlpDepth(RLP.encode([new Uint8Array(100_000), [[[new Uint8Array(3)]]]]))).not.to.throw();
  });

  it("decodes a typed transaction with an access list (4 deep) as RLP.decode does", async () => {
    const chain = await L2TestChain.create(908n, []);
    const signer = TestSigner.fromSeed(5, chain.common);
    const raw = createFeeMarket1559Tx(
      {
        chainId: 908n,
        maxFeePerGas: 10n ** 11n,
        gasLimit: 100_000n,
        accessList: [{ address: `0x${"11".repeat(20)}`, storageKeys: [`0x${"22".repeat(32)}`] }],
      },
      { common: chain.common },
    )
      .sign(signer.privateKey)
      .serialize();
    expect(decodeBoundedRlp(raw.subarray(1))).to.deep.equal(RLP.decode(raw.subarray(1)));
  });

  it("leaves bytes whose prefixes do not add up to the decoder's own error", () => {
    // A list claiming 10 bytes that holds 2: not a depth problem.
    const broken = Uint8Array.of(0xca, 0xc1, 0xc0);
    expect(() => checkRlpDepth(broken)).not.to.throw();
    expect(() => decodeBoundedRlp(broken)).to.throw(/invalid RLP/);
    expect(() => decodeBoundedRlp(broken)).not.to.throw(RlpTooDeepError);
  });

  it("scans in time linear in the bytes: 8x the bytes costs far less than 64x the CPU", () => {
    // Lists nested 15 deep, side by side in one list: every byte is a prefix the scan reads.
    const block = nestedLists(MAX_RLP_DEPTH - 2);
    const siblings = (count: number): Uint8Array => {
      const payload = new Uint8Array(block.length * count);
      for (let i = 0; i < count; i++) payload.set(block, i * block.length);
      return rlpListOf(payload);
    };
    const small = siblings(4_000);
    const large = siblings(32_000);
    const time = (bytes: Uint8Array): number => {
      const start = cpuSeconds();
      for (let i = 0; i < 5; i++) checkRlpDepth(bytes);
      return cpuSeconds() - start;
    };
    time(small);
    time(large); // warm-up of both
    const ratio = time(large) / Math.max(time(small), 1e-4);
    expect(ratio).to.be.below(32);
  });
});
