// Why the batch submitter stops before sending anything: a simulated transaction reverts for a
// reason no later attempt can cure, or the key cannot pay. Each names the cause and what works,
// once, in the log and in rollup_status (docs/design/any-l1.md).
import { describeL1Time } from "./authorization";
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

/**
 * L1 counts fewer proofs of a block than the policy requires with all the gas one transaction may
 * have, though the same proofs meet the threshold here (counted by EXECUTE's rules): L1's verifiers
 * and the node disagree on them. No gas or retry cures it, and the policy forbids re-execution.
 */
export class ProofsRefusedByL1Error extends BridgeError {
  constructor(
    readonly blockNumber: bigint,
    readonly revert: string,
    /** The gas the estimate was allowed: the most one advance may use. */
    readonly cap: bigint,
  ) {
    super(
      "PROOFS_REFUSED_BY_L1",
      `L1 refuses the proofs of L2 block ${blockNumber} (${revert}) even with ${cap} gas, though they meet the policy's threshold when checked here; no advance was sent`,
      "the rollup's verifier contracts do not accept proofs this node's provers make and EXECUTE's rules count: compare the verifiers' keys (the ProofModeExecute's VerifierDeployed events) with the provers' verification keys",
    );
  }
}

/**
 * The submitter's key cannot pay for the next transaction now. Not a halt: funds arrive (a top-up)
 * and fees fall, so the submitter waits with back-off, says so once in the log and in
 * rollup_status, and resumes by itself (docs/design/submitter-recovery.md).
 */
export abstract class SubmitterWaitError extends BridgeError {}

/** Less than the transaction's gas at the current base fee: nothing is sent until the key is funded. */
export class UnfundedSubmitterError extends SubmitterWaitError {
  constructor(
    readonly address: string,
    readonly balance: bigint,
    /** The transaction's gas at the current base fee (plus any value it carries). */
    readonly needed: bigint,
  ) {
    super(
      "UNFUNDED",
      `the submitter's key ${address} holds ${balance} wei, less than the ${needed} wei the next transaction costs at the current L1 base fee; nothing is sent until it is funded`,
      `fund ${address} on L1 (a few advances' worth): the submitter resumes by itself, no restart needed`,
    );
  }
}

/** Enough for the transaction at the base fee, not at the fee it must offer (a fee spike): waits for the fee to fall. */
export class FeeAboveFundsError extends SubmitterWaitError {
  constructor(
    readonly address: string,
    readonly balance: bigint,
    /** The transaction's gas at the maximum fee per gas it must offer now (plus any value). */
    readonly needed: bigint,
  ) {
    super(
      "FEE_ABOVE_FUNDS",
      `the submitter's key ${address} holds ${balance} wei, less than the ${needed} wei the next transaction may cost at the current L1 fee; waiting for the fee to fall`,
      `nothing to do if the fee spike passes; to send during it, fund ${address} on L1`,
    );
  }
}

/**
 * The block's `advance` needs more gas than the L1's blocks hold now: the L1's block gas limit fell
 * after the block was built, by more than the margin it was built with (./advanceGasCap.ts). A node
 * that can rebase rebuilds the block within the new limit (`rebuildReason`); one that cannot waits
 * for the limit to rise, and says so in the log and in rollup_status.
 */
export class AdvanceOverL1GasLimitError extends SubmitterWaitError {
  constructor(
    readonly blockNumber: bigint,
    /** The gas limit derived for the block's advance (or L1's estimate of it). */
    readonly needed: bigint,
    /** The most an advance can be sent with now: the lower of 2^24 and the L1's block gas limit. */
    readonly cap: bigint,
  ) {
    super(
      "ADVANCE_OVER_L1_GAS_LIMIT",
      `the advance of L2 block ${blockNumber} needs up to ${needed} L1 gas, more than the ${cap} one L1 transaction may use now (the L1's block gas limit fell after the block was built); nothing is sent`,
      "the submitter sends it by itself once the L1's block gas limit rises again; a node that can rebase (the node command's does) rebuilds the block within the new limit instead",
    );
  }

  /** Why the block is rebuilt, for RebuildRequiredError: the code, then the cause. */
  get rebuildReason(): string {
    return `${this.code}: its advance needs up to ${this.needed} L1 gas, more than the ${this.cap} one L1 transaction may use now`;
  }
}

/**
 * Optimistic mode: the block's challenge could need more gas than OptimisticRollup.propose accepts
 * on this L1 now (`challengeGasCap()`, the L1's block gas limit less a 32nd): the limit fell after
 * the block was built, by more than the margin it was built with (./advanceGasCap.ts
 * `proposalBuildCap`). As for an advance, a node that can rebase rebuilds the block within the new
 * limit (`rebuildReason`); one that cannot waits for the limit to rise. Nothing is sent: the
 * contract would refuse it (docs/design/challenge-gas-cap.md).
 */
export class ProposalOverL1GasLimitError extends SubmitterWaitError {
  constructor(
    readonly blockNumber: bigint,
    /** `challengeGasBound` of the proposal: what its challenge could need. */
    readonly needed: bigint,
    /** The most the contract lets a challenge need in the next L1 block, as the L1's limit stands. */
    readonly cap: bigint,
  ) {
    super(
      "PROPOSAL_OVER_L1_GAS_LIMIT",
      `the challenge of L2 block ${blockNumber} could need ${needed} L1 gas, more than the ${cap} a proposal's challenge may need on this L1 now (the L1's block gas limit fell after the block was built; propose would refuse it with ProposalNotChallengeable); nothing is sent`,
      "the submitter proposes it by itself once the L1's block gas limit rises again; a node that can rebase (the node command's does) rebuilds the block within the new limit instead",
    );
  }

  /** Why the block is rebuilt, for RebuildRequiredError: the code, then the cause. */
  get rebuildReason(): string {
    return `${this.code}: its challenge could need ${this.needed} L1 gas, more than the ${this.cap} a proposal's challenge may need on this L1 now`;
  }
}

/** A failure the next attempt may not see (network, L1 time, budget, a pending transaction). */
export class TransientBridgeError extends BridgeError {
  constructor(message: string) {
    super("TRANSIENT", message, "the submitter retries with backoff");
  }
}

/**
 * L1's rollup moved past what the block was built on (`ParentNotHead`, `ParentNotTip`,
 * `UnexpectedBlockNumber`, `ProvisionalBlocksPending`): another submitter's block was accepted
 * first (two nodes advancing one rollup, a fallback or based sequencer racing this one), or L1
 * reorganized. The block is not resent as it is: the next round reads L1's head again and rebases
 * on it when it is not a local block (the lost block dropped, its transactions back in the pool).
 */
export class L1MovedOnError extends TransientBridgeError {
  constructor(
    readonly action: string,
    readonly blockNumber: bigint,
    /** The decoded revert, e.g. `ParentNotHead(0x…, 0x…)`. */
    readonly reason: string,
  ) {
    super(
      `${action} of L2 block ${blockNumber} lost: L1's rollup moved on (${reason}), another submitter's block accepted first or an L1 reorg; not resent as it is: the next round reads L1's head and rebases on it if it is not a local block`,
    );
  }
}

/**
 * Block `blockNumber` cannot be accepted as it is, but its transactions can: L1 rejects it for its
 * messages (OverdueMessageSkipped, AnchorMismatch), or the node holds it without a witness (a block
 * derived from L1 that an L1 reorg took off again). It and the blocks after it are dropped and
 * built again (docs/design/submitter-recovery.md).
 */
export class RebuildRequiredError extends TransientBridgeError {
  constructor(
    readonly blockNumber: bigint,
    /** Why, e.g. the decoded revert `OverdueMessageSkipped(3, 1700000000)`. */
    readonly reason: string,
  ) {
    super(
      `L2 block ${blockNumber} cannot be accepted as it is (${reason}): dropping the unaccepted blocks from ${blockNumber} on and building them again`,
    );
  }
}

/** The rollup's rule does not let this submitter advance yet (`NotSequencer`): it tries again when sequencing opens. */
export class NotYetSequencerError extends TransientBridgeError {
  constructor(
    readonly submitter: string,
    /** L1 timestamp from which the rollup accepts this submitter's blocks. */
    readonly openAt: bigint,
    /** The timestamp of L1's latest block: the clock the rule reads, not this machine's. */
    readonly l1Now: bigint,
    /** How long to wait before the next attempt. */
    readonly retryAfterMs: number,
  ) {
    // An L1 that mines only when sent a transaction (npx hardhat node, the devnet's L1 without
    // --block-time) keeps its clock below the open time until someone sends one: said, not waited out.
    const clock =
      l1Now < openAt
        ? `; L1's latest block is at time ${describeL1Time(l1Now)}: the rule opens with an L1 block at or after that time (an L1 that mines only on transactions needs one sent)`
        : "";
    super(
      `${submitter} is not the rollup's sequencer (NotSequencer): the rollup lets it advance from L1 time ${describeL1Time(openAt)} (sequencer inactivity period)${clock}; nothing sent, waiting ${retryAfterMs} ms`,
    );
  }
}

/** L1 accepted a block that does not execute here to its hash: the node and EXECUTE disagree. */
export class ConsensusSplitError extends BridgeError {
  constructor(message: string) {
    super(
      "CONSENSUS_SPLIT",
      message,
      "L1 accepted a block this node executes differently: check that the node runs the rollup's genesis and fork rules; nothing is submitted meanwhile",
    );
  }
}
