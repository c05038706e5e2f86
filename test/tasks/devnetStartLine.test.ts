import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { stripVTControlCharacters } from "node:util";

import { expect } from "chai";
import hre from "hardhat";

describe("npx hardhat devnet says it is starting before it loads the node's modules (trial s29: 64 s without a word after the compile line)", function () {
  this.timeout(600_000);

  it("prints the starting line after compiling and before anything of the devnet runs", () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "devnet-start-line-"));
    try {
      // An L1 chain id equal to the project's L2 one: refused only once the devnet's modules have
      // loaded (the config's L2 chain id is read there), so the run stops before any chain starts.
      const l2ChainId = hre.config.rollup.l2ChainId.toString();
      const run = spawnSync(
        "npx",
        ["hardhat", "devnet", "--chain-id", l2ChainId, "--port", "0", "--l2-port", "0", "--data-dir", dataDir],
        { encoding: "utf8", env: { ...process.env, HARDHAT_SHOW_STACK_TRACES: undefined } as NodeJS.ProcessEnv },
      );
      const output = stripVTControlCharacters(`${run.stdout}${run.stderr}`);
      expect(run.status, output).to.equal(1);
      const refused = output.indexOf(`is the L1's chain id (--chain-id ${l2ChainId})`);
      expect(refused, output).to.be.greaterThan(-1);
      const starting = output.indexOf(
        "Starting the native rollup devnet: loading the L1, the rollup and the L2 node (a few seconds, up to a minute on a busy machine)…",
      );
      expect(starting, output).to.be.greaterThan(-1);
      expect(starting, output).to.be.lessThan(refused);
      expect(output).to.not.contain("[devnet]");
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
