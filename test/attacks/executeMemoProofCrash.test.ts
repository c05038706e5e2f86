/**
 * Attack on EXECUTE's result memo in proof mode (docs/design/attack-review-s21.md, finding 2): a
 * RangeError while a proof is checked (what V8 throws when WebAssembly or a buffer cannot be
 * allocated: ffjavascript builds the BN254 curve in WebAssembly memory) was turned into "this proof
 * does not count", hence a clean `ProofsInsufficient` verdict that the memo keeps, and that the
 * block's next run, without the fault, does not give. A resource failure must not become a verdict
 * (docs/design/execute-result-memo.md): it surfaces as a verifier failure, which is never kept. The
 * real precompile runs as a transaction's top-level call; the fault is injected at the curve check.
 */
import { Common, Hardfork, Mainnet } from "@ethereumjs/common";
import { type ExecResult, createEVM } from "@ethereumjs/evm";
import { createAddressFromString } from "@ethereumjs/util";
import { expect } from "chai";

import {
  EXECUTE_ADDRESS,
  type ExecutePrecompile,
  ExecuteErrorCode,
  createExecutePrecompile,
  decodeExecuteInvalid,
  encodeExecuteInput,
} from "../../precompiles";
import { encodeProofBundle } from "../../precompiles/proofs/codec";
import * as groth16Module from "../../precompiles/proofs/groth16";
import { releaseProverThreads } from "../../rollup-node/provers/committee";
import { type TestCommittee, bundle, committeeProof, testCommittee } from "../../tools/committeeFixture";
import { TestSigner } from "../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../../tools/l2TestChain";

type VerifyGroth16 = typeof groth16Module.verifyGroth16;

const CHAIN_ID = 907n;
const CALLER = createAddressFromString("0x00000000000000000000000000000000000ca11e");
const ENOUGH_GAS = 30_000_000n;

async function callExecute(precompile: ExecutePrecompile, data: Uint8Array): Promise<ExecResult> {
  const common = new Common({ chain: Mainnet, hardfork: Hardfork.Osaka });
  const evm = await createEVM({ common, customPrecompiles: [precompile] });
  return (
    await evm.runCall({ caller: CALLER, to: createAddressFromString(EXECUTE_ADDRESS), data, gasLimit: ENOUGH_GAS })
  ).execResult;
}

/** Makes the next call of the real `verifyGroth16` throw `error` (an allocation failure inside the curve library). */
function failNextGroth16(error: Error): () => void {
  const exported = groth16Module as unknown as { verifyGroth16: VerifyGroth16 };
  const real = exported.verifyGroth16;
  let pending = true;
  exported.verifyGroth16 = (...args: Parameters<VerifyGroth16>) => {
    if (pending) {
      pending = false;
      return Promise.reject(error);
    }
    return real(...args);
  };
  return () => {
    exported.verifyGroth16 = real;
  };
}

describe("attack: EXECUTE's memo and an allocation failure while a proof is verified", function () {
  this.timeout(300_000);
  let committee: TestCommittee;
  let built: BuiltBlock;
  let input: Uint8Array;

  before(async () => {
    committee = await testCommittee(3, 7);
    const probe = await L2TestChain.create(CHAIN_ID, []);
    const alice = TestSigner.fromSeed(13, probe.common);
    const chain = await L2TestChain.create(CHAIN_ID, [{ address: alice.address.toString(), balance: 10n ** 18n }]);
    built = await chain.buildBlock([
      TestSigner.fromSeed(13, chain.common).tx({ to: "0x00000000000000000000000000000000000000aa", value: 1n }),
    ]);
    const proof = await committeeProof(committee, CHAIN_ID, built, [0, 1, 2]);
    input = encodeExecuteInput({
      chainId: CHAIN_ID,
      parentHeader: built.parentHeader,
      block: built.blockRlp,
      witness: built.witness,
      // Proofs only: without re-execution, a proof that does not count rejects the block.
      proofs: encodeProofBundle(bundle([proof], [committee.keyHash], 1, false)),
    });
  });

  after(releaseProverThreads);

  it("accepts the proven block on the run after an allocation failure, memo or not", async () => {
    const execute = createExecutePrecompile({ memo: {} });
    const restore = failNextGroth16(new RangeError("WebAssembly.Memory(): could not allocate memory"));
    let crashed: ExecResult;
    try {
      crashed = await callExecute(execute, input);
    } finally {
      restore();
    }
    const again = await callExecute(execute, input);
    // The fault was not the block's: its next run, which a fresh EXECUTE would do, accepts it.
    expect(again.exceptionError, decodeExecuteInvalid(again.returnValue)?.reason).to.equal(undefined);
    // And the failure is reported as the verifier's, never as "proofs insufficient".
    expect(decodeExecuteInvalid(crashed.returnValue)?.code).to.not.equal(ExecuteErrorCode.ProofsInsufficient);
  });
});
