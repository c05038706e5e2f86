import { expect } from "chai";
import { formatEther } from "ethers";
import hre from "hardhat";

import { DEFAULT_L2_BLOCK_TIME_MS, DEFAULT_L2_CHAIN_ID } from "../../rollup-node/devnet/defaults";
import { DEFAULT_RELAYER_GENESIS_BALANCE } from "../../rollup-node/node/l2Genesis";
import { resolveInitOptions } from "../../tasks/init/options";
import { scratchDirs } from "../support/scratchDirs";

/** The `--help` text of one option: its description, and Hardhat's "(default: …)" when it has one. */
function helpOf(task: string, param: string): string {
  const definition = hre.tasks[task]?.paramDefinitions[param];
  expect(definition, `${task} --${param}`).not.to.equal(undefined);
  const shown = definition?.defaultValue === undefined ? "" : ` (default: ${JSON.stringify(definition.defaultValue)})`;
  return `${definition?.description ?? ""}${shown}`;
}

describe("--help names the default of every option a user may leave out (trial s29: rollup:init's said none)", () => {
  const scratch = scratchDirs();
  it("rollup:init: the defaults the project is made with, when its options are left out", () => {
    const made = resolveInitOptions({ dir: "acme" }, scratch("help-defaults-"));
    expect(made.chainId).to.equal(DEFAULT_L2_CHAIN_ID);
    expect(helpOf("rollup:init", "chainId")).to.include(`default ${DEFAULT_L2_CHAIN_ID}`);
    expect(made.blockTimeMs).to.equal(DEFAULT_L2_BLOCK_TIME_MS);
    expect(helpOf("rollup:init", "blockTime")).to.include(`default ${DEFAULT_L2_BLOCK_TIME_MS}`);
    expect(helpOf("rollup:init", "gasLimit")).to.include(`default ${made.gasLimit}`);
    expect(helpOf("rollup:init", "sequencing")).to.include(`default ${made.sequencing}`);
    expect(made.mode.kind).to.equal("reexecution");
    expect(helpOf("rollup:init", "proofs")).to.include("default reexecution");
    expect(helpOf("rollup:init", "k")).to.include("default 1");
  });

  it("rollup:genesis --relayer-balance: the relayer's ETH at genesis", () => {
    expect(helpOf("rollup:genesis", "relayerBalance")).to.include(
      `default ${formatEther(DEFAULT_RELAYER_GENESIS_BALANCE).replace(/\.0$/, "")} ETH`,
    );
  });
});
