// The node's and the tools' JSON-RPC client over HTTP: every provider they make (the L1's, the
// sequencer a follower forwards to) sends through one pool of kept-alive sockets per process.
// A new TCP connection per request (connect, close, a socket on each side) was most of what an
// idle e2e rollup spent on its L1 polls (docs/design/fast-tests.md, rounds 23 and 25).
import http from "node:http";
import https from "node:https";

import {
  type FetchGetUrlFunc,
  FetchRequest,
  type JsonRpcApiProviderOptions,
  JsonRpcProvider,
  type Networkish,
} from "ethers";

/**
 * How long an idle socket waits in the pool for the next request (the servers' Keep-Alive hint
 * shortens it: Node's agent keeps a socket one second less than a server advertises). Node's own
 * global agent uses the same 5 s.
 */
const IDLE_SOCKET_TIMEOUT_MS = 5_000;

const HTTP_AGENT = new http.Agent({ keepAlive: true, timeout: IDLE_SOCKET_TIMEOUT_MS });
const HTTPS_AGENT = new https.Agent({ keepAlive: true, timeout: IDLE_SOCKET_TIMEOUT_MS });
// ethers' own request function, once per agent: it takes one agent, and an http agent cannot serve https.
const GET_HTTP = FetchRequest.createGetUrlFunc({ agent: HTTP_AGENT });
const GET_HTTPS = FetchRequest.createGetUrlFunc({ agent: HTTPS_AGENT });

/**
 * True for the error of a request sent on a socket the peer had already closed: a server that
 * stopped, or was killed (kill -9), or restarted on the same port while the socket sat in the
 * pool, and whose close this process had not yet read. Node reports it as ECONNRESET ("socket
 * hang up" when nothing of an answer came back).
 */
export function isStaleSocketError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === "ECONNRESET" || message === "socket hang up";
}

/**
 * ethers' request function on the kept-alive pool, sending a request once more (on another socket)
 * when its socket turns out to be stale. Once only: a second failure is the server's, and is
 * reported. A JSON-RPC request sent twice this way had no answer the first time; the node's sends
 * are of signed transactions (the same hash twice) and reads.
 */
export const keepAliveGetUrl: FetchGetUrlFunc = async (request, signal) => {
  const getUrl = request.url.toLowerCase().startsWith("https:") ? GET_HTTPS : GET_HTTP;
  try {
    return await getUrl(request, signal);
  } catch (error) {
    if (!isStaleSocketError(error)) throw error;
    return getUrl(request, signal);
  }
};

/** A request to `url` sent through the kept-alive pool; `timeoutMs` as FetchRequest's timeout (ethers' 5 min if not given). */
export function rpcRequest(url: string, timeoutMs?: number): FetchRequest {
  const request = new FetchRequest(url);
  request.getUrlFunc = keepAliveGetUrl;
  if (timeoutMs !== undefined) request.timeout = timeoutMs;
  return request;
}

/** A JsonRpcProvider of `url` whose requests go through the kept-alive pool. */
export function rpcProvider(
  url: string | FetchRequest,
  options: JsonRpcApiProviderOptions,
  network?: Networkish,
): JsonRpcProvider {
  return new JsonRpcProvider(typeof url === "string" ? rpcRequest(url) : url, network, options);
}
