import { closeSync, mkdtempSync, openSync, readSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { threadId } from "node:worker_threads";

import { expect } from "chai";
import { Wallet, parseEther } from "ethers";

import { L1Store } from "../../../rollup-node/devnet/l1Store";
import { parseL1Thread } from "../../../rollup-node/devnet/l1Thread";
import { startRollupDevnet } from "../../../rollup-node/devnet/rollupDevnet";
import { silentLogger } from "../../../rollup-node/logger";
import { type E2eRollup, startE2eRollup } from "../../e2e/support/harness";
import { rejection } from "../rejection";

describe("devnet: the L1 devnet runs on a thread of its own", function () {
  this.timeout(180_000);
  let dataDir: string;
  let rollup: E2eRollup | undefined;

  before(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), "devnet-l1-thread-"));
  });

  after(async () => {
    await rollup?.stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("by default the L1 is a worker thread, not the node's, and serves the rollup over HTTP", async () => {
    rollup = await startE2eRollup({ dataDir, keepDataDir: true });
    const { l1 } = rollup.devnet;
    expect(l1.thread).to.equal("worker");
    expect(l1.threadId).to.not.equal(threadId);
    expect(rollup.log.has(`L1 devnet on its own thread (#${l1.threadId})`)).to.equal(true);
    expect(rollup.devnet.l1Url).to.equal(l1.url);
    expect(await rollup.l1.send("eth_chainId", [])).to.equal(`0x${rollup.devnet.l1ChainId.toString(16)}`);
    // The whole path crosses the thread: a deposit mined by the L1 thread is credited on L2.
    const to = Wallet.createRandom().address;
    await (await rollup.rollup(1).depositETH(to, { value: parseEther("1") })).wait();
    const deadline = Date.now() + 60_000;
    while ((await rollup.l2.getBalance(to)) === 0n) {
      if (Date.now() > deadline) throw new Error("the deposit was not credited on L2");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // The L1's event loop is the worker's: it has been busy mining and answering.
    expect(l1.eventLoopUtilization().active).to.be.greaterThan(0);
    // Its heap is its own isolate's (inside the process's RSS, outside the node's heapUsed), with
    // the L1 chain's trie node cache in it: memory reports ask the thread for it.
    const heap = await l1.heapStatistics();
    expect(heap.used_heap_size).to.be.greaterThan(0);
    expect(heap.node_cache_bytes).to.be.greaterThan(0);
    expect(heap.node_cache_bytes).to.not.equal(rollup.devnet.node.sequencer.chain.heldInMemory.nodeCacheBytes);
    // Its evictions cross the thread too (load:l2's "after the caches are full" verdict reads them):
    // a fresh devnet's cache is far below its bound, so none yet.
    expect(heap.node_cache_evictions).to.equal(0);
    // Its heap snapshot (load:l2 --heap-snapshots) is written from the thread's own heap.
    const snapshotDir = mkdtempSync(path.join(tmpdir(), "l1-heap-"));
    try {
      const file = path.join(snapshotDir, "l1.heapsnapshot");
      await l1.writeHeapSnapshot(file);
      const head = Buffer.alloc(64);
      const fd = openSync(file, "r");
      readSync(fd, head, 0, head.length, 0);
      closeSync(fd);
      expect(head.toString("utf8")).to.match(/^\{\s*"snapshot"\s*:/);
    } finally {
      rmSync(snapshotDir, { recursive: true, force: true });
    }
  });

  it("a start whose L1 thread fails rejects with that thread's error (a second devnet on a data directory in use), and harms nothing", async () => {
    const running = rollup as E2eRollup;
    const error = await rejection(startRollupDevnet({ dataDir, l1Port: 0, l2Port: 0, logger: () => silentLogger }));
    // The L1 store's own error, raised on the other thread: its code, message and hint.
    expect(error.code).to.equal("CHAIN_CONFIG");
    expect(error.message).to.contain(`cannot open the L1 data directory ${path.join(dataDir, "l1")}`);
    expect(error.hint).to.contain("another devnet may be using it");
    expect(error.stack).to.contain("l1Store");
    // The running devnet and its data are untouched.
    const head = await running.l1.getBlockNumber();
    await (await running.l1Wallet(2).sendTransaction({ to: Wallet.createRandom().address, value: 1n })).wait();
    expect(await running.l1.getBlockNumber()).to.equal(head + 1);
  });

  it("an L1 thread that dies stops the devnet with a clear log line; the data directory resumes at the L1 head it had", async () => {
    const dying = rollup as E2eRollup;
    rollup = undefined;
    const head = BigInt(await dying.l1.getBlockNumber());
    const l2Url = dying.devnet.l2Url;
    if (dying.devnet.l1.thread !== "worker") throw new Error("expected the L1 on a worker");
    await dying.devnet.l1.kill();
    const died = await dying.devnet.stopped;
    expect(died?.code).to.equal("L1_THREAD_DIED");
    expect(died?.message).to.equal("the L1 devnet thread died: it exited with code 1");
    expect(died?.hint).to.contain("run it again to resume");
    expect(
      dying.log.has("ERROR [devnet] the L1 devnet thread died: it exited with code 1: stopping the devnet"),
    ).to.equal(true);
    // No half-devnet: the L2 node stopped with it.
    const l2Answer = await fetch(l2Url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }),
    }).then(
      () => "answered",
      () => "refused",
    );
    expect(l2Answer).to.equal("refused");
    await dying.stop();

    rollup = await startE2eRollup({ dataDir, keepDataDir: true });
    expect(rollup.devnet.resumed).to.equal(true);
    expect(rollup.devnet.l1.startHead).to.equal(head);
  });

  it("stop() ends the L1 thread: its server refuses, its store is closed; the chain resumes on the node's thread too", async () => {
    const stopping = rollup as E2eRollup;
    rollup = undefined;
    const l1Url = stopping.devnet.l1Url;
    const head = BigInt(await stopping.l1.getBlockNumber());
    await stopping.stop();
    expect(await stopping.devnet.stopped).to.equal(undefined);
    const answer = await fetch(l1Url, { method: "POST", body: "{}" }).then(
      () => "answered",
      () => "refused",
    );
    expect(answer).to.equal("refused");
    // The thread closed its LevelDB (a store left open would hold its lock in this process).
    const store = await L1Store.open(path.join(dataDir, "l1"));
    await store.close();

    // The same store with the L1 on the node's thread: the chain itself is then in hand.
    rollup = await startE2eRollup({ dataDir, keepDataDir: true, l1Thread: "main" });
    const { l1 } = rollup.devnet;
    expect(rollup.devnet.resumed).to.equal(true);
    expect(l1.thread).to.equal("main");
    expect(l1.threadId).to.equal(threadId);
    expect(l1.startHead).to.equal(head);
    if (l1.thread === "main") expect(l1.devnet.chain.headNumber).to.equal(head);
  });

  it("the thread is chosen by name: worker (the default) or main; anything else is refused with a hint", () => {
    expect(parseL1Thread(undefined, "BENCH_L1_THREAD")).to.equal("worker");
    expect(parseL1Thread("main", "BENCH_L1_THREAD")).to.equal("main");
    expect(() => parseL1Thread("both", "BENCH_L1_THREAD")).to.throw(
      'BENCH_L1_THREAD must be "worker" or "main", got "both"',
    );
  });
});
