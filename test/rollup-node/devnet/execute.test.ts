import { expect } from "chai";
import { AbiCoder, Contract, JsonRpcProvider, dataLength, dataSlice } from "ethers";
import { bytesToHex } from "@ethereumjs/util";

import { EXECUTE_ADDRESS, ExecuteErrorCode } from "../../../precompiles";
import { type L1Devnet, startL1Devnet } from "../../../rollup-node/devnet/l1Devnet";
import { TestSigner } from "../../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../../../tools/l2TestChain";

const L2_CHAIN_ID = 905n;

function executeInput(built: BuiltBlock, witness: Uint8Array | string = built.witness): string {
  return AbiCoder.defaultAbiCoder().encode(
    ["uint64", "bytes", "bytes", "bytes", "bytes"],
    [L2_CHAIN_ID, built.parentHeader, built.blockRlp, witness, "0x"],
  );
}

describe("EXECUTE at 0x0101 on the L1 devnet, called with ethers over HTTP", () => {
  let devnet: L1Devnet;
  let provider: JsonRpcProvider;
  let built: BuiltBlock;

  before(async () => {
    devnet = await startL1Devnet({ port: 0 });
    provider = new JsonRpcProvider(devnet.url, undefined, { staticNetwork: true });
    const probe = await L2TestChain.create(L2_CHAIN_ID, []);
    const alice = TestSigner.fromSeed(5, probe.common);
    const chain = await L2TestChain.create(L2_CHAIN_ID, [{ address: alice.address.toString(), balance: 10n ** 18n }]);
    built = await chain.buildBlock([
      TestSigner.fromSeed(5, chain.common).tx({ to: "0x00000000000000000000000000000000000000aa", value: 1n }),
    ]);
  });

  after(async () => {
    provider.destroy();
    await devnet.stop();
  });

  it("returns the block's commitments for a valid block", async () => {
    const output = await provider.call({ to: EXECUTE_ADDRESS, data: executeInput(built) });
    expect(dataLength(output)).to.equal(352);
    expect(dataSlice(output, 0, 32)).to.equal(bytesToHex(built.block.hash()));
    expect(dataSlice(output, 32, 64)).to.equal(bytesToHex(built.block.header.stateRoot));
  });

  it("reverts with a decodable ExecuteInvalid for an incomplete witness", async () => {
    const errors = new Contract(EXECUTE_ADDRESS, ["error ExecuteInvalid(uint8 code, string reason)"]);
    try {
      await provider.call({ to: EXECUTE_ADDRESS, data: executeInput(built, "0xc3c0c0c0") });
      expect.fail("EXECUTE accepted a block without its witness");
    } catch (error) {
      const data = (error as { data?: string }).data;
      const decoded = errors.interface.parseError(data ?? "0x");
      expect(decoded?.name).to.equal("ExecuteInvalid");
      expect(decoded?.args[0]).to.equal(BigInt(ExecuteErrorCode.WitnessIncomplete));
    }
  });

  it("charges a transaction base + 16 gas per input byte for the call", async () => {
    const data = executeInput(built);
    const estimate = await provider.estimateGas({ to: EXECUTE_ADDRESS, data });
    const inputBytes = BigInt(dataLength(data));
    // The transaction pays its intrinsic calldata cost on top of EXECUTE's own charge.
    expect(estimate >= 100_000n + 16n * inputBytes).to.equal(true);
  });
});
