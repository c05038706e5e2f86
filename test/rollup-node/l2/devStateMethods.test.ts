import { hexToBytes } from "@ethereumjs/util";
import { expect } from "chai";
import { JsonRpcProvider, Wallet, toBeHex } from "ethers";

import { MAX_DEV_TIMESTAMP } from "../../../rollup-node/chain/chain";
import { L1Detachment } from "../../../rollup-node/l2/detachment";
import { devStateMethods } from "../../../rollup-node/l2/devStateMethods";
import { startL2Rpc } from "../../../rollup-node/l2/rpc";
import type { Sequencer } from "../../../rollup-node/l2/sequencer";
import type { RpcServer } from "../../../rollup-node/rpc/server";
import { L2_CHAIN_ID, TempDirs, openSequencer, signers } from "./l2Support";

interface RpcFailure {
  readonly code?: number;
  readonly message?: string;
}

/** The JSON-RPC error of a call that must fail (the test fails if it succeeds). */
async function rpcError(provider: JsonRpcProvider, method: string, params: unknown[]): Promise<RpcFailure> {
  try {
    await provider.send(method, params);
  } catch (error) {
    const e = error as { error?: RpcFailure; info?: { error?: RpcFailure } };
    return e.error ?? e.info?.error ?? {};
  }
  throw new Error(`${method} succeeded`);
}

describe("L2 devnet dev methods: bounds of the edits, admission before detachment, the timestamp cap", function () {
  this.timeout(30_000);
  const dirs = new TempDirs();
  let sequencer: Sequencer;
  let detachment: L1Detachment;
  let server: RpcServer;
  let provider: JsonRpcProvider;

  beforeEach(async () => {
    sequencer = await openSequencer(dirs.make(), { now: undefined });
    detachment = new L1Detachment(undefined);
    const stateMethods = devStateMethods({
      node: sequencer,
      detachment,
      // L1's time far ahead: only the edits under test detach.
      l1Time: async () => MAX_DEV_TIMESTAMP,
    });
    server = await startL2Rpc(sequencer, { port: 0, devMethods: true, devStateMethods: stateMethods });
    provider = new JsonRpcProvider(server.url, Number(L2_CHAIN_ID), { staticNetwork: true });
  });

  afterEach(async () => {
    provider.destroy();
    await server.close();
    await sequencer.close();
  });

  after(() => dirs.removeAll());

  const target = Wallet.createRandom().address;

  it("refuses a balance above 2^256 - 1 (-32602, the bound named), leaving the account and the attachment as they were", async () => {
    for (const method of ["hardhat_setBalance", "anvil_setBalance"]) {
      const error = await rpcError(provider, method, [target, toBeHex(2n ** 256n)]);
      expect(error.code, method).to.equal(-32602);
      expect(error.message).to.contain("2^256 - 1");
    }
    expect(await provider.getBalance(target)).to.equal(0n);
    expect(detachment.state).to.equal(undefined);
    expect(await provider.send("hardhat_setBalance", [target, toBeHex(2n ** 256n - 1n)])).to.equal(true);
    // Read raw: ethers would answer the same eth_getBalance from its 250 ms cache.
    expect(BigInt(await provider.send("eth_getBalance", [target, "latest"]))).to.equal(2n ** 256n - 1n);
  });

  it("refuses a nonce of 2^64 or more (-32602, the bound named)", async () => {
    const error = await rpcError(provider, "hardhat_setNonce", [target, toBeHex(2n ** 64n)]);
    expect(error.code).to.equal(-32602);
    expect(error.message).to.contain("2^64 - 1");
    expect(detachment.state).to.equal(undefined);
    expect(await provider.send("anvil_setNonce", [target, toBeHex(2n ** 64n - 1n)])).to.equal(true);
    expect(BigInt(await provider.send("eth_getTransactionCount", [target, "latest"]))).to.equal(2n ** 64n - 1n);
  });

  it("refuses a storage slot or value longer than 32 bytes", async () => {
    const slot = await rpcError(provider, "hardhat_setStorageAt", [target, `0x01${"00".repeat(32)}`, toBeHex(1, 32)]);
    expect(slot.code).to.equal(-32602);
    expect(slot.message).to.contain("32 bytes");
    const value = await rpcError(provider, "hardhat_setStorageAt", [target, "0x0", `0x${"01".repeat(33)}`]);
    expect(value.code).to.equal(-32602);
    expect(value.message).to.contain("32 bytes");
    expect(detachment.state).to.equal(undefined);
  });

  it("refuses code of an odd number of hex digits by that name, and code past the dev size bound; takes code above EIP-170's 24,576 bytes", async () => {
    const odd = await rpcError(provider, "hardhat_setCode", [target, "0x123"]);
    expect(odd.code).to.equal(-32602);
    expect(odd.message).to.contain("odd number of hex digits");
    const huge = await rpcError(provider, "hardhat_setCode", [target, `0x${"00".repeat(1024 * 1024 + 1)}`]);
    expect(huge.code).to.equal(-32602);
    expect(huge.message).to.contain("1048576 bytes");
    expect(detachment.state).to.equal(undefined);
    const big = `0x${"5b".repeat(24_577)}`;
    expect(await provider.send("anvil_setCode", [target, big])).to.equal(true);
    expect(await provider.getCode(target)).to.equal(big);
  });

  it("a refused impersonated transaction (insufficient funds) leaves the node attached; an admitted one detaches, naming it", async () => {
    const broke = Wallet.createRandom().address;
    await provider.send("hardhat_impersonateAccount", [broke]);
    const refused = await rpcError(provider, "eth_sendTransaction", [
      { from: broke, to: target, value: "0x1", gas: "0x5208" },
    ]);
    expect(refused.message).to.match(/insufficient funds/i);
    expect(detachment.state, "a refused transaction detached the node").to.equal(undefined);

    const [funded] = signers(1);
    const from = funded.address.toString();
    await provider.send("anvil_impersonateAccount", [from]);
    const head = sequencer.chain.headNumber;
    const hash = await provider.send("eth_sendTransaction", [{ from, to: target, value: "0x1", gas: "0x5208" }]);
    expect(sequencer.pendingTransaction(hexToBytes(hash))).to.not.equal(undefined);
    expect(detachment.state).to.deep.equal({
      method: "hardhat_impersonateAccount",
      fromBlock: head + 1n,
      cause: `transaction ${hash} sent for ${from} without its signature (impersonated)`,
    });
  });

  it("refuses a mine that would put the head past the largest dev timestamp (2^63 - 1)", async () => {
    await provider.send("evm_setNextBlockTimestamp", [toBeHex(MAX_DEV_TIMESTAMP - 1n)]);
    await provider.send("evm_mine", []);
    await provider.send("evm_mine", []);
    // ethers reads a timestamp as a JS number: read the head raw.
    const latest = (await provider.send("eth_getBlockByNumber", ["latest", false])) as { timestamp: string };
    expect(BigInt(latest.timestamp)).to.equal(MAX_DEV_TIMESTAMP);
    const head = await provider.getBlockNumber();
    const error = await rpcError(provider, "evm_mine", []);
    expect(error.message).to.contain("largest dev timestamp");
    expect(await provider.getBlockNumber()).to.equal(head);
  });
});
