import { type ChildProcess, spawn } from "node:child_process";
import net from "node:net";

import { expect } from "chai";
import { JsonRpcProvider } from "ethers";

import { type L1Devnet, startL1Devnet } from "../../../rollup-node/devnet/l1Devnet";
import { rpcProvider } from "../../../rollup-node/rpc/httpClient";

const OPTIONS = { staticNetwork: true, cacheTimeout: -1 } as const;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Proxy {
  readonly url: string;
  /** TCP connections the clients opened to it. */
  readonly connections: () => number;
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of `port` that counts connections. With `dropReused`, a connection that
 * carries a second request is closed without forwarding it: what a client meets when the server
 * behind a pooled socket went away (stopped, killed, restarted) before the client read the close.
 */
async function startProxy(port: number, dropReused = false): Promise<Proxy> {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    connections += 1;
    sockets.add(client);
    const upstream = net.connect(port, "127.0.0.1");
    sockets.add(upstream);
    let requests = 0;
    client.on("data", (chunk) => {
      if (chunk.includes("POST ")) requests += 1;
      if (dropReused && requests > 1) {
        client.resetAndDestroy();
        upstream.destroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk) => client.write(chunk));
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on("close", end).on("error", end);
    upstream.on("close", end).on("error", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port: own } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${own}`,
    connections: () => connections,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A JSON-RPC server in a child process (killed with SIGKILL below) answering eth_chainId with `chainId`; resolves with its port. */
async function spawnServer(port: number, chainId: number): Promise<{ child: ChildProcess; port: number }> {
  const script = `
    const http = require("node:http");
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        const calls = JSON.parse(body);
        const answer = (call) => ({ jsonrpc: "2.0", id: call.id, result: "0x${chainId.toString(16)}" });
        res.writeHead(200, { "Content-Type": "application/json", Connection: "keep-alive", "Keep-Alive": "timeout=5" });
        res.end(JSON.stringify(Array.isArray(calls) ? calls.map(answer) : answer(calls)));
      });
    });
    server.keepAliveTimeout = 10000;
    server.listen(${port}, "127.0.0.1", () => process.stdout.write(server.address().port + "\\n"));`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const listening = await new Promise<number>((resolve, reject) => {
    child.stdout?.once("data", (line: Buffer) => resolve(Number(String(line).trim())));
    child.once("exit", (code) => reject(new Error(`the server exited (${code}) before listening`)));
  });
  return { child, port: listening };
}

async function killed(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

// The node's providers keep their sockets between requests (one TCP connection per peer instead of
// one per request: an idle e2e rollup made ≈ 50 a second, docs/design/fast-tests.md round 25). A
// pooled socket can outlive its server: the client then sends once more, on a new connection.
describe("JSON-RPC client over HTTP: kept-alive sockets", function () {
  this.timeout(60_000);
  let l1: L1Devnet;

  before(async () => {
    l1 = await startL1Devnet({ port: 0 });
  });

  after(async () => {
    await l1?.stop();
  });

  const l1Port = (): number => Number(new URL(l1.url as string).port);

  it("sends successive requests over one connection", async () => {
    const proxy = await startProxy(l1Port());
    const provider = rpcProvider(proxy.url, OPTIONS);
    try {
      for (let i = 0; i < 5; i++) {
        expect(await provider.send("eth_chainId", [])).to.match(/^0x/);
        await sleep(50);
      }
      expect(proxy.connections()).to.equal(1);
    } finally {
      provider.destroy();
      await proxy.close();
    }
  });

  it("sends a request again on a new connection when its pooled socket was closed under it", async () => {
    const proxy = await startProxy(l1Port(), true);
    const provider = rpcProvider(proxy.url, OPTIONS);
    try {
      await provider.send("eth_chainId", []);
      // The pooled socket is reused, closed by the proxy, and the request answered on a second connection.
      expect(await provider.send("eth_blockNumber", [])).to.match(/^0x/);
      expect(proxy.connections()).to.equal(2);
    } finally {
      provider.destroy();
      await proxy.close();
    }
  });

  it("does not retry what is not a stale socket: a refused connection is reported", async () => {
    const closed = await startProxy(l1Port());
    const url = closed.url;
    await closed.close();
    const provider = rpcProvider(url, OPTIONS);
    try {
      const error = await provider.send("eth_chainId", []).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error?.message).to.match(/ECONNREFUSED/);
    } finally {
      provider.destroy();
    }
  });

  it("is answered by a devnet restarted on the same port", async () => {
    const port = l1Port();
    const provider = rpcProvider(l1.url as string, OPTIONS);
    try {
      await provider.send("evm_mine", []);
      expect(BigInt(await provider.send("eth_blockNumber", []))).to.be.greaterThan(0n);
      await l1.stop();
      l1 = await startL1Devnet({ port });
      // The new devnet's chain starts again at block 0: the answer is the new server's.
      expect(BigInt(await provider.send("eth_blockNumber", []))).to.equal(0n);
    } finally {
      provider.destroy();
    }
  });

  it("is answered by a server started on the port of one killed with SIGKILL", async () => {
    const first = await spawnServer(0, 1);
    let second: { child: ChildProcess } | undefined;
    const provider = rpcProvider(`http://127.0.0.1:${first.port}`, OPTIONS);
    try {
      expect(await provider.send("eth_chainId", [])).to.equal("0x1");
      await killed(first.child);
      second = await spawnServer(first.port, 2);
      expect(await provider.send("eth_chainId", [])).to.equal("0x2");
    } finally {
      provider.destroy();
      await killed(first.child);
      if (second !== undefined) await killed(second.child);
    }
  });

  // The proxy's closed socket is the real failure: a provider on Node's kept-alive global agent,
  // without the retry, gets it.
  it("fails a provider without the retry on the same closed socket", async () => {
    const proxy = await startProxy(l1Port(), true);
    const provider = new JsonRpcProvider(proxy.url, undefined, OPTIONS);
    try {
      await provider.send("eth_chainId", []);
      const error = await provider.send("eth_blockNumber", []).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error?.message).to.match(/socket hang up|ECONNRESET/);
    } finally {
      provider.destroy();
      await proxy.close();
    }
  });
});
