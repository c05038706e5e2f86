import net from "node:net";

import { expect } from "chai";

import { type L1Devnet, startL1Devnet } from "../../../rollup-node/devnet/l1Devnet";
import type { RpcBackend } from "../../../rollup-node/rpc/backend";
import { RpcDispatcher } from "../../../rollup-node/rpc/dispatcher";
import { startRpcServer } from "../../../rollup-node/rpc/server";
import { CHAIN_ID_CALL, readAnswer, request, sleep } from "./support/rawHttp";

// A sequencer's RPC is often public: one stranger must not be able to hold its sockets or its
// memory (attack-review-s29.md, findings 4 and 5). The limits are configured small here so each
// case takes seconds; the defaults (DEFAULT_RPC_LIMITS) only scale them.

/** The headers of a request whose body is `length` bytes; the body is the caller's to send (or not). */
function headersOnly(port: number, length: number): string {
  return `POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;
}

/** A connected socket that swallows its errors (the server resetting it is an expected outcome). */
async function connect(port: number): Promise<net.Socket> {
  const socket = net.connect(port, "127.0.0.1");
  socket.on("error", () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("close", () => reject(new Error("closed before connecting")));
  });
  return socket;
}

/** True once the socket is closed, false if it is still open after `ms`. */
function closedWithin(socket: net.Socket, ms: number): Promise<boolean> {
  if (socket.destroyed) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function portOf(devnet: L1Devnet): number {
  return Number(new URL(devnet.url as string).port);
}

async function chainIdOver(socket: net.Socket, port: number): Promise<string> {
  const answer = readAnswer(socket);
  socket.write(request(port));
  return answer;
}

describe("JSON-RPC over HTTP: what a stranger's sockets may hold", function () {
  this.timeout(60_000);

  describe("idle sockets and the connection cap", () => {
    const IDLE_MS = 1_000;
    const MAX_CONNECTIONS = 4;
    let l1: L1Devnet;

    before(async () => {
      l1 = await startL1Devnet({
        port: 0,
        rpcLimits: { keepAliveTimeoutMs: IDLE_MS, maxConnections: MAX_CONNECTIONS },
      });
    });

    after(async () => {
      await l1?.stop();
    });

    // Each byte refreshed Node's idle timer, and llhttp skips a CRLF between requests without
    // starting one: such a socket was never closed.
    it("closes a kept-alive socket that trickles \\r\\n once it has been idle past the timeout since its answer", async () => {
      const port = portOf(l1);
      const socket = await connect(port);
      const trickle = setInterval(() => {
        if (!socket.destroyed) socket.write("\r\n");
      }, 200);
      try {
        expect(await chainIdOver(socket, port)).to.match(/^HTTP\/1\.1 200/);
        const answeredAt = Date.now();
        const closed = await closedWithin(socket, IDLE_MS + 4_000);
        expect(closed, "the server closed the trickling socket").to.equal(true);
        expect(Date.now() - answeredAt, "not before its idle time").to.be.at.least(IDLE_MS - 100);
      } finally {
        clearInterval(trickle);
        socket.destroy();
      }
    });

    it("closes a fresh socket that trickles a request's headers and never completes them", async () => {
      const port = portOf(l1);
      const socket = await connect(port);
      const head = headersOnly(port, 10);
      let sent = 0;
      const trickle = setInterval(() => {
        if (!socket.destroyed && sent < head.length) socket.write(head[sent++]);
      }, 200);
      try {
        expect(await closedWithin(socket, IDLE_MS + 4_000), "the server closed it").to.equal(true);
      } finally {
        clearInterval(trickle);
        socket.destroy();
      }
    });

    it("refuses connections past the cap while the clients it holds keep being served", async () => {
      const port = portOf(l1);
      const held: net.Socket[] = [];
      // Kept busy within the idle time, so the sweep leaves them open: the cap alone must refuse.
      const keepBusy = setInterval(() => {
        for (const socket of held) if (!socket.destroyed) socket.write(request(port));
      }, IDLE_MS / 4);
      try {
        for (let i = 0; i < MAX_CONNECTIONS; i++) {
          const socket = await connect(port);
          held.push(socket);
          expect(await chainIdOver(socket, port)).to.match(/^HTTP\/1\.1 200/);
        }
        const extra = net.connect(port, "127.0.0.1");
        extra.on("error", () => {});
        const answer = readAnswer(extra);
        extra.write(request(port));
        expect(await closedWithin(extra, 5_000), "the connection past the cap was closed").to.equal(true);
        expect(await answer, "and not answered").to.equal("");
        clearInterval(keepBusy);
        // Answers to the keep-busy requests may still be arriving: each socket's next answer is read fresh.
        await sleep(300);
        for (const socket of held) {
          expect(socket.destroyed, "a held client was dropped").to.equal(false);
          const fresh = readAnswer(socket);
          socket.write(request(port, JSON.stringify({ jsonrpc: "2.0", id: 77, method: "eth_chainId", params: [] })));
          let text = await fresh;
          while (!text.includes('"id":77') && !socket.destroyed) text += await readAnswer(socket);
          expect(text).to.include('"id":77');
        }
      } finally {
        clearInterval(keepBusy);
        for (const socket of held) socket.destroy();
      }
    });
  });

  describe("request bodies", () => {
    const BUDGET = 256 * 1024;
    const BODY_TIMEOUT_MS = 2_500;
    const PART = 100 * 1024;
    let l1: L1Devnet;

    before(async () => {
      l1 = await startL1Devnet({
        port: 0,
        rpcLimits: { maxBodyBytesInFlight: BUDGET, bodyTimeoutMs: BODY_TIMEOUT_MS },
      });
    });

    after(async () => {
      await l1?.stop();
    });

    // Each socket could buffer up to 64 MiB, on any number of sockets, until Node's 300 s timeout.
    it("holds no more than the budget for bodies that never end, answers a normal client meanwhile, and cuts the stalled ones", async () => {
      const port = portOf(l1);
      const SOCKETS = 6;
      const endless: net.Socket[] = [];
      const answers: Promise<string>[] = [];
      try {
        for (let i = 0; i < SOCKETS; i++) {
          const socket = await connect(port);
          endless.push(socket);
          answers.push(readAnswer(socket));
          socket.write(headersOnly(port, 100 * 1024 * 1024));
          socket.write(Buffer.alloc(PART, 0x20));
        }
        // The budget holds two parts: every other socket must be refused, with the reason.
        const refusedAll = Promise.all(
          endless.map((socket, i) => closedWithin(socket, 8_000).then((closed) => (closed ? i : -1))),
        );
        const served = await fetch(l1.url as string, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: CHAIN_ID_CALL,
        });
        expect(served.status, "a normal client is served").to.equal(200);
        const closed = (await refusedAll).filter((i) => i >= 0);
        expect(closed.length, "every endless body is cut: refused past the budget, or stalled").to.equal(SOCKETS);
        const texts = await Promise.all(answers);
        const busy = texts.filter((text) => /^HTTP\/1\.1 503/.test(text));
        const stalled = texts.filter((text) => /^HTTP\/1\.1 408/.test(text));
        expect(busy.length, "refused past the budget").to.be.at.least(SOCKETS - Math.floor(BUDGET / PART));
        expect(busy[0]).to.match(/budget of 262144 bytes/);
        expect(busy.length + stalled.length).to.equal(SOCKETS);
        // The budget is released: a body as large as the parts is read whole.
        const padded = `${CHAIN_ID_CALL}${" ".repeat(PART)}`;
        const after = await fetch(l1.url as string, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: padded,
        });
        expect(after.status).to.equal(200);
        expect(((await after.json()) as { result: string }).result).to.equal("0x539");
      } finally {
        for (const socket of endless) socket.destroy();
      }
    });

    // The limits must not cut an honest client on a slow link: a 2 MB transaction sent in parts
    // over longer than the idle time, on a socket reused after an answer.
    it("still answers a 2 MB eth_sendRawTransaction sent slowly on a kept-alive socket", async () => {
      const slow = await startL1Devnet({
        port: 0,
        rpcLimits: { keepAliveTimeoutMs: 1_000, bodyTimeoutMs: 10_000, maxBodyBytesInFlight: 4 * 1024 * 1024 },
      });
      const port = portOf(slow);
      const socket = await connect(port);
      try {
        expect(await chainIdOver(socket, port)).to.match(/^HTTP\/1\.1 200/);
        await sleep(500);
        const body = Buffer.from(
          JSON.stringify({
            jsonrpc: "2.0",
            id: 2,
            method: "eth_sendRawTransaction",
            params: [`0x${"ab".repeat(1_000_000)}`],
          }),
        );
        const answer = readAnswer(socket);
        socket.write(headersOnly(port, body.length).replace("\r\n\r\n", "\r\nConnection: keep-alive\r\n\r\n"));
        const PARTS = 16;
        const size = Math.ceil(body.length / PARTS);
        for (let i = 0; i < PARTS; i++) {
          socket.write(body.subarray(i * size, (i + 1) * size));
          await sleep(150);
        }
        const text = await answer;
        expect(text, "the slow request was answered").to.match(/^HTTP\/1\.1 200/);
        expect(text).to.include('"id":2');
      } finally {
        socket.destroy();
        await slow.stop();
      }
    });
  });

  // An operator must see that a limit is refusing clients, without one line per refusal.
  it("reports the cap's refusal at once, and not once per refused connection", async () => {
    const reports: string[] = [];
    // The server and dispatcher are the real ones; the chain behind them is not what this is about.
    const dispatcher = new RpcDispatcher({} as RpcBackend, { methods: { eth_chainId: () => "0x1" } });
    const server = await startRpcServer(dispatcher, {
      port: 0,
      limits: { maxConnections: 1 },
      onRefused: (message) => reports.push(message),
    });
    const held = await connect(server.port);
    const extras: net.Socket[] = [];
    try {
      expect(await chainIdOver(held, server.port)).to.match(/^HTTP\/1\.1 200/);
      for (let i = 0; i < 3; i++) {
        const extra = net.connect(server.port, "127.0.0.1");
        extra.on("error", () => {});
        extras.push(extra);
        expect(await closedWithin(extra, 5_000), "refused").to.equal(true);
      }
      expect(reports).to.have.length(1);
      expect(reports[0]).to.match(
        /^connection from 127\.0\.0\.1 refused: 1 connections open, the cap \(maxConnections\)$/,
      );
    } finally {
      held.destroy();
      for (const extra of extras) extra.destroy();
      await server.close();
    }
  });
});
