// The framework tarball a new project vendors: packed from this repository's sources, or, when
// rollup:init runs from an installed native-rollup package, that package itself.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";

import type { HardhatRuntimeEnvironment } from "hardhat/types";

import type { FrameworkPackage } from "./project";

/** The repository root, or the installed package's root (this file is tasks/init/framework.*). */
const ROOT = path.resolve(__dirname, "..", "..");

interface PackageJson {
  readonly name: string;
  readonly version: string;
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
}

/** scripts/pack-framework.ts, as this module uses it. */
interface PackFrameworkModule {
  packFramework(options: { readonly outDir: string; readonly root?: string }): FrameworkPackage;
}

const readPackage = (dir: string): PackageJson =>
  JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as PackageJson;

/** True in the repository (TypeScript sources and the packing script), false in an installed package. */
export function runningFromSources(): boolean {
  return path.extname(__filename) === ".ts" && existsSync(path.join(ROOT, "scripts", "pack-framework.ts"));
}

/** Packs the framework into `outDir` (compiling the contracts first when in the repository). */
export async function packFrameworkInto(hre: HardhatRuntimeEnvironment, outDir: string): Promise<FrameworkPackage> {
  if (runningFromSources()) {
    await hre.run("compile", { quiet: true });
    // Loaded only here, by a computed path so the package build does not ship it: an installed
    // package has no scripts/.
    const { packFramework } = (await import(path.join(ROOT, "scripts", "pack-framework"))) as PackFrameworkModule;
    return packFramework({ outDir, root: ROOT });
  }
  mkdirSync(outDir, { recursive: true });
  const out = execFileSync(
    process.platform === "win32" ? "npm.cmd" : "npm",
    ["pack", ROOT, "--pack-destination", outDir, "--json", "--ignore-scripts"],
    { encoding: "utf8" },
  );
  const [packed] = JSON.parse(out) as { filename: string }[];
  return frameworkFromTarball(path.join(outDir, packed?.filename ?? ""));
}

/**
 * The framework a given tarball holds. Versions come from this framework's package.json: in the
 * repository its devDependencies; installed, the dependencies and peers plus those of the
 * project that installed it (hardhat, typescript, …: the versions it was made with).
 */
export function frameworkFromTarball(tarball: string): FrameworkPackage {
  const own = readPackage(ROOT);
  const versions: Record<string, string> = { ...own.dependencies, ...own.peerDependencies, ...own.devDependencies };
  if (!runningFromSources()) {
    // The project around the installed package pinned the rest.
    const project = readPackage(path.resolve(ROOT, "..", ".."));
    Object.assign(versions, project.devDependencies, project.dependencies);
  }
  const version = /native-rollup-(.+)\.tgz$/.exec(path.basename(tarball))?.[1] ?? own.version;
  return { tarball, version, versions: { ...versions, "native-rollup": version } };
}
