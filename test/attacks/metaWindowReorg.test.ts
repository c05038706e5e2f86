import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import {
  type BlockMeta,
  MetaWindow,
  deleteMeta,
  loadFollowerRecords,
  putMeta,
  writeFollowerRecords,
} from "../../rollup-node/follower/store";
import { L2Store } from "../../rollup-node/l2/store";

const BOUND = 4;

function meta(number: bigint, l1: number, finalAt?: number): BlockMeta {
  return {
    blockHash: `0x${number.toString(16).padStart(64, "0")}`,
    origin: { number: l1, hash: `0x${l1.toString(16)}`, transactionHash: `0x${(l1 * 7).toString(16)}` },
    ...(finalAt === undefined ? {} : { finalAt: { number: finalAt, hash: `0x${finalAt.toString(16)}` } }),
  };
}

/**
 * The follower keeps the metas of its newest blocks in memory (s22-mem, MetaWindow) and reads the
 * rest from disk. Its callers write each change to disk in the same step (`putMeta` in the block's
 * batch, `deleteMeta` on a rewind) and mirror it in the window. Driven by what a follower does —
 * new blocks, finalizations reaching back, L1 reorganisations that undo blocks past the window,
 * restarts — every meta must read as a list holding them all says (attack-review-s22.md, item 3).
 */
describe("attack: the follower's meta window through rewinds past it and restarts", () => {
  let dir: string;
  let store: L2Store;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "meta-window-"));
    store = await L2Store.open(dir);
  });

  after(async () => {
    await store?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("answers every meta as an unbounded list does", async () => {
    let window = await MetaWindow.load(store, 0n, BOUND);
    const all: BlockMeta[] = [];
    let l1 = 10;
    const push = async (): Promise<void> => {
      const number = BigInt(all.length + 1);
      const m = meta(number, l1++);
      await writeFollowerRecords(store, [putMeta(number, m)]);
      window.push(m);
      all.push(m);
    };
    const finalizeUpTo = async (number: bigint): Promise<void> => {
      const ops = [];
      for (let n = number; n >= 1n; n--) {
        const m = await window.get(n);
        if (m.finalAt !== undefined) break;
        const updated = { ...m, finalAt: { number: l1, hash: `0x${l1.toString(16)}` } };
        window.set(n, updated);
        all[Number(n) - 1] = updated;
        ops.push(putMeta(n, updated));
      }
      await writeFollowerRecords(store, ops);
      l1++;
    };
    const rewindTo = async (number: bigint): Promise<void> => {
      const ops = [];
      for (let n = number + 1n; n <= BigInt(all.length); n++) ops.push(deleteMeta(n));
      await writeFollowerRecords(store, ops);
      window.truncate(number);
      all.length = Number(number);
    };
    const check = async (): Promise<void> => {
      for (let n = 1; n <= all.length; n++) expect(await window.get(BigInt(n)), `meta ${n}`).to.deep.equal(all[n - 1]);
      expect(window.size).to.be.at.most(BOUND);
    };

    for (let i = 0; i < 10; i++) await push();
    await finalizeUpTo(7n); // reaches 7 blocks back, past the window
    await check();
    await rewindTo(2n); // an L1 reorganisation undoing blocks past the window
    await check();
    for (let i = 0; i < 3; i++) await push();
    await finalizeUpTo(5n);
    await check();
    await rewindTo(4n); // a rewind inside the window
    await check();
    for (let i = 0; i < 6; i++) await push();
    await check();
    // Restart: the window is loaded again from disk.
    window = (await loadFollowerRecords(store, BigInt(all.length), BOUND)).metas;
    await check();
    await rewindTo(0n);
    await check();
    await push();
    await check();
  });
});
