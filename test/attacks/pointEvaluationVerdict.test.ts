import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";

import { createExecutePrecompile, decodeExecuteInvalid, genesisForkCommon, verifyBlock } from "../../precompiles";
import { LazyKzg } from "../../precompiles/kzg";
import { judgeBlock } from "../../rollup-node/bridge/verdict";
import { createChainCommon } from "../../rollup-node/chain/genesis";
import { blockExecuteCall, callExecute } from "../../tools/executeCall";
import { pointEvaluationInput } from "../../tools/heavyBlocks";
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

/**
 * An L1 whose client configures another KZG library (attack-review-s29.md, O1): the L2's verdict on
 * a block calling 0x0a must not follow that library. The stand-in is the L1's configuration, not the
 * verifier: the project's own KZG runs unchanged, and the L1 names one that disagrees with it on one
 * input, as a second library would on an edge case (it accepts a proof the real one refuses).
 */
class AcceptingKzg extends LazyKzg {
  override verifyProof(): boolean {
    return true;
  }
}

describe("attack: an L1 whose Common names another KZG (attack-review-s29.md, O1)", function () {
  this.timeout(300_000);
  let built: BuiltBlock;

  before(async () => {
    // A well-formed opening whose claimed value y is wrong: the project's KZG refuses the proof, so
    // the call fails in the EVM (all its gas) and the block, built as the sequencer builds it, is valid.
    const valid = pointEvaluationInput();
    const wrongY = `${valid.slice(0, 2 + 128)}${"00".repeat(31)}07${valid.slice(2 + 192)}`;
    built = await pointEvaluationBlock(CHAIN_ID, 72, [wrongY], 100_000n);
    expect(built.txResults[0].execResult.exceptionError?.error, "the project's KZG refuses the proof").to.equal(
      "kzg proof invalid",
    );
  });

  it("verifyBlock gives the block the same verdict whatever KZG the caller's Common names", async () => {
    const l1Common = genesisForkCommon(1n, { hardfork: "osaka", customCrypto: { kzg: new AcceptingKzg() } });
    const own = await verifyBlock({
      chainId: CHAIN_ID,
      parentHeader: built.parentHeader,
      block: built.blockRlp,
      witness: built.witness,
    });
    const theirs = await verifyBlock({
      chainId: CHAIN_ID,
      parentHeader: built.parentHeader,
      block: built.blockRlp,
      witness: built.witness,
      common: l1Common,
    });
    expect(bytesToHex(theirs.stateRoot)).to.equal(bytesToHex(own.stateRoot));
  });

  it("EXECUTE accepts the block on an L1 whose Common names a KZG that accepts the proof", async () => {
    const precompile = createExecutePrecompile();
    const { data, gasLimit } = blockExecuteCall(built, CHAIN_ID, precompile);
    const result = await callExecute(precompile, data, { gasLimit, customCrypto: { kzg: new AcceptingKzg() } });
    expect(decodeExecuteInvalid(result.returnValue), "EXECUTE's verdict").to.equal(undefined);
    expect(result.exceptionError).to.equal(undefined);
  });
});
