// What verifies a rollup's blocks on L1, for the words the node logs about an accepted block: the
// EXECUTE precompile, or on an L1 without it a Solidity verifier contract (ProofModeExecute, the
// rollup's EXECUTOR: docs/design/proofs-without-execute.md). "Accepted by EXECUTE" on such an L1
// named a precompile that is not there.
import { Contract, type ContractRunner, getAddress } from "ethers";

import { EXECUTE_ADDRESS } from "../../precompiles";

/** The EXECUTE precompile (re-execution or its proof mode), or a Solidity verifier contract. */
export type BlockVerifier = { readonly kind: "precompile" } | { readonly kind: "contract"; readonly address: string };

/** The executor getter of ProvenRollup and the template's proof-mode contract; ExampleRollup has none. */
const EXECUTOR_ABI = ["function EXECUTOR() view returns (address)"];

/**
 * The rollup's verifier, read from its `EXECUTOR()`: the precompile when the rollup has no such
 * getter (ExampleRollup, an optimistic rollup) or it is the precompile's address. A failed read
 * (the L1 unreachable) throws: it is not an answer.
 */
export async function readBlockVerifier(rollupAddress: string, runner: ContractRunner): Promise<BlockVerifier> {
  try {
    const executor = getAddress(
      (await new Contract(rollupAddress, EXECUTOR_ABI, runner).getFunction("EXECUTOR")()) as string,
    );
    return executor === getAddress(EXECUTE_ADDRESS) ? { kind: "precompile" } : { kind: "contract", address: executor };
  } catch (error) {
    // No such function: the call reverts without data, or returns nothing to decode.
    const code = (error as { code?: unknown }).code;
    if (code === "CALL_EXCEPTION" || code === "BAD_DATA") return { kind: "precompile" };
    throw error;
  }
}

/**
 * What verified an accepted block, in words: EXECUTE's re-execution (no proofs), EXECUTE's proof
 * mode, or the Solidity verifier contract; only "its proofs" when the verifier is not known.
 */
export function acceptedBy(verifier: BlockVerifier | undefined, provenBy: readonly string[]): string {
  if (provenBy.length === 0) return "EXECUTE re-executed it";
  const proofs = provenBy.join(", ");
  if (verifier === undefined) return `its proofs (${proofs}) verified`;
  return verifier.kind === "precompile"
    ? `EXECUTE verified its proofs (${proofs}) in proof mode`
    : `the Solidity verifier contract ${verifier.address} verified its proofs (${proofs})`;
}
