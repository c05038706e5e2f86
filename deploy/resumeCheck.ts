// What a resumed `rollup:deploy` checks before it reuses a contract its partial record names
// (attack review C7). The record is a file: whoever can write it (or a stale copy from another
// chain) would otherwise choose the executor and the rollup the deployment adopts. Each reused
// contract must be exactly what this run would deploy (docs/design/any-l1.md, "Resuming").
import { type Provider, type Signer, keccak256 } from "ethers";

import { Groth16Verifier__factory, ProofModeExecute__factory } from "../typechain-types";
import { NodeError } from "../rollup-node/errors";

/** A partial record names a contract this deployment would not have deployed: nothing was reused. */
export class ResumeMismatchError extends NodeError {
  constructor(file: string | undefined, message: string) {
    super(
      "RESUME_MISMATCH",
      `refusing to resume: ${message}`,
      `the partial record is not this deployment's (tampered, or left by another run): delete ${file ?? "<out>.partial"} to deploy afresh`,
    );
  }
}

/** The partial record was written on another L1 chain (or names none). */
export class ResumeOtherChainError extends NodeError {
  constructor(file: string | undefined, recorded: bigint | undefined, actual: bigint) {
    super(
      "RESUME_OTHER_CHAIN",
      `refusing to resume: the partial record is of ${recorded === undefined ? "no named L1 chain" : `L1 chain ${recorded}`}, and this L1 is chain ${actual}`,
      `delete ${file ?? "<out>.partial"} to deploy afresh on chain ${actual}`,
    );
  }
}

/** Refuses a record of another chain: its addresses mean nothing (or someone else's contracts) here. */
export function checkResumedChain(recorded: bigint | undefined, actual: bigint, file?: string): void {
  if (recorded !== actual) throw new ResumeOtherChainError(file, recorded, actual);
}

/** The runtime code `initCode` leaves behind, run as a creation in an `eth_call` (no transaction). */
async function simulatedRuntime(provider: Provider, from: string, initCode: string): Promise<string> {
  return provider.call({ from, data: initCode });
}

/**
 * Refuses a recorded executor unless it is a ProofModeExecute (its runtime code, which has no
 * immutables, is byte for byte what its creation leaves) whose verifier for each accepted key is
 * the Groth16Verifier of that very key (its code, immutables included, compared with a simulated
 * creation). Storage other than these verifiers does not matter: the rollup asks only for them.
 */
export async function checkResumedExecutor(
  deployer: Signer,
  executor: string,
  verificationKeys: readonly string[],
  file?: string,
): Promise<void> {
  const provider = deployer.provider as Provider;
  const from = await deployer.getAddress();
  const [code, expected] = await Promise.all([
    provider.getCode(executor),
    simulatedRuntime(
      provider,
      from,
      (await new ProofModeExecute__factory().getDeployTransaction([...verificationKeys])).data,
    ),
  ]);
  if (keccak256(code) !== keccak256(expected))
    throw new ResumeMismatchError(file, `the executor ${executor} it records is not a ProofModeExecute`);
  const proofModeExecute = ProofModeExecute__factory.connect(executor, provider);
  for (const key of verificationKeys) {
    const keyHash = keccak256(key);
    const verifier = await proofModeExecute.verifierOf(keyHash);
    const [verifierCode, expectedVerifier] = await Promise.all([
      provider.getCode(verifier),
      simulatedRuntime(provider, from, (await new Groth16Verifier__factory().getDeployTransaction(key)).data),
    ]);
    if (keccak256(verifierCode) !== keccak256(expectedVerifier))
      throw new ResumeMismatchError(
        file,
        `the executor ${executor} it records verifies key ${keyHash} with ${verifier}, which is not that key's Groth16Verifier`,
      );
  }
}

/**
 * Refuses a recorded rollup unless the transaction the record names created it at that address,
 * was sent by this deployer, and carried exactly the creation code and constructor arguments this
 * run would send (the rollup's immutables, among them its executor, follow from them; its storage
 * starts from them).
 */
export async function checkResumedRollup(
  deployer: Signer,
  recorded: { readonly address: string; readonly transactionHash: string },
  deployData: string,
  file?: string,
): Promise<void> {
  const provider = deployer.provider as Provider;
  const [tx, receipt] = await Promise.all([
    provider.getTransaction(recorded.transactionHash),
    provider.getTransactionReceipt(recorded.transactionHash),
  ]);
  const why =
    tx === null || receipt === null
      ? `no transaction ${recorded.transactionHash} is on this chain`
      : receipt.status !== 1 || receipt.contractAddress?.toLowerCase() !== recorded.address.toLowerCase()
        ? `transaction ${recorded.transactionHash} did not create ${recorded.address}`
        : tx.from.toLowerCase() !== (await deployer.getAddress()).toLowerCase()
          ? `${recorded.address} was deployed by ${tx.from}, not by this deployer`
          : tx.data.toLowerCase() !== deployData.toLowerCase()
            ? `${recorded.address} was deployed with other code or constructor arguments (chain id, genesis, sequencer, policy or executor) than this deployment's`
            : undefined;
  if (why !== undefined) throw new ResumeMismatchError(file, `the rollup ${recorded.address} it records: ${why}`);
}
