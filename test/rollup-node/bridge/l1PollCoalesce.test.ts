import { expect } from "chai";
import { JsonRpcProvider, Wallet, parseEther } from "ethers";

import { deployRollup } from "../../../deploy/rollup";
import { connectRollup } from "../../../rollup-node/bridge/contracts";
import { L1Watcher } from "../../../rollup-node/bridge/l1Watcher";
import { type L1Devnet, startL1Devnet } from "../../../rollup-node/devnet/l1Devnet";
import { silentLogger } from "../../../rollup-node/logger";
import { devNodeKeys } from "../../../rollup-node/node/keys";

/** An L1 provider that counts reads of L1's latest block and, while held, keeps them from L1. */
class HeldProvider extends JsonRpcProvider {
  headReads = 0;
  private held: Promise<void> | undefined;
  private release: (() => void) | undefined;

  hold(): void {
    this.held = new Promise((resolve) => {
      this.release = resolve;
    });
  }

  let(): void {
    this.release?.();
    this.held = undefined;
  }

  override async send(method: string, params: unknown[] | Record<string, unknown>): Promise<unknown> {
    if (method === "eth_getBlockByNumber" && Array.isArray(params) && params[0] === "latest") {
      this.headReads++;
      if (this.held !== undefined) await this.held;
    }
    return super.send(method, params);
  }
}

// Issue 14: the watcher polls on an interval (100 ms in load:l2) and before every L2 block. A poll
// waits for L1; when L1 was slow (an EXECUTE simulation holding it for seconds) the polls queued
// one behind another, each making its own round trips, and the L2 block waiting for "a fresh read"
// waited behind all of them. Callers that ask while a poll runs share the one poll after it: that
// one starts after their call, so each still gets an L1 read made after it asked.
describe("L1 watcher: polls asked while one runs share the next one", function () {
  this.timeout(60_000);
  const keys = devNodeKeys();
  let l1: L1Devnet;
  let provider: HeldProvider;
  /** The depositor's own connection to L1 (not held). */
  let userProvider: JsonRpcProvider;
  let watcher: L1Watcher;
  let rollupAddress: string;

  before(async () => {
    l1 = await startL1Devnet({ port: 0, alloc: { [keys.sequencer.address]: { balance: parseEther("1000000") } } });
    provider = new HeldProvider(l1.url, undefined, { staticNetwork: true, pollingInterval: 20, cacheTimeout: -1 });
    userProvider = new JsonRpcProvider(l1.url, undefined, { staticNetwork: true, pollingInterval: 20 });
    const deployment = await deployRollup(new Wallet(keys.sequencer.privateKey, provider), {
      l2ChainId: 779n,
      genesisBlockHash: `0x${"11".repeat(32)}`,
      genesisStateRoot: `0x${"22".repeat(32)}`,
      sequencer: keys.sequencer.address,
      genesisSupply: 0n,
    });
    rollupAddress = deployment.address;
    watcher = new L1Watcher({
      provider,
      rollupAddress,
      fromBlock: deployment.deployBlock,
      pollIntervalMs: 50,
      logger: silentLogger,
    });
    await watcher.poll();
  });

  after(async () => {
    provider.let();
    provider.destroy();
    userProvider.destroy();
    await l1.stop();
  });

  it("twenty polls asked during a slow one make two; the last sees a deposit made after the first began", async () => {
    const before = provider.headReads;
    provider.hold();
    const first = watcher.poll();
    // The first poll is waiting for L1's head; a deposit lands on L1 meanwhile.
    const user = connectRollup(rollupAddress, new Wallet(l1.accounts[1]?.privateKey as string, userProvider));
    const deposited = await (await user.depositETH(l1.accounts[1]?.address as string, { value: 5n })).wait();
    const later = Array.from({ length: 20 }, () => watcher.poll());
    provider.let();
    await Promise.all([first, ...later]);
    expect(provider.headReads - before, "reads of the L1 head").to.equal(2);
    expect(watcher.status.l1Head).to.be.at.least(deposited?.blockNumber ?? Number.POSITIVE_INFINITY);
    expect(watcher.status).to.include({ messageCount: 1n, pending: 1 });
  });
});
