import { expect } from "chai";
import { Wallet } from "ethers";

import { L1MovedOnError, TransientBridgeError } from "../../rollup-node/bridge/submissionErrors";
import { SubmissionLoop } from "../../rollup-node/bridge/submissionLoop";
import type { Logger } from "../../rollup-node/logger";

type Step = "transient" | "lost" | "done";

/**
 * The loop's retry delay (SubmissionLoop.run) with scripted rounds: `submitNext` fails as the
 * script says, `sleep` records the delay and returns at once, `beforeRound` counts the rounds
 * (AdvanceSubmitter rebases there on L1's head).
 */
class ScriptedLoop extends SubmissionLoop {
  protected readonly action = "advance";
  readonly sleeps: number[] = [];
  rounds = 0;

  constructor(
    private readonly script: Step[],
    private readonly onDone: () => void,
  ) {
    const logger: Logger = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };
    super({
      sequencer: { producedBlock: async () => undefined, onBlock: () => () => {} },
      rollupAddress: Wallet.createRandom().address,
      signer: Wallet.createRandom(),
      logger,
      retry: { initialDelayMs: 100, maxDelayMs: 1_000 },
      idlePollMs: 5,
    });
  }

  protected override async beforeRound(): Promise<void> {
    this.rounds += 1;
  }

  override async submitNext(): Promise<boolean> {
    const step = this.script.shift() ?? "done";
    if (step === "transient") throw new TransientBridgeError("L1 RPC unreachable");
    if (step === "lost") throw new L1MovedOnError("advance", 7n, "ParentNotHead(0x01, 0x02)");
    this.onDone();
    return false;
  }

  protected override sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    return Promise.resolve();
  }
}

describe("submission loop: a lost race is not a failure of the node's L1 connection", () => {
  it("after failures that grew the back-off, a lost race retries at the initial delay and the next failure starts again from it", async () => {
    let loop: ScriptedLoop | undefined;
    const done = new Promise<void>((resolve) => {
      loop = new ScriptedLoop(["transient", "transient", "transient", "lost", "lost", "transient", "done"], resolve);
    });
    const scripted = loop as ScriptedLoop;
    scripted.start();
    await done;
    await scripted.stop();
    // Three connection failures back off 100, 200, 400 ms; each lost race (the next round rebases
    // on L1's head) waits only the initial delay, and so does the failure after them.
    expect(scripted.sleeps.slice(0, 6)).to.deep.equal([100, 200, 400, 100, 100, 100]);
    expect(scripted.rounds).to.be.greaterThanOrEqual(7);
  });

  it("a node that keeps losing races never reaches the maximum back-off", async () => {
    let loop: ScriptedLoop | undefined;
    const done = new Promise<void>((resolve) => {
      loop = new ScriptedLoop([...Array<Step>(8).fill("lost"), "done"], resolve);
    });
    const scripted = loop as ScriptedLoop;
    scripted.start();
    await done;
    await scripted.stop();
    expect(scripted.sleeps.slice(0, 8)).to.deep.equal(Array(8).fill(100));
  });
});
