import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { expect } from "chai";

const LOADER = path.resolve(__dirname, "../../rollup-node/tsLoader.js");

/**
 * The loader maps the TypeScript sources' stack traces, not the packages': reading a package file's
 * source map as it loads is ≈ a quarter of the CPU of loading ethers and EthereumJS, in every
 * process and thread the tests start (docs/design/fast-tests.md, round 27).
 */
describe("rollup-node/tsLoader.js: source maps for the sources, not for the packages", function () {
  this.timeout(120_000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "ts-loader-maps-test-"));
    const pkg = path.join(dir, "node_modules", "mapped");
    mkdirSync(pkg, { recursive: true });
    // A package file whose map sends every position to line 1 of another file.
    writeFileSync(
      path.join(pkg, "index.js"),
      [
        'module.exports.where = () => new Error("here").stack.split("\\n")[1];',
        "module.exports.load = (file) => require(file);",
        "//# sourceMappingURL=index.js.map",
        "",
      ].join("\n"),
    );
    writeFileSync(
      path.join(pkg, "index.js.map"),
      JSON.stringify({ version: 3, sources: ["original-source.js"], names: [], mappings: "AAAA" }),
    );
    // Line 3 of the source is line 2 of the transpiled output.
    writeFileSync(
      path.join(dir, "thrower.ts"),
      'type Unused = number;\n\nthrow new Error("at line " + (3 as number));\n',
    );
    writeFileSync(
      path.join(dir, "main.ts"),
      [
        'const pkg = require("mapped") as { where(): string; load(file: string): unknown };',
        "console.log(pkg.where());",
        'pkg.load(require("node:path").join(__dirname, "thrower.ts"));',
        "",
      ].join("\n"),
    );
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it("reads no package file's map (its frames name its JavaScript), and still names the TypeScript line of a source a package file loads", () => {
    const run = spawnSync(process.execPath, ["-r", LOADER, path.join(dir, "main.ts")], {
      env: { ...process.env, NATIVE_ROLLUP_TS_CACHE: path.join(dir, "cache") },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(run.stdout).to.contain(path.join(dir, "node_modules", "mapped", "index.js:1"));
    expect(run.stdout).not.to.contain("original-source.js");
    expect(run.status).to.equal(1);
    expect(run.stderr).to.contain(`${path.join(dir, "thrower.ts")}:3`);
  });
});
