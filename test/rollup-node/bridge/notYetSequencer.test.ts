import { expect } from "chai";

import { NotYetSequencerError } from "../../../rollup-node/bridge/submissionErrors";

/**
 * A take-over node's submitter waiting on the fallback rule (trial s28, on `npx hardhat node`,
 * which mines only when sent a transaction): its line said "the rollup lets it advance from L1
 * time 1795941148" and nothing else while L1's clock stood still below that time for minutes.
 * It must give the time as a date, L1's own latest block time, and what moves that clock.
 */
describe("NotYetSequencerError: says where L1's clock stands and what opens the rule", () => {
  it("names the open time as a UTC date and L1's latest block time, with the hint when L1's clock lags", () => {
    const message = new NotYetSequencerError("0x711d", 1795941148n, 1795941000n, 1000).message;
    expect(message).to.include("from L1 time 1795941148 (2026-11-29T08:32:28.000Z)");
    expect(message).to.include("L1's latest block is at time 1795941000 (2026-11-29T08:30:00.000Z)");
    expect(message).to.include("an L1 that mines only on transactions");
  });

  it("says nothing of L1's clock once L1's time has reached the open time", () => {
    const message = new NotYetSequencerError("0x711d", 1795941148n, 1795941148n, 250).message;
    expect(message).to.not.include("mines only on transactions");
  });
});
