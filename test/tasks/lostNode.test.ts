import { expect } from "chai";
import hre from "hardhat";

import { type E2eRollup, startE2eRollup } from "../e2e/support/harness";
import { rejection } from "../rollup-node/rejection";

/** A task error's code, message and hint. */
type TaskFailure = { code?: string; message: string };

describe("rollup:deposit losing the devnet after its deposit is sent: names the message, never 'run the task again'", function () {
  this.timeout(120_000);
  let r: E2eRollup | undefined;

  before(async () => {
    // No L2 blocks: the deposit stays queued, so the task is still waiting when the devnet stops.
    r = await startE2eRollup({ produceBlocks: false });
  });

  after(async () => {
    await r?.stop();
  });

  it("says the message is out and which task follows it, since running the task again would deposit twice", async () => {
    const rollup = r as E2eRollup;
    // hre.run, not runTask: the test stops the devnet once the task has printed that its deposit is queued.
    const lines: string[] = [];
    const original = console.log;
    console.log = (...parts: unknown[]) => lines.push(parts.map(String).join(" "));
    let task: Promise<unknown>;
    try {
      task = rejection(
        hre.run("rollup:deposit", {
          l1Rpc: rollup.devnet.l1Url,
          l2Rpc: rollup.devnet.l2Url,
          rollup: rollup.devnet.deployment.address,
          account: 2,
          amount: "0.25",
        }),
      );
      while (!lines.some((line) => line.startsWith("queued on L1:")))
        await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      console.log = original;
    }
    // The user's Ctrl-C (or kill -9) of the devnet while the task waits for the relay.
    r = undefined;
    await rollup.stop();
    const error = (await task) as TaskFailure;
    expect(error.code, error.message).to.equal("NODE_UNREACHABLE");
    expect(error.message, error.message).to.match(
      /lost the connection to the node at .*, after message 0x[0-9a-f]{64} was sent\n/,
    );
    expect(error.message).to.match(
      /hint: do not run the task again, it would send another: .* follow this one with npx hardhat rollup:message 0x[0-9a-f]{64} --l1-rpc \S+ --l2-rpc \S+ --rollup 0x[0-9a-fA-F]{40} --account 2$/,
    );
    expect(error.message).to.not.contain("then run the task again");
  });
});
