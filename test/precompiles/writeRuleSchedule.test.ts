import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";

import {
  ExecuteErrorCode,
  type VerifierWrites,
  createExecutePrecompile,
  decodeExecuteInvalid,
  type WriteRules,
  WriteRulesError,
  encodeWitness,
  writeRuleAt,
} from "../../precompiles";
import { keccak256 } from "../../precompiles/crypto";
import { blockExecuteCall, callExecute } from "../../tools/executeCall";
import type { BuiltBlock } from "../../tools/l2TestChain";
import { verifierOutcome } from "../../tools/verifierOutcomes";
import { COUNTER_EXAMPLE_SETTERS, counterExampleChain, counterExampleData } from "../../tools/writeRuleCounterExample";

/**
 * A chain that ran EXECUTE's write-through rule and upgraded to per-block writes at a height (or a
 * time): a block keeps the rule of its own number and timestamp, in the recorder and in the
 * verifier alike (precompiles/forkSchedule.ts, `writeRuleAt`; consensus-rules.md §5). Each block is
 * the s23 counter-example (K1 = 5, insert K3, K1 = 0), whose witness differs between the two rules.
 */

const CHAIN_ID = 917n;
const SETTERS = COUNTER_EXAMPLE_SETTERS;
const UPGRADE_BLOCK = 3n;
const GENESIS_TIMESTAMP = 1_700_000_000n;

const upgradingChain = () => counterExampleChain(CHAIN_ID);

function outcome(built: BuiltBlock, witness: Uint8Array, writes: WriteRules): Promise<string> {
  return verifierOutcome(CHAIN_ID, built, built.blockRlp, witness, { writes });
}

function accepted(built: BuiltBlock): string {
  return `valid ${bytesToHex(built.block.hash())} ${bytesToHex(built.block.header.stateRoot)}`;
}

/** A witness by its size and hash: short enough for a failure message. */
const summary = (witness: Uint8Array): string => `${witness.length} B ${bytesToHex(keccak256(witness)).slice(0, 18)}`;

const witnessIncomplete = new RegExp(`^invalid ${ExecuteErrorCode.WitnessIncomplete}: `);

/** Builds the four counter-example blocks (numbers 1..4, one second apart) under `schedule`. */
async function checkUpgrade(schedule: WriteRules, expectedRules: readonly VerifierWrites[]): Promise<void> {
  const { chain, alice, slots } = await upgradingChain();
  for (const [index, setter] of SETTERS.entries()) {
    const built = await chain.buildBlock([alice.tx({ to: setter, data: counterExampleData(slots) })], {
      timestamp: GENESIS_TIMESTAMP + BigInt(index + 1),
      writes: schedule,
    });
    const label = `block ${built.block.header.number}`;
    const rule = expectedRules[index];
    const wrong: VerifierWrites = rule === "per-block" ? "write-through" : "per-block";
    const parent = chain.headerAt(built.block.header.number - 1n);
    const underRule = encodeWitness(await chain.witnessOf(built.block, parent, rule));
    const underWrong = encodeWitness(await chain.witnessOf(built.block, parent, wrong));
    // Recorded under the block's own rule, not the other one (the two witnesses differ here).
    expect(summary(built.witness), `${label}: recorded under ${rule}`).to.equal(summary(underRule));
    expect(summary(underRule), `${label}: the rules' witnesses differ`).to.not.equal(summary(underWrong));
    // Verified under the schedule: its own witness is valid on each side of the upgrade.
    expect(await outcome(built, built.witness, schedule), label).to.equal(accepted(built));
    if (rule === "write-through") {
      // The in-flight write-through witness under the wrong (per-block) rule is WitnessIncomplete.
      expect(await outcome(built, built.witness, "per-block"), label).to.match(witnessIncomplete);
    } else {
      // A write-through recorder's witness for a block past the upgrade fails the schedule.
      expect(await outcome(built, underWrong, schedule), label).to.match(witnessIncomplete);
    }
  }
}

describe("EXECUTE's write rule as a fork: write-through below the upgrade, per block from it", function () {
  this.timeout(120_000);

  it("records and verifies each block under its block number's rule", async () => {
    await checkUpgrade(
      [
        { rule: "write-through", block: 0n },
        { rule: "per-block", block: UPGRADE_BLOCK },
      ],
      ["write-through", "write-through", "per-block", "per-block"],
    );
  });

  it("records and verifies each block under its timestamp's rule", async () => {
    await checkUpgrade(
      [
        { rule: "write-through", timestamp: 0n },
        { rule: "per-block", timestamp: GENESIS_TIMESTAMP + 2n },
      ],
      ["write-through", "per-block", "per-block", "per-block"],
    );
  });
});

describe("EXECUTE with each chain's write rules (createExecutePrecompile's writeRules)", function () {
  this.timeout(120_000);

  it("accepts an in-flight write-through block under its chain's schedule; without the schedule it is WitnessIncomplete", async () => {
    const schedule: WriteRules = [
      { rule: "write-through", block: 0n },
      { rule: "per-block", block: UPGRADE_BLOCK },
    ];
    const { chain, alice, slots } = await upgradingChain();
    const built = await chain.buildBlock([alice.tx({ to: SETTERS[0], data: counterExampleData(slots) })], {
      writes: schedule,
    });
    const verdict = async (writeRules?: ReadonlyMap<bigint, WriteRules>): Promise<string> => {
      const precompile = createExecutePrecompile(writeRules === undefined ? {} : { writeRules });
      const { data, gasLimit } = blockExecuteCall(built, CHAIN_ID, precompile);
      const result = await callExecute(precompile, data, { gasLimit });
      if (result.exceptionError === undefined) return "valid";
      const invalid = decodeExecuteInvalid(result.returnValue);
      return invalid === undefined ? "reverted without a verdict" : `invalid ${invalid.code}: ${invalid.reason}`;
    };
    expect(await verdict(new Map([[CHAIN_ID, schedule]]))).to.equal("valid");
    // Today's EXECUTE (per block from genesis), and another chain's schedule: the default rule.
    expect(await verdict()).to.match(witnessIncomplete);
    expect(await verdict(new Map([[CHAIN_ID + 1n, schedule]]))).to.match(witnessIncomplete);
    expect(() => createExecutePrecompile({ writeRules: new Map([[CHAIN_ID, [] as WriteRules]]) })).to.throw(
      WriteRulesError,
      /at least one step/,
    );
  });
});

describe("writeRuleAt", () => {
  const at = (number: bigint, timestamp = 0n) => ({ number, timestamp });

  it("is per-block from genesis by default and a constant rule everywhere", () => {
    expect(writeRuleAt("per-block", at(0n))).to.equal("per-block");
    expect(writeRuleAt("write-through", at(10n ** 9n, 10n ** 12n))).to.equal("write-through");
  });

  it("takes the last step reached, block steps then timestamp steps", () => {
    const rules: WriteRules = [
      { rule: "write-through", block: 0n },
      { rule: "per-block", block: 10n },
      { rule: "write-through", timestamp: 500n },
    ];
    expect(writeRuleAt(rules, at(9n, 499n))).to.equal("write-through");
    expect(writeRuleAt(rules, at(10n, 499n))).to.equal("per-block");
    expect(writeRuleAt(rules, at(11n, 500n))).to.equal("write-through");
    // A timestamp reached before a block step: the later step in the list still wins.
    expect(writeRuleAt(rules, at(5n, 600n))).to.equal("write-through");
  });

  // A step built in code as `{ rule, block: cfg.block, timestamp: cfg.timestamp }` carries the key
  // it does not use as undefined. The check keys such a step by the other field; the schedule must
  // be applied the same way (it ignored the step: the chain never left write-through).
  it("applies a step with an undefined key as the check reads it, by the key it has", () => {
    const byTimestamp = [
      { rule: "write-through", block: 0n },
      { rule: "per-block", block: undefined, timestamp: 100n },
    ] as unknown as WriteRules;
    expect(writeRuleAt(byTimestamp, at(5n, 99n))).to.equal("write-through");
    expect(writeRuleAt(byTimestamp, at(5n, 100n))).to.equal("per-block");
    const byBlock = [
      { rule: "per-block", timestamp: undefined, block: 0n },
      { rule: "write-through", timestamp: undefined, block: 10n },
    ] as unknown as WriteRules;
    expect(writeRuleAt(byBlock, at(9n, 10n ** 12n))).to.equal("per-block");
    expect(writeRuleAt(byBlock, at(10n))).to.equal("write-through");
  });

  it("refuses a schedule it cannot apply with a WriteRulesError naming the step", () => {
    const refused = (rules: unknown, message: RegExp): void => {
      expect(() => writeRuleAt(rules as WriteRules, at(1n)))
        .to.throw(WriteRulesError, message)
        .with.property("code", "WRITE_RULES");
    };
    refused("eventually", /unknown write rule "eventually"/);
    refused([], /at least one step/);
    refused([{ rule: "per-block", block: 1n }], /step 0 is at block 1: the first is at genesis/);
    refused(
      [
        { rule: "write-through", block: 0n },
        { rule: "per-block", block: 0n },
      ],
      /step 1 is at block 0, not after step 0's 0/,
    );
    refused(
      [
        { rule: "write-through", timestamp: 0n },
        { rule: "per-block", block: 5n },
      ],
      /step 1 is keyed by block after a step keyed by timestamp/,
    );
    refused([{ rule: "per-block", block: 0n, timestamp: 0n }], /exactly one of block and timestamp/);
    refused([{ rule: "per-block" }], /exactly one of block and timestamp/);
    refused([{ rule: "per-block", block: -1n }], /not a non-negative bigint/);
    refused([{ rule: "sometimes", block: 0n }], /step 0: unknown write rule "sometimes"/);
  });
});
