import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

const ROOT = path.join(__dirname, "..", "..", "..");

describe("rollup:init in a fresh clone, before anything is compiled", () => {
  // Round 31's trial: `npx hardhat rollup:init ../x --optimistic` as the README's "Start your own
  // rollup" section shows it, in a fresh clone, failed in 4 s with `Cannot find module
  // '../typechain-types'` (the hint: --show-stack-traces), before packing — whose first step is the
  // compile that writes it. The task's modules must load without the compile's output.
  it("loads the task's code without typechain-types/ or artifacts/ (the packing compiles them)", function () {
    this.timeout(120_000);
    // compileGate.js, with a gate file that never appears, throws on any load of either folder.
    // A name no run creates: nothing is written, so nothing is left behind.
    const gate = path.join(tmpdir(), `init-gate-never-written-${process.pid}-${Date.now()}`);
    const run = spawnSync(
      process.execPath,
      [
        "-r",
        "ts-node/register/transpile-only",
        "-r",
        "./test/support/compileGate.js",
        "-e",
        'require("./tasks/init/run"); console.log("loaded")',
      ],
      { cwd: ROOT, encoding: "utf8", env: { ...process.env, NATIVE_ROLLUP_COMPILE_GATE: gate } },
    );
    expect(run.stderr.split("\n").find((line) => line.includes("is loaded before")) ?? "").to.equal("");
    expect(run.stdout.trim()).to.equal("loaded");
  });
});
