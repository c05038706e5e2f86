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

/** Calls one batch may hold (geth's BatchRequestLimit); a larger batch is refused as a whole. */
export const DEFAULT_MAX_BATCH_CALLS = 1000;
/** Bytes of JSON a batch's answers may reach (geth's BatchResponseMaxSize); later calls are not run. */
export const DEFAULT_MAX_BATCH_RESPONSE_BYTES = 25_000_000;

export interface DispatcherOptions {
  readonly methods?: MethodTable;
  /** Default `DEFAULT_MAX_BATCH_CALLS`. */
  readonly maxBatchCalls?: number;
  /** Default `DEFAULT_MAX_BATCH_RESPONSE_BYTES`. */
  readonly maxBatchResponseBytes?: number;
  /**
   * Methods whose consecutive calls in a batch start together instead of one after another
   * (their answers stay in order): for a backend that admits calls arriving together in one round,
   * in arrival order (the L2's `eth_sendRawTransaction`). Their answers must be small, as a hash
   * is: the batch's response bound is checked before such a run, not between its calls.
   */
  readonly startTogether?: ReadonlySet<string>;
  /** Called with every error answered (for logging); never alters the answer. */
  readonly onError?: (method: string, error: RpcError) => void;
}

function isValidId(id: unknown): id is RpcId {
  return id === null || typeof id === "string" || typeof id === "number";
}

/** The id a batch entry would be answered with; undefined for a notification (never answered). */
function answerId(request: unknown): RpcId | undefined {
  if (typeof request !== "object" || request === null) return null;
  if (!("id" in request)) return undefined;
  const { id } = request as { id?: unknown };
  return isValidId(id) ? id : null;
}

/** The size of an answer as the server writes it (bigints as hex quantities). */
function jsonBytes(answer: RpcResponse): number {
  const text = JSON.stringify(answer, (_key, value: unknown) =>
    typeof value === "bigint" ? `0x${value.toString(16)}` : value,
  );
  return Buffer.byteLength(text, "utf8");
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
    const handler = Object.hasOwn(this.methods, method) ? this.methods[method] : undefined;
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

  /**
   * Answers a parsed request body (single or batch); undefined when nothing is to be sent back.
   *
   * A batch is bounded as geth bounds it (docs/design/rpc-exposure.md): more than `maxBatchCalls`
   * calls are refused as a whole with one error (carrying the first call's id, the protocol having
   * no id for a batch), and its calls run one after another until their answers pass
   * `maxBatchResponseBytes`; every later call is answered "response too large" without running.
   * A run of consecutive `startTogether` calls (small answers) starts at once and counts as one step.
   * Without these a request of a few kilobytes made the node compute, and hold at once, thousands
   * of answers of megabytes each (txpool_content on a full pool, blocks with full transactions).
   */
  async handle(body: unknown): Promise<RpcResponse | RpcResponse[] | undefined> {
    if (!Array.isArray(body)) return this.handleOne(body);
    if (body.length === 0) return this.failure(null, new RpcError(RpcErrorCode.InvalidRequest, "empty batch"));
    const maxCalls = this.options.maxBatchCalls ?? DEFAULT_MAX_BATCH_CALLS;
    if (body.length > maxCalls)
      return this.failure(
        answerId(body[0]) ?? null,
        new RpcError(
          RpcErrorCode.InvalidRequest,
          `batch too large: ${body.length} calls, at most ${maxCalls} in one batch (send the rest in another request)`,
        ),
      );
    const maxBytes = this.options.maxBatchResponseBytes ?? DEFAULT_MAX_BATCH_RESPONSE_BYTES;
    const sent: RpcResponse[] = [];
    let bytes = 0;
    for (let i = 0; i < body.length; i++) {
      const item: unknown = body[i];
      if (bytes > maxBytes) {
        const id = answerId(item);
        if (id !== undefined)
          sent.push(
            this.failure(
              id,
              new RpcError(
                RpcErrorCode.ResponseTooLarge,
                `response too large: the batch's answers passed ${maxBytes} bytes before this call (send it in another request)`,
              ),
            ),
          );
        continue;
      }
      const run = this.runTogether(body, i);
      // Started in the same tick, in order: the backend admits them in one round, as sent.
      const answers = await Promise.all(run.map((call) => this.handleOne(call)));
      i += run.length - 1;
      for (const answer of answers) {
        if (answer === undefined) continue;
        bytes += jsonBytes(answer);
        sent.push(answer);
      }
    }
    return sent.length > 0 ? sent : undefined;
  }

  /** The calls from `start` on that run together: a run of `startTogether` methods, or the one call. */
  private runTogether(body: readonly unknown[], start: number): unknown[] {
    const together = this.options.startTogether;
    const joins = (item: unknown): boolean =>
      together !== undefined &&
      typeof item === "object" &&
      item !== null &&
      typeof (item as { method?: unknown }).method === "string" &&
      together.has((item as { method: string }).method);
    if (!joins(body[start])) return [body[start]];
    let end = start + 1;
    while (end < body.length && joins(body[end])) end++;
    return body.slice(start, end);
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
