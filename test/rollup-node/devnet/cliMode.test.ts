import { expect } from "chai";
import { parseEther } from "ethers";

import { CliUsageError, modeOption } from "../../../rollup-node/devnet/cli";

describe("devnet CLI: --proofs and --optimistic resolve once into the devnet's mode", () => {
  it("gives no mode without either flag (the devnet's default, re-execution)", () => {
    expect(modeOption({})).to.equal(undefined);
  });

  it("names the mode and its parameters", () => {
    expect(modeOption({ proofs: "3" })).to.deep.equal({ kind: "proofs", committees: 3 });
    expect(modeOption({ optimistic: true, "challenge-window": "5", "proposal-bond": "0.2" })).to.deep.equal({
      kind: "optimistic",
      challengeWindow: 5n,
      proposalBond: parseEther("0.2"),
    });
  });

  it("refuses both modes at once, and a window or bond without --optimistic", () => {
    expect(() => modeOption({ proofs: "2", optimistic: true })).to.throw(CliUsageError, "cannot be combined");
    expect(() => modeOption({ "challenge-window": "5" })).to.throw(CliUsageError, "need --optimistic");
  });
});
