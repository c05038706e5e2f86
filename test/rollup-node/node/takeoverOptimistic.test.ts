import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { JsonRpcProvider, Wallet, parseEther } from "ethers";

import { connectOptimisticRollup } from "../../../rollup-node/bridge/contracts";
import { checkSequencingRule, readSequencingRule, sequencingSource } from "../../../rollup-node/node/sequencingRule";
import type { TakeoverNode } from "../../../rollup-node/node/takeover";
import {
  type E2eRollup,
  TAKEOVER_ACCOUNT,
  eventually,
  increaseL1Time,
  provider,
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
  let l1: JsonRpcProvider | undefined;
  let substituteUrl: string | undefined;
  /** The dead sequencer's last block, provisional when it died. */
  let deadsLast = 0n;

  before(async () => {
    r = await startE2eRollup({
      mode: { kind: "optimistic", challengeWindow: WINDOW, proposalBond: parseEther("0.1") },
    });
    dataDir = mkdtempSync(path.join(tmpdir(), "takeover-optimistic-"));
  });

  after(async () => {
    await node?.stop();
    l1?.destroy();
    await r?.stop();
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  });

  /**
   * trial-s30's "sequencing not told apart on L1": a node started while a block is provisional (the
   * watcher restarted, this take-over node) logged that `advance` is refused before the rule is
   * asked. `propose` asks the rule first: the check reads it there.
   */
  it("with the silent sequencer's block provisional, a node's start check still tells the rule apart on L1", async () => {
    const rollup = connectOptimisticRollup(r.devnet.deployment.address, r.l1);
    const mined = await (await r.l2Wallet(2).sendTransaction({ to: Wallet.createRandom().address, value: 1n })).wait();
    deadsLast = BigInt(mined?.blockNumber ?? 0);
    await eventually("the proposal", async () => ((await rollup.tip())[0] >= deadsLast ? true : undefined), 60_000);
    // The sequencer goes silent with its block provisional.
    await r.devnet.node.stop();
    expect(await rollup.headNumber()).to.be.lessThan(deadsLast);
    const fallback = {
      kind: "fallback",
      inactivityPeriod: r.devnet.deployment.policy.sequencerInactivityPeriod,
    } as const;
    expect(await readSequencingRule(r.devnet.deployment.address, r.l1)).to.deep.equal({ known: true, rule: fallback });
    const unconfirmed = await checkSequencingRule(
      fallback,
      r.devnet.deployment.address,
      r.l1,
      "rollup.sequencing.rule",
      {
        kind: "node",
        deployment: "deployment.json",
      },
    );
    expect(sequencingSource(unconfirmed)).to.equal("the contract's, checked on L1");
  });

  it("takes over once the sequencer's inactivity period has passed", async () => {
    const rollup = connectOptimisticRollup(r.devnet.deployment.address, r.l1);
    expect(await rollup.headNumber()).to.be.lessThan(deadsLast);
    await increaseL1Time(r.l1, r.devnet.deployment.policy.sequencerInactivityPeriod + WINDOW + 1n);
    l1 = new JsonRpcProvider(r.devnet.l1Url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    node = await startE2eTakeover(r, {
      dataDir: dataDir as string,
      l1,
      account: TAKEOVER_ACCOUNT,
      onTakeover: (url) => {
        substituteUrl = url;
      },
    });
    await eventually("the take-over", async () => substituteUrl, 60_000).catch((error: Error) => {
      throw new Error(`${error.message}:\n${r.log.lines.filter((l) => l.includes("[takeover]")).join("\n")}`);
    });
    expect(node.sequencer).to.not.equal(undefined);
  });

  /**
   * What trial-s30 could not show: the substitute finalizes the dead sequencer's provisional block
   * (its window over), then proposes its own blocks with the bond, a user's transaction and a
   * deposit made after the take-over among them, and they finalize after their window.
   */
  it("carries the chain: finalizes the dead sequencer's block, proposes its own, credits a later deposit", async function () {
    if (substituteUrl === undefined) this.skip();
    const rollup = connectOptimisticRollup(r.devnet.deployment.address, r.l1);
    const substitute = r.l1Wallet(TAKEOVER_ACCOUNT).address;
    const logOnTimeout = (error: Error): never => {
      const own = r.log.lines.filter((l) => /\[(takeover|submitter|sequencer|bridge|challenger)\]/.test(l));
      throw new Error(`${error.message}:\n${own.slice(-30).join("\n")}`);
    };
    await eventually(
      "the dead sequencer's provisional block finalized",
      async () => ((await rollup.headNumber()) >= deadsLast ? true : undefined),
      60_000,
    ).catch(logOnTimeout);

    const l2 = provider(substituteUrl as string);
    try {
      const recipient = Wallet.createRandom().address;
      await (await r.rollup(3).depositETH(recipient, { value: parseEther("0.5") })).wait();
      const user = new Wallet(r.devnet.accounts[4]?.privateKey as string, l2);
      const sent = await (await user.sendTransaction({ to: Wallet.createRandom().address, value: 5n })).wait();
      const credited = await eventually(
        "the deposit made after the take-over credited on L2",
        async () => ((await l2.getBalance(recipient)) === parseEther("0.5") ? await l2.getBlockNumber() : undefined),
        60_000,
      ).catch(logOnTimeout);
      const target = BigInt(Math.max(credited, sent?.blockNumber ?? 0));
      // Under `fallback` another account may advance once per inactivity period: each further
      // block of the substitute waits for the next period, which L1's clock is moved to.
      await eventually(
        "the substitute's proposals up to the deposit's block",
        async () => {
          if ((await rollup.tip())[0] >= target) return true;
          const opensAt = (await rollup.openSequencingAt()) as bigint;
          const latest = BigInt((await r.l1.getBlock("latest"))?.timestamp ?? 0);
          if (opensAt > latest) await increaseL1Time(r.l1, opensAt - latest);
          return undefined;
        },
        90_000,
      ).catch(logOnTimeout);
      const proposed = await rollup.queryFilter(rollup.filters.BlockProposed());
      const own = proposed.filter((e) => BigInt(e.args.number) > deadsLast);
      expect(own.length).to.be.greaterThan(0);
      for (const e of own) expect(e.args.proposer).to.equal(substitute);
      await increaseL1Time(r.l1, WINDOW + 1n);
      await eventually(
        "the substitute's blocks finalized after their window",
        async () => ((await rollup.headNumber()) >= target ? true : undefined),
        60_000,
      ).catch(logOnTimeout);
      expect(await rollup.provisionalCount()).to.equal(0n);
      // Each proposal carried the bond (propose refuses another value), returned on finalization.
      expect(await rollup.bondCredit(substitute)).to.equal((await rollup.PROPOSAL_BOND()) * BigInt(own.length));
    } finally {
      l2.destroy();
    }
  });
});
