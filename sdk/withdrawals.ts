/**
 * Finalizing an L2 → L1 message on L1: check it is provable and not yet finalized (from the
 * rollup contract's state), fetch the Merkle-Patricia proof of its L2Bridge entry, and call
 * `finalizeMessage`. Reverts come back as the SDK's typed errors.
 */
import type { TransactionReceipt } from "ethers";

import {
  L2_BRIDGE_ADDRESS,
  NATIVE_ROLLUP_INTERFACE,
  NotProvableYetError,
  revertDataOf,
  sentMessageSlot,
} from "../protocol";
import { type INativeRollup, IOptimisticRollup__factory } from "./contracts";
import { AlreadyFinalizedError, FinalizationFailedError } from "./errors";
import type { L2ToL1Message } from "./messages";
import type { L2MessageStruct } from "../typechain-types/interfaces/INativeRollup";
import type { RollupNodeRpc } from "./nodeRpc";
import type { RpcSender } from "./runners";

/** What `finalizeMessage(l2BlockNumber, message, accountProof, storageProof)` takes. */
export interface WithdrawalProof {
  readonly l2BlockNumber: bigint;
  readonly accountProof: readonly string[];
  readonly storageProof: readonly string[];
}

/** What an SDK caller does about a withdrawal that is not provable yet. */
const NOT_PROVABLE_YET_HINT =
  "wait with waitForMessageStatus(message, 'provable'), then finalize; if the accepted head does not move, check the node's batch submitter (rollup_status)";

/**
 * On an optimistic rollup, when L2 block `number` is proposed but not final yet: the L1 time
 * (unix seconds) at which its challenge window closes. Undefined on a rollup that is not
 * optimistic (the calls revert) or before the block is proposed.
 */
export async function optimisticFinalAt(rollup: INativeRollup, number: bigint): Promise<bigint | undefined> {
  const optimistic = IOptimisticRollup__factory.connect(await rollup.getAddress(), rollup.runner);
  try {
    const [tip] = await optimistic.tip();
    if (tip < number) return undefined;
    return await optimistic.finalizableAt(number);
  } catch {
    return undefined;
  }
}

/** Throws NotProvableYetError / AlreadyFinalizedError when the message cannot be finalized now. */
export async function assertFinalizable(rollup: INativeRollup, message: L2ToL1Message): Promise<void> {
  const [finalized, head] = await Promise.all([rollup.finalized(message.messageHash), rollup.headNumber()]);
  if (finalized) throw new AlreadyFinalizedError(message.messageHash);
  if (head < message.l2BlockNumber) {
    const finalAt = await optimisticFinalAt(rollup, message.l2BlockNumber);
    throw new NotProvableYetError(
      message.messageHash,
      message.l2BlockNumber,
      head,
      finalAt,
      finalAt === undefined ? NOT_PROVABLE_YET_HINT : undefined,
    );
  }
}

/**
 * The proof of `message` against L2 block `atBlock` (an accepted block at or after the one that
 * sent it): from the node's rollup_getWithdrawalProof, or from plain eth_getProof on a node
 * without it (the L2Bridge sent-messages slot is all the contract checks).
 */
export async function fetchWithdrawalProof(
  node: RollupNodeRpc,
  l2Rpc: RpcSender | undefined,
  message: L2ToL1Message,
  atBlock: bigint,
  bridgeAddress: string = L2_BRIDGE_ADDRESS,
): Promise<WithdrawalProof> {
  const fromNode = await node.withdrawalProof(message.messageHash, atBlock);
  if (fromNode !== undefined)
    return {
      l2BlockNumber: fromNode.l2BlockNumber,
      accountProof: fromNode.accountProof,
      storageProof: fromNode.storageProof,
    };
  if (l2Rpc === undefined)
    throw new FinalizationFailedError(
      message.messageHash,
      "the L2 provider cannot send raw JSON-RPC calls (eth_getProof)",
    );
  const proof = (await l2Rpc.send("eth_getProof", [
    bridgeAddress,
    [sentMessageSlot(message.messageHash)],
    `0x${atBlock.toString(16)}`,
  ])) as {
    accountProof: string[];
    storageProof: { proof: string[] }[];
  };
  return { l2BlockNumber: atBlock, accountProof: proof.accountProof, storageProof: proof.storageProof[0]?.proof ?? [] };
}

/** Turns a revert of `finalizeMessage` into the SDK's error for it. */
export function finalizationError(error: unknown, message: L2ToL1Message, acceptedHead: bigint): Error {
  const data = revertDataOf(error);
  const parsed = data === undefined ? null : NATIVE_ROLLUP_INTERFACE.parseError(data);
  if (parsed?.name === "AlreadyFinalized") return new AlreadyFinalizedError(message.messageHash);
  if (parsed?.name === "BlockNotAccepted")
    return new NotProvableYetError(
      message.messageHash,
      message.l2BlockNumber,
      acceptedHead,
      undefined,
      NOT_PROVABLE_YET_HINT,
    );
  if (parsed !== null && parsed !== undefined)
    return new FinalizationFailedError(
      message.messageHash,
      `${parsed.name}(${[...parsed.args].map(String).join(", ")})`,
    );
  return error instanceof Error
    ? new FinalizationFailedError(message.messageHash, error.message.split("\n")[0] ?? "unknown error")
    : new FinalizationFailedError(message.messageHash, String(error));
}

/** The L1 transaction that finalized a message. */
export interface FinalizedWithdrawal {
  readonly message: L2ToL1Message;
  readonly l1TransactionHash: string;
  readonly l1BlockNumber: bigint;
  /** The accepted L2 block the proof was made against. */
  readonly provenAgainstL2Block: bigint;
  readonly receipt: TransactionReceipt;
}

export interface FinalizeSteps {
  readonly rollup: INativeRollup;
  readonly node: RollupNodeRpc;
  readonly l2Rpc: RpcSender | undefined;
  readonly waitReceipt: (hash: string) => Promise<TransactionReceipt>;
}

export async function finalizeWithdrawal(steps: FinalizeSteps, message: L2ToL1Message): Promise<FinalizedWithdrawal> {
  await assertFinalizable(steps.rollup, message);
  const head = await steps.rollup.headNumber();
  const proof = await fetchWithdrawalProof(steps.node, steps.l2Rpc, message, head);
  const args: [bigint, L2MessageStruct, string[], string[]] = [
    proof.l2BlockNumber,
    { nonce: message.nonce, from: message.from, to: message.to, value: message.value, data: message.data },
    [...proof.accountProof],
    [...proof.storageProof],
  ];
  let hash: string;
  try {
    hash = (await steps.rollup.finalizeMessage(...args)).hash;
  } catch (error) {
    // Estimation reverted: the contract says why (a race with another finalizer, a failing call).
    throw finalizationError(error, message, head);
  }
  let receipt: TransactionReceipt;
  try {
    receipt = await steps.waitReceipt(hash);
  } catch (error) {
    // Mined but reverted: replay it as a call to learn the contract's reason.
    const replay = await steps.rollup.finalizeMessage.staticCall(...args).then(
      () => undefined,
      (e: unknown) => e,
    );
    throw replay === undefined ? error : finalizationError(replay, message, head);
  }
  return {
    message,
    l1TransactionHash: hash,
    l1BlockNumber: BigInt(receipt.blockNumber),
    provenAgainstL2Block: proof.l2BlockNumber,
    receipt,
  };
}
