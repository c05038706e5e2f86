import { expect } from "chai";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import { Interface, ZeroHash } from "ethers";
import { ethers } from "hardhat";

import {
  ExecuteErrorCode,
  MAX_EXECUTE_INVALID_SIZE,
  MAX_EXECUTE_REASON_BYTES,
  decodeExecuteInvalid,
  encodeExecuteInvalid,
} from "../../precompiles";
import type { TryExecuteHarness } from "../../typechain-types";
import { TestSigner, tamperBlock, word } from "../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../../tools/l2TestChain";

const L2_CHAIN_ID = 905n;
/** Gas passed to EXECUTE in these tests: more than it charges for these small blocks. */
const EXECUTE_GAS = 500_000n;
/**
 * The harness never reverts, so eth_estimateGas would settle on a gas limit at which EXECUTE runs
 * out of gas (a "successful" call): give it enough explicitly.
 */
const GAS = { gasLimit: 3_000_000n };

describe("Execute.tryExecute: EXECUTE's verdict as a value", () => {
  let harness: TryExecuteHarness;
  let built: BuiltBlock;

  before(async () => {
    harness = (await ethers.deployContract("TryExecuteHarness")) as unknown as TryExecuteHarness;
    const probe = await L2TestChain.create(L2_CHAIN_ID, []);
    const alice = TestSigner.fromSeed(7, probe.common);
    const chain = await L2TestChain.create(L2_CHAIN_ID, [{ address: alice.address.toString(), balance: 10n ** 18n }]);
    built = await chain.buildBlock([
      TestSigner.fromSeed(7, chain.common).tx({ to: "0x00000000000000000000000000000000000000aa", value: 1n }),
    ]);
  });

  it("returns the result of a valid block", async () => {
    await expect(harness.check(L2_CHAIN_ID, built.parentHeader, built.blockRlp, built.witness, EXECUTE_GAS, GAS))
      .to.emit(harness, "Outcome")
      .withArgs(true, bytesToHex(built.block.hash()), 0n, "", false);
  });

  it("returns a 'block invalid' code (>= 64) for an invalid block instead of reverting", async () => {
    const forged = tamperBlock(built.block, { stateRoot: hexToBytes(`0x${word(1)}`) });
    await expect(harness.check(L2_CHAIN_ID, built.parentHeader, forged, built.witness, EXECUTE_GAS, GAS))
      .to.emit(harness, "Outcome")
      .withArgs(
        false,
        ZeroHash,
        ExecuteErrorCode.StateRootMismatch,
        (reason: string) => reason.startsWith("state root mismatch"),
        true,
      );
  });

  it("returns a 'could not check' code (< 64) for an incomplete witness or too little gas", async () => {
    await expect(harness.check(L2_CHAIN_ID, built.parentHeader, built.blockRlp, "0xc3c0c0c0", EXECUTE_GAS, GAS))
      .to.emit(harness, "Outcome")
      .withArgs(false, ZeroHash, ExecuteErrorCode.WitnessIncomplete, anyValue, false);
    await expect(harness.check(L2_CHAIN_ID, built.parentHeader, built.blockRlp, built.witness, 100_000n, GAS))
      .to.emit(harness, "Outcome")
      .withArgs(false, ZeroHash, ExecuteErrorCode.OutOfGas, anyValue, false);
  });

  it("EXECUTE's revert data is bounded: a reason is cut to MAX_EXECUTE_REASON_BYTES on a character boundary", () => {
    const revert = encodeExecuteInvalid(ExecuteErrorCode.InvalidTransactions, `nonce 0x${"ab".repeat(100_000)} é`);
    expect(revert.length).to.equal(MAX_EXECUTE_INVALID_SIZE);
    const decoded = decodeExecuteInvalid(revert);
    expect(decoded?.code).to.equal(ExecuteErrorCode.InvalidTransactions);
    expect(new TextEncoder().encode(decoded?.reason).length).to.be.at.most(MAX_EXECUTE_REASON_BYTES);
    expect(decoded?.reason.endsWith("...")).to.equal(true);
    const accents = decodeExecuteInvalid(encodeExecuteInvalid(72, "é".repeat(300)))?.reason ?? "";
    expect(accents).to.equal(`${"é".repeat(126)}...`);
    expect(decodeExecuteInvalid(encodeExecuteInvalid(72, "short"))?.reason).to.equal("short");
  });

  it("reads revert data without an ExecuteInvalid reason as code 0 (never 'block invalid')", async () => {
    const errors = new Interface([
      "error ExecuteInvalid(uint8 code, string reason)",
      "error Other(uint8 code, string reason)",
    ]);
    expect(await harness.decodeFailure("0x")).to.deep.equal([0n, "EXECUTE is unavailable (no revert data)"]);
    expect((await harness.decodeFailure(errors.encodeErrorResult("Other", [99, "x"])))[0]).to.equal(0n);
    expect(await harness.decodeFailure(errors.encodeErrorResult("ExecuteInvalid", [72, "why"]))).to.deep.equal([
      72n,
      "why",
    ]);
  });

  it("reads a prefix of an ExecuteInvalid (what tryExecute copies, at most MAX_RETURN_COPY bytes) with its reason cut to the bytes present", async () => {
    const errors = new Interface(["error ExecuteInvalid(uint8 code, string reason)"]);
    const full = errors.encodeErrorResult("ExecuteInvalid", [70, "x".repeat(10_000)]);
    const prefix = full.slice(0, 2 + 2 * MAX_EXECUTE_INVALID_SIZE);
    expect(await harness.decodeFailure(prefix)).to.deep.equal([70n, "x".repeat(MAX_EXECUTE_REASON_BYTES)]);
  });
});
