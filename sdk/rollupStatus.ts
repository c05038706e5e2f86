/**
 * The state of the rollup as a whole, read from the chains (the rollup contract is the ground
 * truth for what L1 accepted) plus the node's report on its batch submitter, when it gives one.
 */
import type { Provider } from "ethers";

import { type INativeRollup, IOptimisticRollup__factory } from "./contracts";
import type { RollupNodeRpc, RollupNodeStatus } from "./nodeRpc";

/**
 * The node's `rollup_status` fields, but read from the chains; `submitter` is "unknown" and `l1`
 * (the node's own view of its L1: ok, unreachable, or without the rollup) absent when the node
 * has no `rollup_status` (another L2 client).
 */
export type RollupStatus = Omit<RollupNodeStatus, "submitter" | "l1"> & {
  readonly submitter: RollupNodeStatus["submitter"] | "unknown";
  readonly l1?: RollupNodeStatus["l1"];
};

export interface RollupStatusSources {
  readonly rollup: INativeRollup;
  readonly rollupAddress: string;
  readonly l1: Provider;
  readonly l2: Provider;
  readonly node: RollupNodeRpc;
}

/**
 * On an optimistic rollup: its highest proposed block and, above the final head `accepted`, the L1
 * time its challenge window ends; nothing on a rollup that is not optimistic (the calls revert).
 */
async function proposedHead(
  rollup: INativeRollup,
  accepted: bigint,
): Promise<Pick<RollupStatus, "proposedL2Head" | "proposedL2HeadHash" | "proposedFinalAt">> {
  const optimistic = IOptimisticRollup__factory.connect(await rollup.getAddress(), rollup.runner);
  let tip: { number: bigint; hash: string };
  try {
    const [number, hash] = await optimistic.tip();
    tip = { number, hash };
  } catch {
    return {};
  }
  const head = { proposedL2Head: tip.number, proposedL2HeadHash: tip.hash };
  if (tip.number <= accepted) return head;
  // Finalized since `accepted` was read: no window left to name.
  const finalAt = await optimistic.finalizableAt(tip.number).catch(() => undefined);
  return finalAt === undefined ? head : { ...head, proposedFinalAt: finalAt };
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
  const proposed = await proposedHead(s.rollup, accepted);
  return {
    rollupAddress: s.rollupAddress,
    l1ChainId: l1Network.chainId,
    l1Head: BigInt(l1Head),
    l2ChainId: l2Network.chainId,
    l2Head: BigInt(l2Block?.number ?? 0),
    l2HeadHash: l2Block?.hash ?? "",
    acceptedL2Head: accepted,
    acceptedL2HeadHash: acceptedHash,
    ...proposed,
    l1MessageCount: count,
    pendingL1Messages: count - next,
    submitter: node?.submitter ?? "unknown",
    // The node may read another L1 than this client does, or fail to read it: its own word.
    ...(node === undefined ? {} : { l1: node.l1 }),
    ...(node?.submitterError === undefined ? {} : { submitterError: node.submitterError }),
    ...(node?.submitterErrorCode === undefined ? {} : { submitterErrorCode: node.submitterErrorCode }),
    ...(node?.submitterHint === undefined ? {} : { submitterHint: node.submitterHint }),
    ...(node?.challengerAlerts === undefined ? {} : { challengerAlerts: node.challengerAlerts }),
    ...(node?.challenger === undefined ? {} : { challenger: node.challenger }),
    // What the sequencer holds in its pool is the node's to tell: no chain shows it.
    ...(node?.heldTransactions === undefined ? {} : { heldTransactions: node.heldTransactions }),
    ...(node?.heldLargestGasLimit === undefined ? {} : { heldLargestGasLimit: node.heldLargestGasLimit }),
    ...(node?.heldLargestWaitSeconds === undefined ? {} : { heldLargestWaitSeconds: node.heldLargestWaitSeconds }),
  };
}
