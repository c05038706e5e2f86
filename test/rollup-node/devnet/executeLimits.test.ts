import { expect } from "chai";
import { AbiCoder, Contract, JsonRpcProvider, toQuantity } from "ethers";

import { EXECUTE_ADDRESS, ExecuteErrorCode } from "../../../precompiles";
import { type L1Devnet, startL1Devnet } from "../../../rollup-node/devnet/l1Devnet";
import { ecrecoverBlock, gasBurnBlock } from "../../../tools/heavyBlocks";
import { TestSigner, tamperBlock } from "../../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../../../tools/l2TestChain";

const L2_CHAIN_ID = 906n;
const EXECUTE_ERRORS = new Contract(EXECUTE_ADDRESS, ["error ExecuteInvalid(uint8 code, string reason)"]).interface;

function executeInput(built: BuiltBlock, block: Uint8Array = built.blockRlp): string {
  return AbiCoder.defaultAbiCoder().encode(
    ["uint64", "bytes", "bytes", "bytes", "bytes"],
    [L2_CHAIN_ID, built.parentHeader, block, built.witness, "0x"],
  );
}

/** The ExecuteInvalid code of a reverted eth_call, or undefined when the call did not revert so. */
async function revertCode(call: Promise<unknown>): Promise<{ code: number; reason: string } | undefined> {
  try {
    await call;
    return undefined;
  } catch (error) {
    const decoded = EXECUTE_ERRORS.parseError((error as { data?: string }).data ?? "0x");
    return decoded === null ? undefined : { code: Number(decoded.args[0]), reason: String(decoded.args[1]) };
  }
}

async function rpc(url: string, method: string, params: unknown[]): Promise<unknown> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  return ((await response.json()) as { result?: unknown; error?: unknown }).result;
}

async function transferBlock(): Promise<BuiltBlock> {
  const probe = await L2TestChain.create(L2_CHAIN_ID, []);
  const alice = TestSigner.fromSeed(9, probe.common);
  const chain = await L2TestChain.create(L2_CHAIN_ID, [{ address: alice.address.toString(), balance: 10n ** 18n }]);
  return chain.buildBlock([
    TestSigner.fromSeed(9, chain.common).tx({ to: "0x00000000000000000000000000000000000000aa", value: 1n }),
  ]);
}

describe("EXECUTE's limits on the L1 devnet", () => {
  let devnet: L1Devnet;
  let provider: JsonRpcProvider;

  before(async () => {
    devnet = await startL1Devnet({ port: 0 });
    provider = new JsonRpcProvider(devnet.url, undefined, { staticNetwork: true });
  });

  after(async () => {
    provider.destroy();
    await devnet.stop();
  });

  it("eth_call cannot verify more L2 gas than the call's L1 gas pays for", async () => {
    // 16M L2 gas (the most a valid header allows is ≈ 16.68M) from a call that carries 10M L1 gas.
    const built = await gasBurnBlock(L2_CHAIN_ID, [8_000_000n, 8_000_000n]);
    const failed = await revertCode(
      provider.call({ to: EXECUTE_ADDRESS, data: executeInput(built), gasLimit: 10_000_000n }),
    );
    expect(failed?.code).to.equal(ExecuteErrorCode.OutOfGas);
  });

  it("eth_estimateGas prices the L2 gas in L1 gas", async () => {
    const built = await gasBurnBlock(L2_CHAIN_ID, [5_000_000n]);
    const estimate = await provider.estimateGas({ to: EXECUTE_ADDRESS, data: executeInput(built) });
    expect(estimate > 5_000_000n + 100_000n).to.equal(true);
  });

  it("a junk call claiming a huge L2 gas limit does not stop a valid block in the same L1 block", async () => {
    const built = await transferBlock();
    const junk = tamperBlock(built.block, { gasLimit: 300_000_000n });
    const [from] = devnet.accounts.map((a) => a.address);
    await provider.send("evm_setAutomine", [false]);
    try {
      const junkHash = (await provider.send("eth_sendTransaction", [
        { from, to: EXECUTE_ADDRESS, data: executeInput(built, junk), gas: toQuantity(1_000_000n) },
      ])) as string;
      const validHash = (await provider.send("eth_sendTransaction", [
        { from, to: EXECUTE_ADDRESS, data: executeInput(built), gas: toQuantity(1_000_000n) },
      ])) as string;
      await provider.send("evm_mine", []);
      const [junkReceipt, validReceipt] = await Promise.all([
        provider.getTransactionReceipt(junkHash),
        provider.getTransactionReceipt(validHash),
      ]);
      expect(junkReceipt?.blockNumber).to.equal(validReceipt?.blockNumber);
      expect(junkReceipt?.status).to.equal(0);
      expect(validReceipt?.status).to.equal(1);
    } finally {
      await provider.send("evm_setAutomine", [true]);
    }
  });

  describe("with an ecrecover-heavy block", () => {
    let built: BuiltBlock;

    before(async () => {
      // ≈ 200 signature recoveries: long enough that a second request arrives while it runs.
      built = await ecrecoverBlock(L2_CHAIN_ID, 1, 600_000n);
    });

    it("answers eth_blockNumber while an eth_call runs a heavy EXECUTE", async () => {
      const url = devnet.url as string;
      const order: string[] = [];
      const call = rpc(url, "eth_call", [
        { to: EXECUTE_ADDRESS, data: executeInput(built), gas: toQuantity(3_000_000n) },
        "latest",
      ]).then((result) => {
        order.push("eth_call");
        return result;
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
      const blockNumber = rpc(url, "eth_blockNumber", []).then((result) => {
        order.push("eth_blockNumber");
        return result;
      });
      const [callResult] = await Promise.all([call, blockNumber]);
      expect(typeof callResult).to.equal("string"); // the block verified
      expect(order).to.deep.equal(["eth_blockNumber", "eth_call"]);
    });

    it("stops an eth_call's EXECUTE at the wall-clock limit with a clear error", async () => {
      // 1 ms, far below the block's ≈ 200 recoveries (≥ 20 ms even with native secp256k1 and a warm
      // JIT): at 50 ms a worker that had already run other files finished the block in time.
      const limited = await startL1Devnet({ http: false, execute: { callTimeoutMs: 1 } });
      const limitedProvider = limited.provider;
      try {
        const failed = await revertCode(
          limitedProvider.request({
            method: "eth_call",
            params: [{ to: EXECUTE_ADDRESS, data: executeInput(built) }, "latest"],
          }),
        );
        expect(failed, "the eth_call ran to the end").to.not.equal(undefined);
        expect(failed?.code).to.equal(ExecuteErrorCode.SimulationTimeout);
        expect(failed?.reason).to.match(/ 1 ms/);
      } finally {
        await limited.stop();
      }
    });
  });
});
