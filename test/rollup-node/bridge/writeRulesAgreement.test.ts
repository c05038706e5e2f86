import { expect } from "chai";
import hre from "hardhat";

import {
  type WriteRules,
  WriteRulesError,
  createExecutePrecompile,
  describeWriteRules,
  sameWriteRules,
  writeRulesFromJson,
  writeRulesToJson,
} from "../../../precompiles";
import {
  WriteRulesMismatchError,
  checkL1WriteRules,
  readL1WriteRules,
} from "../../../rollup-node/bridge/writeRulesAgreement";
import { type EdrL1, startEdrL1 } from "../../../tools/edrL1";

const UPGRADE: WriteRules = [
  { rule: "write-through", block: 0n },
  { rule: "per-block", block: 3n },
];

describe("write rules: one schedule compared across the wire (docs/design/write-rule-agreement.md)", () => {
  it("round-trips through JSON (0x-hex activations; numbers read too) and refuses what it cannot apply", () => {
    const json = writeRulesToJson(UPGRADE);
    expect(json).to.deep.equal([
      { rule: "write-through", block: "0x0" },
      { rule: "per-block", block: "0x3" },
    ]);
    expect(writeRulesFromJson(JSON.parse(JSON.stringify(json)))).to.deep.equal(UPGRADE);
    expect(writeRulesFromJson([{ rule: "per-block", timestamp: 0 }])).to.deep.equal([
      { rule: "per-block", timestamp: 0n },
    ]);
    expect(writeRulesFromJson("per-block-changes")).to.equal("per-block-changes");
    expect(() => writeRulesFromJson("sometimes")).to.throw(WriteRulesError, /unknown write rule/);
    expect(() => writeRulesFromJson([{ rule: "per-block", block: "12" }])).to.throw(WriteRulesError, /not a quantity/);
    expect(() => writeRulesFromJson([{ rule: "per-block", block: "0x1" }])).to.throw(WriteRulesError, /genesis/);
    expect(() => writeRulesFromJson({ rule: "per-block" })).to.throw(WriteRulesError, /rule name or a list/);
  });

  it("compares schedules by the rule they give each block, not by how they are written", () => {
    expect(sameWriteRules("per-block", [{ rule: "per-block", block: 0n }])).to.equal(true);
    expect(sameWriteRules("per-block", [{ rule: "per-block", timestamp: 0n }])).to.equal(true);
    expect(
      sameWriteRules(UPGRADE, [
        { rule: "write-through", block: 0n },
        { rule: "write-through", block: 2n },
        { rule: "per-block", block: 3n },
      ]),
    ).to.equal(true);
    expect(sameWriteRules(UPGRADE, "per-block")).to.equal(false);
    expect(
      sameWriteRules(UPGRADE, [
        { rule: "write-through", block: 0n },
        { rule: "per-block", block: 4n },
      ]),
    ).to.equal(false);
    // A timestamp step repeating the block step's rule still matters: it can be reached first.
    expect(sameWriteRules(UPGRADE, [...UPGRADE, { rule: "per-block", timestamp: 10n }] as WriteRules)).to.equal(false);
    expect(describeWriteRules(UPGRADE)).to.equal("write-through from block 0, per-block from block 3");
  });

  it("finds two schedules the same whenever they give every block the same rule (a node is not refused for how its genesis writes it)", async () => {
    // A timestamp step repeating the genesis step's rule changes no block's rule.
    const redundant: WriteRules = [
      { rule: "per-block", timestamp: 0n },
      { rule: "per-block", timestamp: 50n },
    ];
    expect(sameWriteRules("per-block", redundant)).to.equal(true);
    expect(sameWriteRules(redundant, "per-block")).to.equal(true);
    // A timestamp step at 0 after block steps is reached by every block: it is the rule from genesis.
    expect(
      sameWriteRules([...UPGRADE, { rule: "write-through", timestamp: 0n }] as WriteRules, "write-through"),
    ).to.equal(true);
    // And still told apart when some block differs (number 1 at timestamp 60: per-block, write-through).
    expect(
      sameWriteRules(redundant, [
        { rule: "per-block", block: 0n },
        { rule: "write-through", timestamp: 60n },
      ]),
    ).to.equal(false);
    expect(sameWriteRules([...UPGRADE, { rule: "write-through", timestamp: 0n }] as WriteRules, UPGRADE)).to.equal(
      false,
    );
    // The node's start-up check: an L1 reporting per-block accepts the redundant schedule.
    const l1 = { send: async () => "per-block" } as unknown as Parameters<typeof checkL1WriteRules>[0];
    expect((await checkL1WriteRules(l1, 7n, redundant)).source).to.equal("reported");
  });

  it("EXECUTE reports the rules it was created with per chain, a copy its creator cannot change afterwards", () => {
    const steps = [
      { rule: "write-through", block: 0n },
      { rule: "per-block", block: 3n },
    ] as { rule: "write-through" | "per-block"; block: bigint }[];
    const rules = new Map<bigint, WriteRules>([[7n, steps]]);
    const execute = createExecutePrecompile({ writeRules: rules });
    steps[1].block = 99n;
    rules.set(7n, "write-through");
    expect(execute.writeRulesOf(7n)).to.deep.equal(UPGRADE);
    expect(execute.writeRulesOf(8n)).to.equal("per-block");
  });

  describe("on an L1 without the devnet's method (Hardhat's EDR: EXECUTE as protocol code)", () => {
    let edr: EdrL1;

    before(async () => {
      edr = await startEdrL1(hre);
    });

    it("takes the L1's EXECUTE as the protocol's, the default rule for every chain", async () => {
      const l1 = await readL1WriteRules(edr.provider, 5n);
      expect(l1.source).to.equal("protocol");
      expect(l1.rules).to.equal("per-block");
      await checkL1WriteRules(edr.provider, 5n);
      await checkL1WriteRules(edr.provider, 5n, [{ rule: "per-block", block: 0n }]);
    });

    it("refuses a node whose genesis schedules other rules: WRITE_RULES_MISMATCH naming both, with the protocol's way out", async () => {
      const refused = await checkL1WriteRules(edr.provider, 5n, UPGRADE).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).to.be.instanceOf(WriteRulesMismatchError);
      const error = refused as WriteRulesMismatchError;
      expect(error.code).to.equal("WRITE_RULES_MISMATCH");
      expect(error.message).to.contain(
        "chain 5: the node's genesis declares write rules write-through from block 0, per-block from block 3, the L1's EXECUTE is protocol code applying per-block to every chain",
      );
      expect(error.hint).to.contain("declare none");
    });
  });
});
