// Re-execution and proof mode: every block goes to the rollup's `advance`, with its witness
// (EXECUTE re-executes it) or with proofs that meet the rollup's policy (accepted on proofs alone).
import { type TransactionReceipt, getBytes, hexlify, keccak256 } from "ethers";

import {
  ExecuteErrorCode,
  type ProofPolicy,
  commitmentToField,
  countValidProofs,
  decodeExecutionProofs,
  encodeExecutionProofs,
  encodeProofBundle,
  executionCommitment,
  resultOf,
} from "../../precompiles";
import { TX_GAS_LIMIT_CAP } from "../chain/simulate";
import type { ProducedBlock } from "../l2/types";
import { plural } from "../logger";
import { advanceGasOf } from "./advanceGas";
import { type BlockVerifier, acceptedBy, readBlockVerifier } from "./blockVerifier";
import { type DecodedRevert, decodeRollupRevert, revertDataOf } from "./contracts";
import { EncodedCalls } from "./encodedCalls";
import { ChainDivergedError } from "./errors";
import {
  AdvanceOverL1GasLimitError,
  ProofPolicyUnmetError,
  ProofsRefusedByL1Error,
  RebuildRequiredError,
  TransientBridgeError,
} from "./submissionErrors";
import {
  type AcceptedBlock,
  type BatchSubmitterConfig,
  DEFAULT_RECEIPT_TIMEOUT_MS,
  SubmissionLoop,
} from "./submissionLoop";
import type { BlockProofs } from "./submissionMode";

/** Osaka's per-transaction gas cap (EIP-7825): the most any `advance` can use. */
export const ADVANCE_GAS_LIMIT = TX_GAS_LIMIT_CAP;

/**
 * Gas added to L1's estimate of an `advance` when the derived limit (./advanceGas.ts) fell short
 * and the submitter asked L1 instead (a rollup whose executor is not the precompile, an L1 with
 * another EXECUTE gas schedule), for the same reason as PROPOSE_GAS_MARGIN (a slot the estimate
 * saw non-zero may be zero again at inclusion: the message queue's head, the head hash).
 */
export const ADVANCE_GAS_MARGIN = 60_000n;

const NO_PROOFS: BlockProofs = { encoded: new Uint8Array(), provenBy: [] };

/** No cap: the derived limit as derived, to be compared with what the L1 holds now. */
const UNCAPPED = 2n ** 256n;

/** Submits every L2 block the sequencer produces to `advance`, in order (re-execution or proofs). */
export class AdvanceSubmitter extends SubmissionLoop {
  protected readonly action = "advance";
  private policy: Promise<ProofPolicy> | undefined;
  /** A block whose proofs fell short: it is resent with its witness. */
  private reexecuteNumber: bigint | undefined;
  /**
   * Set once a simulation at the derived limit ran out of gas and L1's estimate exceeded it: this
   * rollup costs more than ./advanceGas.ts derives (another executor, another gas schedule), so
   * every later `advance` is priced by L1's estimate, as before the derivation.
   */
  protected derivationShort = false;
  /** The hash of the block last sent unsimulated (its simulation met L1's eth_call deadline). */
  private unsimulatedHash: string | undefined;
  /**
   * Blocks whose unsimulated advance was mined and reverted: never sent unsimulated again. The
   * revert is found after EXECUTE (the rollup's sequencing and relay checks) and its replay, an
   * eth_call, meets the same deadline, so nothing else would stop a resend per retry, each burning
   * the whole limit (attack-review-s23.md, second pass).
   */
  private readonly unsimulatedReverted = new Set<string>();
  /** What verifies this rollup's blocks on L1 (the precompile or a Solidity verifier), read once for the log. */
  private verifier: BlockVerifier | undefined;
  /** The unsimulated advance in flight (its receipt may come after the wait gave up): transaction and block. */
  private unsimulatedInFlight:
    | { readonly txHash: string; readonly blockHash: string; readonly number: bigint }
    | undefined;
  /** `advance` on L1 with its calldata encoded once per attempt (the derivation, simulation, estimate and send share it). */
  private readonly advanceCalls: EncodedCalls;

  constructor(
    config: BatchSubmitterConfig,
    /** Proof mode's source of proofs; undefined in re-execution mode. */
    private readonly proofs: ((produced: ProducedBlock) => Promise<BlockProofs>) | undefined,
  ) {
    super(config);
    this.advanceCalls = new EncodedCalls(this.rollup, config.signer);
  }

  async submitNext(): Promise<boolean> {
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
    this.requireWitness(next);
    await this.waitUntilAuthorized(head + 1n);
    if (this.stopped) return false;
    await this.send(next);
    return true;
  }

  /** The rollup's proof policy, read once from L1. */
  private proofPolicy(): Promise<ProofPolicy> {
    // A failed read is not kept: the next attempt asks again.
    this.policy ??= this.rollup.proofPolicy().then(
      (p) => ({
        threshold: Number(p.threshold),
        allowReexecution: p.allowReexecution,
        acceptedKeys: p.acceptedKeys.map((k) => getBytes(k)),
      }),
      (error: unknown) => {
        this.policy = undefined;
        throw error;
      },
    );
    return this.policy;
  }

  /** `proofs` as EXECUTE receives them: wrapped with the rollup's policy. */
  private async proofBundle(encodedProofs: Uint8Array): Promise<Uint8Array> {
    return encodeProofBundle({ policy: await this.proofPolicy(), proofs: decodeExecutionProofs(encodedProofs) });
  }

  /**
   * The proofs to send when `proofs` meet the policy's threshold, counted as EXECUTE counts them
   * (distinct accepted keys whose proof verifies against the block's commitment): only those that
   * counted. A proof that does not count is never sent: on Solidity verifiers (ProofModeExecute)
   * each proof is checked in a try/catch with 63/64 of the gas left, and a failing pairing keeps
   * all of it, so one such proof ahead of a good one cost the advance 30 times its gas and two
   * priced it over the cap (docs/design/attack-review-s22.md, finding 1). Below the threshold
   * (undefined), the block goes for re-execution if the policy allows it; if not, nothing is sent
   * — such an `advance` can only revert, and EXECUTE would keep all the gas passed to it — and
   * the attempt is retried.
   */
  private async countedProofs(produced: ProducedBlock, proofs: BlockProofs): Promise<BlockProofs | undefined> {
    const policy = await this.proofPolicy();
    const commitment = commitmentToField(
      executionCommitment(produced.block.common.chainId(), produced.parentHeader, resultOf(produced.block)),
    );
    const supplied = proofs.provenBy.length === 0 ? [] : decodeExecutionProofs(proofs.encoded);
    const { keys, discarded } =
      supplied.length === 0
        ? { keys: [], discarded: [] }
        : await countValidProofs({ policy, proofs: supplied }, commitment);
    const failed = (proofs.failures ?? []).map((f) => `prover ${f}`);
    if (keys.length >= policy.threshold) {
      // Said: the block goes without that prover's proof, and a prover that keeps failing is one
      // the operator should look at before the policy's margin is gone.
      if (failed.length > 0)
        this.config.logger.warn(
          `proofs of L2 block ${produced.number} sent without a failed prover's: ${failed.join("; ")}`,
        );
      if (discarded.length === 0) return proofs;
      const dropped = new Set(discarded.map((d) => d.index));
      // provenBy names the delivered proofs in order when it names each (ProofService).
      const named = proofs.provenBy.length === supplied.length;
      const left = discarded.map((d) => `${named ? proofs.provenBy[d.index] : `proof ${d.index}`}: ${d.reason}`);
      // Said: a prover whose proofs never count is one the operator should look at.
      this.config.logger.warn(`proofs of L2 block ${produced.number} left out, they do not count: ${left.join("; ")}`);
      return {
        encoded: encodeExecutionProofs(supplied.filter((_, i) => !dropped.has(i))),
        provenBy: named ? proofs.provenBy.filter((_, i) => !dropped.has(i)) : proofs.provenBy,
      };
    }
    const why = [...failed, ...discarded.map((d) => `proof ${d.index}: ${d.reason}`)].join("; ");
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
    return undefined;
  }

  /** Re-execution is always sound: when the policy allows it, the block is resent with its witness instead of proofs. */
  protected override async onProofShortfall(number: bigint, decoded: DecodedRevert): Promise<Error | undefined> {
    if (!(await this.proofPolicy()).allowReexecution) return undefined;
    this.reexecuteNumber = number;
    return new TransientBridgeError(
      `proofs for L2 block ${number} fell short (${decoded.text}); resending it for re-execution`,
    );
  }

  private async send(produced: ProducedBlock): Promise<void> {
    const started = Date.now();
    const { number } = produced;
    const delivered =
      this.proofs === undefined || this.reexecuteNumber === number ? NO_PROOFS : await this.proofs(produced);
    const counted =
      this.proofs !== undefined && this.reexecuteNumber !== number
        ? await this.countedProofs(produced, delivered)
        : undefined;
    const proven = counted !== undefined;
    const proofs = counted ?? delivered;
    // With proofs the witness is not needed: leaving it out is what keeps the L1 cost flat.
    const witness = proven ? new Uint8Array() : produced.encodedWitness;
    // Encoded once: the gas derivation, the simulation (or L1's estimate) and the send take these
    // bytes (docs/design/fast-tests.md, round 30c).
    const data = this.rollup.interface.encodeFunctionData("advance", [
      produced.parentHeader,
      produced.blockRlp,
      witness,
      proven ? proofs.encoded : "0x",
      produced.consumedMessages,
    ]);
    // The gas limit is derived, not searched (./advanceGas.ts: EXECUTE's exact charge plus the
    // calldata and the contract's bounded work), so EXECUTE runs once in the simulation and once
    // in the transaction. The key is then asked for what the transaction uses, not for the cap's
    // 2^24 gas (a fee spike priced at the cap halted a key that could pay for many real advances).
    const bundle = proven ? await this.proofBundle(proofs.encoded) : new Uint8Array();
    // The L1's block gas limit is read again before every advance: it may have fallen since the
    // block was built (docs/design/advance-gas-cap.md).
    await this.config.advanceGasCap?.refresh();
    const cap = this.config.advanceGasCap?.sendCap() ?? ADVANCE_GAS_LIMIT;
    const { executeGas, gasLimit: derived } = advanceGasOf(
      {
        calldata: getBytes(data),
        parentHeader: produced.parentHeader,
        block: produced.blockRlp,
        witness,
        proofBundle: bundle,
        proofCount: proven ? proofs.provenBy.length : 0,
        consumedMessages: produced.consumedMessages,
        policyKeys: (await this.proofPolicy()).acceptedKeys.length,
        logsBlock: await this.senderHasCode(),
      },
      UNCAPPED,
    );
    let gasLimit: bigint;
    try {
      gasLimit = await this.advanceGasLimit(number, data, derived, cap, proven, hexlify(produced.block.hash()));
    } catch (error) {
      if (error instanceof AdvanceOverL1GasLimitError)
        throw this.config.rebase === undefined ? error : new RebuildRequiredError(number, error.rebuildReason);
      // Already L1's answer classified (at the cap): not a revert to classify again.
      if (error instanceof ProofsRefusedByL1Error) throw error;
      throw await this.classify(number, error, proven);
    }
    await this.requireFunds(gasLimit, 0n);
    let receipt: TransactionReceipt | null;
    try {
      const tx = await this.advanceCalls.send(data, gasLimit);
      this.inFlight = { number, hash: tx.hash };
      const blockHash = hexlify(produced.block.hash());
      this.unsimulatedInFlight =
        this.unsimulatedHash === blockHash ? { txHash: tx.hash, blockHash, number } : undefined;
      receipt = await tx.wait(1, this.config.receiptTimeoutMs ?? DEFAULT_RECEIPT_TIMEOUT_MS);
    } catch (error) {
      const sent = this.unsimulatedInFlight;
      if (sent !== undefined && (error as { receipt?: unknown }).receipt !== undefined)
        this.unsimulatedRevertedOnChain(sent);
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
      // EXECUTE sees the proofs with the rollup's policy attached (ProofPolicies.attach).
      executeGas,
      witnessBytes: witness.length,
      blockBytes: produced.blockRlp.length,
      transactions: produced.block.transactions.length,
      consumedMessages: produced.consumedMessages,
      provenBy: proven ? proofs.provenBy : [],
    };
    this.lastAcceptedNumber = number;
    this.recordAccepted(accepted);
    // A failed read leaves the words neutral ("its proofs verified") and is tried at the next block.
    if (proven)
      this.verifier ??= await readBlockVerifier(this.config.rollupAddress, this.config.signer).catch(() => undefined);
    // EXECUTE's charge is what the derivation prices; a Solidity verifier's cost is only in the total.
    const executeShare = this.verifier?.kind === "contract" ? "" : ` of which EXECUTE ${accepted.executeGas}`;
    this.config.logger.info(
      `L2 block ${number} accepted on L1: ${acceptedBy(this.verifier, accepted.provenBy)} (L1 block ${accepted.l1BlockNumber}, ${plural(accepted.transactions, "tx")}, ` +
        `${plural(accepted.consumedMessages, "L1 msg")}, witness ${accepted.witnessBytes} B, L1 gas ${accepted.l1GasUsed}${executeShare}, ${Date.now() - started} ms)`,
    );
    this.config.onAccepted?.(accepted);
  }

  /** An advance sent unsimulated was mined and reverted: that block is never sent unsimulated again. */
  private unsimulatedRevertedOnChain(sent: { readonly blockHash: string; readonly number: bigint }): void {
    this.unsimulatedInFlight = undefined;
    this.unsimulatedReverted.add(sent.blockHash);
    this.config.logger.error(
      `the advance of L2 block ${sent.number} (${sent.blockHash}), sent unsimulated after its simulation met L1's eth_call deadline, reverted on chain: it is not sent again unsimulated`,
    );
  }

  /** An unsimulated advance whose receipt came after the wait gave up is settled here: a revert counts as in `send`. */
  protected override async settleInFlight(head: bigint): Promise<boolean> {
    const sent = this.unsimulatedInFlight;
    if (sent !== undefined && this.inFlight?.hash === sent.txHash && head < sent.number) {
      const receipt = await this.config.signer.provider?.getTransactionReceipt(sent.txHash);
      if (receipt?.status === 0) this.unsimulatedRevertedOnChain(sent);
    }
    return super.settleInFlight(head);
  }

  /** Whether the signer has code (an EIP-7702 delegation): the rollup then logs the block (BlockData), which the limit pays for. */
  private async senderHasCode(): Promise<boolean> {
    const provider = this.config.signer.provider;
    if (provider === null) return false;
    return (await provider.getCode(await this.config.signer.getAddress())) !== "0x";
  }

  /**
   * The gas limit of an `advance` with calldata `data`, simulated at that limit (a revert throws with its
   * data) in the pending block, where the transaction would land: at "latest" an L1 that mines
   * only on demand (Hardhat's node) keeps an old timestamp, and the L2 block would look
   * BlockFromFuture forever. A revert costs nothing as a call, and every `advance` that would
   * revert is one not sent (on an L1 without EXECUTE, each would revert, retried forever).
   * A configured limit is simulated as is; otherwise the `derived` one. Should the simulation run
   * out of gas there (EXECUTE's OutOfGas, an executor that answered nothing, or the contract's own
   * work), L1's estimate plus ADVANCE_GAS_MARGIN decides, never above the cap, and is used from
   * then on if it succeeds (`derivationShort`): a limit too low must cost a search, never a reverted
   * transaction. `proven`: the block goes on proofs that met the policy's threshold here, so a
   * ProofsInsufficient is a verifier that ran out of gas too (docs/design/first-block-proofs.md).
   * A simulation that met L1's eth_call deadline (SimulationTimeout) sends at the limit simulated
   * when that limit covers EXECUTE's charge: the mined transaction has no deadline.
   */
  private async advanceGasLimit(
    number: bigint,
    data: string,
    derived: bigint,
    cap: bigint = ADVANCE_GAS_LIMIT,
    proven = false,
    blockHash?: string,
  ): Promise<bigint> {
    const configured = this.config.gasLimit;
    this.unsimulatedHash = undefined;
    if (configured !== undefined || !this.derivationShort) {
      // A derived limit over the cap is an upper bound: the advance may still fit at the cap.
      const gasLimit = configured ?? (derived < cap ? derived : cap);
      try {
        await this.advanceCalls.simulate(data, gasLimit, "pending");
        return gasLimit;
      } catch (error) {
        // Only the simulation has a deadline: a valid block slower to verify than L1's eth_call
        // limit (an SSTORE loop) times out in every simulation and would be retried forever, a halt
        // any L2 user could cause (docs/design/attack-review-s23.md, finding 3). The mined
        // transaction has no deadline and this limit covers EXECUTE's charge, so it is sent; the
        // challenger does the same with its challenges.
        // Once per block: an unsimulated advance that reverted on chain is not sent again.
        if (
          isSimulationTimeout(error) &&
          (configured !== undefined || derived < cap) &&
          (blockHash === undefined || !this.unsimulatedReverted.has(blockHash))
        ) {
          this.unsimulatedHash = blockHash;
          return gasLimit;
        }
        if (configured !== undefined || !mayHaveRunOutOfGas(error, proven)) throw error;
        if (derived >= cap) throw new AdvanceOverL1GasLimitError(number, derived, cap);
      }
    }
    const estimate = await this.advanceCalls.estimate(data, cap).catch(async (error: unknown) => {
      // Short of the threshold with all the gas one transaction may have: no gas cures it.
      if (proven && isProofsInsufficient(error) && !(await this.proofPolicy()).allowReexecution)
        throw new ProofsRefusedByL1Error(number, decodeRollupRevert(revertDataOf(error) ?? "0x")?.text ?? "", cap);
      throw error;
    });
    if (estimate > cap) throw new AdvanceOverL1GasLimitError(number, estimate, cap);
    const withMargin = estimate + ADVANCE_GAS_MARGIN;
    const gasLimit = withMargin < cap ? withMargin : cap;
    // Only an estimate above the derived limit shows the derivation short: a failure without data
    // may have been the RPC's, and an out-of-gas the estimate then prices within the derived limit
    // was L1's state moving between the two calls (this advance still goes at the estimate, the
    // next is simulated at its derived limit again). Said once, and the rule from then on.
    if (!this.derivationShort && estimate > derived) {
      this.derivationShort = true;
      const line = `the advance of L2 block ${number} needs more gas than derived (L1 estimates ${estimate}, derived ${derived}): this rollup's advances are priced by L1's estimate from now on`;
      // On Solidity verifiers every submitter meets this on its first advance (the derivation
      // prices EXECUTE's schedule, docs/design/first-block-proofs.md): expected, so information.
      // Elsewhere L1's EXECUTE charges more than this node's schedule says: worth a warning.
      if (proven)
        this.verifier ??= await readBlockVerifier(this.config.rollupAddress, this.config.signer).catch(() => undefined);
      if (this.verifier?.kind === "contract")
        this.config.logger.info(
          `${line} (expected: the derivation prices EXECUTE's schedule, not this Solidity verifier's)`,
        );
      else this.config.logger.warn(line);
    }
    return gasLimit;
  }
}

/**
 * Whether a simulated `advance` may have failed for want of gas rather than on the block: EXECUTE's
 * OutOfGas or an executor that answered nothing (a Solidity executor out of gas; on an L1 without
 * EXECUTE, L1's estimate then fails the same way and that failure is classified), or no revert data
 * at all (the contract's own work out of gas, or a failed request). With `proven` (proofs that met
 * the threshold here, counted by EXECUTE's rules), ProofsInsufficient too: ProofModeExecute counts a
 * verifier that reverts, out of gas included, as a proof that does not verify, so a limit too low
 * for the Solidity Groth16 check (the derivation prices EXECUTE's per-proof charge) reads as
 * "0 of the k required proofs verified".
 */
function mayHaveRunOutOfGas(error: unknown, proven: boolean): boolean {
  const data = revertDataOf(error);
  if (data === undefined || data === "0x") return true;
  const decoded = decodeRollupRevert(data);
  return (
    decoded?.executeCode === ExecuteErrorCode.OutOfGas ||
    decoded?.name === "ExecuteUnavailable" ||
    (proven && decoded?.executeCode === ExecuteErrorCode.ProofsInsufficient)
  );
}

/** Whether `error` is EXECUTE stopped at a simulation's deadline (SimulationTimeout). */
function isSimulationTimeout(error: unknown): boolean {
  const data = revertDataOf(error);
  return data !== undefined && decodeRollupRevert(data)?.executeCode === ExecuteErrorCode.SimulationTimeout;
}

/** Whether `error` is EXECUTE's (or an executor's) ProofsInsufficient. */
function isProofsInsufficient(error: unknown): boolean {
  const data = revertDataOf(error);
  return data !== undefined && decodeRollupRevert(data)?.executeCode === ExecuteErrorCode.ProofsInsufficient;
}
