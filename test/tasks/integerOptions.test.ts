import { spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { stripVTControlCharacters } from "node:util";

import { expect } from "chai";
import hre from "hardhat";

import { integerOption } from "../../tasks/taskInput";
import { rejection } from "../rollup-node/rejection";

/** A URL nothing listens on: a task that got past its input would fail on it, with another message. */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** `npx hardhat <args>` as a user runs it: its exit status and what it printed, without colours. */
function hardhat(args: readonly string[]): { status: number | null; output: string } {
  const run = spawnSync("npx", ["hardhat", ...args], {
    encoding: "utf8",
    env: { ...process.env, HARDHAT_SHOW_STACK_TRACES: undefined } as NodeJS.ProcessEnv,
  });
  return { status: run.status, output: stripVTControlCharacters(`${run.stdout}${run.stderr}`) };
}

describe("integer options of the rollup:* tasks: a bad value is one line and a hint from the task, not Hardhat's HH301 (trial s29)", function () {
  this.timeout(600_000);
  let dead: string;

  before(async () => {
    dead = await deadUrl();
  });

  it("rollup:blocks --last -3 and rollup:balance --account x, from the command line", () => {
    const last = hardhat(["rollup:blocks", "--last", "-3", "--l1-rpc", dead, "--l2-rpc", dead]);
    expect(last.status, last.output).to.equal(1);
    expect(last.output).to.contain(
      "Error in plugin native-rollup: --last -3 is not a positive number of blocks\nhint: pass e.g. --last 20",
    );
    const account = hardhat(["rollup:balance", "--account", "x", "--l1-rpc", dead, "--l2-rpc", dead]);
    expect(account.status, account.output).to.equal(1);
    expect(account.output).to.contain(
      'Error in plugin native-rollup: --account "x" is not an integer\nhint: pass a whole number in decimal digits, e.g. --account 0',
    );
    for (const { output } of [last, account]) {
      expect(output).to.not.contain("HH301");
      expect(output).to.not.match(/^\s+at /m);
    }
  });

  it("every integer option of the tasks goes through the one parser (a script's hre.run may pass strings too)", async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ["rollup:send-message", { to: `0x${"11".repeat(20)}`, gasLimit: "1.5", l1Rpc: dead, l2Rpc: dead }, "--gas-limit"],
      ["rollup:withdraw", { amount: "1", timeout: "soon", l1Rpc: dead, l2Rpc: dead }, "--timeout"],
      ["rollup:finalize", { hash: `0x${"22".repeat(32)}`, account: "1e3", l1Rpc: dead, l2Rpc: dead }, "--account"],
      ["rollup:deploy", { l2ChainId: "abc", l1Rpc: dead }, "--l2-chain-id"],
      ["rollup:deploy", { forceInclusion: "1h", l1Rpc: dead }, "--force-inclusion"],
    ];
    for (const [name, args, flag] of cases) {
      const error = await rejection(hre.run(name, args));
      expect(error.message, `${name} ${flag}`).to.match(
        new RegExp(`^${flag} ".*" is not an integer\\nhint: pass a whole number`),
      );
    }
  });

  it("a script's hre.run may still pass numbers: they reach the task's own range check", async () => {
    const error = await rejection(hre.run("rollup:blocks", { last: 0, l1Rpc: dead, l2Rpc: dead }));
    expect(error.message).to.equal("--last 0 is not a positive number of blocks\nhint: pass e.g. --last 20");
  });

  it("the parser takes decimal integers only, as numbers", () => {
    expect(integerOption("--last", " 20 ", 20)).to.equal(20);
    expect(integerOption("--last", "-3", 20)).to.equal(-3);
    expect(integerOption("--last", 7, 20)).to.equal(7);
    for (const bad of ["", "x", "1.5", "0x10", "1e3", "9007199254740993"])
      expect(() => integerOption("--last", bad, 20), bad).to.throw(`--last "${bad}" is not an integer`);
  });

  it("--help still names each of them and its default", () => {
    const defaults: [string, string, string][] = [
      ["rollup:blocks", "last", "20"],
      ["rollup:balance", "account", "0"],
      ["rollup:deposit", "account", "0"],
      ["rollup:send-message", "gasLimit", "200000"],
      ["rollup:withdraw", "timeout", "300"],
      ["rollup:finalize", "timeout", "300"],
    ];
    for (const [name, param, value] of defaults) {
      const definition = hre.tasks[name]?.paramDefinitions[param];
      expect(definition, `${name} --${param}`).to.not.equal(undefined);
      expect(String(definition?.defaultValue), `${name} --${param}`).to.equal(value);
      expect(definition?.description, `${name} --${param}`).to.be.a("string").and.not.equal("");
    }
  });
});

describe("integer options of the devnet task: a bad value is one line and a hint before anything starts", function () {
  this.timeout(600_000);

  it("a text where a number goes, from the command line, is the task's message, not Hardhat's HH301", () => {
    const run = hardhat(["devnet", "--l2-block-time", "fast"]);
    expect(run.status, run.output).to.equal(1);
    expect(run.output).to.contain(
      'Error in plugin native-rollup: --l2-block-time "fast" is not an integer\nhint: pass a whole number in decimal digits, e.g. --l2-block-time 1000',
    );
    expect(run.output).to.not.contain("HH301");
    expect(run.output).to.not.contain("Starting the native rollup devnet");
  });

  it("a block time, a number of committees or a challenge window below 1 is refused, naming the option", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ blockTime: 0 }, "--block-time 0 is not a positive number of milliseconds"],
      [{ l2BlockTime: "-5" }, "--l2-block-time -5 is not a positive number of milliseconds"],
      [{ proofs: "0" }, "--proofs 0 is not a positive number of committees"],
      [{ challengeWindow: -1 }, "--challenge-window -1 is not a positive number of seconds"],
      [{ port: "x" }, '--port "x" is not an integer'],
      [{ chainId: "1.5" }, '--chain-id "1.5" is not an integer'],
    ];
    for (const [args, message] of cases) {
      const error = await rejection(hre.run("devnet", { dataDir: "unused", ...args }));
      expect(error.message, JSON.stringify(args)).to.match(
        new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\nhint: `),
      );
    }
  });
});
