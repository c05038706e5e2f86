import { type Bn128, type CurvePoint, buildBn128 } from "ffjavascript";

import { g1Problem, g2Problem } from "./bn254";
import { BN254_SCALAR_FIELD } from "./commitment";
import type { Groth16Key, Groth16Proof } from "./types";
import { isResourceFailure } from "./resourceFailure";

// One single-threaded curve per process: no worker threads to leak or to keep Node alive.
let curvePromise: Promise<Bn128> | undefined;

function curve(): Promise<Bn128> {
  // A failed build (WebAssembly memory it could not allocate) is not kept: the next check builds again,
  // or every proof in the process would fail the same way (docs/design/attack-review-s21.md).
  curvePromise ??= buildBn128(true).catch((error: unknown) => {
    curvePromise = undefined;
    throw error;
  });
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
  return bn.G2.fromObject([
    [p[0][0], p[0][1]],
    [p[1][0], p[1][1]],
    [1n, 0n],
  ]);
}

/** The first reason `points` are not all canonical G1 points, or undefined. */
function firstG1Problem(what: string, points: readonly (readonly [bigint, bigint])[]): string | undefined {
  for (const [i, p] of points.entries()) {
    const problem = g1Problem(p);
    if (problem !== undefined) return `${what}${points.length > 1 ? `[${i}]` : ""}: ${problem}`;
  }
  return undefined;
}

/**
 * Why `key` is not a well-formed verification key (every coordinate below p, every point on its
 * curve, every G2 point in the order-r subgroup, bound inputs below r), or undefined.
 */
export function groth16KeyProblem(key: Groth16Key): string | undefined {
  if (key.ic.length < key.boundInputs.length + 1)
    return `the key has ${key.ic.length} IC points for ${key.boundInputs.length} bound inputs`;
  if (key.boundInputs.some((x) => x < 0n || x >= BN254_SCALAR_FIELD))
    return "a bound input is not below the group order r";
  const g2 = (
    [
      ["beta2", key.beta2],
      ["gamma2", key.gamma2],
      ["delta2", key.delta2],
    ] as const
  )
    .map(([name, point]) => [name, g2Problem(point)] as const)
    .find(([, problem]) => problem !== undefined);
  if (g2 !== undefined) return `key ${g2[0]}: ${g2[1]}`;
  return firstG1Problem("key alpha1", [key.alpha1]) ?? firstG1Problem("key IC", key.ic);
}

/** Why `proof` is not well-formed (A, C canonical G1 points, B a canonical G2 subgroup point), or undefined. */
export function groth16ProofProblem(proof: Groth16Proof): string | undefined {
  const b = g2Problem(proof.b);
  if (b !== undefined) return `proof B: ${b}`;
  return firstG1Problem("proof A", [proof.a]) ?? firstG1Problem("proof C", [proof.c]);
}

/**
 * Verifies a Groth16 proof over BN254: e(-A, B) · e(α, β) · e(vk_x, γ) · e(C, δ) = 1 with
 * vk_x = IC₀ + Σ inputᵢ · ICᵢ₊₁. False for any malformed point or out-of-field input: points
 * are checked here as EIP-197 checks them, because ffjavascript reduces coordinates modulo p
 * (x and x + p would both verify) and does not check G2 subgroup membership.
 */
export async function verifyGroth16(
  key: Groth16Key,
  proof: Groth16Proof,
  publicInputs: readonly bigint[],
): Promise<boolean> {
  if (key.ic.length !== publicInputs.length + 1) return false;
  if (publicInputs.some((x) => x < 0n || x >= BN254_SCALAR_FIELD)) return false;
  if (groth16KeyProblem(key) !== undefined || groth16ProofProblem(proof) !== undefined) return false;
  const bn = await curve();
  try {
    const a = g1(bn, proof.a);
    const b = g2(bn, proof.b);
    const c = g1(bn, proof.c);
    let vkX = g1(bn, key.ic[0]);
    publicInputs.forEach((input, i) => {
      vkX = bn.G1.add(vkX, bn.G1.timesScalar(g1(bn, key.ic[i + 1]), scalarBytes(input)));
    });
    return await bn.pairingEq(
      bn.G1.neg(a),
      b,
      g1(bn, key.alpha1),
      g2(bn, key.beta2),
      vkX,
      g2(bn, key.gamma2),
      c,
      g2(bn, key.delta2),
    );
  } catch (error) {
    // Out of memory or stack (a RangeError) is not the proof's fault: not a rejection (verifyProofs.ts).
    if (isResourceFailure(error)) throw error;
    // Unreachable for points that passed the checks above; a curve-library failure rejects.
    return false;
  }
}
