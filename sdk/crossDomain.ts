/**
 * Cross-domain steps in one call each, for tests and scripts: send an L1 → L2 call and wait for
 * its effect on L2; send an L2 → L1 message and finalize it on L1. Built from the client's own
 * steps, so a failure is the same typed error (MESSAGE_FAILED with the revert reason, TIMEOUT
 * naming where the message stood, …).
 */
import type { TransactionReceipt } from "ethers";

import type { RollupClient, SendMessageParams, SendMessageToL1Params } from "./client";
import { RollupSdkError } from "./errors";
import type { L1ToL2Message, L2ToL1Message } from "./messages";
import type { L1ToL2StatusReport } from "./status";
import type { FinalizedWithdrawal } from "./withdrawals";

export interface CrossDomainWaitOptions {
  /** How long each wait may take (the client's default otherwise). */
  readonly timeoutMs?: number;
}

/** An L1 → L2 call whose L2 effect has happened: the message, its status, the L2 transaction that ran it. */
export interface RelayedCall {
  readonly message: L1ToL2Message;
  readonly status: L1ToL2StatusReport;
  /** The receipt of the L2 transaction that relayed it: its logs are the call's events. */
  readonly l2Receipt: TransactionReceipt;
}

/**
 * Queues `params` on L1 (rollup.sendMessage) and resolves once its call has run on L2, with the
 * L2 receipt of the relay. A call that reverts on L2 rejects with MessageFailedError (its reason).
 */
export async function callL2AndWait(
  client: RollupClient,
  params: SendMessageParams,
  options: CrossDomainWaitOptions = {},
): Promise<RelayedCall> {
  const message = await client.sendMessage(params);
  const status = await client.waitForMessageStatus(message, "relayed", options);
  const hash = status.relayTransactionHash;
  const l2Receipt = hash === undefined ? null : await client.l2Provider.getTransactionReceipt(hash);
  if (l2Receipt === null)
    throw new RollupSdkError(
      "NODE_RPC",
      `message #${message.nonce} is relayed but the L2 node does not return its relay transaction`,
      "the node may not serve rollup_getMessageStatus; read the L2 state directly",
    );
  return { message, status, l2Receipt };
}

/**
 * Sends `params` from L2 to L1 (L2Bridge.sendMessageToL1; a withdrawal when `data` is "0x"),
 * waits until its L2 block is accepted on L1, and finalizes it there (its value paid, its call made).
 */
export async function sendToL1AndFinalize(
  client: RollupClient,
  params: SendMessageToL1Params,
  options: CrossDomainWaitOptions = {},
): Promise<FinalizedWithdrawal & { readonly sent: L2ToL1Message }> {
  const sent = await client.sendMessageToL1(params);
  await client.waitForMessageStatus(sent, "provable", options);
  return { ...(await client.finalizeWithdrawal(sent)), sent };
}
