import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

import { SuiteNotFoundError } from "./errors";
import { type IoCase, parseIoFile } from "./ioFile";

/** The suite's default places, in order: `$RPC_COMPAT_DIR`, `<repo>/../shared/…`, `/work/shared/…`. */
export function suiteCandidates(repoRoot: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  if (env.RPC_COMPAT_DIR !== undefined && env.RPC_COMPAT_DIR !== "") out.push(path.resolve(env.RPC_COMPAT_DIR));
  out.push(path.resolve(repoRoot, "..", "shared", "conformance", "rpc-compat"));
  out.push("/work/shared/conformance/rpc-compat");
  return out;
}

/** The first candidate holding genesis.json and chain.rlp; a clear error when none does. */
export function locateSuite(repoRoot: string, env: NodeJS.ProcessEnv = process.env): string {
  const candidates = suiteCandidates(repoRoot, env);
  // An explicit RPC_COMPAT_DIR that is wrong is an error, not a reason to look elsewhere.
  const explicit = env.RPC_COMPAT_DIR !== undefined && env.RPC_COMPAT_DIR !== "";
  for (const [i, dir] of candidates.entries()) {
    if (existsSync(path.join(dir, "genesis.json")) && existsSync(path.join(dir, "chain.rlp"))) return dir;
    if (explicit && i === 0) throw new SuiteNotFoundError(`RPC_COMPAT_DIR=${dir} holds no genesis.json and chain.rlp`);
  }
  throw new SuiteNotFoundError(`no rpc-compat suite found (looked in ${candidates.join(", ")})`);
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
