import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { JsonRpcProvider, Wallet } from "ethers";

import { type TakeoverNode, startTakeoverNode } from "../../../rollup-node/node/takeover";
import { type E2eRollup, eventually, startE2eRollup } from "../../e2e/support/harness";

/**
 * The trial of 28 Nov: on `npm run devnet:l1` (a block per transaction) a --takeover follower sat
 * silent past the end of the inactivity period, because the rule reads the timestamp of L1's
 * latest block and no block came. The node now says so, once, instead of waiting without a word.
 */
describe("take-over on an L1 whose clock stands still: the node says the rule waits for L1's next block", function () {
  this.timeout(180_000);
  let r: E2eRollup;
  let node: TakeoverNode | undefined;
  let dataDir: string;

  before(async () => {
    // Fallback sequencing with a 2 s inactivity period, on the automining L1 (no block without a transaction).
    r = await startE2eRollup({
      produceBlocks: false,
      policy: { sequencerInactivityPeriod: 2n, forceInclusionDelay: 600n },
    });
    await r.devnet.node.stop();
    dataDir = mkdtempSync(path.join(tmpdir(), "takeover-clock-"));
  });

  after(async () => {
    await node?.stop();
    await r?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("past the open time by this machine's clock, with L1's latest block before it, logs once that L1 needs a new block", async () => {
    const l1 = new JsonRpcProvider(r.devnet.l1Url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    const substitute = Wallet.createRandom();
    const rollupOf = {
      provider: l1,
      rollupAddress: r.devnet.deployment.address,
      deployBlock: r.devnet.deployment.deployBlock,
    };
    try {
      node = await startTakeoverNode({
        follower: {
          storage: { dataDir },
          l1: { ...rollupOf, pollMs: 50 },
          follower: { genesis: r.devnet.genesis },
          rpc: false,
          logger: r.log.factory,
        },
        sequencer: {
          storage: { dataDir },
          l1: rollupOf,
          sequencer: { genesis: r.devnet.genesis },
          keys: {
            ...r.devnet.keys,
            sequencer: { address: substitute.address, privateKey: substitute.privateKey as `0x${string}`, balance: 0n },
          },
          rpc: false,
          logger: r.log.factory,
        },
        pollMs: 50,
        l1ClockGraceMs: 500,
      });
      const stalled = () => r.log.lines.filter((line) => line.includes("L1's latest block"));
      await eventually("the stalled-clock line", async () => stalled().length > 0 || undefined, 30_000);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      process.stderr.write(`      ${stalled().join("\n")}\n`);
      expect(stalled(), stalled().join("\n")).to.have.length(1);
      expect(stalled()[0]).to.match(/L1's latest block #\d+ is at time \d+/);
      expect(stalled()[0]).to.contain("--block-time");
      // The rule has not opened: L1's clock decides, not this machine's.
      expect(node.sequencer).to.equal(undefined);
    } finally {
      await node?.stop();
      node = undefined;
      l1.destroy();
    }
  });
});
