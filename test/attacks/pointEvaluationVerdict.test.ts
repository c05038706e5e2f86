import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";

import { createExecutePrecompile, verifyBlock } from "../../precompiles";
import { judgeBlock } from "../../rollup-node/bridge/verdict";
import { createChainCommon } from "../../rollup-node/chain/genesis";
import { blockExecuteCall, callExecute } from "../../tools/executeCall";
import type { BuiltBlock } from "../../tools/l2TestChain";
import { pointEvaluationBlock } from "../support/pointEvaluationBlock";

/**
 * attack-review-s29.md, finding 1: an L2 transaction that calls the point-evaluation precompile
 * (0x0a, EIP-4844). EthereumJS's precompile throws "kzg not initialized" (a library error, not an EVM
 * failure) when its Common has no KZG, and the verifier took its L2 Common's crypto from the caller:
 * the L1 devnet's Common carries one (createChainCommon), the challenger's `judgeBlock` passes none.
 * The same valid block was then accepted by EXECUTE on the devnet and judged invalid
 * (TransactionRejected) by every challenger, who would challenge it and lose; and EXECUTE's verdict
 * depended on which crypto the L1 happened to configure. The verdict must be a function of the input.
 */

const CHAIN_ID = 908n;

describe("attack: a call to the point-evaluation precompile in an L2 block", function () {
  this.timeout(300_000);
  let built: BuiltBlock;

  before(async () => {
    // Input of the wrong length: the precompile fails inside the EVM (all its gas), the block is valid.
    built = await pointEvaluationBlock(CHAIN_ID, 71, ["0x1234"], 60_000n);
    expect(built.txResults[0].execResult.exceptionError, "the call failed in the EVM").to.not.equal(undefined);
  });

  it("gets the same verdict from verifyBlock with and without a KZG in the caller's Common", async () => {
    const params = {
      chainId: CHAIN_ID,
      parentHeader: built.parentHeader,
      block: built.blockRlp,
      witness: built.witness,
    };
    const withKzg = await verifyBlock({ ...params, common: createChainCommon(1337n) });
    const without = await verifyBlock(params);
    expect(bytesToHex(without.stateRoot)).to.equal(bytesToHex(withKzg.stateRoot));
  });

  it("EXECUTE gives the same answer on an L1 whose Common has a KZG and on one without", async () => {
    const precompile = createExecutePrecompile();
    const { data, gasLimit } = blockExecuteCall(built, CHAIN_ID, precompile);
    const devnet = await callExecute(precompile, data, {
      gasLimit,
      customCrypto: createChainCommon(1337n).customCrypto,
    });
    const plain = await callExecute(createExecutePrecompile(), data, { gasLimit });
    expect(devnet.exceptionError, "the devnet's L1 accepts the block").to.equal(undefined);
    expect(plain.exceptionError?.error).to.equal(undefined);
    expect(bytesToHex(plain.returnValue)).to.equal(bytesToHex(devnet.returnValue));
  });

  it("the challenger judges the block valid (it would otherwise challenge a valid block and lose)", async () => {
    const verdict = await judgeBlock({
      chainId: CHAIN_ID,
      parentHeader: built.parentHeader,
      block: built.blockRlp,
      witness: built.witness,
    });
    expect(verdict).to.deep.equal({ kind: "valid" });
  });
});
