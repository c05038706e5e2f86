/**
 * The L2 node's rollup_* JSON-RPC methods (rollup-node/bridge/rpcMethods.ts), typed. The node
 * answers quantities as hex strings; this module turns them into bigints. A node without these
 * methods (another L2 client) answers "method not found": the calls then return undefined and
 * the SDK falls back to contract state, which is the ground truth anyway.
 */
import {
  type L1Health,
  type L1ToL2Status,
  type RollupStatus,
  type WithdrawalProofResult,
  decodeL1ToL2Status,
  decodeRollupStatus,
  decodeWithdrawalProof,
  readRpcError,
  RpcErrorCode,
} from "../protocol";
import { NodeRpcError } from "./errors";
import type { RpcSender } from "./runners";

// The answers' types and decoding are the protocol's: the node encodes them with the same types.
/** What `rollup_status` reports. */
export type RollupNodeStatus = RollupStatus;
/** The node's view of its L1 (`rollup_status`'s `l1`): ok, unreachable, or without the rollup contract. */
export type NodeL1Health = L1Health;
export { describeL1Health } from "../protocol";
/** The node's view of an L1 → L2 message (`rollup_getMessageStatus({ l1Nonce })`). */
export type NodeL1ToL2Status = L1ToL2Status;
/** The arguments of `finalizeMessage`, as `rollup_getWithdrawalProof` builds them. */
export type NodeWithdrawalProof = WithdrawalProofResult;

type JsonObject = Record<string, unknown>;

/** The method of the request an ethers error answers (ethers keeps the payload beside the error). */
function requestMethod(error: unknown): string | undefined {
  const e = error as { payload?: { method?: unknown }; info?: { payload?: { method?: unknown } } } | null;
  const method = e?.payload?.method ?? e?.info?.payload?.method;
  return typeof method === "string" ? method : undefined;
}

/**
 * The node's error inside `error` as the SDK's typed error: its code, hint, JSON-RPC code and data,
 * read from the JSON-RPC error object whatever wraps it (ethers' "could not coalesce error",
 * NONCE_EXPIRED, CALL_EXCEPTION …). Undefined when `error` carries no JSON-RPC error (a network
 * failure, a local mistake). A revert comes back too (rpcCode 3, `data` the revert bytes).
 */
export function nodeRpcErrorFrom(error: unknown, method?: string): NodeRpcError | undefined {
  const read = readRpcError(error);
  if (read === undefined) return undefined;
  return new NodeRpcError(
    method ?? requestMethod(error) ?? "a JSON-RPC call",
    read.code,
    read.message,
    read.hint,
    read.rpcCode,
    read.data,
  );
}

export class RollupNodeRpc {
  constructor(private readonly rpc: RpcSender | undefined) {}

  /** Calls `method`; undefined when the node does not serve it. */
  private async call(method: string, params: unknown[]): Promise<JsonObject | undefined> {
    if (this.rpc === undefined) return undefined;
    try {
      return (await this.rpc.send(method, params)) as JsonObject;
    } catch (error) {
      const nodeError = nodeRpcErrorFrom(error, method);
      if (nodeError === undefined) throw error;
      if (nodeError.rpcCode === RpcErrorCode.MethodNotFound) return undefined;
      throw nodeError;
    }
  }

  async status(): Promise<RollupNodeStatus | undefined> {
    const s = await this.call("rollup_status", []);
    return s === undefined ? undefined : decodeRollupStatus(s);
  }

  async l1ToL2Status(nonce: bigint): Promise<NodeL1ToL2Status | undefined> {
    const s = await this.call("rollup_getMessageStatus", [{ l1Nonce: `0x${nonce.toString(16)}` }]);
    return s === undefined ? undefined : decodeL1ToL2Status(s, nonce);
  }

  async withdrawalProof(messageHash: string, l2BlockNumber?: bigint): Promise<NodeWithdrawalProof | undefined> {
    const params: unknown[] = [{ messageHash }];
    if (l2BlockNumber !== undefined) params.push(`0x${l2BlockNumber.toString(16)}`);
    const p = await this.call("rollup_getWithdrawalProof", params);
    return p === undefined ? undefined : decodeWithdrawalProof(p);
  }
}
