import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

const LOADER = path.resolve(__dirname, "..", "..", "rollup-node", "tsLoader.js");

// npm test's shared phase transpiles every source into the loader's cache before mocha's workers
// start (hardhat.config.ts, the `test` task): a fresh checkout's processes then find each file there.
describe("tsLoader.js warmCache (the shared phase's one transpiling pass)", () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "ts-loader-warm-test-"));
    const cache = path.join(dir, "cache");
    mkdirSync(cache, { mode: 0o700 });
    // The cache folder is read once, when the loader loads: each step runs in a process of its own.
    env = { ...process.env, NATIVE_ROLLUP_TS_CACHE: cache };
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** warmCache's answer (the entries it wrote) in a fresh process. */
  const warm = (files: readonly string[]): number =>
    Number(
      execFileSync(
        process.execPath,
        ["-e", `process.stdout.write(String(require(${JSON.stringify(LOADER)}).warmCache(${JSON.stringify(files)})))`],
        { env, encoding: "utf8" },
      ),
    );

  it("writes each source's entry once, and a process then loads the sources without TypeScript", function () {
    this.timeout(120_000);
    const a = path.join(dir, "a.ts");
    const b = path.join(dir, "b.ts");
    writeFileSync(a, "export const a: number = 1;\n");
    writeFileSync(b, 'import { a } from "./a";\nexport const b: number = a + 1;\n');

    expect(warm([a, b])).to.equal(2);
    expect(warm([a, b])).to.equal(0);
    const loaded = JSON.parse(
      execFileSync(
        process.execPath,
        [
          "-r",
          LOADER,
          "-e",
          `const { b } = require(${JSON.stringify(b)});
           const typescript = Object.keys(require.cache).some((f) => f.includes(\`\${require("node:path").sep}typescript\${require("node:path").sep}\`));
           process.stdout.write(JSON.stringify({ b, typescript }));`,
        ],
        { env, encoding: "utf8" },
      ),
    ) as { b: number; typescript: boolean };
    expect(loaded).to.deep.equal({ b: 2, typescript: false });

    // An edited source is transpiled again, the unchanged one is not.
    writeFileSync(a, "export const a: number = 5;\n");
    expect(warm([a, b])).to.equal(1);
  });
});
