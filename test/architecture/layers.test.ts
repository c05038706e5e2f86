import { execFile } from "node:child_process";
import { mkdtemp, mkdir, rm, writeFile, copyFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

import { expect } from "chai";

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, "..", "..");
const CRUISER = path.join(ROOT, "node_modules", "dependency-cruiser", "bin", "dependency-cruise.mjs");
/** The folders `npm run check:layers` cruises (package.json). */
const CHECKED = [
  "precompiles",
  "protocol",
  "rollup-node",
  "sdk",
  "tasks",
  "deploy",
  "scripts",
  "tools",
  "examples",
  "test",
  "hardhat.config.ts",
];

interface Violation {
  readonly from: string;
  readonly to: string;
  readonly rule: { readonly name: string };
}

/** The rule violations dependency-cruiser reports for `paths` under `cwd`, with the repository's rules. */
async function violations(cwd: string, paths: readonly string[]): Promise<Violation[]> {
  const args = [CRUISER, ...paths, "--config", path.join(ROOT, ".dependency-cruiser.cjs"), "--output-type", "json"];
  // It exits non-zero when it finds violations; the JSON report is on stdout either way.
  const { stdout } = await run(process.execPath, args, { cwd, maxBuffer: 64 * 1024 * 1024 }).catch(
    (error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }),
  );
  const report = JSON.parse(stdout) as { summary: { violations: Violation[] } };
  return report.summary.violations;
}

/** Writes `files` (path → source) into a fresh folder with the repository's tsconfig. */
async function fixture(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "layers-"));
  await copyFile(path.join(ROOT, "tsconfig.json"), path.join(dir, "tsconfig.json"));
  for (const [file, source] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), source);
  }
  return dir;
}

describe("architecture: the layers of ARCHITECTURE.md (npm run check:layers)", function () {
  this.timeout(180_000);

  it("holds for the repository's import graph", async () => {
    const found = await violations(ROOT, CHECKED);
    expect(found.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)).to.deep.equal([]);
  });

  it("fails an import that breaks a layer, and passes one that follows them", async () => {
    const dir = await fixture({
      "rollup-node/devnet/l1Devnet.ts": "export const devnet = 1;\n",
      "rollup-node/chain/chain.ts": "export const chain = 1;\n",
      "rollup-node/bridge/messages.ts": "export const messages = 1;\n",
      "precompiles/witness.ts": "export const witness = 1;\n",
      "precompiles/index.ts": 'export { witness } from "./witness";\n',
      "test/support/fixture.ts": "export const fixture = 1;\n",
      // Each of these breaks one rule.
      "rollup-node/l2/mempool.ts": 'import { devnet } from "../devnet/l1Devnet";\nexport const pool = devnet;\n',
      "sdk/constants.ts": 'import { messages } from "../rollup-node/bridge/messages";\nexport const sdk = messages;\n',
      "scripts/bench.ts": 'import { fixture } from "../test/support/fixture";\nexport const bench = fixture;\n',
      "rollup-node/rpc/deep.ts": 'import { witness } from "../../precompiles/witness";\nexport const deep = witness;\n',
      // These follow them.
      "rollup-node/node/wiring.ts":
        'import { chain } from "../chain/chain";\nimport { witness } from "../../precompiles";\nexport const node = chain + witness;\n',
    });
    try {
      const found = (await violations(dir, ["rollup-node", "sdk", "scripts", "precompiles", "test"]))
        .map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)
        .sort();
      expect(found).to.deep.equal([
        "l2: rollup-node/l2/mempool.ts → rollup-node/devnet/l1Devnet.ts",
        "nothing-imports-test: scripts/bench.ts → test/support/fixture.ts",
        "precompiles-through-its-index: rollup-node/rpc/deep.ts → precompiles/witness.ts",
        "scripts: scripts/bench.ts → test/support/fixture.ts",
        "sdk-is-apart: sdk/constants.ts → rollup-node/bridge/messages.ts",
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
