import { expect } from "chai";
import type { Block, Provider } from "ethers";

import { L1HeadReader } from "../../../rollup-node/bridge/l1HeadReader";

/** A provider whose `getBlock("latest")` answers block `n` for its n-th read, or fails when told to. */
function countingHead(): { provider: Provider; reads: () => number; failNext: () => void } {
  let reads = 0;
  let fail = false;
  const provider = {
    getBlock: async (tag: string): Promise<Block> => {
      expect(tag).to.equal("latest");
      reads++;
      if (fail) {
        fail = false;
        throw new Error("L1 unreachable");
      }
      return { number: reads, hash: `0x${reads.toString(16).padStart(64, "0")}` } as unknown as Block;
    },
  } as unknown as Provider;
  return { provider, reads: () => reads, failNext: () => (fail = true) };
}

describe("L1HeadReader: one read of the L1 head shared by readers that accept its age", () => {
  it("latest(0) always reads; latest(ms) takes a read begun less than ms ago, running or done", async () => {
    const head = countingHead();
    let now = 1_000;
    const reader = new L1HeadReader(head.provider, () => now);
    const first = reader.latest(0);
    // Still running: shared.
    expect(await reader.latest(100)).to.equal(await first);
    now += 99;
    expect((await reader.latest(100)).number).to.equal(1);
    expect(head.reads()).to.equal(1);
    // A caller that needs a read begun after its call gets one, and later callers share it.
    expect((await reader.latest(0)).number).to.equal(2);
    expect((await reader.latest(100)).number).to.equal(2);
    // Past the age a caller accepts: read again.
    now += 100;
    expect((await reader.latest(100)).number).to.equal(3);
    expect(head.reads()).to.equal(3);
  });

  it("does not share a failed read: the next caller reads again", async () => {
    const head = countingHead();
    const reader = new L1HeadReader(head.provider, () => 5_000);
    head.failNext();
    await reader.latest(100).then(
      () => expect.fail("the read should fail"),
      (error: Error) => expect(error.message).to.equal("L1 unreachable"),
    );
    expect((await reader.latest(100)).number).to.equal(2);
  });
});
