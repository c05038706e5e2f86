import type { KZG } from "@ethereumjs/util";

import { ConformanceError } from "./errors";

/** A blob sidecar (network-wrapped blob transaction) was offered, and no KZG library is installed. */
export class BlobProofsUnavailableError extends ConformanceError {
  constructor() {
    super(
      "KZG_UNAVAILABLE",
      "blob proofs cannot be verified: no KZG trusted setup is installed",
      "blob transactions inside blocks work; submitting blobs needs a KZG library (e.g. an npm KZG binding)"
    );
  }
}

const unavailable = (): never => {
  throw new BlobProofsUnavailableError();
};

/**
 * The KZG EthereumJS requires before it decodes any blob (type 3) transaction. A transaction
 * inside a block carries only versioned hashes, which need no KZG; only blob sidecars do, and
 * those are refused here rather than accepted unverified. The project installs no KZG trusted
 * setup (downloading one is not allowed), hence this refusal instead of a real verifier.
 */
export const UNVERIFIABLE_BLOBS_KZG: KZG = {
  blobToKzgCommitment: unavailable,
  computeBlobProof: unavailable,
  verifyProof: unavailable,
  verifyBlobProofBatch: unavailable,
  computeCells: unavailable,
  computeCellsAndProofs: unavailable,
  recoverCellsAndProofs: unavailable,
  verifyCellKzgProofBatch: unavailable,
};
