import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { Wallet, formatEther, parseEther } from "ethers";
import hre from "hardhat";
import type { HttpNetworkConfig } from "hardhat/types";

import { ExampleRollup__factory } from "../../../typechain-types";
import { type E2eRollup, startE2eRollup } from "../../e2e/support/harness";

/** Runs a task and returns what it printed. */
async function runTask(name: string, args: Record<string, unknown>): Promise<string> {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...parts: unknown[]) => lines.push(parts.map(String).join(" "));
  try {
    await hre.run(name, args);
  } finally {
    console.log = original;
  }
  return lines.join("\n");
}

describe("rollup:* Hardhat tasks against a rollup devnet in this process", function () {
  this.timeout(60_000);
  let r: E2eRollup;
  const saved: Record<string, string> = {};

  before(async () => {
    r = await startE2eRollup();
    // The tasks dial the `l1` and `l2` networks of the config: point them at this devnet.
    for (const [name, url] of [["l1", r.devnet.l1Url], ["l2", r.devnet.l2Url]] as const) {
      const network = hre.config.networks[name] as HttpNetworkConfig;
      saved[name] = network.url;
      network.url = url;
    }
  });

  after(async () => {
    for (const [name, url] of Object.entries(saved)) (hre.config.networks[name] as HttpNetworkConfig).url = url;
    await r?.stop();
  });

  it("rollup:deposit credits the L2 account and reports the relay", async () => {
    const to = Wallet.createRandom().address;
    const out = await runTask("rollup:deposit", { rollup: r.devnet.deployment.address, account: 1, amount: "0.75", to });
    expect(out).to.match(/queued on L1: deposit of 0.75 ETH to 0x[0-9a-fA-F]{40} as message #0/);
    expect(out).to.match(/relayed on L2 in block \d+ \(tx 0x[0-9a-f]{64}\)/);
    expect(await r.l2.getBalance(to)).to.equal(parseEther("0.75"));
  });

  it("rollup:withdraw initiates on L2, waits until provable and finalizes on L1", async () => {
    const to = Wallet.createRandom().address;
    const out = await runTask("rollup:withdraw", { rollup: r.devnet.deployment.address, account: 2, amount: "0.5", to, timeout: 30 });
    expect(out).to.match(/initiated on L2 in block \d+/);
    expect(out).to.match(/finalized on L1 against L2 block \d+/);
    expect(formatEther(await r.l1.getBalance(to))).to.equal("0.5");
  });

  it("rollup:status shows the heads, the accepted L2 block and the running submitter", async () => {
    const out = await runTask("rollup:status", { rollup: r.devnet.deployment.address, account: 0 });
    expect(out).to.contain(`rollup          ${r.devnet.deployment.address}`);
    expect(out).to.contain(`chain ${r.devnet.l2ChainId}`);
    expect(out).to.match(/L1 → L2 queue   1 messages, 0 pending/);
    expect(out).to.contain("submitter       running");
  });

  it("rollup:blocks lists each accepted L2 block as re-executed by EXECUTE", async () => {
    const out = await runTask("rollup:blocks", { rollup: r.devnet.deployment.address, account: 0, last: 20 });
    expect(out).to.match(/L2 block 1 .* final, re-executed by EXECUTE/);
  });

  it("rollup:deploy deploys the contract named by the config's rollup.contract for the dev genesis", async () => {
    const configured = hre.config.rollup;
    (hre.config as { rollup: typeof configured }).rollup = { ...configured, contract: "ExampleRollup" };
    try {
      // The deployer (dev account #0 on the devnet's chain) backs the dev genesis's L2 supply on L1 (every dev account's balance): give it that much.
      await r.l1.send("hardhat_setBalance", [r.l1Wallet(0).address, "0xc9f2c9cd04674edea40000000"]);
      const record = path.join(mkdtempSync(path.join(tmpdir(), "deploy-task-")), "deployment.json");
      const deployArgs = { l2ChainId: 4242, inactivity: 60, forceInclusion: 30, l1Rpc: r.devnet.l1Url, out: record };
      const out = await runTask("rollup:deploy", deployArgs);
      expect(out).to.match(/answered ExecuteInvalid\(MalformedInput\)/);
      const [, name, address] = /^(\w+) deployed at (0x[0-9a-fA-F]{40})/m.exec(out) ?? [];
      expect(name).to.equal("ExampleRollup");
      const rollup = ExampleRollup__factory.connect(address as string, r.l1);
      expect(await rollup.L2_CHAIN_ID()).to.equal(4242n);
      expect(await rollup.SEQUENCER_INACTIVITY_PERIOD()).to.equal(60n);
      expect(out).to.match(new RegExp(`L2 chain id 4242, genesis ${await rollup.headHash()}, sequencer 0x[0-9a-fA-F]{40}, mode re-execution`));
      const saved = JSON.parse(readFileSync(record, "utf8")) as Record<string, unknown>;
      expect(saved).to.include({ address, mode: "re-execution", l1ChainId: "1337", l2ChainId: "4242", genesisBlockHash: await rollup.headHash() });
      expect(saved.deployBlock).to.be.a("number");
      // A complete record is not deployed over: nothing is spent twice by running the command again.
      const again = await runTask("rollup:deploy", deployArgs).catch((e: Error) => e);
      expect(String(again)).to.match(/records a rollup at 0x[0-9a-fA-F]{40} on L1 chain 1337/);
      // No L1 named: refused, rather than deployed to a chain that ends with the command.
      const nowhere = await runTask("rollup:deploy", { l2ChainId: 4242 }).catch((e: Error) => e);
      expect(String(nowhere)).to.match(/needs an L1: --network <name> .* or --l1-rpc <url>/);
      (hre.config as { rollup: typeof configured }).rollup = { ...configured, contract: "NoSuchRollup" };
      const failure = await runTask("rollup:deploy", { ...deployArgs, out: `${record}.2` }).catch((e: Error) => e);
      expect(String(failure)).to.contain("NoSuchRollup");
    } finally {
      (hre.config as { rollup: typeof configured }).rollup = configured;
    }
  });
});
