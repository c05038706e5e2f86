import { expect } from "chai";

import { type E2eRollup, startE2eRollup } from "../e2e/support/harness";
import { rejection } from "../rollup-node/rejection";
import { freePort } from "../support/freePort";
import { runTask } from "../support/runTask";

/** A local URL nothing listens on. */
const deadUrl = async (): Promise<string> => `http://127.0.0.1:${await freePort()}`;

describe("rollup:status when the task cannot read its L1: the node's own view, and which L1 the task could not read", function () {
  this.timeout(120_000);
  let r: E2eRollup;

  before(async () => {
    r = await startE2eRollup({ produceBlocks: false });
  });

  after(async () => {
    await r?.stop();
  });

  it("prints the L2 node's rollup_status (its L1 health, heads, submitter) after a line naming the task's L1 URL and its error", async () => {
    const l1Url = await deadUrl();
    const printed = await runTask("rollup:status", { l1Rpc: l1Url, l2Rpc: r.devnet.l2Url });
    const lines = printed.split("\n");
    expect(lines[0]).to.equal(`task's L1       cannot reach the L1 node at ${l1Url} (ECONNREFUSED)`);
    expect(printed).to.contain("the L2 node's own view (rollup_status)");
    expect(printed).to.contain(`rollup          ${r.devnet.deployment.address}`);
    // The node reads its own L1 (the devnet's), which answers.
    expect(printed).to.match(/node's L1 {7}ok/);
    expect(printed).to.match(/L2 {14}chain \d+, head \d+ \(0x[0-9a-f]{64}\)/);
    expect(printed).to.match(/submitter {7}running/);
  });

  it("with the L2 node unreachable too: the task's error, as before (nothing to show)", async () => {
    const l1Url = await deadUrl();
    const error = (await rejection(runTask("rollup:status", { l1Rpc: l1Url, l2Rpc: await deadUrl() }))) as {
      code?: string;
      message: string;
    };
    expect(error.code).to.equal("NODE_UNREACHABLE");
  });
});
