import { bytesToHex, hexToBytes } from "@ethereumjs/util";

import type { Chain } from "../chain/chain";
import type { ChainLog } from "../chain/types";
import { MessageNotFoundError, NotProvableYetError } from "./errors";
import {
  type L2Message,
  L2_BRIDGE_ADDRESS,
  MESSAGE_SENT_TOPIC,
  decodeMessageSentToL1,
  hashL2Message,
  sentMessageSlot,
} from "../../protocol";

/** An L2 → L1 message found on L2, with where it was sent. */
export interface SentL2Message {
  readonly message: L2Message;
  readonly messageHash: string;
  readonly l2BlockNumber: bigint;
  readonly l2TransactionHash: string;
}

/** Everything `finalizeMessage(l2BlockNumber, message, accountProof, storageProof)` takes. */
export interface WithdrawalProof {
  readonly l2BlockNumber: bigint;
  readonly message: L2Message;
  readonly messageHash: string;
  readonly accountProof: readonly string[];
  readonly storageProof: readonly string[];
}

/** Finds a message by the L2 transaction that sent it, or by its hash. */
export type SentMessageQuery = { readonly transactionHash: string } | { readonly messageHash: string };

const BRIDGE = hexToBytes(L2_BRIDGE_ADDRESS);

/** What the node's rollup_* methods take to find an L2 → L1 message. */
const SENT_QUERY_HINT =
  "pass the hash of the L2 transaction that called L2Bridge.withdraw/sendMessageToL1, or the message hash it emitted";

function decodeSent(log: ChainLog): L2Message | undefined {
  if (bytesToHex(log.address) !== L2_BRIDGE_ADDRESS) return undefined;
  const sent = decodeMessageSentToL1({ data: bytesToHex(log.data), topics: log.topics.map((t) => bytesToHex(t)) });
  if (sent === undefined) return undefined;
  return { nonce: sent.nonce, from: sent.from, to: sent.to, value: sent.value, data: sent.data };
}

/** The L2 → L1 messages one L2 transaction sent (several when it called L2Bridge more than once). */
export function sentMessagesOfTransaction(chain: Chain, transactionHash: string): SentL2Message[] {
  const receipt = chain.getReceipt(hexToBytes(transactionHash as `0x${string}`));
  if (receipt === undefined || receipt.status !== 1) return [];
  const out: SentL2Message[] = [];
  for (const log of receipt.logs) {
    const message = decodeSent(log);
    if (message !== undefined)
      out.push({
        message,
        messageHash: hashL2Message(message),
        l2BlockNumber: receipt.blockNumber,
        l2TransactionHash: transactionHash,
      });
  }
  return out;
}

/** Finds one L2 → L1 message; by hash it scans L2Bridge's events (the hash is not an indexed topic). */
export function findSentMessage(chain: Chain, query: SentMessageQuery): SentL2Message {
  if ("transactionHash" in query) {
    const [first] = sentMessagesOfTransaction(chain, query.transactionHash);
    if (first === undefined)
      throw new MessageNotFoundError(`sent by L2 transaction ${query.transactionHash}`, SENT_QUERY_HINT);
    return first;
  }
  const wanted = query.messageHash.toLowerCase();
  for (const log of chain.getLogs({
    fromBlock: 0n,
    addresses: [BRIDGE],
    topics: [hexToBytes(MESSAGE_SENT_TOPIC as `0x${string}`)],
  })) {
    const message = decodeSent(log);
    if (message !== undefined && hashL2Message(message) === wanted) {
      return {
        message,
        messageHash: wanted,
        l2BlockNumber: log.blockNumber,
        l2TransactionHash: bytesToHex(log.transactionHash),
      };
    }
  }
  throw new MessageNotFoundError(`with hash ${query.messageHash}`, SENT_QUERY_HINT);
}

/**
 * The `finalizeMessage` arguments for `sent`, proven against L2 block `atBlock` (by default the
 * latest block accepted on L1, `acceptedHead`). The block must be accepted and at or after the
 * one that sent the message: L2Bridge's entry never goes back to zero once set.
 */
export async function buildWithdrawalProof(
  chain: Chain,
  sent: SentL2Message,
  acceptedHead: bigint,
  atBlock: bigint = acceptedHead,
): Promise<WithdrawalProof> {
  if (atBlock < sent.l2BlockNumber || atBlock > acceptedHead)
    throw new NotProvableYetError(sent.messageHash, sent.l2BlockNumber, acceptedHead);
  const slot = hexToBytes(sentMessageSlot(sent.messageHash) as `0x${string}`);
  const proof = await chain.getProof(BRIDGE, [slot], atBlock);
  const storage = proof.storageProof[0];
  if (storage === undefined || BigInt(storage.value) !== 1n)
    throw new MessageNotFoundError(`${sent.messageHash} in L2Bridge's storage at block ${atBlock}`, SENT_QUERY_HINT);
  return {
    l2BlockNumber: atBlock,
    message: sent.message,
    messageHash: sent.messageHash,
    accountProof: proof.accountProof,
    storageProof: storage.proof,
  };
}
