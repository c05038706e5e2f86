import { EventEmitter } from "node:events";

import type { RpcDispatcher } from "./dispatcher";
import { RpcError } from "./errors";

export interface RequestArguments {
  readonly method: string;
  readonly params?: readonly unknown[] | object;
}

/** The error an EIP-1193 request rejects with: what an HTTP JSON-RPC client would surface. */
export class ProviderRpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = "ProviderRpcError";
  }
}

/**
 * An in-process EIP-1193 provider over the dispatcher: no sockets, same answers as HTTP.
 * Results go through a JSON round trip so callers never share objects with the node.
 */
export class InProcessProvider extends EventEmitter {
  constructor(private readonly dispatcher: RpcDispatcher) {
    super();
  }

  async request(args: RequestArguments): Promise<unknown> {
    const params = args.params === undefined ? [] : Array.isArray(args.params) ? args.params : [args.params];
    // Clients may pass bigints or class instances; the node must see plain JSON, as over HTTP.
    const plainParams = JSON.parse(
      JSON.stringify(params, (_k, v: unknown) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v)),
    ) as unknown[];
    try {
      const result = await this.dispatcher.call(args.method, plainParams);
      return result === null ? null : JSON.parse(JSON.stringify(result));
    } catch (error) {
      if (error instanceof RpcError) {
        // The wire's error object (protocol/rpc.ts), as an HTTP client would see it.
        const wire = error.toJSON();
        throw new ProviderRpcError(wire.code, wire.message, wire.data);
      }
      throw error;
    }
  }

  /** Legacy `send(method, params)` for clients that still call it. */
  send(method: string, params?: unknown[]): Promise<unknown> {
    return this.request({ method, params: params ?? [] });
  }
}
