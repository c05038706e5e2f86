/**
 * The state of the rollup as a whole, read from the chains (the rollup contract is the ground
 * truth for what L1 accepted) plus the node's report on its batch submitter, when it gives one.
 */
import type { Provider } from "ethers";

import type { NativeRollup } from "./contracts";
import type { RollupNodeRpc } from "./nodeRpc";

export interface RollupStatus {
  readonly rollupAddress: string;
  readonly l1ChainId: bigint;
  readonly l1Head: bigint;
  readonly l2ChainId: bigint;
  readonly l2Head: bigint;
  readonly l2HeadHash: string;
  /** The last L2 block the rollup contract accepted. */
  readonly acceptedL2Head: bigint;
  readonly acceptedL2HeadHash: string;
  /** Every L1 → L2 message ever queued. */
  readonly l1MessageCount: bigint;
  /** Queued L1 → L2 messages no accepted L2 block has consumed yet. */
  readonly pendingL1Messages: bigint;
  /** The node's batch submitter; "unknown" when the node has no rollup_status. */
  readonly submitter: "running" | "halted" | "off" | "unknown";
  readonly submitterError?: string;
}

export interface RollupStatusSources {
  readonly rollup: NativeRollup;
  readonly rollupAddress: string;
  readonly l1: Provider;
  readonly l2: Provider;
  readonly node: RollupNodeRpc;
}

export async function readRollupStatus(s: RollupStatusSources): Promise<RollupStatus> {
  const [l1Network, l2Network, l1Head, l2Block, accepted, acceptedHash, count, next, node] = await Promise.all([
    s.l1.getNetwork(),
    s.l2.getNetwork(),
    s.l1.getBlockNumber(),
    s.l2.getBlock("latest"),
    s.rollup.headNumber(),
    s.rollup.headHash(),
    s.rollup.messageCount(),
    s.rollup.nextMessageIndex(),
    s.node.status(),
  ]);
  return {
    rollupAddress: s.rollupAddress,
    l1ChainId: l1Network.chainId,
    l1Head: BigInt(l1Head),
    l2ChainId: l2Network.chainId,
    l2Head: BigInt(l2Block?.number ?? 0),
    l2HeadHash: l2Block?.hash ?? "",
    acceptedL2Head: accepted,
    acceptedL2HeadHash: acceptedHash,
    l1MessageCount: count,
    pendingL1Messages: count - next,
    submitter: node?.submitter ?? "unknown",
    ...(node?.submitterError === undefined ? {} : { submitterError: node.submitterError }),
  };
}
