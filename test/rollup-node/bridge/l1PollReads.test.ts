import { expect } from "chai";
import { JsonRpcProvider, Wallet, parseEther } from "ethers";

import { L1AdvanceGasCap } from "../../../rollup-node/bridge/advanceGasCap";
import { connectRollup } from "../../../rollup-node/bridge/contracts";
import { L1Watcher } from "../../../rollup-node/bridge/l1Watcher";
import type { L1Devnet } from "../../../rollup-node/devnet/l1Devnet";
import { silentLogger } from "../../../rollup-node/logger";
import { LoggedLines } from "../../../tools/loggedLines";
import { L1Heads } from "../../../rollup-node/node/l1Heads";
import { type DevnetSequencer, deployDevnetRollup, startDevnetSequencer } from "../../../tools/devnetSequencer";

/** An L1 provider that counts the eth_call requests it sends. */
class CountingProvider extends JsonRpcProvider {
  calls = 0;
  override send(method: string, params: unknown[] | Record<string, unknown>): Promise<unknown> {
    if (method === "eth_call") this.calls++;
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
});
