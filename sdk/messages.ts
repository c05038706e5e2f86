/**
 * Cross-domain messages as the SDK hands them out: what was sent, its hash, and the transaction
 * that sent it. They are decoded from the events the contracts emit (MessageQueued on L1,
 * MessageSentToL1 on L2), so a message can be rebuilt from a transaction hash or a message hash.
 */
import type { Log, Provider, TransactionReceipt } from "ethers";

import {
  MESSAGE_QUEUED_TOPIC,
  MESSAGE_SENT_TOPIC,
  MessageNotFoundError,
  decodeMessageQueued,
  decodeMessageSentToL1,
} from "../protocol";

/** An L1 → L2 message queued by the rollup contract (deposit or sendMessage). */
export interface L1ToL2Message {
  readonly direction: "l1ToL2";
  /** Its position in the rollup's L1 → L2 queue. */
  readonly nonce: bigint;
  readonly messageHash: string;
  /** The L1 sender (L2Bridge.l1Sender() during the L2 call). */
  readonly from: string;
  readonly to: string;
  readonly value: bigint;
  readonly gasLimit: bigint;
  readonly data: string;
  readonly l1TransactionHash: string;
  readonly l1BlockNumber: bigint;
}

/** An L2 → L1 message recorded by L2Bridge (withdraw or sendMessageToL1). */
export interface L2ToL1Message {
  readonly direction: "l2ToL1";
  /** L2Bridge's counter of messages to L1. */
  readonly nonce: bigint;
  readonly messageHash: string;
  /** The L2 sender (the rollup's l2Sender() during the L1 call). */
  readonly from: string;
  readonly to: string;
  readonly value: bigint;
  readonly data: string;
  readonly l2TransactionHash: string;
  /** The L2 block that sent it: it becomes provable once L1 accepts this block. */
  readonly l2BlockNumber: bigint;
}

export type RollupMessage = L1ToL2Message | L2ToL1Message;

/** What an SDK caller may pass to name a message. */
const MESSAGE_NOT_FOUND_HINT =
  "pass the message a deposit/sendMessage/withdraw/sendMessageToL1 call returned, its message hash, or the hash of the transaction that sent it (a relay's L2 transaction is not one: a take-over can replace it); check the client's rollup address";

const sameAddress = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** The MessageQueued events of `rollupAddress` among `logs`, as messages. */
export function queuedMessagesOf(logs: readonly Log[], rollupAddress: string): L1ToL2Message[] {
  const out: L1ToL2Message[] = [];
  for (const log of logs) {
    if (!sameAddress(log.address, rollupAddress)) continue;
    const queued = decodeMessageQueued(log);
    if (queued === undefined) continue;
    out.push({
      direction: "l1ToL2",
      nonce: queued.nonce,
      messageHash: queued.messageHash,
      from: queued.from,
      to: queued.to,
      value: queued.value,
      gasLimit: queued.gasLimit,
      data: queued.data,
      l1TransactionHash: log.transactionHash,
      l1BlockNumber: BigInt(log.blockNumber),
    });
  }
  return out;
}

/** The MessageSentToL1 events of the L2Bridge at `bridgeAddress` among `logs`, as messages. */
export function sentMessagesOf(logs: readonly Log[], bridgeAddress: string): L2ToL1Message[] {
  const out: L2ToL1Message[] = [];
  for (const log of logs) {
    if (!sameAddress(log.address, bridgeAddress)) continue;
    const sent = decodeMessageSentToL1(log);
    if (sent === undefined) continue;
    out.push({
      direction: "l2ToL1",
      nonce: sent.nonce,
      messageHash: sent.messageHash,
      from: sent.from,
      to: sent.to,
      value: sent.value,
      data: sent.data,
      l2TransactionHash: log.transactionHash,
      l2BlockNumber: BigInt(log.blockNumber),
    });
  }
  return out;
}

/** The one L1 → L2 message a receipt queued (the SDK sends one per transaction). */
export function queuedMessageOf(receipt: TransactionReceipt, rollupAddress: string): L1ToL2Message {
  const [message] = queuedMessagesOf(receipt.logs, rollupAddress);
  if (message === undefined)
    throw new MessageNotFoundError(
      `queued on rollup ${rollupAddress} by L1 transaction ${receipt.hash}`,
      MESSAGE_NOT_FOUND_HINT,
    );
  return message;
}

/** The one L2 → L1 message a receipt sent. */
export function sentMessageOf(receipt: TransactionReceipt, bridgeAddress: string): L2ToL1Message {
  const [message] = sentMessagesOf(receipt.logs, bridgeAddress);
  if (message === undefined)
    throw new MessageNotFoundError(`sent through L2Bridge by L2 transaction ${receipt.hash}`, MESSAGE_NOT_FOUND_HINT);
  return message;
}

/** Where to look for a message given only a hash. */
export interface MessageLocator {
  readonly l1: Provider;
  readonly l2: Provider;
  readonly rollupAddress: string;
  readonly l2BridgeAddress: string;
  /** First L1 block to scan for MessageQueued (the rollup's deployment block). */
  readonly l1FromBlock: bigint;
}

/**
 * The message `hash` names: the message an L1 or L2 transaction with that hash sent, else the
 * message whose hash it is (found by scanning the contracts' events on both layers: the message
 * hash is in the events' data, not an indexed topic).
 */
export async function findMessage(locator: MessageLocator, hash: string): Promise<RollupMessage> {
  const [l1Receipt, l2Receipt] = await Promise.all([
    locator.l1.getTransactionReceipt(hash),
    locator.l2.getTransactionReceipt(hash),
  ]);
  const byTransaction = [
    ...(l1Receipt === null ? [] : queuedMessagesOf(l1Receipt.logs, locator.rollupAddress)),
    ...(l2Receipt === null ? [] : sentMessagesOf(l2Receipt.logs, locator.l2BridgeAddress)),
  ];
  if (byTransaction[0] !== undefined) return byTransaction[0];

  const wanted = hash.toLowerCase();
  const [l1Logs, l2Logs] = await Promise.all([
    locator.l1.getLogs({
      address: locator.rollupAddress,
      topics: [MESSAGE_QUEUED_TOPIC],
      fromBlock: locator.l1FromBlock,
      toBlock: "latest",
    }),
    locator.l2.getLogs({
      address: locator.l2BridgeAddress,
      topics: [MESSAGE_SENT_TOPIC],
      fromBlock: 0,
      toBlock: "latest",
    }),
  ]);
  const byHash = [
    ...queuedMessagesOf(l1Logs, locator.rollupAddress),
    ...sentMessagesOf(l2Logs, locator.l2BridgeAddress),
  ].find((m) => m.messageHash.toLowerCase() === wanted);
  if (byHash === undefined)
    throw new MessageNotFoundError(`with message or transaction hash ${hash}`, MESSAGE_NOT_FOUND_HINT);
  return byHash;
}
