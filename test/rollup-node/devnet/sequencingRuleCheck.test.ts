import { expect } from "chai";
import { Wallet, ZeroHash } from "ethers";

import { readSequencingRule } from "../../../rollup-node/node/sequencingRule";
import { rollupDevnetBanner } from "../../../rollup-node/devnet/rollupBanner";
import { BasedTestRollup__factory, PermissionedTestRollup__factory } from "../../../typechain-types";
import { type E2eRollup, increaseL1Time, startE2eRollup } from "../../e2e/support/harness";

/**
 * The sequencing rule the config declares (rollup.sequencing.rule) against what the deployed
 * contract enforces, read on L1 by the contract's own authorization check.
 */
describe("devnet: the declared sequencing rule is checked against the rollup contract", function () {
  this.timeout(300_000);

  it("a config declaring based over ExampleRollup (NativeRollup's fallback) refuses to start: SEQUENCING_MISMATCH naming rollup.sequencing.rule", async () => {
    const started = await startE2eRollup({ sequencing: "based", produceBlocks: false, submitBlocks: false }).then(
      (r: E2eRollup) => r,
      (error: unknown) => error,
    );
    if (!(started instanceof Error)) {
      await (started as E2eRollup).stop();
      expect.fail("the devnet started under a rule its contract does not enforce");
    }
    const error = started as Error & { code?: string; hint?: string };
    expect(error.code, error.message).to.equal("SEQUENCING_MISMATCH");
    expect(error.message).to.contain('rollup.sequencing.rule declares "based: anyone may advance at any time"');
    expect(error.message).to.contain("fallback: the sequencer, or anyone once it has been silent for 3600 s");
    expect(error.hint).to.contain('set rollup.sequencing.rule to "fallback"');
  });

  describe("on one devnet (ExampleRollup, fallback, 3600 s)", () => {
    let r: E2eRollup;

    before(async () => {
      r = await startE2eRollup({ produceBlocks: false, submitBlocks: false });
    });

    after(async () => {
      await r?.stop();
    });

    it("a matching rule starts, and the banner says L1 checked it", () => {
      expect(r.devnet.sequencingUnconfirmed).to.equal(undefined);
      const banner = rollupDevnetBanner(r.devnet, { l2BlockTimeMs: 200, resumed: false });
      expect(banner).to.contain(
        "fallback: the sequencer, or anyone once it has been silent for 3600 s (the contract's, checked on L1)",
      );
    });

    it("reads each of the three rules from a fresh deployment, and says when L1 cannot tell fallback from based", async () => {
      expect(await readSequencingRule(r.devnet.deployment.address, r.l1)).to.deep.equal({
        known: true,
        rule: { kind: "fallback", inactivityPeriod: 3600n },
      });
      const deployer = new Wallet(r.devnet.keys.sequencer.privateKey as string, r.l1);
      const args = [
        r.devnet.l2ChainId,
        ZeroHash,
        ZeroHash,
        deployer.address,
        { sequencerInactivityPeriod: 3600n, forceInclusionDelay: 600n },
      ] as const;
      const based = await new BasedTestRollup__factory(deployer).deploy(...args);
      const permissioned = await new PermissionedTestRollup__factory(deployer).deploy(...args);
      await based.waitForDeployment();
      await permissioned.waitForDeployment();
      expect(await readSequencingRule(await based.getAddress(), r.l1)).to.deep.equal({
        known: true,
        rule: { kind: "based" },
      });
      expect(await readSequencingRule(await permissioned.getAddress(), r.l1)).to.deep.equal({
        known: true,
        rule: { kind: "permissioned" },
      });
      // Past the fallback's opening anyone may advance under fallback as under based: no answer.
      await increaseL1Time(r.l1, 3_700n);
      const open = await readSequencingRule(r.devnet.deployment.address, r.l1);
      expect(open.known).to.equal(false);
      expect(open.known ? "" : open.why).to.contain("both fallback");
      expect(await readSequencingRule(await permissioned.getAddress(), r.l1)).to.deep.equal({
        known: true,
        rule: { kind: "permissioned" },
      });
    });
  });
});
