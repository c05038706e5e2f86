import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { L2Store } from "../../../rollup-node/l2/store";
import { rejection } from "../rejection";

// Two deployment records in one folder share its default data directory (`l2/` beside the record):
// the second rollup's node then finds the first one's chain. The error must say where, and the
// hint must offer a directory of its own before --reset, which would delete the other chain.
describe("L2 store: a data directory that holds another genesis's chain", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "l2-store-genesis-"));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("is refused naming the directory, with --data-dir for this chain and what --reset deletes", async () => {
    const store = await L2Store.open(dir);
    try {
      await store.checkGenesis(new Uint8Array(32).fill(1));
      const error = (await rejection(store.checkGenesis(new Uint8Array(32).fill(2)))) as {
        code?: string;
        message: string;
        hint?: string;
      };
      expect(error.code).to.equal("L2_DATA_DIR");
      expect(error.message).to.contain(`the data directory ${dir} holds the chain with genesis 0x0101`);
      expect(error.hint).to.contain("--data-dir");
      expect(error.hint).to.contain("--reset deletes that chain");
    } finally {
      await store.close();
    }
  });
});
