import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";

import { getBytes } from "ethers";

import { ExecuteError } from "../../precompiles";
import type { Logger } from "../logger";
import { attestBlock } from "./attester";
import { type AttestResponse, type AttesterInfo, type ForkConfig, commonOfForkConfig } from "./attesterProtocol";
import { AttesterKey, loadBabyJub } from "./committee";

/** Where an attester listens unless told otherwise (rollup:attester --host / --port). */
export const DEFAULT_ATTESTER_HOST = "127.0.0.1";
export const DEFAULT_ATTESTER_PORT = 9645;

/** Largest request body: an `advance` carries at most ≈ 290 KB of witness (2^24 L1 gas), hex doubles it. */
export const MAX_ATTEST_REQUEST_BYTES = 4 * 1024 * 1024;
/** Requests waiting behind the one being re-executed; beyond it the attester answers 503 (busy). */
export const MAX_QUEUED_ATTESTATIONS = 8;

export interface AttesterServerOptions {
  /** The attester's Baby Jubjub private key (32 bytes). */
  readonly privateKey: Uint8Array;
  /** The L1's fork rules, under which it re-executes (as EXECUTE does). */
  readonly fork: ForkConfig;
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  readonly logger: Logger;
}

export interface AttesterServer {
  readonly url: string;
  readonly publicKey: readonly [bigint, bigint];
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_ATTEST_REQUEST_BYTES) {
        reject(new Error(`request body above ${MAX_ATTEST_REQUEST_BYTES} bytes`));
        request.destroy();
      } else chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
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
  const publicKey = key.publicKey;
  const info: AttesterInfo = { publicKey: [publicKey[0].toString(), publicKey[1].toString()], fork: options.fork };
  let queue: Promise<unknown> = Promise.resolve();
  let waiting = 0;

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
      const { attestation, commitment } = await attestBlock(key, 0, block);
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

  const server: Server = createServer((request, response) => {
    if (request.method === "GET" && (request.url === "/" || request.url === "")) return reply(response, 200, info);
    if (request.method !== "POST" || request.url !== "/attest")
      return reply(response, 404, { ok: false, reason: "GET / or POST /attest" });
    if (waiting >= MAX_QUEUED_ATTESTATIONS)
      return reply(response, 503, { ok: false, code: undefined, reason: "attester busy" });
    waiting += 1;
    readBody(request)
      .then((body) => {
        const run = queue.then(() => attest(body));
        queue = run.catch(() => undefined);
        return run;
      })
      .then(
        (answer) => reply(response, 200, answer),
        (error: Error) => reply(response, 400, { ok: false, code: undefined, reason: `bad request: ${error.message}` }),
      )
      .finally(() => {
        waiting -= 1;
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? DEFAULT_ATTESTER_PORT, options.host ?? DEFAULT_ATTESTER_HOST, () => resolve());
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
