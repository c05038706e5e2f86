import path from "node:path";

import { subtask } from "hardhat/config";
import {
  TASK_COMPILE_SOLIDITY_COMPILE_JOBS,
  TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD,
} from "hardhat/builtin-tasks/task-names";
import type { CompilationJob } from "hardhat/types";

/** The one compiler version this project builds with: the `solc` npm package, pinned exactly. */
export const SOLC_VERSION = "0.8.30";

/**
 * SOLC_VERSION's long name, as the `solc` package's `version()` reports it (Hardhat records it in
 * every build-info). Declared, not asked: asking loads the package's 8 MB soljson.js into the
 * task's own process (≈ 1 CPU s, on top of the compiler process Hardhat starts for the compile
 * itself) just to read it. test/tasks/solc.test.ts holds it to the installed package's answer.
 */
export const SOLC_LONG_VERSION = "0.8.30+commit.73712a01.Emscripten.clang";

/** Thrown when a source asks for a compiler this offline project does not ship. */
export class UnsupportedSolcVersionError extends Error {
  readonly code = "UNSUPPORTED_SOLC_VERSION";
  readonly hint: string;
  constructor(requested: string) {
    super(`Solidity ${requested} was requested, but only ${SOLC_VERSION} is available offline`);
    this.name = "UnsupportedSolcVersionError";
    this.hint = `set the pragma and hardhat.config.ts to ${SOLC_VERSION} (the pinned 'solc' npm package)`;
  }
}

// Hardhat's default subtask downloads compilers from the internet; these machines reach only
// the npm registry, so the compiler is always the soljson.js of the pinned `solc` package.
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async ({ solcVersion }: { solcVersion: string }) => {
  const installed: string = require("solc/package.json").version;
  if (solcVersion !== SOLC_VERSION || installed !== SOLC_VERSION) {
    throw new UnsupportedSolcVersionError(solcVersion === SOLC_VERSION ? installed : solcVersion);
  }
  const compilerPath = path.join(path.dirname(require.resolve("solc/package.json")), "soljson.js");
  return { compilerPath, isSolcJs: true, version: SOLC_VERSION, longVersion: SOLC_LONG_VERSION };
});

/**
 * The line said before a compile that has work to do: Hardhat prints only its result ("Compiled 40
 * Solidity files successfully"), after solc-js has run for minutes on a fresh clone (`npm run
 * devnet` was silent that long, docs/design/trial-s29.md). Undefined when nothing compiles.
 */
export function compileNotice(jobs: readonly CompilationJob[]): string | undefined {
  // Counted as Hardhat's result line counts: the files that emit artifacts, not their imports.
  const sources = new Set(
    jobs.flatMap((job) => job.getResolvedFiles().filter((file) => job.emitsArtifacts(file))).map((f) => f.sourceName),
  );
  if (sources.size === 0) return undefined;
  const files = sources.size === 1 ? "1 Solidity file" : `${sources.size} Solidity files`;
  return `Compiling ${files} with solc ${SOLC_VERSION} (solc-js, from the solc npm package; offline, and slow: minutes on a busy machine)…`;
}

// Said whether or not the compile is quiet, as Hardhat's own result line is: the devnet and the
// tests compile quietly, and a wait of minutes needs its reason before it, not after.
subtask(TASK_COMPILE_SOLIDITY_COMPILE_JOBS).setAction(
  async (args: { compilationJobs: CompilationJob[] }, _hre, runSuper): Promise<unknown> => {
    const notice = compileNotice(args.compilationJobs);
    if (notice !== undefined) console.log(notice);
    return runSuper(args);
  },
);
