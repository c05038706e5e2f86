import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

import { getBytes, hexlify, keccak256 } from "ethers";

import { decodeGroth16Key, decodeGroth16Proof } from "../../precompiles/proofs/codec";
import { verifyGroth16 } from "../../precompiles/proofs/groth16";
import { type ExecutionProof, ProofType } from "../../precompiles/proofs/types";
import {
  type Attestation,
  COMMITTEE_CIRCUIT,
  type CircuitArtifacts,
  type Committee,
  committeeVerificationKey,
  loadBabyJub,
  proveCommittee,
  verifyAttestation,
} from "../../rollup-node/provers/committee";
import { type TestCommittee, committeeProof } from "../../tools/committeeFixture";
import type { BuiltBlock } from "../../tools/l2TestChain";

/**
 * Committed Groth16 committee proofs for tests whose subject is a verifier (a contract, EXECUTE's
 * proof mode) or what comes before the proof (the attesters' answers), not the prover: a proof costs ≈ 3.3 CPU s to make and milliseconds to verify
 * (docs/design/fast-tests.md, round 25). A fixture is found by the hash of the statement it proves
 * (the circuit's proving key, the committee-bound verification key, the commitment), so it can
 * only ever be returned for that statement, and it is verified with EXECUTE's Groth16 verifier
 * before it is returned: a cached proof is never trusted unchecked. On a miss the real prover runs.
 */

/** What the store does on a miss: `read` proves and goes on, `write` also stores the proof, `off` always proves. */
export type ProofFixtureMode = "read" | "write" | "off";

/** The environment variable that sets the mode (test/fixtures/proofs/README.md). */
export const PROOF_FIXTURES_ENV = "PROOF_FIXTURES";
const DEFAULT_MODE: ProofFixtureMode = "read";
/** Where the committed fixtures live. */
export const DEFAULT_FIXTURE_DIR = path.join(__dirname, "..", "fixtures", "proofs");

/** Everything a committee proof proves: its fixture's key is the hash of this and nothing else. */
export interface ProofStatement {
  readonly circuit: string;
  /** sha256 of the proving key (zkey) the proof would be made with. */
  readonly zkeySha256: string;
  /** keccak256 of the verification key with the committee root bound: what a rollup's policy lists. */
  readonly verificationKeyHash: string;
  /** The block commitment, the circuit's one free public input, in decimal. */
  readonly commitment: string;
}

/** A fixture file's content. */
interface ProofFixtureFile {
  readonly statement: ProofStatement;
  readonly proofData: string;
}

/** Thrown when a committed fixture cannot be used; `code` says why. */
export class ProofFixtureError extends Error {
  constructor(
    readonly code: "FIXTURE_KEY_MISMATCH" | "FIXTURE_INVALID" | "FIXTURE_UNREADABLE" | "BAD_MODE",
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = "ProofFixtureError";
  }
}

const REGENERATE_HINT = `delete the file and run the test with ${PROOF_FIXTURES_ENV}=write to prove it again`;

/** The mode named by `value` (the environment variable's), the default when unset. */
export function proofFixtureMode(value: string | undefined = process.env[PROOF_FIXTURES_ENV]): ProofFixtureMode {
  if (value === undefined || value === "") return DEFAULT_MODE;
  if (value === "read" || value === "write" || value === "off") return value;
  throw new ProofFixtureError("BAD_MODE", `${PROOF_FIXTURES_ENV}=${value}`, "use read, write or off");
}

/** The file name of the fixture proving `statement`: sha256 of its canonical JSON. */
export function proofFixtureKey(statement: ProofStatement): string {
  const canonical = JSON.stringify([
    statement.circuit,
    statement.zkeySha256,
    statement.verificationKeyHash,
    statement.commitment,
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}

const zkeyHashes = new Map<string, string>();

/** sha256 of a zkey file, once per process per file version (path, size, modification time). */
function zkeySha256(zkeyPath: string): string {
  const { size, mtimeMs } = statSync(zkeyPath);
  const id = `${zkeyPath}\0${size}\0${mtimeMs}`;
  let hash = zkeyHashes.get(id);
  if (hash === undefined) {
    hash = createHash("sha256").update(readFileSync(zkeyPath)).digest("hex");
    zkeyHashes.set(id, hash);
  }
  return hash;
}

/** The statement a committee proof of `commitment` proves under `artifacts`' circuit. */
export function committeeStatement(
  artifacts: CircuitArtifacts,
  verificationKey: Uint8Array,
  commitment: bigint,
): ProofStatement {
  return {
    circuit: COMMITTEE_CIRCUIT.name,
    zkeySha256: zkeySha256(artifacts.zkey),
    verificationKeyHash: keccak256(verificationKey),
    commitment: commitment.toString(),
  };
}

/** Whether `verificationKey` accepts `proofData` for `commitment`, by EXECUTE's own Groth16 verifier. */
async function verifies(verificationKey: Uint8Array, proofData: Uint8Array, commitment: bigint): Promise<boolean> {
  const key = decodeGroth16Key(verificationKey);
  return verifyGroth16(key, decodeGroth16Proof(proofData), [...key.boundInputs, commitment]);
}

function sameStatement(a: ProofStatement, b: ProofStatement): boolean {
  return (
    a.circuit === b.circuit &&
    a.zkeySha256 === b.zkeySha256 &&
    a.verificationKeyHash === b.verificationKeyHash &&
    a.commitment === b.commitment
  );
}

/** Counts of one store's answers, for the tests and the measurements. */
export interface ProofFixtureCounts {
  hits: number;
  proved: number;
  written: number;
}

/** A folder of proof fixtures and the mode it is used in. */
export class ProofFixtureStore {
  readonly counts: ProofFixtureCounts = { hits: 0, proved: 0, written: 0 };

  constructor(
    readonly dir: string = DEFAULT_FIXTURE_DIR,
    readonly mode: ProofFixtureMode = proofFixtureMode(),
  ) {}

  /**
   * The stored proof of `statement`, verified, or undefined when there is none. Throws when the
   * file there is for another statement or its proof does not verify: a committed fixture that
   * cannot be used is a defect to see, not a miss to prove around.
   */
  async lookup(statement: ProofStatement, verificationKey: Uint8Array): Promise<Uint8Array | undefined> {
    const file = path.join(this.dir, `${proofFixtureKey(statement)}.json`);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
    let stored: ProofFixtureFile;
    let proofData: Uint8Array;
    try {
      stored = JSON.parse(text) as ProofFixtureFile;
      proofData = getBytes(stored.proofData);
    } catch (error) {
      throw new ProofFixtureError("FIXTURE_UNREADABLE", `${file}: ${(error as Error).message}`, REGENERATE_HINT);
    }
    if (
      typeof stored.statement !== "object" ||
      stored.statement === null ||
      !sameStatement(stored.statement, statement)
    ) {
      throw new ProofFixtureError(
        "FIXTURE_KEY_MISMATCH",
        `${file} holds a proof of another statement than the one its name is the key of`,
        REGENERATE_HINT,
      );
    }
    if (keccak256(verificationKey) !== statement.verificationKeyHash) {
      throw new ProofFixtureError(
        "FIXTURE_KEY_MISMATCH",
        "the verification key given is not the statement's",
        "build the statement from the key",
      );
    }
    if (!(await verifies(verificationKey, proofData, BigInt(statement.commitment)))) {
      throw new ProofFixtureError(
        "FIXTURE_INVALID",
        `${file}: the proof does not verify for its statement`,
        REGENERATE_HINT,
      );
    }
    return proofData;
  }

  /** Stores `proofData` as the proof of `statement` (written to a temporary name, then renamed). */
  store(statement: ProofStatement, proofData: Uint8Array): string {
    mkdirSync(this.dir, { recursive: true });
    const file = path.join(this.dir, `${proofFixtureKey(statement)}.json`);
    const content: ProofFixtureFile = { statement, proofData: hexlify(proofData) };
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(content, null, 2)}\n`);
    renameSync(temporary, file);
    this.counts.written++;
    return file;
  }

  /**
   * `proveCommittee`'s answer for these arguments: the stored proof of the statement when there is
   * one (verified), else a real proof (stored in `write` mode). A set of attestations the prover
   * would refuse is always given to the prover, so that its refusal is the test's.
   */
  async proveCommittee(
    artifacts: CircuitArtifacts,
    committee: Committee,
    commitment: bigint,
    attestations: readonly Attestation[],
  ): Promise<ExecutionProof> {
    const prove = async (): Promise<ExecutionProof> => {
      const proof = await proveCommittee(artifacts, committee, commitment, attestations);
      this.counts.proved++;
      return proof;
    };
    if (this.mode === "off" || !(await provable(committee, commitment, attestations))) return prove();
    const verificationKey = committeeVerificationKey(artifacts, committee);
    const statement = committeeStatement(artifacts, verificationKey, commitment);
    const stored = await this.lookup(statement, verificationKey);
    if (stored !== undefined) {
      this.counts.hits++;
      return { proofType: ProofType.Groth16Bn254, verificationKey, proofData: stored };
    }
    const proof = await prove();
    if (this.mode === "write") this.store(statement, proof.proofData);
    return proof;
  }
}

/**
 * Whether the prover would make a proof of these attestations: enough of them from distinct members
 * of the committee, and the ones it takes (the first `COMMITTEE_CIRCUIT.signatures` by member
 * index, as `proveCommittee` does) signed by those members over `commitment`. The statement a
 * fixture is found by holds no attestations: without the signature check, a fixture made from three
 * honest members would stand in for a set the circuit refuses (a forged signature a node failed to
 * leave out, test/rollup-node/provers/committeeAdversary.test.ts).
 */
async function provable(
  committee: Committee,
  commitment: bigint,
  attestations: readonly Attestation[],
): Promise<boolean> {
  const members = new Set(attestations.map((a) => a.memberIndex));
  if (
    members.size !== attestations.length ||
    attestations.length < COMMITTEE_CIRCUIT.signatures ||
    !attestations.every((a) => committee.publicKeys[a.memberIndex] !== undefined)
  )
    return false;
  const babyJub = await loadBabyJub();
  const chosen = [...attestations].sort((a, b) => a.memberIndex - b.memberIndex).slice(0, COMMITTEE_CIRCUIT.signatures);
  return chosen.every((a) => verifyAttestation(babyJub, committee.publicKeys[a.memberIndex], commitment, a));
}

let shared: ProofFixtureStore | undefined;

/** The process's store over the committed fixtures, in the mode of the environment. */
export function proofFixtures(): ProofFixtureStore {
  shared ??= new ProofFixtureStore();
  return shared;
}

/** `proveCommittee` through the committed fixtures: for tests whose subject is the verifier. */
export function fixtureProveCommittee(
  artifacts: CircuitArtifacts,
  committee: Committee,
  commitment: bigint,
  attestations: readonly Attestation[],
): Promise<ExecutionProof> {
  return proofFixtures().proveCommittee(artifacts, committee, commitment, attestations);
}

/**
 * tools/committeeFixture's `committeeProof` through the committed fixtures: the members still
 * re-execute the block and sign (the commitment is theirs), only the Groth16 proof is looked up.
 */
export function fixtureCommitteeProof(
  c: TestCommittee,
  chainId: bigint,
  built: BuiltBlock,
  members: readonly number[],
): Promise<ExecutionProof> {
  return committeeProof(c, chainId, built, members, undefined, fixtureProveCommittee);
}
