import { expect } from "chai";
import { Interface, Wallet } from "ethers";

import { ExecuteErrorCode } from "../../precompiles";
import { AdvanceSubmitter } from "../../rollup-node/bridge/advanceSubmitter";
import type { Logger } from "../../rollup-node/logger";

/** EXECUTE's OutOfGas as the rollup contract reverts with it (Execute.sol's ExecuteInvalid). */
const EXECUTE_ERRORS = new Interface(["error ExecuteInvalid(uint8 code, string reason)"]);
const OUT_OF_GAS = EXECUTE_ERRORS.encodeErrorResult("ExecuteInvalid", [ExecuteErrorCode.OutOfGas, "out of gas"]);
/** EXECUTE stopped at the L1's eth_call deadline (a simulation's limit; a mined transaction has none). */
const TIMEOUT = EXECUTE_ERRORS.encodeErrorResult("ExecuteInvalid", [
  ExecuteErrorCode.SimulationTimeout,
  "EXECUTE stopped after the 5000 ms a simulated call may run it",
]);

/** What L1 answered to the submitter's simulations and estimates, in order. */
interface L1Answers {
  simulations: ("ok" | "out-of-gas" | "timeout")[];
  estimates: bigint[];
}

/**
 * An AdvanceSubmitter whose L1 answers are scripted: the fallback is a decision on what L1
 * answered (a simulation out of gas, then an estimate), and a transient answer cannot be produced
 * on demand on the devnet. Only the `advance` simulation and estimate on L1 are replaced.
 */
function submitterWith(answers: L1Answers, warnings: string[]) {
  const logger: Logger = { info: () => {}, warn: (m) => warnings.push(m), error: () => {}, debug: () => {} };
  const submitter = new AdvanceSubmitter(
    {
      sequencer: { producedBlock: async () => undefined, onBlock: () => () => {} },
      rollupAddress: Wallet.createRandom().address,
      signer: Wallet.createRandom(),
      logger,
    },
    undefined,
  );
  const calls: string[] = [];
  const advanceCalls = {
    simulate: async (_data: string, gasLimit: bigint) => {
      calls.push(`simulate ${gasLimit}`);
      const answer = answers.simulations.shift();
      if (answer === "out-of-gas") throw Object.assign(new Error("reverted"), { data: OUT_OF_GAS });
      if (answer === "timeout") throw Object.assign(new Error("reverted"), { data: TIMEOUT });
    },
    estimate: async () => {
      const estimate = answers.estimates.shift() as bigint;
      calls.push(`estimate ${estimate}`);
      return estimate;
    },
  };
  Object.defineProperty(submitter, "advanceCalls", { value: advanceCalls });
  const gasLimit = (submitter as unknown as { advanceGasLimit(n: bigint, data: string, d: bigint): Promise<bigint> })
    .advanceGasLimit;
  return { calls, limit: (number: bigint, derived: bigint) => gasLimit.call(submitter, number, "0x", derived) };
}

describe("AdvanceSubmitter's fallback from the derived gas limit to L1's estimate", () => {
  it("a simulation that only met the eth_call deadline sends the advance at the limit simulated, not a retry forever (attack-review-s23.md, finding 3)", async () => {
    // A valid block slower to verify than the L1's eth_call deadline (an SSTORE loop) times out in
    // every simulation; the mined transaction has no deadline and EXECUTE's charge is exact.
    const warnings: string[] = [];
    const derived = 4_200_000n;
    const { calls, limit } = submitterWith({ simulations: ["timeout"], estimates: [] }, warnings);
    expect(await limit(1n, derived)).to.equal(derived);
    expect(calls).to.deep.equal([`simulate ${derived}`]);
  });

  it("one simulation out of gas that L1's estimate then prices within the derived limit does not make the estimate the rule", async () => {
    const warnings: string[] = [];
    const derived = 1_000_000n;
    const { calls, limit } = submitterWith(
      { simulations: ["out-of-gas", "ok"], estimates: [700_000n, 700_000n] },
      warnings,
    );
    await limit(1n, derived);
    await limit(2n, derived);
    // The second advance is simulated at its derived limit again: nothing showed the derivation short.
    expect(calls).to.deep.equal([`simulate ${derived}`, "estimate 700000", `simulate ${derived}`]);
    expect(warnings).to.deep.equal([]);
  });

  it("an estimate above the derived limit makes it the rule from then on, said once", async () => {
    const warnings: string[] = [];
    const derived = 1_000_000n;
    const { calls, limit } = submitterWith(
      { simulations: ["out-of-gas"], estimates: [1_200_000n, 1_250_000n] },
      warnings,
    );
    expect(await limit(1n, derived)).to.equal(1_260_000n);
    expect(await limit(2n, derived)).to.equal(1_310_000n);
    expect(calls).to.deep.equal([`simulate ${derived}`, "estimate 1200000", "estimate 1250000"]);
    expect(warnings).to.have.length(1);
  });
});
