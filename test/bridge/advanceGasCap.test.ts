import { expect } from "chai";

import { advanceBuildCap, advanceSendCap } from "../../rollup-node/bridge/advanceGasCap";

/** The cap of an advance on an L1 whose latest block gas limit is G (docs/design/advance-gas-cap.md). */
describe("advance gas cap", () => {
  it("is EIP-7825's 2^24 on an L1 whose blocks hold more, its block gas limit on one whose blocks hold less", () => {
    expect(advanceSendCap(60_000_000n)).to.equal(2n ** 24n);
    expect(advanceSendCap(8_000_000n)).to.equal(8_000_000n);
  });

  it("builds blocks a 32nd under the L1's block gas limit: 32 L1 blocks of its steepest fall (a 1024th each) still hold them", () => {
    expect(advanceBuildCap(8_000_000n)).to.equal(7_750_000n);
    expect(advanceBuildCap(15_000_000n)).to.equal(14_531_250n);
    // 2^24 itself once the margin is above it: mainnet's budget is unchanged.
    expect(advanceBuildCap(17_400_000n)).to.equal(2n ** 24n);
    let limit = 8_000_000n;
    for (let block = 0; block < 32; block++) limit -= limit / 1024n;
    expect(advanceBuildCap(8_000_000n) <= limit).to.equal(true, `fallen to ${limit} after 32 blocks`);
  });
});
