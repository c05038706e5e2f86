import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

import { expect } from "chai";
import { Wallet, formatEther, parseEther } from "ethers";
import hre from "hardhat";
import type { HttpNetworkConfig } from "hardhat/types";

import type { BatchSubmitter } from "../../../rollup-node/bridge/batchSubmitter";
import { readGenesisFile } from "../../../rollup-node/chain/genesisFile";
import { TASK_DEFAULT_URLS } from "../../../rollup-node/devnet/defaults";
import { genesisCommitments } from "../../../rollup-node/devnet/rollupDevnet";
import { tryCommands } from "../../../rollup-node/devnet/rollupBanner";
import { ExampleRollup__factory } from "../../../typechain-types";
import { saveDeployment } from "../../../deploy/rollup";
import { type E2eRollup, eventually, startE2eRollup } from "../../e2e/support/harness";
import { rejection } from "../rejection";
import { runTask } from "../../support/runTask";
import { scratchDirs } from "../../support/scratchDirs";

/** A printed `npx hardhat <task> <hash> --flag value …` as Hardhat parses it: the task and its camel-cased arguments. */
function printedTask(command: string): [string, Record<string, string | number | boolean>] {
  const [, , name, hash, ...rest] = command.trim().split(/\s+/);
  const args: Record<string, string | number | boolean> = { hash: hash as string };
  for (let i = 0; i < rest.length; i++) {
    const flag = (rest[i] as string).replace(/^--/, "").replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
    const value = rest[i + 1];
    // A flag without a value (--dev) is a boolean; Hardhat parses --account and --timeout as integers.
    if (value === undefined || value.startsWith("--")) args[flag] = true;
    else {
      args[flag] = /^\d+$/.test(value) ? Number(value) : value;
      i++;
    }
  }
  return [name as string, args];
}

describe("rollup:* Hardhat tasks against a rollup devnet in this process", function () {
  const scratch = scratchDirs();
  this.timeout(60_000);
  let r: E2eRollup;
  const saved: Record<string, string> = {};

  before(async function () {
    // A devnet start took over 60 s at load 19: the tests' own bound stays 60 s.
    this.timeout(180_000);
    r = await startE2eRollup();
    // The tasks dial the `l1` and `l2` networks of the config: point them at this devnet.
    for (const [name, url] of [
      ["l1", r.devnet.l1Url],
      ["l2", r.devnet.l2Url],
    ] as const) {
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
    const out = await runTask("rollup:deposit", {
      rollup: r.devnet.deployment.address,
      account: 1,
      amount: "0.75",
      to,
    });
    expect(out).to.match(/queued on L1: deposit of 0.75 ETH to 0x[0-9a-fA-F]{40} as message #0/);
    expect(out).to.match(/relayed on L2 in block \d+ \(tx 0x[0-9a-f]{64}\)/);
    expect(await r.l2.getBalance(to)).to.equal(parseEther("0.75"));
    // The README: rollup:message takes "a message hash or the hash of the transaction that sent
    // the message (the tasks print both)": the deposit names its message hash as the others do.
    const messageHash = /\(tx 0x[0-9a-f]{64}, message (0x[0-9a-f]{64})\)/.exec(out)?.[1];
    expect(messageHash, out).to.be.a("string");
    const shown = await runTask("rollup:message", { rollup: r.devnet.deployment.address, hash: messageHash });
    expect(shown).to.contain(messageHash as string);
  });

  it("rollup:withdraw initiates on L2, waits until provable and finalizes on L1", async () => {
    const to = Wallet.createRandom().address;
    const out = await runTask("rollup:withdraw", {
      rollup: r.devnet.deployment.address,
      account: 2,
      amount: "0.5",
      to,
      timeout: 30,
    });
    expect(out).to.match(/initiated on L2 in block \d+/);
    expect(out).to.match(/finalized on L1 against L2 block \d+/);
    expect(formatEther(await r.l1.getBalance(to))).to.equal("0.5");
  });

  it("rollup:status shows the heads, the accepted L2 block and the running submitter", async () => {
    const out = await runTask("rollup:status", { rollup: r.devnet.deployment.address, account: 0 });
    expect(out).to.contain(`rollup          ${r.devnet.deployment.address}`);
    expect(out).to.contain(`chain ${r.devnet.l2ChainId}`);
    expect(out).to.match(/L1 → L2 queue {3}1 message, 0 pending/);
    expect(out).to.contain("submitter       running");
    // The node's own view of its L1 (rollup_status l1).
    expect(out).to.match(/node's L1 {7}ok, head \d+/);
  });

  it("rollup:blocks lists each accepted L2 block as re-executed by EXECUTE", async () => {
    const out = await runTask("rollup:blocks", { rollup: r.devnet.deployment.address, account: 0, last: 20 });
    expect(out).to.match(/\n1 +0x[0-9a-f]{16}… +final +re-executed by EXECUTE +\d+ +0x[0-9a-f]{64}(?:\n|$)/);
  });

  it("rollup:blocks prints a table whose columns start under their header, the values (hashes, 're-executed by EXECUTE') wider than it", async () => {
    const mined = await (await r.l2Wallet(7).sendTransaction({ to: Wallet.createRandom().address, value: 1n })).wait();
    await eventually(
      "its block accepted on L1",
      async () => ((await r.rollup().headNumber()) >= BigInt(mined?.blockNumber ?? 0) ? true : undefined),
      30_000,
    );
    const out = await runTask("rollup:blocks", { rollup: r.devnet.deployment.address, account: 0, last: 20 });
    const [header, ...rows] = out.split("\n");
    expect(header).to.match(/^L2 block +hash +status +accepted +L1 block +L1 transaction$/);
    // A column starts at the line's start or after two spaces: values hold single spaces only.
    const starts = [...(header as string).matchAll(/(?:^|(?<= {2}))\S/g)].map((m) => m.index as number);
    expect(starts).to.have.length(6);
    expect(rows.length).to.be.greaterThan(0);
    for (const row of rows)
      for (const start of starts) {
        expect(row[start], `${JSON.stringify(row)} at column ${start}`).to.match(/\S/);
        if (start > 0)
          expect(row.slice(start - 2, start), `${JSON.stringify(row)} before column ${start}`).to.equal("  ");
      }
  });

  it("finds the devnet from --l1-rpc / --l2-rpc alone: the rollup is the one the L2 node serves, whatever --data-dir holds", async () => {
    const emptyDataDir = scratch("tasks-empty-");
    const out = await runTask("rollup:status", { l1Rpc: r.devnet.l1Url, l2Rpc: r.devnet.l2Url, dataDir: emptyDataDir });
    expect(out).to.contain(`rollup          ${r.devnet.deployment.address}`);
    expect(out).to.contain(`nodes           L1 ${r.devnet.l1Url}, L2 ${r.devnet.l2Url}`);
    // Without the node's answer, --data-dir names the devnet's record.
    const balance = await runTask("rollup:balance", { dataDir: r.devnet.dataDir, account: 3 });
    expect(balance).to.match(/^0x[0-9a-fA-F]{40} \(dev account #3\)\nL1 {2}\d/);
  });

  it("the devnet banner's Try: line works as printed on the ports this devnet chose", async () => {
    const line = tryCommands(r.devnet.l1Url, r.devnet.l2Url);
    expect(line).to.contain(`--l1-rpc ${r.devnet.l1Url} --l2-rpc ${r.devnet.l2Url}`);
    expect(tryCommands(TASK_DEFAULT_URLS.l1, TASK_DEFAULT_URLS.l2)).to.equal(
      "Try: npx hardhat rollup:deposit --amount 1   |   npx hardhat rollup:status",
    );
    // Each command, as Hardhat would parse it (flags in kebab case), with the tasks' own defaults otherwise.
    for (const command of line.replace(/^Try: /, "").split("   |   ")) {
      const [, , name, ...rest] = command.split(" ");
      const args: Record<string, string> = {};
      for (let i = 0; i < rest.length; i += 2)
        args[(rest[i] as string).replace(/^--/, "").replace(/-(\w)/g, (_, c: string) => c.toUpperCase())] = rest[
          i + 1
        ] as string;
      const saved = Object.fromEntries(["l1", "l2"].map((n) => [n, (hre.config.networks[n] as HttpNetworkConfig).url]));
      // The config's networks point nowhere: only the printed flags can find this devnet.
      for (const n of ["l1", "l2"]) (hre.config.networks[n] as HttpNetworkConfig).url = "http://127.0.0.1:9";
      try {
        const out = await runTask(name as string, { ...args, dataDir: scratch("tasks-try-") });
        expect(out).to.match(name === "rollup:status" ? /rollup {10}0x/ : /relayed on L2 in block \d+/);
      } finally {
        for (const [n, url] of Object.entries(saved)) (hre.config.networks[n] as HttpNetworkConfig).url = url;
      }
    }
  });

  describe("an L1 → L2 call: encoded from --sig/--args, failed with its revert reason, retried", () => {
    let counter: string;
    before(async () => {
      const factory = await hre.ethers.getContractFactory("Counter", r.l2Wallet(4));
      const deployed = await factory.deploy();
      await deployed.waitForDeployment();
      counter = await deployed.getAddress();
    });

    it('send-message --sig "add(uint256)" --args 41 makes that call on L2', async () => {
      const out = await runTask("rollup:send-message", {
        rollup: r.devnet.deployment.address,
        account: 4,
        to: counter,
        sig: "add(uint256)",
        args: "41",
      });
      expect(out).to.match(/relayed on L2 in block \d+/);
      expect(out).to.not.contain("has no code");
      const c = await hre.ethers.getContractAt("Counter", counter, r.l2Wallet(4));
      expect(await c.count()).to.equal(41n);
    });

    it("send-message to an address without code on L2 says the call will run nothing, before it is relayed as a success", async () => {
      const account = Wallet.createRandom().address;
      const out = await runTask("rollup:send-message", {
        rollup: r.devnet.deployment.address,
        account: 4,
        to: account,
        sig: "add(uint256)",
        args: "41",
      });
      expect(out).to.contain(`note: ${account} has no code on L2 (yet): the call will run nothing`);
      expect(out.indexOf("has no code")).to.be.below(out.indexOf("queued on L1"));
      expect(out).to.match(/relayed on L2 in block \d+/);
    });

    it("a call that reverts on L2: the task fails with the decoded reason, rollup:message shows it and the retry, a retry that fails again says why", async () => {
      const failure = await rejection(
        runTask("rollup:send-message", {
          rollup: r.devnet.deployment.address,
          account: 4,
          to: counter,
          sig: "failWithReason()",
        }),
      );
      expect((failure as { code?: unknown }).code).to.equal("MESSAGE_FAILED");
      expect(failure.message).to.contain("reverted: counter says no");
      expect(failure.message).to.contain("rollup:retry-message");
      const nonce = /message #(\d+)/.exec(failure.message)?.[1];
      const messageHash = await r.rollup().messageHash(BigInt(nonce as string));

      const shown = await runTask("rollup:message", { rollup: r.devnet.deployment.address, hash: messageHash });
      expect(shown).to.contain("direction       L1 → L2");
      expect(shown).to.match(/status {10}failed \(its L2 call reverted: counter says no\)/);
      expect(shown).to.contain("revert reason   counter says no");
      expect(shown).to.contain(`next            npx hardhat rollup:retry-message ${messageHash}`);

      const retry = await rejection(
        runTask("rollup:retry-message", { rollup: r.devnet.deployment.address, account: 5, hash: messageHash }),
      );
      expect(retry.message).to.contain("its L2 call reverted again: counter says no");
      expect(retry.message).to.not.match(/^\s+at /m);
    });

    it("rollup:retry-message runs a failed call again once it can succeed", async () => {
      // Counter.withdraw(to, 1 wei) fails while the counter holds nothing on L2 …
      const c = await hre.ethers.getContractAt("Counter", counter, r.l2Wallet(4));
      const to = Wallet.createRandom().address;
      const failure = await rejection(
        runTask("rollup:send-message", {
          rollup: r.devnet.deployment.address,
          account: 4,
          to: counter,
          sig: "withdraw(address,uint256)",
          args: `${to},1`,
        }),
      );
      expect(failure.message).to.contain("reverted without a reason");
      const nonce = /message #(\d+)/.exec(failure.message)?.[1];
      const messageHash = await r.rollup().messageHash(BigInt(nonce as string));
      // … and succeeds once it holds 1 wei.
      await (await c.deposit({ value: 1n })).wait();
      const out = await runTask("rollup:retry-message", {
        rollup: r.devnet.deployment.address,
        account: 5,
        hash: messageHash,
      });
      expect(out).to.match(new RegExp(`retried L1 → L2 message #${nonce} on L2 in block \\d+`));
      expect(await r.l2.getBalance(to)).to.equal(1n);
      expect(await runTask("rollup:message", { rollup: r.devnet.deployment.address, hash: messageHash })).to.match(
        /status {10}relayed/,
      );
      const again = await rejection(
        runTask("rollup:retry-message", { rollup: r.devnet.deployment.address, account: 5, hash: messageHash }),
      );
      expect(again.message).to.contain("is relayed, not failed: there is nothing to retry");
    });
  });

  it("an interrupted withdrawal: rollup:withdraw --timeout 0 says why it is not provable, rollup:message shows it, rollup:finalize finishes it", async () => {
    const submitter = r.devnet.node.bridge.submitter as BatchSubmitter;
    const to = Wallet.createRandom().address;
    await submitter.stop();
    let messageHash: string;
    try {
      const failure = await rejection(
        runTask("rollup:withdraw", { rollup: r.devnet.deployment.address, account: 6, amount: "0.25", to, timeout: 0 }),
      );
      expect(failure.message).to.match(
        /is not provable yet: its L2 block \d+ is not accepted on L1 yet \(accepted head \d+\)/,
      );
      messageHash = /message (0x[0-9a-f]{64}) is not provable/.exec(failure.message)?.[1] as string;
      // The printed step repeats the flags that found this rollup (and the account that sent it).
      const rollupFlag = `--rollup ${r.devnet.deployment.address}`;
      expect(failure.message).to.contain(
        `hint: run npx hardhat rollup:finalize ${messageHash} ${rollupFlag} --account 6 again later`,
      );
      const shown = await runTask("rollup:message", { rollup: r.devnet.deployment.address, hash: messageHash });
      expect(shown).to.contain("direction       L2 → L1");
      expect(shown).to.match(/status {10}initiated/);
      expect(shown).to.contain(`next            npx hardhat rollup:finalize ${messageHash} ${rollupFlag}`);
    } finally {
      submitter.start();
    }
    const out = await runTask("rollup:finalize", {
      rollup: r.devnet.deployment.address,
      account: 7,
      hash: messageHash,
      timeout: 30,
    });
    expect(out).to.match(/finalized on L1 against L2 block \d+/);
    expect(formatEther(await r.l1.getBalance(to))).to.equal("0.25");
    expect(
      await runTask("rollup:finalize", {
        rollup: r.devnet.deployment.address,
        account: 7,
        hash: messageHash,
        timeout: 30,
      }),
    ).to.contain("already finalized on L1");
    const wrongWay = await rejection(
      runTask("rollup:finalize", {
        rollup: r.devnet.deployment.address,
        account: 7,
        hash: await r.rollup().messageHash(0n),
        timeout: 0,
      }),
    );
    expect(wrongWay.message).to.contain("only L2 → L1 messages are finalized on L1");
  });

  it("an interrupted withdrawal on nodes named by flags: the printed rollup:finalize and rollup:message work as printed", async () => {
    // A trial operator ran rollup:withdraw --l2-rpc <a second rollup's node> --timeout 0 beside the
    // devnet; the hint's "npx hardhat rollup:finalize <hash>" then dialled the default L2 (the
    // devnet's, another rollup) and answered "no rollup message with … hash".
    const submitter = r.devnet.node.bridge.submitter as BatchSubmitter;
    const to = Wallet.createRandom().address;
    const flags = { l1Rpc: r.devnet.l1Url, l2Rpc: r.devnet.l2Url, account: 4 };
    const nowhere = "http://127.0.0.1:9";
    const saved = Object.fromEntries(["l1", "l2"].map((n) => [n, (hre.config.networks[n] as HttpNetworkConfig).url]));
    await submitter.stop();
    let failure: Error;
    try {
      failure = await rejection(runTask("rollup:withdraw", { ...flags, amount: "0.125", to, timeout: 0 }));
    } finally {
      submitter.start();
    }
    const printed = /hint: run (npx hardhat rollup:finalize 0x[0-9a-f]{64}[^\n]*?) again later/.exec(
      failure.message,
    )?.[1];
    expect(printed, failure.message).to.be.a("string");
    // The config's networks point nowhere: only the printed flags can find these nodes.
    for (const n of ["l1", "l2"]) (hre.config.networks[n] as HttpNetworkConfig).url = nowhere;
    try {
      const [name, args] = printedTask(printed as string);
      // rollup:message, run as its own printed step would be, names the same next step.
      const shown = await runTask("rollup:message", { l1Rpc: flags.l1Rpc, l2Rpc: flags.l2Rpc, hash: args.hash });
      const next = /next {12}(npx hardhat rollup:finalize .*)$/m.exec(shown)?.[1];
      expect(next, shown).to.be.a("string");
      expect(printedTask(next as string)[1]).to.deep.include({ l1Rpc: flags.l1Rpc, l2Rpc: flags.l2Rpc });
      const out = await runTask(name, { ...args, timeout: 30 });
      expect(out).to.match(/finalized on L1 against L2 block \d+/);
      expect(formatEther(await r.l1.getBalance(to))).to.equal("0.125");
    } finally {
      for (const [n, url] of Object.entries(saved)) (hre.config.networks[n] as HttpNetworkConfig).url = url;
    }
  });

  it("rollup:deploy over a record whose rollup this L1 no longer holds (an in-memory L1 restarted) says so, not 'use it'", async () => {
    // A trial operator restarted npm run devnet:l1 (in memory) and ran rollup:deploy again: it
    // answered "deployment.json records a rollup at 0x… / hint: use it (rollup:node --deployment)".
    const record = path.join(scratch("deploy-gone-"), "deployment.json");
    await saveDeployment(record, { ...r.devnet.deployment, address: Wallet.createRandom().address });
    const failure = await rejection(runTask("rollup:deploy", { l1Rpc: r.devnet.l1Url, out: record }));
    expect(failure.message).to.match(
      /records a rollup at 0x[0-9a-fA-F]{40} on L1 chain 1337, but this L1 has no code there/,
    );
    expect(failure.message).to.contain(`delete ${record}`);
    expect(failure.message).to.not.contain("use it (rollup:node --deployment)");
  });

  it("rollup:deploy deploys the contract named by the config's rollup.contract for the dev genesis", async () => {
    const configured = hre.config.rollup;
    (hre.config as { rollup: typeof configured }).rollup = { ...configured, contract: "ExampleRollup" };
    try {
      // The deployer (dev account #0 on the devnet's chain) backs the dev genesis's L2 supply on L1
      // (1,001 ETH: devGenesisFunding) out of its own 10,000 ETH, with no balance set by hand.
      const record = path.join(scratch("deploy-task-"), "deployment.json");
      const deployArgs = { l2ChainId: 4242, inactivity: 60, forceInclusion: 30, l1Rpc: r.devnet.l1Url, out: record };
      const out = await runTask("rollup:deploy", deployArgs);
      expect(out).to.match(/answered ExecuteInvalid\(MalformedInput\)/);
      const [, name, address] = /^(\w+) deployed at (0x[0-9a-fA-F]{40})/m.exec(out) ?? [];
      expect(name).to.equal("ExampleRollup");
      const rollup = ExampleRollup__factory.connect(address as string, r.l1);
      expect(await rollup.L2_CHAIN_ID()).to.equal(4242n);
      expect(await rollup.SEQUENCER_INACTIVITY_PERIOD()).to.equal(60n);
      expect(out).to.contain(
        "sequencing fallback: the sequencer, or anyone once it has been silent for 60 s (the contract's, checked on L1)",
      );
      expect(out).to.match(
        new RegExp(
          `L2 chain id 4242, genesis ${await rollup.headHash()}, sequencer 0x[0-9a-fA-F]{40}, mode re-execution`,
        ),
      );
      const saved = JSON.parse(readFileSync(record, "utf8")) as Record<string, unknown>;
      expect(saved).to.include({
        address,
        mode: "re-execution",
        l1ChainId: "1337",
        l2ChainId: "4242",
        genesisBlockHash: await rollup.headHash(),
      });
      expect(saved.deployBlock).to.be.a("number");
      // The dev genesis deploy built is written beside the record, for rollup:node --genesis.
      const genesisFile = path.join(path.dirname(record), "deployment.genesis.json");
      expect(out).to.contain(`L2 genesis written to ${genesisFile}`);
      // The node command it prints runs as printed: rollup:node requires --l1-rpc.
      expect(out).to.contain(
        `run the node with npx hardhat rollup:node --deployment ${record} --genesis ${genesisFile} --l1-rpc ${r.devnet.l1Url}`,
      );
      expect((await genesisCommitments(await readGenesisFile(genesisFile))).hash).to.equal(await rollup.headHash());
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

  it("rollup:deploy of a based rollup with --inactivity deploys it and says the period changes nothing (the trial's 'accepted silently')", async function () {
    this.timeout(240_000);
    const configured = hre.config.rollup;
    (hre.config as { rollup: typeof configured }).rollup = {
      ...configured,
      contract: "BasedTestRollup",
      sequencing: { kind: "based" },
    };
    try {
      const record = path.join(scratch("deploy-task-"), "deployment.json");
      const out = await runTask("rollup:deploy", {
        l2ChainId: 4244,
        inactivity: 60,
        forceInclusion: 30,
        l1Rpc: r.devnet.l1Url,
        out: record,
      });
      expect(out).to.contain("sequencing based: anyone may advance at any time (");
      expect(out).to.contain(
        "note: --inactivity 60 has no effect: based: anyone may advance at any time, whatever the period",
      );
      expect(existsSync(record), `${record} written`).to.equal(true);
    } finally {
      (hre.config as { rollup: typeof configured }).rollup = configured;
    }
  });

  it("rollup:deploy refuses a config whose rollup.sequencing.rule the deployed contract does not enforce", async function () {
    // Two deployments' worth of task runs: over 60 s at load 23.
    this.timeout(240_000);
    const configured = hre.config.rollup;
    (hre.config as { rollup: typeof configured }).rollup = {
      ...configured,
      contract: "ExampleRollup",
      sequencing: { kind: "permissioned" },
    };
    try {
      const record = path.join(scratch("deploy-task-"), "deployment.json");
      const deploy = (): Promise<string> =>
        runTask("rollup:deploy", {
          l2ChainId: 4243,
          inactivity: 60,
          forceInclusion: 30,
          l1Rpc: r.devnet.l1Url,
          out: record,
        });
      const failure = await rejection(deploy());
      expect((failure as { code?: string }).code, failure.message).to.equal("SEQUENCING_MISMATCH");
      expect(failure.message).to.contain(
        'rollup.sequencing.rule declares "permissioned: only the sequencer may advance"',
      );
      expect(failure.message).to.contain(
        'enforces "fallback: the sequencer, or anyone once it has been silent for 60 s"',
      );
      // The hint's next steps, as the task takes them: the record is written (the contract is on
      // L1), the node runs it once the config says "fallback", and deploying the declared rule
      // needs another --out (this one is refused as already deployed).
      const hint = (failure as { hint?: string }).hint ?? "";
      expect(hint).to.contain('set rollup.sequencing.rule to "fallback" in hardhat.config.ts');
      expect(hint).to.contain(`rollup:node --deployment ${record}`);
      expect(hint).to.contain("npx hardhat rollup:init <new folder> --sequencing permissioned");
      expect(hint).to.contain(`rollup:deploy with another --out (${record} records this deployment`);
      expect(existsSync(record), `${record} written`).to.equal(true);
      const again = await rejection(deploy());
      expect((again as { code?: string }).code, again.message).to.equal("ALREADY_DEPLOYED");
    } finally {
      (hre.config as { rollup: typeof configured }).rollup = configured;
    }
  });
});
