import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

const EXAMPLE = path.join(__dirname, "..", "..", "examples", "sdk-deposit-withdraw.ts");

describe("examples/sdk-deposit-withdraw.ts", function () {
  this.timeout(120_000);

  it("run where no devnet record is and without an address: says where the address comes from, not ENOENT", () => {
    // Before: "ENOENT: no such file or directory, open '/tmp/…/.devnet/rollup.json'" and nothing else.
    const cwd = mkdtempSync(path.join(tmpdir(), "sdk-example-"));
    try {
      const run = spawnSync(process.execPath, ["-r", require.resolve("ts-node/register/transpile-only"), EXAMPLE], {
        cwd,
        encoding: "utf8",
        env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, "..", "..", "tsconfig.json") },
      });
      expect(run.status, run.stderr).to.equal(1);
      expect(run.stderr).to.not.contain("ENOENT");
      expect(run.stderr).to.contain(path.join(cwd, ".devnet", "rollup.json"));
      expect(run.stderr).to.contain("npx ts-node examples/sdk-deposit-withdraw.ts 0xRollupAddress");
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it("an SDK error prints its message and its hint, the hint once", () => {
    const run = spawnSync(
      process.execPath,
      ["-r", require.resolve("ts-node/register/transpile-only"), EXAMPLE, "0xnot-an-address"],
      {
        encoding: "utf8",
        env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, "..", "..", "tsconfig.json") },
      },
    );
    expect(run.status, run.stderr).to.equal(1);
    expect(run.stderr).to.contain(
      "rollupAddress 0xnot-an-address is not an address\nhint: pass the rollup contract's L1 address",
    );
    expect(run.stderr.split("hint:").length - 1, run.stderr).to.equal(1);
  });
});
