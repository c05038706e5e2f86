import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { L2Store } from "../../../rollup-node/l2/store";
import { rejection } from "../rejection";

// A second node on a data directory another running node holds (a follower started twice on the
// devnet's record) fails to open its database: the hint must name that, not the path's permissions.
describe("L2 store: a data directory another node holds", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "l2-store-locked-"));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("is refused with L2_DATA_DIR and a hint that another L2 node is using it", async () => {
    const first = await L2Store.open(dir);
    try {
      const error = (await rejection(L2Store.open(dir))) as { code?: string; hint?: string };
      expect(error.code).to.equal("L2_DATA_DIR");
      expect(error.hint).to.equal("another L2 node is using this data directory: stop it or pick another --data-dir");
    } finally {
      await first.close();
    }
  });
});
