import { expect } from "chai";

import { EVENTUALLY_FIRST_PAUSE_MS, EVENTUALLY_MAX_PAUSE_MS, eventually } from "./harness";

describe("e2e harness: eventually", () => {
  it("checks soon at first, then about once a block: a one-second wait is a handful of checks, not forty", async () => {
    const started = Date.now();
    let checks = 0;
    const value = await eventually("one second to pass", async () => {
      checks++;
      return Date.now() - started >= 1_000 ? "done" : undefined;
    });
    expect(value).to.equal("done");
    // Pauses of 25, 50, 100, then 200 ms: 25 + 50 + 100 + 4 × 200 ≥ 1,000 ms after 8 checks. At a
    // fixed 25 ms it was ≈ 40, each an RPC round trip into the node in an e2e test.
    expect(checks).to.be.at.least(2).and.at.most(9);
    expect(EVENTUALLY_FIRST_PAUSE_MS).to.be.below(EVENTUALLY_MAX_PAUSE_MS);
  });

  it("still names what it waited for when the time runs out", async () => {
    let checks = 0;
    const error = await eventually(
      "a value that never comes",
      async () => {
        checks++;
        return undefined;
      },
      300,
    ).catch((e: Error) => e);
    expect((error as Error).message).to.equal("timed out after 300 ms waiting for a value that never comes");
    expect(checks).to.be.at.least(2);
  });
});
