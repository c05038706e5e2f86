/**
 * Where a message stands. Contract state is the ground truth: the rollup contract on L1 (queue,
 * accepted head, finalized set) and L2Bridge on L2 (relayed set). The node's rollup_* answers
 * add what contracts cannot tell cheaply (which L2 block anchored a message, the relay
 * transaction), and let "anchored" show before L1 has accepted the anchoring block.
 */
import type { IL2Bridge, INativeRollup } from "./contracts";
import { InvalidArgumentError } from "./errors";
import type { L1ToL2Message, L2ToL1Message, RollupMessage } from "./messages";
import type { RollupNodeRpc } from "./nodeRpc";
import { decodeRevertReason } from "./revert";

/**
 * L1 → L2: queued on L1 → anchored in an L2 block → relayed (its L2 call made), or failed (its
 * call reverted or its block deferred it; the value is held) → relayed (retried) or refunded.
 */
export type L1ToL2Status = "queued" | "anchored" | "relayed" | "failed" | "refunded";
/** L2 → L1: initiated on L2 → provable (its L2 block accepted on L1) → finalized on L1. */
export type L2ToL1Status = "initiated" | "provable" | "finalized";
export type MessageStatus = L1ToL2Status | L2ToL1Status;

/** In rank order; "failed" and "refunded" are outcomes beside "relayed" (the message is consumed). */
export const L1_TO_L2_STATUSES: readonly L1ToL2Status[] = ["queued", "anchored", "relayed", "failed", "refunded"];
export const L2_TO_L1_STATUSES: readonly L2ToL1Status[] = ["initiated", "provable", "finalized"];

export interface L1ToL2StatusReport {
  readonly direction: "l1ToL2";
  readonly status: L1ToL2Status;
  readonly message: L1ToL2Message;
  /** The L2 block whose anchor carries the message (from the node). */
  readonly anchoredInL2Block?: bigint;
  /** Whether an L2 block accepted on L1 consumed it (the rollup's nextMessageIndex passed it). */
  readonly consumedOnL1: boolean;
  readonly relayedInL2Block?: bigint;
  readonly relayTransactionHash?: string;
  /** For a failed or refunded message: why its call did not complete (from the node). */
  readonly failureReason?: "callFailed" | "deferred";
  /** For a failed call: the start of its revert data (L2Bridge's MessageFailed event keeps it). */
  readonly revertData?: string;
  /** That revert data in words (`decodeRevertReason`): an Error(string) text, a panic, a custom error's selector. */
  readonly revertReason?: string;
}

/** L2Bridge's MessageState, by its enum value. */
const BRIDGE_STATES = ["pending", "executed", "failed", "refunded"] as const;

export interface L2ToL1StatusReport {
  readonly direction: "l2ToL1";
  readonly status: L2ToL1Status;
  readonly message: L2ToL1Message;
  /** The last L2 block the rollup contract accepted. */
  readonly acceptedL2Head: bigint;
}

export type MessageStatusReport = L1ToL2StatusReport | L2ToL1StatusReport;

/**
 * Which L2 block a status rests on: `latest` (the node's newest block, which L1 may not have
 * accepted yet), `safe` (accepted on L1) or `finalized` (accepted in a final L1 block).
 */
export type L2BlockTag = "latest" | "safe" | "finalized";
export const L2_BLOCK_TAGS: readonly L2BlockTag[] = ["latest", "safe", "finalized"];

/** The contracts (and the node) a status is read from. */
export interface StatusSources {
  readonly rollup: INativeRollup;
  readonly l2Bridge: IL2Bridge;
  readonly node: RollupNodeRpc;
  /** The L2 block L2Bridge's state is read at ("latest" when absent). */
  readonly l2BlockTag?: L2BlockTag;
}

/** The position of `status` in its direction's lifecycle (0, 1, 2). */
export function statusRank(direction: RollupMessage["direction"], status: MessageStatus): number {
  const order: readonly MessageStatus[] = direction === "l1ToL2" ? L1_TO_L2_STATUSES : L2_TO_L1_STATUSES;
  const rank = order.indexOf(status);
  if (rank < 0)
    throw new InvalidArgumentError(
      `"${status}" is not a status of an ${direction === "l1ToL2" ? "L1 → L2" : "L2 → L1"} message`,
      `use one of ${order.join(", ")}`,
    );
  // A consumed message is relayed, failed or refunded: each is as far as a message goes.
  return Math.min(rank, 2);
}

export async function l1ToL2Status(sources: StatusSources, message: L1ToL2Message): Promise<L1ToL2StatusReport> {
  // At `safe`, a relay counts only once L1 accepted its block: a relay the sequencer may still lose is "anchored".
  const [state, nextIndex] = await Promise.all([
    sources.l2Bridge.messageState(message.nonce, { blockTag: sources.l2BlockTag ?? "latest" }),
    sources.rollup.nextMessageIndex(),
  ]);
  const bridgeState = BRIDGE_STATES[Number(state)] ?? "pending";
  const relayed = bridgeState !== "pending";
  // Asked after the contracts, so the node has seen at least the blocks they were read at: a
  // relay the bridge reports always comes with the node's block and transaction for it.
  const node = await sources.node.l1ToL2Status(message.nonce);
  const consumedOnL1 = message.nonce < nextIndex;
  const failure = bridgeState === "failed" ? await failedCall(sources.l2Bridge, message.nonce) : undefined;
  const status: L1ToL2Status =
    bridgeState === "executed"
      ? "relayed"
      : bridgeState === "failed" || bridgeState === "refunded"
        ? bridgeState
        : consumedOnL1 || node?.status === "anchored" || node?.status === "relayed"
          ? "anchored"
          : "queued";
  return {
    direction: "l1ToL2",
    status,
    message,
    consumedOnL1,
    ...(node?.anchoredInL2Block === undefined ? {} : { anchoredInL2Block: node.anchoredInL2Block }),
    ...(relayed && node?.relayedInL2Block !== undefined ? { relayedInL2Block: node.relayedInL2Block } : {}),
    ...(relayed && node?.relayTransactionHash !== undefined ? { relayTransactionHash: node.relayTransactionHash } : {}),
    ...(relayed && node?.failureReason !== undefined ? { failureReason: node.failureReason } : {}),
    ...(failure === undefined ? {} : failure),
  };
}

/**
 * Why message `nonce`'s call failed, from L2Bridge's MessageFailed event (contract state, so it
 * holds on any L2 client); undefined when the block deferred it (no call ran, no revert data).
 */
async function failedCall(
  bridge: IL2Bridge,
  nonce: bigint,
): Promise<{ failureReason: "callFailed"; revertData: string; revertReason: string } | undefined> {
  const events = await bridge.queryFilter(bridge.filters.MessageFailed(nonce), 0, "latest");
  const last = events[events.length - 1];
  // FailureReason.Deferred (1): no call ran, so there is no revert to tell.
  if (last === undefined || Number(last.args.reason) !== 0) return undefined;
  const revertData = last.args.returnData;
  return { failureReason: "callFailed", revertData, revertReason: decodeRevertReason(revertData) };
}

export async function l2ToL1Status(sources: StatusSources, message: L2ToL1Message): Promise<L2ToL1StatusReport> {
  const [finalized, acceptedL2Head] = await Promise.all([
    sources.rollup.finalized(message.messageHash),
    sources.rollup.headNumber(),
  ]);
  const status: L2ToL1Status = finalized
    ? "finalized"
    : acceptedL2Head >= message.l2BlockNumber
      ? "provable"
      : "initiated";
  return { direction: "l2ToL1", status, message, acceptedL2Head };
}

export async function messageStatus(sources: StatusSources, message: RollupMessage): Promise<MessageStatusReport> {
  return message.direction === "l1ToL2" ? l1ToL2Status(sources, message) : l2ToL1Status(sources, message);
}

/** One line for progress output and timeout errors. */
export function describeStatus(report: MessageStatusReport): string {
  if (report.direction === "l2ToL1")
    return `${report.status}: sent in L2 block ${report.message.l2BlockNumber}, L1 has accepted L2 blocks up to ${report.acceptedL2Head}`;
  if (report.status === "failed" || report.status === "refunded")
    return `${report.status}${report.failureReason === "deferred" ? " (deferred: its block could not carry its call)" : report.revertReason === undefined ? "" : ` (its L2 call reverted: ${report.revertReason})`}, consumed in L2 block ${report.relayedInL2Block ?? "?"}`;
  if (report.status === "relayed")
    return `relayed${report.relayedInL2Block === undefined ? "" : ` in L2 block ${report.relayedInL2Block}`}`;
  if (report.status === "anchored")
    return `anchored${report.anchoredInL2Block === undefined ? "" : ` in L2 block ${report.anchoredInL2Block}`}, waiting for the relay`;
  return `queued on L1 as message #${report.message.nonce}, waiting for the sequencer to anchor it`;
}
