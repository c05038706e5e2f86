import { expect } from "chai";
import { parseEther } from "ethers";

import { devnetTaskMode } from "../../tasks/devnet";

describe("tasks/devnet: the devnet's mode, resolved once from the flags over the config", () => {
  const none = { optimistic: false };

  it("takes the config's mode when no flag names one", () => {
    expect(devnetTaskMode(none, undefined)).to.equal(undefined);
    expect(devnetTaskMode(none, { kind: "proofs", committees: 2, threshold: 1 })).to.deep.equal({
      kind: "proofs",
      committees: 2,
      threshold: 1,
    });
  });

  it("lets --challenge-window and --proposal-bond replace the config's optimistic parameters one by one", () => {
    const mode = devnetTaskMode(
      { ...none, challengeWindow: 5 },
      { kind: "optimistic", challengeWindow: 30n, proposalBond: parseEther("0.2") },
    );
    expect(mode).to.deep.equal({ kind: "optimistic", challengeWindow: 5n, proposalBond: parseEther("0.2") });
    expect(devnetTaskMode({ optimistic: true, proposalBond: "0.3" }, undefined)).to.deep.equal({
      kind: "optimistic",
      challengeWindow: undefined,
      proposalBond: parseEther("0.3"),
    });
  });

  it("refuses a proof mode and an optimistic mode together, from either source", () => {
    const refusal = (run: () => unknown): { code?: string; message: string } => {
      try {
        run();
      } catch (error) {
        return error as { code?: string; message: string };
      }
      throw new Error("no refusal");
    };
    for (const error of [
      refusal(() => devnetTaskMode({ optimistic: true, proofs: 2 }, undefined)),
      refusal(() =>
        devnetTaskMode({ ...none, proofs: 2 }, { kind: "optimistic", challengeWindow: 1n, proposalBond: 1n }),
      ),
    ]) {
      expect(error.code).to.equal("DEVNET_OPTIONS");
      expect(error.message).to.contain("cannot be combined");
    }
  });
});
