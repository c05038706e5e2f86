import { expect } from "chai";
import { ContractFactory, type InterfaceAbi, JsonRpcProvider, Wallet, parseUnits } from "ethers";
import { artifacts } from "hardhat";

import { startL2Rpc } from "../../../rollup-node/l2/rpc";
import type { Sequencer } from "../../../rollup-node/l2/sequencer";
import type { RpcServer } from "../../../rollup-node/rpc/server";
import { type NodeRpcError, nodeRpcErrorFrom } from "../../../sdk";
import { L2_CHAIN_ID, TempDirs, openSequencer } from "../l2/l2Support";

/** Dev keys funded by the test genesis (TestSigner.fromSeed(i) is key i + 1). */
const key = (i: number): string => `0x${(i + 1).toString(16).padStart(64, "0")}`;
const TO = "0x00000000000000000000000000000000000000cc";

/** The JSON-RPC error object as sent: what ethers keeps in `error.error` or `error.info.error`. */
interface WireError {
  code: number;
  message: string;
  data?: { code?: string; hint?: string; reason?: string } | string;
}

/** What a call rejected with; fails the test when it answered. */
async function rejection(
  promise: Promise<unknown>,
): Promise<Error & { code?: string; error?: WireError; info?: { error?: WireError } }> {
  return promise.then(
    (answer) => expect.fail(`answered ${JSON.stringify(answer)} instead of an error`),
    (error: Error) => error,
  );
}

/** The wire's error object inside an ethers error. */
function wire(error: { error?: WireError; info?: { error?: WireError } }): WireError {
  const found = error.error ?? error.info?.error;
  expect(found, "the JSON-RPC error object in the ethers error").to.not.equal(undefined);
  return found as WireError;
}

/** The wire's `data` as the node's `{ code, hint }`: a non-empty hint and the given code. */
function expectNodeData(w: WireError, code: string): { code?: string; hint?: string; reason?: string } {
  expect(w.data, `data of ${JSON.stringify(w)}`).to.be.an("object");
  const data = w.data as { code?: string; hint?: string; reason?: string };
  expect(data.code).to.equal(code);
  expect(data.hint).to.be.a("string").and.not.equal("");
  return data;
}

/** The SDK's reading of an ethers error: its typed error with the node's code and hint. */
function sdkReading(error: unknown): NodeRpcError {
  const read = nodeRpcErrorFrom(error);
  expect(read, "the SDK finds the node's error").to.not.equal(undefined);
  return read as NodeRpcError;
}

async function rpc(url: string, body: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  return response.json();
}

describe("L2 JSON-RPC errors carry the node's code and hint: { code, message, data: { code, hint } } (docs/rpc.md)", function () {
  this.timeout(60_000);
  const dirs = new TempDirs();
  let sequencer: Sequencer;
  let server: RpcServer;
  let provider: JsonRpcProvider;

  before(async () => {
    sequencer = await openSequencer(dirs.make(), { blockTimeMs: 60_000, now: undefined });
    // Automine: a transaction accepted is mined at once, one queued behind a nonce gap waits.
    server = await startL2Rpc(sequencer, { port: 0, devMethods: true, automine: true });
    provider = new JsonRpcProvider(server.url, Number(L2_CHAIN_ID), { staticNetwork: true, cacheTimeout: -1 });
  });

  after(async () => {
    provider.destroy();
    await server.close();
    await sequencer.close();
    dirs.removeAll();
  });

  /** A signed EIP-1559 transfer of `i`'s key at `nonce`. */
  function transfer(i: number, nonce: number, maxFeeGwei = "20"): Promise<string> {
    return new Wallet(key(i)).signTransaction({
      chainId: L2_CHAIN_ID,
      nonce,
      to: TO,
      value: 1n,
      gasLimit: 21_000n,
      maxFeePerGas: parseUnits(maxFeeGwei, "gwei"),
      maxPriorityFeePerGas: 1n,
      type: 2,
    });
  }

  it("a mempool refusal (nonce too low) reaches ethers as NONCE_EXPIRED with the node's code TX_REJECTED, hint and reason, and the SDK reads them", async () => {
    await provider.broadcastTransaction(await transfer(0, 0));
    const error = await rejection(provider.broadcastTransaction(await transfer(0, 0)));
    expect(error.code).to.equal("NONCE_EXPIRED");
    const w = wire(error);
    expect(w.code).to.equal(-32000);
    expect(w.message).to.equal("nonce too low");
    expect(expectNodeData(w, "TX_REJECTED").reason).to.equal("nonce too low");
    const read = sdkReading(error);
    expect([read.nodeCode, read.rpcCode, read.reason]).to.deep.equal(["TX_REJECTED", -32000, "nonce too low"]);
    expect(read.hint).to.equal((w.data as { hint: string }).hint);
  });

  it("a mempool refusal (replacement underpriced) reaches ethers as REPLACEMENT_UNDERPRICED with TX_REJECTED", async () => {
    // Nonce 5 of a fresh sender waits behind a gap; the same nonce at a 5 % higher fee replaces nothing.
    await provider.broadcastTransaction(await transfer(1, 5, "20"));
    const error = await rejection(provider.broadcastTransaction(await transfer(1, 5, "21")));
    expect(error.code).to.equal("REPLACEMENT_UNDERPRICED");
    const w = wire(error);
    expect(w.code).to.equal(-32000);
    expect(expectNodeData(w, "TX_REJECTED").reason).to.equal("replacement transaction underpriced");
    expect(sdkReading(error).nodeCode).to.equal("TX_REJECTED");
  });

  it("a mempool refusal for a full queue (account limit) comes with TX_REJECTED, though ethers cannot name it", async () => {
    // geth's AccountQueue: 64 transactions of one sender behind a nonce gap; the 65th is refused.
    for (let nonce = 1; nonce <= 64; nonce++) await provider.broadcastTransaction(await transfer(2, nonce));
    const error = await rejection(provider.broadcastTransaction(await transfer(2, 65)));
    expect(error.message).to.match(/^could not coalesce error/);
    const w = wire(error);
    expect(w.code).to.equal(-32000);
    expect(expectNodeData(w, "TX_REJECTED").reason).to.equal("account limit exceeded");
    const read = sdkReading(error);
    expect([read.nodeCode, read.reason]).to.deep.equal(["TX_REJECTED", "account limit exceeded"]);
    expect(read.hint).to.contain("send nonce 0 first");
  });

  it("a bad parameter is -32602 INVALID_PARAMS, naming the parameter", async () => {
    const error = await rejection(provider.send("eth_getBalance", ["0x1234", "latest"]));
    const w = wire(error);
    expect(w.code).to.equal(-32602);
    expectNodeData(w, "INVALID_PARAMS");
    const read = sdkReading(error);
    expect([read.rpcCode, read.nodeCode]).to.deep.equal([-32602, "INVALID_PARAMS"]);
  });

  it("an unknown method is -32601 METHOD_NOT_FOUND (ethers: UNSUPPORTED_OPERATION)", async () => {
    const error = await rejection(provider.send("rollup_noSuchMethod", []));
    expect(error.code).to.equal("UNSUPPORTED_OPERATION");
    const w = wire(error);
    expect(w.code).to.equal(-32601);
    expectNodeData(w, "METHOD_NOT_FOUND");
    expect(sdkReading(error).rpcCode).to.equal(-32601);
  });

  it("in a batch, each failing element carries its own code and data, beside the answers of the others", async () => {
    const stale = await transfer(0, 0);
    const answers = (await rpc(server.url as string, [
      { jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] },
      { jsonrpc: "2.0", id: 2, method: "eth_getBalance", params: ["not an address", "latest"] },
      { jsonrpc: "2.0", id: 3, method: "debug_noSuchMethod", params: [] },
      { jsonrpc: "2.0", id: 4, method: "eth_sendRawTransaction", params: [stale] },
    ])) as { id: number; result?: unknown; error?: WireError }[];
    expect(answers.map((a) => a.id)).to.deep.equal([1, 2, 3, 4]);
    expect(answers[0]?.result).to.equal(`0x${L2_CHAIN_ID.toString(16)}`);
    expect(answers[1]?.error?.code).to.equal(-32602);
    expectNodeData(answers[1]?.error as WireError, "INVALID_PARAMS");
    expect(answers[2]?.error?.code).to.equal(-32601);
    expectNodeData(answers[2]?.error as WireError, "METHOD_NOT_FOUND");
    expect(answers[3]?.error?.code).to.equal(-32000);
    expect(expectNodeData(answers[3]?.error as WireError, "TX_REJECTED").reason).to.equal("nonce too low");
  });

  it("a revert keeps code 3 with the revert bytes as data: ethers still decodes the custom error from eth_call and eth_estimateGas", async () => {
    const artifact = await artifacts.readArtifact("Counter");
    const factory = new ContractFactory(artifact.abi as InterfaceAbi, artifact.bytecode, new Wallet(key(3), provider));
    const counter = await factory.deploy();
    await counter.waitForDeployment();
    const add = counter.getFunction("add");
    const tooLarge = counter.interface.encodeErrorResult("TooLarge", [101n, 100n]);
    // eth_call: the contract decodes the custom error.
    const called = (await rejection(add.staticCall(101n))) as Error & {
      code?: string;
      revert?: { name: string; args: unknown[] };
    };
    expect(called.code).to.equal("CALL_EXCEPTION");
    expect(called.revert?.name).to.equal("TooLarge");
    expect([...(called.revert?.args ?? [])]).to.deep.equal([101n, 100n]);
    // eth_estimateGas: ethers hands the revert bytes over (a Contract does not decode estimates).
    const estimated = (await rejection(add.estimateGas(101n))) as Error & { code?: string; data?: string };
    expect(estimated.code).to.equal("CALL_EXCEPTION");
    expect(estimated.data).to.equal(tooLarge);
    expect(counter.interface.parseError(estimated.data as string)?.name).to.equal("TooLarge");
    // The SDK reads a revert as what it is: code 3, not a node error.
    expect(sdkReading(estimated).rpcCode).to.equal(3);
    const raw = (await rpc(server.url as string, {
      jsonrpc: "2.0",
      id: 1,
      method: "eth_call",
      params: [{ to: await counter.getAddress(), data: counter.interface.encodeFunctionData("add", [101n]) }, "latest"],
    })) as { error: WireError };
    expect(raw.error.code).to.equal(3);
    expect(raw.error.data).to.equal(tooLarge, "data is the revert bytes, not an object");
  });
});
