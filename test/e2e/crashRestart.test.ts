import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";

import { expect } from "chai";
import { JsonRpcProvider, Wallet, parseEther, parseUnits } from "ethers";

import { DEPLOYMENT_FILE } from "../../rollup-node/devnet/rollupDevnet";
import { READY_PREFIX } from "../../rollup-node/node/cli";
import { type E2eRollup, eventually, startE2eRollup } from "./support/harness";

const NODE_CLI = path.resolve(__dirname, "..", "..", "rollup-node", "node", "cli.ts");

interface NodeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: string[];
}

/** Runs the L2 node in its own process, so the test can SIGKILL it like a crash. */
async function spawnNode(r: E2eRollup): Promise<NodeProcess> {
  const child = spawn(
    process.execPath,
    ["-r", "ts-node/register/transpile-only", NODE_CLI, "--deployment", path.join(r.devnet.dataDir, DEPLOYMENT_FILE), "--l1-rpc", r.devnet.l1Url, "--port", "0", "--block-time", "200"],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" } },
  );
  const output: string[] = [];
  child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const line = buffered.split("\n").find((l) => l.startsWith(READY_PREFIX));
      if (line !== undefined) resolve(line.slice(READY_PREFIX.length).trim());
    });
    child.once("exit", (code) => reject(new Error(`the node exited (${code}) before it was ready:\n${output.join("")}`)));
  });
  return { child, url, output };
}

function kill(node: NodeProcess): Promise<void> {
  return new Promise((resolve) => {
    if (node.child.exitCode !== null || node.child.signalCode !== null) return resolve();
    node.child.once("exit", () => resolve());
    node.child.kill("SIGKILL");
  });
}

describe("e2e: the L2 node killed mid-run and restarted", function () {
  this.timeout(90_000);
  let r: E2eRollup;
  let running: NodeProcess | undefined;

  before(async () => {
    r = await startE2eRollup();
    // The node moves to a child process: same data directory, same rollup.
    await r.devnet.node.stop();
  });

  after(async () => {
    if (running !== undefined) await kill(running);
    await r?.stop();
  });

  it("loses no accepted transaction or L1 message, and L1 and L2 heads agree afterwards", async () => {
    running = await spawnNode(r);
    let l2 = new JsonRpcProvider(running.url, undefined, { staticNetwork: true, pollingInterval: 25 });
    const sender = new Wallet(r.devnet.accounts[5]?.privateKey as string);
    const recipient = "0x00000000000000000000000000000000000c0ffe";
    const sign = (nonce: number): Promise<string> =>
      sender.signTransaction({ chainId: r.devnet.l2ChainId, nonce, to: recipient, value: 1_000n, gasLimit: 21_000n, maxFeePerGas: parseUnits("20", "gwei"), maxPriorityFeePerGas: 1n, type: 2 });
    const hashes: string[] = [];
    for (let nonce = 0; nonce < 6; nonce++) hashes.push((await l2.send("eth_sendRawTransaction", [await sign(nonce)])) as string);
    await (await r.rollup(1).depositETH(recipient, { value: parseEther("2") })).wait();
    await eventually("a first block on L1", async () => ((await r.rollup().headNumber()) >= 1n ? true : undefined));

    // More work in flight, then a crash without any shutdown.
    for (let nonce = 6; nonce < 12; nonce++) hashes.push((await l2.send("eth_sendRawTransaction", [await sign(nonce)])) as string);
    await (await r.rollup(2).depositETH(recipient, { value: parseEther("3") })).wait();
    await kill(running);
    l2.destroy();

    running = await spawnNode(r);
    l2 = new JsonRpcProvider(running.url, undefined, { staticNetwork: true, pollingInterval: 25 });
    try {
      for (const hash of hashes) await eventually(`receipt of ${hash}`, async () => (await l2.getTransactionReceipt(hash)) ?? undefined);
      const expected = 12n * 1_000n + parseEther("5");
      await eventually("both deposits on L2", async () => ((await l2.getBalance(recipient)) === expected ? true : undefined));
      const head = BigInt(await l2.getBlockNumber());
      await eventually("L1 to accept the L2 head", async () => ((await r.rollup().headNumber()) >= head ? true : undefined));
      const accepted = await r.rollup().headNumber();
      expect((await l2.getBlock(Number(accepted)))?.hash).to.equal(await r.rollup().headHash());
      const status = (await l2.send("rollup_status", [])) as Record<string, string>;
      expect(status.submitter).to.equal("running");
      expect(BigInt(status.pendingL1Messages as string)).to.equal(0n);
    } finally {
      l2.destroy();
    }
  });
});
