import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";
import { JsonRpcProvider, Wallet, parseEther } from "ethers";

import { deployRollup } from "../../../deploy/rollup";
import { L1AdvanceGasCap } from "../../../rollup-node/bridge/advanceGasCap";
import { connectRollup } from "../../../rollup-node/bridge/contracts";
import { L1Watcher } from "../../../rollup-node/bridge/l1Watcher";
import { type L1Devnet, startL1Devnet } from "../../../rollup-node/devnet/l1Devnet";
import { silentLogger } from "../../../rollup-node/logger";
import { L1Heads } from "../../../rollup-node/node/l1Heads";
import { devNodeKeys } from "../../../rollup-node/node/keys";
import { devL2Genesis } from "../../../rollup-node/node/l2Genesis";
import { genesisSupply } from "../../../rollup-node/l2/genesis";
import { Sequencer } from "../../../rollup-node/l2/sequencer";

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
  const keys = devNodeKeys();
  let l1: L1Devnet;
  let provider: CountingProvider;
  let dir: string;
  let sequencer: Sequencer;
  let rollupAddress: string;
  let deployBlock: number;

  before(async () => {
    l1 = await startL1Devnet({ port: 0, alloc: { [keys.sequencer.address]: { balance: parseEther("1000000") } } });
    provider = new CountingProvider(l1.url, undefined, { staticNetwork: true, pollingInterval: 20, cacheTimeout: -1 });
    dir = mkdtempSync(path.join(tmpdir(), "l1-poll-test-"));
    const genesis = devL2Genesis({
      chainId: 778n,
      timestamp: BigInt(Math.floor(Date.now() / 1000)) - 10n,
      funded: [...l1.accounts, keys.relayer],
    });
    sequencer = await Sequencer.open({ dataDir: dir, genesis, logger: silentLogger });
    const head = sequencer.chain.head;
    const deployment = await deployRollup(new Wallet(keys.sequencer.privateKey, provider), {
      l2ChainId: 778n,
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
    provider.destroy();
    await l1.stop();
    rmSync(dir, { recursive: true, force: true });
  });

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
