import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { createChainCommon } from "../../rollup-node/chain/genesis";
import { readGenesisFile } from "../../rollup-node/chain/genesisFile";
import { type L1Devnet, startL1Devnet } from "../../rollup-node/devnet/l1Devnet";
import { leastL1GasLimitForRequiredMessages } from "../../rollup-node/l2/advanceBudget";
import { runTask } from "../support/runTask";

/** An L1 that is not the devnet's (chain 1337), where `rollup:deploy --genesis FILE` is how a rollup is made. */
const OTHER_L1_CHAIN_ID = 31_337n;
/** Room for the rollup contract's creation (≈ 4.3M), below what the required messages' advance needs (≈ 7.8M). */
const SMALL_L1_GAS_LIMIT = 6_000_000n;

/**
 * attack-review-s27.md, fourth pass, finding 7: on an L1 whose blocks cannot carry the block of
 * overdue messages L1 may require at once, a stranger's two `sendMessage`s stop every block.
 * rollup:deploy says so before deploying (a warning: a private L1's limit may be raised later).
 */
describe("rollup:deploy on an L1 too small for the messages L1 may require of one block", function () {
  this.timeout(300_000);
  let l1: L1Devnet;
  let dir: string;

  before(async () => {
    l1 = await startL1Devnet({ port: 0, chainId: OTHER_L1_CHAIN_ID, gasLimit: SMALL_L1_GAS_LIMIT });
    dir = mkdtempSync(path.join(tmpdir(), "deploy-small-l1-"));
  });

  after(async () => {
    await l1?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("warns, naming the L1's limit and the least it needs, and deploys", async () => {
    const genesis = path.join(dir, "genesis.json");
    await runTask("rollup:genesis", { out: genesis, dev: true });
    const printed = await runTask("rollup:deploy", {
      l1Rpc: l1.url as string,
      genesis,
      dev: true,
      sequencer: "0x000000000000000000000000000000000000dEaD",
      out: path.join(dir, "deployment.json"),
    });
    const least = leastL1GasLimitForRequiredMessages(createChainCommon((await readGenesisFile(genesis)).chainId));
    expect(least).to.be.greaterThan(SMALL_L1_GAS_LIMIT);
    expect(printed).to.include(`warning: this L1's block gas limit (${SMALL_L1_GAS_LIMIT}) is below ${least}`);
  });
});
