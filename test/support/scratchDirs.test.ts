import { expect } from "chai";
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";

import { scratchDirs } from "./scratchDirs";

describe("scratchDirs: a suite's temporary folders are gone when it ends", () => {
  const made: string[] = [];

  describe("a suite that makes two folders and writes into one", () => {
    const scratch = scratchDirs();

    it("makes each folder under the prefix, empty and distinct", () => {
      made.push(scratch("scratch-test-"), scratch("scratch-test-"));
      writeFileSync(path.join(made[0], "deployment.json"), "{}");
      expect(made[0]).to.not.equal(made[1]);
      for (const dir of made) expect(path.basename(dir)).to.match(/^scratch-test-/);
      expect(made.every((dir) => existsSync(dir))).to.equal(true);
    });
  });

  // A sibling suite: mocha runs a suite's own tests before its child suites, so a test beside
  // the first suite would run before it.
  describe("the suite after it", () => {
    it("finds neither folder", () => {
      expect(made).to.have.length(2);
      expect(made.filter((dir) => existsSync(dir))).to.deep.equal([]);
    });
  });
});
