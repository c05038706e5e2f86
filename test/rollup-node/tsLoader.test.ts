import { spawnSync } from "node:child_process";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";

import { expect } from "chai";

import { typescriptLoader } from "../../rollup-node/cli";

const LOADER = path.resolve(__dirname, "../../rollup-node/tsLoader.js");

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `file` in a fresh Node.js process with the loader registered and the cache in `cache`. */
function runWithLoader(file: string, cache: string): Run {
  const env: NodeJS.ProcessEnv = { ...process.env, NATIVE_ROLLUP_TS_CACHE: cache };
  const result = spawnSync(process.execPath, ["-r", LOADER, file], { env, encoding: "utf8", timeout: 60_000 });
  return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr };
}

const entries = (cache: string): string[] => readdirSync(cache).filter((name) => name.endsWith(".js"));

describe("rollup-node/tsLoader.js: the TypeScript loader that keeps what it transpiled", function () {
  // Each case starts Node.js processes; a cache miss loads TypeScript (≈ 1 CPU s) on a loaded machine.
  this.timeout(120_000);
  let dir: string;
  let source: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "ts-loader-test-"));
    source = path.join(dir, "answer.ts");
    writeFileSync(source, "const answer: number = 41;\nconsole.log(answer + 1);\n");
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("is what processes and threads started from the sources register unless told otherwise", () => {
    const told = process.env.NATIVE_ROLLUP_TS_LOADER;
    try {
      delete process.env.NATIVE_ROLLUP_TS_LOADER;
      expect(typescriptLoader()).to.equal(LOADER);
      process.env.NATIVE_ROLLUP_TS_LOADER = "ts-node/register/transpile-only";
      expect(typescriptLoader()).to.equal("ts-node/register/transpile-only");
    } finally {
      if (told === undefined) delete process.env.NATIVE_ROLLUP_TS_LOADER;
      else process.env.NATIVE_ROLLUP_TS_LOADER = told;
    }
  });

  it("transpiles a file once and reads its output back from the cache on the next start", () => {
    const cache = path.join(dir, "cache");
    expect(runWithLoader(source, cache)).to.include({ status: 0, stdout: "42" });
    const [entry] = entries(cache);
    expect(entries(cache)).to.have.length(1);
    expect(readFileSync(path.join(cache, entry), "utf8")).to.contain("const answer = 41;");
    // The next start runs what the entry holds, not a new transpile of the source.
    writeFileSync(path.join(cache, entry), 'console.log("read back");\n');
    expect(runWithLoader(source, cache)).to.include({ status: 0, stdout: "read back" });
  });

  it("transpiles an edited file afresh, under a key of its own", () => {
    const cache = path.join(dir, "cache");
    expect(runWithLoader(source, cache).stdout).to.equal("42");
    writeFileSync(source, "const answer: number = 6;\nconsole.log(answer * 7 + 1);\n");
    expect(runWithLoader(source, cache)).to.include({ status: 0, stdout: "43" });
    expect(entries(cache)).to.have.length(2);
  });

  it("names the TypeScript file and line in a stack trace", () => {
    // Line 3 of the source is line 2 of the transpiled output: the trace names the source's.
    writeFileSync(source, 'type Unused = number;\n\nthrow new Error("at line " + (3 as number));\n');
    const run = runWithLoader(source, path.join(dir, "cache"));
    expect(run.status).to.equal(1);
    expect(run.stderr).to.contain(`${source}:3`);
  });

  it("does not use a cache folder that others may write to, or that is a link: it transpiles and runs without it", () => {
    const open = path.join(dir, "open");
    mkdirSync(open);
    chmodSync(open, 0o777);
    expect(runWithLoader(source, open)).to.include({ status: 0, stdout: "42" });
    expect(entries(open)).to.deep.equal([]);

    const target = path.join(dir, "target");
    mkdirSync(target, { mode: 0o700 });
    const link = path.join(dir, "link");
    symlinkSync(target, link);
    expect(runWithLoader(source, link)).to.include({ status: 0, stdout: "42" });
    expect(entries(target)).to.deep.equal([]);
  });

  it("runs the file when the cache folder cannot be made at all", () => {
    const blocked = path.join(dir, "a-file");
    writeFileSync(blocked, "");
    expect(runWithLoader(source, path.join(blocked, "cache"))).to.include({ status: 0, stdout: "42" });
  });
});
