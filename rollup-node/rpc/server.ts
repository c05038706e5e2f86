import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

import { NodeError, portTakenHint } from "../errors";
import type { RpcDispatcher } from "./dispatcher";
import { DEFAULT_RPC_HOST } from "./defaults";
import { RpcError, RpcErrorCode } from "./errors";

export interface RpcServerOptions {
  /** 127.0.0.1 by default: a dev node must not be reachable from the network unless asked. */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Largest request body accepted, in bytes. */
  readonly maxBodyBytes?: number;
  /** Answers GET requests besides JSON-RPC (e.g. a dashboard); resolves true when it answered. */
  readonly httpRoutes?: HttpRouteHandler;
  /**
   * Web origins (`scheme://host[:port]`) whose pages may call this server; `DEFAULT_CORS_ORIGINS`
   * (none) by default, like geth's `--http.corsdomain`. `"*"` allows every origin: only for a
   * node whose methods are all safe to hand to any web page.
   */
  readonly corsOrigins?: readonly string[];
  /**
   * The option of the command that started this server which sets its port (`--port`,
   * `--l2-port`): the hint of a taken port names it. Without it the hint says "another port".
   */
  readonly portOption?: string;
  /**
   * A port another server released (RpcServer.release): served as it is, never re-bound, and the
   * requests that reached it meanwhile are answered by this server. `host` and `port` are its.
   */
  readonly listenOn?: HeldRpcPort;
}

/** A GET handler served next to JSON-RPC: true when it answered the request, false to fall through. */
export type HttpRouteHandler = (req: http.IncomingMessage, res: http.ServerResponse) => boolean | Promise<boolean>;

export interface RpcServer {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
  /**
   * Stops serving this dispatcher but keeps the port: requests that reach it wait for the next
   * server started with `listenOn` (a take-over's follower handing over to its sequencer), so
   * none is refused and no other process can take the port meanwhile. Resolves once the requests
   * this dispatcher was answering are answered.
   */
  release(): Promise<HeldRpcPort>;
}

/** A listening port between two servers: it accepts requests and holds them until one serves it. */
export interface HeldRpcPort {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  /** Answers the held requests that the node is stopping, and closes the port. */
  close(): Promise<void>;
}

type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/**
 * The listening socket, apart from what serves it: a handler, or none while held, when requests
 * queue (their bodies unread: the socket's flow control holds them) for the next handler.
 */
class RpcPort implements HeldRpcPort {
  readonly url: string;
  private handler: RequestHandler | undefined;
  private readonly waiting: [http.IncomingMessage, http.ServerResponse][] = [];
  private inFlight = 0;
  private idle: (() => void)[] = [];

  constructor(
    private readonly server: http.Server,
    readonly host: string,
    readonly port: number,
  ) {
    this.url = `http://${host}:${port}`;
    server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
      if (this.handler === undefined) this.waiting.push([req, res]);
      else this.run(this.handler, req, res);
    });
  }

  serve(handler: RequestHandler): void {
    this.handler = handler;
    for (const [req, res] of this.waiting.splice(0)) this.run(handler, req, res);
  }

  /** Requests queue from now on; resolves when the current handler has answered all it took. */
  async hold(): Promise<void> {
    this.handler = undefined;
    if (this.inFlight > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  close(): Promise<void> {
    this.handler = undefined;
    for (const [, res] of this.waiting.splice(0))
      send(
        res,
        503,
        { jsonrpc: "2.0", id: null, error: new RpcError(RpcErrorCode.Internal, "the node is stopping").toJSON() },
        {},
      );
    return new Promise<void>((resolve, reject) => {
      this.server.close((error) => (error ? reject(error) : resolve()));
      this.server.closeAllConnections();
    });
  }

  private run(handler: RequestHandler, req: http.IncomingMessage, res: http.ServerResponse): void {
    this.inFlight += 1;
    res.once("close", () => {
      this.inFlight -= 1;
      if (this.inFlight === 0) for (const resolve of this.idle.splice(0)) resolve();
    });
    handler(req, res);
  }
}

const DEFAULT_MAX_BODY = 64 * 1024 * 1024;
/**
 * No web origin by default. A page a developer happens to open could otherwise drive the node:
 * mine, move the clock, spend the sequencer's L1 gas. Clients outside a browser send no Origin
 * and are not affected.
 */
export const DEFAULT_CORS_ORIGINS: readonly string[] = [];

export { DEFAULT_RPC_HOST };
const CORS_ALLOW = {
  "Access-Control-Allow-Methods": "POST, GET, OPTIONS",
  "Access-Control-Allow-Headers": "Content-Type, Authorization",
  Vary: "Origin",
};

type Headers = Record<string, string>;

/**
 * The CORS headers for a request from `origin`, or undefined when the origin is not allowed.
 * A request without Origin (not from a web page) gets none and is served.
 */
function corsHeaders(origin: string | undefined, allowed: readonly string[]): Headers | undefined {
  if (origin === undefined) return {};
  if (!allowed.includes("*") && !allowed.includes(origin)) return undefined;
  return { ...CORS_ALLOW, "Access-Control-Allow-Origin": origin };
}

/** Thrown when the server cannot bind its address. */
export class RpcServerListenError extends NodeError {
  constructor(message: string, hint: string) {
    super("RPC_LISTEN_FAILED", message, hint);
  }
}

/**
 * Idle keep-alive sockets: clients are told to drop them after KEEP_ALIVE_HINT_S (Node's agent
 * takes the Keep-Alive header's timeout), the server closes them only after KEEP_ALIVE_TIMEOUT_MS.
 * Closing at the advertised moment races a client's reuse of the socket, and a client that is late
 * (a loaded machine) sends on a closed socket and gets "socket hang up". close() still ends every
 * connection at once (closeAllConnections), so the longer timeout holds nothing open.
 *
 * Node's agent keeps an idle socket one second less than advertised, and not at all when that
 * leaves nothing: at 1 s every request of every Node client opened a TCP connection. At 5 s a
 * client reuses a socket for 4 s, as it would with any production endpoint. Reuse makes each poll
 * cheaper, so pollers loop faster: docs/design/rpc-keepalive.md.
 */
const KEEP_ALIVE_HINT_S = 5;
export const KEEP_ALIVE_TIMEOUT_MS = 10_000;

/**
 * Closes a kept-alive socket once its idle timeout has passed and nothing has reached it since.
 * Node's server closes it from the timer itself, and an event loop runs the timers that came due
 * while its thread was busy (mining, EXECUTE, a block's build) before it reads the sockets: a
 * request that reached the socket meanwhile, sent by a client well within the advertised idle
 * time, was dropped unread ("socket hang up", or EPIPE while a large body was still being sent).
 * Waiting for the loop's next check phase lets the socket be read first; a request then starts
 * on it (Node clears the idle timeout), and a part of one re-arms the timer.
 */
function closeIdleSocketsAfterReading(server: http.Server): void {
  server.on("timeout", (socket: Socket) => {
    const read = socket.bytesRead;
    setImmediate(() => {
      if (socket.bytesRead === read) socket.destroy();
    });
  });
}

function send(res: http.ServerResponse, status: number, body: unknown, cors: Headers): void {
  const text = JSON.stringify(body, (_key, value: unknown) =>
    typeof value === "bigint" ? `0x${value.toString(16)}` : value,
  );
  // Set only for a connection kept alive anyway: a client that asked to close still gets Node's close.
  const keepAlive: Headers = res.shouldKeepAlive
    ? { Connection: "keep-alive", "Keep-Alive": `timeout=${KEEP_ALIVE_HINT_S}` }
    : {};
  res.writeHead(status, { ...cors, ...keepAlive, "Content-Type": "application/json" });
  res.end(text);
}

async function readBody(req: http.IncomingMessage, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Serves `dispatcher` as JSON-RPC 2.0 over HTTP POST (single and batch requests). */
export async function startRpcServer(dispatcher: RpcDispatcher, options: RpcServerOptions): Promise<RpcServer> {
  const host = options.host ?? DEFAULT_RPC_HOST;
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const allowedOrigins = options.corsOrigins ?? DEFAULT_CORS_ORIGINS;
  const handler: RequestHandler = (req, res) => {
    let cors: Headers = {};
    void (async () => {
      const origin = req.headers.origin;
      const allowed = corsHeaders(origin, allowedOrigins);
      if (allowed === undefined) {
        // Refused before anything runs: a "simple" cross-origin POST (text/plain) skips the
        // browser's preflight, so withholding the CORS headers alone would still execute it.
        const message = `origin ${origin} is not allowed: start the node with its origin in corsOrigins (--cors) to call it from that page`;
        send(
          res,
          403,
          { jsonrpc: "2.0", id: null, error: new RpcError(RpcErrorCode.InvalidRequest, message).toJSON() },
          {},
        );
        return;
      }
      cors = allowed;
      if (req.method === "OPTIONS") {
        res.writeHead(204, cors);
        res.end();
        return;
      }
      if (req.method === "GET" && options.httpRoutes !== undefined) {
        if (await options.httpRoutes(req, res)) return;
        // A node that serves pages answers an unknown page as a web server would: not found.
        const path = new URL(req.url ?? "/", "http://localhost").pathname;
        send(
          res,
          404,
          {
            jsonrpc: "2.0",
            id: null,
            error: new RpcError(
              RpcErrorCode.InvalidRequest,
              `no page at ${path}: the dashboard is at /, JSON-RPC takes HTTP POST`,
            ).toJSON(),
          },
          cors,
        );
        return;
      }
      if (req.method !== "POST") {
        send(
          res,
          405,
          { jsonrpc: "2.0", id: null, error: new RpcError(RpcErrorCode.InvalidRequest, "use HTTP POST").toJSON() },
          cors,
        );
        return;
      }
      const text = await readBody(req, limit);
      if (text === undefined) {
        send(
          res,
          413,
          {
            jsonrpc: "2.0",
            id: null,
            error: new RpcError(RpcErrorCode.InvalidRequest, "request body too large").toJSON(),
          },
          cors,
        );
        return;
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        send(
          res,
          200,
          { jsonrpc: "2.0", id: null, error: new RpcError(RpcErrorCode.ParseError, "parse error").toJSON() },
          cors,
        );
        return;
      }
      const answer = await dispatcher.handle(body);
      if (answer === undefined) {
        res.writeHead(204, cors);
        res.end();
      } else send(res, 200, answer, cors);
    })().catch((error: unknown) => {
      if (!res.headersSent)
        send(
          res,
          500,
          { jsonrpc: "2.0", id: null, error: { code: RpcErrorCode.Internal, message: String(error) } },
          cors,
        );
    });
  };
  const port = options.listenOn === undefined ? await listen(host, options) : heldPort(options.listenOn);
  port.serve(handler);
  return {
    host: port.host,
    port: port.port,
    url: port.url,
    close: () => port.close(),
    release: async () => {
      await port.hold();
      return port;
    },
  };
}

function heldPort(held: HeldRpcPort): RpcPort {
  if (!(held instanceof RpcPort)) throw new Error("listenOn: not a port released by an RPC server");
  return held;
}

/** Binds `options.port` on `host` (0: a free one). */
async function listen(host: string, options: RpcServerOptions): Promise<RpcPort> {
  const server = http.createServer();
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  closeIdleSocketsAfterReading(server);
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new RpcServerListenError(
          `cannot listen on ${host}:${options.port}: ${error.message}`,
          error.code === "EADDRINUSE" ? portTakenHint(options.port, options.portOption) : "check the host and port",
        ),
      ),
    );
    server.listen(options.port, host, () => resolve());
  });
  return new RpcPort(server, host, (server.address() as AddressInfo).port);
}
