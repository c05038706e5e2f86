import net from "node:net";

import { expect } from "chai";

import { type L1Devnet, startL1Devnet } from "../../../rollup-node/devnet/l1Devnet";
import { KEEP_ALIVE_TIMEOUT_MS } from "../../../rollup-node/rpc/server";
import { readAnswer, request, sleep } from "./support/rawHttp";

/** How late a client on a loaded machine may act on the advertised idle time (seen: over a second). */
const CLIENT_LAG_MS = 2_500;

// An HTTP client reuses an idle keep-alive socket until the idle time the server advertises
// (Node's agent takes it from the Keep-Alive header). A server that closes the socket at that same
// moment races the client's next request on it: under load the client sends on a socket already
// closed and gets "socket hang up" (ECONNRESET), which bench:rollup and load:l2 met. The server
// keeps an idle socket open longer than it tells clients to.
describe("JSON-RPC over HTTP: keep-alive", function () {
  this.timeout(60_000);
  let l1: L1Devnet;

  before(async () => {
    l1 = await startL1Devnet({ port: 0 });
  });

  after(async () => {
    await l1?.stop();
  });

  it("keeps an idle socket open past the idle time it advertises, so a client's reuse at that moment is answered", async () => {
    const port = Number(new URL(l1.url as string).port);
    const socket = net.connect(port, "127.0.0.1");
    try {
      await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
      socket.write(request(port));
      const first = await readAnswer(socket);
      const hint = /keep-alive: timeout=(\d+)/i.exec(first);
      expect(hint, "the answer advertises an idle timeout").to.not.equal(null);
      // The client's clock: the advertised idle time, and the lag of a loaded machine.
      await sleep(Number(hint?.[1]) * 1000 + CLIENT_LAG_MS);
      expect(socket.destroyed || socket.readyState !== "open", "the server closed the socket").to.equal(false);
      socket.write(request(port));
      const second = await readAnswer(socket);
      expect(second).to.match(/^HTTP\/1\.1 200/);
      expect(second).to.include('"result"');
    } finally {
      socket.destroy();
    }
  });

  // The server's thread also mines, runs EXECUTE or builds blocks: on a loaded machine it can be
  // busy for seconds. A client that reused the socket within the advertised idle time has its next
  // request waiting in the socket when the thread comes back, past the server's own idle timeout;
  // an event loop runs its timers before it reads sockets, so a server that closes an idle socket
  // from its timer closes this one with the request unread: "socket hang up", or EPIPE while a
  // large body (an `eth_sendRawTransaction` of a big transaction) is still being written.
  it("answers a request that reached a kept-alive socket while its thread was busy past the idle timeout", async () => {
    const port = Number(new URL(l1.url as string).port);
    const socket = net.connect(port, "127.0.0.1");
    let closedUnanswered = false;
    socket.on("error", () => {
      closedUnanswered = true;
    });
    try {
      await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
      socket.write(request(port));
      const first = await readAnswer(socket);
      const answeredAt = Date.now();
      const hint = Number(/keep-alive: timeout=(\d+)/i.exec(first)?.[1]);
      // Within the client's reuse window (Node's agent: the hint less one second).
      await sleep(hint * 1000 - 1500);
      const rawTx = `0x${"ab".repeat(1_000_000)}`;
      const answer = readAnswer(socket);
      // Busy outside a timer's callback, as a request's handler or a block's build is: the loop
      // reads its clock and runs the timers that came due before it reads sockets again.
      await new Promise<void>((resolve) => setImmediate(resolve));
      socket.write(
        request(port, JSON.stringify({ jsonrpc: "2.0", id: 2, method: "eth_sendRawTransaction", params: [rawTx] })),
      );
      // The server's thread (this one) busy until well past its idle timeout, counted from its
      // answer (Node's server adds a second to the timeout it is given).
      const busyUntil = answeredAt + KEEP_ALIVE_TIMEOUT_MS + 3_000;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, busyUntil - Date.now());
      const second = await answer;
      expect(second, "the server closed the socket with the request unread").to.match(/^HTTP\/1\.1 200/);
      expect(second).to.include('"id":2');
      expect(closedUnanswered).to.equal(false);
      // And an idle socket is still closed: once its timeout has passed with nothing read.
      const idleSince = Date.now();
      const closed = await Promise.race([
        new Promise<boolean>((resolve) => socket.once("close", () => resolve(true))),
        sleep(KEEP_ALIVE_TIMEOUT_MS + 4_000).then(() => false),
      ]);
      expect(closed, "the server closed the idle socket").to.equal(true);
      expect(Date.now() - idleSince).to.be.at.least(KEEP_ALIVE_TIMEOUT_MS - 500);
    } finally {
      socket.destroy();
    }
  });
});
