import { hexToBytes } from "@ethereumjs/util";
import { expect } from "chai";
import { JsonRpcProvider, Wallet } from "ethers";

import { encodeWitness, verifyBlock } from "../../../precompiles";
import { startL2Rpc } from "../../../rollup-node/l2/rpc";
import type { Sequencer } from "../../../rollup-node/l2/sequencer";
import type { RpcServer } from "../../../rollup-node/rpc/server";
import { STORE_AND_LOG_INITCODE, storeCall } from "../../../tools/l2Fixtures";
import { L2_CHAIN_ID, TempDirs, openSequencer } from "./l2Support";

const KEY = `0x${(1).toString(16).padStart(64, "0")}`;
const TO = "0x00000000000000000000000000000000000000cc";

interface WitnessJson {
  state: string[];
  codes: string[];
  keys: string[];
  headers: string[];
}

describe("L2 JSON-RPC", function () {
  this.timeout(20_000);
  const dirs = new TempDirs();
  let sequencer: Sequencer;
  let server: RpcServer;
  let provider: JsonRpcProvider;

  before(async () => {
    sequencer = await openSequencer(dirs.make(), { blockTimeMs: 50, now: undefined });
    server = await startL2Rpc(sequencer, { port: 0, devMethods: true, extraMethods: { rollup_ping: () => "pong" } });
    provider = new JsonRpcProvider(server.url, Number(L2_CHAIN_ID), {
      staticNetwork: true,
      polling: true,
      pollingInterval: 20,
    });
    sequencer.start();
  });

  after(async () => {
    provider.destroy();
    await server.close();
    await sequencer.close();
    dirs.removeAll();
  });

  it("takes raw transactions from ethers, mines them, and serves receipts, code and storage", async () => {
    const wallet = new Wallet(KEY, provider);
    expect(await provider.send("eth_chainId", [])).to.equal(`0x${L2_CHAIN_ID.toString(16)}`);
    // Explicit nonces: ethers caches eth_getTransactionCount for 250 ms, too long for back-to-back sends.
    const transfer = await wallet.sendTransaction({ to: TO, value: 1234n, nonce: 0 });
    const deploy = await wallet.sendTransaction({ data: STORE_AND_LOG_INITCODE, nonce: 1 });
    const [transferReceipt, deployReceipt] = await Promise.all([transfer.wait(), deploy.wait()]);
    expect(transferReceipt?.status).to.equal(1);
    expect(await provider.getBalance(TO)).to.equal(1234n);
    const contract = deployReceipt?.contractAddress as string;
    expect(await provider.getCode(contract)).to.have.length.greaterThan(2);
    const call = await wallet.sendTransaction({ to: contract, data: storeCall(3, 42), nonce: 2 });
    const callReceipt = await call.wait();
    expect(callReceipt?.logs).to.have.length(1);
    expect(BigInt(await provider.getStorage(contract, 3))).to.equal(42n);
    expect(await provider.getTransactionCount(wallet.address, "pending")).to.equal(3);
  });

  it("serves debug_executionWitness in geth's shape, with which the EXECUTE verifier accepts the block", async () => {
    const head = await provider.getBlockNumber();
    expect(head).to.be.greaterThan(0);
    const target = (await provider.getBlock(head))!;
    const witness = (await provider.send("debug_executionWitness", [`0x${head.toString(16)}`])) as WitnessJson;
    expect(Object.keys(witness).sort()).to.deep.equal(["codes", "headers", "keys", "state"]);
    expect(witness.state.length).to.be.greaterThan(0);
    const block = sequencer.chain.resolveBlock(BigInt(head)).block;
    const parent = sequencer.chain.resolveBlock(BigInt(head - 1)).block;
    expect(block.hash()).to.deep.equal(hexToBytes(target.hash as `0x${string}`));
    const result = await verifyBlock({
      chainId: L2_CHAIN_ID,
      parentHeader: parent.header.serialize(),
      block: block.serialize(),
      witness: encodeWitness({
        state: witness.state.map((h) => hexToBytes(h as `0x${string}`)),
        codes: witness.codes.map((h) => hexToBytes(h as `0x${string}`)),
        headers: witness.headers.map((h) => hexToBytes(h as `0x${string}`)),
      }),
    });
    expect(result.number).to.equal(BigInt(head));
    const genesis = await provider.send("debug_executionWitness", ["0x0"]).catch((error: Error) => error.message);
    expect(genesis).to.match(/no execution witness for block 0/);
  });

  it("answers geth's errors for blob transactions and keyless eth_sendTransaction, and serves extra methods", async () => {
    const blob = await provider.send("eth_sendRawTransaction", ["0x03c0"]).catch((error: Error) => error.message);
    expect(blob).to.match(/transaction type not supported/);
    const keyless = await provider
      .send("eth_sendTransaction", [{ from: TO, to: TO }])
      .catch((error: Error) => error.message);
    expect(keyless).to.match(/unknown account/);
    expect(await provider.send("eth_accounts", [])).to.deep.equal([]);
    expect(await provider.send("rollup_ping", [])).to.equal("pong");
    sequencer.stop();
    await sequencer.produceBlock(); // waits out a block the timer may have started
    const before = BigInt(await provider.send("eth_blockNumber", []));
    await provider.send("evm_mine", []);
    expect(BigInt(await provider.send("eth_blockNumber", []))).to.equal(before + 1n);
  });
});
