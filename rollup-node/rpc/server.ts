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
  /** Caps on what clients may hold: connections, body bytes, idle and body time (RpcServerLimits). */
  readonly limits?: RpcServerLimits;
  /**
   * Told when a limit refuses a client (a connection past the cap, a body past the budget or
   * stalled): the first refusal, then at most one line per REFUSAL_REPORT_INTERVAL_MS with how
   * many there were, so a flood of refusals does not flood the log.
   */
  readonly onRefused?: (message: string) => void;
}

/**
 * What a client, or many, may hold of a server that a stranger can reach (docs/design/rpc-keepalive.md,
 * "Round 29"). Each default is `DEFAULT_RPC_LIMITS`'s.
 */
export interface RpcServerLimits {
  /** Connections open at once; Node refuses (closes) the ones past it. */
  readonly maxConnections?: number;
  /** Bytes of request bodies all connections together may hold while they arrive; past it, 503 and the socket closed. */
  readonly maxBodyBytesInFlight?: number;
  /** How long a request's body may take to arrive once its headers are in; past it, 408 and the socket closed. */
  readonly bodyTimeoutMs?: number;
  /**
   * How long a socket with no request in flight stays open after its last answer (or its
   * connection); bytes that start no request (a `\r\n` trickle) do not keep it open.
   */
  readonly keepAliveTimeoutMs?: number;
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
 * The servers' limits unless configured. 1,024 connections: far above what the node's own clients
 * open (tens of kept-alive sockets), below a process's usual 1,024-4,096 descriptors so the store
 * keeps some. 128 MiB of bodies in flight: two full-size bodies, or ~60 of the largest transaction
 * (2 MB hex), at once. 30 s for a body: a 2 MB transaction at 70 KB/s.
 */
export const DEFAULT_RPC_LIMITS: Required<RpcServerLimits> = {
  maxConnections: 1_024,
  maxBodyBytesInFlight: 2 * DEFAULT_MAX_BODY,
  bodyTimeoutMs: 30_000,
  keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS,
};

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

/** At most one report of refusals per this interval: an attacker's flood must not become the log's. */
export const REFUSAL_REPORT_INTERVAL_MS = 10_000;

/**
 * Passes a refusal to `report`, unless one was reported less than REFUSAL_REPORT_INTERVAL_MS ago:
 * then it is counted, and the next report says how many were not.
 */
export function refusalReporter(report: ((message: string) => void) | undefined): (message: string) => void {
  let lastAt = Number.NEGATIVE_INFINITY;
  let unreported = 0;
  return (message) => {
    if (report === undefined) return;
    const now = Date.now();
    if (now - lastAt < REFUSAL_REPORT_INTERVAL_MS) {
      unreported += 1;
      return;
    }
    report(unreported === 0 ? message : `${message} (and ${unreported} other refusals since the last report)`);
    lastAt = now;
    unreported = 0;
  };
}

/** A connection's requests not yet answered, and when it last had none (its last answer, or its opening). */
interface SocketActivity {
  inFlight: number;
  idleSince: number;
  /** Requests started on it: a change during the sweep's one-turn wait means one arrived. */
  started: number;
}

/**
 * Closes a socket with no request in flight once `idleMs` has passed since its last answer (or
 * its opening), whatever bytes it sent meanwhile. Node's idle timer is refreshed by every byte, and
 * llhttp skips a CRLF between requests without starting one, so a client trickling `\r\n` kept a
 * socket forever (attack-review-s29.md, finding 4); only a request started counts as activity
 * here. A socket the sweep finds idle is closed one check phase later, as in
 * closeIdleSocketsAfterReading, unless a request started meanwhile: a request that reached the
 * socket while the thread was busy is read, not dropped. The sweep's timer is unref'd and stops
 * with the server.
 */
function closeSocketsIdleSinceAnswer(server: http.Server, idleMs: number): void {
  const sockets = new Map<Socket, SocketActivity>();
  server.on("connection", (socket: Socket) => {
    sockets.set(socket, { inFlight: 0, idleSince: Date.now(), started: 0 });
    socket.once("close", () => sockets.delete(socket));
  });
  server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
    const activity = sockets.get(req.socket);
    if (activity === undefined) return;
    activity.inFlight += 1;
    activity.started += 1;
    res.once("close", () => {
      activity.inFlight -= 1;
      activity.idleSince = Date.now();
    });
  });
  const sweep = setInterval(
    () => {
      const now = Date.now();
      for (const [socket, activity] of sockets) {
        if (activity.inFlight > 0 || now - activity.idleSince < idleMs) continue;
        const started = activity.started;
        setImmediate(() => {
          if (activity.started === started && activity.inFlight === 0) socket.destroy();
        });
      }
    },
    Math.max(50, Math.floor(idleMs / 4)),
  );
  sweep.unref();
  server.once("close", () => clearInterval(sweep));
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

/** Bytes of request bodies being received by all of a server's connections, against its budget. */
interface BodyBudget {
  used: number;
  readonly max: number;
}

/** Why a request body was not read whole: 413 (above the size limit), 408 (stalled), 503 (the budget is spent). */
class BodyRefused extends Error {
  constructor(
    readonly status: 408 | 413 | 503,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads `req`'s body, at most `limit` bytes, within `timeoutMs`, holding its bytes against the
 * server's `budget` until it is read whole or refused. Rejects with a BodyRefused without reading
 * the rest: a body past a limit is not worth waiting for.
 */
function readBody(req: http.IncomingMessage, limit: number, timeoutMs: number, budget: BodyBudget): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (): void => {
      done = true;
      clearTimeout(timer);
      budget.used -= size;
      req.off("data", onData);
    };
    const refuse = (error: BodyRefused): void => {
      if (done) return;
      finish();
      reject(error);
    };
    const onData = (chunk: Buffer): void => {
      if (done) return;
      if (size + chunk.length > limit) {
        refuse(new BodyRefused(413, "request body too large"));
        return;
      }
      if (budget.used + chunk.length > budget.max) {
        refuse(
          new BodyRefused(
            503,
            `server busy: the request bodies being received hold its budget of ${budget.max} bytes; retry later`,
          ),
        );
        return;
      }
      size += chunk.length;
      budget.used += chunk.length;
      chunks.push(chunk);
    };
    const timer = setTimeout(
      () => refuse(new BodyRefused(408, `request body not received within ${timeoutMs} ms`)),
      timeoutMs,
    );
    req.on("data", onData);
    req.once("end", () => {
      if (done) return;
      finish();
      resolve(Buffer.concat(chunks).toString("utf8"));
    });
    req.once("error", () => refuse(new BodyRefused(408, "request aborted")));
  });
}

/** Serves `dispatcher` as JSON-RPC 2.0 over HTTP POST (single and batch requests). */
export async function startRpcServer(dispatcher: RpcDispatcher, options: RpcServerOptions): Promise<RpcServer> {
  const host = options.host ?? DEFAULT_RPC_HOST;
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const limits = { ...DEFAULT_RPC_LIMITS, ...options.limits };
  const budget: BodyBudget = { used: 0, max: limits.maxBodyBytesInFlight };
  const refused = refusalReporter(options.onRefused);
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
      let text: string;
      try {
        text = await readBody(req, limit, limits.bodyTimeoutMs, budget);
      } catch (error) {
        if (!(error instanceof BodyRefused)) throw error;
        // The rest of the body stays unread: the socket is closed once answered, so it neither
        // holds the client's bytes nor parses them as the next request.
        res.shouldKeepAlive = false;
        const code = error.status === 413 ? RpcErrorCode.InvalidRequest : RpcErrorCode.Internal;
        send(res, error.status, { jsonrpc: "2.0", id: null, error: new RpcError(code, error.message).toJSON() }, cors);
        res.once("finish", () => req.socket.destroy());
        if (error.status !== 413) refused(`request from ${req.socket.remoteAddress} refused: ${error.message}`);
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
  const port =
    options.listenOn === undefined ? await listen(host, options, limits, refused) : heldPort(options.listenOn);
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
async function listen(
  host: string,
  options: RpcServerOptions,
  limits: Required<RpcServerLimits>,
  refused: (message: string) => void,
): Promise<RpcPort> {
  const server = http.createServer();
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  server.on("drop", (data?: { remoteAddress?: string }) =>
    refused(
      `connection from ${data?.remoteAddress ?? "an unknown address"} refused: ${limits.maxConnections} connections open, the cap (maxConnections)`,
    ),
  );
  closeIdleSocketsAfterReading(server);
  closeSocketsIdleSinceAnswer(server, limits.keepAliveTimeoutMs);
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
