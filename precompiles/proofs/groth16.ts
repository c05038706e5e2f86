import { type Bn128, type CurvePoint, buildBn128 } from "ffjavascript";

import { BN254_SCALAR_FIELD } from "./commitment";
import type { Groth16Key, Groth16Proof } from "./types";

// One single-threaded curve per process: no worker threads to leak or to keep Node alive.
let curvePromise: Promise<Bn128> | undefined;

function curve(): Promise<Bn128> {
  curvePromise ??= buildBn128(true);
  return curvePromise;
}

function scalarBytes(value: bigint): Uint8Array {
  // ffjavascript scalars are little-endian.
  const out = new Uint8Array(32);
  for (let i = 0, v = value; i < 32; i++, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

function g1(bn: Bn128, p: readonly [bigint, bigint]): CurvePoint {
  return bn.G1.fromObject([p[0], p[1], 1n]);
}

function g2(bn: Bn128, p: readonly [readonly [bigint, bigint], readonly [bigint, bigint]]): CurvePoint {
  return bn.G2.fromObject([[p[0][0], p[0][1]], [p[1][0], p[1][1]], [1n, 0n]]);
}

/**
 * Verifies a Groth16 proof over BN254: e(-A, B) · e(α, β) · e(vk_x, γ) · e(C, δ) = 1 with
 * vk_x = IC₀ + Σ inputᵢ · ICᵢ₊₁. False for any malformed point or out-of-field input.
 */
export async function verifyGroth16(key: Groth16Key, proof: Groth16Proof, publicInputs: readonly bigint[]): Promise<boolean> {
  if (key.ic.length !== publicInputs.length + 1) return false;
  if (publicInputs.some((x) => x < 0n || x >= BN254_SCALAR_FIELD)) return false;
  const bn = await curve();
  try {
    const a = g1(bn, proof.a);
    const b = g2(bn, proof.b);
    const c = g1(bn, proof.c);
    if (!bn.G1.isValid(a) || !bn.G2.isValid(b) || !bn.G1.isValid(c)) return false;
    let vkX = g1(bn, key.ic[0]);
    publicInputs.forEach((input, i) => {
      vkX = bn.G1.add(vkX, bn.G1.timesScalar(g1(bn, key.ic[i + 1]), scalarBytes(input)));
    });
    return await bn.pairingEq(bn.G1.neg(a), b, g1(bn, key.alpha1), g2(bn, key.beta2), vkX, g2(bn, key.gamma2), c, g2(bn, key.delta2));
  } catch {
    // Coordinates outside the base field or not on the curve.
    return false;
  }
}
