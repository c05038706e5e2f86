import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { type Server, createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { JsonRpcProvider } from "ethers";

import {
  type TakeoverConfig,
  type TakeoverError,
  type TakeoverNode,
  startTakeoverNode,
} from "../../../rollup-node/node/takeover";
import { type E2eRollup, eventually, startE2eRollup } from "../../e2e/support/harness";

/** A TCP port held by this test (`port`, or any free one), so the node's JSON-RPC cannot bind it. */
async function holdPort(wanted = 0): Promise<{ readonly port: number; release(): Promise<void> }> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(wanted, "127.0.0.1", () => resolve()));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return { port, release: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function blockNumberAt(url: string): Promise<bigint> {
  const l2 = new JsonRpcProvider(url, undefined, { staticNetwork: true, cacheTimeout: -1 });
  try {
    return BigInt(await l2.send("eth_blockNumber", []));
  } finally {
    l2.destroy();
  }
}

/**
 * Attack review C4: a take-over node stopped its follower before starting the sequencer, so a
 * sequencer that failed to start (its RPC port taken, its chain not openable…) left a process that
 * neither followed nor sequenced and did not exit. A failed start now goes back to following
 * (serving the L2 RPC again), logs the reason once, and tries the take-over again with back-off.
 */
describe("take-over: a sequencer that fails to start leaves the node following, and it tries again", function () {
  this.timeout(180_000);
  let r: E2eRollup;
  let node: TakeoverNode | undefined;
  const dirs: string[] = [];

  before(async () => {
    r = await startE2eRollup({ produceBlocks: false });
    // The devnet's own sequencer stops: the take-over node sequences with the same (SEQUENCER) key,
    // which the rollup's rule allows at once.
    await r.devnet.node.stop();
  });

  after(async () => {
    await node?.stop();
    await r?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** The devnet's L1, polled fast: each test destroys its own. */
  const l1Provider = (): JsonRpcProvider =>
    new JsonRpcProvider(r.devnet.l1Url, undefined, { staticNetwork: true, pollingInterval: 25, cacheTimeout: -1 });

  /** The take-over node's follower (on a free port) and sequencer (on `port`), on one data directory. */
  const halves = (
    l1: JsonRpcProvider,
    dataDir: string,
    port: number,
  ): Pick<TakeoverConfig, "follower" | "sequencer"> => {
    const rollup = {
      provider: l1,
      rollupAddress: r.devnet.deployment.address,
      deployBlock: r.devnet.deployment.deployBlock,
    };
    return {
      follower: {
        storage: { dataDir },
        l1: { ...rollup, pollMs: 50 },
        follower: { genesis: r.devnet.genesis },
        rpc: { port: 0 },
        logger: r.log.factory,
      },
      sequencer: {
        storage: { dataDir },
        l1: { ...rollup, pollMs: 100 },
        sequencer: { genesis: r.devnet.genesis, allowEmptyBlocks: false },
        keys: r.devnet.keys,
        rpc: { port },
        logger: r.log.factory,
      },
    };
  };

  it("the take-over keeps its RPC port serving: requests sent while the follower hands over to the sequencer wait and are answered, none refused", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "takeover-gap-"));
    dirs.push(dataDir);
    const l1 = l1Provider();
    let tookOver: string | undefined;
    try {
      // As `rollup:node --role follower --takeover --port 0`: one port option for both halves.
      node = await startTakeoverNode({
        ...halves(l1, dataDir, 0),
        pollMs: 50,
        onTakeover: (running) => {
          tookOver = running.url;
        },
      });
      const url = node.follower?.url as string;
      // A client polling the node back to back through the take-over, as a wallet or a dapp does.
      const refused: string[] = [];
      let answered = 0;
      let polling = true;
      const poller = (async () => {
        while (polling) {
          try {
            const response = await fetch(url, {
              method: "POST",
              headers: { "Content-Type": "application/json" },
              body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }),
            });
            const body = (await response.json()) as { result?: string; error?: { message: string } };
            if (body.result === undefined) refused.push(`answered ${response.status}: ${body.error?.message}`);
            else answered += 1;
          } catch (error) {
            refused.push(String((error as { cause?: Error }).cause ?? error));
          }
        }
      })();
      await eventually("the take-over", async () => tookOver, 60_000);
      // A few more requests on the sequencer, then the poller stops.
      const after = answered;
      await eventually("requests answered by the sequencer", async () => answered > after + 3 || undefined, 30_000);
      polling = false;
      await poller;
      process.stderr.write(`      ${answered} requests answered through the take-over, ${refused.length} refused\n`);
      expect(refused, refused.slice(0, 3).join("; ")).to.deep.equal([]);
      expect(tookOver).to.equal(url);
    } finally {
      await node?.stop();
      node = undefined;
      l1.destroy();
    }
  });

  it("with its RPC port taken, the sequencer's start fails: the node follows again (its RPC answers), logs why once, and takes over once the port is free", async () => {
    const taken = await holdPort();
    const dataDir = mkdtempSync(path.join(tmpdir(), "takeover-failure-"));
    dirs.push(dataDir);
    const l1 = l1Provider();
    let tookOver: string | undefined;
    try {
      node = await startTakeoverNode({
        ...halves(l1, dataDir, taken.port),
        pollMs: 50,
        retry: { initialMs: 200, maxMs: 1_000 },
        onTakeover: (running) => {
          tookOver = running.url;
        },
      });
      const followerUrl = node.follower?.url as string;
      await eventually("the failed start to be logged", async () => r.log.has("EADDRINUSE") || undefined, 60_000);
      // Back to following: the follower serves its RPC again, at the same URL.
      const following = await eventually(
        "the node to follow again after the failed take-over",
        async () => node?.follower?.url,
        30_000,
      );
      expect(following).to.equal(followerUrl);
      expect(await blockNumberAt(following)).to.be.a("bigint");
      expect(node.sequencer).to.equal(undefined);
      // Several attempts fail meanwhile; the reason is logged once, not once per attempt.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(r.log.lines.filter((line) => line.includes("EADDRINUSE") && line.includes("ERROR"))).to.have.length(1);

      await taken.release();
      await eventually("the take-over to succeed once the port is free", async () => tookOver, 60_000);
      expect(node.sequencer?.url).to.equal(`http://127.0.0.1:${taken.port}`);
      expect(node.follower).to.equal(undefined);
      expect(await blockNumberAt(tookOver as string)).to.be.a("bigint");
    } finally {
      await node?.stop();
      node = undefined;
      await taken.release().catch(() => undefined);
      l1.destroy();
    }
  });

  it("when the follower cannot be reopened either, the node serves nothing: it reports a TakeoverError through onFatal (the node command exits non-zero with it)", async () => {
    const taken = await holdPort();
    const dataDir = mkdtempSync(path.join(tmpdir(), "takeover-fatal-"));
    dirs.push(dataDir);
    const l1 = l1Provider();
    let fatal: TakeoverError | undefined;
    try {
      node = await startTakeoverNode({
        ...halves(l1, dataDir, taken.port),
        pollMs: 50,
        retry: { initialMs: 200, maxMs: 1_000 },
        onFatal: (error) => {
          fatal = error;
        },
      });
      const url = node.follower?.url as string;
      // The moment the follower stops for the take-over, its data directory becomes a file (its
      // port cannot be taken: the node holds it through the hand-over).
      await eventually(
        "the follower to stop for the take-over",
        async () => node?.follower === undefined || undefined,
        60_000,
      );
      rmSync(dataDir, { recursive: true, force: true });
      writeFileSync(dataDir, "not a data directory");
      const error = await eventually("the fatal report", async () => fatal, 60_000);
      expect(error.code).to.equal("TAKEOVER_FAILED");
      expect(error.message).to.match(/could not be reopened/);
      expect(node.follower).to.equal(undefined);
      expect(node.sequencer).to.equal(undefined);
      // The port it held is closed, not left accepting requests nobody answers.
      const refused = await fetch(url, { method: "POST", body: "{}" }).then(
        () => "answered",
        (reason: { cause?: { code?: string } }) => reason.cause?.code,
      );
      expect(refused).to.equal("ECONNREFUSED");
    } finally {
      await node?.stop();
      node = undefined;
      await taken.release();
      l1.destroy();
    }
  });

  it("an L1 that does not answer the take-over's question is logged once (and again when the reason changes), not at every poll", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "takeover-probe-"));
    dirs.push(dataDir);
    const l1 = new JsonRpcProvider(r.devnet.l1Url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    // The sequencer's L1 (which the take-over asks) is down; the follower's is up.
    const dead = new JsonRpcProvider("http://127.0.0.1:1", undefined, { staticNetwork: true, cacheTimeout: -1 });
    const rollupOf = { rollupAddress: r.devnet.deployment.address, deployBlock: r.devnet.deployment.deployBlock };
    try {
      node = await startTakeoverNode({
        follower: {
          storage: { dataDir },
          l1: { ...rollupOf, provider: l1, pollMs: 50 },
          follower: { genesis: r.devnet.genesis },
          rpc: false,
          logger: r.log.factory,
        },
        sequencer: {
          storage: { dataDir },
          l1: { ...rollupOf, provider: dead },
          sequencer: { genesis: r.devnet.genesis },
          keys: r.devnet.keys,
          rpc: false,
          logger: r.log.factory,
        },
        pollMs: 20,
      });
      const failing = () => r.log.lines.filter((line) => line.includes("take-over check failed"));
      await eventually("a failed check", async () => failing().length > 0 || undefined, 30_000);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      process.stderr.write(`      ${failing().length} line(s) about the failing check in 1.5 s of polls every 20 ms\n`);
      expect(failing()).to.have.length(1);
      expect(node.follower).to.not.equal(undefined);
    } finally {
      await node?.stop();
      node = undefined;
      dead.destroy();
      l1.destroy();
    }
  });
});
