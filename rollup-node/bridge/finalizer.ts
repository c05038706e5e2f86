import { type Signer, formatEther } from "ethers";

import type { Logger } from "../logger";
import { type OptimisticExampleRollup, connectOptimisticRollup, decodeRollupRevert, revertDataOf } from "./contracts";
import { BridgeError } from "./errors";
import { describeSendError, replayedRevertData } from "./txErrors";

export interface FinalizerConfig {
  readonly rollupAddress: string;
  /** Any funded L1 account may finalize; the batch submitter uses its own (the bonds are credited to the proposer anyway). */
  readonly signer: Signer;
  readonly logger: Logger;
  /** Withdraw the returned bonds once they reach this many bonds (default 10): one transfer for many blocks. */
  readonly withdrawAfterBonds?: bigint;
}

const DEFAULT_WITHDRAW_AFTER_BONDS = 10n;

/**
 * Finalizes provisional blocks whose challenge window has closed and, now and then, withdraws
 * the bonds they returned. Finalization is permissionless and idempotent: everything is read
 * from the contract, so a restart or a second finalizer only costs a reverted call.
 */
export class ProvisionalFinalizer {
  private readonly rollup: OptimisticExampleRollup;
  private bond: bigint | undefined;

  constructor(private readonly config: FinalizerConfig) {
    this.rollup = connectOptimisticRollup(config.rollupAddress, config.signer);
  }

  /** Finalizes every provisional block past its window, in one call; returns the new head, or undefined when none was due. */
  async finalizeDue(): Promise<bigint | undefined> {
    const [head, count] = await Promise.all([this.rollup.headNumber(), this.rollup.provisionalCount()]);
    if (count === 0n) return undefined;
    const latest = await this.config.signer.provider?.getBlock("latest");
    // An automining L1 mines nothing while idle, so its latest timestamp may lag the clock; the
    // next block gets at least the wall-clock time, and a premature call only reverts harmlessly.
    const now = BigInt(Math.max(latest?.timestamp ?? 0, Math.floor(Date.now() / 1000)));
    let due: bigint | undefined;
    // Windows close in proposal order, so the due blocks are a prefix of the provisional chain.
    for (let n = head + 1n; n <= head + count; n++) {
      if ((await this.rollup.finalizableAt(n)) > now) break;
      due = n;
    }
    if (due === undefined) return undefined;
    try {
      const receipt = await (await this.rollup.finalize(due)).wait();
      this.config.logger.info(
        `finalized L2 blocks ${head + 1n}..${due} after their challenge windows (L1 block ${receipt?.blockNumber})`,
      );
    } catch (error) {
      // A mined revert carries no data: replayed (another node's finalize in the same L1 block).
      const data = revertDataOf(error) ?? (await replayedRevertData(this.config.signer.provider, error));
      const decoded = data === undefined ? undefined : decodeRollupRevert(data);
      // ChallengeWindowOpen: L1's clock is behind ours; NotProvisional: someone else finalized (or a challenge removed it).
      if (decoded?.name === "ChallengeWindowOpen" || decoded?.name === "NotProvisional") {
        this.config.logger.debug(`finalize(${due}) not possible yet: ${decoded.text}`);
        return undefined;
      }
      throw new BridgeError(
        "FINALIZE_FAILED",
        `finalize(${due}) failed: ${decoded?.text ?? describeSendError(error)}`,
        "the proposer finalizes again at its next check; finalization is permissionless, anyone may call finalize",
      );
    }
    await this.withdrawIfWorthIt();
    return due;
  }

  private async withdrawIfWorthIt(): Promise<void> {
    this.bond ??= await this.rollup.PROPOSAL_BOND();
    const credit = await this.rollup.bondCredit(await this.config.signer.getAddress());
    if (credit < this.bond * (this.config.withdrawAfterBonds ?? DEFAULT_WITHDRAW_AFTER_BONDS)) return;
    await (await this.rollup.withdrawBonds()).wait();
    this.config.logger.info(`withdrew ${formatEther(credit)} ETH of returned proposal bonds`);
  }
}
