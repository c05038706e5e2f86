import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { Wallet, parseEther } from "ethers";

import { advanceBuildCap } from "../../../rollup-node/bridge/advanceGasCap";
import { CliUsageError, l1GasLimitOption } from "../../../rollup-node/devnet/cli";
import { MIN_DEVNET_L1_GAS_LIMIT } from "../../../rollup-node/devnet/l1GasLimit";
import { rollupDevnetBanner } from "../../../rollup-node/devnet/rollupBanner";
import { startRollupDevnet } from "../../../rollup-node/devnet/rollupDevnet";
import { silentLogger } from "../../../rollup-node/logger";
import { devnetL1GasLimit } from "../../../tasks/devnet";
import { eventually, startE2eRollup } from "../../e2e/support/harness";
import { rejection } from "../rejection";

/** A private L1's block gas limit, below EIP-7825's 2^24 per-transaction cap. */
const L1_GAS_LIMIT = 8_000_000n;

describe("devnet --l1-gas-limit: an L1 whose blocks hold less than 2^24, to try the advance gas cap by hand", function () {
  this.timeout(300_000);
  const dirs: string[] = [];
  const tempDir = (prefix: string): string => {
    const dir = mkdtempSync(path.join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("takes a whole number of gas, and refuses 0, a value below what the mode's rollup runs on (saying which and why) and a non-number", () => {
    expect(l1GasLimitOption("8000000", undefined)).to.equal(8_000_000n);
    expect(l1GasLimitOption("8_000_000", { kind: "optimistic" })).to.equal(8_000_000n);
    expect(l1GasLimitOption(undefined, undefined)).to.equal(undefined);
    expect(() => l1GasLimitOption("0", undefined)).to.throw(
      CliUsageError,
      "--l1-gas-limit 0 is below 5000000, the least a re-execution devnet runs on: its rollup contract is deployed in one L1 transaction (ExampleRollup's creation takes ≈ 4.3M gas)",
    );
    expect(() => l1GasLimitOption("7000000", { kind: "optimistic" })).to.throw(
      CliUsageError,
      "below 8000000, the least an optimistic devnet runs on: its rollup contract is deployed in one L1 transaction (OptimisticExampleRollup's creation takes ≈ 7.4M gas)",
    );
    expect(() => l1GasLimitOption("8M", undefined)).to.throw(
      CliUsageError,
      '--l1-gas-limit must be a whole number of gas, got "8M"',
    );
    expect(() => l1GasLimitOption("-1", undefined)).to.throw(CliUsageError, "whole number");
    // The Hardhat task refuses the same values the same way, with the CLI's code and a hint.
    const task = (() => {
      try {
        devnetL1GasLimit("1000", undefined);
      } catch (error) {
        return error as { code?: string; hint?: string; message: string };
      }
      return undefined;
    })();
    expect(task?.code).to.equal("CLI_USAGE");
    expect(task?.message).to.contain(`below ${MIN_DEVNET_L1_GAS_LIMIT["re-execution"]}`);
    expect(task?.hint).to.contain("--l1-gas-limit 8000000");
  });

  it("startRollupDevnet refuses a gas limit below the minimum before it starts or writes anything", async () => {
    const dataDir = path.join(tempDir("devnet-l1-gas-bad-"), "fresh");
    const error = await rejection(
      startRollupDevnet({ dataDir, l1Port: 0, l2Port: 0, l1GasLimit: 1_000_000n, logger: () => silentLogger }),
    );
    expect((error as { code?: string }).code).to.equal("DEVNET_OPTIONS");
    expect(error.message).to.contain("below 5000000");
    expect(existsSync(dataDir)).to.equal(false);
  });

  it("at 8M gas: the banner says so, the node's advance cap adapts, L2 blocks are accepted on L1; a resume keeps 8M and refuses another limit", async () => {
    const dataDir = tempDir("devnet-l1-gas-");
    const first = await startE2eRollup({ dataDir, keepDataDir: true, l1GasLimit: L1_GAS_LIMIT });
    try {
      expect(first.devnet.l1GasLimit).to.equal(L1_GAS_LIMIT);
      const banner = rollupDevnetBanner(first.devnet, { l2BlockTimeMs: 200, resumed: false });
      expect(banner.split("\n").find((l) => l.startsWith("L1 "))).to.contain(`block gas limit ${L1_GAS_LIMIT}`);
      expect((await first.l1.getBlock("latest"))?.gasLimit).to.equal(L1_GAS_LIMIT);
      // The cap the sequencer builds for: the L1's block gas limit less a 32nd, not 2^24.
      expect(first.devnet.node.bridge.advanceGasCap.limits().cap).to.equal(advanceBuildCap(L1_GAS_LIMIT));
      const recipient = Wallet.createRandom().address;
      await (await first.rollup(1).depositETH(recipient, { value: parseEther("1") })).wait();
      const transfer = await (
        await first.l2Wallet(2).sendTransaction({ to: recipient, value: parseEther("0.5") })
      ).wait();
      const block = BigInt(transfer?.blockNumber ?? 0);
      await eventually(
        "L1 to accept the L2 block of the transfer",
        async () => ((await first.rollup().headNumber()) >= block ? true : undefined),
        120_000,
      );
      // The deposit is relayed in the L2 block after the node's L1 watcher sees it, which may come
      // after the transfer's (a fresh-clone CI run read 0.5 ETH here).
      await eventually(
        "the deposit relayed beside the transfer",
        async () => ((await first.l2.getBalance(recipient)) === parseEther("1.5") ? true : undefined),
        60_000,
      );
    } finally {
      await first.stop();
    }

    const other = await rejection(
      startE2eRollup({ dataDir, keepDataDir: true, l1GasLimit: 30_000_000n, produceBlocks: false }),
    );
    expect((other as { code?: string }).code).to.equal("DEVNET_OPTIONS");
    expect(other.message).to.contain(
      `was made with an L1 block gas limit of ${L1_GAS_LIMIT}: a resumed chain cannot change its genesis gas limit`,
    );
    expect((other as { hint?: string }).hint)
      .to.contain("--reset")
      .and.to.contain("leave out --l1-gas-limit");

    const resumed = await startE2eRollup({ dataDir, keepDataDir: true, produceBlocks: false });
    try {
      expect(resumed.devnet.resumed).to.equal(true);
      expect(resumed.devnet.l1GasLimit).to.equal(L1_GAS_LIMIT);
      expect((await resumed.l1.getBlock("latest"))?.gasLimit).to.equal(L1_GAS_LIMIT);
    } finally {
      await resumed.stop();
    }
  });
});
