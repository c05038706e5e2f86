import { hexlify, keccak256 } from "ethers";

import type { ExecuteResult } from "../codec";
import { ExecuteError, ExecuteErrorCode } from "../errors";
import { type VerifyBlockParams, checkBlockShape, reexecute, resultOf } from "../verifyBlock";
import { decodeGroth16Key, decodeGroth16Proof, encodeGroth16Key, encodeGroth16Proof } from "./codec";
import { commitmentToField, executionCommitment } from "./commitment";
import { groth16KeyProblem, groth16ProofProblem, verifyGroth16 } from "./groth16";
import { type ExecutionProof, type Groth16Key, type ProofBundle, ProofType } from "./types";
import { isResourceFailure } from "./resourceFailure";

/** How EXECUTE accepted a block. */
export type AcceptedBy =
  | { readonly mode: "proofs"; readonly keys: readonly string[] }
  | { readonly mode: "reexecution"; readonly keys: readonly string[] };

export interface ProvenBlock {
  readonly result: ExecuteResult;
  readonly acceptedBy: AcceptedBy;
}

/** Why one supplied proof did not count. */
export interface DiscardedProof {
  readonly index: number;
  readonly reason: string;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/**
 * Why `verificationKey` is not a canonical Groth16 key, or undefined. Canonical: the bytes are
 * exactly `encodeGroth16Key` of what they decode to (no trailing bytes, no other offsets) and the
 * key is well formed (`groth16KeyProblem`: coordinates below p, points on their curves, G2 in
 * the subgroup). Each key then has one encoding, so its keccak256 names it once in a policy
 * (docs/design/proof-policy.md).
 */
export function canonicalKeyProblem(verificationKey: Uint8Array): string | undefined {
  // The same few keys come with every block; their three G2 subgroup checks are worth keeping.
  const hash = keccak256(verificationKey);
  if (checkedKeys.has(hash)) return checkedKeys.get(hash);
  const problem = keyProblem(verificationKey);
  if (checkedKeys.size >= CHECKED_KEYS_CACHE_SIZE) checkedKeys.clear();
  checkedKeys.set(hash, problem);
  return problem;
}

/** How many key verdicts `canonicalKeyProblem` keeps: far more than any policy lists. */
const CHECKED_KEYS_CACHE_SIZE = 256;
const checkedKeys = new Map<string, string | undefined>();

function keyProblem(verificationKey: Uint8Array): string | undefined {
  let key: Groth16Key;
  try {
    key = decodeGroth16Key(verificationKey);
  } catch (error) {
    throwIfResourceFailure(error);
    return (error as Error).message;
  }
  if (!sameBytes(encodeGroth16Key(key), verificationKey))
    return "the verification key is not in its canonical encoding (abi.encode of its fields, nothing more)";
  return groth16KeyProblem(key);
}

/** How deep `throwIfResourceFailure` follows an error's causes (the codec wraps once). */
const MAX_RESOURCE_CAUSE_DEPTH = 8;

/**
 * Rethrows a resource failure (isResourceFailure), the error's own or its cause's: what V8 throws when it cannot allocate a buffer or WebAssembly memory (the
 * curve library lives in WebAssembly) or runs out of stack. That says nothing about the proof, and
 * another run may not hit it, so it must not become "this proof does not count" (a verdict EXECUTE's
 * memo would keep, and a node short of memory would reject a proven block with): it surfaces as a
 * verifier failure instead (docs/design/attack-review-s21.md).
 */
export function throwIfResourceFailure(error: unknown): void {
  // Followed through causes: the codec wraps what abi.decode threw into an ExecuteError.
  let cause: unknown = error;
  for (let depth = 0; depth < MAX_RESOURCE_CAUSE_DEPTH && cause !== undefined && cause !== null; depth++) {
    if (isResourceFailure(cause)) throw cause;
    cause = (cause as { cause?: unknown }).cause;
  }
}

/** Verifies one proof against the commitment; an unsupported type or a non-canonical key or proof never counts. */
async function proofHolds(proof: ExecutionProof, commitment: bigint): Promise<string | undefined> {
  if (proof.proofType !== ProofType.Groth16Bn254) return `unsupported proof type ${proof.proofType}`;
  let ok: boolean;
  try {
    const keyProblem = canonicalKeyProblem(proof.verificationKey);
    if (keyProblem !== undefined) return keyProblem;
    const key = decodeGroth16Key(proof.verificationKey);
    const groth16 = decodeGroth16Proof(proof.proofData);
    if (!sameBytes(encodeGroth16Proof(groth16), proof.proofData))
      return "the proof is not in its canonical encoding (abi.encode(a, b, c), nothing more)";
    const proofProblem = groth16ProofProblem(groth16);
    if (proofProblem !== undefined) return proofProblem;
    ok = await verifyGroth16(key, groth16, [...key.boundInputs, commitment]);
  } catch (error) {
    throwIfResourceFailure(error);
    return (error as Error).message;
  }
  return ok ? undefined : "the proof does not verify for this block's commitment";
}

/** The first key hash `policy` lists twice, or undefined. */
export function duplicateAcceptedKey(acceptedKeys: readonly Uint8Array[]): string | undefined {
  const seen = new Set<string>();
  for (const key of acceptedKeys.map((k) => hexlify(k))) {
    if (seen.has(key)) return key;
    seen.add(key);
  }
  return undefined;
}

/**
 * Counts the distinct accepted keys under which a proof of `commitment` verifies. Proofs under
 * keys outside the policy, repeated keys and invalid proofs do not count.
 */
export async function countValidProofs(
  bundle: ProofBundle,
  commitment: bigint,
): Promise<{ readonly keys: string[]; readonly discarded: DiscardedProof[] }> {
  const accepted = new Set(bundle.policy.acceptedKeys.map((k) => hexlify(k)));
  const keys: string[] = [];
  const discarded: DiscardedProof[] = [];
  for (const [index, proof] of bundle.proofs.entries()) {
    const keyHash = keccak256(proof.verificationKey);
    if (!accepted.has(keyHash)) discarded.push({ index, reason: `key ${keyHash} is not in the policy` });
    else if (keys.includes(keyHash)) discarded.push({ index, reason: `key ${keyHash} already counted` });
    else {
      const problem = await proofHolds(proof, commitment);
      if (problem === undefined) keys.push(keyHash);
      else discarded.push({ index, reason: problem });
    }
  }
  return { keys, discarded };
}

/**
 * EXECUTE in proof mode: the block's shape is checked as in re-execution, then the header's
 * claims are accepted when proofs under at least `threshold` distinct accepted keys verify
 * against the block's commitment. Otherwise the block is re-executed from the witness if the
 * policy allows it, and rejected with `ProofsInsufficient` if not.
 */
export async function verifyBlockWithProofs(
  params: VerifyBlockParams & { readonly bundle: ProofBundle },
): Promise<ProvenBlock> {
  const { policy } = params.bundle;
  if (policy.threshold < 1 || policy.threshold > policy.acceptedKeys.length) {
    throw new ExecuteError(
      ExecuteErrorCode.MalformedInput,
      `policy threshold ${policy.threshold} must be between 1 and its ${policy.acceptedKeys.length} accepted keys`,
    );
  }
  // A listed key counts once, so a repeated one makes the threshold unreachable (or, with
  // re-execution allowed, silently lowers the policy to re-execution): refuse the policy itself.
  const duplicate = duplicateAcceptedKey(policy.acceptedKeys);
  if (duplicate !== undefined)
    throw new ExecuteError(ExecuteErrorCode.MalformedInput, `policy lists accepted key ${duplicate} twice`);
  const checked = await checkBlockShape(params);
  const claimed = resultOf(checked.block);
  const commitment = commitmentToField(executionCommitment(params.chainId, params.parentHeader, claimed));
  const { keys, discarded } = await countValidProofs(params.bundle, commitment);
  if (keys.length >= policy.threshold) return { result: claimed, acceptedBy: { mode: "proofs", keys } };
  if (policy.allowReexecution) {
    return {
      result: await reexecute(
        checked,
        params.chainId,
        params.witness,
        params.pacing,
        undefined,
        undefined,
        undefined,
        params.writes,
      ),
      acceptedBy: { mode: "reexecution", keys },
    };
  }
  const why = discarded.map((d) => `proof ${d.index}: ${d.reason}`).join("; ");
  throw new ExecuteError(
    ExecuteErrorCode.ProofsInsufficient,
    `${keys.length} of the ${policy.threshold} required proofs verified${why ? ` (${why})` : ""}`,
  );
}
