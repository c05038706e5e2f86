import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";

import { getBytes } from "ethers";

import { ExecuteError } from "../../precompiles";
import { NodeError, portTakenHint } from "../errors";
import type { Logger } from "../logger";
import { attestBlock } from "./attester";
import {
  type AttestResponse,
  type AttesterInfo,
  type ForkConfig,
  commonOfForkConfig,
  writeRulesOfFork,
} from "./attesterProtocol";
import { AttesterKey, loadBabyJub } from "./committee";

import { DEFAULT_ATTESTER_HOST, DEFAULT_ATTESTER_PORT } from "./defaults";

export { DEFAULT_ATTESTER_HOST, DEFAULT_ATTESTER_PORT };

/** Largest request body: an `advance` carries at most ≈ 290 KB of witness (2^24 L1 gas), hex doubles it. */
export const MAX_ATTEST_REQUEST_BYTES = 4 * 1024 * 1024;
/** Requests waiting behind the one being re-executed; beyond it the attester answers 503 (busy). */
export const MAX_QUEUED_ATTESTATIONS = 8;
/**
 * Requests one client address may have queued or running: a client sending complete but slow
 * requests fills at most this share of the queue, so others (the node) still get in.
 */
export const MAX_QUEUED_PER_CLIENT = 2;
/**
 * How long a request may take to arrive, headers and body (408 after it). A node on a slow link
 * sends ≈ 8 MB at most in that time; a client that trickles its body is cut off instead of
 * holding a connection (docs/design/attester-server.md).
 */
export const DEFAULT_ATTEST_READ_DEADLINE_MS = 30_000;
/**
 * Bytes of request bodies all connections together may hold while they arrive (16 full-size
 * bodies). Each connection may buffer up to MAX_ATTEST_REQUEST_BYTES until its read deadline:
 * without a shared budget, many connections with nearly complete bodies pin memory without bound.
 */
export const DEFAULT_MAX_BODY_BYTES_IN_FLIGHT = 16 * MAX_ATTEST_REQUEST_BYTES;

export interface AttesterServerOptions {
  /** The attester's Baby Jubjub private key (32 bytes). */
  readonly privateKey: Uint8Array;
  /** The L1's fork rules and each chain's write rules, under which it re-executes (as EXECUTE does). */
  readonly fork: ForkConfig;
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** The command's option that sets `port` (`--port` of rollup:attester), named when the port is taken. */
  readonly portOption?: string;
  readonly logger: Logger;
  /** How long a request may take to arrive, headers and body (DEFAULT_ATTEST_READ_DEADLINE_MS). */
  readonly readDeadlineMs?: number;
  /** Bytes of bodies still arriving that all connections may hold together (DEFAULT_MAX_BODY_BYTES_IN_FLIGHT). */
  readonly maxBodyBytesInFlight?: number;
}

export interface AttesterServer {
  readonly url: string;
  readonly publicKey: readonly [bigint, bigint];
  close(): Promise<void>;
}

/** Why a request body was not read: 413 (above the size limit), 408 (not in by the deadline), 503 (the in-flight budget is spent). */
/** The attester cannot listen on its host and port (taken, or not an interface of this machine). */
export class AttesterListenError extends NodeError {
  constructor(message: string, hint: string) {
    super("ATTESTER_LISTEN_FAILED", message, hint);
  }
}

class BodyError extends Error {
  constructor(
    readonly status: 408 | 413 | 503,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads the body of `request`, at most MAX_ATTEST_REQUEST_BYTES, by `deadline` (ms since the
 * epoch); rejects with a BodyError (413 or 408) without waiting for the rest of an oversized or
 * late body.
 */
function readBody(request: IncomingMessage, deadline: number, inFlight: BodyBudget): Promise<string> {
  return new Promise((resolve, reject) => {
    const announced = Number(request.headers["content-length"] ?? 0);
    if (announced > MAX_ATTEST_REQUEST_BYTES)
      return reject(new BodyError(413, `request body of ${announced} bytes above ${MAX_ATTEST_REQUEST_BYTES}`));
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const timer = setTimeout(
      () => fail(new BodyError(408, `request body not received within the read deadline`)),
      Math.max(0, deadline - Date.now()),
    );
    const release = (): void => {
      done = true;
      clearTimeout(timer);
      inFlight.used -= size;
    };
    const fail = (error: Error): void => {
      if (done) return;
      release();
      request.removeAllListeners("data");
      reject(error);
    };
    request.on("data", (chunk: Buffer) => {
      if (done) return;
      if (size + chunk.length > MAX_ATTEST_REQUEST_BYTES)
        return fail(new BodyError(413, `request body above ${MAX_ATTEST_REQUEST_BYTES} bytes`));
      if (inFlight.used + chunk.length > inFlight.max)
        return fail(new BodyError(503, "attester busy: receiving too many request bodies at once"));
      size += chunk.length;
      inFlight.used += chunk.length;
      chunks.push(chunk);
    });
    request.on("end", () => {
      if (done) return;
      release();
      resolve(Buffer.concat(chunks).toString("utf8"));
    });
    request.on("error", fail);
  });
}

/** Bytes of bodies being received by all connections, against the server's budget. */
interface BodyBudget {
  used: number;
  readonly max: number;
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}

/** Answers `status` and closes the connection: the rest of the body is not worth reading. */
function replyAndClose(response: ServerResponse, status: number, body: unknown): void {
  response.shouldKeepAlive = false;
  response.writeHead(status, { "content-type": "application/json", connection: "close" });
  response.end(JSON.stringify(body), () => response.socket?.destroy());
}

/**
 * One committee attester served over HTTP, for nodes on other machines or other L1s:
 * `GET /` says who it is (public key, fork rules), `POST /attest` with an `AttestRequest`
 * re-executes the block statelessly and answers a signature of its commitment only if it
 * verifies. It signs nothing else, so anyone may call it: the worst a caller gets is a valid
 * block's attestation. Re-executions run one at a time (they are CPU-bound), with a bounded queue.
 */
export async function startAttesterServer(options: AttesterServerOptions): Promise<AttesterServer> {
  const key = new AttesterKey(await loadBabyJub(), options.privateKey);
  const common = commonOfForkConfig(options.fork);
  const writeRules = writeRulesOfFork(options.fork);
  const publicKey = key.publicKey;
  const info: AttesterInfo = { publicKey: [publicKey[0].toString(), publicKey[1].toString()], fork: options.fork };
  let queue: Promise<unknown> = Promise.resolve();
  let waiting = 0;
  /** Requests queued or running, by client address. */
  const perClient = new Map<string, number>();

  const attest = async (body: string): Promise<AttestResponse> => {
    const request = JSON.parse(body) as {
      id?: number;
      chainId: string;
      parentHeader: string;
      block: string;
      witness: string;
    };
    const id = typeof request.id === "number" ? request.id : 0;
    const block = {
      chainId: BigInt(request.chainId),
      common,
      parentHeader: getBytes(request.parentHeader),
      block: getBytes(request.block),
      witness: getBytes(request.witness),
    };
    try {
      const { attestation, commitment } = await attestBlock(key, 0, block, writeRules);
      options.logger.info(
        `signed a block of chain ${block.chainId} (commitment ${commitment.toString(16).slice(0, 12)}…)`,
      );
      return {
        id,
        ok: true,
        memberIndex: 0,
        R8: [attestation.R8[0].toString(), attestation.R8[1].toString()],
        S: attestation.S.toString(),
        commitment: commitment.toString(),
      };
    } catch (error) {
      options.logger.warn(`refused a block of chain ${block.chainId}: ${(error as Error).message}`);
      return {
        id,
        ok: false,
        code: error instanceof ExecuteError ? error.code : undefined,
        reason: (error as Error).message,
      };
    }
  };

  const readDeadlineMs = options.readDeadlineMs ?? DEFAULT_ATTEST_READ_DEADLINE_MS;
  const inFlight: BodyBudget = { used: 0, max: options.maxBodyBytesInFlight ?? DEFAULT_MAX_BODY_BYTES_IN_FLIGHT };
  // A slot is taken only by a request whose body has arrived: a client that never finishes its
  // body holds a connection until the read deadline, never a place in the queue.
  const server: Server = createServer(
    { connectionsCheckingInterval: Math.min(1_000, readDeadlineMs) },
    (request, response) => {
      const deadline = Date.now() + readDeadlineMs;
      if (request.method === "GET" && (request.url === "/" || request.url === "")) return reply(response, 200, info);
      if (request.method !== "POST" || request.url !== "/attest")
        return reply(response, 404, { ok: false, reason: "GET / or POST /attest" });
      readBody(request, deadline, inFlight).then(
        (body) => {
          const client = request.socket.remoteAddress ?? "";
          const mine = perClient.get(client) ?? 0;
          if (waiting >= MAX_QUEUED_ATTESTATIONS || mine >= MAX_QUEUED_PER_CLIENT)
            return reply(response, 503, {
              ok: false,
              code: undefined,
              reason: mine >= MAX_QUEUED_PER_CLIENT ? "attester busy with this client's requests" : "attester busy",
            });
          waiting += 1;
          perClient.set(client, mine + 1);
          const run = queue.then(() => attest(body));
          queue = run.catch(() => undefined);
          run
            .then(
              (answer) => reply(response, 200, answer),
              (error: Error) =>
                reply(response, 400, { ok: false, code: undefined, reason: `bad request: ${error.message}` }),
            )
            .finally(() => {
              waiting -= 1;
              const left = (perClient.get(client) ?? 1) - 1;
              if (left === 0) perClient.delete(client);
              else perClient.set(client, left);
            });
        },
        (error: Error) => {
          const status = error instanceof BodyError ? error.status : 400;
          replyAndClose(response, status, { ok: false, code: undefined, reason: error.message });
        },
      );
    },
  );
  // Headers too must arrive by the deadline (Node answers 408 and closes the connection).
  server.headersTimeout = readDeadlineMs;
  server.requestTimeout = readDeadlineMs;
  const port = options.port ?? DEFAULT_ATTESTER_PORT;
  const listenHost = options.host ?? DEFAULT_ATTESTER_HOST;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new AttesterListenError(
          `the attester cannot listen on ${listenHost}:${port}: ${error.message}`,
          error.code === "EADDRINUSE" ? portTakenHint(port, options.portOption) : "check the host and port",
        ),
      ),
    );
    server.listen(port, listenHost, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    publicKey,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
