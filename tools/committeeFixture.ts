import type { Common } from "@ethereumjs/common";
import { getBytes, hexlify, keccak256 } from "ethers";

import { type ExecutionProof, type ProofBundle, encodeExecuteInput, encodeProofBundle } from "../precompiles";
import { attestBlock } from "../rollup-node/provers/attester";
import {
  type Attestation,
  AttesterKey,
  type BabyJub,
  Committee,
  bundledCircuitArtifacts,
  committeeVerificationKey,
  loadBabyJub,
  proveCommittee,
} from "../rollup-node/provers/committee";
import type { ExecutionProver } from "../rollup-node/provers/proofService";
import { TestSigner, word } from "./l2Fixtures";
import { type BuiltBlock, L2TestChain } from "./l2TestChain";

/** A committee of `size` attesters with deterministic keys (seeded by `seed`). */
export interface TestCommittee {
  readonly babyJub: BabyJub;
  readonly committee: Committee;
  readonly keys: readonly AttesterKey[];
  readonly verificationKey: Uint8Array;
  readonly keyHash: Uint8Array;
}

export async function testCommittee(size: number, seed: number): Promise<TestCommittee> {
  const babyJub = await loadBabyJub();
  const keys = Array.from(
    { length: size },
    (_, i) => new AttesterKey(babyJub, getBytes(`0x${word(seed * 100 + i + 1)}`)),
  );
  const committee = Committee.fromPublicKeys(
    babyJub,
    keys.map((k) => k.publicKey),
  );
  const verificationKey = committeeVerificationKey(bundledCircuitArtifacts(), committee);
  return { babyJub, committee, keys, verificationKey, keyHash: getBytes(keccak256(verificationKey)) };
}

/**
 * The committee as a node runs it, in process: three members re-execute the block and sign, and the
 * signatures are aggregated into one Groth16 proof (what the node's attesters would answer).
 */
export function committeeProver(
  c: TestCommittee,
  name = "committee",
  prove: typeof proveCommittee = proveCommittee,
): ExecutionProver {
  return {
    name,
    keyHash: hexlify(c.keyHash),
    prove: async (block) => {
      const signed = await Promise.all([0, 1, 2].map((i) => attestBlock(c.keys[i] as AttesterKey, i, block)));
      return prove(
        bundledCircuitArtifacts(),
        c.committee,
        (signed[0] as (typeof signed)[number]).commitment,
        signed.map((s) => s.attestation),
      );
    },
    close: () => Promise.resolve(),
  };
}

/** Attestations of `members` for a built block (each re-executes the block first), and its commitment. */
export async function attest(
  c: TestCommittee,
  chainId: bigint,
  built: BuiltBlock,
  members: readonly number[],
  l1Common?: Common,
): Promise<{ attestations: Attestation[]; commitment: bigint }> {
  const block = {
    chainId,
    common: l1Common,
    parentHeader: built.parentHeader,
    block: built.blockRlp,
    witness: built.witness,
  };
  const signed = await Promise.all(members.map((i) => attestBlock(c.keys[i], i, block)));
  return { attestations: signed.map((s) => s.attestation), commitment: signed[0].commitment };
}

/**
 * A committee proof for a built block from the given members (re-executing under `l1Common`'s rules
 * and crypto when given), made by `prove` (the real prover unless a test passes another source of
 * the same proofs, such as its committed fixtures).
 */
export async function committeeProof(
  c: TestCommittee,
  chainId: bigint,
  built: BuiltBlock,
  members: readonly number[],
  l1Common?: Common,
  prove: typeof proveCommittee = proveCommittee,
): Promise<ExecutionProof> {
  const { attestations, commitment } = await attest(c, chainId, built, members, l1Common);
  return prove(bundledCircuitArtifacts(), c.committee, commitment, attestations);
}

export function bundle(
  proofs: readonly ExecutionProof[],
  acceptedKeys: readonly Uint8Array[],
  threshold: number,
  allowReexecution = false,
): ProofBundle {
  return { policy: { threshold, allowReexecution, acceptedKeys }, proofs };
}

/** The prefix circom's witness calculator prints a failed constraint with (circom_runtime). */
const WITNESS_ERROR_PREFIX = "ERROR: ";

/**
 * Runs `prove`, keeping circom's witness calculator from printing. On a failed constraint it writes
 * "ERROR:  <code> <where>" to the console and then throws an Error with the same text, so a test that
 * expects the proof to fail would print the line as noise beside a passing test. Only that line
 * is held back; the error still reaches the caller, and every other console line goes through.
 */
export async function withoutWitnessErrorOutput<T>(prove: () => Promise<T>): Promise<T> {
  const { log, error } = console;
  const filtered =
    (print: (...args: unknown[]) => void) =>
    (...args: unknown[]): void => {
      if (args[0] !== WITNESS_ERROR_PREFIX) print(...args);
    };
  console.log = filtered(log);
  console.error = filtered(error);
  try {
    return await prove();
  } finally {
    console.log = log;
    console.error = error;
  }
}

/** A block of one transfer proven by a 3-member committee, and EXECUTE's input for it in proof mode. */
export interface ProvenTransfer {
  readonly committee: TestCommittee;
  readonly built: BuiltBlock;
  /** `encodeExecuteInput` of the block with its committee proof and no re-execution allowed. */
  readonly input: Uint8Array;
}

/**
 * One ETH transfer on a fresh L2 chain, proven by all three members of a seeded committee. Proofs
 * only: without re-execution, a proof that does not count rejects the block — what the attacks on
 * EXECUTE's proof path need to see a verdict change.
 */
export async function provenTransfer(chainId: bigint): Promise<ProvenTransfer> {
  const committee = await testCommittee(3, 7);
  const probe = await L2TestChain.create(chainId, []);
  const alice = TestSigner.fromSeed(13, probe.common);
  const chain = await L2TestChain.create(chainId, [{ address: alice.address.toString(), balance: 10n ** 18n }]);
  const built = await chain.buildBlock([
    TestSigner.fromSeed(13, chain.common).tx({ to: "0x00000000000000000000000000000000000000aa", value: 1n }),
  ]);
  const proof = await committeeProof(committee, chainId, built, [0, 1, 2]);
  const input = encodeExecuteInput({
    chainId,
    parentHeader: built.parentHeader,
    block: built.blockRlp,
    witness: built.witness,
    proofs: encodeProofBundle(bundle([proof], [committee.keyHash], 1, false)),
  });
  return { committee, built, input };
}
