import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { JsonRpcProvider, Wallet, parseUnits } from "ethers";

import { type FollowerNode, startFollowerNode } from "../../../rollup-node/follower/service";
import { type NodeRpcError, RollupClient, nodeRpcErrorFrom } from "../../../sdk";
import { silentLogger } from "../../../rollup-node/logger";
import { type E2eRollup, startE2eRollup } from "../../e2e/support/harness";

function provider(url: string): JsonRpcProvider {
  return new JsonRpcProvider(url, undefined, { staticNetwork: true, cacheTimeout: -1 });
}

/** The JSON-RPC error a call answers (ethers puts the node's `error` object in `error.error`). */
async function rpcError(l2: JsonRpcProvider, method: string, params: unknown[]): Promise<string> {
  return l2.send(method, params).then(
    (answer: unknown) => expect.fail(`${method} answered ${JSON.stringify(answer)} instead of an error`),
    (e: { error?: { message?: string }; message: string }) => e.error?.message ?? e.message,
  );
}

describe("a follower's JSON-RPC has no transaction pool: it refuses, or forwards to the sequencer it was given", function () {
  this.timeout(120_000);
  let r: E2eRollup;
  const dirs: string[] = [];
  const nodes: { node: FollowerNode; l1: JsonRpcProvider; l2: JsonRpcProvider }[] = [];

  async function follower(sequencerRpc?: string | readonly string[]): Promise<JsonRpcProvider> {
    const dir = mkdtempSync(path.join(tmpdir(), "follower-rpc-"));
    dirs.push(dir);
    const l1 = provider(r.devnet.l1Url);
    const node = await startFollowerNode({
      storage: { dataDir: dir },
      l1: { provider: l1, rollupAddress: r.devnet.deployment.address, deployBlock: r.devnet.deployment.deployBlock },
      follower: { genesis: r.devnet.genesis, ...(sequencerRpc === undefined ? {} : { sequencerRpc }) },
      rpc: { port: 0 },
      dashboard: false,
      logger: () => silentLogger,
    });
    const l2 = provider(node.url as string);
    nodes.push({ node, l1, l2 });
    return l2;
  }

  /** A transfer `nonceAhead` nonces past the sender's next: the sequencer queues it behind the gap. */
  async function gappedTransfer(account: number, nonceAhead: number): Promise<string> {
    const wallet = new Wallet(r.devnet.accounts[account]?.privateKey as string);
    return wallet.signTransaction({
      chainId: r.devnet.l2ChainId,
      nonce: nonceAhead,
      to: "0x0000000000000000000000000000000000f011ed",
      value: 1n,
      gasLimit: 21_000n,
      maxFeePerGas: parseUnits("20", "gwei"),
      maxPriorityFeePerGas: 1n,
      type: 2,
    });
  }

  before(async () => {
    r = await startE2eRollup({ produceBlocks: false });
  });

  after(async () => {
    for (const { node, l1, l2 } of nodes) {
      l2.destroy();
      await node.stop();
      l1.destroy();
    }
    await r?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("without a sequencer URL, eth_sendRawTransaction, eth_sendTransaction and every txpool_* method say this node is a follower and where transactions go", async () => {
    const l2 = await follower();
    const from = r.devnet.accounts[3]?.address as string;
    const answers: Record<string, string> = {
      eth_sendRawTransaction: await rpcError(l2, "eth_sendRawTransaction", [await gappedTransfer(3, 0)]),
      eth_sendTransaction: await rpcError(l2, "eth_sendTransaction", [
        { from, to: "0x0000000000000000000000000000000000f011ed", value: "0x1" },
      ]),
      txpool_status: await rpcError(l2, "txpool_status", []),
      txpool_content: await rpcError(l2, "txpool_content", []),
      txpool_contentFrom: await rpcError(l2, "txpool_contentFrom", [from]),
    };
    for (const [method, message] of Object.entries(answers)) {
      expect(message, method).to.match(/^this node is a follower/);
      expect(message, method).to.contain("sequencer");
    }
    expect(answers.eth_sendTransaction).to.contain("eth_sendRawTransaction");
    expect(answers.txpool_status).to.contain("no transaction pool");
  });

  it("a refusal reaches ethers and the SDK with its code and hint: FOLLOWER_READ_ONLY in data, not only ethers' 'could not coalesce error'", async () => {
    const l2 = await follower();
    const refused = await l2.broadcastTransaction(await gappedTransfer(5, 0)).then(
      () => expect.fail("the follower took a transaction"),
      (e: Error & { error?: { code: number; message: string; data?: { code?: string; hint?: string } } }) => e,
    );
    // ethers cannot name the error from its message; the node's code and hint are in the error object.
    expect(refused.message).to.match(/^could not coalesce error/);
    expect(refused.error?.code).to.equal(-32000);
    expect(refused.error?.message).to.match(/^this node is a follower/);
    expect(refused.error?.data?.code).to.equal("FOLLOWER_READ_ONLY");
    expect(refused.error?.data?.hint).to.contain("--sequencer-rpc");
    const read = nodeRpcErrorFrom(refused) as NodeRpcError;
    expect([read.nodeCode, read.rpcCode, read.method]).to.deep.equal([
      "FOLLOWER_READ_ONLY",
      -32000,
      "eth_sendRawTransaction",
    ]);
    expect(read.hint).to.contain("--sequencer-rpc");

    // Through the SDK: a withdrawal sent to the follower fails with the node's error, not a revert.
    const client = new RollupClient({
      l1: r.l1Wallet(5).connect(r.l1),
      l2: r.l2Wallet(5).connect(l2),
      rollupAddress: r.devnet.deployment.address,
    });
    const failed = await client.withdraw({ amount: 1n }).then(
      () => expect.fail("the follower took a withdrawal"),
      (e: NodeRpcError) => e,
    );
    expect([failed.code, failed.nodeCode, failed.rpcCode]).to.deep.equal(["NODE_RPC", "FOLLOWER_READ_ONLY", -32000]);
    expect(failed.hint).to.contain("--sequencer-rpc");

    // A dev method the follower does not serve.
    const mine = await l2.send("evm_mine", []).then(
      () => expect.fail("the follower mined"),
      (e: Error) => nodeRpcErrorFrom(e) as NodeRpcError,
    );
    expect([mine.rpcCode, mine.nodeCode]).to.deep.equal([-32601, "METHOD_NOT_FOUND"]);
  });

  it("with the sequencer's URL, forwards eth_sendRawTransaction and answers txpool_* with the sequencer's pool, where the forwarded transaction waits", async () => {
    const l2 = await follower(r.devnet.l2Url);
    const sender = r.devnet.accounts[4]?.address as string;
    // Nonce 5 of a fresh sender: queued behind a gap, it stays in the sequencer's pool.
    const hash = (await l2.send("eth_sendRawTransaction", [await gappedTransfer(4, 5)])) as string;
    expect(await l2.send("txpool_status", [])).to.deep.equal({ pending: "0x0", queued: "0x1" });
    const mine = (await l2.send("txpool_contentFrom", [sender])) as { queued: Record<string, { hash: string }> };
    expect(mine.queued["5"]?.hash).to.equal(hash);
    const all = (await l2.send("txpool_content", [])) as { queued: Record<string, unknown> };
    expect(Object.keys(all.queued)).to.deep.equal([sender]);
    // A follower still signs nothing: eth_sendTransaction names eth_sendRawTransaction, which it forwards.
    const refused = await rpcError(l2, "eth_sendTransaction", [
      { from: sender, to: "0x0000000000000000000000000000000000f011ed", value: "0x1" },
    ]);
    expect(refused).to.match(/^this node is a follower/);
    expect(refused).to.contain(
      `eth_sendRawTransaction, which this follower forwards to the sequencer at ${r.devnet.l2Url}`,
    );
  });

  // After a take-over the node sequencing is another one: the follower is given the sequencer and
  // the nodes that may take over from it (--sequencer-rpc URL,URL,…) and forwards to the first
  // that answers as a sequencer: a dead one and a stand-in still following are passed over.
  it("with several sequencer URLs, forwards to the one sequencing: a dead sequencer and a stand-in still following are passed over", async () => {
    const standby = nodes.length;
    await follower();
    const standbyUrl = nodes[standby]?.node.url as string;
    const dead = "http://127.0.0.1:1";
    const l2 = await follower([dead, standbyUrl, r.devnet.l2Url]);
    const sender = r.devnet.accounts[8]?.address as string;
    const hash = (await l2.send("eth_sendRawTransaction", [await gappedTransfer(8, 3)])) as string;
    const mine = (await l2.send("txpool_contentFrom", [sender])) as { queued: Record<string, { hash: string }> };
    expect(mine.queued["3"]?.hash).to.equal(hash);

    // None sequencing: one error naming each URL and why, and what to do after a take-over.
    const none = await follower([dead, standbyUrl]);
    const failed = await none.send("eth_sendRawTransaction", [await gappedTransfer(8, 4)]).then(
      () => expect.fail("forwarded with no node sequencing"),
      (e: { error?: { message: string; data?: { code?: string; hint?: string } } }) => e.error,
    );
    expect(failed?.data?.code).to.equal("FOLLOWER_FORWARD_FAILED");
    expect(failed?.message).to.contain(`none of its 2 sequencer URLs is: ${dead} did not answer`);
    expect(failed?.message).to.contain(`${standbyUrl} is a follower, not sequencing (FOLLOWER_READ_ONLY)`);
    expect(failed?.data?.hint).to.contain("took over sequencing").and.to.contain("--sequencer-rpc (URL,URL,…");
  });

  // A follower outlives its sequencer (kill -9, a restart): a forward while it is down must fail
  // once with FOLLOWER_FORWARD_FAILED, not start ethers' network detection, which prints
  // "JsonRpcProvider failed to detect network …" on stdout every second until the sequencer is back.
  it("a forward to a sequencer that is down fails once and leaves no retry loop printing on stdout", async () => {
    const l2 = await follower("http://127.0.0.1:1");
    const printed: string[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => void printed.push(args.map(String).join(" "));
    try {
      const message = await rpcError(l2, "eth_sendRawTransaction", [await gappedTransfer(7, 0)]);
      expect(message).to.contain("did not answer");
      await new Promise((resolve) => setTimeout(resolve, 2_500));
    } finally {
      console.log = log;
    }
    expect(printed.filter((line) => line.includes("failed to detect network"))).to.deep.equal([]);
  });

  // A sequencer URL often carries a credential: a user and password, or a provider's API key in
  // its path or query. The follower answers anyone; its errors name the sequencer by its origin only.
  it("never answers the secrets of its sequencer URL (user, password, API key in the path or query) in an error", async () => {
    // Port 1: nothing listens, so the forward fails as well as the refusal of eth_sendTransaction.
    const secretUrl = "http://operator:pa55word@127.0.0.1:1/v3/APIKEY0123456789?token=t0ken";
    await follower(secretUrl);
    const url = nodes[nodes.length - 1]?.node.url as string;
    const from = r.devnet.accounts[6]?.address as string;
    const bodies: string[] = [];
    for (const [method, params] of [
      ["eth_sendRawTransaction", [await gappedTransfer(6, 0)]],
      ["eth_sendTransaction", [{ from, to: "0x0000000000000000000000000000000000f011ed", value: "0x1" }]],
      ["txpool_status", []],
    ] as const) {
      const response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
      });
      bodies.push(await response.text());
    }
    for (const body of bodies) {
      const { error } = JSON.parse(body) as { error?: { message: string; data?: { code?: string } } };
      expect(error?.data?.code, body).to.match(/^FOLLOWER_/);
      expect(error?.message, body).to.contain("http://127.0.0.1:1");
      for (const secret of ["operator", "pa55word", "APIKEY0123456789", "t0ken"]) expect(body).not.to.contain(secret);
    }
  });
});
