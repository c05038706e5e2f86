import { createHash, randomBytes } from "node:crypto";
import path from "node:path";

import type { CustomCrypto } from "@ethereumjs/common";
import { calculateSigRecovery, ecrecover as jsEcrecover, setLengthLeft } from "@ethereumjs/util";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { keccak_256 as nobleKeccak256 } from "@noble/hashes/sha3.js";

/**
 * The one place that chooses how EthereumJS hashes and recovers, for every Common of the project
 * (L1 devnet, L2 node, `verifyBlock`, attesters, tests). Measured on the 2-core development
 * machine (µs per call, docs/design/native-crypto.md): keccak-256 of 532 bytes 70 with
 * @noble/hashes, 11 with the native `keccak` state, 7.8 with `hash-wasm`; public-key recovery
 * 1,990 with @noble/curves, 90 with the native `secp256k1`. So keccak is hash-wasm once its
 * WebAssembly is compiled (asynchronous: `prepareCrypto`), the native keccak until then, and
 * secp256k1 is native. Every fast path returns byte-for-byte what the pure-JS one returns
 * (test/precompiles/crypto.test.ts), so the choice never changes a verdict.
 *
 * A native module that does not load on a machine leaves the pure-JS one in place; the choice,
 * with the reason, is `cryptoChoice()`, for the caller to log once.
 */

export type KeccakBackend = "wasm" | "native" | "js";
export type Secp256k1Backend = "native" | "js";

export interface CryptoChoice {
  readonly keccak256: KeccakBackend;
  readonly secp256k1: Secp256k1Backend;
  /** Why a faster backend is not in use (a native module failed to load), if one is not. */
  readonly fallbacks: readonly string[];
}

/** The `ecsign` EthereumJS calls: noble's `sign(hash, key, { extraEntropy, format: "recovered", prehash: false })`. */
export type EcsignFunction = NonNullable<CustomCrypto["ecsign"]>;

/** Thrown by the fast `ecsign` for an option libsecp256k1 cannot honour identically. */
export class CryptoOptionError extends Error {
  readonly code = "CRYPTO_UNSUPPORTED_OPTION";
  readonly hint = 'sign with extraEntropy false, true or 32 bytes, and with format "recovered" and prehash false';
  constructor(message: string) {
    super(message);
    this.name = "CryptoOptionError";
  }
}

/** Keccak-f[1600] with capacity 512 (keccak-256): rate 1088 bits; 0x01 is Ethereum's (pre-SHA-3) padding. */
const KECCAK256_RATE_BITS = 1088;
const KECCAK256_CAPACITY_BITS = 512;
const KECCAK_PADDING = 0x01;
const HASH_BYTES = 32;
const SIGNATURE_BYTES = 64;

interface NativeKeccakState {
  initialize(rate: number, capacity: number): void;
  absorb(data: Buffer): void;
  absorbLastFewBits(bits: number): void;
  squeeze(length: number): Buffer;
}

interface NativeSecp256k1 {
  ecdsaRecover(signature: Uint8Array, recid: number, message: Uint8Array, compressed: boolean): Uint8Array;
  ecdsaSign(
    message: Uint8Array,
    privateKey: Uint8Array,
    options?: { data?: Uint8Array },
  ): { signature: Uint8Array; recid: number };
}

interface WasmHasher {
  init(): WasmHasher;
  update(data: Uint8Array): WasmHasher;
  digest(format: "binary"): Uint8Array;
}

export type HashFunction = (message: Uint8Array) => Uint8Array;

const fallbacks: string[] = [];
let keccakBackend: KeccakBackend = "js";
let keccakImpl: HashFunction = nobleKeccak256;
let nativeKeccak: HashFunction | undefined;
let wasmKeccak: HashFunction | undefined;
let nativeSecp: NativeSecp256k1 | undefined;
let loaded = false;
let wasmLoading: Promise<void> | undefined;

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The native addons directly: the packages' own entry points fall back to slower JS silently. */
function loadNative(): void {
  if (loaded) return;
  loaded = true;
  try {
    // node-gyp-build picks the prebuilt binary; `keccak/bindings` would wrap it in a stream per hash.
    const keccakDir = path.dirname(require.resolve("keccak/bindings"));
    const nodeGypBuild = require(require.resolve("node-gyp-build", { paths: [keccakDir] })) as (
      dir: string,
    ) => new () => NativeKeccakState;
    const State = nodeGypBuild(keccakDir);
    const state = new State();
    nativeKeccak = (message: Uint8Array): Uint8Array => {
      state.initialize(KECCAK256_RATE_BITS, KECCAK256_CAPACITY_BITS);
      state.absorb(asBuffer(message));
      state.absorbLastFewBits(KECCAK_PADDING);
      // A copy with its own buffer, as noble returns: never a view on Node's shared pool.
      return new Uint8Array(state.squeeze(HASH_BYTES));
    };
    keccakImpl = nativeKeccak;
    keccakBackend = "native";
  } catch (error) {
    fallbacks.push(
      `native keccak did not load (${(error as Error).message}); keccak-256 runs in JavaScript until WebAssembly is ready`,
    );
  }
  try {
    nativeSecp = require("secp256k1/bindings") as NativeSecp256k1;
  } catch (error) {
    fallbacks.push(
      `native secp256k1 did not load (${(error as Error).message}); signatures are recovered in JavaScript (about 20 times slower)`,
    );
  }
}

/** keccak-256 by the fastest loaded backend. */
export function keccak256(message: Uint8Array): Uint8Array {
  return keccakImpl(message);
}

/**
 * `ecrecover` as EthereumJS defines it (`@ethereumjs/util`): the 64-byte public key. Inputs the
 * native library cannot take as they are (a message hash that is not 32 bytes) go to the JS one,
 * so both agree on every input; on an invalid signature both throw.
 */
export function ecrecover(msgHash: Uint8Array, v: bigint, r: Uint8Array, s: Uint8Array, chainId?: bigint): Uint8Array {
  const native = nativeSecp;
  if (native === undefined || msgHash.length !== HASH_BYTES) return jsEcrecover(msgHash, v, r, s, chainId);
  const recovery = calculateSigRecovery(v, chainId);
  if (recovery !== 0n && recovery !== 1n) throw new Error("Invalid signature v value");
  const signature = new Uint8Array(SIGNATURE_BYTES);
  signature.set(setLengthLeft(r, HASH_BYTES), 0);
  signature.set(setLengthLeft(s, HASH_BYTES), HASH_BYTES);
  return native.ecdsaRecover(signature, Number(recovery), msgHash, false).slice(1);
}

/**
 * noble's `secp256k1.sign(hash, key, { format: "recovered", prehash: false, extraEntropy })`:
 * `[recovery, r, s]`, low-s, RFC 6979 nonce (extra entropy appended to the seed as in both).
 */
export const ecsign: EcsignFunction = ((
  message: Uint8Array,
  secretKey: Uint8Array,
  opts: { extraEntropy?: boolean | Uint8Array; format?: string; prehash?: boolean } = {},
): Uint8Array => {
  const native = nativeSecp;
  if (native === undefined) throw new CryptoOptionError("native secp256k1 is not loaded");
  if (opts.format !== "recovered" || opts.prehash !== false)
    throw new CryptoOptionError(
      `format ${String(opts.format)} / prehash ${String(opts.prehash)} is not what EthereumJS asks for`,
    );
  let data: Uint8Array | undefined;
  if (opts.extraEntropy === true) data = randomBytes(HASH_BYTES);
  else if (opts.extraEntropy instanceof Uint8Array) {
    if (opts.extraEntropy.length !== HASH_BYTES)
      throw new CryptoOptionError(`extraEntropy of ${opts.extraEntropy.length} bytes (32 needed)`);
    data = opts.extraEntropy;
  }
  const { signature, recid } = native.ecdsaSign(message, secretKey, data === undefined ? undefined : { data });
  const out = new Uint8Array(1 + SIGNATURE_BYTES);
  out[0] = recid;
  out.set(signature, 1);
  return out;
}) as unknown as EcsignFunction;

/** sha-256 by Node's own OpenSSL (always present), as a plain Uint8Array. */
export function sha256(message: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(message).digest());
}

/**
 * The fast crypto for `Common.customCrypto` (without `kzg`, which stays the caller's). Loads the
 * native modules on first use; keccak switches to WebAssembly once `prepareCrypto()` resolves.
 */
export function fastCrypto(): CustomCrypto {
  loadNative();
  const crypto: CustomCrypto = { keccak256, sha256 };
  if (nativeSecp !== undefined) return { ...crypto, ecrecover, ecsign };
  return crypto;
}

/**
 * The pure-JS crypto EthereumJS uses by default, the baseline benchmarks and tests compare
 * against. `ecsign` is present but undefined so that it overrides a fast one when spread over it
 * (`genesisForkCommon`): EthereumJS then signs with @noble/curves.
 */
export function jsCrypto(): CustomCrypto {
  return { keccak256: nobleKeccak256, ecrecover: jsEcrecover, sha256: nobleSha256, ecsign: undefined };
}

export interface CryptoCandidates {
  readonly keccak256: Partial<Record<KeccakBackend, HashFunction>>;
  readonly ecrecover: Partial<Record<Secp256k1Backend, NonNullable<CustomCrypto["ecrecover"]>>>;
}

/** Every implementation that loads on this machine, by backend: what the choice is measured and tested on. */
export async function cryptoCandidates(): Promise<CryptoCandidates> {
  await prepareCrypto();
  const keccak: Partial<Record<KeccakBackend, HashFunction>> = { js: nobleKeccak256 };
  if (nativeKeccak !== undefined) keccak.native = nativeKeccak;
  if (wasmKeccak !== undefined) keccak.wasm = wasmKeccak;
  return {
    keccak256: keccak,
    ecrecover: nativeSecp === undefined ? { js: jsEcrecover } : { js: jsEcrecover, native: ecrecover },
  };
}

/**
 * Compiles the WebAssembly keccak (once per process; later calls share the promise). Hashing is
 * correct before it resolves, only slower; a failure leaves the native or JS keccak in place.
 */
export function prepareCrypto(): Promise<CryptoChoice> {
  loadNative();
  wasmLoading ??= (async (): Promise<void> => {
    try {
      const { createKeccak } = require("hash-wasm") as { createKeccak(bits: 256): Promise<WasmHasher> };
      const hasher = await createKeccak(256);
      // One hasher serves every call: each runs init → update → digest synchronously, so calls never interleave.
      wasmKeccak = (message: Uint8Array): Uint8Array => hasher.init().update(message).digest("binary");
      keccakImpl = wasmKeccak;
      keccakBackend = "wasm";
    } catch (error) {
      fallbacks.push(`WebAssembly keccak did not load (${(error as Error).message})`);
    }
  })();
  return wasmLoading.then(cryptoChoice);
}

/** Which backends are in use, and why a faster one is not. */
export function cryptoChoice(): CryptoChoice {
  loadNative();
  return { keccak256: keccakBackend, secp256k1: nativeSecp === undefined ? "js" : "native", fallbacks: [...fallbacks] };
}

let reported = false;

/** Logs, once per process, that a native module fell back to JavaScript (nothing when all loaded). */
export function reportCryptoFallbacks(log: (message: string) => void): void {
  const { fallbacks: reasons } = cryptoChoice();
  if (reported || reasons.length === 0) return;
  reported = true;
  log(`crypto: ${reasons.join("; ")}`);
}
