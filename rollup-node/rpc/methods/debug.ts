import { encodeReceipt } from "@ethereumjs/vm";

import type { CallFrame } from "../../chain/callTracer";
import type { StructLogOptions, StructTrace } from "../../chain/structLogger";
import type { ChainReceipt } from "../../chain/types";
import { RpcError, RpcErrorCode, invalidParams } from "../errors";
import type { Json } from "../format";
import { data, parseBlockTag, parseHash, quantity } from "../hex";
import type { MethodTable } from "./types";

/** geth's callTracer JSON: absent fields are omitted, `calls` only when non-empty. */
export function callFrameJson(frame: CallFrame): Json {
  return {
    type: frame.type,
    from: data(frame.from),
    to: frame.to === undefined ? undefined : data(frame.to),
    value: frame.value === undefined ? undefined : quantity(frame.value),
    gas: quantity(frame.gas),
    gasUsed: quantity(frame.gasUsed),
    input: data(frame.input),
    output: frame.output === undefined ? undefined : data(frame.output),
    error: frame.error,
    revertReason: frame.revertReason,
    calls: frame.calls.length > 0 ? frame.calls.map(callFrameJson) : undefined,
  };
}

/** A receipt in its consensus encoding (EIP-2718 typed, as the receipts trie holds it). */
function encodedReceipt(receipt: ChainReceipt): Uint8Array {
  const logs = receipt.logs.map((log) => [log.address, [...log.topics], log.data]);
  const common = {
    cumulativeBlockGasUsed: receipt.cumulativeGasUsed,
    bitvector: receipt.logsBloom,
    logs,
  } as unknown as Parameters<typeof encodeReceipt>[0];
  const withOutcome =
    receipt.postStateRoot !== undefined
      ? { ...common, stateRoot: receipt.postStateRoot }
      : { ...common, status: receipt.status };
  return encodeReceipt(
    withOutcome as Parameters<typeof encodeReceipt>[0],
    receipt.type as Parameters<typeof encodeReceipt>[1],
  );
}

/** geth's default (struct log) trace JSON. */
export function structTraceJson(trace: StructTrace): Json {
  return {
    gas: Number(trace.gas),
    failed: trace.failed,
    returnValue: data(trace.returnValue),
    structLogs: trace.structLogs.map((log) => ({
      pc: log.pc,
      op: log.op,
      gas: Number(log.gas),
      gasCost: Number(log.gasCost),
      depth: log.depth,
      stack: log.stack?.map((v) => quantity(v)),
      memory: log.memory?.map((w) => data(w)),
      storage: log.storage === undefined ? undefined : { ...log.storage },
      returnData: log.returnData === undefined ? undefined : data(log.returnData),
      refund: log.refund === undefined ? undefined : Number(log.refund),
    })),
  };
}

function traceOptions(value: unknown): { tracer?: string; logOptions: StructLogOptions } {
  if (value === undefined || value === null) return { logOptions: {} };
  if (typeof value !== "object" || Array.isArray(value)) throw invalidParams("trace options: expected an object");
  const o = value as Record<string, unknown>;
  if (o.tracer !== undefined && typeof o.tracer !== "string") throw invalidParams("tracer: expected a string");
  const flag = (name: string): boolean | undefined => (typeof o[name] === "boolean" ? (o[name] as boolean) : undefined);
  const logOptions = {
    disableStack: flag("disableStack"),
    disableStorage: flag("disableStorage"),
    enableMemory: flag("enableMemory"),
    enableReturnData: flag("enableReturnData"),
  };
  return { ...(o.tracer !== undefined ? { tracer: o.tracer as string } : {}), logOptions };
}

async function traceBlock(
  backend: Parameters<MethodTable[string]>[1],
  tag: ReturnType<typeof parseBlockTag>,
  options: unknown,
): Promise<Json> {
  const { tracer, logOptions } = traceOptions(options);
  if (tracer !== undefined) throw invalidParams("debug_traceBlock* supports the default (struct log) tracer only");
  const record = backend.chain.getBlock(tag);
  if (record === undefined)
    throw new RpcError(
      RpcErrorCode.Server,
      `block ${typeof tag === "object" ? data(tag.hash) : String(tag)} not found`,
    );
  const traces = await backend.chain.structTraces(tag, logOptions);
  return traces.map((trace, i) => ({
    txHash: data(record.block.transactions[i]?.hash() ?? new Uint8Array(32)),
    result: structTraceJson(trace),
  }));
}

/** The debug_* namespace: call traces of mined transactions, raw (RLP) chain data. */
export const debugMethods: MethodTable = {
  debug_getRawHeader: (params, { chain }) => {
    const record = chain.getBlock(parseBlockTag(params[0]));
    return record === undefined ? null : data(record.block.header.serialize());
  },
  debug_getRawBlock: (params, { chain }) => {
    const record = chain.getBlock(parseBlockTag(params[0]));
    return record === undefined ? null : data(record.block.serialize());
  },
  debug_getRawReceipts: (params, { chain }) => {
    const record = chain.getBlock(parseBlockTag(params[0]));
    return record === undefined ? null : record.receipts.map((r) => data(encodedReceipt(r)));
  },
  debug_getRawTransaction: (params, backend) => {
    const hash = parseHash(params[0], "hash");
    const tx = backend.chain.getTransaction(hash)?.tx ?? backend.pendingTransaction(hash);
    return tx === undefined ? null : data(tx.serialize());
  },
  debug_traceBlockByNumber: (params, backend) => traceBlock(backend, parseBlockTag(params[0]), params[1]),
  debug_traceBlockByHash: (params, backend) =>
    traceBlock(backend, { hash: parseHash(params[0], "blockHash") }, params[1]),
  debug_traceTransaction: async (params, { chain }) => {
    const hash = parseHash(params[0], "hash");
    const { tracer, logOptions } = traceOptions(params[1]);
    if (tracer === undefined) {
      const found = chain.getTransaction(hash);
      if (found === undefined) throw new RpcError(RpcErrorCode.Server, "transaction not found");
      const traces = await chain.structTraces(found.location.blockNumber, logOptions, found.location.index + 1);
      return structTraceJson(traces[found.location.index] as StructTrace);
    }
    if (tracer !== "callTracer") throw invalidParams('supported tracers: the default struct logger and "callTracer"');
    const frame = await chain.traceTransaction(hash);
    if (frame === undefined) throw new RpcError(RpcErrorCode.Server, "transaction not found");
    return callFrameJson(frame);
  },
};
