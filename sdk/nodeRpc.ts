/**
 * The L2 node's rollup_* JSON-RPC methods (rollup-node/bridge/rpcMethods.ts), typed. The node
 * answers quantities as hex strings; this module turns them into bigints. A node without these
 * methods (another L2 client) answers "method not found": the calls then return undefined and
 * the SDK falls back to contract state, which is the ground truth anyway.
 */
import {
  type L1ToL2Status,
  type RollupStatus,
  type WithdrawalProofResult,
  decodeL1ToL2Status,
  decodeRollupStatus,
  decodeWithdrawalProof,
} from "../protocol";
import { NodeRpcError } from "./errors";
import type { RpcSender } from "./runners";

// The answers' types and decoding are the protocol's: the node encodes them with the same types.
/** What `rollup_status` reports. */
export type RollupNodeStatus = RollupStatus;
/** The node's view of an L1 → L2 message (`rollup_getMessageStatus({ l1Nonce })`). */
export type NodeL1ToL2Status = L1ToL2Status;
/** The arguments of `finalizeMessage`, as `rollup_getWithdrawalProof` builds them. */
export type NodeWithdrawalProof = WithdrawalProofResult;

type JsonObject = Record<string, unknown>;

/** JSON-RPC "method not found". */
const METHOD_NOT_FOUND = -32601;

interface RpcErrorBody {
  readonly code?: number;
  readonly message?: string;
  readonly data?: { readonly code?: string; readonly hint?: string };
}

/** The JSON-RPC error object inside an ethers error (ethers v6 keeps it under `error`). */
function rpcErrorBody(error: unknown): RpcErrorBody | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const inner = (error as { error?: unknown }).error;
  if (typeof inner === "object" && inner !== null && "code" in inner) return inner as RpcErrorBody;
  return undefined;
}

export class RollupNodeRpc {
  constructor(private readonly rpc: RpcSender | undefined) {}

  /** Calls `method`; undefined when the node does not serve it. */
  private async call(method: string, params: unknown[]): Promise<JsonObject | undefined> {
    if (this.rpc === undefined) return undefined;
    try {
      return (await this.rpc.send(method, params)) as JsonObject;
    } catch (error) {
      const body = rpcErrorBody(error);
      if (body === undefined) throw error;
      if (body.code === METHOD_NOT_FOUND) return undefined;
      throw new NodeRpcError(
        method,
        body.data?.code ?? String(body.code),
        body.message ?? "unknown error",
        body.data?.hint,
      );
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
