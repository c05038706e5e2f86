import type { BlockAcceptance } from "../bridge/acceptance";
import type { AcceptedBlock } from "../bridge/batchSubmitter";
import type { L1ToL2Status, RollupStatus } from "../bridge/status";
import type { SentL2Message } from "../bridge/withdrawals";
import { plural } from "../logger";
import { describeL1Health } from "../../protocol";
import type {
  DashboardBlock,
  DashboardL1ToL2Message,
  DashboardL2ToL1Message,
  DashboardL2ToL1Status,
  DashboardMode,
  DashboardSnapshot,
} from "./types";

/** What the node knows of one of its own L2 blocks (from its chain and witness store). */
export interface LocalBlockFacts {
  readonly hash: string;
  readonly transactions: number;
  readonly consumedMessages: number;
  /** Size of the stored witness, as `advance` sends it when EXECUTE re-executes. */
  readonly witnessBytes: number;
  /** EXECUTE's charge for re-executing the block from that witness. */
  readonly reexecuteGas: bigint;
}

/** A MessageQueued event on L1 with the message's status on L2. */
export interface QueuedMessageFacts {
  readonly nonce: bigint;
  readonly messageHash: string;
  readonly from: string;
  readonly to: string;
  readonly value: bigint;
  readonly data: string;
  readonly l1BlockNumber: number;
  readonly l1TransactionHash: string;
  readonly status: L1ToL2Status;
}

export interface SentMessageFacts {
  readonly sent: SentL2Message;
  /** `finalized(messageHash)` on the rollup contract. */
  readonly finalized: boolean;
}

/** Everything the snapshot is made of, already read from the node and L1. */
export interface DashboardFacts {
  readonly now: number;
  readonly reason: string;
  readonly status: RollupStatus;
  /** Acceptance history from L1 (any order; the snapshot keeps the newest `limits.blocks`). */
  readonly acceptance: readonly BlockAcceptance[];
  /** The batch submitter's own record of what its `advance`s cost (exact, but only since the node started). */
  readonly submitted: readonly AcceptedBlock[];
  /** The node's own blocks, by lower-case block hash. */
  readonly local: ReadonlyMap<string, LocalBlockFacts>;
  /** Receipt `gasUsed` of L1 transactions, by lower-case transaction hash. */
  readonly l1GasUsed: ReadonlyMap<string, bigint>;
  readonly l1ToL2: readonly QueuedMessageFacts[];
  readonly l2ToL1: readonly SentMessageFacts[];
  readonly limits: { readonly blocks: number; readonly messages: number };
  /** The node's `safe` and `finalized` blocks (what those tags answer on its JSON-RPC); absent when unknown. */
  readonly labelledHeads?: { readonly safe: LabelledHead; readonly finalized: LabelledHead };
  readonly mode: DashboardMode;
  /** L1 → L2 messages the node's L2 head has consumed (anchored). */
  readonly consumedOnL2: bigint;
  /** Each provisional block's end of challenge window (unix seconds), by block hash. */
  readonly finalAt: ReadonlyMap<string, bigint>;
  /** The L1 head's timestamp: the clock challenge windows run on. */
  readonly l1Time: bigint;
}

/** A block a head tag names. */
export interface LabelledHead {
  readonly number: bigint;
  readonly hash: string;
}

function acceptanceLabel(entry: BlockAcceptance): string {
  if (entry.status === "challenged") return "challenged";
  const keys = plural(entry.proofKeys.length, "key");
  switch (entry.mode) {
    case "optimistic":
      return entry.status === "final" ? "final" : "provisional";
    case "re-executed":
      return "re-executed";
    case "proven":
      return `proven by ${keys}`;
    case "proofs-or-re-executed":
      return `proofs (${keys}) or re-executed`;
  }
}

function blockRow(
  entry: BlockAcceptance,
  facts: DashboardFacts,
  submitted: ReadonlyMap<string, AcceptedBlock>,
): DashboardBlock {
  const hash = entry.blockHash.toLowerCase();
  const local = facts.local.get(hash);
  // The submitter's record describes its `advance`; a later status change (a proof, a finalization) is another transaction.
  const cost = submitted.get(hash);
  const costApplies =
    cost !== undefined && cost.l1TransactionHash.toLowerCase() === entry.l1TransactionHash.toLowerCase();
  let executeGas: bigint | undefined;
  let witnessBytes: number | undefined;
  switch (entry.mode) {
    case "optimistic":
      // A proposal carries no witness and runs no EXECUTE: that is the point of the optimistic path.
      break;
    case "re-executed":
      executeGas = costApplies ? cost.executeGas : local?.reexecuteGas;
      witnessBytes = costApplies ? cost.witnessBytes : local?.witnessBytes;
      break;
    case "proven":
      executeGas = costApplies ? cost.executeGas : undefined;
      witnessBytes = 0;
      break;
    case "proofs-or-re-executed":
      executeGas = costApplies ? cost.executeGas : undefined;
      witnessBytes = costApplies ? cost.witnessBytes : local?.witnessBytes;
      break;
  }
  const l1GasUsed = costApplies ? cost.l1GasUsed : facts.l1GasUsed.get(entry.l1TransactionHash.toLowerCase());
  return {
    number: Number(entry.number),
    hash: entry.blockHash,
    transactions: local?.transactions ?? (cost === undefined ? null : cost.transactions),
    consumedMessages: local?.consumedMessages ?? (cost === undefined ? null : cost.consumedMessages),
    status: entry.status,
    mode: entry.mode,
    label: acceptanceLabel(entry),
    proofKeys: entry.proofKeys,
    provenBy: costApplies ? cost.provenBy : [],
    executeGas: executeGas === undefined ? null : Number(executeGas),
    l1GasUsed: l1GasUsed === undefined ? null : Number(l1GasUsed),
    witnessBytes: witnessBytes ?? null,
    l1BlockNumber: entry.l1BlockNumber,
    l1TransactionHash: entry.l1TransactionHash,
    ...(entry.challenge === undefined ? {} : { challenge: entry.challenge }),
    secondsToFinal: secondsToFinal(entry, facts),
  };
}

function secondsToFinal(entry: BlockAcceptance, facts: DashboardFacts): number | null {
  if (entry.status !== "provisional") return null;
  const finalAt = facts.finalAt.get(entry.blockHash.toLowerCase());
  if (finalAt === undefined) return null;
  return Number(finalAt > facts.l1Time ? finalAt - facts.l1Time : 0n);
}

function l1ToL2Row(m: QueuedMessageFacts): DashboardL1ToL2Message {
  return {
    nonce: Number(m.nonce),
    messageHash: m.messageHash,
    kind: m.data === "0x" ? "deposit" : "call",
    from: m.from,
    to: m.to,
    value: m.value.toString(),
    l1BlockNumber: m.l1BlockNumber,
    l1TransactionHash: m.l1TransactionHash,
    status: m.status.status,
    anchoredInL2Block: m.status.anchoredInL2Block === undefined ? null : Number(m.status.anchoredInL2Block),
    relayedInL2Block: m.status.relayedInL2Block === undefined ? null : Number(m.status.relayedInL2Block),
    failureReason: m.status.failureReason ?? null,
    revertReason: m.status.revertReason ?? null,
  };
}

/** The rule of `rollup_getMessageStatus`: provable once L1 accepted the sending block or a later one. */
function l2ToL1State(m: SentMessageFacts, acceptedHead: bigint): DashboardL2ToL1Status {
  if (m.finalized) return "finalized";
  return acceptedHead >= m.sent.l2BlockNumber ? "provable" : "initiated";
}

function l2ToL1Row(m: SentMessageFacts, acceptedHead: bigint): DashboardL2ToL1Message {
  return {
    nonce: Number(m.sent.message.nonce),
    messageHash: m.sent.messageHash,
    from: m.sent.message.from,
    to: m.sent.message.to,
    value: m.sent.message.value.toString(),
    l2BlockNumber: Number(m.sent.l2BlockNumber),
    l2TransactionHash: m.sent.l2TransactionHash,
    status: l2ToL1State(m, acceptedHead),
  };
}

function newestFirst<T>(items: readonly T[], key: (item: T) => bigint | number, limit: number): T[] {
  return [...items].sort((a, b) => (key(b) > key(a) ? 1 : key(b) < key(a) ? -1 : 0)).slice(0, limit);
}

/** Assembles the dashboard's snapshot from facts the node read: no I/O, no clock. */
export function buildDashboardSnapshot(facts: DashboardFacts): DashboardSnapshot {
  const { status, limits } = facts;
  const submitted = new Map(facts.submitted.map((a) => [a.blockHash.toLowerCase(), a]));
  // A challenged block and its replacement share a number: the later L1 event comes first.
  const accepted = [...facts.acceptance]
    .sort((a, b) => (b.number > a.number ? 1 : b.number < a.number ? -1 : b.l1BlockNumber - a.l1BlockNumber))
    .slice(0, limits.blocks);
  return {
    generatedAt: facts.now,
    reason: facts.reason,
    rollup: {
      address: status.rollupAddress,
      l1ChainId: Number(status.l1ChainId),
      l2ChainId: Number(status.l2ChainId),
      l1State: status.l1.state,
      l1Detail: describeL1Health(status.l1),
      submitter: status.submitter,
      ...(status.submitterError === undefined ? {} : { submitterError: status.submitterError }),
      mode: facts.mode,
      ...(status.submitterHint === undefined ? {} : { submitterHint: status.submitterHint }),
      // Said as rollup:status says it: without it a watcher's page read as a plain follower's.
      ...(status.challenger === undefined
        ? {}
        : {
            challenger: {
              ...(status.challenger.address === undefined ? {} : { address: status.challenger.address }),
              pending: status.challenger.pending,
              won: status.challenger.won.length,
            },
          }),
      ...(status.challengerAlerts === undefined ? {} : { challengerAlerts: status.challengerAlerts }),
    },
    heads: {
      l1: Number(status.l1Head),
      l2: Number(status.l2Head),
      l2Hash: status.l2HeadHash,
      safe: facts.labelledHeads === undefined ? null : Number(facts.labelledHeads.safe.number),
      safeHash: facts.labelledHeads?.safe.hash ?? null,
      finalized: facts.labelledHeads === undefined ? null : Number(facts.labelledHeads.finalized.number),
      finalizedHash: facts.labelledHeads?.finalized.hash ?? null,
      accepted: Number(status.acceptedL2Head),
      acceptedHash: status.acceptedL2HeadHash,
      pendingL1Messages: Number(status.pendingL1Messages),
      l1MessageCount: Number(status.l1MessageCount),
      l1MessagesAwaitingL2: Number(
        status.l1MessageCount > facts.consumedOnL2 ? status.l1MessageCount - facts.consumedOnL2 : 0n,
      ),
    },
    blocks: accepted.map((entry) => blockRow(entry, facts, submitted)),
    l1ToL2: newestFirst(facts.l1ToL2, (m) => m.nonce, limits.messages).map(l1ToL2Row),
    l2ToL1: newestFirst(facts.l2ToL1, (m) => m.sent.message.nonce, limits.messages).map((m) =>
      l2ToL1Row(m, status.acceptedL2Head),
    ),
  };
}
