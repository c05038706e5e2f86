import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { expect } from "chai";

const LOADER = path.resolve(__dirname, "../../rollup-node/tsLoader.js");

/**
 * The loader compiles package files through V8's code cache (docs/design/fast-tests.md, round
 * 28a): a package file compiled from cached data must behave as one Node compiled itself, and
 * the cached data must be taken by the next process, not rejected and written again.
 */
describe("rollup-node/tsLoader.js: V8's code cache for package files", function () {
  this.timeout(120_000);
  let dir: string;
  let cache: string;

  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "ts-loader-code-cache-test-"));
    cache = path.join(dir, "cache");
    const pkg = path.join(dir, "node_modules", "probe");
    mkdirSync(pkg, { recursive: true });
    writeFileSync(path.join(pkg, "package.json"), JSON.stringify({ name: "probe", main: "index.js" }));
    // What Node gives a CommonJS module: this, exports, require (resolve, cache, main), module,
    // __filename, __dirname; a throw names this file's line.
    writeFileSync(
      path.join(pkg, "index.js"),
      [
        '"use strict";',
        "const self = this;",
        "module.exports = {",
        "  thisIsExports: self === exports,",
        "  filename: __filename,",
        "  dirname: __dirname,",
        '  resolved: require.resolve("./helper"),',
        '  lookupPaths: Array.isArray(require.resolve.paths("x")),',
        "  cached: require.cache[__filename] === module,",
        "  mainIsSet: require.main !== undefined,",
        '  helper: require("./helper").value,',
        '  esm: require("./esm.js").value,',
        '  where: () => new Error("here").stack.split("\\n")[1],',
        "};",
        "",
      ].join("\n"),
    );
    writeFileSync(path.join(pkg, "helper.js"), "exports.value = 42;\n");
    // ES module syntax in a .js file under `require`: Node compiles it itself.
    writeFileSync(path.join(pkg, "esm.mjs"), "export const value = 7;\n");
    writeFileSync(path.join(pkg, "esm.js"), 'module.exports = { value: require("./esm.mjs").value };\n');
    // Transpiling a source loads TypeScript, whose package files are cached too: done first.
    writeFileSync(path.join(dir, "warm.ts"), "console.log(JSON.stringify({ warm: true as boolean }));\n");
    writeFileSync(
      path.join(dir, "main.ts"),
      [
        'const probe = require("probe") as Record<string, unknown> & { where(): string };',
        "console.log(JSON.stringify({ ...probe, where: probe.where() }));",
        "",
      ].join("\n"),
    );
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  function run(file = "main.ts"): Record<string, unknown> {
    const child = spawnSync(process.execPath, ["-r", LOADER, path.join(dir, file)], {
      env: { ...process.env, NATIVE_ROLLUP_TS_CACHE: cache },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(child.status, child.stderr).to.equal(0);
    return JSON.parse(child.stdout) as Record<string, unknown>;
  }

  const entries = (): { name: string; mtimeMs: number; size: number }[] =>
    readdirSync(cache)
      .filter((name) => name.endsWith(".v8"))
      .map((name) => ({ name, ...statSync(path.join(cache, name)) }))
      .map(({ name, mtimeMs, size }) => ({ name, mtimeMs, size }));

  it("gives a package file Node's module scope, and the next process takes the cached data without writing it again", () => {
    const pkg = path.join(dir, "node_modules", "probe");
    expect(run("warm.ts")).to.deep.equal({ warm: true });
    const before = new Set(entries().map((entry) => entry.name));
    const first = run();
    expect(first).to.deep.equal({
      thisIsExports: true,
      filename: path.join(pkg, "index.js"),
      dirname: pkg,
      resolved: path.join(pkg, "helper.js"),
      lookupPaths: true,
      cached: true,
      mainIsSet: true,
      helper: 42,
      esm: 7,
      where: `    at Object.where (${path.join(pkg, "index.js")}:13:16)`,
    });
    const written = entries();
    // Compiled code for index.js, helper.js and esm.js; esm.mjs, an ES module, only an empty
    // entry that sends it to Node's own compile from then on.
    const probeEntries = written.filter((entry) => !before.has(entry.name));
    expect(probeEntries.filter((entry) => entry.size > 0)).to.have.length(3);
    expect(probeEntries.filter((entry) => entry.size === 0)).to.have.length(1);
    expect(run()).to.deep.equal(first);
    expect(entries(), "an entry written again: V8 rejected its cached data").to.deep.equal(written);
  });
});
