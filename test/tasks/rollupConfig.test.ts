import { expect } from "chai";
import { getAddress } from "ethers";
import hre from "hardhat";

import { DEFAULT_ROLLUP_POLICY } from "../../deploy/policy";
import { DEFAULT_L2_CHAIN_ID } from "../../rollup-node/devnet/defaults";
import { RollupConfigError, resolveRollupConfig } from "../../tasks/rollupConfig";

describe("tasks/rollupConfig: the rollup section of hardhat.config.ts", () => {
  it("defaults to the framework's devnet when the section is absent (this repository's own config)", () => {
    expect(hre.config.rollup.l2ChainId).to.equal(DEFAULT_L2_CHAIN_ID);
    expect(hre.config.rollup.contract).to.equal(undefined);
    expect(hre.config.rollup.policy).to.deep.equal(DEFAULT_ROLLUP_POLICY);
    expect(hre.config.defaultNetwork).to.equal("devnet");
  });

  it("resolves chain id, block time, gas limit, policies, allocations and predeploys", () => {
    const resolved = resolveRollupConfig({
      contract: "AcmeRollup",
      l2ChainId: 777,
      blockTimeMs: 500,
      gasLimit: 8_000_000,
      sequencing: { inactivityPeriod: 60, forceInclusionDelay: 30 },
      proofs: { committees: 3, threshold: 2 },
      genesis: {
        alloc: { "0x000000000000000000000000000000000000ca5e": { balance: "1000" } },
        predeploys: {
          "0x4e41540000000000000000000000000000000100": { contract: "AcmeInfo", storage: { "0x0": "0x2a" } },
        },
      },
    });
    expect(resolved.l2ChainId).to.equal(777n);
    expect(resolved.gasLimit).to.equal(8_000_000n);
    expect(resolved.policy).to.deep.equal({ sequencerInactivityPeriod: 60n, forceInclusionDelay: 30n });
    expect(resolved.mode).to.deep.equal({ kind: "proofs", committees: 3, threshold: 2 });
    expect(resolved.alloc[getAddress("0x000000000000000000000000000000000000ca5e")]).to.deep.equal({ balance: 1000n });
    expect(resolved.predeploys[0]).to.deep.equal({
      address: getAddress("0x4e41540000000000000000000000000000000100"),
      contract: "AcmeInfo",
      storage: { "0x0": "0x2a" },
    });
  });

  it("resolves genesis.writeRules (numbers or bigints) into the L2's write rules, and the devnet's options carry them", () => {
    const resolved = resolveRollupConfig({
      genesis: {
        writeRules: [
          { rule: "write-through", block: 0 },
          { rule: "per-block", block: 1000n },
        ],
      },
    });
    expect(resolved.writeRules).to.deep.equal([
      { rule: "write-through", block: 0n },
      { rule: "per-block", block: 1000n },
    ]);
    expect(resolveRollupConfig({ genesis: { writeRules: "per-block-changes" } }).writeRules).to.equal(
      "per-block-changes",
    );
    expect(resolveRollupConfig({}).writeRules).to.equal(undefined);
    expect(() => resolveRollupConfig({ genesis: { writeRules: [{ rule: "per-block", block: -1 }] } })).to.throw(
      RollupConfigError,
      /genesis\.writeRules\[0\]\.block must be a non-negative integer/,
    );
  });

  it("refuses what the devnet could not run, with the field named", () => {
    expect(() => resolveRollupConfig({ proofs: { committees: 2, threshold: 3 } })).to.throw(
      RollupConfigError,
      "proofs.threshold (3) exceeds proofs.committees (2)",
    );
    expect(() => resolveRollupConfig({ proofs: { committees: 1 }, optimistic: {} })).to.throw(
      RollupConfigError,
      "cannot be combined",
    );
    expect(() => resolveRollupConfig({ genesis: { alloc: { "0x12": {} } } })).to.throw(
      RollupConfigError,
      'genesis.alloc: "0x12" is not an address',
    );
    expect(() => resolveRollupConfig({ l2ChainId: 0 })).to.throw(
      RollupConfigError,
      "l2ChainId must be a positive integer",
    );
    expect(() => resolveRollupConfig({ contract: "my rollup" })).to.throw(RollupConfigError, "is not a contract name");
  });

  it("sequencing is one rule with what applies to it: fallback carries the inactivity period, based and permissioned none", () => {
    expect(resolveRollupConfig({ sequencing: { inactivityPeriod: 60 } }).sequencing).to.deep.equal({
      kind: "fallback",
      inactivityPeriod: 60n,
    });
    expect(resolveRollupConfig(undefined).sequencing).to.deep.equal({
      kind: "fallback",
      inactivityPeriod: DEFAULT_ROLLUP_POLICY.sequencerInactivityPeriod,
    });
    expect(resolveRollupConfig({ sequencing: { rule: "based", inactivityPeriod: 60 } }).sequencing).to.deep.equal({
      kind: "based",
    });
    expect(resolveRollupConfig({ sequencing: { rule: "permissioned" } }).sequencing).to.deep.equal({
      kind: "permissioned",
    });
    expect(() => resolveRollupConfig({ sequencing: { rule: "anyone" as never } })).to.throw(
      RollupConfigError,
      "is not a sequencing rule",
    );
  });
});
