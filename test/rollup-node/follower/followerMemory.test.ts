import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

import type { Block } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import type { TypedTransaction } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";
import { JsonRpcProvider } from "ethers";

import { DEFAULT_ARCHIVE_CACHE_BLOCKS } from "../../../rollup-node/chain/blockStore";
import { Follower } from "../../../rollup-node/follower/follower";
import { putMeta, writeFollowerRecords } from "../../../rollup-node/follower/store";
import { L2Store } from "../../../rollup-node/l2/store";
import type { StoredBlock } from "../../../rollup-node/l2/recordCodec";
import { silentLogger } from "../../../rollup-node/logger";
import type { TestSigner } from "../../../tools/l2Fixtures";
import { TempDirs, openSequencer, signers, testGenesis } from "../l2/l2Support";

/**
 * A follower is a long-running node like a sequencer (#14): its derived chain keeps the newest
 * blocks in memory and reads older ones back from its data directory, which holds them all.
 * The data directory here is one a follower would have written: a sequencer's blocks (the same
 * L2Store records a follower's derivation commits) plus the follower's record of each block.
 */
describe("follower: memory bounded by the newest blocks, history served from disk", function () {
  this.timeout(180_000);
  const dirs = new TempDirs();
  const RECENT = 4;
  const BLOCKS = RECENT + DEFAULT_ARCHIVE_CACHE_BLOCKS + 10;

  after(() => dirs.removeAll());

  /** A data directory a follower would have written over BLOCKS blocks; blocks above `finalUpTo` are provisional. */
  async function followerDataDir(
    finalUpTo: number,
  ): Promise<{ dir: string; first: TypedTransaction; firstHash: string }> {
    const dir = dirs.make();
    const sequencer = await openSequencer(dir);
    const [user] = signers(1) as [TestSigner];
    const first = user.tx({ to: "0x00000000000000000000000000000000000000bb", value: 1n });
    await sequencer.submitTransaction(first);
    const firstBlock = await sequencer.produceBlock();
    for (let n = 2; n <= BLOCKS; n++) {
      await sequencer.submitTransaction(user.tx({ to: "0x00000000000000000000000000000000000000bb", value: 1n }));
      await sequencer.produceBlock();
    }
    const hashes = Array.from({ length: BLOCKS }, (_, i) =>
      bytesToHex(sequencer.chain.resolveBlock(BigInt(i + 1)).block.hash()),
    );
    await sequencer.close();
    const store = await L2Store.open(dir);
    const origin = { number: 1, hash: `0x${"11".repeat(32)}`, transactionHash: `0x${"22".repeat(32)}` };
    await writeFollowerRecords(
      store,
      hashes.map((blockHash, i) =>
        putMeta(BigInt(i + 1), i + 1 <= finalUpTo ? { blockHash, origin, finalAt: origin } : { blockHash, origin }),
      ),
    );
    await store.db.close();
    return { dir, first, firstHash: bytesToHex(firstBlock.block.hash()) };
  }

  const openFollower = (dir: string): Promise<Follower> =>
    Follower.open({
      dataDir: dir,
      genesis: testGenesis(),
      // Opening reads no L1: the provider is never asked anything here.
      l1Provider: new JsonRpcProvider("http://127.0.0.1:9", undefined, { staticNetwork: true }),
      rollupAddress: "0x0000000000000000000000000000000000000001",
      deployBlock: 1,
      recentBlocks: RECENT,
      logger: silentLogger,
    });

  it(`reopened on ${BLOCKS} derived blocks holds at most ${RECENT} (+ read-back cache) in memory, and still serves block 1 and its transaction`, async () => {
    const { dir, first, firstHash } = await followerDataDir(BLOCKS);
    const follower = await openFollower(dir);
    try {
      expect(follower.chain.headNumber).to.equal(BigInt(BLOCKS));
      expect(follower.chain.heldInMemory.blocks, "decoded blocks in memory after opening").to.be.at.most(RECENT);
      const block1 = follower.chain.resolveBlock(1n);
      expect(bytesToHex(block1.block.hash())).to.equal(firstHash);
      expect(follower.chain.getTransaction(first.hash())?.location.blockNumber).to.equal(1n);
      expect(follower.chain.getReceipt(first.hash())?.status).to.equal(1);
      for (let n = 1n; n <= BigInt(BLOCKS); n++) follower.chain.resolveBlock(n);
      expect(follower.chain.heldInMemory.blocks, "after reading every block").to.be.at.most(
        RECENT + DEFAULT_ARCHIVE_CACHE_BLOCKS,
      );
    } finally {
      await follower.close();
    }
  });

  it(`holds its per-block records (L1 origin, anchor) of the newest ${RECENT} blocks only, and still answers for older ones`, async () => {
    // Blocks above FINAL_UP_TO are provisional: the safe block lies below the records held in memory.
    const FINAL_UP_TO = 3;
    const { dir } = await followerDataDir(FINAL_UP_TO);
    const follower = await openFollower(dir);
    try {
      expect(follower.heldInMemory.metas, "block records in memory after opening").to.be.at.most(RECENT);
      expect(follower.heldInMemory.anchors, "anchors in memory after opening").to.be.at.most(RECENT);
      expect(follower.status().safe, "the safe block, read from disk").to.equal(BigInt(FINAL_UP_TO));
      expect(follower.status().finalized, "nothing is finalized before L1 is read").to.equal(0n);
      expect(follower.chain.resolveBlock(0n).block.header.number, "the genesis block, long out of the newest").to.equal(
        0n,
      );
      for (const n of [1n, BigInt(BLOCKS)]) {
        const produced = await follower.producedBlock(n);
        expect(produced?.consumedMessages, `block ${n}'s anchor`).to.equal(0);
        expect(produced?.firstMessageNonce, `block ${n}'s anchor`).to.equal(0n);
      }
    } finally {
      await follower.close();
    }
  });

  /**
   * A rewind (an L1 reorganisation, a challenge, L1 naming another block at a height: every undo
   * path ends in `truncateTo`) re-creates the chain over the kept blocks. Built as one array, the
   * kept history was all decoded at once, as a resume's was before round 28: the peak grew with
   * the chain's length at every rewind. Counted here without timing or a heap limit: each block
   * the store decodes is watched through a WeakRef, and at each decode, after a full collection,
   * the decoded blocks still reachable are counted.
   */
  it(`undoing blocks re-creates the chain with at most ${RECENT} + 1 decoded blocks reachable at once`, async () => {
    const { dir, firstHash } = await followerDataDir(BLOCKS);
    const follower = await openFollower(dir);
    setFlagsFromString("--expose-gc");
    const collectGarbage = runInNewContext("gc") as () => void;
    const decoded: WeakRef<Block>[] = [];
    let peak = 0;
    const watch = (block: Block): void => {
      collectGarbage();
      peak = Math.max(peak, decoded.filter((ref) => ref.deref() !== undefined).length + 1);
      decoded.push(new WeakRef(block));
    };
    // The follower's own store, its two ways of decoding a stored block: a point read (the chain's
    // read-back of an old block) and the in-order history a chain is created from.
    const store = (follower as unknown as { store: L2Store }).store;
    const readBlock = store.readBlock.bind(store);
    store.readBlock = (number, common) => {
      const record = readBlock(number, common);
      if (record !== undefined) watch(record.block);
      return record;
    };
    const blocks = store.blocks.bind(store);
    store.blocks = async function* (common: Common): AsyncGenerator<StoredBlock> {
      for await (const stored of blocks(common)) {
        watch(stored.record.block);
        yield stored;
      }
    };
    const keep = BigInt(BLOCKS - 2);
    try {
      await (follower as unknown as { truncateTo(n: bigint, ops: readonly never[]): Promise<void> }).truncateTo(
        keep,
        [],
      );
      expect(follower.chain.headNumber).to.equal(keep);
      expect(follower.chain.heldInMemory.blocks, "after the rewind").to.be.at.most(RECENT);
      expect(bytesToHex(follower.chain.resolveBlock(1n).block.hash()), "block 1 after the rewind").to.equal(firstHash);
      expect(decoded.length, "blocks decoded during the rewind").to.be.at.least(Number(keep) - RECENT);
      // The new chain's newest RECENT and the one it is indexing: the kept history is read in order, not held.
      expect(peak, "decoded blocks reachable at once during the rewind").to.be.at.most(RECENT + 1);
    } finally {
      await follower.close();
    }
  });
});
