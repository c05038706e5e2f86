import type { Common } from "@ethereumjs/common";
import { getBytes, keccak256 } from "ethers";

import {
  DEFAULT_HARDFORK,
  type ExecutionProof,
  type VerifyBlockParams,
  type WriteRules,
  encodeExecutionProofs,
} from "../../precompiles";
import { type AttesterEndpoint, AttesterPool, type ConnectOptions } from "./attesterPool";
import { type ForkConfig, forkConfigOf, withWriteRules } from "./attesterProtocol";
import {
  type CircuitArtifacts,
  COMMITTEE_CIRCUIT,
  type BabyJub,
  Committee,
  CommitteeError,
  bundledCircuitArtifacts,
  committeeVerificationKey,
  loadBabyJub,
  proveCommittee,
  verifyAttestation,
} from "./committee";

/**
 * One proof type a sequencer can attach to `advance`. An external prover (a zkVM such as SP1 or
 * RISC Zero exporting Groth16/BN254) plugs in by implementing this and having the keccak256 of
 * its `verificationKey` in the rollup's proof policy.
 */
export interface ExecutionProver {
  /** A label for logs and `rollup:blocks`. */
  readonly name: string;
  /** keccak256 of the verification key, as listed in the rollup's policy. */
  readonly keyHash: string;
  /** A proof of the block's EXECUTE result; throws when the prover cannot or will not prove it. */
  prove(block: VerifyBlockParams): Promise<ExecutionProof>;
  close(): Promise<void>;
}

/** What aggregates a committee's attestations into its Groth16 proof (`proveCommittee`'s shape). */
export type ProveCommittee = typeof proveCommittee;

/** One proof type of the bundled kind: a committee, its attester processes and its key. */
export class CommitteeProver implements ExecutionProver {
  private constructor(
    readonly name: string,
    private readonly pool: AttesterPool,
    private readonly committee: Committee,
    private readonly artifacts: CircuitArtifacts,
    /** The verification key (committee root bound in); its keccak256 goes into the rollup's policy. */
    readonly verificationKey: Uint8Array,
    private readonly babyJub: BabyJub,
    private readonly proveAttestations: ProveCommittee,
  ) {}

  /**
   * Starts one attester process per key (member i holds `privateKeys[i]`). `options.l1Common` is
   * the L1's Common, whose fork and EIPs EXECUTE applies to L2 blocks; the attesters re-execute
   * under the same rules (without it, the default fork's, which is right only for an L1 at it).
   * `options.writeRules`: each L2 chain's write rules (its genesis's `config.writeRules`, as the
   * L1's EXECUTE has them), under which the attesters verify its blocks; the default rule without.
   * `options.prove`: what turns the attestations into the proof (`proveCommittee`; a test whose
   * subject is not the prover hands in one that reads committed proofs).
   */
  static async start(
    name: string,
    privateKeys: readonly Uint8Array[],
    artifacts = bundledCircuitArtifacts(),
    options: {
      readonly l1Common?: Common;
      readonly writeRules?: ReadonlyMap<bigint, WriteRules>;
      readonly prove?: ProveCommittee;
    } = {},
  ): Promise<CommitteeProver> {
    const fork = withWriteRules(
      options.l1Common === undefined ? { hardfork: DEFAULT_HARDFORK, eips: [] } : forkConfigOf(options.l1Common),
      options.writeRules ?? new Map(),
    );
    const pool = await AttesterPool.start(
      privateKeys.map((privateKey, memberIndex) => ({ privateKey, memberIndex })),
      fork,
    );
    return CommitteeProver.overPool(name, pool, artifacts, options.prove);
  }

  /**
   * A committee of attesters running elsewhere (`rollup:attester`), member i at `endpoints[i]`.
   * Each must re-execute under `fork` (the L1's rules, and the chains' write rules it lists: a
   * chain not listed is not checked, `withWriteRules` adds them): one that does not is refused here, since
   * its signatures would commit to results the L1 does not compute. `connect`: how long to wait
   * for an attester that does not answer yet (AttesterPool.connect). `prove`: as `start`'s.
   */
  static async connect(
    name: string,
    endpoints: readonly AttesterEndpoint[],
    fork: ForkConfig,
    artifacts = bundledCircuitArtifacts(),
    connect: Partial<ConnectOptions> = {},
    prove?: ProveCommittee,
  ): Promise<CommitteeProver> {
    const pool = await AttesterPool.connect(endpoints, fork, connect);
    return CommitteeProver.overPool(name, pool, artifacts, prove);
  }

  /** The prover over a started or connected pool: its committee is the pool's public keys. */
  private static async overPool(
    name: string,
    pool: AttesterPool,
    artifacts: CircuitArtifacts,
    prove: ProveCommittee = proveCommittee,
  ): Promise<CommitteeProver> {
    const babyJub = await loadBabyJub();
    const committee = Committee.fromPublicKeys(babyJub, pool.publicKeys);
    return new CommitteeProver(
      name,
      pool,
      committee,
      artifacts,
      committeeVerificationKey(artifacts, committee),
      babyJub,
      prove,
    );
  }

  get keyHash(): string {
    return keccak256(this.verificationKey);
  }

  /**
   * Collects attestations and aggregates K of them into one Groth16 proof. Each signature is
   * verified first: a member answering garbage is left out like one that refused, so one bad
   * member cannot fail the proof of the good ones (docs/design/attester-server.md).
   */
  async prove(block: VerifyBlockParams): Promise<ExecutionProof> {
    const round = await this.pool.attest(block, {
      verify: (publicKey, commitment, attestation) =>
        verifyAttestation(this.babyJub, publicKey, commitment, attestation),
      enough: COMMITTEE_CIRCUIT.signatures,
    });
    if (round.commitment === undefined || round.attestations.length < COMMITTEE_CIRCUIT.signatures) {
      throw new CommitteeError(
        "NOT_ENOUGH_SIGNATURES",
        `committee ${this.name}: ${round.attestations.length} of ${COMMITTEE_CIRCUIT.signatures} attesters signed (${round.refusals.join("; ")})`,
        "the block did not verify for enough attesters",
      );
    }
    return this.proveAttestations(this.artifacts, this.committee, round.commitment, round.attestations);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** Derives the dev attester keys of committee `name`: public, for devnets only. */
export function devAttesterKeys(name: string, size: number): Uint8Array[] {
  return Array.from({ length: size }, (_, i) =>
    getBytes(keccak256(new TextEncoder().encode(`native-rollup dev attester ${name}/${i}`))),
  );
}

/**
 * The proofs a sequencer attaches to `advance`: one per proof type, all produced in parallel.
 * A type that fails is left out; EXECUTE then applies the rollup's k-of-n policy.
 */
export class ProofService {
  constructor(readonly provers: readonly ExecutionProver[]) {}

  async proofsFor(
    block: VerifyBlockParams,
  ): Promise<{ readonly encoded: Uint8Array; readonly provenBy: string[]; readonly failures: string[] }> {
    const settled = await Promise.allSettled(this.provers.map((p) => p.prove(block)));
    const proofs: ExecutionProof[] = [];
    const provenBy: string[] = [];
    const failures: string[] = [];
    settled.forEach((s, i) => {
      if (s.status === "fulfilled") {
        proofs.push(s.value);
        provenBy.push(this.provers[i].name);
      } else failures.push(`${this.provers[i].name}: ${(s.reason as Error).message}`);
    });
    return { encoded: encodeExecutionProofs(proofs), provenBy, failures };
  }

  async close(): Promise<void> {
    await Promise.all(this.provers.map((p) => p.close()));
  }
}
