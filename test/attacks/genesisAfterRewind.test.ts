import { createBlock } from "@ethereumjs/block";
import { Common, Hardfork, Mainnet } from "@ethereumjs/common";
import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";

import { type BlockArchive, BlockStore } from "../../rollup-node/chain/blockStore";
import type { BlockRecord } from "../../rollup-node/chain/types";

const common = new Common({ chain: Mainnet, hardfork: Hardfork.Osaka });

/** A header-only block `number` on `parent`; `salt` makes a re-mined block's hash differ. */
function blockOn(parent: BlockRecord | undefined, number: bigint, salt: number): BlockRecord {
  const block = createBlock(
    {
      header: {
        number,
        parentHash: parent?.block.hash() ?? new Uint8Array(32),
        timestamp: 1_700_000_000n + number,
        extraData: new Uint8Array([salt]),
      },
    },
    { common },
  );
  return { block, receipts: [] };
}

/** An archive that, like the stores', writes mined blocks only (never genesis), as each is added. */
class MemoryArchive implements BlockArchive {
  readonly records = new Map<bigint, BlockRecord>();
  archivedHead = 0n;
  write(record: BlockRecord): void {
    const n = record.block.header.number;
    if (n === 0n) return;
    this.records.set(n, record);
    this.archivedHead = n;
  }
  readBlock(number: bigint): BlockRecord | undefined {
    return this.records.get(number);
  }
  blockNumberOf(hash: Uint8Array): bigint | undefined {
    for (const [n, r] of this.records) if (bytesToHex(r.block.hash()) === bytesToHex(hash)) return n;
    return undefined;
  }
  txLocation(): undefined {
    return undefined;
  }
  forgetAbove(number: bigint): void {
    for (const n of [...this.records.keys()]) if (n > number) this.records.delete(n);
    if (this.archivedHead > number) this.archivedHead = number;
  }
}

/**
 * s22-mem keeps genesis past the archive bound. A dev revert (or a follower's reorganisation) to
 * block 0 after genesis left the newest blocks, then a new chain longer than the bound: every
 * answer about block 0 and the blocks dropped must be what a store holding everything answers
 * (attack-review-s22.md, item 3).
 */
describe("attack: the block store's genesis through a rewind to block 0 past the archive bound", () => {
  it("answers block 0, its hash and the dropped blocks as a store without a bound does", () => {
    const archive = new MemoryArchive();
    const bounded = new BlockStore({ archive, common, recentBlocks: 2 });
    const unbounded = new BlockStore();
    const add = (record: BlockRecord): void => {
      archive.write(record);
      bounded.add(record);
      unbounded.add(record);
    };
    const genesis = blockOn(undefined, 0n, 0);
    add(genesis);
    let parent = genesis;
    const first: BlockRecord[] = [];
    for (let n = 1n; n <= 6n; n++) {
      parent = blockOn(parent, n, 1);
      first.push(parent);
      add(parent);
    }
    // Genesis has left the newest blocks of the bounded store (it holds 2).
    expect(bounded.blocksInMemory).to.equal(2);
    for (const store of [bounded, unbounded]) store.truncate(0n);
    parent = genesis;
    for (let n = 1n; n <= 5n; n++) {
      parent = blockOn(parent, n, 2);
      add(parent);
    }
    for (const store of [bounded, unbounded]) {
      expect(store.headNumber).to.equal(5n);
      expect(store.byNumberOrUndefined(0n)?.block.hash()).to.deep.equal(genesis.block.hash());
      expect(store.byHash(genesis.block.hash())?.block.header.number).to.equal(0n);
      expect(store.byNumberOrUndefined(1n)?.block.header.parentHash).to.deep.equal(genesis.block.hash());
      for (const dropped of first) expect(store.byHash(dropped.block.hash())).to.equal(undefined);
    }
    expect(bounded.blocksInMemory).to.be.at.most(3);
    // A second rewind to genesis, from a chain whose genesis had left `recent` again.
    for (const store of [bounded, unbounded]) store.truncate(0n);
    for (const store of [bounded, unbounded]) {
      expect(store.headNumber).to.equal(0n);
      expect(store.byHash(genesis.block.hash())?.block.header.number).to.equal(0n);
      expect(store.byNumberOrUndefined(1n)).to.equal(undefined);
    }
  });
});
