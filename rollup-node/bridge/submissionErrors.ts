// Why the batch submitter stops before sending anything: a simulated transaction reverts for a
// reason no later attempt can cure, or the key cannot pay. Each names the cause and what works,
// once, in the log and in rollup_status (docs/design/any-l1.md).
import { BridgeError } from "./errors";

/** The rollup's executor gave no EXECUTE answer: the L1 has no EXECUTE precompile at 0x0101. */
export class ExecuteUnavailableError extends BridgeError {
  constructor(
    readonly blockNumber: bigint,
    readonly revert: string,
  ) {
    super(
      "NO_EXECUTE",
      `L1 cannot verify L2 block ${blockNumber}: the rollup calls EXECUTE at 0x…0101, and this L1 has no EXECUTE precompile (${revert}); no advance was sent`,
      "no public L1 has EXECUTE yet (EIP-8079 is a draft): redeploy the rollup in proof mode with on-chain verifiers (npx hardhat rollup:deploy --network <name> --proofs k-of-n), which checks the proofs in Solidity",
    );
  }
}

/** The submitter's key may never advance this rollup (a permissioned rollup's hook says so). */
export class NotSequencerError extends BridgeError {
  constructor(
    readonly blockNumber: bigint,
    readonly submitter: string,
    readonly revert: string,
  ) {
    super(
      "NOT_SEQUENCER",
      `${submitter} may not advance this rollup (L2 block ${blockNumber}: ${revert}); no advance was sent`,
      "run the node with the sequencer's key (the address the rollup was deployed with, SEQUENCER())",
    );
  }
}

/** The node's proofs cannot meet the rollup's policy, and the policy forbids re-execution. */
export class ProofPolicyUnmetError extends BridgeError {
  constructor(
    readonly blockNumber: bigint,
    readonly shortfall: string,
  ) {
    super(
      "PROOF_POLICY_UNMET",
      `${shortfall}; no advance was sent`,
      "the node's provers are not the ones the rollup's policy accepts: run attesters/provers whose verification keys the rollup lists (rollup:blocks shows the policy's keys), or redeploy with the node's keys",
    );
  }
}

/** The submitter's key holds less than one `advance` may cost: the L1 node would refuse to send it. */
export class UnfundedSubmitterError extends BridgeError {
  constructor(
    readonly address: string,
    readonly balance: bigint,
    readonly needed: bigint,
  ) {
    super(
      "UNFUNDED",
      `the submitter's key ${address} holds ${balance} wei, less than the ${needed} wei one transaction may cost at the current L1 fee; nothing was sent`,
      `fund ${address} on L1 (a few advances' worth) and restart the node`,
    );
  }
}
