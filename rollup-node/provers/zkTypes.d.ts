// The slices of snarkjs and circomlibjs (both untyped) that the committee prover uses.
declare module "snarkjs" {
  export interface SnarkjsProof {
    readonly pi_a: readonly string[];
    readonly pi_b: readonly (readonly string[])[];
    readonly pi_c: readonly string[];
    readonly protocol: string;
    readonly curve: string;
  }
  export const zKey: {
    exportSolidityVerifier(zkeyPath: string, templates: { groth16: string }): Promise<string>;
  };
  export const curves: {
    /** The curve snarkjs proves on; for "bn128" a multi-threaded one, cached in a global. */
    getCurveFromName(name: string): Promise<unknown>;
  };
  /** A file snarkjs reads from memory (fastfile's "mem" file) instead of from a path. */
  export interface MemFile {
    readonly type: "mem";
    data: Uint8Array;
  }
  export const wtns: {
    /** snarkjs's own witness calculator (circom_runtime), writing the `wtns` file into `out`. */
    calculate(input: Record<string, unknown>, wasmPath: string, out: MemFile | { type: "mem" }): Promise<void>;
  };
  export const groth16: {
    prove(zkey: MemFile | string, witness: MemFile | string): Promise<{ proof: SnarkjsProof; publicSignals: string[] }>;
    fullProve(
      input: Record<string, unknown>,
      wasmPath: string,
      zkeyPath: string,
    ): Promise<{ proof: SnarkjsProof; publicSignals: string[] }>;
  };
}

declare module "circomlibjs" {
  export interface FieldElement {
    readonly __field: unique symbol;
  }
  export interface Field {
    e(value: bigint | string | number): FieldElement;
    toObject(element: FieldElement): bigint;
  }
  export interface Eddsa {
    readonly F: Field;
    /** The Poseidon hash EdDSA-Poseidon signs with (the same function `buildPoseidon` returns). */
    readonly poseidon: Poseidon;
    prv2pub(privateKey: Uint8Array): [FieldElement, FieldElement];
    signPoseidon(privateKey: Uint8Array, message: FieldElement): { R8: [FieldElement, FieldElement]; S: bigint };
    verifyPoseidon(
      message: FieldElement,
      signature: { R8: [FieldElement, FieldElement]; S: bigint },
      publicKey: [FieldElement, FieldElement],
    ): boolean;
  }
  export interface Poseidon {
    (inputs: readonly (bigint | FieldElement)[]): FieldElement;
    readonly F: Field;
  }
  export function buildEddsa(): Promise<Eddsa>;
}
