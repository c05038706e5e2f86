import type { RpcBackend } from "./backend";
import { RpcError, RpcErrorCode, toRpcError } from "./errors";
import type { Json } from "./format";
import { DEFAULT_METHODS, type MethodTable } from "./methods";

export type RpcId = string | number | null;

export interface RpcResponse {
  readonly jsonrpc: "2.0";
  readonly id: RpcId;
  readonly result?: Json;
  readonly error?: { code: number; message: string; data?: unknown };
}

export interface DispatcherOptions {
  readonly methods?: MethodTable;
  /** Called with every error answered (for logging); never alters the answer. */
  readonly onError?: (method: string, error: RpcError) => void;
}

function isValidId(id: unknown): id is RpcId {
  return id === null || typeof id === "string" || typeof id === "number";
}

/**
 * Routes JSON-RPC calls to the method table. Transport-agnostic: the HTTP server and the
 * in-process EIP-1193 provider both sit on top of it.
 */
export class RpcDispatcher {
  private readonly methods: MethodTable;

  constructor(
    readonly backend: RpcBackend,
    private readonly options: DispatcherOptions = {},
  ) {
    this.methods = options.methods ?? DEFAULT_METHODS;
  }

  /** Calls one method; throws RpcError on failure. */
  async call(method: string, params: readonly unknown[] = []): Promise<Json> {
    const handler = Object.prototype.hasOwnProperty.call(this.methods, method) ? this.methods[method] : undefined;
    if (handler === undefined)
      throw new RpcError(RpcErrorCode.MethodNotFound, `the method ${method} does not exist/is not available`);
    try {
      const result = await handler(params, this.backend);
      // JSON.stringify drops undefined fields; undefined results become null as in geth.
      return result === undefined ? null : result;
    } catch (error) {
      const rpcError = toRpcError(error);
      this.options.onError?.(method, rpcError);
      throw rpcError;
    }
  }

  /** Answers a parsed request body (single or batch); undefined when nothing is to be sent back. */
  async handle(body: unknown): Promise<RpcResponse | RpcResponse[] | undefined> {
    if (Array.isArray(body)) {
      if (body.length === 0) return this.failure(null, new RpcError(RpcErrorCode.InvalidRequest, "empty batch"));
      const answers = await Promise.all(body.map((item) => this.handleOne(item)));
      const sent = answers.filter((a): a is RpcResponse => a !== undefined);
      return sent.length > 0 ? sent : undefined;
    }
    return this.handleOne(body);
  }

  private async handleOne(request: unknown): Promise<RpcResponse | undefined> {
    if (typeof request !== "object" || request === null)
      return this.failure(null, new RpcError(RpcErrorCode.InvalidRequest, "invalid request"));
    const { jsonrpc, method, params, id } = request as {
      jsonrpc?: unknown;
      method?: unknown;
      params?: unknown;
      id?: unknown;
    };
    const isNotification = !("id" in request);
    const responseId = isValidId(id) ? id : null;
    if (
      jsonrpc !== "2.0" ||
      typeof method !== "string" ||
      (params !== undefined && !Array.isArray(params)) ||
      (!isNotification && !isValidId(id))
    ) {
      return this.failure(responseId, new RpcError(RpcErrorCode.InvalidRequest, "invalid request"));
    }
    try {
      const result = await this.call(method, (params as unknown[] | undefined) ?? []);
      return isNotification ? undefined : { jsonrpc: "2.0", id: responseId, result };
    } catch (error) {
      return isNotification ? undefined : this.failure(responseId, toRpcError(error));
    }
  }

  private failure(id: RpcId, error: RpcError): RpcResponse {
    return { jsonrpc: "2.0", id, error: error.toJSON() };
  }
}
