import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { JsonRpcProvider, Wallet, parseEther } from "ethers";

import { L1AdvanceGasCap } from "../../../rollup-node/bridge/advanceGasCap";
import { connectRollup } from "../../../rollup-node/bridge/contracts";
import { L1Watcher } from "../../../rollup-node/bridge/l1Watcher";
import type { L1Devnet } from "../../../rollup-node/devnet/l1Devnet";
import { silentLogger } from "../../../rollup-node/logger";
import { devNodeKeys } from "../../../rollup-node/node/keys";
import { LoggedLines } from "../../../tools/loggedLines";
import { L1Heads } from "../../../rollup-node/node/l1Heads";
import type { NodeSubmitterConfig } from "../../../rollup-node/node/bridgeService";
import { startRollupNode } from "../../../rollup-node/node/rollupNode";
import { type DevnetSequencer, deployDevnetRollup, startDevnetSequencer } from "../../../tools/devnetSequencer";

/** An L1 provider that counts the eth_call requests it sends, and its reads of an L1 block or head. */
class CountingProvider extends JsonRpcProvider {
  calls = 0;
  headReads = 0;
  override send(method: string, params: unknown[] | Record<string, unknown>): Promise<unknown> {
    if (method === "eth_call") this.calls++;
    if (method === "eth_blockNumber" || method === "eth_getBlockByNumber") this.headReads++;
    return super.send(method, params);
  }
}

// The node polls L1 every few hundred milliseconds; on the devnet L1 shares the node's thread, and
// each eth_call runs the rollup contract (its jump analysis alone is milliseconds). The state at
// an L1 block never changes, so a poll that finds the same L1 head has nothing to read.
describe("L1 polls read the rollup contract only when the L1 head moved", function () {
  this.timeout(60_000);
  let l1: L1Devnet;
  let provider: CountingProvider;
  let devnet: DevnetSequencer<CountingProvider>;
  let rollupAddress: string;
  let deployBlock: number;

  before(async () => {
    devnet = await startDevnetSequencer({
      chainId: 778n,
      sequencerBalance: parseEther("1000000"),
      dirPrefix: "l1-poll-test-",
      Provider: CountingProvider,
    });
    ({ l1, provider } = devnet);
    ({ address: rollupAddress, deployBlock } = await deployDevnetRollup(devnet));
  });

  after(() => devnet.stop());

  it("the L1 watcher: a poll at an unchanged L1 head makes no eth_call; a new L1 block is read", async () => {
    const watcher = new L1Watcher({
      provider,
      rollupAddress,
      fromBlock: deployBlock,
      pollIntervalMs: 50,
      logger: silentLogger,
    });
    await watcher.poll();
    const before = provider.calls;
    await watcher.poll();
    await watcher.poll();
    expect(provider.calls - before).to.equal(0);
    expect(watcher.status).to.include({ messageCount: 0n, pending: 0 });

    const user = connectRollup(rollupAddress, new Wallet(l1.accounts[1]?.privateKey as string, provider));
    await (await user.depositETH(l1.accounts[1]?.address as string, { value: 5n })).wait();
    await watcher.poll();
    expect(watcher.status).to.include({ messageCount: 1n, nextMessageIndex: 0n, pending: 1 });
    expect(watcher.consecutiveFrom(0n, 10).map((m) => m.message.nonce)).to.deep.equal([0n]);
  });

  it("the L1 heads: a refresh at an unchanged L1 head makes no eth_call; a new L1 block is read", async () => {
    const heads = new L1Heads({
      l1Provider: provider,
      rollupAddress,
      pollMs: 50,
      finalityDepth: 2,
      logger: silentLogger,
    });
    await heads.refresh();
    const before = provider.calls;
    await heads.refresh();
    await heads.refresh();
    expect(provider.calls - before).to.equal(0);
    expect(heads.labels("safe")).to.equal(0n);

    const user = connectRollup(rollupAddress, new Wallet(l1.accounts[1]?.privateKey as string, provider));
    await (await user.depositETH(l1.accounts[1]?.address as string, { value: 5n })).wait();
    await heads.refresh();
    expect(provider.calls - before).to.be.greaterThan(0);
  });

  it("the L1 heads on an L1 without the rollup (reset, or another chain at the URL): the warning says so, not 'could not decode result data'", async () => {
    const lines = new LoggedLines();
    const nowhere = Wallet.createRandom().address;
    const heads = new L1Heads({
      l1Provider: provider,
      rollupAddress: nowhere,
      pollMs: 20,
      finalityDepth: 2,
      logger: lines,
    });
    heads.start();
    try {
      for (let i = 0; i < 200 && lines.all.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    } finally {
      heads.stop();
    }
    expect(lines.all[0]).to.equal(
      `reading the L1 heads failed, retrying: this L1 has no rollup contract at ${nowhere}: the L1 was reset, or its URL points to another chain (a devnet: restore its L1 data or start over with --reset; a node: give it the rollup's L1)`,
    );
  });

  it("the advance gas cap: a refresh at an unchanged L1 head makes no eth_call; a new L1 block is read", async () => {
    const cap = new L1AdvanceGasCap({ provider, rollupAddress, logger: silentLogger });
    await cap.refresh();
    const before = provider.calls;
    await cap.refresh();
    await cap.refresh();
    expect(provider.calls - before).to.equal(0);
    expect(cap.limits().policyKeys).to.equal(0);

    const user = connectRollup(rollupAddress, new Wallet(l1.accounts[1]?.privateKey as string, provider));
    await (await user.depositETH(l1.accounts[1]?.address as string, { value: 5n })).wait();
    await cap.refresh();
    expect(provider.calls - before).to.be.greaterThan(0);
  });

  /**
   * The L1 head reads an idle node (no blocks produced) makes per L1 poll interval over 2 s, and
   * the intervals: its pollers (the watcher, the safe/finalized heads, the advance gas cap, and in
   * optimistic mode the challenger) each run on their own timer at the node's interval.
   */
  async function idleHeadReads(
    address: string,
    fromBlock: number,
    submitter: NodeSubmitterConfig = {},
  ): Promise<{ reads: number; intervals: number }> {
    const pollMs = 100;
    const nodeProvider = new CountingProvider(l1.url as string, undefined, {
      staticNetwork: true,
      pollingInterval: 20,
      cacheTimeout: -1,
    });
    const dir = mkdtempSync(path.join(tmpdir(), "l1-poll-idle-"));
    const node = await startRollupNode({
      storage: { dataDir: dir },
      l1: { provider: nodeProvider, rollupAddress: address, deployBlock: fromBlock, pollMs },
      sequencer: { genesis: devnet.genesis, produce: false },
      submitter,
      keys: devNodeKeys(),
      rpc: false,
      dashboard: false,
      logger: () => silentLogger,
    });
    try {
      const before = nodeProvider.headReads;
      const started = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      return { reads: nodeProvider.headReads - before, intervals: (Date.now() - started) / pollMs };
    } finally {
      await node.stop();
      nodeProvider.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  // The pollers read the L1's latest block once per interval between them, not once each (and the
  // watcher checks for a reorg on that block, not on a second read of it).
  it("an idle node reads the L1 head about once per poll interval, not once per poller", async () => {
    const { reads, intervals } = await idleHeadReads(rollupAddress, deployBlock);
    // Three pollers reading on their own made ≈ 4 reads an interval (the watcher's block number
    // and its reorg check, the heads', the gas cap's); shared, ≈ 1, with room for a late timer.
    expect(reads, `${reads} L1 head reads in ${intervals.toFixed(1)} poll intervals`).to.be.at.most(
      Math.ceil(intervals * 1.5) + 2,
    );
    expect(reads).to.be.at.least(1);
  });

  // The challenger reads the head once per poll, for its scan and its L1 clock alike (it read the
  // block number, then the latest block), and its read is the node's shared one.
  it("an idle optimistic node with a challenger reads the L1 head at most about twice per poll interval", async () => {
    const optimistic = await deployDevnetRollup(devnet, {
      optimistic: { challengeWindow: 30n, proposalBond: parseEther("0.1") },
    });
    const { reads, intervals } = await idleHeadReads(optimistic.address, optimistic.deployBlock, {
      mode: { kind: "optimistic" },
    });
    // On their own ≈ 4 an interval as above, the challenger's 2 per poll and the finalizer's; shared,
    // the watcher's and the challenger's fresh reads, which the heads and the gas cap take.
    expect(reads, `${reads} L1 head reads in ${intervals.toFixed(1)} poll intervals`).to.be.at.most(
      Math.ceil(intervals * 2) + 2,
    );
    expect(reads).to.be.at.least(1);
  });
});
