import {
  type VerifyBlockParams,
  type WriteRules,
  commitmentToField,
  executionCommitment,
  verifyBlock,
} from "../../precompiles";
import type { Attestation, AttesterKey } from "./committee";

/**
 * An attester re-executes the block itself, statelessly, and signs its commitment only if the
 * block verifies: a committee proof is worth exactly the honesty of its signers' re-execution.
 * Throws the verifier's `ExecuteError` for an invalid block (nothing is signed). `writeRules`: each
 * chain's write rules (its genesis's), under which EXECUTE verifies its blocks; a chain not listed
 * has the default rule.
 */
export async function attestBlock(
  key: AttesterKey,
  memberIndex: number,
  block: VerifyBlockParams,
  writeRules: ReadonlyMap<bigint, WriteRules> = new Map(),
): Promise<{ readonly attestation: Attestation; readonly commitment: bigint }> {
  const result = await verifyBlock({ ...block, writes: writeRules.get(block.chainId) });
  const commitment = commitmentToField(executionCommitment(block.chainId, block.parentHeader, result));
  return { attestation: key.sign(memberIndex, commitment), commitment };
}
