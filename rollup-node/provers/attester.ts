import { type VerifyBlockParams, commitmentToField, executionCommitment, verifyBlock } from "../../precompiles";
import type { Attestation, AttesterKey } from "./committee";

/**
 * An attester re-executes the block itself, statelessly, and signs its commitment only if the
 * block verifies: a committee proof is worth exactly the honesty of its signers' re-execution.
 * Throws the verifier's `ExecuteError` for an invalid block (nothing is signed).
 */
export async function attestBlock(
  key: AttesterKey,
  memberIndex: number,
  block: VerifyBlockParams,
): Promise<{ readonly attestation: Attestation; readonly commitment: bigint }> {
  const result = await verifyBlock(block);
  const commitment = commitmentToField(executionCommitment(block.chainId, block.parentHeader, result));
  return { attestation: key.sign(memberIndex, commitment), commitment };
}
