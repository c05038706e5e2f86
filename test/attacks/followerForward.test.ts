import { mkdtempSync, rmSync } from "node:fs";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { JsonRpcProvider, Wallet, parseUnits } from "ethers";

import { type FollowerNode, startFollowerNode } from "../../rollup-node/follower/service";
import { silentLogger } from "../../rollup-node/logger";
import { type E2eRollup, startE2eRollup } from "../e2e/support/harness";

/**
 * Second pass on the follower's forward to its sequencer (attack-review-s23.md): the follower
 * forwards users' raw transactions to `--sequencer-rpc` on a static network, so it never asked that
 * server which chain it serves; and it waited for it as long as ethers does (5 minutes).
 */

/** A JSON-RPC server standing in for the sequencer: answers from `answer`, counting what it was sent. */
async function fakeSequencer(
  answer: (method: string, params: unknown[]) => unknown,
  delayMs = 0,
): Promise<{ url: string; received: string[]; server: Server }> {
  const received: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as
        | { id: number; method: string; params: unknown[] }
        | { id: number; method: string; params: unknown[] }[];
      const one = (r: { id: number; method: string; params: unknown[] }) => {
        received.push(r.method);
        return { jsonrpc: "2.0", id: r.id, result: answer(r.method, r.params) };
      };
      const reply = Array.isArray(body) ? body.map(one) : one(body);
      setTimeout(() => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(reply)), delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, server };
}

describe("attack (second pass): the follower's forward to a sequencer of another chain, or a silent one", function () {
  this.timeout(180_000);
  let r: E2eRollup;
  const dirs: string[] = [];
  const nodes: FollowerNode[] = [];
  const servers: Server[] = [];
  const providers: JsonRpcProvider[] = [];

  async function follower(sequencerRpc: string, forwardTimeoutMs?: number): Promise<JsonRpcProvider> {
    const dir = mkdtempSync(path.join(tmpdir(), "attack-follower-"));
    dirs.push(dir);
    const l1 = new JsonRpcProvider(r.devnet.l1Url, undefined, { staticNetwork: true });
    providers.push(l1);
    const node = await startFollowerNode({
      storage: { dataDir: dir },
      l1: { provider: l1, rollupAddress: r.devnet.deployment.address, deployBlock: r.devnet.deployment.deployBlock },
      follower: {
        genesis: r.devnet.genesis,
        sequencerRpc,
        ...(forwardTimeoutMs === undefined ? {} : { forwardTimeoutMs }),
      },
      rpc: { port: 0 },
      dashboard: false,
      logger: () => silentLogger,
    });
    nodes.push(node);
    const l2 = new JsonRpcProvider(node.url as string, undefined, { staticNetwork: true });
    providers.push(l2);
    return l2;
  }

  const transfer = (): Promise<string> =>
    new Wallet(r.devnet.accounts[3]?.privateKey as string).signTransaction({
      chainId: r.devnet.l2ChainId,
      nonce: 0,
      to: "0x0000000000000000000000000000000000f011ed",
      value: 1n,
      gasLimit: 21_000n,
      maxFeePerGas: parseUnits("20", "gwei"),
      maxPriorityFeePerGas: 1n,
      type: 2,
    });

  before(async () => {
    r = await startE2eRollup({ produceBlocks: false });
  });

  after(async () => {
    for (const p of providers) p.destroy();
    for (const node of nodes) await node.stop();
    for (const server of servers) {
      server.closeAllConnections();
      server.close();
    }
    await r?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("forwards no transaction to a sequencer of the same chain id and another genesis (another rollup that kept the default chain id)", async () => {
    const other = await fakeSequencer((method) =>
      method === "eth_chainId"
        ? `0x${r.devnet.l2ChainId.toString(16)}`
        : method === "eth_getBlockByNumber"
          ? { hash: `0x${"11".repeat(32)}`, number: "0x0" }
          : `0x${"22".repeat(32)}`,
    );
    servers.push(other.server);
    const l2 = await follower(other.url);
    const error = await l2.send("eth_sendRawTransaction", [await transfer()]).then(
      () => undefined,
      (e: { error?: { message?: string; data?: { code?: string } } }) => e.error,
    );
    expect(other.received, "what the other chain's sequencer was sent").to.not.include("eth_sendRawTransaction");
    expect(error?.data?.code).to.equal("FOLLOWER_FORWARD_FAILED");
    expect(error?.message).to.contain("another chain");
  });

  it("still forwards to the rollup's own sequencer (its chain id and genesis)", async () => {
    const l2 = await follower(r.devnet.l2Url);
    expect(await l2.send("eth_sendRawTransaction", [await transfer()])).to.match(/^0x[0-9a-f]{64}$/);
  });

  it("answers a forward to a sequencer that does not answer within its timeout, naming it, not after ethers' 5 minutes", async () => {
    const silent = await fakeSequencer(() => "0x1", 600_000);
    servers.push(silent.server);
    const l2 = await follower(silent.url, 1_000);
    const started = Date.now();
    const outcome = await Promise.race([
      l2.send("eth_sendRawTransaction", [await transfer()]).then(
        () => "answered",
        (e: { error?: { data?: { code?: string } } }) => e.error?.data?.code ?? "error",
      ),
      new Promise<string>((resolve) => setTimeout(() => resolve("still waiting after 60 s"), 60_000)),
    ]);
    expect(outcome).to.equal("FOLLOWER_FORWARD_FAILED");
    expect(Date.now() - started).to.be.below(30_000);
  });
});
