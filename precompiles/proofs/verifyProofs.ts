import { hexlify, keccak256 } from "ethers";

import type { ExecuteResult } from "../codec";
import { ExecuteError, ExecuteErrorCode } from "../errors";
import { type VerifyBlockParams, checkBlockShape, reexecute, resultOf } from "../verifyBlock";
import { decodeGroth16Key, decodeGroth16Proof } from "./codec";
import { commitmentToField, executionCommitment } from "./commitment";
import { verifyGroth16 } from "./groth16";
import { type ExecutionProof, type ProofBundle, ProofType } from "./types";

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

/** Verifies one proof against the commitment; an unsupported type or bad encoding never counts. */
async function proofHolds(proof: ExecutionProof, commitment: bigint): Promise<string | undefined> {
  if (proof.proofType !== ProofType.Groth16Bn254) return `unsupported proof type ${proof.proofType}`;
  let ok: boolean;
  try {
    const key = decodeGroth16Key(proof.verificationKey);
    ok = await verifyGroth16(key, decodeGroth16Proof(proof.proofData), [...key.boundInputs, commitment]);
  } catch (error) {
    return (error as Error).message;
  }
  return ok ? undefined : "the proof does not verify for this block's commitment";
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
export async function verifyBlockWithProofs(params: VerifyBlockParams & { readonly bundle: ProofBundle }): Promise<ProvenBlock> {
  const { policy } = params.bundle;
  if (policy.threshold < 1 || policy.threshold > policy.acceptedKeys.length) {
    throw new ExecuteError(
      ExecuteErrorCode.MalformedInput,
      `policy threshold ${policy.threshold} must be between 1 and its ${policy.acceptedKeys.length} accepted keys`,
    );
  }
  const checked = await checkBlockShape(params);
  const claimed = resultOf(checked.block);
  const commitment = commitmentToField(executionCommitment(params.chainId, params.parentHeader, claimed));
  const { keys, discarded } = await countValidProofs(params.bundle, commitment);
  if (keys.length >= policy.threshold) return { result: claimed, acceptedBy: { mode: "proofs", keys } };
  if (policy.allowReexecution) {
    return { result: await reexecute(checked, params.chainId, params.witness, params.pacing), acceptedBy: { mode: "reexecution", keys } };
  }
  const why = discarded.map((d) => `proof ${d.index}: ${d.reason}`).join("; ");
  throw new ExecuteError(
    ExecuteErrorCode.ProofsInsufficient,
    `${keys.length} of the ${policy.threshold} required proofs verified${why ? ` (${why})` : ""}`,
  );
}
