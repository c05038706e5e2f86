import { bytesToHex } from "@ethereumjs/util";

import { RpcError, RpcErrorCode, invalidParams } from "../rpc/errors";
import type { Json } from "../rpc/format";
import { parseHash, parseOptionalQuantity, parseQuantity } from "../rpc/hex";
import type { MethodTable } from "../rpc/methods/types";
import { type StatusContext, l1ToL2Status, l2ToL1Status, rollupStatus } from "./status";
import { type SentMessageQuery, buildWithdrawalProof, findSentMessage } from "./withdrawals";
import { decodeMessageQueued, encodeRpcResult } from "../../protocol";

function asObject(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw invalidParams(`${name}: expected an object`);
  return value as Record<string, unknown>;
}

function sentQuery(params: Record<string, unknown>): SentMessageQuery | undefined {
  if (params.l2TransactionHash !== undefined)
    return { transactionHash: bytesToHex(parseHash(params.l2TransactionHash, "l2TransactionHash")) };
  if (params.transactionHash !== undefined)
    return { transactionHash: bytesToHex(parseHash(params.transactionHash, "transactionHash")) };
  if (params.messageHash !== undefined)
    return { messageHash: bytesToHex(parseHash(params.messageHash, "messageHash")) };
  return undefined;
}

/** The nonce of the (first) message an L1 transaction queued. */
async function nonceOfL1Transaction(ctx: StatusContext, hash: string): Promise<bigint> {
  const receipt = await ctx.l1Provider.getTransactionReceipt(hash);
  for (const log of receipt?.logs ?? []) {
    if (log.address.toLowerCase() !== ctx.rollupAddress.toLowerCase()) continue;
    const queued = decodeMessageQueued(log);
    if (queued !== undefined) return queued.nonce;
  }
  throw new RpcError(RpcErrorCode.Server, `L1 transaction ${hash} queued no message on rollup ${ctx.rollupAddress}`);
}

/**
 * The answer encoded as the protocol's codec does. Errors go as they are: the dispatcher answers
 * bridge and protocol errors, like every node error, with -32000 and their code and hint in `data`
 * (rpc/errors.ts `toRpcError`).
 */
function guarded(handler: (params: readonly unknown[]) => Promise<unknown>): MethodTable[string] {
  return async (params) => encodeRpcResult(await handler(params)) as Json;
}

/**
 * The rollup_* namespace served by the L2 node:
 * - `rollup_status()`: L1 and L2 heads, the L2 head accepted on L1, pending L1 messages, rollup address.
 * - `rollup_getMessageStatus({l1Nonce} | {l1TransactionHash} | {l2TransactionHash} | {messageHash})`:
 *   L1 → L2 queued/anchored/relayed, or L2 → L1 initiated/provable/finalized (by hash: L2 → L1).
 * - `rollup_getWithdrawalProof({l2TransactionHash} | {messageHash}, l2BlockNumber?)`: the arguments
 *   of `finalizeMessage`, against the latest accepted L2 block by default.
 */
export function createRollupMethods(ctx: StatusContext): MethodTable {
  return {
    rollup_status: guarded(async () => rollupStatus(ctx)),
    rollup_getMessageStatus: guarded(async (params) => {
      const query = asObject(params[0], "query");
      if (query.l1Nonce !== undefined) return l1ToL2Status(ctx, parseQuantity(query.l1Nonce, "l1Nonce"));
      if (query.l1TransactionHash !== undefined) {
        const hash = bytesToHex(parseHash(query.l1TransactionHash, "l1TransactionHash"));
        return l1ToL2Status(ctx, await nonceOfL1Transaction(ctx, hash));
      }
      const sent = sentQuery(query);
      if (sent === undefined)
        throw invalidParams("query: give l1Nonce, l1TransactionHash, l2TransactionHash or messageHash");
      return l2ToL1Status(ctx, sent);
    }),
    rollup_getWithdrawalProof: guarded(async (params) => {
      const sent = sentQuery(asObject(params[0], "query"));
      if (sent === undefined) throw invalidParams("query: give l2TransactionHash or messageHash");
      const found = findSentMessage(ctx.sequencer.chain, sent);
      const accepted = await ctx.rollup.headNumber();
      const proof = await buildWithdrawalProof(
        ctx.sequencer.chain,
        found,
        accepted,
        parseOptionalQuantity(params[1], "l2BlockNumber") ?? accepted,
      );
      const finalized = await ctx.rollup.finalized(found.messageHash);
      return {
        ...proof,
        finalized,
        l2TransactionHash: found.l2TransactionHash,
        sentInL2Block: found.l2BlockNumber,
        rollupAddress: ctx.rollupAddress,
      };
    }),
  };
}
