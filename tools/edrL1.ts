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
  const eip1193 = await createProvider(hre.config, EDR_NETWORK, hre.artifacts);
  const provider = new BrowserProvider(eip1193);
  const signer = await provider.getSigner(0);
  return { provider, signer };
}
