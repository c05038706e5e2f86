/** Proof systems EXECUTE can verify. The values are part of the precompile's ABI. */
export const ProofType = {
  /** Groth16 over BN254: the format zkVM provers (SP1, RISC Zero) and circom circuits emit. */
  Groth16Bn254: 1,
} as const;

export type ProofType = (typeof ProofType)[keyof typeof ProofType];

/** The rollup's proof policy, read by its contract from its own storage. */
export interface ProofPolicy {
  /** How many distinct accepted verification keys must verify. */
  readonly threshold: number;
  /** Whether EXECUTE may fall back to re-execution from the witness when proofs fall short. */
  readonly allowReexecution: boolean;
  /** keccak256 of each accepted verification key. */
  readonly acceptedKeys: readonly Uint8Array[];
}

/** One proof, as the sequencer supplies it (EIP-8025 shape plus the key it verifies under). */
export interface ExecutionProof {
  readonly proofType: number;
  /** ABI-encoded verification key; its keccak256 must be in the policy. */
  readonly verificationKey: Uint8Array;
  readonly proofData: Uint8Array;
}

/** The `proofs` field of EXECUTE's input. */
export interface ProofBundle {
  readonly policy: ProofPolicy;
  readonly proofs: readonly ExecutionProof[];
}

/** A Groth16 verification key over BN254, in snarkjs' coordinate order (G2: [[x.c0, x.c1], [y.c0, y.c1]]). */
export interface Groth16Key {
  readonly alpha1: readonly [bigint, bigint];
  readonly beta2: readonly [readonly [bigint, bigint], readonly [bigint, bigint]];
  readonly gamma2: readonly [readonly [bigint, bigint], readonly [bigint, bigint]];
  readonly delta2: readonly [readonly [bigint, bigint], readonly [bigint, bigint]];
  /** IC[0] + Σ input_i · IC[i+1]; one more point than public inputs. */
  readonly ic: readonly (readonly [bigint, bigint])[];
  /**
   * Public inputs fixed by the key, placed before the commitment (e.g. a committee's Merkle
   * root). Binding them here is what stops a prover from choosing its own committee.
   */
  readonly boundInputs: readonly bigint[];
}

export interface Groth16Proof {
  readonly a: readonly [bigint, bigint];
  readonly b: readonly [readonly [bigint, bigint], readonly [bigint, bigint]];
  readonly c: readonly [bigint, bigint];
}
