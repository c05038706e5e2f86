import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { inspect, stripVTControlCharacters } from "node:util";

import { expect } from "chai";
import hre from "hardhat";
import { HardhatPluginError } from "hardhat/plugins";

import { JsonRpcProvider, Wallet } from "ethers";

import { DEFAULT_ROLLUP_POLICY, sequencingRuleOf } from "../../deploy/policy";
import { deployRollup } from "../../deploy/rollup";
import { deriveDevAccounts } from "../../rollup-node/chain/devAccounts";
import { genesisCommitments } from "../../rollup-node/chain/genesisCommitments";
import { type L1Devnet, startL1Devnet } from "../../rollup-node/devnet/l1Devnet";
import { devnetGenesis } from "../../rollup-node/devnet/rollupDevnet";
import { genesisSupply } from "../../rollup-node/l2/genesis";
import { inactivityNote } from "../../tasks/rollupActions";
import { type RollupTaskError, toTaskError } from "../../tasks/taskErrors";
import { encodeCall } from "../../tasks/taskInput";
import { rejection } from "../rollup-node/rejection";
import { scratchDirs } from "../support/scratchDirs";

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Runs a task that must fail and returns its error, checked to be what Hardhat prints as a
 * plugin error (one message line and its hint) with no stack trace attached to it.
 */
async function taskError(name: string, args: Record<string, unknown>): Promise<RollupTaskError> {
  const error = await rejection(hre.run(name, args));
  expect(HardhatPluginError.isHardhatPluginError(error), `${name} failed with ${inspect(error)}`).to.equal(true);
  // Not `instanceof`: Hardhat loaded the plugin through its config, a module instance of its own.
  expect((error as HardhatPluginError).pluginName).to.equal("native-rollup");
  expect(error.code).to.be.a("string");
  // What Hardhat prints after the message: nothing unless --show-stack-traces.
  expect(inspect(error)).to.equal("");
  const [line, hint, ...rest] = error.message.split("\n");
  expect(rest, error.message).to.deep.equal([]);
  expect(line).to.not.equal("");
  expect(hint).to.match(/^hint: \S/);
  return error as RollupTaskError;
}

describe("tasks: every rollup:* error is one line and a hint, before anything is sent", function () {
  const scratch = scratchDirs();
  this.timeout(60_000);
  let deadUrl: string;

  before(async () => {
    deadUrl = `http://127.0.0.1:${await closedPort()}`;
  });

  describe("input is checked before any node is dialled", () => {
    // The nodes are unreachable: an input error must come first, naming the option.
    const offline = (): Record<string, string> => ({ l1Rpc: deadUrl, l2Rpc: deadUrl });

    it("rollup:deploy refuses a malformed --genesis-hash / --genesis-state-root, or one without the other, instead of deploying the dev genesis", async () => {
      // Before: either flag alone, or a short hash, was dropped without a word and the dev
      // genesis built in its place (here: the dead L1 dialled, NODE_UNREACHABLE).
      const root = `0x${"22".repeat(32)}`;
      const cases: [Record<string, unknown>, string][] = [
        [{ genesisHash: "0x1234", genesisStateRoot: root }, '--genesis-hash "0x1234" is not a 32-byte hash'],
        [{ genesisHash: `0x${"11".repeat(32)}` }, "--genesis-hash needs --genesis-state-root"],
        [{ genesisStateRoot: root }, "--genesis-state-root needs --genesis-hash"],
      ];
      for (const [args, message] of cases) {
        const error = await taskError("rollup:deploy", { l1Rpc: deadUrl, sequencer: `0x${"33".repeat(20)}`, ...args });
        expect(error.message, JSON.stringify(args)).to.contain(message);
        expect(error.hint, JSON.stringify(args)).to.contain("--genesis");
      }
    });

    it("rollup:deploy --inactivity under a rule that never falls back: said to change nothing, not refused before the contract's rule is known", () => {
      const based = sequencingRuleOf("based", DEFAULT_ROLLUP_POLICY);
      expect(inactivityNote(based, 60, true)).to.equal(
        "note: --inactivity 60 has no effect: based: anyone may advance at any time, whatever the period",
      );
      expect(inactivityNote(sequencingRuleOf("permissioned", DEFAULT_ROLLUP_POLICY), 60, false)).to.contain(
        "has no effect if the contract enforces permissioned sequencing",
      );
      expect(inactivityNote(sequencingRuleOf("fallback", DEFAULT_ROLLUP_POLICY), 60, true)).to.equal(undefined);
      expect(inactivityNote(based, undefined, true)).to.equal(undefined);
    });

    it("refuses a zero, negative or malformed amount", async () => {
      expect((await taskError("rollup:deposit", { ...offline(), amount: "0" })).message).to.contain(
        "--amount is zero: there is nothing to move",
      );
      expect((await taskError("rollup:withdraw", { ...offline(), amount: "-1" })).message).to.contain(
        "--amount -1 is negative",
      );
      expect((await taskError("rollup:deposit", { ...offline(), amount: "one" })).message).to.contain(
        '--amount "one" is not an amount of ETH',
      );
      expect(
        (
          await taskError("rollup:send-message", {
            ...offline(),
            to: `0x${"11".repeat(20)}`,
            value: "1.0000000000000000001",
          })
        ).message,
      ).to.contain("is not an amount of ETH");
    });

    it("refuses an account index outside 0–9", async () => {
      const error = await taskError("rollup:deposit", { ...offline(), amount: "1", account: 10 });
      expect(error.message).to.contain("--account 10 is not a dev account");
      expect(error.hint).to.contain("from 0 to 9");
      expect((await taskError("rollup:balance", { ...offline(), account: -1 })).message).to.contain(
        "--account -1 is not a dev account",
      );
    });

    it("refuses an address that is not one (or has a bad checksum)", async () => {
      expect((await taskError("rollup:deposit", { ...offline(), amount: "1", to: "0x1234" })).message).to.contain(
        '--to "0x1234" is not an address',
      );
      const badChecksum = "0xA0Ee7A142d267C1f36714E4a8F75612F20a79720".replace("A0Ee", "a0EE");
      expect((await taskError("rollup:balance", { ...offline(), address: badChecksum })).message).to.contain(
        "is not an address",
      );
      expect((await taskError("rollup:status", { ...offline(), rollup: "0xnope" })).message).to.contain(
        '--rollup "0xnope" is not an address',
      );
    });

    it("refuses calldata that is not hex bytes, and --sig/--args that do not encode", async () => {
      const to = `0x${"11".repeat(20)}`;
      expect((await taskError("rollup:send-message", { ...offline(), to, data: "0x123" })).message).to.contain(
        '--data "0x123" is not calldata',
      );
      expect((await taskError("rollup:send-message", { ...offline(), to, data: "hello" })).message).to.contain(
        "is not calldata",
      );
      expect(
        (await taskError("rollup:send-message", { ...offline(), to, sig: "f(uint256", args: "41" })).message,
      ).to.contain("is not a function signature");
      expect(
        (await taskError("rollup:send-message", { ...offline(), to, sig: "f(uint256)", args: "41,42" })).message,
      ).to.contain("takes 1 argument, --args gives 2");
      expect(
        (await taskError("rollup:send-message", { ...offline(), to, sig: "f(uint8)", args: "300" })).message,
      ).to.contain("do not fit f(uint8)");
      expect((await taskError("rollup:send-message", { ...offline(), to, sig: "f()", data: "0x" })).message).to.contain(
        "--data and --sig both given",
      );
      expect((await taskError("rollup:send-message", { ...offline(), to, gasLimit: 0 })).message).to.contain(
        "--gas-limit 0 is not a positive integer",
      );
    });

    it("refuses a hash that is not 32 bytes", async () => {
      for (const name of ["rollup:message", "rollup:finalize", "rollup:retry-message"]) {
        expect((await taskError(name, { ...offline(), hash: "0x12" })).message).to.contain('"0x12" is not a hash');
      }
    });

    it("refuses a node URL that is not http(s)", async () => {
      expect((await taskError("rollup:status", { l1Rpc: "127.0.0.1:8545", l2Rpc: deadUrl })).message).to.contain(
        'the L1 node URL "127.0.0.1:8545" is not an http(s) URL',
      );
    });
  });

  it("rollup:init into a folder that is taken: its message and hint, no stack trace", async () => {
    const dir = scratch("tasks-init-taken-");
    writeFileSync(path.join(dir, "notes.txt"), "mine");
    const error = await taskError("rollup:init", { dir });
    expect(error.code).to.equal("DIR_NOT_EMPTY");
    expect(error.message).to.contain("already exists and is not an empty folder");
    expect(error.hint).to.contain("rollup:init never overwrites files");
  });

  it("--sig and --args encode the call (the selector and ABI words)", () => {
    expect(encodeCall({ sig: "f(uint256)", args: "41" })).to.equal(`0xb3de648b${(41).toString(16).padStart(64, "0")}`);
    expect(encodeCall({ sig: "g(string,uint8)", args: '["a, b", 7]' })).to.match(/^0x[0-9a-f]{8}/);
    expect(encodeCall({ data: "0xDEADBEEF" })).to.equal("0xdeadbeef");
    expect(encodeCall({})).to.equal("0x");
  });

  it("a port past 65535 is refused by the flag that gave it, before the devnet, the node or the attester starts", async () => {
    // Before: Node's own "options.port should be >= 0 and < 65536. Received type number (99999).",
    // thrown by listen() once the L1 thread, the chain or the attester was already up, with a hint
    // to rerun with --show-stack-traces.
    const cases: [string, Record<string, unknown>, string][] = [
      ["devnet", { l1Only: true, port: 99_999 }, "--port 99999"],
      ["devnet", { l1Only: true, port: 0, l2Port: 70_000 }, "--l2-port 70000"],
      ["rollup:node", { deployment: "deployment.json", l1Rpc: deadUrl, port: 99_999 }, "port"],
      ["rollup:attester", { port: 99_999 }, "port"],
    ];
    for (const [name, args, flag] of cases) {
      const error = await taskError(name, args);
      expect(error.message, name).to.contain(flag).and.to.contain("65535");
      expect(error.message, name).to.not.contain("options.port");
      expect(error.hint, name).to.not.contain("--show-stack-traces");
    }
  });

  it("the devnet refuses chain id 0, one L2 chain id for both layers, a bond that is no amount and a CORS entry that is no origin, before it starts", async () => {
    // Its L1 port is held, so a start that gets past its input fails on that instead. Before:
    // --chain-id 0 and --cors notanorigin started a devnet (each seen here as EADDRINUSE),
    // --proposal-bond abc failed with ethers' "invalid FixedNumber string value".
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = {
      port: (server.address() as { port: number }).port,
      l2Port: 0,
      dataDir: scratch("devnet-input-"),
    };
    try {
      const cases: [Record<string, unknown>, string, string][] = [
        [{ chainId: 0 }, "--chain-id 0", "chain id"],
        [{ l2ChainId: 0 }, "--l2-chain-id 0", "chain id"],
        [{ chainId: 777, l2ChainId: 777 }, "--l2-chain-id 777", "--chain-id"],
        [{ optimistic: true, proposalBond: "abc" }, '--proposal-bond "abc"', "--proposal-bond 0.5"],
        [{ cors: "http://localhost:3000,notanorigin" }, '--cors "notanorigin"', "http://localhost:3000"],
      ];
      for (const [args, message, hint] of cases) {
        const error = await taskError("devnet", { ...base, ...args });
        expect(error.message, JSON.stringify(args)).to.contain(message);
        expect(error.hint, JSON.stringify(args)).to.contain(hint);
      }
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("an unreachable node is named by its URL, with how to start the devnet or point the task elsewhere", async () => {
    const error = await taskError("rollup:status", { l1Rpc: deadUrl, l2Rpc: deadUrl });
    expect(error.code).to.equal("NODE_UNREACHABLE");
    expect(error.message).to.match(new RegExp(`cannot reach the L[12] node at ${deadUrl} \\(ECONNREFUSED\\)`));
    expect(error.hint).to.contain("npx hardhat devnet");
    expect(error.hint).to.match(/--l[12]-rpc <url> or L[12]_RPC_URL=<url>/);
  });

  it("the node URLs come from L1_RPC_URL / L2_RPC_URL when no flag is given", async () => {
    const saved = { l1: process.env.L1_RPC_URL, l2: process.env.L2_RPC_URL };
    process.env.L1_RPC_URL = deadUrl;
    process.env.L2_RPC_URL = deadUrl;
    try {
      expect((await taskError("rollup:balance", {})).message).to.contain(`node at ${deadUrl}`);
    } finally {
      for (const [name, value] of [
        ["L1_RPC_URL", saved.l1],
        ["L2_RPC_URL", saved.l2],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  describe("with nodes that answer but serve no rollup", () => {
    let l1: L1Devnet;
    before(async () => {
      l1 = await startL1Devnet({ port: 0 });
    });
    after(async () => {
      await l1?.stop();
    });

    it("no --rollup, no rollup_status and no record in --data-dir: says so and how to find one", async () => {
      const dataDir = scratch("tasks-no-rollup-");
      // The L1 devnet stands in for an L2 client without the rollup_* methods.
      const error = await taskError("rollup:status", { l1Rpc: l1.url, l2Rpc: l1.url, dataDir });
      expect(error.code).to.equal("NO_ROLLUP");
      expect(error.message).to.contain(path.join(dataDir, "rollup.json"));
      expect(error.hint).to.contain("--data-dir");
    });

    it("--rollup naming an account (no code) says so, and where the rollup's address is written", async () => {
      const account = "0x00000000000000000000000000000000000000E0";
      const error = await taskError("rollup:status", { l1Rpc: l1.url, l2Rpc: l1.url, rollup: account });
      expect(error.code).to.equal("NOT_A_CONTRACT");
      expect(error.message).to.contain(`--rollup ${account} has no code`).and.to.contain("an account");
      expect(error.hint).to.contain("deployment record");
    });

    it("a record of a rollup that is not on this L1 (an earlier devnet) is refused, not used", async () => {
      const dataDir = scratch("tasks-stale-");
      const stale = `0x${"42".repeat(20)}`;
      writeFileSync(path.join(dataDir, "rollup.json"), JSON.stringify({ address: stale, deployBlock: 1 }));
      const error = await taskError("rollup:status", { l1Rpc: l1.url, l2Rpc: l1.url, dataDir });
      expect(error.message.toLowerCase()).to.contain(`there is no contract at ${stale}`);
      expect(error.hint).to.contain("earlier devnet");
    });

    /** A rollup deployed on the test's L1 for a dev genesis of `l2ChainId`, and the provider that deployed it. */
    async function rollupOfChain(l2ChainId: bigint) {
      const genesis = devnetGenesis({}, l2ChainId, 1_000n, []);
      const { hash, stateRoot } = await genesisCommitments(genesis);
      const provider = new JsonRpcProvider(l1.url as string, undefined, { staticNetwork: true, cacheTimeout: -1 });
      const deployer = new Wallet(deriveDevAccounts(1)[0]?.privateKey as string, provider);
      const deployment = await deployRollup(deployer, {
        l2ChainId,
        genesisBlockHash: hash,
        genesisStateRoot: stateRoot,
        sequencer: deployer.address,
        genesisSupply: genesisSupply(genesis),
      });
      return { provider, deployer, deployment, stateRoot };
    }

    it("--l2-rpc naming a node of another chain than the rollup's L2: refused before anything is sent", async () => {
      // Before: rollup:deposit sent the deposit, then waited for its relay on the wrong L2 until killed.
      const { provider, deployer, deployment } = await rollupOfChain(4321n);
      const other = await startL1Devnet({ port: 0, chainId: 5555n });
      try {
        const nonce = await provider.getTransactionCount(deployer.address);
        for (const [name, args] of [
          ["rollup:status", {}],
          ["rollup:deposit", { amount: "1", account: 0 }],
        ] as const) {
          const error = await taskError(name, { l1Rpc: l1.url, l2Rpc: other.url, rollup: deployment.address, ...args });
          expect(error.code, name).to.equal("L2_OTHER_CHAIN");
          expect(error.message, name).to.contain("chain 5555").and.to.contain("L2 chain 4321");
          expect(error.hint, name).to.contain("--l2-rpc");
        }
        expect(await provider.getTransactionCount(deployer.address), "a transaction was sent").to.equal(nonce);
      } finally {
        provider.destroy();
        await other.stop();
      }
    });

    it("--l2-rpc naming a node of the rollup's chain id but another genesis: refused before anything is sent", async () => {
      // Two rollups made from the template keep one L2 chain id: the chain id alone let a task wait on the other's node.
      const { provider, deployer, deployment, stateRoot } = await rollupOfChain(5556n);
      const other = await startL1Devnet({ port: 0, chainId: 5556n });
      try {
        const nonce = await provider.getTransactionCount(deployer.address);
        const error = await taskError("rollup:deposit", {
          l1Rpc: l1.url,
          l2Rpc: other.url,
          rollup: deployment.address,
          amount: "1",
          account: 0,
        });
        expect(error.code).to.equal("L2_OTHER_GENESIS");
        expect(error.message).to.contain(stateRoot);
        expect(error.hint).to.contain("--l2-rpc");
        expect(await provider.getTransactionCount(deployer.address), "a transaction was sent").to.equal(nonce);
      } finally {
        provider.destroy();
        await other.stop();
      }
    });

    it("--l1-rpc naming the L2 (both nodes answer one chain id): the hint says so first", async () => {
      const dataDir = scratch("tasks-same-chain-");
      writeFileSync(
        path.join(dataDir, "rollup.json"),
        JSON.stringify({ address: `0x${"42".repeat(20)}`, deployBlock: 1 }),
      );
      const error = await taskError("rollup:status", { l1Rpc: l1.url, l2Rpc: l1.url, dataDir });
      expect(error.code).to.equal("NO_ROLLUP");
      expect(error.hint).to.match(
        /^--l1-rpc http:\/\/\S+ and --l2-rpc http:\/\/\S+ answer the same chain id \(1337\): --l1-rpc must be the rollup's L1/,
      );
    });
  });

  it("an error without code and hint (a bug, a library's) still comes out as one line with a hint", () => {
    const error = toTaskError(new Error("boom\n  at somewhere"));
    expect(error.message).to.equal("boom\nhint: run the task again with --show-stack-traces to see where it failed");
    expect(
      toTaskError(Object.assign(new Error("x"), { code: "ECONNREFUSED" }), { l1: "http://a", l2: "http://b" }).message,
    ).to.contain("lost the connection to the node at http://a or http://b");
  });

  it("from the command line: Hardhat prints the message and its hint, no stack trace, no 'unexpected error'", function () {
    this.timeout(180_000);
    const run = spawnSync("npx", ["hardhat", "rollup:status", "--l1-rpc", deadUrl, "--l2-rpc", deadUrl], {
      encoding: "utf8",
      env: { ...process.env, HARDHAT_SHOW_STACK_TRACES: undefined } as NodeJS.ProcessEnv,
    });
    // Hardhat colours its errors when the test runner asks for colour (mocha's parallel workers do): the words are what matter.
    const output = stripVTControlCharacters(`${run.stdout}${run.stderr}`);
    expect(run.status, output).to.equal(1);
    expect(output).to.match(
      /Error in plugin native-rollup: cannot reach the L[12] node at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)\nhint: start the devnet/,
    );
    expect(output).to.not.contain("An unexpected error occurred");
    expect(output, output).to.not.match(/^\s+at /m);
  });
});
