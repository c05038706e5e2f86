import type { ProducedBlock } from "../l2/types";
import type { Logger } from "../logger";
import { type OptimisticExampleRollup, decodeRollupRevert, revertDataOf } from "./contracts";

/**
 * Waiting for room in OptimisticRollup's proposal gas bucket (docs/design/challenger-capacity.md).
 *
 * `propose` refuses a block whose check gas would overflow the bucket, with
 * `ProposalGasRateExceeded(charged, level, capacity, availableAt)`. That is not a fault of the
 * block: the bucket drains with L1 time, so the same proposal fits at `availableAt`. The node
 * must neither send a proposal that would revert nor halt on it; it simulates the proposal and,
 * while the bucket is full, waits for L1 time to pass. Any other outcome of the simulation is left
 * to the submitter's normal path (its estimate and send classify every other revert).
 */

/** Longest single sleep while waiting: the revert names the L1 time, but an L1 clock may lag or jump. */
export const DEFAULT_PROPOSAL_ROOM_POLL_MS = 5_000;

export interface ProposalRoomOptions {
  /** Simulates the proposal (an eth_call): resolves if it would succeed now, rejects with its revert. */
  readonly simulate: () => Promise<unknown>;
  /** The L1's latest block timestamp, in seconds. */
  readonly l1Time: () => Promise<bigint>;
  readonly sleep: (ms: number) => Promise<void>;
  /** False once the caller stops: the wait ends at once. */
  readonly keepWaiting: () => boolean;
  /** Told once per wait, with the figures of the refusal. */
  readonly log: (message: string) => void;
  readonly maxPollMs?: number;
}

/** The `availableAt` of a `ProposalGasRateExceeded` revert in `error`, undefined for any other error. */
export function proposalRoomAt(error: unknown): { availableAt: bigint; text: string } | undefined {
  const data = revertDataOf(error);
  const decoded = data === undefined ? undefined : decodeRollupRevert(data);
  if (decoded === undefined || decoded.name !== "ProposalGasRateExceeded") return undefined;
  return { availableAt: decoded.args[3] as bigint, text: decoded.text };
}

/**
 * Resolves true once the proposal fits the bucket (or its simulation fails for another reason,
 * which the caller's normal path reports), false if the caller stopped while the bucket was full.
 */
export async function waitForProposalGasRoom(options: ProposalRoomOptions): Promise<boolean> {
  const maxPollMs = options.maxPollMs ?? DEFAULT_PROPOSAL_ROOM_POLL_MS;
  let waits = 0;
  for (;;) {
    let room: { availableAt: bigint; text: string } | undefined;
    try {
      await options.simulate();
      return true;
    } catch (error) {
      room = proposalRoomAt(error);
      if (room === undefined) return true;
    }
    // Only a wait needs the caller to be running: a one-off submission (not started) still proposes what fits.
    if (!options.keepWaiting()) return false;
    const now = await options.l1Time();
    const seconds = room.availableAt > now ? room.availableAt - now : 1n;
    if (waits === 0)
      options.log(`the proposal gas bucket is full (${room.text}): waiting ≈ ${seconds} s of L1 time before proposing`);
    waits++;
    await options.sleep(Math.min(Number(seconds) * 1000, maxPollMs));
  }
}

/** What `waitToPropose` needs of the submitter. */
export interface ProposeWaitHooks {
  readonly sleep: (ms: number) => Promise<void>;
  readonly keepWaiting: () => boolean;
  readonly logger: Logger;
}

/**
 * The batch submitter's wait before it proposes `produced` with `bond`: until the rollup's bucket
 * has room for it. False if the submitter stopped meanwhile.
 */
export async function waitToPropose(
  rollup: OptimisticExampleRollup,
  produced: ProducedBlock,
  bond: bigint,
  hooks: ProposeWaitHooks,
): Promise<boolean> {
  const args = [produced.parentHeader, produced.blockRlp, produced.encodedWitness, produced.consumedMessages] as const;
  const provider = rollup.runner?.provider ?? undefined;
  return waitForProposalGasRoom({
    simulate: () => rollup.propose.staticCall(...args, { value: bond }),
    l1Time: async () => BigInt((await provider?.getBlock("latest"))?.timestamp ?? 0),
    sleep: hooks.sleep,
    keepWaiting: hooks.keepWaiting,
    log: (message) => hooks.logger.info(`L2 block ${produced.number}: ${message}`),
  });
}
