/**
 * The dashboard's JSON snapshot: what `GET /api/dashboard` answers and what each server-sent
 * `snapshot` event carries. Plain JSON: block numbers and gas are numbers (far below 2^53 on a
 * devnet), wei amounts are decimal strings.
 */

import type { L1Health } from "../../protocol";

/** How an L2 block got accepted (or is getting accepted) on L1, as the page labels it. */
export type DashboardAcceptance = "re-executed" | "proven" | "proofs-or-re-executed" | "optimistic";
export type DashboardBlockStatus = "final" | "provisional" | "challenged";

export interface DashboardHeads {
  readonly l1: number;
  /** The node's `latest` L2 block (the sequencer's own newest block, or the follower's head). */
  readonly l2: number;
  readonly l2Hash: string;
  /** The node's `safe` L2 block: the rollup's final head (null when the node has no such label). */
  readonly safe: number | null;
  readonly safeHash: string | null;
  /** The node's `finalized` L2 block: the rollup's final head as of an L1 block that is itself final (`--finality-depth` deep). */
  readonly finalized: number | null;
  readonly finalizedHash: string | null;
  /** The rollup contract's head: its last final L2 block (an optimistic block once its challenge window passed). */
  readonly accepted: number;
  readonly acceptedHash: string;
  /** L1 → L2 messages queued on L1 that no accepted L2 block consumed yet. */
  readonly pendingL1Messages: number;
  readonly l1MessageCount: number;
  /**
   * L1 → L2 messages no L2 block of this node has anchored yet: the "queued" rows of the list.
   * On an optimistic rollup `pendingL1Messages` also counts relayed messages whose block is not
   * final, so the page shows this count beside the list, and that one as "not final on L1".
   */
  readonly l1MessagesAwaitingL2: number;
}

/** How the rollup accepts blocks, for the page's header. */
export type DashboardMode =
  | { readonly kind: "re-execution" }
  | { readonly kind: "proofs"; readonly threshold: number; readonly keys: number; readonly allowReexecution: boolean }
  | { readonly kind: "optimistic"; readonly challengeWindow: number };

export interface DashboardBlock {
  readonly number: number;
  readonly hash: string;
  /** Transactions in the L2 block; null when the node no longer holds it (another node's block). */
  readonly transactions: number | null;
  readonly consumedMessages: number | null;
  readonly status: DashboardBlockStatus;
  readonly mode: DashboardAcceptance;
  /** Human label: "re-executed", "proven by 2 keys", "provisional", "challenged", … */
  readonly label: string;
  /** keccak256 of the verification keys whose proofs came with the block. */
  readonly proofKeys: readonly string[];
  /** Names of the proof types that delivered (known for blocks this node submitted since it started). */
  readonly provenBy: readonly string[];
  /** EXECUTE's L1 gas for the block's advance; null when EXECUTE did not run (a proposal) or it is unknown. */
  readonly executeGas: number | null;
  /** Gas used by the whole L1 transaction that last changed the block's status. */
  readonly l1GasUsed: number | null;
  /** Witness bytes sent to L1 with the block (0 when accepted on proofs alone); null when unknown. */
  readonly witnessBytes: number | null;
  readonly l1BlockNumber: number;
  readonly l1TransactionHash: string;
  readonly challenge?: { readonly code: number; readonly reason: string };
  /** A provisional block: seconds until its challenge window closes, by the L1 head's clock (0: finalizable now); null otherwise. */
  readonly secondsToFinal: number | null;
}

export type DashboardL1ToL2Status = "queued" | "anchored" | "relayed" | "failed" | "refunded" | "unknown";
export type DashboardL2ToL1Status = "initiated" | "provable" | "finalized";

export interface DashboardL1ToL2Message {
  readonly nonce: number;
  readonly messageHash: string;
  readonly kind: "deposit" | "call";
  readonly from: string;
  readonly to: string;
  /** Wei, decimal. */
  readonly value: string;
  readonly l1BlockNumber: number;
  readonly l1TransactionHash: string;
  readonly status: DashboardL1ToL2Status;
  readonly anchoredInL2Block: number | null;
  readonly relayedInL2Block: number | null;
  /** A failed (or refunded) message: why its call did not complete; null otherwise. */
  readonly failureReason: "callFailed" | "deferred" | null;
  /** A call that reverted: its revert in words (an Error(string) text, a panic, a custom error's selector). */
  readonly revertReason: string | null;
}

export interface DashboardL2ToL1Message {
  readonly nonce: number;
  readonly messageHash: string;
  readonly from: string;
  readonly to: string;
  /** Wei, decimal. */
  readonly value: string;
  readonly l2BlockNumber: number;
  readonly l2TransactionHash: string;
  readonly status: DashboardL2ToL1Status;
}

export interface DashboardSnapshot {
  /** Milliseconds since the epoch when the node assembled it. */
  readonly generatedAt: number;
  /** What made the node assemble it: "request", "l2-block", "l1-message", "l1-head", "accepted". */
  readonly reason: string;
  readonly rollup: {
    readonly address: string;
    readonly l1ChainId: number;
    readonly l2ChainId: number;
    /** The node's L1: its state, and that in one line (describeL1Health: since when and why when not ok). */
    readonly l1State: L1Health["state"];
    readonly l1Detail: string;
    readonly submitter: "running" | "waiting" | "halted" | "off";
    readonly submitterError?: string;
    readonly mode: DashboardMode;
    /** What to do about the halt. */
    readonly submitterHint?: string;
    /** A node that challenges (optimistic mode): its key, proposals queued, challenges won. */
    readonly challenger?: { readonly address?: string; readonly pending: number; readonly won: number };
    /** rollup_status's challengerAlerts: proposals near their window's end, unsettled. */
    readonly challengerAlerts?: readonly string[];
  };
  readonly heads: DashboardHeads;
  /** Newest first. */
  readonly blocks: readonly DashboardBlock[];
  /** Newest first. */
  readonly l1ToL2: readonly DashboardL1ToL2Message[];
  /** Newest first. */
  readonly l2ToL1: readonly DashboardL2ToL1Message[];
}
