import { expect } from "chai";
import { ContractFactory, type InterfaceAbi, JsonRpcProvider, Wallet, id, parseEther, zeroPadValue } from "ethers";
import { artifacts } from "hardhat";

import { type L1Devnet, startL1Devnet } from "../../../rollup-node/devnet/l1Devnet";
import { rejection } from "../rejection";

interface CounterLike {
  getAddress(): Promise<string>;
  count(): Promise<bigint>;
  increment(
    overrides?: object,
  ): Promise<{ wait(): Promise<{ status: number; blockNumber: number; hash: string } | null>; hash: string }>;
  add(amount: bigint, overrides?: object): Promise<unknown>;
  failWithReason(): Promise<unknown>;
  timestamp(): Promise<bigint>;
  interface: { parseError(data: string): { name: string; args: unknown[] } | null };
  add_estimate?: never;
}

async function deploy(signer: Wallet, name: "Counter" | "CounterCaller"): Promise<CounterLike & { target: string }> {
  const artifact = await artifacts.readArtifact(name);
  const factory = new ContractFactory(artifact.abi as InterfaceAbi, artifact.bytecode, signer);
  const contract = await factory.deploy();
  await contract.waitForDeployment();
  return contract as unknown as CounterLike & { target: string };
}

async function rpc(url: string, body: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  return response.json();
}

describe("L1 devnet over HTTP JSON-RPC", () => {
  let devnet: L1Devnet;
  let provider: JsonRpcProvider;
  let signer: Wallet;

  before(async () => {
    devnet = await startL1Devnet({ port: 0 });
    provider = new JsonRpcProvider(devnet.url, undefined, {
      staticNetwork: true,
      cacheTimeout: -1,
      pollingInterval: 20,
    });
    signer = new Wallet((devnet.accounts[0] as { privateKey: string }).privateKey, provider);
  });

  after(async () => {
    provider.destroy();
    await devnet.stop();
  });

  it("listens on an ephemeral port with chain id 1337 and 10 funded dev accounts", async () => {
    expect(devnet.port).to.be.greaterThan(0);
    expect((await provider.getNetwork()).chainId).to.equal(1337n);
    const accounts = (await provider.send("eth_accounts", [])) as string[];
    expect(accounts).to.have.length(10);
    expect(accounts[0]?.toLowerCase()).to.equal("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
    expect(await provider.getBalance(accounts[0] as string)).to.equal(parseEther("10000"));
  });

  it("deploys a contract, sends a transaction, waits for its receipt and calls a view", async () => {
    const counter = await deploy(signer, "Counter");
    const tx = await counter.increment();
    const receipt = await tx.wait();
    expect(receipt?.status).to.equal(1);
    expect(await counter.count()).to.equal(1n);
    const estimate = await provider.estimateGas({
      to: counter.target,
      data: id("increment()").slice(0, 10),
      from: signer.address,
    });
    expect(estimate).to.be.greaterThan(21_000n).and.lessThan(60_000n);
  });

  it("returns logs filtered by address, topic (with null wildcard and OR lists) and block range", async () => {
    const counter = await deploy(signer, "Counter");
    const first = await (await counter.increment()).wait();
    await (await counter.increment()).wait();
    const topic0 = id("Incremented(address,uint256)");
    const bySender = zeroPadValue(signer.address, 32);
    const all = await provider.getLogs({ address: counter.target, fromBlock: 0, toBlock: "latest", topics: [topic0] });
    expect(all).to.have.length(2);
    const wildcard = await provider.send("eth_getLogs", [
      { address: counter.target, fromBlock: "0x0", topics: [null, [bySender, zeroPadValue("0x01", 32)]] },
    ]);
    expect(wildcard).to.have.length(2);
    const one = await provider.getLogs({
      address: counter.target,
      fromBlock: first?.blockNumber,
      toBlock: first?.blockNumber,
    });
    expect(one).to.have.length(1);
    const none = await provider.getLogs({ address: counter.target, fromBlock: 0, topics: [id("Other()")] });
    expect(none).to.have.length(0);
  });

  it("answers a custom-error revert with code 3 and data that ethers decodes", async () => {
    const counter = await deploy(signer, "Counter");
    const error = await rejection(counter.add(1000n));
    expect((error as { code?: string }).code).to.equal("CALL_EXCEPTION");
    const data = (error as { data?: string }).data as string;
    const decoded = counter.interface.parseError(data);
    expect(decoded?.name).to.equal("TooLarge");
    expect(decoded?.args).to.deep.equal([1000n, 100n]);
    const raw = (await rpc(devnet.url as string, {
      jsonrpc: "2.0",
      id: 1,
      method: "eth_call",
      params: [{ to: counter.target, data: id("failWithReason()").slice(0, 10) }, "latest"],
    })) as {
      error: { code: number; message: string; data: string };
    };
    expect(raw.error.code).to.equal(3);
    expect(raw.error.message).to.equal("execution reverted: counter says no");
    expect(raw.error.data.startsWith("0x08c379a0")).to.equal(true);
  });

  it("rejects a reused nonce and an unaffordable transfer with geth's messages", async () => {
    const nonce = await provider.getTransactionCount(signer.address, "pending");
    await (await signer.sendTransaction({ to: signer.address, value: 1n, nonce })).wait();
    const stale = await signer.signTransaction({
      to: signer.address,
      value: 1n,
      nonce,
      gasLimit: 21_000n,
      maxFeePerGas: 10n ** 10n,
      maxPriorityFeePerGas: 1n,
      chainId: 1337n,
      type: 2,
    });
    const low = (await rpc(devnet.url as string, {
      jsonrpc: "2.0",
      id: 1,
      method: "eth_sendRawTransaction",
      params: [stale],
    })) as { error: { code: number; message: string; data: { code: string; reason: string } } };
    // geth's message (what ethers recognises), and the node's code and reason in `data` (docs/rpc.md).
    expect(low.error).to.deep.include({ code: -32000, message: "nonce too low" });
    expect(low.error.data).to.deep.include({ code: "TX_REJECTED", reason: "nonce too low" });
    const poor = Wallet.createRandom().connect(provider);
    const tx = await poor.signTransaction({
      to: signer.address,
      value: 1n,
      nonce: 0,
      gasLimit: 21_000n,
      maxFeePerGas: 10n ** 10n,
      maxPriorityFeePerGas: 1n,
      chainId: 1337n,
      type: 2,
    });
    const funds = (await rpc(devnet.url as string, {
      jsonrpc: "2.0",
      id: 2,
      method: "eth_sendRawTransaction",
      params: [tx],
    })) as { error: { code: number; message: string; data: { code: string } } };
    expect(funds.error).to.deep.include({ code: -32000, message: "insufficient funds for gas * price + value" });
    expect(funds.error.data.code).to.equal("TX_REJECTED");
  });

  it("verifies eth_getProof against the block's state root", async () => {
    const { fromMerkleStateProof, verifyMerkleStateProof } = await import("@ethereumjs/statemanager");
    const counter = await deploy(signer, "Counter");
    await (await counter.increment()).wait();
    const slot0 = `0x${"00".repeat(32)}`;
    const proof = await provider.send("eth_getProof", [counter.target, [slot0], "latest"]);
    expect(proof.storageProof[0].key).to.equal(slot0);
    expect(proof.storageProof[0].value).to.equal("0x1");
    const short = await provider.send("eth_getProof", [counter.target, ["0x00"], "latest"]);
    expect(short.storageProof[0].key).to.equal("0x0");
    const state = await fromMerkleStateProof(proof);
    expect(await verifyMerkleStateProof(state, proof)).to.equal(true);
  });

  it("reverts to a snapshot and moves time forward with evm_increaseTime", async () => {
    const snapshot = (await provider.send("evm_snapshot", [])) as string;
    const before = await provider.getBlockNumber();
    await provider.send("evm_mine", []);
    await provider.send("evm_mine", []);
    expect(await provider.getBlockNumber()).to.equal(before + 2);
    expect(await provider.send("evm_revert", [snapshot])).to.equal(true);
    expect(await provider.getBlockNumber()).to.equal(before);
    const wallClock = Math.floor(Date.now() / 1000);
    await provider.send("evm_increaseTime", [3600]);
    await provider.send("evm_mine", []);
    expect((await provider.getBlock("latest"))?.timestamp).to.be.at.least(wallClock + 3600);
  });

  it("answers the anvil_* names of the dev methods as their hardhat_* / evm_* twins", async () => {
    const someone = Wallet.createRandom().address;
    expect(await provider.send("anvil_setBalance", [someone, "0x2a"])).to.equal(true);
    expect(await provider.getBalance(someone)).to.equal(42n);
    await provider.send("anvil_setNonce", [someone, "0x7"]);
    expect(await provider.getTransactionCount(someone)).to.equal(7);
    await provider.send("anvil_setCode", [someone, "0x6001"]);
    expect(await provider.getCode(someone)).to.equal("0x6001");
    await provider.send("anvil_setStorageAt", [someone, "0x0", `0x${"00".repeat(31)}05`]);
    expect(await provider.getStorage(someone, 0)).to.equal(`0x${"00".repeat(31)}05`);
    const snapshot = (await provider.send("anvil_snapshot", [])) as string;
    const before = await provider.getBlockNumber();
    await provider.send("anvil_mine", ["0x3", "0x1"]);
    expect(await provider.getBlockNumber()).to.equal(before + 3);
    expect(await provider.send("anvil_revert", [snapshot])).to.equal(true);
    expect(await provider.getBlockNumber()).to.equal(before);
    expect(await provider.send("anvil_getAutomine", [])).to.equal(true);
    const head = (await provider.getBlock("latest"))?.timestamp ?? 0;
    await provider.send("anvil_setNextBlockTimestamp", [head + 1000]);
    await provider.send("anvil_mine", []);
    expect((await provider.getBlock("latest"))?.timestamp).to.equal(head + 1000);
    await provider.send("anvil_increaseTime", [500]);
    await provider.send("anvil_mine", []);
    expect((await provider.getBlock("latest"))?.timestamp).to.be.at.least(head + 1500);
  });

  it("traces nested calls with debug_traceTransaction's callTracer, including a call to EXECUTE", async () => {
    const counter = await deploy(signer, "Counter");
    const caller = (await deploy(signer, "CounterCaller")) as unknown as {
      target: string;
      incrementTwice(a: string): Promise<{ hash: string; wait(): Promise<unknown> }>;
      callExecute(d: string, o?: object): Promise<{ hash: string; wait(): Promise<unknown> }>;
    };
    const tx = await caller.incrementTwice(counter.target);
    await tx.wait();
    const trace = (await provider.send("debug_traceTransaction", [tx.hash, { tracer: "callTracer" }])) as {
      type: string;
      to: string;
      calls: { type: string; to: string; calls?: unknown[] }[];
      gasUsed: string;
    };
    expect(trace.type).to.equal("CALL");
    expect(trace.to).to.equal(caller.target.toLowerCase());
    expect(trace.calls.map((c) => [c.type, c.to])).to.deep.equal([
      ["CALL", counter.target.toLowerCase()],
      ["CALL", counter.target.toLowerCase()],
    ]);
    const exec = await caller.callExecute("0x1234", { gasLimit: 500_000n });
    await exec.wait();
    const execTrace = (await provider.send("debug_traceTransaction", [exec.hash, { tracer: "callTracer" }])) as {
      calls: { to: string; error?: string }[];
    };
    expect(execTrace.calls[0]?.to).to.equal("0x0000000000000000000000000000000000000101");
    expect(execTrace.calls[0]?.error).to.equal("execution reverted");
  });

  it("answers batch requests in order and -32601 for an unknown method", async () => {
    const answers = (await rpc(devnet.url as string, [
      { jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] },
      { jsonrpc: "2.0", id: 2, method: "no_suchMethod", params: [] },
      { jsonrpc: "2.0", id: 3, method: "web3_sha3", params: ["0x"] },
    ])) as { id: number; result?: string; error?: { code: number } }[];
    expect(answers.map((a) => a.id)).to.deep.equal([1, 2, 3]);
    expect(answers[0]?.result).to.equal("0x539");
    expect(answers[1]?.error?.code).to.equal(-32601);
    expect(answers[2]?.result).to.equal("0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    const parse = await fetch(devnet.url as string, { method: "POST", body: "{not json" });
    expect(((await parse.json()) as { error: { code: number } }).error.code).to.equal(-32700);
  });
});

describe("L1 devnet with interval mining", () => {
  it("keeps transactions pending until the next interval block", async () => {
    // Sent right after an interval block, with 3 s to the next one: a loaded CI machine cannot
    // reach it before the reads below.
    const devnet = await startL1Devnet({ port: 0, blockTime: 3_000 });
    const provider = new JsonRpcProvider(devnet.url, undefined, { staticNetwork: true, pollingInterval: 50 });
    try {
      const signer = new Wallet((devnet.accounts[1] as { privateKey: string }).privateKey, provider);
      const start = await provider.getBlockNumber();
      while ((await provider.getBlockNumber()) === start) await new Promise((resolve) => setTimeout(resolve, 20));
      const headBefore = await provider.getBlockNumber();
      const tx = await signer.sendTransaction({ to: signer.address, value: 1n });
      expect(await provider.send("eth_getTransactionCount", [signer.address, "pending"])).to.equal("0x1");
      expect(await provider.getTransactionReceipt(tx.hash)).to.equal(null);
      expect(await provider.getBlockNumber()).to.equal(headBefore);
      const receipt = await tx.wait();
      expect(receipt?.status).to.equal(1);
      expect(receipt?.blockNumber).to.be.greaterThan(headBefore);
    } finally {
      provider.destroy();
      await devnet.stop();
    }
  });
});
