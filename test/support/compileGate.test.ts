import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { compileGate } = require("./compileGate") as {
  compileGate(
    gate: string,
    free: readonly string[],
    load: (request: string, parent: unknown, isMain: boolean) => unknown,
  ): (request: string, parent: unknown, isMain: boolean) => unknown;
};

const GATE_MODULE = path.join(__dirname, "compileGate.js");
const ROOT = path.resolve(__dirname, "..", "..");

describe("compileGate (npm test's files held until the contracts are compiled)", () => {
  let dir: string;
  const loaded: string[] = [];
  const load = (request: string): string => {
    loaded.push(request);
    return request;
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "compile-gate-test-"));
    loaded.length = 0;
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("fails a file that needs the contracts when the compile failed, and lets a free file load", () => {
    const gate = path.join(dir, "outcome");
    writeFileSync(gate, "failed");
    const free = path.join(dir, "free.test.ts");
    const hook = compileGate(gate, [free], load);
    expect(() => hook(path.join(dir, "needs.test.ts"), undefined, false)).to.throw(
      "needs.test.ts needs the compiled contracts, and the compile failed",
    );
    expect(hook(free, undefined, false)).to.equal(free);
    expect(loaded).to.deep.equal([free]);
  });

  it("refuses compiled output to a file loaded while the compile runs", () => {
    const hook = compileGate(path.join(dir, "outcome"), [], load);
    const parent = { id: __filename, filename: __filename, paths: module.paths };
    expect(() => hook(path.join(ROOT, "typechain-types", "index.ts"), parent, false)).to.throw(
      "is loaded before the contracts are compiled",
    );
    expect(hook("node:path", parent, false)).to.equal("node:path");
  });

  it("holds a file that needs the contracts until the compile's outcome is written, then loads it", async () => {
    const gate = path.join(dir, "outcome");
    const testFile = path.join(dir, "needs.test.js");
    writeFileSync(testFile, 'console.log("loaded " + Date.now());\n');
    // A process of its own: the gate blocks its thread while it waits.
    const child = spawn(process.execPath, ["-r", GATE_MODULE, "-e", `require(${JSON.stringify(testFile)})`], {
      env: { ...process.env, NATIVE_ROLLUP_COMPILE_GATE: gate, NATIVE_ROLLUP_COMPILE_FREE: "[]" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(output, "loaded before the compile ended").to.equal("");
    const written = Date.now();
    writeFileSync(gate, "ok");
    expect(await exited, output).to.equal(0);
    const at = Number(/loaded (\d+)/.exec(output)?.[1]);
    expect(at).to.be.at.least(written);
  });
});
