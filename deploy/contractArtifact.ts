import { ContractFactory, type InterfaceAbi, type JsonFragment, type JsonFragmentType, type Signer } from "ethers";

import type { OptimisticParams, ProofPolicyParams } from "./rollup";
import type { RollupPolicy } from "./policy";
import { NodeError } from "../rollup-node/errors";

/**
 * A rollup contract to deploy in place of the framework's examples: the Hardhat artifact of a
 * contract that inherits NativeRollup (or OptimisticRollup). Read it with
 * `hre.artifacts.readArtifact(name)`.
 */
export interface RollupContractArtifact {
  readonly contractName: string;
  readonly abi: readonly JsonFragment[];
  readonly bytecode: string;
}

/** What a rollup constructor may ask for, by the name of its parameter or the shape of its struct. */
export interface RollupConstructorValues {
  readonly l2ChainId: bigint;
  readonly genesisBlockHash: string;
  readonly genesisStateRoot: string;
  readonly sequencer: string;
  readonly policy: RollupPolicy;
  readonly optimistic?: OptimisticParams;
  readonly proofPolicy?: ProofPolicyParams;
  /** Who verifies a proof-mode rollup's blocks: EXECUTE's address or a ProofModeExecute (deploy/rollup.ts). */
  readonly executor: string;
}

/** The constructor of a custom rollup contract asks for something the deployer cannot supply. */
export class RollupConstructorError extends NodeError {
  constructor(message: string, hint: string) {
    super("ROLLUP_CONSTRUCTOR", message, hint);
  }
}

/** Which framework structs a constructor takes, read from its ABI. */
export interface RollupContractShape {
  readonly optimistic: boolean;
  readonly proofPolicy: boolean;
}

const SCALARS: Record<string, string> = {
  l2ChainId: "uint64",
  genesisBlockHash: "bytes32",
  genesisStateRoot: "bytes32",
  sequencer: "address",
  executor: "address",
};

type StructKind = "rollupConfig" | "optimistic" | "proofPolicy";

function structKind(input: JsonFragmentType): StructKind | undefined {
  const names = (input.components ?? []).map((c) => c.name).join(",");
  if (names === "sequencerInactivityPeriod,forceInclusionDelay") return "rollupConfig";
  // Without the proposal gas bucket's fields: a rollup built on an OptimisticRollup older than it.
  if (
    names === "challengeWindow,proposalBond,proposalGasPerSecond,proposalGasBurst" ||
    names === "challengeWindow,proposalBond"
  )
    return "optimistic";
  if (names === "threshold,allowReexecution,acceptedKeys") return "proofPolicy";
  return undefined;
}

function constructorInputs(artifact: RollupContractArtifact): readonly JsonFragmentType[] {
  return artifact.abi.find((f) => f.type === "constructor")?.inputs ?? [];
}

/** Whether the contract's constructor takes an OptimisticConfig and/or a ProofPolicy. */
export function rollupContractShape(artifact: RollupContractArtifact): RollupContractShape {
  const kinds = constructorInputs(artifact).map(structKind);
  return { optimistic: kinds.includes("optimistic"), proofPolicy: kinds.includes("proofPolicy") };
}

/**
 * The constructor arguments of a custom rollup, matched by parameter name (`l2ChainId`,
 * `genesisBlockHash`, `genesisStateRoot`, `sequencer`) or by struct shape (RollupConfig,
 * OptimisticConfig, ProofPolicy), so a project's contract may order or omit them freely.
 */
export function rollupConstructorArgs(artifact: RollupContractArtifact, values: RollupConstructorValues): unknown[] {
  return constructorInputs(artifact).map((input, i) => {
    const kind = structKind(input);
    if (kind === "rollupConfig") return values.policy;
    if (kind === "optimistic") {
      if (values.optimistic === undefined)
        throw new RollupConstructorError(
          `${artifact.contractName} takes an OptimisticConfig, but no optimistic parameters were given`,
          "run the devnet with --optimistic, or set rollup.optimistic in hardhat.config.ts",
        );
      return values.optimistic;
    }
    if (kind === "proofPolicy") {
      if (values.proofPolicy === undefined)
        throw new RollupConstructorError(
          `${artifact.contractName} takes a ProofPolicy, but no proof policy was given`,
          "run the devnet with --proofs N, or set rollup.proofs in hardhat.config.ts",
        );
      return { ...values.proofPolicy, acceptedKeys: [...values.proofPolicy.acceptedKeys] };
    }
    const name = input.name ?? "";
    const expected = SCALARS[name];
    if (expected === undefined || expected !== input.type) {
      throw new RollupConstructorError(
        `${artifact.contractName}'s constructor parameter #${i} "${name}" (${input.type ?? "?"}) is not one the deployer knows`,
        "name the parameters l2ChainId (uint64), genesisBlockHash, genesisStateRoot (bytes32), sequencer, executor (address), or take RollupConfig / OptimisticConfig / ProofPolicy structs",
      );
    }
    return (values as unknown as Record<string, unknown>)[name];
  });
}

/** A factory for the custom rollup contract. */
export function rollupContractFactory(artifact: RollupContractArtifact, deployer: Signer): ContractFactory {
  return new ContractFactory(artifact.abi as InterfaceAbi, artifact.bytecode, deployer);
}

/**
 * Whether the contract's constructor takes its executor (ProvenRollup's pattern, the template's):
 * it can then be verified by a ProofModeExecute on an L1 without EXECUTE.
 */
export function takesExecutor(artifact: RollupContractArtifact): boolean {
  return constructorInputs(artifact).some((input) => input.name === "executor" && input.type === "address");
}
