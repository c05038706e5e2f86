import { expect } from "chai";
import { Wallet, toBeHex } from "ethers";
import hre from "hardhat";

import type { BatchSubmitter } from "../../rollup-node/bridge/batchSubmitter";
import { type E2eRollup, startE2eRollup } from "../e2e/support/harness";
import { rejection } from "../rollup-node/rejection";
import { runTask } from "../support/runTask";

/** A task error's code, message and hint. */
type TaskFailure = { code?: string; message: string; hint?: string };

describe("rollup:withdraw waiting on a submitter that halts: fails at once, not at its timeout", function () {
  this.timeout(120_000);
  let r: E2eRollup;

  before(async () => {
    r = await startE2eRollup({ l2Automine: true, produceBlocks: false });
  });

  after(async () => {
    await r?.stop();
  });

  it("the halt's error and hint, and how to finish the withdrawal later", async () => {
    // Held back, so the withdrawal's block is not accepted before the halt.
    await (r.devnet.node.bridge.submitter as BatchSubmitter).stop();
    const account = r.l2Wallet(2).address;
    const before = await r.l2.getBalance(account);
    const started = Date.now();
    const task = rejection(
      runTask("rollup:withdraw", {
        l1Rpc: r.devnet.l1Url,
        l2Rpc: r.devnet.l2Url,
        rollup: r.devnet.deployment.address,
        account: 2,
        amount: "0.25",
        timeout: 300,
      }),
    );
    while ((await r.l2.getBalance(account)) === before) await new Promise((resolve) => setTimeout(resolve, 100));
    await r.l2.send("hardhat_setBalance", [Wallet.createRandom().address, toBeHex(10n ** 18n)]);
    const error = (await task) as TaskFailure;
    expect(error.code, error.message).to.equal("SUBMITTER_HALTED");
    expect(error.message).to.match(
      /message 0x[0-9a-f]{64} cannot become provable: the node's batch submitter halted \(DETACHED_FROM_L1\): detached from L1/,
    );
    expect(error.message).to.match(
      /hint: this L2 devnet was changed .*; nothing is lost: once L1 accepts L2 block \d+, finish with npx hardhat rollup:finalize 0x/,
    );
    expect(Date.now() - started).to.be.below(60_000);
  });
});

describe("rollup:withdraw waiting on a submitter whose key cannot pay: told once, not a failure", function () {
  this.timeout(120_000);
  let r: E2eRollup;

  before(async () => {
    r = await startE2eRollup({ l2Automine: true, produceBlocks: false });
  });

  after(async () => {
    await r?.stop();
  });

  it("prints the wait and its hint once, and waits until its timeout", async () => {
    const sequencer = r.devnet.keys.sequencer.address;
    const funds = await r.l1.getBalance(sequencer);
    await r.l1.send("hardhat_setBalance", [sequencer, "0x0"]);
    const lines: string[] = [];
    const original = console.log;
    console.log = (...parts: unknown[]) => lines.push(parts.map(String).join(" "));
    let error: TaskFailure;
    try {
      // hre.run, not runTask: what a failing task printed is wanted too.
      error = (await rejection(
        hre.run("rollup:withdraw", {
          l1Rpc: r.devnet.l1Url,
          l2Rpc: r.devnet.l2Url,
          rollup: r.devnet.deployment.address,
          account: 3,
          amount: "0.25",
          timeout: 5,
        }),
      )) as TaskFailure;
    } finally {
      console.log = original;
      await r.l1.send("hardhat_setBalance", [sequencer, toBeHex(funds)]);
    }
    expect(error.code, error.message).to.equal("TIMEOUT");
    // The wait is named once (by the progress line or its own line, whichever reads the status
    // first), and its hint once.
    const told = lines.filter((l) => l.includes("the node's batch submitter is waiting"));
    expect(told, lines.join("\n")).to.have.length(1);
    expect(told[0]).to.contain(sequencer);
    expect(
      lines.filter((l) => l.includes("the submitter resumes by itself")),
      lines.join("\n"),
    ).to.have.length(1);
  });
});

describe("rollup:* tasks on an L2 devnet detached from L1: refused before anything is sent", function () {
  this.timeout(120_000);
  let r: E2eRollup;
  let nodes: Record<string, string>;

  before(async () => {
    r = await startE2eRollup({ l2Automine: true, produceBlocks: false });
    nodes = { l1Rpc: r.devnet.l1Url, l2Rpc: r.devnet.l2Url, rollup: r.devnet.deployment.address };
    // A state patch L1 cannot re-execute: the devnet detaches (docs/design/l2-dev-state.md).
    await r.l2.send("hardhat_setBalance", [Wallet.createRandom().address, toBeHex(10n ** 18n)]);
  });

  after(async () => {
    await r?.stop();
  });

  /** Runs a task that must be refused as detached, and checks that account #1 spent nothing on either chain. */
  async function refusedAsDetached(name: string, args: Record<string, unknown>): Promise<TaskFailure> {
    const account = r.l1Wallet(1).address;
    const [l1Before, l2Before] = await Promise.all([r.l1.getBalance(account), r.l2.getBalance(account)]);
    const error = (await rejection(runTask(name, { ...nodes, account: 1, ...args }))) as TaskFailure;
    expect(error.code, error.message).to.equal("DETACHED_FROM_L1");
    const [line, hint, ...rest] = error.message.split("\n");
    expect(rest).to.deep.equal([]);
    expect(line).to.match(
      /^the L2 devnet is detached from L1 \(state patched by hardhat_setBalance at block \d+\): nothing sent$/,
    );
    expect(hint).to.equal("hint: restart the devnet with --reset to bridge again");
    expect(await r.l1.getBalance(account)).to.equal(l1Before);
    expect(await r.l2.getBalance(account)).to.equal(l2Before);
    return error;
  }

  it("rollup:deposit spends no L1 ETH", async () => {
    await refusedAsDetached("rollup:deposit", { amount: "0.5" });
  });

  it("rollup:send-message spends no L1 ETH", async () => {
    await refusedAsDetached("rollup:send-message", {
      to: Wallet.createRandom().address,
      value: "0.1",
      gasLimit: 100_000,
    });
  });

  it("rollup:withdraw burns no L2 ETH and does not wait for its timeout", async () => {
    const started = Date.now();
    await refusedAsDetached("rollup:withdraw", { amount: "0.5", timeout: 300 });
    expect(Date.now() - started).to.be.below(30_000);
  });

  it("rollup:status prints the halt's hint with its error", async () => {
    const out = await runTask("rollup:status", nodes);
    expect(out).to.match(/submitter {7}halted: detached from L1: state patched by hardhat_setBalance at block \d+/);
    expect(out).to.match(/^ {16}hint: this L2 devnet was changed outside transactions L1 can re-execute/m);
  });
});
