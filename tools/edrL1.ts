import { BrowserProvider, type JsonRpcSigner } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { createProvider } from "hardhat/internal/core/providers/construction";

/** Hardhat's own network, in-process: an L1 without EXECUTE (what every public L1 is today). */
export const EDR_NETWORK = "hardhat";

/** An L1 without EXECUTE: a fresh in-process EDR chain (Hardhat's `hardhat` network) and its first account. */
export interface EdrL1 {
  readonly provider: BrowserProvider;
  readonly signer: JsonRpcSigner;
}

/**
 * Starts Hardhat's EDR network in this process, beside the devnet the tests run on by default:
 * the same tests can then compare the precompile's proof mode with Solidity verifiers.
 */
export async function startEdrL1(hre: HardhatRuntimeEnvironment): Promise<EdrL1> {
  // Hardhat resolves the network's `initialDate` to the moment the config loaded, and EDR runs its
  // clock from it: a chain created later runs behind real time by the process's age (28 minutes in
  // a long mocha worker), and an L2 block stamped now is `BlockFromFuture` on it. Its clock starts now.
  const config = {
    ...hre.config,
    networks: {
      ...hre.config.networks,
      [EDR_NETWORK]: { ...hre.config.networks[EDR_NETWORK], initialDate: new Date().toISOString() },
    },
  };
  const eip1193 = await createProvider(config, EDR_NETWORK, hre.artifacts);
  const provider = new BrowserProvider(eip1193);
  const signer = await provider.getSigner(0);
  return { provider, signer };
}
