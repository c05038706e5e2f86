import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { DataDirError } from "../../../rollup-node/l2/errors";
import {
  DETACHMENT_FILE,
  DetachedFromL1Error,
  type Detachment,
  L1Detachment,
  describeDetachment,
} from "../../../rollup-node/l2/detachment";

describe("L2 devnet detachment record", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "detachment-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const patched: Detachment = {
    method: "hardhat_setBalance",
    fromBlock: 7n,
    cause: "state patched by hardhat_setBalance",
  };

  it("starts attached, keeps the first cause, tells listeners once (and late listeners at once)", () => {
    const detachment = new L1Detachment(dir);
    expect(detachment.state).to.equal(undefined);
    const heard: Detachment[] = [];
    detachment.onDetach((d) => heard.push(d));
    detachment.detach(patched);
    detachment.detach({ method: "evm_revert", fromBlock: 9n, cause: "block 9 dropped by evm_revert" });
    expect(detachment.state).to.deep.equal(patched);
    expect(heard).to.deep.equal([patched]);
    detachment.onDetach((d) => heard.push(d));
    expect(heard).to.deep.equal([patched, patched]);
    expect(describeDetachment(patched)).to.equal("detached from L1: state patched by hardhat_setBalance at block 7");
  });

  it("a clock detachment's hint says the L2 clock passed L1's and how to move time attached (L1's clock first); a patch's says state changed outside transactions", () => {
    for (const method of ["evm_increaseTime", "anvil_increaseTime", "evm_setNextBlockTimestamp", "evm_mine"]) {
      const clock = new DetachedFromL1Error({
        method,
        fromBlock: 3n,
        cause: `${method} set the next L2 block's time to 1800000105, ahead of L1's 1800000100 (the rollup refuses a block from the future)`,
      });
      expect(clock.hint, method).to.not.contain("changed outside transactions");
      expect(clock.hint).to.contain("ahead of L1's latest block time");
      expect(clock.hint).to.contain("evm_increaseTime on the L1 devnet");
      expect(clock.hint).to.contain("--reset");
    }
    const patch = new DetachedFromL1Error(patched);
    expect(patch.hint).to.contain("changed outside transactions L1 can re-execute");
    expect(patch.hint).to.contain("--reset");
  });

  it("is kept in the data directory for the next start; --reset forgets it", () => {
    new L1Detachment(dir).detach(patched);
    expect(new L1Detachment(dir).state).to.deep.equal(patched);
    expect(new L1Detachment(dir, { reset: true }).state).to.equal(undefined);
    expect(existsSync(path.join(dir, DETACHMENT_FILE))).to.equal(false);
    expect(new L1Detachment(dir).state).to.equal(undefined);
  });

  it("refuses a damaged record instead of reading it as attached", () => {
    writeFileSync(path.join(dir, DETACHMENT_FILE), "{ not json");
    expect(() => new L1Detachment(dir))
      .to.throw(DataDirError)
      .with.property("hint")
      .that.contains("--reset");
  });
});
