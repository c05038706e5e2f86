import path from "node:path";

import { subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";

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
