import { expect } from "chai";
import hre from "hardhat";

import { EDR_NETWORK, startEdrL1 } from "../../tools/edrL1";

// Tests that put L2 blocks (stamped with the wall clock) on an EDR L1 need that L1's clock at real
// time: a rollup refuses a block from the future (BlockFromFuture).
describe("tools/edrL1: an L1 without EXECUTE for the tests", function () {
  this.timeout(60_000);

  it("keeps real time even when started long after the config loaded (as in a long mocha worker)", async () => {
    const network = hre.config.networks[EDR_NETWORK] as { initialDate?: string };
    const loaded = network.initialDate;
    // What Hardhat resolved the date to in a worker that loaded its config 30 minutes earlier.
    network.initialDate = new Date(Date.now() - 30 * 60_000).toISOString();
    try {
      const l1 = await startEdrL1(hre);
      await l1.provider.send("evm_mine", []);
      const latest = await l1.provider.getBlock("latest");
      const lagSeconds = Math.floor(Date.now() / 1000) - Number(latest?.timestamp);
      expect(lagSeconds, "seconds the L1's clock is behind the wall clock").to.be.below(60);
    } finally {
      network.initialDate = loaded;
    }
  });
});
