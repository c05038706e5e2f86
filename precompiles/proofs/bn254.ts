/**
 * The BN254 (alt_bn128) point checks EIP-197's pairing precompile applies before it pairs:
 * every coordinate below the base-field modulus, every point on its curve, and every G2 point
 * in the order-r subgroup of the twist. ffjavascript reduces coordinates modulo p and checks
 * only the curve equation, so these checks run here, on plain bigints, before any pairing.
 */

/** The base-field modulus p: every coordinate is an integer in [0, p). */
export const BN254_BASE_FIELD = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
/** The group order r of G1 and of the G2 subgroup (also the scalar field of public inputs). */
export const BN254_GROUP_ORDER = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** An element c0 + c1·u of Fp2 = Fp[u]/(u² + 1), in snarkjs' order [c0, c1]. */
export type Fp2 = readonly [bigint, bigint];
export type G1Point = readonly [bigint, bigint];
/** [x, y] with x, y in Fp2: the coordinate order of `Groth16Key` and `Groth16Proof`. */
export type G2Point = readonly [Fp2, Fp2];

const P = BN254_BASE_FIELD;
const G1_B = 3n;

function mod(a: bigint): bigint {
  const r = a % P;
  return r < 0n ? r + P : r;
}

function powMod(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
  }
  return result;
}

const f2 = {
  add: (a: Fp2, b: Fp2): Fp2 => [mod(a[0] + b[0]), mod(a[1] + b[1])],
  sub: (a: Fp2, b: Fp2): Fp2 => [mod(a[0] - b[0]), mod(a[1] - b[1])],
  mul: (a: Fp2, b: Fp2): Fp2 => [mod(a[0] * b[0] - a[1] * b[1]), mod(a[0] * b[1] + a[1] * b[0])],
  small: (a: Fp2, k: bigint): Fp2 => [mod(a[0] * k), mod(a[1] * k)],
  inv: (a: Fp2): Fp2 => {
    // (c0 - c1·u) / (c0² + c1²), since u² = -1.
    const norm = powMod(mod(a[0] * a[0] + a[1] * a[1]), P - 2n);
    return [mod(a[0] * norm), mod(-a[1] * norm)];
  },
  isZero: (a: Fp2): boolean => a[0] === 0n && a[1] === 0n,
  eq: (a: Fp2, b: Fp2): boolean => a[0] === b[0] && a[1] === b[1],
};

/** The twist's constant b' = 3 / (9 + u): G2 points satisfy y² = x³ + b' (EIP-197). */
export const BN254_TWIST_B: Fp2 = f2.small(f2.inv([9n, 1n]), 3n);

const inField = (v: bigint): boolean => v >= 0n && v < P;

/** Why `p` is not a canonical G1 point (coordinates in [0, p), on y² = x³ + 3), or undefined. */
export function g1Problem(p: G1Point): string | undefined {
  if (!inField(p[0]) || !inField(p[1])) return "a G1 coordinate is not below the base-field modulus";
  // G1 has cofactor 1: on the curve means in the group.
  if (mod(p[1] * p[1]) !== mod(p[0] * p[0] * p[0] + G1_B)) return "a G1 point is not on the curve";
  return undefined;
}

/** Jacobian coordinates over Fp2 (X/Z², Y/Z³); Z = 0 is the point at infinity. */
interface Jacobian {
  readonly x: Fp2;
  readonly y: Fp2;
  readonly z: Fp2;
}

const INFINITY: Jacobian = { x: [1n, 0n], y: [1n, 0n], z: [0n, 0n] };

function double(p: Jacobian): Jacobian {
  if (f2.isZero(p.z) || f2.isZero(p.y)) return INFINITY;
  // a = 0 doubling: S = 4XY², M = 3X², X' = M² - 2S, Y' = M(S - X') - 8Y⁴, Z' = 2YZ.
  const yy = f2.mul(p.y, p.y);
  const s = f2.small(f2.mul(p.x, yy), 4n);
  const m = f2.small(f2.mul(p.x, p.x), 3n);
  const x = f2.sub(f2.mul(m, m), f2.small(s, 2n));
  const y = f2.sub(f2.mul(m, f2.sub(s, x)), f2.small(f2.mul(yy, yy), 8n));
  return { x, y, z: f2.small(f2.mul(p.y, p.z), 2n) };
}

/** p + q with q affine. */
function addAffine(p: Jacobian, q: G2Point): Jacobian {
  if (f2.isZero(p.z)) return { x: q[0], y: q[1], z: [1n, 0n] };
  const zz = f2.mul(p.z, p.z);
  const u2 = f2.mul(q[0], zz);
  const s2 = f2.mul(q[1], f2.mul(zz, p.z));
  const h = f2.sub(u2, p.x);
  const r = f2.sub(s2, p.y);
  if (f2.isZero(h)) return f2.isZero(r) ? double(p) : INFINITY;
  const hh = f2.mul(h, h);
  const hhh = f2.mul(hh, h);
  const v = f2.mul(p.x, hh);
  const x = f2.sub(f2.sub(f2.mul(r, r), hhh), f2.small(v, 2n));
  const y = f2.sub(f2.mul(r, f2.sub(v, x)), f2.mul(p.y, hhh));
  return { x, y, z: f2.mul(p.z, h) };
}

/** [k]q by double-and-add from the top bit (the scalar is public: no constant time needed). */
function multiply(q: G2Point, k: bigint): Jacobian {
  let acc = INFINITY;
  for (let i = BigInt(k.toString(2).length - 1); i >= 0n; i--) {
    acc = double(acc);
    if ((k >> i) & 1n) acc = addAffine(acc, q);
  }
  return acc;
}

/** Whether an on-curve twist point lies in the order-r subgroup: [r]q is the point at infinity. */
export function g2InSubgroup(q: G2Point): boolean {
  return f2.isZero(multiply(q, BN254_GROUP_ORDER).z);
}

/** Whether `q` satisfies the twist equation y² = x³ + b'. */
export function g2OnCurve(q: G2Point): boolean {
  const [x, y] = q;
  return f2.eq(f2.mul(y, y), f2.add(f2.mul(f2.mul(x, x), x), BN254_TWIST_B));
}

/**
 * Why `q` is not a canonical G2 point (four coordinates in [0, p), on the twist, in the order-r
 * subgroup), or undefined. The twist has points of other orders (its cofactor is 2p - r), which
 * EIP-197 rejects; the pairing is not bilinear on them.
 */
export function g2Problem(q: G2Point): string | undefined {
  if (![q[0][0], q[0][1], q[1][0], q[1][1]].every(inField))
    return "a G2 coordinate is not below the base-field modulus";
  if (!g2OnCurve(q)) return "a G2 point is not on the twist curve";
  if (!g2InSubgroup(q)) return "a G2 point is not in the order-r subgroup";
  return undefined;
}
