import path from "node:path";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

import type { Eddsa, Poseidon } from "circomlibjs";
import type { SnarkjsProof } from "snarkjs";
import { keccak256 } from "ethers";

import { loadCircuit, releaseLoadedCircuits } from "./circuitCache";

import {
  type ExecutionProof,
  ProofType,
  type SnarkjsVerificationKey,
  encodeGroth16Key,
  encodeGroth16Proof,
  groth16KeyFromSnarkjs,
} from "../../precompiles";

/** The bundled circuit: 3 signatures from a committee of up to 8 (`circuits/src/committee3of8.circom`). */
export const COMMITTEE_CIRCUIT = { name: "committee3of8", signatures: 3, depth: 3 } as const;
const MAX_MEMBERS = 2 ** COMMITTEE_CIRCUIT.depth;

/** Where the circuit's committed build artifacts live. */
export interface CircuitArtifacts {
  readonly wasm: string;
  readonly zkey: string;
  readonly verificationKey: string;
}

export function bundledCircuitArtifacts(
  root = path.join(__dirname, "..", "..", "circuits", "build"),
): CircuitArtifacts {
  const base = path.join(root, COMMITTEE_CIRCUIT.name);
  return { wasm: `${base}.wasm`, zkey: `${base}.zkey`, verificationKey: `${base}.vkey.json` };
}

/** Thrown when the committee cannot produce a proof; `code` says why. */
export class CommitteeError extends Error {
  constructor(
    readonly code: "NOT_ENOUGH_SIGNATURES" | "UNKNOWN_MEMBER" | "COMMITTEE_TOO_LARGE",
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = "CommitteeError";
  }
}

/** One attester's EdDSA-Poseidon signature over a block commitment. */
export interface Attestation {
  readonly memberIndex: number;
  readonly R8: readonly [bigint, bigint];
  readonly S: bigint;
}

/** Baby Jubjub primitives, built once (circomlibjs compiles WebAssembly on first use). */
export interface BabyJub {
  readonly eddsa: Eddsa;
  readonly poseidon: Poseidon;
}

let babyJub: Promise<BabyJub> | undefined;

/**
 * The process's Baby Jubjub primitives. Building them compiles circomlibjs's WebAssembly
 * (≈ 1.3 CPU s on shared curves, `buildEddsaOnSharedCurves`), and they are pure functions of their
 * inputs, so every key, committee and proof service of a process shares one build.
 */
export function loadBabyJub(): Promise<BabyJub> {
  // circomlibjs is loaded here, on first use, not when this module is imported: requiring it loads
  // its own copy of ethers v5, which builds its ENS normalisation tables at load, ≈ a fifth of the
  // CPU a node process spends starting (docs/design/fast-tests.md). Every node, follower and
  // Hardhat process imports this module; only those that sign or prove need circomlibjs.
  // EdDSA-Poseidon signing builds its own Poseidon (circomlibjs's `buildPoseidon`, a curve and its
  // WebAssembly): the committee tree hashes with that one rather than building a sixth curve.
  babyJub ??= buildEddsaOnSharedCurves().then((eddsa) => ({ eddsa, poseidon: eddsa.poseidon }));
  babyJub.catch(() => {
    babyJub = undefined;
  });
  return babyJub;
}

/** The slice of ffjavascript's exports that circomlibjs's builders call. */
interface CurveBuilder {
  getCurveFromName(name: string, singleThread?: boolean, plugins?: unknown): Promise<unknown>;
}

/**
 * circomlibjs's `buildEddsa`, its five primitives (Baby Jubjub, Pedersen, MiMC7, Poseidon, MiMC
 * sponge) on shared curves. Each primitive asks ffjavascript for a single-threaded bn128 curve
 * (`getCurveFromName("bn128", true)`), and ffjavascript generates and compiles the curve's
 * WebAssembly again at every such call (it keeps only its multi-threaded curve): ≈ 1.9 CPU s, in
 * every attester, node and test process that signs or checks attestations. During this build a
 * request for a curve already built with the same name, thread mode and plugins gets that curve:
 * two builds instead of five (Poseidon's adds its own WebAssembly), ≈ 0.8 CPU s less
 * (docs/design/fast-tests.md, round 30b). A single-threaded curve is arithmetic over its own
 * WebAssembly memory, each call done before the next, so the primitives can share one. The build
 * goes through the ffjavascript module circomlibjs itself loads (its exports are looked up at
 * each call); the original function is put back once the build is over.
 */
export async function buildEddsaOnSharedCurves(): Promise<Eddsa> {
  const { buildEddsa } = await import("circomlibjs");
  const curves = createRequire(require.resolve("circomlibjs"))("ffjavascript") as CurveBuilder;
  const build = curves.getCurveFromName;
  const built = new Map<unknown, Map<string, Promise<unknown>>>();
  curves.getCurveFromName = (name, singleThread, plugins) => {
    if (singleThread !== true) return build(name, singleThread, plugins);
    let byName = built.get(plugins);
    if (byName === undefined) {
      byName = new Map();
      built.set(plugins, byName);
    }
    let curve = byName.get(name);
    if (curve === undefined) {
      curve = build(name, singleThread, plugins);
      byName.set(name, curve);
    }
    return curve;
  };
  try {
    return await buildEddsa();
  } finally {
    curves.getCurveFromName = build;
  }
}

/**
 * A committee: members' Baby Jubjub public keys as leaves of a depth-3 Poseidon Merkle tree
 * (empty leaves are 0). Its root is bound into the verification key the rollup accepts.
 */
export class Committee {
  private constructor(
    private readonly babyJub: BabyJub,
    readonly publicKeys: readonly (readonly [bigint, bigint])[],
    private readonly levels: readonly (readonly bigint[])[],
  ) {}

  static fromPublicKeys(babyJub: BabyJub, publicKeys: readonly (readonly [bigint, bigint])[]): Committee {
    if (publicKeys.length === 0 || publicKeys.length > MAX_MEMBERS) {
      throw new CommitteeError(
        "COMMITTEE_TOO_LARGE",
        `a committee has 1 to ${MAX_MEMBERS} members, got ${publicKeys.length}`,
        "use at most 8 attesters with the bundled circuit",
      );
    }
    const { poseidon } = babyJub;
    const hash = (inputs: readonly bigint[]) => poseidon.F.toObject(poseidon(inputs));
    let level = Array.from({ length: MAX_MEMBERS }, (_, i) => (i < publicKeys.length ? hash(publicKeys[i]) : 0n));
    const levels = [level];
    while (level.length > 1) {
      level = Array.from({ length: level.length / 2 }, (_, i) => hash([level[2 * i], level[2 * i + 1]]));
      levels.push(level);
    }
    return new Committee(babyJub, publicKeys, levels);
  }

  get root(): bigint {
    return this.levels[this.levels.length - 1][0];
  }

  /** Siblings from the leaf up. */
  siblings(index: number): bigint[] {
    return this.levels.slice(0, -1).map((level, depth) => level[(index >> depth) ^ 1]);
  }
}

/** An attester's signing key. */
export class AttesterKey {
  constructor(
    private readonly babyJub: BabyJub,
    private readonly privateKey: Uint8Array,
  ) {}

  get publicKey(): readonly [bigint, bigint] {
    const { eddsa } = this.babyJub;
    const [x, y] = eddsa.prv2pub(this.privateKey);
    return [eddsa.F.toObject(x), eddsa.F.toObject(y)];
  }

  /** Signs the commitment field element of a block (after verifying the block: see attester.ts). */
  sign(memberIndex: number, commitment: bigint): Attestation {
    const { eddsa } = this.babyJub;
    const signature = eddsa.signPoseidon(this.privateKey, eddsa.F.e(commitment));
    return { memberIndex, R8: [eddsa.F.toObject(signature.R8[0]), eddsa.F.toObject(signature.R8[1])], S: signature.S };
  }
}

/** The BN254 scalar field: Baby Jubjub coordinates and the commitment are elements of it. */
const FIELD_MODULUS = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/**
 * Whether `attestation` is a valid EdDSA-Poseidon signature of `commitment` by `publicKey`, with
 * every number canonical (below the field modulus): what the circuit checks, so that one bad
 * member's answer is dropped before it can fail the aggregation of the good ones.
 */
export function verifyAttestation(
  babyJub: BabyJub,
  publicKey: readonly [bigint, bigint],
  commitment: bigint,
  attestation: Attestation,
): boolean {
  const canonical = [commitment, attestation.R8[0], attestation.R8[1], attestation.S];
  if (canonical.some((v) => v < 0n || v >= FIELD_MODULUS)) return false;
  const { eddsa } = babyJub;
  const F = eddsa.F;
  try {
    return eddsa.verifyPoseidon(
      F.e(commitment),
      { R8: [F.e(attestation.R8[0]), F.e(attestation.R8[1])], S: attestation.S },
      [F.e(publicKey[0]), F.e(publicKey[1])],
    );
  } catch {
    return false;
  }
}

/** The verification key of the committee's proof type: the circuit's key with the committee root bound. */
export function committeeVerificationKey(artifacts: CircuitArtifacts, committee: Committee): Uint8Array {
  const vk = JSON.parse(readFileSync(artifacts.verificationKey, "utf8")) as SnarkjsVerificationKey;
  return encodeGroth16Key(groth16KeyFromSnarkjs(vk, [committee.root]));
}

/** keccak256 of a verification key: what a rollup's policy lists. */
export function verificationKeyHash(verificationKey: Uint8Array): string {
  return keccak256(verificationKey);
}

/**
 * Aggregates K attestations from distinct members into one Groth16 proof that they signed
 * `commitment`. The circuit rejects duplicated or non-member signers, so a bad set fails here.
 */
export async function proveCommittee(
  artifacts: CircuitArtifacts,
  committee: Committee,
  commitment: bigint,
  attestations: readonly Attestation[],
): Promise<ExecutionProof> {
  const chosen = [...attestations].sort((a, b) => a.memberIndex - b.memberIndex).slice(0, COMMITTEE_CIRCUIT.signatures);
  if (chosen.length < COMMITTEE_CIRCUIT.signatures) {
    throw new CommitteeError(
      "NOT_ENOUGH_SIGNATURES",
      `${chosen.length} attestations, the circuit needs ${COMMITTEE_CIRCUIT.signatures}`,
      "wait for more attesters",
    );
  }
  for (const a of chosen) {
    if (committee.publicKeys[a.memberIndex] === undefined) {
      throw new CommitteeError(
        "UNKNOWN_MEMBER",
        `no committee member at index ${a.memberIndex}`,
        "attestations must come from committee members",
      );
    }
  }
  const input = {
    committeeRoot: committee.root,
    commitment,
    Ax: chosen.map((a) => committee.publicKeys[a.memberIndex][0]),
    Ay: chosen.map((a) => committee.publicKeys[a.memberIndex][1]),
    R8x: chosen.map((a) => a.R8[0]),
    R8y: chosen.map((a) => a.R8[1]),
    S: chosen.map((a) => a.S),
    memberIndex: chosen.map((a) => a.memberIndex),
    siblings: chosen.map((a) => committee.siblings(a.memberIndex)),
  };
  const [circuit, curve] = await Promise.all([loadCircuit(artifacts.wasm, artifacts.zkey), proverCurve()]);
  // The zkey and the witness module stay loaded across proofs (circuitCache.ts): only the witness
  // and the proof itself are computed per proof. A fresh wrapper each time: snarkjs keeps the
  // object it is given as its file.
  const witness = circuit.witness(input);
  proofsInFlight++;
  holdProverThreads(curve, true);
  let proof: SnarkjsProof;
  try {
    const { groth16 } = await loadSnarkjs();
    ({ proof } = await groth16.prove({ type: "mem", data: circuit.zkey }, { type: "mem", data: witness }));
  } finally {
    if (--proofsInFlight === 0) holdProverThreads(curve, false);
  }
  const g1 = (p: readonly string[]) => [BigInt(p[0]), BigInt(p[1])] as const;
  return {
    proofType: ProofType.Groth16Bn254,
    verificationKey: committeeVerificationKey(artifacts, committee),
    proofData: encodeGroth16Proof({ a: g1(proof.pi_a), b: [g1(proof.pi_b[0]), g1(proof.pi_b[1])], c: g1(proof.pi_c) }),
  };
}

// snarkjs proves on worker threads held by a curve it caches in a global, but builds it without
// a lock: proofs started together each build one, and all but the last to finish are lost, with
// their threads, out of reach of the release (the process cannot exit). One build, shared.
let curveBuild: Promise<unknown> | undefined;

let snarkjs: Promise<typeof import("snarkjs")> | undefined;

/**
 * snarkjs, loaded on the first proof, not when this module is imported (as circomlibjs in
 * `loadBabyJub`): requiring it loads ≈ 0.7 MB of JavaScript (its bundle, circom_runtime,
 * r1csfile, binfileutils), ≈ 60 CPU ms of every node, follower and attester process's start, and
 * only a process that proves needs it (docs/design/fast-tests.md, round 27).
 */
function loadSnarkjs(): Promise<typeof import("snarkjs")> {
  snarkjs ??= import("snarkjs");
  snarkjs.catch(() => {
    snarkjs = undefined;
  });
  return snarkjs;
}

function proverCurve(): Promise<unknown> {
  curveBuild ??= loadSnarkjs()
    .then(({ curves }) => curves.getCurveFromName("bn128"))
    .then(
      (curve) => {
        if (proofsInFlight === 0) holdProverThreads(curve, false);
        return curve;
      },
      (error: unknown) => {
        curveBuild = undefined;
        throw error;
      },
    );
  return curveBuild;
}

/** Proofs running on the prover threads now: while there is one, the threads hold the process open. */
let proofsInFlight = 0;

/**
 * The prover threads are kept between proofs (building them compiles the curve's WebAssembly on
 * every thread, ≈ 0.3–0.5 CPU s) but hold the process open only while a proof waits on them: an
 * idle thread is unreferenced, so a process that proved and never called `releaseProverThreads()`
 * can still exit, and a proof in flight keeps its process alive until it is done. The threads
 * are web-worker's wrappers around worker_threads Workers, reached through the symbol web-worker
 * keeps them under; if a snarkjs upgrade changes that shape, nothing is unreferenced (the old
 * behaviour: the threads hold the process open until released).
 */
function holdProverThreads(curve: unknown, hold: boolean): void {
  const workers = (curve as { tm?: { workers?: unknown } } | null | undefined)?.tm?.workers;
  if (!Array.isArray(workers)) return;
  for (const wrapper of workers) {
    const thread = (wrapper as Record<symbol, { ref?: () => void; unref?: () => void } | undefined> | null)?.[
      WEB_WORKER_THREAD
    ];
    if (hold) thread?.ref?.();
    else thread?.unref?.();
  }
}

/** Where web-worker (snarkjs's thread library on Node.js) keeps a wrapper's worker_threads Worker. */
const WEB_WORKER_THREAD = Symbol.for("worker");

/**
 * snarkjs proves on worker threads held by a global curve; end them so the process can exit, and
 * drop the circuits held in memory for proving.
 */
export async function releaseProverThreads(): Promise<void> {
  releaseLoadedCircuits();
  const pending = curveBuild;
  curveBuild = undefined;
  await pending?.catch(() => undefined);
  const curve = (globalThis as { curve_bn128?: { terminate(): Promise<void> } | null }).curve_bn128;
  if (curve !== undefined && curve !== null) {
    await curve.terminate();
    delete (globalThis as { curve_bn128?: unknown }).curve_bn128;
  }
}
