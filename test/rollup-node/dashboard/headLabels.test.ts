import { readFileSync } from "node:fs";
import path from "node:path";

import { expect } from "chai";

const PAGE = readFileSync(
  path.join(__dirname, "..", "..", "..", "rollup-node", "dashboard", "public", "index.html"),
  "utf8",
);

/** The label (text and title) of the head card whose value has `id`. */
function cardLabel(id: string): { text: string; title: string } {
  const card = PAGE.split("\n").find((line) => line.includes(`id="${id}"`));
  const label = card === undefined ? null : /<div class="label"(?: title="([^"]*)")?>([^<]*)<\/div>/.exec(card);
  if (label === null) throw new Error(`no card with a label for #${id}`);
  return { text: label[2] as string, title: label[1] ?? "" };
}

/**
 * docs/design/trial-s29.md: on the optimistic devnet `rollup:status` said "final on L1 L2 block 1"
 * while the dashboard's "L2 finalized" said 0 — one the rollup's head (the window passed), the other
 * the node's `finalized` tag (that head as of an L1 block --finality-depth deep). The cards now say which.
 */
describe("dashboard: the head cards say which finality each shows", () => {
  it("'L2 finalized' is the node's tag that also waits for L1 finality; the rollup's head is 'Final on L1'", () => {
    const finalized = cardLabel("finalized-head");
    expect(finalized.text).to.contain("L1-final");
    expect(finalized.title).to.contain("finalized").and.to.contain("--finality-depth");
    const rollupHead = cardLabel("accepted-head");
    expect(rollupHead.text).to.contain("Final on L1");
    expect(rollupHead.title).to.contain("challenge window").and.to.contain("rollup:status");
    const safe = cardLabel("safe-head");
    expect(safe.title).to.contain("safe");
  });
});
