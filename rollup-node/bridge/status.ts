import { bytesToHex, hexToBytes, setLengthLeft, bigIntToBytes } from "@ethereumjs/util";
import type { Provider } from "ethers";

import type { SequencerApi } from "../l2/types";
import type { BatchSubmitter } from "./batchSubmitter";
import type { Challenger } from "./challenger";
import { L2_BRIDGE_INTERFACE, type OptimisticExampleRollup, type RollupContract } from "./contracts";
import { L1HealthMonitor, type L1StatusReads } from "./l1Health";
import type { L1Watcher } from "./l1Watcher";
import {
  type L1ToL2FailureReason,
  type L1ToL2Status,
  type L2ToL1State,
  type L2ToL1Status,
  L2_BRIDGE_ADDRESS,
  type RollupStatus,
  decodeRevertReason,
} from "../../protocol";
import { type SentMessageQuery, findSentMessage } from "./withdrawals";

/** What the status queries read: the L2 node, the rollup contract on L1 and the bridge loops. */
export interface StatusContext {
  readonly sequencer: Pick<SequencerApi, "chain" | "producedBlock" | "heldForSlack">;
  /** The rollup contract, connected to an L1 provider. */
  readonly rollup: RollupContract;
  /** Optimistic mode: the same contract's proposal reads (the proposed head and its window). */
  readonly optimistic?: Pick<OptimisticExampleRollup, "tip" | "finalizableAt">;
  readonly rollupAddress: string;
  readonly l1Provider: Provider;
  readonly watcher?: L1Watcher;
  readonly submitter?: BatchSubmitter;
  /** Optimistic mode: the node's challenger, whose alerts rollup_status reports. */
  readonly challenger?: Pick<Challenger, "alerts" | "address" | "pending" | "challenges">;
  /**
   * The node's one L1 health monitor (rollup_status `l1`). Without it each status is read alone:
   * a failed L1 read fails the status, as there is no last read to report.
   */
  readonly l1Health?: L1HealthMonitor;
}

// The rollup_* answers are protocol types: the SDK decodes them with the same interfaces.
export type {
  L1ToL2FailureReason,
  L1ToL2State,
  L1ToL2Status,
  L2ToL1State,
  L2ToL1Status,
  RollupStatus,
} from "../../protocol";

const RELAYED_TOPIC = L2_BRIDGE_INTERFACE.getEvent("MessageRelayed")?.topicHash as string;
const FAILED_TOPIC = L2_BRIDGE_INTERFACE.getEvent("MessageFailed")?.topicHash as string;
const RETRIED_TOPIC = L2_BRIDGE_INTERFACE.getEvent("MessageRetried")?.topicHash as string;
const REFUNDED_TOPIC = L2_BRIDGE_INTERFACE.getEvent("MessageRefunded")?.topicHash as string;
const FAILURE_REASONS: readonly L1ToL2FailureReason[] = ["callFailed", "deferred"];

/** L2Bridge's `FailureReason` (IL2Bridge.sol) as the wire names it; an unknown value reads as a failed call. */
export function failureReasonOf(reason: unknown): L1ToL2FailureReason {
  return FAILURE_REASONS[Number(reason ?? 0n)] ?? "callFailed";
}

/** What rollup_status reads from L1 (all of it, or a failure). */
async function readL1(ctx: StatusContext): Promise<L1StatusReads> {
  const [network, l1Head, accepted, acceptedHash, next, count] = await Promise.all([
    ctx.l1Provider.getNetwork(),
    ctx.l1Provider.getBlockNumber(),
    ctx.rollup.headNumber(),
    ctx.rollup.headHash(),
    ctx.rollup.nextMessageIndex(),
    ctx.rollup.messageCount(),
  ]);
  return {
    l1ChainId: network.chainId,
    l1Head: BigInt(l1Head),
    acceptedL2Head: accepted,
    acceptedL2HeadHash: acceptedHash,
    ...(await proposedHead(ctx, accepted)),
    pendingL1Messages: count - next,
    l1MessageCount: count,
  };
}

export async function rollupStatus(ctx: StatusContext): Promise<RollupStatus> {
  const monitor = ctx.l1Health ?? new L1HealthMonitor({ provider: ctx.l1Provider, rollupAddress: ctx.rollupAddress });
  const { l1, reads } = await monitor.read(() => readL1(ctx));
  const { chain } = ctx.sequencer;
  const held = ctx.sequencer.heldForSlack?.();
  const halted = ctx.submitter?.haltReason;
  // A halt or a wait (funds, a fee spike) is reported with its code and hint; a wait ends by itself.
  const stopped = halted ?? ctx.submitter?.waitReason;
  const challenger = ctx.challenger;
  const alerts = challenger?.alerts ?? [];
  const { pendingL1Messages, l1MessageCount, ...heads } = reads;
  return {
    rollupAddress: ctx.rollupAddress,
    l1,
    ...heads,
    l2ChainId: chain.chainId,
    l2Head: chain.headNumber,
    l2HeadHash: bytesToHex(chain.head.hash()),
    ...(held === undefined
      ? {}
      : {
          heldTransactions: BigInt(held.count),
          ...(held.count === 0
            ? {}
            : {
                heldLargestGasLimit: held.largestGasLimit,
                // A wait that never ends (a limit above the capacity) is no number of seconds:
                // BigInt(Infinity) threw and failed the whole status.
                ...(Number.isFinite(held.largestWaitMs)
                  ? { heldLargestWaitSeconds: BigInt(Math.ceil(held.largestWaitMs / 1000)) }
                  : {}),
              }),
        }),
    pendingL1Messages,
    l1MessageCount,
    submitter:
      ctx.submitter === undefined
        ? "off"
        : halted !== undefined
          ? "halted"
          : stopped !== undefined
            ? "waiting"
            : "running",
    ...(stopped === undefined
      ? {}
      : { submitterError: stopped.message, submitterErrorCode: stopped.code, submitterHint: stopped.hint }),
    ...(alerts.length === 0
      ? {}
      : {
          challengerAlerts: alerts.map(
            (a) =>
              `L2 block ${a.number} (${a.blockHash}) ${a.state === "unjudged" ? "not judged" : "INVALID, not removed"}; its window closes at L1 time ${a.closesAt}: ${a.reason}`,
          ),
        }),
    // Says a watcher watches: without it, a --challenge follower's status read as a plain follower's.
    ...(challenger === undefined
      ? {}
      : {
          challenger: {
            ...(challenger.address === undefined ? {} : { address: challenger.address }),
            pending: challenger.pending,
            won: challenger.challenges.map((c) => ({ number: c.number, reward: c.reward })),
          },
        }),
  };
}

/**
 * Optimistic mode: the highest proposed block and, while it is in its challenge window (above the
 * final head `accepted`), when the window ends; nothing in the other modes.
 */
async function proposedHead(
  ctx: StatusContext,
  accepted: bigint,
): Promise<Pick<RollupStatus, "proposedL2Head" | "proposedL2HeadHash" | "proposedFinalAt">> {
  if (ctx.optimistic === undefined) return {};
  const [number, hash] = await ctx.optimistic.tip();
  const head = { proposedL2Head: number, proposedL2HeadHash: hash };
  if (number <= accepted) return head;
  // Finalized since `accepted` was read: no window left to name.
  const finalAt = await ctx.optimistic.finalizableAt(number).catch(() => undefined);
  return finalAt === undefined ? head : { ...head, proposedFinalAt: finalAt };
}

/** The L2 block that consumed message `nonce` (binary search: consumed nonces only grow with blocks). */
async function anchoringBlock(sequencer: StatusContext["sequencer"], nonce: bigint): Promise<bigint | undefined> {
  let lo = 1n;
  let hi = sequencer.chain.headNumber;
  while (lo < hi) {
    const mid = (lo + hi) / 2n;
    const block = await sequencer.producedBlock(mid);
    if (block !== undefined && block.firstMessageNonce + BigInt(block.consumedMessages) > nonce) hi = mid;
    else lo = mid + 1n;
  }
  const found = lo >= 1n ? await sequencer.producedBlock(lo) : undefined;
  if (found === undefined || found.consumedMessages === 0) return undefined;
  return found.firstMessageNonce <= nonce && nonce < found.firstMessageNonce + BigInt(found.consumedMessages)
    ? lo
    : undefined;
}

export async function l1ToL2Status(ctx: StatusContext, nonce: bigint): Promise<L1ToL2Status> {
  const [count, next] = await Promise.all([ctx.rollup.messageCount(), ctx.rollup.nextMessageIndex()]);
  if (nonce >= count) return { direction: "l1ToL2", nonce, status: "unknown", consumedOnL1: false };
  const messageHash = await ctx.rollup.messageHash(nonce);
  const consumedOnL1 = nonce < next;
  const logsOf = (topic: string) =>
    ctx.sequencer.chain.getLogs({
      fromBlock: 0n,
      addresses: [hexToBytes(L2_BRIDGE_ADDRESS)],
      topics: [hexToBytes(topic as `0x${string}`), setLengthLeft(bigIntToBytes(nonce), 32)],
    });
  const [relay] = logsOf(RELAYED_TOPIC);
  const anchoredIn = await anchoringBlock(ctx.sequencer, nonce);
  const base = { direction: "l1ToL2" as const, nonce, messageHash, consumedOnL1 };
  if (relay !== undefined) {
    const relayed = {
      ...base,
      anchoredInL2Block: anchoredIn,
      relayedInL2Block: relay.blockNumber,
      relayTransactionHash: bytesToHex(relay.transactionHash),
    };
    const [failure] = logsOf(FAILED_TOPIC);
    if (failure === undefined || logsOf(RETRIED_TOPIC).length > 0) return { ...relayed, status: "relayed" };
    const parsed = L2_BRIDGE_INTERFACE.parseLog({
      topics: failure.topics.map((t) => bytesToHex(t)),
      data: bytesToHex(failure.data),
    });
    const failureReason = failureReasonOf(parsed?.args.reason);
    const revertData = failureReason === "callFailed" ? (parsed?.args.returnData as string | undefined) : undefined;
    return {
      ...relayed,
      status: logsOf(REFUNDED_TOPIC).length > 0 ? "refunded" : "failed",
      failureReason,
      ...(revertData === undefined ? {} : { revertData, revertReason: decodeRevertReason(revertData) }),
    };
  }
  if (anchoredIn !== undefined) return { ...base, status: "anchored", anchoredInL2Block: anchoredIn };
  return { ...base, status: "queued" };
}

export async function l2ToL1Status(ctx: StatusContext, query: SentMessageQuery): Promise<L2ToL1Status> {
  const sent = findSentMessage(ctx.sequencer.chain, query);
  const [accepted, finalized] = await Promise.all([ctx.rollup.headNumber(), ctx.rollup.finalized(sent.messageHash)]);
  const status: L2ToL1State = finalized ? "finalized" : accepted >= sent.l2BlockNumber ? "provable" : "initiated";
  return {
    direction: "l2ToL1",
    status,
    messageHash: sent.messageHash,
    l2BlockNumber: sent.l2BlockNumber,
    l2TransactionHash: sent.l2TransactionHash,
    acceptedL2Head: accepted,
  };
}
