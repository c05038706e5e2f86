import path from "node:path";

import { expect } from "chai";
import hre from "hardhat";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";

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
});
