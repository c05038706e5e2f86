// Optimistic mode: every block is proposed (`propose`, with the contract's bond) after the
// provisional tip, and provisional blocks are finalized once their challenge window has closed.
import { type TransactionReceipt, formatEther, hexlify, keccak256 } from "ethers";

import type { ProducedBlock } from "../l2/types";
import { plural } from "../logger";
import { type AdvanceGasCap, L1AdvanceGasCap } from "./advanceGasCap";
import { type OptimisticExampleRollup, connectOptimisticRollup, decodeRollupRevert, revertDataOf } from "./contracts";
import { BlockRejectedError, BridgeError, ChainDivergedError } from "./errors";
import { ProvisionalFinalizer } from "./finalizer";
import { waitToPropose } from "./proposalGasRoom";
import { ProposalOverL1GasLimitError, RebuildRequiredError, TransientBridgeError } from "./submissionErrors";
import { type BatchSubmitterConfig, DEFAULT_RECEIPT_TIMEOUT_MS, SubmissionLoop } from "./submissionLoop";
import { describeSendError } from "./txErrors";
import { DEFAULT_FINALIZE_EVERY_MS, type OptimisticSubmitConfig } from "./submissionMode";

/**
 * Gas added to a `propose` estimate. The estimate runs on the latest L1 state; by inclusion the
 * finalizer or another transaction may have emptied a slot `propose` writes (provisionalCount back
 * to zero, a bond credit withdrawn), and a zero → non-zero SSTORE costs 17,100 more than the
 * non-zero → non-zero one estimated, plus 2,100 when the slot is cold again. 60,000 covers three
 * such slots; gas not used is not paid, so the margin costs nothing when unneeded.
 */
export const PROPOSE_GAS_MARGIN = 60_000n;

/** Proposes every L2 block after the provisional tip, and finalizes what is due. */
export class ProposeSubmitter extends SubmissionLoop {
  protected readonly action = "proposal";
  private readonly optimisticRollup: OptimisticExampleRollup;
  private readonly finalizer: ProvisionalFinalizer;
  /**
   * What this L1's blocks hold, read before every proposal: the node's shared reading, or one of
   * its own (the same reader) for a submitter started alone. None without an L1 provider.
   */
  private readonly l1GasCap: AdvanceGasCap | undefined;
  private proposalBond: bigint | undefined;
  private proposalLimits: { maxBytes: bigint; challengeGasCap: bigint } | undefined;
  private lastFinalizeCheck = 0;

  constructor(
    config: BatchSubmitterConfig,
    private readonly options: OptimisticSubmitConfig,
  ) {
    super(config);
    this.optimisticRollup = connectOptimisticRollup(config.rollupAddress, config.signer);
    this.finalizer = new ProvisionalFinalizer({
      rollupAddress: config.rollupAddress,
      signer: config.signer,
      logger: config.logger,
      withdrawAfterBonds: options.withdrawAfterBonds,
    });
    const provider = config.signer.provider;
    this.l1GasCap =
      config.advanceGasCap ??
      (provider === null
        ? undefined
        : new L1AdvanceGasCap({ provider, rollupAddress: config.rollupAddress, logger: config.logger }));
  }

  /**
   * Proposes the block after the provisional tip. The tip, not the head, says what L1 lacks, so a
   * restart never proposes a block twice.
   */
  async submitNext(): Promise<boolean> {
    const rollup = this.optimisticRollup;
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
    this.requireWitness(next);
    if (this.stopped) return false;
    await this.propose(rollup, next);
    return true;
  }

  /** Finalizes what is due at most every `finalizeEveryMs`; its failures never stop proposing. */
  protected override async beforeRound(): Promise<void> {
    const every = this.options.finalizeEveryMs ?? DEFAULT_FINALIZE_EVERY_MS;
    if (Date.now() - this.lastFinalizeCheck < every) return;
    this.lastFinalizeCheck = Date.now();
    try {
      const head = await this.finalizer.finalizeDue();
      if (head !== undefined) this.lastAcceptedNumber = head;
    } catch (error) {
      this.config.logger.warn(
        `finalization attempt failed, retrying later: ${error instanceof BridgeError ? error.message : describeSendError(error)}`,
      );
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
    const room = {
      sleep: (ms: number) => this.sleep(ms),
      keepWaiting: () => this.isRunning,
      logger: this.config.logger,
    };
    if (!(await waitToPropose(rollup, produced, this.proposalBond, room)))
      throw new TransientBridgeError(`stopped while L2 block ${number} waited for room to be proposed`);
    // The challenge must also fit what this L1's blocks can include (the contract's
    // `challengeGasCap()`): the L1's block gas limit is read again just before sending, as it may
    // have fallen since the block was built, and checked for the next L1 block at the steepest
    // fall (docs/design/challenge-gas-cap.md).
    await this.l1GasCap?.refresh();
    const l1Cap = this.l1GasCap?.proposalCaps().send ?? challengeGasCap;
    if (challengeGas > l1Cap) throw this.overL1GasLimit(new ProposalOverL1GasLimitError(number, challengeGas, l1Cap));
    const args = [
      produced.parentHeader,
      produced.blockRlp,
      produced.encodedWitness,
      produced.consumedMessages,
    ] as const;
    let gasLimit: bigint;
    try {
      gasLimit = (await rollup.propose.estimateGas(...args, { value: this.proposalBond })) + PROPOSE_GAS_MARGIN;
    } catch (error) {
      throw await this.refusal(number, error, challengeGasCap);
    }
    // Outside the classification: a key that cannot pay waits (SubmitterWaitError), it is not a failed proposal.
    await this.requireFunds(gasLimit, this.proposalBond);
    let receipt: TransactionReceipt | null;
    try {
      const tx = await rollup.propose(...args, { value: this.proposalBond, gasLimit });
      this.inFlight = { number, hash: tx.hash };
      receipt = await tx.wait(1, this.config.receiptTimeoutMs ?? DEFAULT_RECEIPT_TIMEOUT_MS);
    } catch (error) {
      throw await this.refusal(number, error, challengeGasCap);
    }
    this.inFlight = undefined;
    if (receipt === null) throw new TransientBridgeError(`no receipt for the proposal of L2 block ${number}`);
    this.config.logger.info(
      `L2 block ${number} proposed on L1 (provisional; L1 block ${receipt.blockNumber}, ${plural(produced.block.transactions.length, "tx")}, ` +
        `${plural(produced.consumedMessages, "L1 msg")}, bond ${formatEther(this.proposalBond)} ETH, L1 gas ${receipt.gasUsed})`,
    );
  }

  /**
   * What a failed `propose` means: a refusal for this L1's gas limit alone (ProposalNotChallengeable
   * with a cap below `txCap`, 2^24: the limit fell again between the check and the transaction) is
   * handled as the check's own (`overL1GasLimit`); everything else by its revert's class.
   */
  private async refusal(number: bigint, error: unknown, txCap: bigint): Promise<Error> {
    // A mined revert carries no data: replayed, as the classification does.
    const data = revertDataOf(error) ?? (await this.replayRevert(error));
    const decoded = data === undefined ? undefined : decodeRollupRevert(data);
    if (decoded?.name === "ProposalNotChallengeable" && (decoded.args[1] as bigint) < txCap) {
      this.inFlight = undefined;
      return this.overL1GasLimit(
        new ProposalOverL1GasLimitError(number, decoded.args[0] as bigint, decoded.args[1] as bigint),
      );
    }
    return this.classify(number, error, false);
  }

  /** A node that can rebase rebuilds the block within the L1's limit; a submitter without one waits for it to rise. */
  private overL1GasLimit(error: ProposalOverL1GasLimitError): Error {
    return this.config.rebase === undefined ? error : new RebuildRequiredError(error.blockNumber, error.rebuildReason);
  }
}
