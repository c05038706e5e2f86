import type { RpcBackend } from "../backend";
import type { Json } from "../format";

/** One JSON-RPC method: positional params in, JSON out; throw to answer an error. */
export type MethodHandler = (params: readonly unknown[], backend: RpcBackend) => Promise<Json> | Json;

export type MethodTable = Readonly<Record<string, MethodHandler>>;
