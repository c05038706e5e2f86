import { MaxUint256, type Signer, type TransactionReceipt, getBytes, hexlify, keccak256 } from "ethers";

import {
  ExecuteErrorCode,
  type ProofPolicy,
  commitmentToField,
  countValidProofs,
  decodeExecutionProofs,
  encodeProofBundle,
  executeGasCostOfBlock,
  executeInputLength,
  executionCommitment,
  proofModeGasCost,
  resultOf,
} from "../../precompiles";
import { TX_GAS_LIMIT_CAP } from "../chain/simulate";
import type { ProducedBlock, RebaseReport, SequencerApi } from "../l2/types";
import { DerivationMismatchError } from "../follower/errors";
import {
  type DecodedRevert,
  type ExampleRollup,
  type OptimisticExampleRollup,
  connectOptimisticRollup,
  connectRollup,
  decodeRollupRevert,
  revertDataOf,
} from "./contracts";
import { sequencingOpensAt } from "./authorization";
import { ProvisionalFinalizer } from "./finalizer";
import { BlockRejectedError, BridgeError, ChainDivergedError } from "./errors";
import type { L1BlockRef } from "./rebase";
import { RebaseError } from "./rebase";
import {
  ExecuteUnavailableError,
  NotSequencerError,
  ProofPolicyUnmetError,
  UnfundedSubmitterError,
} from "./submissionErrors";
import { describeSendError } from "./txErrors";
import { waitToPropose } from "./proposalGasRoom";
import type { Logger } from "../logger";

/** Osaka's per-transaction gas cap (EIP-7825): the most any `advance` can use. */
export const ADVANCE_GAS_LIMIT = TX_GAS_LIMIT_CAP;

/**
 * Gas added to a `propose` estimate. The estimate runs on the latest L1 state; by inclusion the
 * finalizer or another transaction may have emptied a slot `propose` writes (provisionalCount back
 * to zero, a bond credit withdrawn), and a zero → non-zero SSTORE costs 17,100 more than the
 * non-zero → non-zero one estimated, plus 2,100 when the slot is cold again. 60,000 covers three
 * such slots; gas not used is not paid, so the margin costs nothing when unneeded.
 */
export const PROPOSE_GAS_MARGIN = 60_000n;

export interface RetryPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

export interface BatchSubmitterConfig {
  readonly sequencer: Pick<SequencerApi, "producedBlock" | "onBlock">;
  readonly rollupAddress: string;
  /** The L1 account that submits (the rollup's SEQUENCER), connected to an L1 provider. */
  readonly signer: Signer;
  readonly logger: Logger;
  /** Gas limit of each `advance` transaction; the Osaka cap by default (no estimation: it would run EXECUTE again). */
  readonly gasLimit?: bigint;
  readonly retry?: RetryPolicy;
  /** Checks L1 at least this often even without new L2 blocks. */
  readonly idlePollMs?: number;
  /** How long to wait for a receipt before checking the transaction again. */
  readonly receiptTimeoutMs?: number;
  /** Called once when the submitter stops for good (a rejected block, a diverged chain). */
  readonly onHalt?: (error: BridgeError) => void;
  /** Called for every block L1 accepted from this submitter. */
  readonly onAccepted?: (accepted: AcceptedBlock) => void;
  /**
   * Proof mode: proofs to attach to each block (`abi.encode(ExecutionProof[])`). They are counted
   * against the rollup's policy before sending: when they meet its threshold, the block is sent
   * with an empty witness — accepted on proofs alone, at a cost that does not grow with the block;
   * below it, with its witness for re-execution if the policy allows it, and not at all if not.
   */
  readonly proofs?: (produced: ProducedBlock) => Promise<BlockProofs>;
  /**
   * Rebase on L1's chain when L1's head is not a local block (someone else advanced the rollup,
   * or this node is behind it): docs/design/rebase-and-takeover.md. Without it a diverged head
   * stops the submitter (ChainDivergedError), as before.
   */
  readonly rebase?: SubmitterRebase;
  /**
   * Optimistic mode (an OptimisticRollup): `propose` every block with the contract's bond instead
   * of `advance`, and finalize provisional blocks once their challenge window has closed.
   * `lastAccepted` then tracks the final head; `onAccepted` is not called (nothing is executed on L1).
   */
  readonly optimistic?: OptimisticSubmitConfig;
}

/** How the submitter reads the local chain and rebases it on L1's (bridge/rebase.ts). */
export interface SubmitterRebase {
  /** The local hash of block `number`, lower-case hex; undefined past the head. */
  localHash(number: bigint): string | undefined;
  /** Makes L1's `head` the local chain's (re-deriving what L1 accepted, dropping own unaccepted blocks). */
  onto(head: L1BlockRef): Promise<RebaseReport>;
}

export interface OptimisticSubmitConfig {
  /** How often to look for provisional blocks past their window (default 1 s). */
  readonly finalizeEveryMs?: number;
  /** Withdraw returned bonds once they reach this many bonds (default 10). */
  readonly withdrawAfterBonds?: bigint;
}

/** What the proof source returns for one block. */
export interface BlockProofs {
  readonly encoded: Uint8Array;
  /** Names of the proof types that delivered (empty: re-execute from the witness). */
  readonly provenBy: readonly string[];
}

/** What one accepted `advance` cost. */
export interface AcceptedBlock {
  readonly number: bigint;
  readonly blockHash: string;
  readonly l1TransactionHash: string;
  readonly l1BlockNumber: number;
  /** Receipt gas of the whole `advance` transaction (calldata, EXECUTE, the contract's checks). */
  readonly l1GasUsed: bigint;
  /** EXECUTE's share: its fixed charge for the input size. */
  readonly executeGas: bigint;
  readonly witnessBytes: number;
  readonly blockBytes: number;
  readonly transactions: number;
  readonly consumedMessages: number;
  /** Proof types the block was accepted on; empty when EXECUTE re-executed it. */
  readonly provenBy: readonly string[];
}

const NO_PROOFS: BlockProofs = { encoded: new Uint8Array(), provenBy: [] };
const DEFAULT_RETRY: RetryPolicy = { initialDelayMs: 250, maxDelayMs: 10_000 };
const DEFAULT_IDLE_POLL_MS = 1_000;
const DEFAULT_RECEIPT_TIMEOUT_MS = 60_000;
const DEFAULT_FINALIZE_EVERY_MS = 1_000;

/** Reverts that a later attempt of the same block can pass (time or budget moves on). */
const TRANSIENT_REVERTS = new Set(["BlockFromFuture", "NotSequencer"]);
/** The chain on L1 moved while the block was in flight: the next attempt re-derives what to send. */
const MOVED_ON_REVERTS = new Set([
  "ParentNotHead",
  "ParentNotTip",
  "UnexpectedBlockNumber",
  "ProvisionalBlocksPending",
]);
/**
 * The block consumes L1 messages that L1 no longer has queued: the sequencer only consumes messages
 * it saw queued, so L1 lost them in a reorg. The block stays valid once they are queued again (the
 * same deposit transactions re-included): wait and retry instead of halting.
 */
const L1_BEHIND_REVERTS = new Set(["MessageCountExceedsQueue"]);
/** Proof-mode failures that re-execution of the same block can pass. */
const PROOF_SHORTFALL_CODES: ReadonlySet<number> = new Set([
  ExecuteErrorCode.ProofsInsufficient,
  ExecuteErrorCode.WitnessIncomplete,
]);
const TRANSIENT_EXECUTE_CODES: ReadonlySet<number> = new Set([ExecuteErrorCode.OutOfGas]);
/** Execute.sol's reverts when its executor gave no EXECUTE answer: this L1 has no precompile there. */
const NO_EXECUTE_REVERTS = new Set(["ExecuteUnavailable", "ExecuteMalformedResult"]);

/**
 * What a decoded revert of a simulated (or mined) transaction means for the submitter: "retry" when
 * a later attempt can pass (L1 moved on, time or the queue catches up, sequencing opens later),
 * "halt" when no later attempt of this block can (the block is invalid, L1 cannot verify it, the
 * key may never advance). A NotSequencer whose `openAt` is the largest uint256 never opens: that is
 * how a permissioned rollup (the template's) says "not the sequencer, ever".
 */
export function submissionVerdict(decoded: DecodedRevert): "retry" | "halt" {
  if (decoded.name === "NotSequencer") return BigInt(decoded.args[1] as bigint) === MaxUint256 ? "halt" : "retry";
  if (MOVED_ON_REVERTS.has(decoded.name) || L1_BEHIND_REVERTS.has(decoded.name) || TRANSIENT_REVERTS.has(decoded.name))
    return "retry";
  if (decoded.executeCode !== undefined && TRANSIENT_EXECUTE_CODES.has(decoded.executeCode)) return "retry";
  return "halt";
}

/** A failure the next attempt may not see (network, L1 time, budget, a pending transaction). */
export class TransientBridgeError extends BridgeError {
  constructor(message: string) {
    super("TRANSIENT", message, "the submitter retries with backoff");
  }
}

/** The rollup's rule does not let this submitter advance yet (`NotSequencer`): it tries again when sequencing opens. */
export class NotYetSequencerError extends TransientBridgeError {
  constructor(
    readonly submitter: string,
    /** L1 timestamp from which the rollup accepts this submitter's blocks. */
    readonly openAt: bigint,
    /** How long to wait before the next attempt. */
    readonly retryAfterMs: number,
  ) {
    super(
      `${submitter} is not the rollup's sequencer (NotSequencer): the rollup lets it advance from L1 time ${openAt} (sequencer inactivity period); nothing sent, waiting ${retryAfterMs} ms`,
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

/**
 * Submits every L2 block the sequencer produces to the rollup contract's `advance`, in order.
 * Restart-safe and idempotent: what to submit is always derived from the rollup's head on L1
 * and the sequencer's stored blocks, so nothing is submitted twice and nothing is skipped.
 * Transient failures are retried with exponential backoff; a block L1 rejects for good stops
 * the submitter (loudly) without advancing past it.
 */
export class BatchSubmitter {
  private readonly rollup: ExampleRollup;
  private readonly retry: RetryPolicy;
  private running = false;
  private halted: BridgeError | undefined;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private unsubscribe: (() => void) | undefined;
  private policy: Promise<ProofPolicy> | undefined;
  /** A block whose proofs fell short: it is resent with its witness. */
  private reexecuteNumber: bigint | undefined;
  /** An `advance` sent but not yet seen mined: never send another for the same block meanwhile. */
  private inFlight: { number: bigint; hash: string } | undefined;
  private lastAcceptedNumber = -1n;
  private readonly acceptedLog: AcceptedBlock[] = [];
  private readonly optimisticRollup: OptimisticExampleRollup | undefined;
  private readonly finalizer: ProvisionalFinalizer | undefined;
  private proposalBond: bigint | undefined;
  private proposalLimits: { maxBytes: bigint; challengeGasCap: bigint } | undefined;
  private lastFinalizeCheck = 0;
  /** True once the signer is known to be the rollup's SEQUENCER (no authorization probe needed). */
  private isSequencer: boolean | undefined;
  /** The opening time last logged while waiting for the rollup to let this signer advance. */
  private waitingFor: bigint | undefined;

  constructor(private readonly config: BatchSubmitterConfig) {
    this.rollup = connectRollup(config.rollupAddress, config.signer);
    this.retry = config.retry ?? DEFAULT_RETRY;
    if (config.optimistic !== undefined) {
      this.optimisticRollup = connectOptimisticRollup(config.rollupAddress, config.signer);
      this.finalizer = new ProvisionalFinalizer({
        rollupAddress: config.rollupAddress,
        signer: config.signer,
        logger: config.logger,
        withdrawAfterBonds: config.optimistic.withdrawAfterBonds,
      });
    }
  }

  /** Why the submitter stopped for good, if it did. */
  get haltReason(): BridgeError | undefined {
    return this.halted;
  }

  /** The last L2 block number this submitter saw accepted on L1 (-1 before the first check). */
  get lastAccepted(): bigint {
    return this.lastAcceptedNumber;
  }

  /** Every block this submitter got accepted, in order (for benchmarks and status). */
  get accepted(): readonly AcceptedBlock[] {
    return this.acceptedLog;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.config.sequencer.onBlock(() => this.wake?.());
    this.loop = this.run();
  }

  /** Stops after the current attempt; an `advance` already sent is left to L1. */
  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.wake?.();
    await this.loop;
  }

  /** Resolves once L1 has accepted block `number` (or rejects when the submitter halts or times out). */
  async waitForAccepted(number: bigint, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.lastAcceptedNumber < number) {
      if (this.halted !== undefined) throw this.halted;
      if (Date.now() > deadline)
        throw new BridgeError(
          "TIMEOUT",
          `L2 block ${number} was not accepted on L1 within ${timeoutMs} ms`,
          "check the submitter's log for retries",
        );
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /**
   * Submits the next block L1 lacks, if the sequencer has it. Returns true when something
   * happened (a block accepted, or L1 moved on), false when there is nothing to do.
   */
  async submitNext(): Promise<boolean> {
    if (this.optimisticRollup !== undefined) return this.proposeNext(this.optimisticRollup);
    const [head, headHash] = await Promise.all([this.rollup.headNumber(), this.rollup.headHash()]);
    this.lastAcceptedNumber = head;
    if (this.inFlight !== undefined && (await this.settleInFlight(head))) return true;
    const rebase = this.config.rebase;
    if (rebase !== undefined && rebase.localHash(head) !== headHash.toLowerCase()) {
      await this.rebaseOnto(rebase, { number: head, hash: headHash });
      return true;
    }
    const next = await this.config.sequencer.producedBlock(head + 1n);
    if (next === undefined) return false;
    if (keccak256(next.parentHeader) !== headHash) {
      const local = await this.config.sequencer.producedBlock(head);
      throw new ChainDivergedError(head, headHash, local === undefined ? undefined : hexlify(local.block.hash()));
    }
    await this.waitUntilAuthorized(head + 1n);
    await this.send(next);
    return true;
  }

  /** Rebases on L1's head; a foreign block that does not execute here stops the submitter. */
  private async rebaseOnto(rebase: SubmitterRebase, head: L1BlockRef): Promise<void> {
    this.config.logger.warn(
      `L1's head is L2 block ${head.number} ${head.hash}, not a local block: rebasing on L1's chain`,
    );
    try {
      await rebase.onto(head);
    } catch (error) {
      if (error instanceof DerivationMismatchError) throw new ConsensusSplitError(error.message);
      if (error instanceof RebaseError && !error.retryable) throw error;
      throw new TransientBridgeError(
        `rebase on L1's block ${head.number} failed, retrying: ${(error as Error).message}`,
      );
    }
  }

  /**
   * Waits (without sending) until the rollup lets this signer advance, by the contract's own rule
   * (./authorization.ts): a take-over node under `fallback` sequencing may advance once per
   * inactivity period. The SEQUENCER itself is always allowed and is not asked.
   */
  private async waitUntilAuthorized(next: bigint): Promise<void> {
    const signer = await this.config.signer.getAddress();
    this.isSequencer ??= (await this.rollup.SEQUENCER()).toLowerCase() === signer.toLowerCase();
    if (this.isSequencer) return;
    const rule = await sequencingOpensAt(this.rollup, signer);
    if (rule.allowed) return;
    // The largest uint256 is the contract's "never" (permissioned sequencing): waiting would be for ever.
    if (rule.openAt === MaxUint256)
      throw new NotSequencerError(next, signer, `NotSequencer(${signer}, ${rule.openAt})`);
    const latest = await this.config.signer.provider?.getBlock("latest");
    const l1Now = BigInt(latest?.timestamp ?? 0);
    // L1 time moves with its blocks (and a devnet's may jump): asked again at least every idle poll.
    const idle = this.config.idlePollMs ?? DEFAULT_IDLE_POLL_MS;
    const waitMs = rule.openAt > l1Now ? Math.min(Number(rule.openAt - l1Now) * 1000, idle) : this.retry.initialDelayMs;
    throw new NotYetSequencerError(signer, rule.openAt, waitMs);
  }

  /**
   * Makes the local chain hold L1's head before the node builds on it (a restart after a crash
   * mid-rebase, a take-over node behind L1, an old sequencer coming back): rebases when L1's
   * head is not a local block. Does nothing without `rebase`.
   */
  async catchUp(): Promise<void> {
    const rebase = this.config.rebase;
    if (rebase === undefined) return;
    const [head, headHash] = await Promise.all([this.rollup.headNumber(), this.rollup.headHash()]);
    if (rebase.localHash(head) !== headHash.toLowerCase())
      await this.rebaseOnto(rebase, { number: head, hash: headHash });
  }

  /**
   * Optimistic counterpart of `submitNext`: proposes the block after the provisional tip. The
   * tip, not the head, says what L1 lacks, so a restart never proposes a block twice.
   */
  private async proposeNext(rollup: OptimisticExampleRollup): Promise<boolean> {
    const [[tipNumber, tipHash], head] = await Promise.all([rollup.tip(), rollup.headNumber()]);
    this.lastAcceptedNumber = head;
    if (this.inFlight !== undefined && (await this.settleInFlight(tipNumber))) return true;
    const next = await this.config.sequencer.producedBlock(tipNumber + 1n);
    if (next === undefined) return false;
    if (keccak256(next.parentHeader) !== tipHash) {
      const local = await this.config.sequencer.producedBlock(tipNumber);
      const localHash = local === undefined ? undefined : hexlify(local.block.hash());
      // A foreign provisional tip is not a fork yet: if it is invalid a challenge removes it, and
      // proposing resumes on our own block; only a final foreign head is a real divergence.
      if (tipNumber > head) {
        throw new TransientBridgeError(
          `the provisional tip ${tipNumber} on L1 is ${tipHash}, not the local block (${localHash ?? "missing"}): waiting for a challenge to remove it`,
        );
      }
      if (this.config.rebase !== undefined) {
        await this.rebaseOnto(this.config.rebase, { number: tipNumber, hash: tipHash });
        return true;
      }
      throw new ChainDivergedError(tipNumber, tipHash, localHash);
    }
    await this.propose(rollup, next);
    return true;
  }

  /** Finalizes what is due at most every `finalizeEveryMs`; its failures never stop proposing. */
  private async finalizeIfDue(): Promise<void> {
    if (this.finalizer === undefined) return;
    const every = this.config.optimistic?.finalizeEveryMs ?? DEFAULT_FINALIZE_EVERY_MS;
    if (Date.now() - this.lastFinalizeCheck < every) return;
    this.lastFinalizeCheck = Date.now();
    try {
      const head = await this.finalizer.finalizeDue();
      if (head !== undefined) this.lastAcceptedNumber = head;
    } catch (error) {
      this.config.logger.warn(`finalization attempt failed, retrying later: ${(error as Error).message}`);
    }
  }

  private async propose(rollup: OptimisticExampleRollup, produced: ProducedBlock): Promise<void> {
    const { number } = produced;
    this.proposalBond ??= await rollup.PROPOSAL_BOND();
    this.proposalLimits ??= {
      maxBytes: await rollup.MAX_PROPOSAL_BYTES(),
      challengeGasCap: await rollup.L1_TX_GAS_CAP(),
    };
    const { maxBytes, challengeGasCap } = this.proposalLimits;
    // A proposal posts a challenge's whole input (parent header, block, committed witness), within the contract's bounds.
    const size = BigInt(produced.parentHeader.length + produced.blockRlp.length + produced.encodedWitness.length);
    const parts = `parent header, block (${produced.blockRlp.length} B) and witness (${produced.encodedWitness.length} B)`;
    if (size > maxBytes) {
      throw new BlockRejectedError(
        number,
        `${parts} exceed MAX_PROPOSAL_BYTES ${maxBytes}: it cannot be proposed`,
        undefined,
      );
    }
    // The contract's own arithmetic: its challenge, priced at the header's gas limit, must fit one L1 transaction.
    const challengeGas = await rollup.challengeGasBound(size, produced.block.header.gasLimit);
    if (challengeGas > challengeGasCap) {
      throw new BlockRejectedError(
        number,
        `${parts} with a header gas limit of ${produced.block.header.gasLimit} price its challenge at ${challengeGas} L1 gas, over the cap ${challengeGasCap} (ProposalNotChallengeable): it cannot be proposed`,
        undefined,
      );
    }
    // The contract bounds the check gas proposed per second of L1 time: wait for room, never send a revert.
    const room = { sleep: (ms: number) => this.sleep(ms), keepWaiting: () => this.running, logger: this.config.logger };
    if (!(await waitToPropose(rollup, produced, this.proposalBond, room)))
      throw new TransientBridgeError(`stopped while L2 block ${number} waited for room to be proposed`);
    let receipt: TransactionReceipt | null;
    try {
      const args = [
        produced.parentHeader,
        produced.blockRlp,
        produced.encodedWitness,
        produced.consumedMessages,
      ] as const;
      const estimate = await rollup.propose.estimateGas(...args, { value: this.proposalBond });
      await this.requireFunds(estimate + PROPOSE_GAS_MARGIN, this.proposalBond);
      const tx = await rollup.propose(...args, { value: this.proposalBond, gasLimit: estimate + PROPOSE_GAS_MARGIN });
      this.inFlight = { number, hash: tx.hash };
      receipt = await tx.wait(1, this.config.receiptTimeoutMs ?? DEFAULT_RECEIPT_TIMEOUT_MS);
    } catch (error) {
      throw await this.classify(number, error, false);
    }
    this.inFlight = undefined;
    if (receipt === null) throw new TransientBridgeError(`no receipt for the proposal of L2 block ${number}`);
    this.config.logger.info(
      `L2 block ${number} proposed on L1 (provisional; L1 block ${receipt.blockNumber}, ${produced.block.transactions.length} txs, ` +
        `${produced.consumedMessages} L1 msgs, bond ${this.proposalBond} wei, L1 gas ${receipt.gasUsed})`,
    );
  }

  private async run(): Promise<void> {
    let delay = this.retry.initialDelayMs;
    while (this.running) {
      try {
        await this.finalizeIfDue();
        const progressed = await this.submitNext();
        delay = this.retry.initialDelayMs;
        if (!progressed) await this.sleep(this.config.idlePollMs ?? DEFAULT_IDLE_POLL_MS);
      } catch (error) {
        if (error instanceof BridgeError && !(error instanceof TransientBridgeError)) {
          this.halt(error);
          return;
        }
        if (error instanceof NotYetSequencerError) {
          // Not a failure: the policy's own schedule. Logged once per opening time.
          if (this.waitingFor !== error.openAt) this.config.logger.info(error.message);
          this.waitingFor = error.openAt;
          await this.sleep(error.retryAfterMs);
          continue;
        }
        const why = error instanceof BridgeError ? error.message : describeSendError(error);
        this.config.logger.warn(
          `${this.optimisticRollup === undefined ? "advance" : "proposal"} attempt failed, retrying in ${delay} ms: ${why}`,
        );
        await this.sleep(delay);
        delay = Math.min(delay * 2, this.retry.maxDelayMs);
      }
    }
  }

  private halt(error: BridgeError): void {
    this.halted = error;
    this.running = false;
    this.config.logger.error("==================================================================");
    this.config.logger.error(`BATCH SUBMISSION STOPPED: ${error.message}`);
    this.config.logger.error(`hint: ${error.hint}`);
    this.config.logger.error("==================================================================");
    this.config.onHalt?.(error);
  }

  /** True when the in-flight transaction is resolved (mined either way, or gone). */
  private async settleInFlight(head: bigint): Promise<boolean> {
    const inFlight = this.inFlight as { number: bigint; hash: string };
    if (head >= inFlight.number) {
      this.inFlight = undefined;
      return true;
    }
    const receipt = await this.config.signer.provider?.getTransactionReceipt(inFlight.hash);
    const pending =
      receipt === null || receipt === undefined
        ? await this.config.signer.provider?.getTransaction(inFlight.hash)
        : undefined;
    if (receipt === null || receipt === undefined) {
      if (pending !== null && pending !== undefined)
        throw new TransientBridgeError(
          `advance of L2 block ${inFlight.number} (${inFlight.hash}) is still pending on L1`,
        );
      this.inFlight = undefined; // dropped by L1: resubmit
      return false;
    }
    this.inFlight = undefined;
    return true;
  }

  /** The rollup's proof policy, read once from L1. */
  private proofPolicy(): Promise<ProofPolicy> {
    this.policy ??= this.rollup.proofPolicy().then((p) => ({
      threshold: Number(p.threshold),
      allowReexecution: p.allowReexecution,
      acceptedKeys: p.acceptedKeys.map((k) => getBytes(k)),
    }));
    return this.policy;
  }

  /** `proofs` as EXECUTE receives them: wrapped with the rollup's policy. */
  private async proofBundle(encodedProofs: Uint8Array): Promise<Uint8Array> {
    return encodeProofBundle({ policy: await this.proofPolicy(), proofs: decodeExecutionProofs(encodedProofs) });
  }

  /**
   * Whether `proofs` meet the policy's threshold, counted as EXECUTE counts them (distinct accepted
   * keys whose proof verifies against the block's commitment). Below it, the block goes for
   * re-execution if the policy allows it; if not, nothing is sent — such an `advance` can only
   * revert, and EXECUTE would keep all the gas passed to it — and the attempt is retried.
   */
  private async meetsThreshold(produced: ProducedBlock, proofs: BlockProofs): Promise<boolean> {
    const policy = await this.proofPolicy();
    const commitment = commitmentToField(
      executionCommitment(produced.block.common.chainId(), produced.parentHeader, resultOf(produced.block)),
    );
    const { keys, discarded } =
      proofs.provenBy.length === 0
        ? { keys: [], discarded: [] }
        : await countValidProofs({ policy, proofs: decodeExecutionProofs(proofs.encoded) }, commitment);
    if (keys.length >= policy.threshold) return true;
    const why = discarded.map((d) => `proof ${d.index}: ${d.reason}`).join("; ");
    const shortfall = `proofs of L2 block ${produced.number} verify under ${keys.length} of the ${policy.threshold} keys the policy requires${why ? ` (${why})` : ""}`;
    if (!policy.allowReexecution) {
      // Proofs the provers delivered that do not count (another key, a proof that does not verify)
      // will not count next time either: the node's provers are not the policy's. Too few proofs,
      // all valid, is a prover that failed this time: retry.
      if (discarded.length > 0)
        throw new ProofPolicyUnmetError(produced.number, `${shortfall} and the policy forbids re-execution`);
      throw new TransientBridgeError(`${shortfall} and the policy forbids re-execution: no advance sent`);
    }
    this.config.logger.warn(`${shortfall}: sending it for re-execution`);
    return false;
  }

  private async send(produced: ProducedBlock): Promise<void> {
    const started = Date.now();
    const { number } = produced;
    const proofs =
      this.config.proofs === undefined || this.reexecuteNumber === number
        ? NO_PROOFS
        : await this.config.proofs(produced);
    const proven =
      this.config.proofs !== undefined &&
      this.reexecuteNumber !== number &&
      (await this.meetsThreshold(produced, proofs));
    // With proofs the witness is not needed: leaving it out is what keeps the L1 cost flat.
    const witness = proven ? new Uint8Array() : produced.encodedWitness;
    const args = [
      produced.parentHeader,
      produced.blockRlp,
      witness,
      proven ? proofs.encoded : "0x",
      produced.consumedMessages,
    ] as const;
    const gasLimit = this.config.gasLimit ?? ADVANCE_GAS_LIMIT;
    // Simulated first: a revert costs nothing as a call, and every `advance` that would revert is
    // one not sent (on an L1 without EXECUTE, each would revert, retried forever). In the pending
    // block, where the transaction would land: at "latest" an L1 that mines only on demand
    // (Hardhat's node) keeps an old timestamp, and the L2 block would look BlockFromFuture forever.
    try {
      await this.rollup.advance.staticCall(...args, { gasLimit, blockTag: "pending" });
    } catch (error) {
      throw await this.classify(number, error, proven);
    }
    await this.requireFunds(gasLimit, 0n);
    let receipt: TransactionReceipt | null;
    try {
      const tx = await this.rollup.advance(...args, { gasLimit });
      this.inFlight = { number, hash: tx.hash };
      receipt = await tx.wait(1, this.config.receiptTimeoutMs ?? DEFAULT_RECEIPT_TIMEOUT_MS);
    } catch (error) {
      throw await this.classify(number, error, proven);
    }
    this.inFlight = undefined;
    if (receipt === null) throw new TransientBridgeError(`no receipt for the advance of L2 block ${number}`);
    const accepted: AcceptedBlock = {
      number,
      blockHash: hexlify(produced.block.hash()),
      l1TransactionHash: receipt.hash,
      l1BlockNumber: receipt.blockNumber,
      l1GasUsed: receipt.gasUsed,
      executeGas: proven
        ? proofModeGasCost({
            // EXECUTE sees the proofs with the rollup's policy attached (ProofPolicies.attach).
            inputLength: executeInputLength({
              parentHeader: produced.parentHeader,
              block: produced.blockRlp,
              witness,
              proofs: await this.proofBundle(proofs.encoded),
            }),
            blockLength: produced.blockRlp.length,
            witnessLength: 0,
            proofCount: proofs.provenBy.length,
          })
        : executeGasCostOfBlock(
            executeInputLength({
              parentHeader: produced.parentHeader,
              block: produced.blockRlp,
              witness,
              proofs: new Uint8Array(),
            }),
            produced.blockRlp,
          ),
      witnessBytes: witness.length,
      blockBytes: produced.blockRlp.length,
      transactions: produced.block.transactions.length,
      consumedMessages: produced.consumedMessages,
      provenBy: proven ? proofs.provenBy : [],
    };
    this.lastAcceptedNumber = number;
    this.acceptedLog.push(accepted);
    this.config.logger.info(
      `L2 block ${number} accepted on L1 by EXECUTE ${proven ? `on proofs (${proofs.provenBy.join(", ")})` : "by re-execution"} (L1 block ${accepted.l1BlockNumber}, ${accepted.transactions} txs, ` +
        `${accepted.consumedMessages} L1 msgs, witness ${accepted.witnessBytes} B, L1 gas ${accepted.l1GasUsed} of which EXECUTE ${accepted.executeGas}, ${Date.now() - started} ms)`,
    );
    this.config.onAccepted?.(accepted);
  }

  /** Turns a failed `advance` into a transient failure (retry) or a permanent rejection (halt). */
  private async classify(number: bigint, error: unknown, proven: boolean): Promise<Error> {
    const data = revertDataOf(error) ?? (await this.replayRevert(error));
    const decoded: DecodedRevert | undefined = data === undefined ? undefined : decodeRollupRevert(data);
    if (decoded === undefined)
      return new TransientBridgeError(`advance of L2 block ${number} failed: ${describeSendError(error)}`);
    if (
      proven &&
      decoded.executeCode !== undefined &&
      PROOF_SHORTFALL_CODES.has(decoded.executeCode) &&
      (await this.proofPolicy()).allowReexecution
    ) {
      // Re-execution is always sound: resend this block with its witness instead of proofs.
      this.reexecuteNumber = number;
      return new TransientBridgeError(
        `proofs for L2 block ${number} fell short (${decoded.text}); resending it for re-execution`,
      );
    }
    if (NO_EXECUTE_REVERTS.has(decoded.name)) return new ExecuteUnavailableError(number, decoded.text);
    if (decoded.name === "NotSequencer" && submissionVerdict(decoded) === "halt")
      return new NotSequencerError(number, await this.config.signer.getAddress(), decoded.text);
    if (decoded.name === "NotSequencer") {
      return new TransientBridgeError(
        `${await this.config.signer.getAddress()} may not advance L2 block ${number} before L1 time ${decoded.args[1] as bigint} (${decoded.text}); nothing sent, waiting`,
      );
    }
    if (MOVED_ON_REVERTS.has(decoded.name))
      return new TransientBridgeError(`L1 moved on while submitting L2 block ${number}: ${decoded.text}`);
    if (L1_BEHIND_REVERTS.has(decoded.name)) {
      return new TransientBridgeError(
        `L2 block ${number} consumes L1 messages that L1 no longer has queued (an L1 reorg?), waiting for them: ${decoded.text}`,
      );
    }
    if (
      TRANSIENT_REVERTS.has(decoded.name) ||
      (decoded.executeCode !== undefined && TRANSIENT_EXECUTE_CODES.has(decoded.executeCode))
    ) {
      return new TransientBridgeError(`advance of L2 block ${number} reverted, will retry: ${decoded.text}`);
    }
    this.inFlight = undefined;
    return new BlockRejectedError(number, decoded.text, decoded.executeCode);
  }

  /**
   * Refuses to send when the key cannot pay for `gasLimit` at the current fee (plus `value`): the
   * L1 node would refuse the transaction anyway, or, on a node that accepts it, leave it pending.
   * The same bound the L1 node applies (gasLimit × maxFeePerGas + value), so a funded key passes.
   */
  private async requireFunds(gasLimit: bigint, value: bigint): Promise<void> {
    const provider = this.config.signer.provider;
    if (provider === null) return;
    const address = await this.config.signer.getAddress();
    const [balance, fees] = await Promise.all([provider.getBalance(address), provider.getFeeData()]);
    const needed = gasLimit * (fees.maxFeePerGas ?? fees.gasPrice ?? 0n) + value;
    if (balance < needed) throw new UnfundedSubmitterError(address, balance, needed);
  }

  /** A mined, failed `advance` has no revert data in its receipt: replay it as a call to learn why. */
  private async replayRevert(error: unknown): Promise<string | undefined> {
    const receipt = (error as { receipt?: TransactionReceipt }).receipt;
    const provider = this.config.signer.provider;
    if (receipt === undefined || provider === null) return undefined;
    const tx = await provider.getTransaction(receipt.hash);
    if (tx === null) return undefined;
    try {
      await provider.call({
        from: tx.from,
        to: tx.to,
        data: tx.data,
        gasLimit: tx.gasLimit,
        blockTag: receipt.blockNumber - 1,
      });
      return undefined;
    } catch (replayed) {
      return revertDataOf(replayed);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
