import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";
import { JsonRpcProvider, Wallet, parseEther } from "ethers";

import { deployRollup } from "../../../deploy/rollup";
import { L1Watcher } from "../../../rollup-node/bridge/l1Watcher";
import { type L1Devnet, startL1Devnet } from "../../../rollup-node/devnet/l1Devnet";
import type { Logger } from "../../../rollup-node/logger";
import { silentLogger } from "../../../rollup-node/logger";
import { devNodeKeys } from "../../../rollup-node/node/keys";
import { devL2Genesis } from "../../../rollup-node/node/l2Genesis";
import { genesisSupply } from "../../../rollup-node/l2/genesis";
import { Sequencer } from "../../../rollup-node/l2/sequencer";

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
  const keys = devNodeKeys();
  let l1: L1Devnet;
  let provider: HeldProvider;
  let dir: string;
  let sequencer: Sequencer;
  let rollupAddress: string;
  let deployBlock: number;

  before(async () => {
    l1 = await startL1Devnet({ port: 0, alloc: { [keys.sequencer.address]: { balance: parseEther("1000000") } } });
    provider = new HeldProvider(l1.url, undefined, { staticNetwork: true, pollingInterval: 20, cacheTimeout: -1 });
    dir = mkdtempSync(path.join(tmpdir(), "l1-watcher-stop-"));
    const genesis = devL2Genesis({
      chainId: 779n,
      timestamp: BigInt(Math.floor(Date.now() / 1000)) - 10n,
      funded: [...l1.accounts, keys.relayer],
    });
    sequencer = await Sequencer.open({ dataDir: dir, genesis, logger: silentLogger });
    const head = sequencer.chain.head;
    const deployment = await deployRollup(new Wallet(keys.sequencer.privateKey, provider), {
      l2ChainId: 779n,
      genesisBlockHash: bytesToHex(head.hash()),
      genesisStateRoot: bytesToHex(head.header.stateRoot),
      sequencer: keys.sequencer.address,
      genesisSupply: genesisSupply(genesis),
    });
    rollupAddress = deployment.address;
    deployBlock = deployment.deployBlock;
  });

  after(async () => {
    await sequencer.close();
    await l1.stop();
    rmSync(dir, { recursive: true, force: true });
  });

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
