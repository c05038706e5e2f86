/**
 * Finding 10 of attack-review-s27.md: EthereumJS's default BLS12-381 backend (`NobleBLS`) pays a
 * subgroup check (a scalar multiplication) on every G1ADD and G2ADD input point and then ignores its
 * result, ≈ 90% of the call's CPU: a 30M-gas block of G2ADD was ≈ 4–5 CPU minutes on the devnet's
 * L1 and in EXECUTE's re-execution alike. The project's EVMs must use its own backend
 * (precompiles/bls.ts, proven identical by test/precompiles/blsBackend.test.ts), whose additions
 * skip it: here, no EVM the L1 devnet or EXECUTE runs reaches NobleBLS's additions, and the calls
 * still return EthereumJS's own sums. The CPU saved is a benchmark (scripts/bench-bls.ts), not a test.
 */
import { NobleBLS } from "@ethereumjs/evm";
import { hexToBytes } from "@ethereumjs/util";
import { expect } from "chai";

import { SHARED_BLS, createExecutePrecompile, decodeExecuteInvalid } from "../../precompiles";
import { type L1Devnet, startL1Devnet } from "../../rollup-node/devnet/l1Devnet";
import { blockExecuteCall, callExecute } from "../../tools/executeCall";
import { BLS_INPUTS, precompileLoopBlock } from "../../tools/heavyBlocks";
import { type InterceptedCalls, interceptCalls } from "../../tools/interceptCalls";

const CHAIN_ID = 909n;
const G1ADD = BLS_INPUTS["G1ADD (0x0b)"];
const G2ADD = BLS_INPUTS["G2ADD (0x0d)"];
/** Room for the loop to call G2ADD some forty times: the block is valid and does call it. */
const TX_GAS = 60_000n;

const precompileAddress = (address: number): string => `0x${address.toString(16).padStart(40, "0")}`;

/** Counts the calls of NobleBLS's two additions (any instance: the prototype's methods). */
function watchNobleAdditions(): { calls: () => number; restore: () => void } {
  const spies: InterceptedCalls[] = [
    interceptCalls(NobleBLS.prototype, "addG1"),
    interceptCalls(NobleBLS.prototype, "addG2"),
  ];
  return {
    calls: () => spies.reduce((sum, spy) => sum + spy.count(), 0),
    restore: () => {
      for (const spy of spies) spy.restore();
    },
  };
}

/** G1ADD and G2ADD on the L1 devnet: eth_call, eth_simulateV1 and a mined transaction (its receipt). */
async function additionsOnL1(devnet: L1Devnet): Promise<string[]> {
  const from = devnet.accounts[0].address;
  const call = (p: { address: number; input: string }) => ({ from, to: precompileAddress(p.address), data: p.input });
  const request = devnet.provider.request.bind(devnet.provider);
  const g1 = (await request({ method: "eth_call", params: [call(G1ADD), "latest"] })) as string;
  const g2 = (await request({ method: "eth_call", params: [call(G2ADD), "latest"] })) as string;
  const simulated = (await request({
    method: "eth_simulateV1",
    params: [{ blockStateCalls: [{ calls: [call(G2ADD)] }] }, "latest"],
  })) as { calls: { returnData: string; status: string }[] }[];
  const hash = (await request({
    method: "eth_sendTransaction",
    params: [{ ...call(G2ADD), gas: "0x30000" }],
  })) as string;
  const receipt = (await request({ method: "eth_getTransactionReceipt", params: [hash] })) as { status: string };
  expect(receipt.status, "the G2ADD transaction's receipt").to.equal("0x1");
  expect(simulated[0].calls[0].status, "the simulated G2ADD call").to.equal("0x1");
  return [g1, g2, simulated[0].calls[0].returnData];
}

/** EXECUTE, as the L1 calls it, on an L2 block whose transaction loops over G2ADD: its verdict. */
async function executeG2addBlock(): Promise<{ build: () => Promise<void>; execute: () => Promise<void> }> {
  let call: ReturnType<typeof blockExecuteCall> | undefined;
  const precompile = createExecutePrecompile();
  return {
    build: async () => {
      const { built } = await precompileLoopBlock(CHAIN_ID, G2ADD.address, G2ADD.input, 1, TX_GAS);
      call = blockExecuteCall(built, CHAIN_ID, precompile);
    },
    execute: async () => {
      if (call === undefined) throw new Error("build first");
      const result = await callExecute(precompile, call.data, { gasLimit: call.gasLimit });
      expect(result.exceptionError, "EXECUTE's call").to.equal(undefined);
      expect(decodeExecuteInvalid(result.returnValue), "the G2ADD block is valid").to.equal(undefined);
    },
  };
}

describe("attack: BLS12-381 additions pay NobleBLS's ignored subgroup check (finding 10)", function () {
  this.timeout(300_000);
  // EthereumJS's own sums, the answers every backend must give.
  const noble = new NobleBLS();
  const expected = [
    noble.addG1(hexToBytes(G1ADD.input as `0x${string}`)),
    noble.addG2(hexToBytes(G2ADD.input as `0x${string}`)),
    noble.addG2(hexToBytes(G2ADD.input as `0x${string}`)),
  ].map((bytes) => `0x${Buffer.from(bytes).toString("hex")}`);

  it("the L1 devnet's chain (calls, simulation, mining) never runs NobleBLS's additions, and returns their sums", async () => {
    const devnet = await startL1Devnet({ http: false });
    const watch = watchNobleAdditions();
    try {
      expect(await additionsOnL1(devnet)).to.deep.equal(expected);
      expect(watch.calls(), "NobleBLS addG1/addG2 calls while the L1 devnet ran G1ADD and G2ADD").to.equal(0);
    } finally {
      watch.restore();
      await devnet.stop();
    }
  });

  it("nor do the L2 test chain's build and witness recording, and EXECUTE's re-execution of that block", async () => {
    const block = await executeG2addBlock();
    const watch = watchNobleAdditions();
    try {
      await block.build();
      expect(watch.calls(), "NobleBLS addG1/addG2 calls while building and recording the G2ADD block").to.equal(0);
      await block.execute();
      expect(watch.calls(), "NobleBLS addG1/addG2 calls while EXECUTE verified the G2ADD block").to.equal(0);
    } finally {
      watch.restore();
    }
  });

  it("both run the project's backend (SHARED_BLS) instead", async () => {
    const devnet = await startL1Devnet({ http: false });
    const block = await executeG2addBlock();
    await block.build();
    const spy = interceptCalls(SHARED_BLS, "addG2");
    try {
      await additionsOnL1(devnet);
      const onL1 = spy.count();
      // eth_call, eth_simulateV1, the transaction mined.
      expect(onL1, "SHARED_BLS.addG2 calls on the L1 devnet").to.equal(3);
      await block.execute();
      expect(spy.count() - onL1, "SHARED_BLS.addG2 calls by EXECUTE").to.be.greaterThan(0);
    } finally {
      spy.restore();
      await devnet.stop();
    }
  });
});
