import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

import { SuiteNotFoundError } from "./errors";
import { type IoCase, parseIoFile } from "./ioFile";

/** Where the repository keeps its vendored copy of the suite, relative to the repository root. */
export const VENDORED_SUITE_DIR = path.join("test", "conformance", "rpc-compat");

/**
 * The suite's place: `$RPC_COMPAT_DIR` when set, else the copy vendored in the repository.
 * There is no further fallback, so a run never picks up a suite from outside the repository.
 */
export function suiteDirectory(repoRoot: string, env: NodeJS.ProcessEnv = process.env): string {
  const override = env.RPC_COMPAT_DIR;
  return override !== undefined && override !== ""
    ? path.resolve(override)
    : path.resolve(repoRoot, VENDORED_SUITE_DIR);
}

/** The suite's directory, checked to hold genesis.json and chain.rlp; a clear error when it does not. */
export function locateSuite(repoRoot: string, env: NodeJS.ProcessEnv = process.env): string {
  const dir = suiteDirectory(repoRoot, env);
  const missing = ["genesis.json", "chain.rlp"].filter((file) => !existsSync(path.join(dir, file)));
  if (missing.length === 0) return dir;
  const origin =
    env.RPC_COMPAT_DIR !== undefined && env.RPC_COMPAT_DIR !== ""
      ? `RPC_COMPAT_DIR=${dir}`
      : `the vendored suite ${dir}`;
  throw new SuiteNotFoundError(`${origin} lacks ${missing.join(" and ")}`);
}

/** Every `<method>/<case>.io` of the suite, sorted by method then case. */
export function loadCases(suiteDir: string): IoCase[] {
  const cases: IoCase[] = [];
  for (const method of readdirSync(suiteDir).sort()) {
    const dir = path.join(suiteDir, method);
    if (!statSync(dir).isDirectory()) continue;
    for (const file of readdirSync(dir).sort()) {
      if (!file.endsWith(".io")) continue;
      cases.push(parseIoFile(readFileSync(path.join(dir, file), "utf8"), method, file.slice(0, -3)));
    }
  }
  if (cases.length === 0) throw new SuiteNotFoundError(`${suiteDir} holds no <method>/<case>.io files`);
  return cases;
}
