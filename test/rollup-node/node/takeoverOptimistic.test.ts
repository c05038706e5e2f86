import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { JsonRpcProvider, Wallet, parseEther } from "ethers";

import { connectOptimisticRollup } from "../../../rollup-node/bridge/contracts";
import type { TakeoverNode } from "../../../rollup-node/node/takeover";
import {
  type E2eRollup,
  TAKEOVER_ACCOUNT,
  eventually,
  increaseL1Time,
  startE2eRollup,
  startE2eTakeover,
} from "../../e2e/support/harness";

const WINDOW = 10n;

/**
 * The trial of round 30 (docs/design/trial-s30.md): on an optimistic `fallback` rollup whose
 * sequencer died with a proposed block still provisional (its window over, but only its own
 * submitter finalizes), a --takeover node logged "the rollup lets 0x… advance from L1 time T" and
 * never took over: its probe was a call of `advance`, which OptimisticRollup refuses while any
 * block is provisional before asking the rule. A take-over proposes, and `propose` asks the rule.
 */
describe("take-over node on an optimistic rollup whose silent sequencer left a provisional block", function () {
  this.timeout(180_000);
  let r: E2eRollup;
  let node: TakeoverNode | undefined;
  let dataDir: string | undefined;

  before(async () => {
    r = await startE2eRollup({
      mode: { kind: "optimistic", challengeWindow: WINDOW, proposalBond: parseEther("0.1") },
    });
    dataDir = mkdtempSync(path.join(tmpdir(), "takeover-optimistic-"));
  });

  after(async () => {
    await node?.stop();
    await r?.stop();
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  });

  it("takes over once the sequencer's inactivity period has passed", async () => {
    const rollup = connectOptimisticRollup(r.devnet.deployment.address, r.l1);
    const mined = await (await r.l2Wallet(2).sendTransaction({ to: Wallet.createRandom().address, value: 1n })).wait();
    const number = BigInt(mined?.blockNumber ?? 0);
    await eventually("the proposal", async () => ((await rollup.tip())[0] >= number ? true : undefined), 60_000);
    // The sequencer goes silent with its block provisional.
    await r.devnet.node.stop();
    expect(await rollup.headNumber()).to.be.lessThan(number);
    await increaseL1Time(r.l1, r.devnet.deployment.policy.sequencerInactivityPeriod + WINDOW + 1n);
    const l1 = new JsonRpcProvider(r.devnet.l1Url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    let tookOver = false;
    try {
      node = await startE2eTakeover(r, {
        dataDir: dataDir as string,
        l1,
        account: TAKEOVER_ACCOUNT,
        onTakeover: () => {
          tookOver = true;
        },
      });
      await eventually("the take-over", async () => (tookOver ? true : undefined), 60_000).catch((error: Error) => {
        throw new Error(`${error.message}:\n${r.log.lines.filter((l) => l.includes("[takeover]")).join("\n")}`);
      });
      expect(node.sequencer).to.not.equal(undefined);
    } finally {
      await node?.stop();
      node = undefined;
      l1.destroy();
    }
  });
});
