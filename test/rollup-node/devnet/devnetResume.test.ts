import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { JsonRpcProvider, Wallet, parseEther } from "ethers";
import hre from "hardhat";

import type { RollupContractArtifact } from "../../../deploy/rollup";
import { rollupDevnetBanner } from "../../../rollup-node/devnet/rollupBanner";
import { startRollupDevnet } from "../../../rollup-node/devnet/rollupDevnet";
import { silentLogger } from "../../../rollup-node/logger";
import { type NodeCommandOptions, resolveNodeCommand, startNodeCommand } from "../../../rollup-node/node/nodeCommand";
import { startE2eRollup } from "../../e2e/support/harness";
import { rejection } from "../rejection";

describe("devnet: a resumed or failed start tells the truth about its data directory", function () {
  this.timeout(120_000);
  const dirs: string[] = [];
  const tempDir = (prefix: string): string => {
    const dir = mkdtempSync(path.join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };

  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("a start that fails (its L1 port is taken) leaves no half-made data directory behind", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    const dataDir = path.join(tempDir("devnet-fail-"), "fresh");
    try {
      const error = await rejection(
        startRollupDevnet({ dataDir, l1Port: port, l2Port: 0, logger: () => silentLogger }),
      );
      expect(error.message).to.match(/EADDRINUSE|in use/i);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    expect(existsSync(dataDir), `${dataDir} was left behind`).to.equal(false);
  });

  it("resumed after the rollup contract was recompiled: warns and offers --reset; pending L1 messages are not logged again", async () => {
    const dataDir = tempDir("devnet-resume-");
    const artifact = (await hre.artifacts.readArtifact("ExampleRollup")) as unknown as RollupContractArtifact;
    // The sequencer is off: the deposit stays pending on L1 across the restart.
    const first = await startE2eRollup({ dataDir, keepDataDir: true, produceBlocks: false, contract: artifact });
    await (await first.rollup(1).depositETH(Wallet.createRandom().address, { value: parseEther("1") })).wait();
    await first.devnet.node.bridge.watcher.poll();
    expect(first.log.has("L1 → L2 message #0 queued")).to.equal(true);
    expect(first.devnet.staleContract).to.equal(undefined);
    await first.stop();

    // The same contract name, other bytecode: what an edited and recompiled contract looks like.
    const recompiled: RollupContractArtifact = { ...artifact, bytecode: `${artifact.bytecode}00` };
    const second = await startE2eRollup({ dataDir, keepDataDir: true, produceBlocks: false, contract: recompiled });
    try {
      expect(second.devnet.resumed).to.equal(true);
      expect(second.devnet.staleContract).to.deep.equal({
        contractName: "ExampleRollup",
        address: first.devnet.deployment.address,
      });
      expect(second.log.has("was recompiled with other bytecode since this devnet deployed it")).to.equal(true);
      expect(second.log.has("pass --reset")).to.equal(true);
      expect(rollupDevnetBanner(second.devnet, { l2BlockTimeMs: 200, resumed: true })).to.contain(
        "Run again with --reset to deploy the new one",
      );
      // The pending deposit was logged by the first run: this one says it caught up, once.
      expect(second.log.has("L1 → L2 message #0 queued")).to.equal(false);
      expect(second.log.has("caught up with L1: 1 L1 → L2 message queued before this start")).to.equal(true);
    } finally {
      await second.stop();
    }
    const third = await startE2eRollup({ dataDir, produceBlocks: false, contract: artifact });
    try {
      expect(third.devnet.staleContract).to.equal(undefined);
    } finally {
      await third.stop();
    }
  });

  it("run with another L2 chain id (a mistyped flag): starts afresh but sets the previous chain aside, and it resumes once moved back", async () => {
    const dataDir = tempDir("devnet-aside-");
    const first = await startE2eRollup({ dataDir, keepDataDir: true, produceBlocks: false, l2ChainId: 4242n });
    await (await first.rollup(1).depositETH(Wallet.createRandom().address, { value: parseEther("1") })).wait();
    const rollupAddress = first.devnet.deployment.address;
    await first.stop();

    const second = await startE2eRollup({ dataDir, keepDataDir: true, produceBlocks: false, l2ChainId: 4243n });
    let aside: string;
    try {
      expect(second.devnet.resumed).to.equal(false);
      // Before: "… was made with other chain ids …: starting from genesis", and the chain was deleted.
      const kept = readdirSync(dataDir).filter((name) => name.startsWith("replaced-"));
      expect(kept, `nothing set aside in ${dataDir}`).to.have.length(1);
      aside = path.join(dataDir, kept[0] as string);
      expect(second.log.has(`the previous chain is kept in ${aside}`)).to.equal(true);
      expect(JSON.parse(readFileSync(path.join(aside, "rollup.json"), "utf8"))).to.include({
        address: rollupAddress,
        l2ChainId: "4242",
      });
    } finally {
      await second.stop();
    }
    // Moved back, the first chain resumes with its deposit queued on L1.
    for (const name of ["l1", "l2", "rollup.json"]) {
      rmSync(path.join(dataDir, name), { recursive: true, force: true });
      renameSync(path.join(aside, name), path.join(dataDir, name));
    }
    const third = await startE2eRollup({ dataDir, keepDataDir: true, produceBlocks: false, l2ChainId: 4242n });
    try {
      expect(third.devnet.resumed).to.equal(true);
      expect(third.devnet.deployment.address).to.equal(rollupAddress);
      expect(await third.rollup(1).messageCount()).to.equal(1n);
    } finally {
      await third.stop();
    }
  });

  it("its L1 chain lost (l1/ deleted, the record and L2 kept): refuses to resume, names what is missing and what to do, and leaves the directory as it was", async () => {
    const dataDir = tempDir("devnet-l1-lost-");
    const first = await startE2eRollup({ dataDir, keepDataDir: true, produceBlocks: false });
    const rollupAddress = first.devnet.deployment.address;
    await first.stop();
    // A trial operator's rm -rf of the L1's data: the devnet said "resuming: L1 at block 0, rollup
    // 0x…", made a fresh empty L1 in l1/, and stopped with "could not decode result data".
    const saved = path.join(tempDir("devnet-l1-saved-"), "l1");
    renameSync(path.join(dataDir, "l1"), saved);
    const error = await rejection(startE2eRollup({ dataDir, keepDataDir: true, produceBlocks: false }));
    expect((error as { code?: string }).code, error.message).to.equal("DEVNET_L1_MISSING");
    expect(error.message).to.contain(path.join(dataDir, "l1"));
    expect(error.message).to.contain(rollupAddress);
    expect((error as { hint?: string }).hint).to.match(/--reset/);
    expect(existsSync(path.join(dataDir, "l1")), "a fresh L1 was made in place of the lost one").to.equal(false);
    expect(readdirSync(dataDir).sort()).to.deep.equal(["l2", "rollup.genesis.json", "rollup.json"]);
    // Its contents deleted (rm -rf l1/*): an empty L1 starts, which holds no rollup.
    mkdirSync(path.join(dataDir, "l1"));
    const emptied = await rejection(startE2eRollup({ dataDir, keepDataDir: true, produceBlocks: false }));
    expect((emptied as { code?: string }).code, emptied.message).to.equal("DEVNET_L1_MISSING");
    expect(emptied.message).to.contain(`holds no contract at the rollup's address ${rollupAddress}`);
    rmSync(path.join(dataDir, "l1"), { recursive: true });
    // Put back, the chain resumes.
    renameSync(saved, path.join(dataDir, "l1"));
    const again = await startE2eRollup({ dataDir, keepDataDir: true, produceBlocks: false });
    try {
      expect(again.devnet.resumed).to.equal(true);
      expect(again.devnet.deployment.address).to.equal(rollupAddress);
    } finally {
      await again.stop();
    }
  });

  it("a project's devnet (its own genesis allocations and gas limit): the node command follows it from the record alone, as the README's follower line runs it", async () => {
    const dataDir = tempDir("devnet-project-genesis-");
    // What a rollup:init project's rollup.config.ts adds to the dev genesis (an L2 predeploy, a gas limit).
    const genesisAlloc = { "0x00000000000000000000000000000000000a11ce": { balance: 1n, code: "0x00" as const } };
    const devnet = await startE2eRollup({ dataDir, keepDataDir: true, genesisAlloc, l2GasLimit: 5_000_000n });
    const followerDir = tempDir("devnet-project-follower-");
    try {
      // A trial operator in a rollup:init project: "the L2 genesis given has hash 0x5e96…, but the
      // rollup was deployed with 0x54dd…" (the node rebuilt the plain dev genesis).
      const options = (await resolveNodeCommand([
        "--role",
        "follower",
        "--deployment",
        path.join(dataDir, "rollup.json"),
        "--l1-rpc",
        devnet.devnet.l1Url,
        "--port",
        "0",
        "--data-dir",
        followerDir,
      ])) as NodeCommandOptions;
      const follower = await startNodeCommand(options, { logger: () => silentLogger });
      try {
        const genesis = await new JsonRpcProvider(follower.url).getBlock(0);
        expect(genesis?.hash).to.equal(devnet.devnet.deployment.genesisBlockHash);
      } finally {
        await follower.stop();
      }
    } finally {
      await devnet.stop();
    }
  });

  it("a record it cannot read (cut short by a crash): says so and sets that chain aside instead of deleting it in silence", async () => {
    const dataDir = tempDir("devnet-unreadable-");
    const first = await startE2eRollup({ dataDir, keepDataDir: true, produceBlocks: false });
    await first.stop();
    writeFileSync(path.join(dataDir, "rollup.json"), '{"address": "0xfbfb');

    const second = await startE2eRollup({ dataDir, keepDataDir: true, produceBlocks: false });
    try {
      expect(second.devnet.resumed).to.equal(false);
      // Before: no word at all, and l1/, l2/ and the record were deleted.
      expect(second.log.has(`${path.join(dataDir, "rollup.json")} is not a deployment`)).to.equal(true);
      const kept = readdirSync(dataDir).filter((name) => name.startsWith("replaced-"));
      expect(kept, `nothing set aside in ${dataDir}`).to.have.length(1);
      const aside = path.join(dataDir, kept[0] as string);
      expect(second.log.has(`the previous chain is kept in ${aside}`)).to.equal(true);
      expect(readdirSync(aside).sort()).to.deep.equal(["l1", "l2", "rollup.genesis.json", "rollup.json"]);
      expect(readFileSync(path.join(aside, "rollup.json"), "utf8")).to.equal('{"address": "0xfbfb');
    } finally {
      await second.stop();
    }
  });

  it("resumed with L1 → L2 messages consumed and pending: the catch-up line counts only the pending ones", async () => {
    const dataDir = tempDir("devnet-resume-count-");
    const first = await startE2eRollup({ dataDir, keepDataDir: true, produceBlocks: false });
    try {
      // Message #0 is consumed by an accepted L2 block; #1 is queued after it and stays pending.
      await (await first.rollup(1).depositETH(Wallet.createRandom().address, { value: parseEther("1") })).wait();
      await first.devnet.node.bridge.watcher.poll();
      const block = await first.devnet.node.sequencer.produceBlock();
      expect(block.consumedMessages).to.equal(1);
      await first.devnet.node.bridge.submitter?.waitForAccepted(block.number);
      await (await first.rollup(1).depositETH(Wallet.createRandom().address, { value: parseEther("1") })).wait();
      await first.devnet.node.bridge.watcher.poll();
      expect(first.devnet.node.bridge.watcher.status).to.include({
        messageCount: 2n,
        nextMessageIndex: 1n,
        pending: 1,
      });
    } finally {
      await first.stop();
    }
    const second = await startE2eRollup({ dataDir, produceBlocks: false });
    try {
      expect(second.devnet.resumed).to.equal(true);
      const caughtUp = second.log.lines.filter((line) => line.includes("caught up with L1"));
      expect(caughtUp, second.log.lines.join("\n")).to.have.length(1);
      // Two messages were ever queued, one is pending: the line counts the pending one.
      expect(
        /caught up with L1: (\d+) L1 → L2 messages? queued before this start/.exec(caughtUp[0] ?? "")?.[1],
      ).to.equal("1");
    } finally {
      await second.stop();
    }
  });
});
