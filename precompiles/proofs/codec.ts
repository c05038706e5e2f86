import { AbiCoder, getBytes, hexlify } from "ethers";

import { ExecuteError, ExecuteErrorCode } from "../errors";
import type { ExecutionProof, Groth16Key, Groth16Proof, ProofBundle } from "./types";

const abi = AbiCoder.defaultAbiCoder();

/** `abi.encode(ProofPolicy policy, ExecutionProof[] proofs)`, the `proofs` field of EXECUTE. */
const BUNDLE_TYPES = [
  "tuple(uint8 threshold, bool allowReexecution, bytes32[] acceptedKeys)",
  "tuple(uint8 proofType, bytes verificationKey, bytes proofData)[]",
] as const;
const G1 = "uint256[2]";
const G2 = "uint256[2][2]";
/** `abi.encode(alpha1, beta2, gamma2, delta2, ic, boundInputs)`. */
const GROTH16_KEY_TYPES = [G1, G2, G2, G2, `${G1}[]`, "uint256[]"];
/** `abi.encode(a, b, c)`. */
const GROTH16_PROOF_TYPES = [G1, G2, G1];

function toExecutionProof(p: { proofType: bigint; verificationKey: string; proofData: string }): ExecutionProof {
  return {
    proofType: Number(p.proofType),
    verificationKey: getBytes(p.verificationKey),
    proofData: getBytes(p.proofData),
  };
}

function malformed(what: string, error: unknown): ExecuteError {
  // The error stays the cause: a RangeError (a buffer abi.decode could not allocate) is not the
  // input's verdict, and EXECUTE's memo and the proof count must see it to not keep it.
  return new ExecuteError(ExecuteErrorCode.MalformedInput, `${what} does not decode: ${(error as Error).message}`, {
    cause: error,
  });
}

const PROOF_LIST_TYPE = "tuple(uint8 proofType, bytes verificationKey, bytes proofData)[]";

/** `abi.encode(ExecutionProof[])`: what a sequencer passes to `NativeRollup.advance`, which adds the policy. */
export function encodeExecutionProofs(proofs: readonly ExecutionProof[]): Uint8Array {
  return getBytes(abi.encode([PROOF_LIST_TYPE], [proofs.map((p) => [p.proofType, p.verificationKey, p.proofData])]));
}

/** Inverse of `encodeExecutionProofs`. */
export function decodeExecutionProofs(bytes: Uint8Array): ExecutionProof[] {
  try {
    const [proofs] = abi.decode([PROOF_LIST_TYPE], bytes);
    return (proofs as { proofType: bigint; verificationKey: string; proofData: string }[]).map(toExecutionProof);
  } catch (error) {
    throw malformed("proof list (abi.encode(ExecutionProof[]))", error);
  }
}

export function encodeProofBundle(bundle: ProofBundle): Uint8Array {
  const { policy } = bundle;
  return getBytes(
    abi.encode(BUNDLE_TYPES, [
      [policy.threshold, policy.allowReexecution, policy.acceptedKeys.map((k) => hexlify(k))],
      bundle.proofs.map((p) => [p.proofType, p.verificationKey, p.proofData]),
    ]),
  );
}

export function decodeProofBundle(bytes: Uint8Array): ProofBundle {
  try {
    const [policy, proofs] = abi.decode(BUNDLE_TYPES, bytes);
    return {
      policy: {
        threshold: Number(policy.threshold),
        allowReexecution: Boolean(policy.allowReexecution),
        acceptedKeys: (policy.acceptedKeys as string[]).map((k) => getBytes(k)),
      },
      proofs: (proofs as { proofType: bigint; verificationKey: string; proofData: string }[]).map(toExecutionProof),
    };
  } catch (error) {
    throw malformed("proofs (abi.encode(policy, proofs))", error);
  }
}

type Pair = readonly [bigint, bigint];
const pair = (v: readonly bigint[]): Pair => [v[0], v[1]];
const pairs = (v: readonly (readonly bigint[])[]) => [pair(v[0]), pair(v[1])] as const;

export function encodeGroth16Key(key: Groth16Key): Uint8Array {
  return getBytes(
    abi.encode(GROTH16_KEY_TYPES, [key.alpha1, key.beta2, key.gamma2, key.delta2, key.ic, key.boundInputs]),
  );
}

export function decodeGroth16Key(bytes: Uint8Array): Groth16Key {
  try {
    const [alpha1, beta2, gamma2, delta2, ic, boundInputs] = abi.decode(GROTH16_KEY_TYPES, bytes).toArray(true) as [
      bigint[],
      bigint[][],
      bigint[][],
      bigint[][],
      bigint[][],
      bigint[],
    ];
    return {
      alpha1: pair(alpha1),
      beta2: pairs(beta2),
      gamma2: pairs(gamma2),
      delta2: pairs(delta2),
      ic: ic.map(pair),
      boundInputs,
    };
  } catch (error) {
    throw malformed("Groth16 verification key", error);
  }
}

export function encodeGroth16Proof(proof: Groth16Proof): Uint8Array {
  return getBytes(abi.encode(GROTH16_PROOF_TYPES, [proof.a, proof.b, proof.c]));
}

export function decodeGroth16Proof(bytes: Uint8Array): Groth16Proof {
  try {
    const [a, b, c] = abi.decode(GROTH16_PROOF_TYPES, bytes).toArray(true) as [bigint[], bigint[][], bigint[]];
    return { a: pair(a), b: pairs(b), c: pair(c) };
  } catch (error) {
    throw malformed("Groth16 proof", error);
  }
}

/** snarkjs' verification-key JSON (as `zkey export verificationkey` writes it). */
export interface SnarkjsVerificationKey {
  readonly protocol: string;
  readonly curve: string;
  readonly vk_alpha_1: readonly string[];
  readonly vk_beta_2: readonly (readonly string[])[];
  readonly vk_gamma_2: readonly (readonly string[])[];
  readonly vk_delta_2: readonly (readonly string[])[];
  readonly IC: readonly (readonly string[])[];
}

/** A Groth16 key from snarkjs' JSON, with `boundInputs` fixed before the commitment. */
export function groth16KeyFromSnarkjs(vk: SnarkjsVerificationKey, boundInputs: readonly bigint[]): Groth16Key {
  if (vk.protocol !== "groth16" || vk.curve !== "bn128")
    throw new Error(`expected a groth16/bn128 key, got ${vk.protocol}/${vk.curve}`);
  const g1 = (p: readonly string[]): Pair => [BigInt(p[0]), BigInt(p[1])];
  const g2 = (p: readonly (readonly string[])[]) => [g1(p[0]), g1(p[1])] as const;
  return {
    alpha1: g1(vk.vk_alpha_1),
    beta2: g2(vk.vk_beta_2),
    gamma2: g2(vk.vk_gamma_2),
    delta2: g2(vk.vk_delta_2),
    ic: vk.IC.map(g1),
    boundInputs,
  };
}
