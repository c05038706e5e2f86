/**
 * Attack on EXECUTE's result memo in proof mode (docs/design/attack-review-s21b.md, finding 3): the
 * proof codec (precompiles/proofs/codec.ts) wraps any failure of `abi.decode` into an
 * `ExecuteError` by message only. A `RangeError` there (an allocation failure while a buffer of the
 * proofs is copied) then becomes "the proofs do not decode" (MalformedInput, kept by the memo) or,
 * for a proof's key or body, "this proof does not count" (ProofsInsufficient, kept): the rule that
 * a resource failure is never a verdict (execute-result-memo.md, attack-review-s21.md) cannot see
 * it. The real precompile runs as a transaction's top-level call; the fault is injected into the
 * n-th `abi.decode` of the run.
 */
import { expect } from "chai";
import { AbiCoder, makeError } from "ethers";

import { ExecuteErrorCode, createExecutePrecompile, decodeExecuteInvalid } from "../../precompiles";
import { releaseProverThreads } from "../../rollup-node/provers/committee";
import { provenTransfer } from "../../tools/committeeFixture";
import { callExecute } from "../../tools/executeCall";
import { withCallFailing } from "../../tools/interceptCalls";

const CHAIN_ID = 907n;

/** What V8 throws when a buffer cannot be allocated (a new one per test). */
const allocationFailure = (): RangeError => new RangeError("Array buffer allocation failed");

describe("attack: EXECUTE's memo and an allocation failure while the proofs are decoded", function () {
  this.timeout(300_000);
  let input: Uint8Array;

  before(async () => {
    ({ input } = await provenTransfer(CHAIN_ID));
  });

  after(releaseProverThreads);

  // The run's first abi.decode is the proof bundle's, the second the proof's verification key.
  for (const [nth, what] of [
    [1, "the proof bundle"],
    [2, "a proof's verification key"],
  ] as const) {
    it(`accepts the proven block on the run after an allocation failure while ${what} is decoded`, async () => {
      const execute = createExecutePrecompile({ memo: {} });
      const crashed = await withCallFailing(
        AbiCoder.prototype,
        "decode",
        { nth, error: allocationFailure(), as: "throw" },
        () => callExecute(execute, input),
      );
      // The fault happened: the run did not accept the block.
      expect(crashed.exceptionError, "the faulted run").to.not.equal(undefined);
      const again = await callExecute(execute, input);
      // The fault was not the block's: its next run, which a fresh EXECUTE would do, accepts it.
      expect(again.exceptionError, decodeExecuteInvalid(again.returnValue)?.reason).to.equal(undefined);
    });
  }

  it("keeps a truncated key's verdict: ethers' 'data out-of-bounds' is a RangeError of the input, not a resource failure", async () => {
    // What abi.decode throws for truncated data: a RangeError with ethers' code BUFFER_OVERRUN.
    const truncated = makeError("data out-of-bounds", "BUFFER_OVERRUN", {
      buffer: new Uint8Array(),
      length: 32,
      offset: 0,
    });
    expect(truncated).to.be.an.instanceOf(RangeError);
    const run = await withCallFailing(AbiCoder.prototype, "decode", { nth: 2, error: truncated, as: "throw" }, () =>
      callExecute(createExecutePrecompile({ memo: {} }), input),
    );
    // A verdict on the proof (it does not count), as for any undecodable key — not a verifier failure.
    expect(decodeExecuteInvalid(run.returnValue)?.code).to.equal(ExecuteErrorCode.ProofsInsufficient);
  });
});
