/**
 * The L2 node's rollup_* JSON-RPC methods (rollup-node/bridge/rpcMethods.ts), typed. The node
 * answers quantities as hex strings; this module turns them into bigints. A node without these
 * methods (another L2 client) answers "method not found": the calls then return undefined and
 * the SDK falls back to contract state, which is the ground truth anyway.
 */
import { NodeRpcError } from "./errors";
import type { RpcSender } from "./runners";

/** What `rollup_status` reports. */
export interface RollupNodeStatus {
  readonly rollupAddress: string;
  readonly l1ChainId: bigint;
  readonly l1Head: bigint;
  readonly l2ChainId: bigint;
  readonly l2Head: bigint;
  readonly l2HeadHash: string;
  /** The last L2 block the rollup contract accepted. */
  readonly acceptedL2Head: bigint;
  readonly acceptedL2HeadHash: string;
  readonly pendingL1Messages: bigint;
  readonly l1MessageCount: bigint;
  readonly submitter: "running" | "halted" | "off";
  readonly submitterError?: string;
  /** The halt's error code (NO_EXECUTE, UNFUNDED, BLOCK_REJECTED…). */
  readonly submitterErrorCode?: string;
  /** What to do about the halt. */
  readonly submitterHint?: string;
}

/** The node's view of an L1 → L2 message (`rollup_getMessageStatus({ l1Nonce })`). */
export interface NodeL1ToL2Status {
  readonly status: "unknown" | "queued" | "anchored" | "relayed" | "failed" | "refunded";
  readonly anchoredInL2Block?: bigint;
  /** For a failed or refunded message: why its call did not complete. */
  readonly failureReason?: "callFailed" | "deferred";
  readonly consumedOnL1: boolean;
  readonly relayedInL2Block?: bigint;
  readonly relayTransactionHash?: string;
}

/** The arguments of `finalizeMessage`, as `rollup_getWithdrawalProof` builds them. */
export interface NodeWithdrawalProof {
  readonly l2BlockNumber: bigint;
  readonly message: { readonly nonce: bigint; readonly from: string; readonly to: string; readonly value: bigint; readonly data: string };
  readonly messageHash: string;
  readonly accountProof: readonly string[];
  readonly storageProof: readonly string[];
  readonly finalized: boolean;
}

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

const quantity = (value: unknown): bigint => BigInt(value as string);
const optionalQuantity = (value: unknown): bigint | undefined => (value === undefined || value === null ? undefined : BigInt(value as string));

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
      throw new NodeRpcError(method, body.data?.code ?? String(body.code), body.message ?? "unknown error", body.data?.hint);
    }
  }

  async status(): Promise<RollupNodeStatus | undefined> {
    const s = await this.call("rollup_status", []);
    if (s === undefined) return undefined;
    return {
      rollupAddress: s.rollupAddress as string,
      l1ChainId: quantity(s.l1ChainId),
      l1Head: BigInt(s.l1Head as number | string),
      l2ChainId: quantity(s.l2ChainId),
      l2Head: quantity(s.l2Head),
      l2HeadHash: s.l2HeadHash as string,
      acceptedL2Head: quantity(s.acceptedL2Head),
      acceptedL2HeadHash: s.acceptedL2HeadHash as string,
      pendingL1Messages: quantity(s.pendingL1Messages),
      l1MessageCount: quantity(s.l1MessageCount),
      submitter: s.submitter as RollupNodeStatus["submitter"],
      ...(s.submitterError === undefined ? {} : { submitterError: s.submitterError as string }),
      ...(s.submitterErrorCode === undefined ? {} : { submitterErrorCode: s.submitterErrorCode as string }),
      ...(s.submitterHint === undefined ? {} : { submitterHint: s.submitterHint as string }),
    };
  }

  async l1ToL2Status(nonce: bigint): Promise<NodeL1ToL2Status | undefined> {
    const s = await this.call("rollup_getMessageStatus", [{ l1Nonce: `0x${nonce.toString(16)}` }]);
    if (s === undefined) return undefined;
    return {
      status: s.status as NodeL1ToL2Status["status"],
      anchoredInL2Block: optionalQuantity(s.anchoredInL2Block),
      consumedOnL1: s.consumedOnL1 === true,
      relayedInL2Block: optionalQuantity(s.relayedInL2Block),
      relayTransactionHash: s.relayTransactionHash as string | undefined,
      failureReason: s.failureReason === "callFailed" || s.failureReason === "deferred" ? s.failureReason : undefined,
    };
  }

  async withdrawalProof(messageHash: string, l2BlockNumber?: bigint): Promise<NodeWithdrawalProof | undefined> {
    const params: unknown[] = [{ messageHash }];
    if (l2BlockNumber !== undefined) params.push(`0x${l2BlockNumber.toString(16)}`);
    const p = await this.call("rollup_getWithdrawalProof", params);
    if (p === undefined) return undefined;
    const m = p.message as JsonObject;
    return {
      l2BlockNumber: quantity(p.l2BlockNumber),
      message: { nonce: quantity(m.nonce), from: m.from as string, to: m.to as string, value: quantity(m.value), data: m.data as string },
      messageHash: p.messageHash as string,
      accountProof: p.accountProof as string[],
      storageProof: p.storageProof as string[],
      finalized: p.finalized === true,
    };
  }
}
