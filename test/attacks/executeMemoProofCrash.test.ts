/**
 * Attack on EXECUTE's result memo in proof mode (docs/design/attack-review-s21.md, finding 2): a
 * RangeError while a proof is checked (what V8 throws when WebAssembly or a buffer cannot be
 * allocated: ffjavascript builds the BN254 curve in WebAssembly memory) was turned into "this proof
 * does not count", hence a clean `ProofsInsufficient` verdict that the memo keeps, and that the
 * block's next run, without the fault, does not give. A resource failure must not become a verdict
 * (docs/design/execute-result-memo.md): it surfaces as a verifier failure, which is never kept. The
 * real precompile runs as a transaction's top-level call; the fault is injected at the curve check.
 */
import { expect } from "chai";

import { ExecuteErrorCode, createExecutePrecompile, decodeExecuteInvalid } from "../../precompiles";
import * as groth16Module from "../../precompiles/proofs/groth16";
import { releaseProverThreads } from "../../rollup-node/provers/committee";
import { provenTransfer } from "../../tools/committeeFixture";
import { callExecute } from "../../tools/executeCall";
import { withCallFailing } from "../../tools/interceptCalls";

const CHAIN_ID = 907n;

describe("attack: EXECUTE's memo and an allocation failure while a proof is verified", function () {
  this.timeout(300_000);
  let input: Uint8Array;

  before(async () => {
    ({ input } = await provenTransfer(CHAIN_ID));
  });

  after(releaseProverThreads);

  it("accepts the proven block on the run after an allocation failure, memo or not", async () => {
    const execute = createExecutePrecompile({ memo: {} });
    // The next call of the real verifyGroth16 fails as an allocation inside the curve library would.
    const allocationFailure = new RangeError("WebAssembly.Memory(): could not allocate memory");
    const crashed = await withCallFailing(
      groth16Module,
      "verifyGroth16",
      { error: allocationFailure, as: "reject" },
      () => callExecute(execute, input),
    );
    const again = await callExecute(execute, input);
    // The fault was not the block's: its next run, which a fresh EXECUTE would do, accepts it.
    expect(again.exceptionError, decodeExecuteInvalid(again.returnValue)?.reason).to.equal(undefined);
    // And the failure is reported as the verifier's, never as "proofs insufficient".
    expect(decodeExecuteInvalid(crashed.returnValue)?.code).to.not.equal(ExecuteErrorCode.ProofsInsufficient);
  });
});
