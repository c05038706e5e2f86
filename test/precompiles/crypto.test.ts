import { randomBytes } from "node:crypto";

import type { CustomCrypto } from "@ethereumjs/common";
import { createFeeMarket1559Tx, createLegacyTx } from "@ethereumjs/tx";
import { bigIntToBytes, bigIntToUnpaddedBytes, bytesToHex, setLengthLeft } from "@ethereumjs/util";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { expect } from "chai";
import { SigningKey, getBytes } from "ethers";

import {
  type CryptoCandidates,
  cryptoCandidates,
  cryptoChoice,
  fastCrypto,
  jsCrypto,
  prepareCrypto,
  sha256,
} from "../../precompiles/crypto";
import { genesisForkCommon } from "../../precompiles/forkSchedule";

/** secp256k1's group order and field prime. */
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;
const RANDOM_CASES = 300;
const CHAIN_ID = 901n;

type Ecrecover = NonNullable<CustomCrypto["ecrecover"]>;

/** The outcome of one call: the bytes, or that it threw (messages differ between libraries, callers only see that it failed). */
function outcome(run: () => Uint8Array): string {
  try {
    return bytesToHex(run());
  } catch {
    return "threw";
  }
}

function bytes32(value: bigint): Uint8Array {
  return setLengthLeft(bigIntToBytes(value), 32);
}

interface SignatureCase {
  readonly name: string;
  readonly hash: Uint8Array;
  readonly v: bigint;
  readonly r: Uint8Array;
  readonly s: Uint8Array;
  readonly chainId?: bigint;
}

function signed(hash: Uint8Array): { r: bigint; s: bigint; yParity: number } {
  const sig = new SigningKey(randomBytes(32)).sign(hash);
  return { r: BigInt(sig.r), s: BigInt(sig.s), yParity: sig.yParity };
}

/** Valid signatures in every `v` convention, and the malformed ones a block or a precompile call may carry. */
function signatureCases(count: number): SignatureCase[] {
  const cases: SignatureCase[] = [];
  for (let i = 0; i < count; i++) {
    const hash = i === 0 ? new Uint8Array(32) : new Uint8Array(randomBytes(32));
    const { r, s, yParity } = signed(hash);
    const rb = bigIntToUnpaddedBytes(r);
    const sb = bigIntToUnpaddedBytes(s);
    const y = BigInt(yParity);
    cases.push(
      { name: "v 27/28", hash, v: 27n + y, r: rb, s: sb },
      { name: "v 0/1 (typed transactions)", hash, v: y, r: rb, s: sb },
      { name: "EIP-155 v", hash, v: 35n + 2n * CHAIN_ID + y, r: rb, s: sb, chainId: CHAIN_ID },
      { name: "the other parity", hash, v: 28n - y, r: rb, s: sb },
      // Recovery does not judge s (EIP-2's rule is the transaction's): both recover some key.
      { name: "high s", hash, v: 28n - y, r: rb, s: bigIntToUnpaddedBytes(N - s) },
      { name: "r and s padded to 32 bytes", hash, v: 27n + y, r: bytes32(r), s: bytes32(s) },
      { name: "r longer than 32 bytes", hash, v: 27n + y, r: new Uint8Array([1, ...bytes32(r)]), s: sb },
      { name: "invalid recovery id 2", hash, v: 29n, r: rb, s: sb },
      { name: "invalid v 26", hash, v: 26n, r: rb, s: sb },
      { name: "EIP-155 v of another chain", hash, v: 35n + 2n * (CHAIN_ID + 1n) + y, r: rb, s: sb, chainId: CHAIN_ID },
      {
        name: "random r and s",
        hash,
        v: 27n + y,
        r: new Uint8Array(randomBytes(32)),
        s: new Uint8Array(randomBytes(32)),
      },
    );
  }
  const hash = new Uint8Array(randomBytes(32));
  const { r, s } = signed(hash);
  for (const [name, rr, ss] of [
    ["r zero", 0n, s],
    ["s zero", r, 0n],
    ["r = n", N, s],
    ["s = n", r, N],
    ["r = n - 1", N - 1n, s],
    ["s = n - 1", r, N - 1n],
    ["r = p - 1 (above n)", P - 1n, s],
    ["r = 2^256 - 1", 2n ** 256n - 1n, s],
    ["r = 1", 1n, s],
  ] as const) {
    for (const v of [27n, 28n])
      cases.push({ name, hash, v, r: bigIntToUnpaddedBytes(rr), s: bigIntToUnpaddedBytes(ss) });
  }
  cases.push({ name: "empty r and s", hash, v: 27n, r: new Uint8Array(), s: new Uint8Array() });
  cases.push({
    name: "31-byte hash",
    hash: hash.subarray(1),
    v: 27n,
    r: bigIntToUnpaddedBytes(r),
    s: bigIntToUnpaddedBytes(s),
  });
  cases.push({
    name: "33-byte hash",
    hash: new Uint8Array([...hash, 7]),
    v: 27n,
    r: bigIntToUnpaddedBytes(r),
    s: bigIntToUnpaddedBytes(s),
  });
  return cases;
}

/** Lengths around keccak's 136-byte block, the 532-byte branch node, and random ones. */
function keccakInputs(): Uint8Array[] {
  const lengths = [0, 1, 31, 32, 33, 64, 135, 136, 137, 271, 272, 273, 532, 4096, 24_576];
  for (let i = 0; i < RANDOM_CASES; i++) lengths.push(Math.floor(Math.random() * 2048));
  const inputs = lengths.map((length) => new Uint8Array(randomBytes(length)));
  // A view into a larger buffer (trie code hashes subarrays) and a Node Buffer from the shared pool.
  const backing = new Uint8Array(randomBytes(600));
  inputs.push(backing.subarray(17, 549), Buffer.from(randomBytes(40)), new Uint8Array(136).fill(0xff));
  return inputs;
}

describe("crypto: the fast backends return what the JavaScript ones return", () => {
  let candidates: CryptoCandidates;

  before(async () => {
    candidates = await cryptoCandidates();
  });

  it("loads the native secp256k1 and the WebAssembly keccak on this machine (the chosen backends)", async () => {
    const choice = await prepareCrypto();
    expect(choice).to.deep.equal({ keccak256: "wasm", secp256k1: "native", fallbacks: [] });
    expect(Object.keys(candidates.keccak256).sort()).to.deep.equal(["js", "native", "wasm"]);
    expect(cryptoChoice().keccak256).to.equal("wasm");
  });

  it("keccak-256: every backend equals @noble/hashes, from empty input to 24 KiB", () => {
    const js = candidates.keccak256.js!;
    const inputs = keccakInputs();
    for (const [backend, hash] of Object.entries(candidates.keccak256)) {
      for (const input of inputs) {
        const copy = Uint8Array.from(input);
        const out = hash(input);
        expect(out, `${backend} on ${input.length} bytes`).to.be.instanceOf(Uint8Array);
        expect(bytesToHex(out), `${backend} on ${input.length} bytes`).to.equal(bytesToHex(js(input)));
        // `eql`: the same comparison, without hardhat-chai-matchers' address check, which renders
        // each operand (up to 48 KB of hex here) into an error message on every call.
        expect(bytesToHex(input), "the input is not modified").to.eql(bytesToHex(copy));
      }
    }
    expect(bytesToHex(js(new Uint8Array()))).to.equal(
      "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
    );
  });

  it("keccak-256: a returned hash is its own memory (a later hash does not overwrite it)", () => {
    for (const [backend, hash] of Object.entries(candidates.keccak256)) {
      const first = hash(new Uint8Array([1]));
      const kept = bytesToHex(first);
      hash(new Uint8Array([2]));
      expect(bytesToHex(first), backend).to.equal(kept);
      expect(first.buffer.byteLength, backend).to.equal(32);
    }
  });

  it("ecrecover: native and JavaScript agree on valid, high-s, out-of-range and wrong-v signatures", () => {
    const { js, native } = candidates.ecrecover as Record<string, Ecrecover>;
    expect(native, "native secp256k1 loaded").to.not.equal(undefined);
    const cases = signatureCases(RANDOM_CASES / 3);
    const verdicts = new Map<string, Set<string>>();
    for (const c of cases) {
      const expected = outcome(() => js(c.hash, c.v, c.r, c.s, c.chainId));
      const actual = outcome(() => native(c.hash, c.v, c.r, c.s, c.chainId));
      expect(actual, `${c.name}: v ${c.v} r ${bytesToHex(c.r)} s ${bytesToHex(c.s)}`).to.equal(expected);
      const kinds = verdicts.get(c.name) ?? new Set<string>();
      kinds.add(expected === "threw" ? "threw" : "key");
      verdicts.set(c.name, kinds);
    }
    // The cases reach both outcomes where they should, so the comparison is not vacuous.
    expect([...verdicts.get("v 27/28")!]).to.deep.equal(["key"]);
    expect([...verdicts.get("high s")!]).to.deep.equal(["key"]);
    expect([...verdicts.get("invalid recovery id 2")!]).to.deep.equal(["threw"]);
    expect([...verdicts.get("r = n")!]).to.deep.equal(["threw"]);
    expect([...verdicts.get("s zero")!]).to.deep.equal(["threw"]);
  });

  it("sha-256: Node's equals @noble/hashes", () => {
    for (const input of keccakInputs()) expect(bytesToHex(sha256(input))).to.equal(bytesToHex(nobleSha256(input)));
  });

  it("ecsign: transactions signed with the native library are byte-identical to EthereumJS's own signing", () => {
    const fast = genesisForkCommon(CHAIN_ID, { hardfork: "osaka" });
    const slow = genesisForkCommon(CHAIN_ID, { hardfork: "osaka", customCrypto: jsCrypto() });
    expect(fast.customCrypto.ecsign).to.equal(fastCrypto().ecsign);
    expect(slow.customCrypto.ecsign).to.equal(undefined);
    for (let i = 0; i < 50; i++) {
      const key = new Uint8Array(randomBytes(32));
      const fields = {
        nonce: BigInt(i),
        gasLimit: 21_000n,
        to: `0x${"11".repeat(20)}`,
        value: BigInt(i),
        data: new Uint8Array(randomBytes(i)),
      } as const;
      const entropy = new Uint8Array(randomBytes(32));
      for (const extraEntropy of [false, entropy]) {
        const a = createFeeMarket1559Tx(
          { ...fields, chainId: CHAIN_ID, maxFeePerGas: 10n, maxPriorityFeePerGas: 1n },
          { common: fast },
        ).sign(key, extraEntropy);
        const b = createFeeMarket1559Tx(
          { ...fields, chainId: CHAIN_ID, maxFeePerGas: 10n, maxPriorityFeePerGas: 1n },
          { common: slow },
        ).sign(key, extraEntropy);
        expect(bytesToHex(a.serialize())).to.equal(bytesToHex(b.serialize()));
        expect(a.getSenderAddress().toString()).to.equal(b.getSenderAddress().toString());
      }
      const legacyA = createLegacyTx({ ...fields, gasPrice: 10n }, { common: fast }).sign(key);
      const legacyB = createLegacyTx({ ...fields, gasPrice: 10n }, { common: slow }).sign(key);
      expect(bytesToHex(legacyA.serialize())).to.equal(bytesToHex(legacyB.serialize()));
      expect(getBytes(legacyA.hash())).to.deep.equal(getBytes(legacyB.hash()));
    }
  });

  it("every Common of the project carries the fast crypto, and an explicit customCrypto overrides it", () => {
    const common = genesisForkCommon(CHAIN_ID, { hardfork: "osaka" });
    const fast = fastCrypto();
    expect(common.customCrypto.keccak256).to.equal(fast.keccak256);
    expect(common.customCrypto.ecrecover).to.equal(fast.ecrecover);
    expect(common.customCrypto.sha256).to.equal(fast.sha256);
    const js = jsCrypto();
    const baseline = genesisForkCommon(CHAIN_ID, { hardfork: "osaka", customCrypto: js });
    expect(baseline.customCrypto.keccak256).to.equal(js.keccak256);
    expect(baseline.customCrypto.ecrecover).to.equal(js.ecrecover);
  });
});
