import { expect } from "chai";

import { type L1Devnet, startL1Devnet } from "../../../rollup-node/devnet/l1Devnet";
import { MAX_DEV_TIMESTAMP } from "../../../rollup-node/chain/chain";

describe("L1 devnet time controls are bounded (a wrong value cannot brick the chain)", function () {
  this.timeout(30_000);
  let l1: L1Devnet;

  beforeEach(async () => {
    l1 = await startL1Devnet({ http: false });
  });

  afterEach(async () => {
    await l1?.stop();
  });

  async function send(method: string, params: unknown[]): Promise<unknown> {
    return l1.provider.request({ method, params });
  }

  async function refused(method: string, params: unknown[]): Promise<{ code?: number; message: string }> {
    try {
      await send(method, params);
    } catch (error) {
      return error as { code?: number; message: string };
    }
    return expect.fail(`${method}(${String(params)}) was accepted`);
  }

  async function transferStillMines(): Promise<void> {
    const [from, to] = l1.accounts;
    const head = l1.chain.headNumber;
    await send("eth_sendTransaction", [{ from: from.address, to: to.address, value: "0x1" }]);
    expect(l1.chain.headNumber).to.equal(head + 1n);
  }

  it("refuses evm_increaseTime(2^224) with invalid params, and transactions still mine", async () => {
    const error = await refused("evm_increaseTime", [`0x${(2n ** 224n).toString(16)}`]);
    expect(error.code).to.equal(-32602);
    expect(error.message).to.match(/timestamp/);
    await transferStillMines();
  });

  it("refuses evm_setNextBlockTimestamp and evm_mine past the largest timestamp, and transactions still mine", async () => {
    const past = `0x${(MAX_DEV_TIMESTAMP + 1n).toString(16)}`;
    expect((await refused("evm_setNextBlockTimestamp", [past])).code).to.equal(-32602);
    expect((await refused("evm_mine", [past])).code).to.equal(-32602);
    expect((await refused("hardhat_mine", ["0x2", past])).code).to.equal(-32602);
    await transferStillMines();
  });

  it("mines up to the largest timestamp and refuses the block that would pass it (a forced time near the cap, then a block a second)", async () => {
    await send("evm_setNextBlockTimestamp", [`0x${(MAX_DEV_TIMESTAMP - 1n).toString(16)}`]);
    await send("evm_mine", []);
    await send("evm_mine", []);
    expect(l1.chain.head.header.timestamp).to.equal(MAX_DEV_TIMESTAMP);
    const head = l1.chain.headNumber;
    expect((await refused("evm_mine", [])).message).to.contain("largest dev timestamp");
    expect(l1.chain.headNumber).to.equal(head);
    expect(l1.chain.head.header.timestamp).to.equal(MAX_DEV_TIMESTAMP);
  });

  it("refuses hardhat_mine of more blocks than it can mine in one call", async () => {
    expect((await refused("hardhat_mine", [`0x${(2n ** 64n).toString(16)}`])).code).to.equal(-32602);
  });

  it("still moves time up to the bound, and the chain keeps going from there", async () => {
    const now = l1.chain.head.header.timestamp;
    await send("evm_increaseTime", [`0x${(MAX_DEV_TIMESTAMP - now - 3600n).toString(16)}`]);
    await transferStillMines();
    expect(l1.chain.head.header.timestamp >= MAX_DEV_TIMESTAMP - 3600n).to.equal(true);
    await transferStillMines();
  });
});
