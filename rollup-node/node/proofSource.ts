import type { BlockProofs } from "../bridge/batchSubmitter";
import type { ProducedBlock } from "../l2/types";
import type { ProofService } from "../provers/proofService";

/**
 * The batch submitter's proof source for `service`: every proof type attests and proves each
 * block (`BatchSubmitterConfig.proofs`).
 */
export function blockProofSource(
  service: ProofService,
  chainId: bigint,
): (produced: ProducedBlock) => Promise<BlockProofs> {
  return async (produced) => {
    const { encoded, provenBy, failures } = await service.proofsFor({
      chainId,
      parentHeader: produced.parentHeader,
      block: produced.blockRlp,
      witness: produced.encodedWitness,
    });
    return { encoded, provenBy, failures };
  };
}
