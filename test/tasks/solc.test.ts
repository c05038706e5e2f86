import path from "node:path";

import { expect } from "chai";
import hre from "hardhat";
import {
  TASK_COMPILE_SOLIDITY_COMPILE_JOBS,
  TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD,
} from "hardhat/builtin-tasks/task-names";
import { CompilationJob } from "hardhat/internal/solidity/compilation-job";
import { ResolvedFile } from "hardhat/internal/solidity/resolver";

import { SOLC_LONG_VERSION, SOLC_VERSION } from "../../tasks/solc";

interface SolcBuild {
  readonly compilerPath: string;
  readonly isSolcJs: boolean;
  readonly version: string;
  readonly longVersion: string;
}

describe("tasks/solc: the offline compiler Hardhat builds with", () => {
  it("declares the long version the installed solc package reports", () => {
    // Loads the package's compiler: the one place that pays for asking it.
    const reported: string = require("solc").version();
    expect(SOLC_LONG_VERSION).to.equal(reported);
    expect(SOLC_LONG_VERSION.startsWith(`${SOLC_VERSION}+commit.`)).to.equal(true);
  });

  it("hands Hardhat the pinned package's soljson.js under that long version", async () => {
    const build = (await hre.run(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, {
      quiet: true,
      solcVersion: SOLC_VERSION,
    })) as SolcBuild;
    expect(build).to.deep.equal({
      compilerPath: path.join(path.dirname(require.resolve("solc/package.json")), "soljson.js"),
      isSolcJs: true,
      version: SOLC_VERSION,
      longVersion: SOLC_LONG_VERSION,
    });
  });

  it("refuses any other version, with a hint", async () => {
    const error = await hre.run(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, { quiet: true, solcVersion: "0.8.29" }).then(
      () => undefined,
      (e: unknown) => e as { code?: string; message: string; hint?: string },
    );
    expect(error?.code).to.equal("UNSUPPORTED_SOLC_VERSION");
    expect(error?.message).to.contain("0.8.29");
    expect(error?.hint).to.contain(SOLC_VERSION);
  });

  it("says what it compiles before the compiler runs, also when quiet (the devnet's first start was silent for minutes)", async () => {
    // A real job through Hardhat's real pipeline: a source solc refuses, so nothing is written
    // (no artifact, no build-info, no bindings) and the compiler did run when the job fails.
    const source = "contracts/NoticeProbe.sol";
    const file = new ResolvedFile(
      source,
      path.join(hre.config.paths.root, source),
      { rawContent: "pragma solidity 0.8.30;\ncontract NoticeProbe {", imports: [], versionPragmas: ["0.8.30"] },
      "notice-probe",
      new Date(),
    );
    const job = new CompilationJob(hre.config.solidity.compilers[0]);
    job.addFileToCompile(file, true);
    const printed: string[] = [];
    const log = console.log;
    const error = console.error;
    console.log = (...args: unknown[]) => printed.push(args.join(" "));
    console.error = (...args: unknown[]) => printed.push(args.join(" "));
    let failure: unknown;
    try {
      await hre.run(TASK_COMPILE_SOLIDITY_COMPILE_JOBS, { compilationJobs: [job], quiet: true });
    } catch (e) {
      failure = e;
    } finally {
      console.log = log;
      console.error = error;
    }
    expect(String(failure)).to.match(/compilation failed|HH600/i);
    expect(printed[0]).to.equal(
      `Compiling 1 Solidity file with solc ${SOLC_VERSION} (solc-js, from the solc npm package; offline, and slow: minutes on a busy machine)…`,
    );
    // Nothing to compile, nothing said (a devnet that resumes stays as quiet as before).
    printed.length = 0;
    console.log = (...args: unknown[]) => printed.push(args.join(" "));
    try {
      await hre.run(TASK_COMPILE_SOLIDITY_COMPILE_JOBS, { compilationJobs: [], quiet: true });
    } finally {
      console.log = log;
    }
    expect(printed).to.deep.equal([]);
  });
});
