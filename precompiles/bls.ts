import { type EVMBLSInterface, EVMError, type EVMOpts, NobleBLS } from "@ethereumjs/evm";
import { bigIntToBytes, bytesToBigInt, concatBytes, setLengthLeft } from "@ethereumjs/util";
import type { IField } from "@noble/curves/abstract/modular.js";
import { bls12_381 } from "@noble/curves/bls12-381.js";

/**
 * The BLS12-381 backend of every EVM the project creates (docs/design/native-crypto.md, "BLS12-381
 * additions").
 *
 * EIP-2537's G1ADD (0x0b) and G2ADD (0x0d) check only that each point is on the curve and its
 * coordinates are field elements: no subgroup check. EthereumJS's default backend (`NobleBLS`)
 * decodes their points with noble's `assertValidity()`, which runs the subgroup check (a scalar
 * multiplication, ≈ 96% of a call's CPU: scripts/bench-bls.ts) and then ignores its failure. This
 * backend decodes the additions' points with the same steps minus that check, so it returns the
 * same bytes and throws the same errors on every input (test/precompiles/blsBackend.test.ts
 * compares it with `NobleBLS` through the precompiles). Every other operation needs the subgroup
 * check and is `NobleBLS`'s own.
 */

const G1_BYTES = 128;
const G2_BYTES = 256;
/** A field element's encoding: 64 bytes, big-endian, the top 16 zero (the precompile checks those). */
const FP_BYTES = 64;
const { Fp, Fp2 } = bls12_381.fields;
const G1Point = bls12_381.G1.Point;
const G2Point = bls12_381.G2.Point;
type G1 = InstanceType<typeof G1Point>;
type G2 = InstanceType<typeof G2Point>;
type Fp2Element = ReturnType<typeof Fp2.create>;

/** y² = x³ + a·x + b over `field`: the curve equation noble's `assertValidity` checks before the subgroup. */
function onCurve<T>(field: IField<T>, curve: { readonly a: T; readonly b: T }, x: T, y: T): boolean {
  const right = field.add(field.add(field.mul(field.sqr(x), x), field.mul(x, curve.a)), curve.b);
  return field.eql(field.sqr(y), right);
}

function notOnCurve(): EVMError {
  return new EVMError(EVMError.errorMessages.BLS_12_381_POINT_NOT_ON_CURVE);
}

function isZero(bytes: Uint8Array): boolean {
  return bytes.every((byte) => byte === 0);
}

/**
 * A 128-byte G1 point of an addition: infinity when all zero; else noble's affine point (which
 * throws a plain Error, the precompile's "revert", for a coordinate ≥ p or y = 0, as in `NobleBLS`),
 * refused unless on the curve. The top 16 bytes of each coordinate are the precompile's to check.
 */
export function g1PointOnCurve(input: Uint8Array): G1 {
  if (isZero(input)) return G1Point.ZERO;
  const x = bytesToBigInt(input.subarray(16, FP_BYTES));
  const y = bytesToBigInt(input.subarray(FP_BYTES + 16, G1_BYTES));
  const point = G1Point.fromAffine({ x, y });
  // fromAffine gives the canonical infinity for (0, 0), which BLS's assertValidity accepts.
  if (!point.is0() && !onCurve(Fp, G1Point.CURVE(), x, y)) throw notOnCurve();
  return point;
}

/** An Fp2 element from two 64-byte field elements (c0, then c1), each refused when ≥ p. */
function fp2(c0Bytes: Uint8Array, c1Bytes: Uint8Array): Fp2Element {
  const c0 = bytesToBigInt(c0Bytes);
  const c1 = bytesToBigInt(c1Bytes);
  // Both checked before either is used, in this order, as EthereumJS does (the same error either way).
  if (c0 >= Fp.ORDER || c1 >= Fp.ORDER) throw new EVMError(EVMError.errorMessages.BLS_12_381_FP_NOT_IN_FIELD);
  return Fp2.create({ c0, c1 });
}

/** A 256-byte G2 point of an addition: as `g1PointOnCurve`, with each coordinate's field check first. */
export function g2PointOnCurve(input: Uint8Array): G2 {
  if (isZero(input)) return G2Point.ZERO;
  const x = fp2(input.subarray(0, FP_BYTES), input.subarray(FP_BYTES, 2 * FP_BYTES));
  const y = fp2(input.subarray(2 * FP_BYTES, 3 * FP_BYTES), input.subarray(3 * FP_BYTES, G2_BYTES));
  const point = G2Point.fromAffine({ x, y });
  if (!point.is0() && !onCurve(Fp2, G2Point.CURVE(), x, y)) throw notOnCurve();
  return point;
}

/** A field element as EIP-2537 encodes it: 64 bytes, big-endian. */
function fpBytes(value: bigint): Uint8Array {
  return setLengthLeft(bigIntToBytes(value), FP_BYTES);
}

/** `NobleBLS` with additions that skip the subgroup check EIP-2537 does not ask of them. */
export class CurveCheckedAdditionBLS implements EVMBLSInterface {
  private readonly noble = new NobleBLS();

  addG1(input: Uint8Array): Uint8Array {
    const sum = g1PointOnCurve(input.subarray(0, G1_BYTES)).add(g1PointOnCurve(input.subarray(G1_BYTES, 2 * G1_BYTES)));
    const { x, y } = sum.toAffine();
    return concatBytes(fpBytes(x), fpBytes(y));
  }

  addG2(input: Uint8Array): Uint8Array {
    const sum = g2PointOnCurve(input.subarray(0, G2_BYTES)).add(g2PointOnCurve(input.subarray(G2_BYTES, 2 * G2_BYTES)));
    const { x, y } = sum.toAffine();
    return concatBytes(fpBytes(x.c0), fpBytes(x.c1), fpBytes(y.c0), fpBytes(y.c1));
  }

  mapFPtoG1(input: Uint8Array): Uint8Array {
    return this.noble.mapFPtoG1(input);
  }

  mapFP2toG2(input: Uint8Array): Uint8Array {
    return this.noble.mapFP2toG2(input);
  }

  msmG1(input: Uint8Array): Uint8Array {
    return this.noble.msmG1(input);
  }

  msmG2(input: Uint8Array): Uint8Array {
    return this.noble.msmG2(input);
  }

  pairingCheck(input: Uint8Array): Uint8Array {
    return this.noble.pairingCheck(input);
  }
}

/** The one backend instance: stateless, shared by every EVM of a process. */
export const SHARED_BLS: EVMBLSInterface = new CurveCheckedAdditionBLS();

/**
 * The options every EVM the project creates is given (the L1 devnet's chain, EXECUTE's verifier,
 * the L2 node, the attesters), over the caller's own: its BLS backend is always `SHARED_BLS`.
 * A fresh object each call: EthereumJS's `createEVM` writes defaults into the options it is given.
 */
export function evmOptions(options: EVMOpts = {}): EVMOpts {
  return { ...options, bls: SHARED_BLS };
}
