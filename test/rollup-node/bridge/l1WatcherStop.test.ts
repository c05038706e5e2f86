import { expect } from "chai";
import { JsonRpcProvider, Wallet, parseEther } from "ethers";

import { connectRollup } from "../../../rollup-node/bridge/contracts";
import { L1Watcher, explainL1ReadFailure } from "../../../rollup-node/bridge/l1Watcher";
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
describe("L1 watcher: what a failed poll says (nothing when stopped mid-poll; a missing rollup by its address)", function () {
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

  it("a read of a rollup this L1 does not have says so, with the address, instead of 'could not decode result data'", async () => {
    // The test above destroyed the devnet's provider.
    const provider = new JsonRpcProvider(devnet.l1.url as string, undefined, { staticNetwork: true });
    try {
      const nowhere = Wallet.createRandom().address;
      const failure = await connectRollup(nowhere, provider)
        .messageCount()
        .then(() => expect.fail("a call to an address without code answered"))
        .catch((error: unknown) => error);
      expect(await explainL1ReadFailure(provider, nowhere, failure)).to.include(
        `this L1 has no rollup contract at ${nowhere}`,
      );
      // With a rollup there, the failure is left as it was.
      expect(await explainL1ReadFailure(provider, rollupAddress, failure)).to.equal((failure as Error).message);
    } finally {
      provider.destroy();
    }
  });

  it("refresh(), the anchor's read before each block, says the same of a missing rollup (the anchor logged 'could not decode result data')", async () => {
    const provider = new JsonRpcProvider(devnet.l1.url as string, undefined, { staticNetwork: true });
    try {
      const nowhere = Wallet.createRandom().address;
      const watcher = new L1Watcher({
        provider,
        rollupAddress: nowhere,
        fromBlock: 0,
        pollIntervalMs: 20,
        logger: silentLogger,
      });
      const failure = await watcher.refresh().then(
        () => expect.fail("a refresh of a rollup this L1 does not have succeeded"),
        (error: unknown) => error as Error,
      );
      expect(failure.message).to.include(`this L1 has no rollup contract at ${nowhere}`);
    } finally {
      provider.destroy();
    }
  });
});
