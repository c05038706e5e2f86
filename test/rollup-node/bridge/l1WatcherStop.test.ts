import { expect } from "chai";
import { JsonRpcProvider, parseEther } from "ethers";

import { L1Watcher } from "../../../rollup-node/bridge/l1Watcher";
import type { Logger } from "../../../rollup-node/logger";
import { silentLogger } from "../../../rollup-node/logger";
import { type DevnetSequencer, deployDevnetRollup, startDevnetSequencer } from "../../../tools/devnetSequencer";

/** An L1 provider whose requests, once `hold` is set, wait until `release` is called. */
class HeldProvider extends JsonRpcProvider {
  hold = false;
  private waiting: (() => void)[] = [];
  held = 0;
  override async send(method: string, params: unknown[] | Record<string, unknown>): Promise<unknown> {
    if (this.hold) {
      this.held++;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    return super.send(method, params);
  }
  release(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}

// Ctrl-C on the devnet stops the watcher and then destroys its provider: a poll still in flight
// then fails with "provider destroyed". That is the node stopping, not a poll to retry, and the
// user should not read a warning that says it will be retried.
describe("L1 watcher: stopping it while a poll is in flight logs no failure", function () {
  this.timeout(60_000);
  let provider: HeldProvider;
  let devnet: DevnetSequencer<HeldProvider>;
  let rollupAddress: string;
  let deployBlock: number;

  before(async () => {
    devnet = await startDevnetSequencer({
      chainId: 779n,
      sequencerBalance: parseEther("1000000"),
      dirPrefix: "l1-watcher-stop-",
      Provider: HeldProvider,
    });
    ({ provider } = devnet);
    ({ address: rollupAddress, deployBlock } = await deployDevnetRollup(devnet));
  });

  after(() => devnet.stop());

  it("a poll cut off by stop() and the provider's destruction leaves no 'L1 poll failed (will retry)' warning", async () => {
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (message) => warnings.push(message) };
    const watcher = new L1Watcher({ provider, rollupAddress, fromBlock: deployBlock, pollIntervalMs: 20, logger });
    await watcher.start();
    provider.hold = true;
    while (provider.held === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    watcher.stop();
    provider.destroy();
    provider.release();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(warnings).to.deep.equal([]);
  });
});
