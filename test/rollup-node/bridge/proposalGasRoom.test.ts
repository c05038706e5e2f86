import { expect } from "chai";

import { OPTIMISTIC_ROLLUP_INTERFACE } from "../../../rollup-node/bridge/contracts";
import { proposalRoomAt, waitForProposalGasRoom } from "../../../rollup-node/bridge/proposalGasRoom";

/** A rejected eth_call as ethers reports it: the revert data on the error. */
function reverted(name: string, args: readonly unknown[]): Error & { data: string } {
  return Object.assign(new Error("execution reverted"), {
    data: OPTIMISTIC_ROLLUP_INTERFACE.encodeErrorResult(name, args),
  });
}

describe("bridge: a proposal waits for room in the rollup's proposal gas bucket", () => {
  it("reads availableAt from ProposalGasRateExceeded, and nothing from other reverts", () => {
    const full = reverted("ProposalGasRateExceeded", [3_921_000n, 15_000_000n, 16_777_216n, 1_700_000_030n]);
    expect(proposalRoomAt(full)?.availableAt).to.equal(1_700_000_030n);
    expect(proposalRoomAt(reverted("IncorrectBond", [0n, 1n]))).to.equal(undefined);
    expect(proposalRoomAt(new Error("connection refused"))).to.equal(undefined);
  });

  it("waits until L1 time reaches availableAt (the revert's figure, polled at most every maxPollMs), then proposes", async () => {
    let l1Now = 1_700_000_000n;
    const sleeps: number[] = [];
    const logs: string[] = [];
    const fits = await waitForProposalGasRoom({
      simulate: async () => {
        if (l1Now < 1_700_000_012n) throw reverted("ProposalGasRateExceeded", [1n, 2n, 3n, 1_700_000_012n]);
      },
      l1Time: async () => l1Now,
      sleep: async (ms) => {
        sleeps.push(ms);
        l1Now += BigInt(ms / 1000);
      },
      keepWaiting: () => true,
      log: (message) => logs.push(message),
      maxPollMs: 5_000,
    });
    expect(fits).to.equal(true);
    expect(sleeps).to.deep.equal([5_000, 5_000, 2_000]);
    expect(logs).to.have.length(1);
    expect(logs[0]).to.include("ProposalGasRateExceeded");
  });

  it("does not wait on any other outcome (the submitter's own path reports it), and stops waiting when told to", async () => {
    const other = await waitForProposalGasRoom({
      simulate: async () => {
        throw reverted("IncorrectBond", [0n, 1n]);
      },
      l1Time: async () => 0n,
      sleep: async () => {
        throw new Error("must not sleep");
      },
      keepWaiting: () => true,
      log: () => undefined,
    });
    expect(other).to.equal(true);
    // A proposal that fits goes ahead even from a submitter that is not running (a one-off submitNext).
    const once = await waitForProposalGasRoom({
      simulate: async () => undefined,
      l1Time: async () => 0n,
      sleep: async () => undefined,
      keepWaiting: () => false,
      log: () => undefined,
    });
    expect(once).to.equal(true);
    let running = true;
    const stopped = await waitForProposalGasRoom({
      simulate: async () => {
        throw reverted("ProposalGasRateExceeded", [1n, 2n, 3n, 100n]);
      },
      l1Time: async () => 0n,
      sleep: async () => {
        running = false;
      },
      keepWaiting: () => running,
      log: () => undefined,
    });
    expect(stopped).to.equal(false);
  });
});
