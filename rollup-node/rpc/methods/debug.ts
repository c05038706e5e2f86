import type { CallFrame } from "../../chain/callTracer";
import { RpcError, RpcErrorCode, invalidParams } from "../errors";
import type { Json } from "../format";
import { data, parseHash, quantity } from "../hex";
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

/** The debug_* namespace: call traces of mined transactions. */
export const debugMethods: MethodTable = {
  debug_traceTransaction: async (params, { chain }) => {
    const hash = parseHash(params[0], "hash");
    const options = (params[1] ?? {}) as { tracer?: unknown };
    if (options.tracer !== "callTracer") throw invalidParams('only {"tracer": "callTracer"} is supported');
    const frame = await chain.traceTransaction(hash);
    if (frame === undefined) throw new RpcError(RpcErrorCode.Server, "transaction not found");
    return callFrameJson(frame);
  },
};
