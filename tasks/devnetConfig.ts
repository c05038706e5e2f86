// Turns the `rollup` section of the Hardhat config into rollup devnet options: the project's
// rollup contract (its artifact), its policies and its L2 genesis (allocations and predeploys).
import type { HardhatRuntimeEnvironment } from "hardhat/types";

import type { RollupContractArtifact } from "../deploy/contractArtifact";
import type { GenesisAccount, Hex } from "../rollup-node/chain/genesis";
import type { RollupDevnetOptions } from "../rollup-node/devnet/rollupDevnet";
import type { ResolvedRollupConfig } from "./rollupConfig";

export type ConfiguredDevnetOptions = Pick<
  RollupDevnetOptions,
  | "contract"
  | "l2ChainId"
  | "l2BlockTimeMs"
  | "l2GasLimit"
  | "policy"
  | "sequencing"
  | "mode"
  | "genesisAlloc"
  | "l2WriteRules"
>;

/** A contract of the project, read from its compiled artifacts. */
export async function readRollupArtifact(
  hre: HardhatRuntimeEnvironment,
  name: string,
): Promise<RollupContractArtifact> {
  const artifact = await hre.artifacts.readArtifact(name);
  return { contractName: artifact.contractName, abi: artifact.abi, bytecode: artifact.bytecode };
}

/** The L2 genesis accounts the config asks for, predeploys with their compiled runtime code. */
export async function configuredGenesisAlloc(
  hre: HardhatRuntimeEnvironment,
  rollup: ResolvedRollupConfig,
): Promise<Record<string, GenesisAccount>> {
  const alloc: Record<string, GenesisAccount> = { ...rollup.alloc };
  for (const predeploy of rollup.predeploys) {
    const artifact = await hre.artifacts.readArtifact(predeploy.contract);
    // Nonce 1: a contract account as if deployed (EIP-161), like the L2Bridge predeploy.
    alloc[predeploy.address] = {
      nonce: 1n,
      code: artifact.deployedBytecode as Hex,
      ...(predeploy.balance === undefined ? {} : { balance: predeploy.balance }),
      ...(predeploy.storage === undefined ? {} : { storage: predeploy.storage }),
    };
  }
  return alloc;
}

/** Devnet options from `hre.config.rollup`; needs compiled artifacts when it names contracts. */
export async function devnetOptionsFromConfig(hre: HardhatRuntimeEnvironment): Promise<ConfiguredDevnetOptions> {
  const rollup = hre.config.rollup;
  return {
    l2ChainId: rollup.l2ChainId,
    l2BlockTimeMs: rollup.blockTimeMs,
    policy: rollup.policy,
    sequencing: rollup.sequencing.kind,
    genesisAlloc: await configuredGenesisAlloc(hre, rollup),
    ...(rollup.gasLimit === undefined ? {} : { l2GasLimit: rollup.gasLimit }),
    ...(rollup.writeRules === undefined ? {} : { l2WriteRules: rollup.writeRules }),
    ...(rollup.contract === undefined ? {} : { contract: await readRollupArtifact(hre, rollup.contract) }),
    mode: rollup.mode,
  };
}
