import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { MIN_L1_POLL_MS } from "../../rollup-node/bridge/l1Polling";
import { CommandOptionsError, MAX_TIMER_MS } from "../../rollup-node/node/commandOptions";
import { type NodeCommandOptions, resolveNodeCommand } from "../../rollup-node/node/nodeCommand";

/**
 * Second pass on `--l1-poll-interval` (attack-review-s23.md): a value past a 32-bit signed delay
 * is not "poll rarely": Node runs such a timer after 1 ms, so the node would read L1 every
 * millisecond, 50× the pace the option's minimum refuses. The Hardhat task `rollup:node` passes
 * its `--l1-poll-interval` as the same two arguments (tasks/node.ts `taskArgv`), so the command
 * line here is its path too.
 */
describe("attack (second pass): --l1-poll-interval past a timer's range", () => {
  const required = ["--deployment", "deployment.json", "--l1-rpc", "http://l1.example:8545"];

  it("Node runs a timer of 2^31 ms after 1 ms, and not one of the largest interval accepted", async () => {
    const fired = (delay: number): Promise<boolean> =>
      new Promise((resolve) => {
        const timer = setTimeout(() => resolve(true), delay);
        setTimeout(() => {
          clearTimeout(timer);
          resolve(false);
        }, 200);
      });
    const onWarning = (): void => {};
    process.on("warning", onWarning);
    try {
      expect(await fired(2 ** 31), "a 2^31 ms timer").to.equal(true);
      expect(await fired(MAX_TIMER_MS), "the largest interval accepted").to.equal(false);
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("refuses an interval a timer cannot hold, from the command line (the task's path) and the config file", async () => {
    for (const bad of [String(2 ** 31), "9007199254740991", "100000000000"]) {
      const error = await resolveNodeCommand([...required, "--l1-poll-interval", bad]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, `--l1-poll-interval ${bad}`).to.be.instanceOf(CommandOptionsError);
      expect((error as Error).message).to.contain(`at most ${MAX_TIMER_MS}`);
    }
    const accepted = (await resolveNodeCommand([
      ...required,
      "--l1-poll-interval",
      String(MAX_TIMER_MS),
    ])) as NodeCommandOptions;
    expect(accepted.l1PollMs).to.equal(MAX_TIMER_MS);
    const dir = await mkdtemp(path.join(tmpdir(), "attack-poll-"));
    try {
      const config = path.join(dir, "node.json");
      await writeFile(config, JSON.stringify({ "l1-poll-interval": 2 ** 31 }));
      const fromFile = await resolveNodeCommand([...required, "--config", config]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(fromFile, "2^31 from the config file").to.be.instanceOf(CommandOptionsError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    // --block-time sets the sequencer's timer the same way (a block every millisecond).
    for (const bad of [String(2 ** 31), "9007199254740991"]) {
      const error = await resolveNodeCommand([...required, "--block-time", bad]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, `--block-time ${bad}`).to.be.instanceOf(CommandOptionsError);
      expect((error as Error).message).to.contain(`at most ${MAX_TIMER_MS}`);
    }
    const low = await resolveNodeCommand([...required, "--l1-poll-interval", String(MIN_L1_POLL_MS - 1)]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(low).to.be.instanceOf(CommandOptionsError);
  });
});
