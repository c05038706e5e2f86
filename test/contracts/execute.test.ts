import { expect } from "chai";
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import { ethers } from "hardhat";

import { EXECUTE_ADDRESS, ExecuteErrorCode } from "../../precompiles";
import type { ExecuteHarness } from "../../typechain-types";
import { TestSigner, tamperBlock, word } from "../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../../tools/l2TestChain";

const L2_CHAIN_ID = 904n;

async function transferBlock(): Promise<BuiltBlock> {
  const probe = await L2TestChain.create(L2_CHAIN_ID, []);
  const alice = TestSigner.fromSeed(3, probe.common);
  const chain = await L2TestChain.create(L2_CHAIN_ID, [{ address: alice.address.toString(), balance: 10n ** 18n }]);
  return chain.buildBlock([
    TestSigner.fromSeed(3, chain.common).tx({ to: "0x00000000000000000000000000000000000000aa", value: 1n }),
  ]);
}

/** The precompile's error, raised by 0x0101 and bubbled by Execute.sol (so absent from callers' ABIs). */
function executeErrors() {
  return new ethers.Contract(EXECUTE_ADDRESS, ["error ExecuteInvalid(uint8 code, string reason)"]);
}

describe("Execute.sol on the devnet's EXECUTE precompile", () => {
  let harness: ExecuteHarness;
  let built: BuiltBlock;

  before(async () => {
    harness = (await ethers.deployContract("ExecuteHarness")) as unknown as ExecuteHarness;
    built = await transferBlock();
  });

  it("accepts a valid block in one call and returns its commitments", async () => {
    await expect(harness.verify(L2_CHAIN_ID, built.parentHeader, built.blockRlp, built.witness))
      .to.emit(harness, "BlockVerified")
      .withArgs(bytesToHex(built.block.hash()), 1n, bytesToHex(built.block.header.stateRoot), 21_000n);
    const last = await harness.last();
    expect(last.receiptsRoot).to.equal(bytesToHex(built.block.header.receiptTrie));
    expect(last.burnedFees).to.equal(21_000n * built.block.header.baseFeePerGas!);
    expect(last.coinbase.toLowerCase()).to.equal(built.block.header.coinbase.toString());
  });

  it("bubbles ExecuteInvalid with the reason code of an invalid block", async () => {
    const block = tamperBlock(built.block, { stateRoot: hexToBytes(`0x${word(1)}`) });
    await expect(harness.verify(L2_CHAIN_ID, built.parentHeader, block, built.witness))
      .to.be.revertedWithCustomError(executeErrors(), "ExecuteInvalid")
      .withArgs(ExecuteErrorCode.StateRootMismatch, (reason: string) => reason.startsWith("state root mismatch"));
  });

  it("bubbles WitnessIncomplete when the witness lacks a node", async () => {
    await expect(harness.verify(L2_CHAIN_ID, built.parentHeader, built.blockRlp, "0xc3c0c0c0"))
      .to.be.revertedWithCustomError(executeErrors(), "ExecuteInvalid")
      .withArgs(ExecuteErrorCode.WitnessIncomplete, (reason: string) => reason.includes("witness is missing"));
  });

  it("answers a direct eth_call to 0x0101 with the 352-byte result", async () => {
    const data = ethers.AbiCoder.defaultAbiCoder().encode(
      ["uint64", "bytes", "bytes", "bytes", "bytes"],
      [L2_CHAIN_ID, built.parentHeader, built.blockRlp, built.witness, "0x"],
    );
    const output = await ethers.provider.call({ to: EXECUTE_ADDRESS, data });
    expect(ethers.dataLength(output)).to.equal(352);
    expect(ethers.dataSlice(output, 0, 32)).to.equal(bytesToHex(built.block.hash()));
  });
});
