// Writes a new rollup project: the rendered template, its package.json (versions pinned to the
// framework's own), the framework tarball in vendor/, and a package-lock.json so that `npm ci`
// works in it straight away.
import { execFile } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";

import type { InitOptions } from "./options";
import { renderTemplate } from "./render";
import { NodeError } from "../../rollup-node/errors";

const run = promisify(execFile);

/** The project's development dependencies: the same exact versions the framework is built with. */
export const PROJECT_DEV_DEPENDENCIES = [
  "@nomicfoundation/hardhat-chai-matchers",
  "@nomicfoundation/hardhat-ethers",
  "@nomicfoundation/hardhat-network-helpers",
  "@typechain/ethers-v6",
  "@typechain/hardhat",
  "@types/chai",
  "@types/mocha",
  "@types/node",
  "chai",
  "ethers",
  "hardhat",
  "ts-node",
  "typechain",
  "typescript",
] as const;

/** The framework to vendor: its tarball, version, and the versions of what it was built with. */
export interface FrameworkPackage {
  readonly tarball: string;
  readonly version: string;
  readonly versions: Readonly<Record<string, string>>;
}

/** Writing the project failed (a missing version, npm refusing the lock file). */
export class InitProjectError extends NodeError {
  constructor(code: string, message: string, hint: string) {
    super(code, `${message}\nhint: ${hint}`, hint);
  }
}

export interface CreatedProject {
  readonly dir: string;
  readonly files: readonly string[];
  /** Milliseconds spent writing package-lock.json. */
  readonly lockMs: number;
}

function projectPackageJson(options: InitOptions, framework: FrameworkPackage, tarballName: string): object {
  const devDependencies: Record<string, string> = {};
  for (const name of PROJECT_DEV_DEPENDENCIES) {
    const version = framework.versions[name];
    if (version === undefined)
      throw new InitProjectError(
        "NO_VERSION",
        `the framework does not pin ${name}`,
        "add it to the framework's package.json with an exact version",
      );
    devDependencies[name] = version;
  }
  devDependencies["native-rollup"] = `file:vendor/${tarballName}`;
  return {
    name: options.project,
    version: "0.1.0",
    private: true,
    description: `The ${options.name} native rollup (native-rollup ${framework.version}).`,
    license: "MIT",
    engines: { node: ">=20" },
    scripts: {
      devnet: "hardhat devnet",
      test: "hardhat test",
      // The L2 contracts' tests, on the L2 of a rollup started in-process for the run.
      "test:l2": "hardhat test --network l2devnet test/l2/*.test.ts",
      build: "hardhat compile",
      typecheck: "tsc --noEmit -p tsconfig.json",
    },
    devDependencies: Object.fromEntries(Object.entries(devDependencies).sort(([a], [b]) => a.localeCompare(b))),
  };
}

/** Writes the project into `options.dir` (which must not exist or be empty; see resolveInitOptions). */
export async function createProject(options: InitOptions, framework: FrameworkPackage): Promise<CreatedProject> {
  const files = renderTemplate(options, framework.version);
  mkdirSync(options.dir, { recursive: true });
  for (const file of files) {
    const target = path.join(options.dir, ...file.path.split("/"));
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, file.content);
  }
  chmodSync(path.join(options.dir, ".ci", "run"), 0o755);
  const tarballName = path.basename(framework.tarball);
  mkdirSync(path.join(options.dir, "vendor"), { recursive: true });
  if (path.resolve(framework.tarball) !== path.join(options.dir, "vendor", tarballName))
    copyFileSync(framework.tarball, path.join(options.dir, "vendor", tarballName));
  writeFileSync(
    path.join(options.dir, "package.json"),
    `${JSON.stringify(projectPackageJson(options, framework, tarballName), null, 2)}\n`,
  );

  // Resolves every version from the registry (or npm's cache) without installing anything.
  const started = Date.now();
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  try {
    await run(
      npm,
      ["install", "--package-lock-only", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"],
      { cwd: options.dir, maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    throw new InitProjectError(
      "LOCKFILE",
      `npm could not write package-lock.json in ${options.dir}:\n${stderr.trim()}`,
      "check that the npm registry is reachable (or its cache is warm), then run npm install --package-lock-only there",
    );
  }
  return {
    dir: options.dir,
    files: [...files.map((f) => f.path), "package.json", "package-lock.json", `vendor/${tarballName}`].sort(),
    lockMs: Date.now() - started,
  };
}
