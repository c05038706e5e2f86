import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { createBlock } from "@ethereumjs/block";

import { createChainCommon } from "../../../rollup-node/chain/genesis";
import { L1Store } from "../../../rollup-node/devnet/l1Store";
import { L2Store } from "../../../rollup-node/l2/store";
import { startStoredL1 } from "../../../rollup-node/devnet/l1Thread";

/** Blocks mined before the damage. */
const BLOCKS = 6;
/** L1Store's key of block `n` (rollup-node/devnet/l1Store.ts). */
const blockKey = (n: number): string => `l1:block:${n.toString(16).padStart(16, "0")}`;

async function mine(directory: string, blocks: number): Promise<string> {
  const l1 = await startStoredL1({ devnet: { port: 0 }, directory, reset: true });
  try {
    for (let n = 0; n < blocks; n++) await l1.devnet.provider.request({ method: "evm_mine", params: [] });
    return l1.devnet.chain.head.hash().toString();
  } finally {
    await l1.stop();
  }
}

/** The error a restart on `directory` gives, or undefined when it resumed (and then its head's number). */
async function restart(directory: string): Promise<{ error?: string; head?: bigint }> {
  try {
    const l1 = await startStoredL1({ devnet: { port: 0 }, directory, reset: false });
    const head = l1.devnet.chain.headNumber;
    await l1.stop();
    return { head };
  } catch (error) {
    return { error: String(error) };
  }
}

async function withStore<T>(directory: string, act: (store: L1Store) => Promise<T>): Promise<T> {
  const store = await L1Store.open(directory);
  try {
    return await act(store);
  } finally {
    await store.close();
  }
}

/**
 * attack-review-s29.md, target 4: the L1 devnet's stored history is streamed into the chain one
 * record at a time (L1Store.blocks), so a damaged record is met after the earlier ones were taken.
 * A restart on a directory with a gap, a cut record or another chain's record must be refused (not
 * resumed on a shorter or foreign history), and the refusal must leave the directory as it was: put
 * the record back and the devnet resumes at the same head.
 */
describe("L1 devnet resume on a damaged data directory", function () {
  this.timeout(600_000);
  let dir: string;
  let other: string;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "l1-resume-damage-"));
    other = mkdtempSync(path.join(tmpdir(), "l1-resume-other-"));
    await mine(dir, BLOCKS);
    // Another chain: a later genesis timestamp, so other blocks.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await mine(other, BLOCKS);
  });

  after(() => {
    for (const d of [dir, other]) rmSync(d, { recursive: true, force: true });
  });

  it("resumes the intact directory at its head", async () => {
    expect(await restart(dir)).to.deep.equal({ head: BigInt(BLOCKS) });
  });

  for (const [name, damage, expected] of [
    [
      "a gap below the head",
      async (s: L1Store) => s.db.del(blockKey(3)),
      /L1 block 3 is missing below the stored head 6/,
    ],
    [
      "the last record cut short",
      async (s: L1Store) => {
        const bytes = (await s.db.get(blockKey(BLOCKS))) as Uint8Array;
        await s.db.put(blockKey(BLOCKS), bytes.subarray(0, bytes.length - 7));
      },
      /ChainConfigError: L1 block 6's stored record cannot be decoded \(invalid RLP/,
    ],
    [
      "a record of another chain",
      async (s: L1Store) => {
        const foreign = await withStore(other, async (o) => (await o.db.get(blockKey(4))) as Uint8Array);
        await s.db.put(blockKey(4), foreign);
      },
      /stored block 4 does not extend block 3/,
    ],
  ] as const) {
    it(`refuses ${name} and leaves the directory as it was`, async () => {
      const key =
        name === "a gap below the head"
          ? blockKey(3)
          : name === "a record of another chain"
            ? blockKey(4)
            : blockKey(BLOCKS);
      const original = await withStore(dir, async (s) => (await s.db.get(key)) as Uint8Array);
      await withStore(dir, damage);
      const refused = await restart(dir);
      expect(refused.head, `resumed at ${refused.head} on ${name}`).to.equal(undefined);
      expect(refused.error).to.match(expected);
      // The refusal wrote nothing: the record put back, the devnet resumes at the same head.
      await withStore(dir, (s) => s.db.put(key, original));
      expect(await restart(dir)).to.deep.equal({ head: BigInt(BLOCKS) });
    });
  }
});

describe("L2 store: a stored block record cut short", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "l2-store-damage-"));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("is refused as a damaged data directory (L2_DATA_DIR, reset hint), not with the decoder's bare error", async () => {
    const common = createChainCommon(909n);
    const store = await L2Store.open(dir);
    try {
      const block = createBlock({ header: { number: 1n } }, { common });
      const anchor = { consumedMessages: 0, firstMessageNonce: 0n };
      await store.commitBlock({
        stored: { record: { block, receipts: [] }, anchor },
        encodedWitness: new Uint8Array(0),
        removedFromPool: [],
      });
      const key = `l2:block:${(1).toString(16).padStart(16, "0")}`;
      const bytes = (await store.db.get(key)) as Uint8Array;
      // Not vacuous: the intact record is read back.
      const intact = [];
      for await (const stored of store.blocks(common)) intact.push(stored.record.block.header.number);
      expect(intact).to.deep.equal([1n]);
      await store.db.put(key, bytes.subarray(0, bytes.length - 5));
      let error: { code?: string; message: string; hint?: string } | undefined;
      try {
        for await (const _ of store.blocks(common)) expect.fail("a cut record was decoded");
      } catch (caught) {
        error = caught as typeof error;
      }
      expect(error?.message).to.match(/^block 1's stored record cannot be decoded \(/);
      expect(error?.code).to.equal("L2_DATA_DIR");
      expect(error?.hint).to.contain("reset");
    } finally {
      await store.close();
    }
  });
});
