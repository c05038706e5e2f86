import { type Socket, connect } from "node:net";

import { expect } from "chai";
import { hexlify } from "ethers";

import { DEFAULT_HARDFORK } from "../../../rollup-node/chain/genesis";
import { silentLogger } from "../../../rollup-node/logger";
import {
  type AttesterServer,
  MAX_ATTEST_REQUEST_BYTES,
  MAX_QUEUED_ATTESTATIONS,
  startAttesterServer,
} from "../../../rollup-node/provers/attesterServer";
import { ecrecoverBlock } from "../../../tools/heavyBlocks";
import { TestSigner } from "../../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../../../tools/l2TestChain";

const CHAIN_ID = 917n;
const FORK = { hardfork: DEFAULT_HARDFORK, eips: [] };
/** Short for the test: how long a request may take to arrive (headers and body). */
const READ_DEADLINE_MS = 1_500;

/** A raw connection and everything the server wrote back on it. */
interface RawClient {
  readonly socket: Socket;
  readonly received: () => string;
  readonly closed: Promise<void>;
}

function rawClient(url: string): Promise<RawClient> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    let data = "";
    const socket = connect({ host: hostname, port: Number(port) });
    const closed = new Promise<void>((done) => socket.once("close", () => done()));
    socket.on("data", (chunk: Buffer) => {
      data += chunk.toString("latin1");
    });
    socket.on("error", () => undefined);
    socket.once("connect", () => resolve({ socket, received: () => data, closed }));
    socket.once("error", reject);
  });
}

/** Waits until `client` has an HTTP status line, or `ms` passed; returns the status (undefined if none). */
async function statusOf(client: RawClient, ms: number): Promise<number | undefined> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const match = /^HTTP\/1\.1 (\d{3})/.exec(client.received());
    if (match !== null) return Number(match[1]);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return undefined;
}

/**
 * Attack review C6: the attester's queue counted a request before its body was read, and a body
 * had no deadline, so 8 clients that send headers and then trickle their bodies held every slot
 * and every real proof request got 503. Now a request takes a slot only once its body is in, the
 * whole request must arrive within a read deadline (else 408) and within the size limit (else 413).
 */
describe("an attester served over HTTP, under slow and oversized clients (slowloris)", function () {
  this.timeout(120_000);
  let server: AttesterServer;
  let built: BuiltBlock;
  const clients: RawClient[] = [];
  const timers: NodeJS.Timeout[] = [];

  before(async () => {
    server = await startAttesterServer({
      privateKey: new Uint8Array(32).fill(9),
      fork: FORK,
      port: 0,
      logger: silentLogger,
      readDeadlineMs: READ_DEADLINE_MS,
    });
    const probe = await L2TestChain.create(CHAIN_ID, []);
    const alice = TestSigner.fromSeed(23, probe.common);
    const chain = await L2TestChain.create(CHAIN_ID, [{ address: alice.address.toString(), balance: 10n ** 18n }]);
    built = await chain.buildBlock([
      TestSigner.fromSeed(23, chain.common).tx({ to: "0x00000000000000000000000000000000000000aa", value: 1n }),
    ]);
  });

  after(async () => {
    for (const timer of timers) clearInterval(timer);
    for (const client of clients) client.socket.destroy();
    await server?.close();
  });

  const realRequest = (): string =>
    JSON.stringify({
      id: 1,
      chainId: CHAIN_ID.toString(),
      parentHeader: hexlify(built.parentHeader),
      block: hexlify(built.blockRlp),
      witness: hexlify(built.witness),
    });

  it("clients trickling their bodies hold no slot: a real proof request is still signed, and each trickler gets 408 at the deadline", async () => {
    const trickling = MAX_QUEUED_ATTESTATIONS + 2;
    for (let i = 0; i < trickling; i++) {
      const client = await rawClient(server.url);
      clients.push(client);
      client.socket.write(
        `POST /attest HTTP/1.1\r\nHost: attester\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`,
      );
      // One byte every 100 ms: never finishing, never idle long enough for a socket timeout.
      timers.push(setInterval(() => client.socket.writable && client.socket.write(" "), 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 300));

    const started = Date.now();
    const response = await fetch(`${server.url}/attest`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: realRequest(),
      signal: AbortSignal.timeout(60_000),
    });
    const answer = (await response.json()) as { ok: boolean; S?: string; reason?: string };
    process.stderr.write(
      `      real request beside ${trickling} trickling clients: HTTP ${response.status} ${JSON.stringify(answer).slice(0, 80)} in ${Date.now() - started} ms\n`,
    );
    expect(response.status, `the real proof request was refused: ${answer.reason}`).to.equal(200);
    expect(answer.ok).to.equal(true);
    expect(answer.S).to.be.a("string");

    const statuses = await Promise.all(clients.map((c) => statusOf(c, READ_DEADLINE_MS * 4)));
    expect(statuses).to.deep.equal(clients.map(() => 408));
    await Promise.all(clients.map((c) => c.closed));
  });

  it("a body announced or sent above the size limit is answered 413 at once, and the attester keeps serving", async () => {
    const announced = await rawClient(server.url);
    clients.push(announced);
    announced.socket.write(
      `POST /attest HTTP/1.1\r\nHost: attester\r\nContent-Type: application/json\r\nContent-Length: ${MAX_ATTEST_REQUEST_BYTES + 1}\r\n\r\n{`,
    );
    expect(await statusOf(announced, READ_DEADLINE_MS / 2)).to.equal(413);

    const chunked = await rawClient(server.url);
    clients.push(chunked);
    chunked.socket.write(
      "POST /attest HTTP/1.1\r\nHost: attester\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
    );
    const piece = "a".repeat(256 * 1024);
    for (let sent = 0; sent <= MAX_ATTEST_REQUEST_BYTES && chunked.socket.writable; sent += piece.length)
      chunked.socket.write(`${piece.length.toString(16)}\r\n${piece}\r\n`);
    expect(await statusOf(chunked, READ_DEADLINE_MS)).to.equal(413);

    expect((await fetch(`${server.url}/`)).status).to.equal(200);
  });

  it("one client filling the queue with complete, slow requests holds at most its share: the node's request, from another address, is still queued and signed", async () => {
    const heavy = await ecrecoverBlock(CHAIN_ID, 1, 3_000_000n);
    const body = JSON.stringify({
      id: 7,
      chainId: CHAIN_ID.toString(),
      parentHeader: hexlify(heavy.parentHeader),
      block: hexlify(heavy.blockRlp),
      witness: hexlify(heavy.witness),
    });
    const { hostname, port } = new URL(server.url);
    // The flooder: another loopback address, as many complete requests as the queue holds.
    const flood: Promise<number>[] = [];
    for (let i = 0; i < MAX_QUEUED_ATTESTATIONS; i++)
      flood.push(
        new Promise<number>((resolve) => {
          const socket = connect({ host: hostname, port: Number(port), localAddress: "127.0.0.2" });
          let data = "";
          socket.on("data", (chunk: Buffer) => {
            data += chunk.toString("latin1");
            const match = /^HTTP\/1\.1 (\d{3})/.exec(data);
            if (match !== null) {
              resolve(Number(match[1]));
              socket.destroy();
            }
          });
          socket.on("error", () => resolve(0));
          socket.write(
            `POST /attest HTTP/1.1\r\nHost: attester\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
          );
        }),
      );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const response = await fetch(`${server.url}/attest`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: realRequest(),
      signal: AbortSignal.timeout(120_000),
    });
    const answer = (await response.json()) as { ok: boolean; reason?: string };
    const flooded = await Promise.all(flood);
    process.stderr.write(`      flooder's answers: ${flooded.join(", ")}; the node's: HTTP ${response.status}\n`);
    expect(response.status, `the node's request was refused: ${answer.reason}`).to.equal(200);
    expect(answer.ok).to.equal(true);
    expect(flooded.filter((status) => status === 503).length).to.be.greaterThan(0);
  });
});

/**
 * Attack review F4: each connection may buffer up to MAX_ATTEST_REQUEST_BYTES until its read
 * deadline, and connections were not counted: 60 nearly complete 4 MiB bodies pinned ≈ 250 MiB,
 * 1,000 would pin ≈ 4 GB. The bytes of bodies in flight now share one budget; a body that would
 * pass it is answered 503 and its connection closed, and the budget frees as bodies finish or fail.
 */
describe("an attester served over HTTP, under many large unfinished bodies", function () {
  this.timeout(60_000);
  const BUDGET = 1024 * 1024;
  const PART = 400 * 1024;
  let server: AttesterServer;
  const clients: RawClient[] = [];

  before(async () => {
    server = await startAttesterServer({
      privateKey: new Uint8Array(32).fill(11),
      fork: FORK,
      port: 0,
      logger: silentLogger,
      readDeadlineMs: READ_DEADLINE_MS,
      maxBodyBytesInFlight: BUDGET,
    });
  });

  after(async () => {
    for (const client of clients) client.socket.destroy();
    await server?.close();
  });

  it("refuses the body that would pass the in-flight budget at once (503), and serves again once the others end", async () => {
    const send = async (): Promise<RawClient> => {
      const client = await rawClient(server.url);
      clients.push(client);
      client.socket.write(
        `POST /attest HTTP/1.1\r\nHost: attester\r\nContent-Type: application/json\r\nContent-Length: ${PART + 1000}\r\n\r\n${"a".repeat(PART)}`,
      );
      return client;
    };
    const held = [await send(), await send()];
    await new Promise((resolve) => setTimeout(resolve, 200));
    const third = await send();
    expect(await statusOf(third, READ_DEADLINE_MS - 500)).to.equal(503);
    // The first two were within the budget: they are left to their deadline (408), which frees it.
    expect(await Promise.all(held.map((c) => statusOf(c, READ_DEADLINE_MS * 4)))).to.deep.equal([408, 408]);
    const after = await send();
    expect(await statusOf(after, READ_DEADLINE_MS * 4)).to.equal(408);
  });
});
