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
  WriteRulesWatch,
  checkL1WriteRules,
  readL1WriteRules,
} from "../../../rollup-node/bridge/writeRulesAgreement";
import { LoggedLines } from "../../../tools/loggedLines";
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

describe("readL1WriteRules: which failures mean an L1 without the method", () => {
  /** An L1 whose every request fails with `error`. */
  const failingL1 = (error: Error): Parameters<typeof readL1WriteRules>[0] =>
    ({
      send: async () => {
        throw error;
      },
    }) as unknown as Parameters<typeof readL1WriteRules>[0];

  it("a method-not-found answer, by code or by a message about the method: the protocol's EXECUTE", async () => {
    const answers = [
      Object.assign(new Error("the method devnet_executeWriteRules does not exist/is not available"), { code: -32601 }),
      new Error("Method devnet_executeWriteRules is not supported"),
      new Error("method devnet_executeWriteRules not found"),
    ];
    for (const error of answers)
      expect((await readL1WriteRules(failingL1(error), 5n)).source, error.message).to.equal("protocol");
  });

  it("a transient failure that merely sounds alike (a proxy's 503) is thrown, not read as protocol EXECUTE", async () => {
    // Read as "protocol EXECUTE, the default rule", it made a node with a schedule of its own wait
    // on a WRITE_RULES_MISMATCH that is not there (attack-review-s27, second pass).
    for (const message of [
      "503 Service Not Available",
      "upstream not available, try again",
      "request not supported by this gateway",
    ]) {
      const failure = await readL1WriteRules(failingL1(new Error(message)), 5n).then(
        (answer) => answer,
        (error: unknown) => error,
      );
      expect(failure, message).to.be.instanceOf(Error);
      expect((failure as Error).message).to.equal(message);
    }
  });
});

// The running check's bookkeeping, over an L1 whose answers the test sets (the real L1 restarted
// under a node: test/rollup-node/node/writeRulesWhileRunning.test.ts).
describe("WriteRulesWatch: the running node's finding", () => {
  /** An L1 answering `devnet_executeWriteRules` with `answer` (a thrown error when it is one), counting requests. */
  function scriptedL1(): { provider: Parameters<typeof checkL1WriteRules>[0]; answer: unknown; requests: number } {
    const l1 = {
      answer: "per-block" as unknown,
      requests: 0,
      provider: undefined as unknown as Parameters<typeof checkL1WriteRules>[0],
    };
    l1.provider = {
      send: async () => {
        l1.requests++;
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (l1.answer instanceof Error) throw l1.answer;
        return l1.answer;
      },
    } as unknown as Parameters<typeof checkL1WriteRules>[0];
    return l1;
  }

  it("finds a mismatch and since when, keeps it through an L1 that does not answer, says it once per change, and clears it when the rules agree", async () => {
    const l1 = scriptedL1();
    const log = new LoggedLines();
    let clock = 1_700_000_000_000;
    const watch = new WriteRulesWatch({ provider: l1.provider, chainId: 7n, logger: log, now: () => clock });
    expect(await watch.check("start")).to.equal(undefined);

    l1.answer = "write-through";
    const found = await watch.check("a restart");
    expect(found?.error.code).to.equal("WRITE_RULES_MISMATCH");
    expect(found?.since).to.equal(1_700_000_000n);
    clock += 30_000;
    l1.answer = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    expect((await watch.check("the periodic check"))?.since).to.equal(1_700_000_000n);
    l1.answer = "write-through";
    expect((await watch.check("the periodic check"))?.since).to.equal(1_700_000_000n);
    expect(log.all.filter((line) => line.startsWith("WRITE RULES MISMATCH"))).to.deep.equal([
      "WRITE RULES MISMATCH (found on a restart): chain 7: the node's genesis declares write rules per-block, the L1's EXECUTE applies write-through (its devnet_executeWriteRules): every block recorded under one and verified under the other may be WitnessIncomplete on L1",
    ]);

    l1.answer = "per-block";
    expect(await watch.check("a restart")).to.equal(undefined);
    expect(watch.mismatch).to.equal(undefined);
    expect(log.all.at(-1)).to.equal(
      "the L1's EXECUTE applies this node's write rules again (per-block; found on a restart)",
    );
  });

  it("callers asking while a check runs share its one request", async () => {
    const l1 = scriptedL1();
    const watch = new WriteRulesWatch({ provider: l1.provider, chainId: 7n, logger: new LoggedLines() });
    await Promise.all([watch.check("a"), watch.check("b"), watch.check("c")]);
    expect(l1.requests).to.equal(1);
    await watch.check("d");
    expect(l1.requests).to.equal(2);
  });
});
