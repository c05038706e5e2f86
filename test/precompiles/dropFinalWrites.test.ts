import { ValueEncoding, createAccount, createAddressFromString } from "@ethereumjs/util";
import { expect } from "chai";

import { l2Common } from "../../precompiles";
import { LazyHashTrie } from "../../precompiles/lazyHashTrie";
import { BlockBufferedStateManager } from "../../precompiles/verifierStateManager";
import { WitnessDB } from "../../precompiles/witness";

/**
 * EXECUTE's last commit (`dropWritesAtLastCommit`, docs/design/l2-throughput.md stop 26): the
 * commit that closes the block's checkpoint writes nothing into the witness database, while every
 * earlier commit and the state root are as without it.
 */

/** A witness database that counts the entries written into it. */
class CountingWitnessDB extends WitnessDB {
  written = 0;

  override async put(key: Uint8Array | string, value: Uint8Array | string): Promise<void> {
    this.written++;
    await super.put(key, value);
  }
}

interface BlockRun {
  readonly root: string;
  readonly writtenAfterRoot: number;
  readonly writtenAtEnd: number;
  readonly balanceAfterInnerCommit: bigint | undefined;
}

/** A block's checkpoint around two transactions' checkpoints, as runBlock nests them. */
async function runBlockShape(drop: boolean): Promise<BlockRun> {
  const common = l2Common(926n);
  const db = new CountingWitnessDB({ state: [], codes: [] });
  const trie = new LazyHashTrie({ db, useKeyHashing: true, common, valueEncoding: ValueEncoding.Bytes });
  const state = new BlockBufferedStateManager({ trie, common });
  if (drop) state.dropWritesAtLastCommit();
  const alice = createAddressFromString("0x00000000000000000000000000000000000a11ce");
  const bob = createAddressFromString("0x0000000000000000000000000000000000000b0b");
  await state.checkpoint(); // the block
  await state.checkpoint(); // a transaction that commits
  await state.putAccount(alice, createAccount({ balance: 5n }));
  await state.commit();
  await state.checkpoint(); // a transaction that reverts
  await state.putAccount(bob, createAccount({ balance: 7n }));
  await state.revert();
  const balanceAfterInnerCommit = (await state.getAccount(alice))?.balance;
  const root = Buffer.from(await state.getStateRoot()).toString("hex");
  const writtenAfterRoot = db.written;
  await state.commit(); // the block's
  return { root, writtenAfterRoot, writtenAtEnd: db.written, balanceAfterInnerCommit };
}

describe("the verifier's last commit", () => {
  it("writes nothing into the witness database, with the same root and inner commits", async () => {
    const kept = await runBlockShape(false);
    const dropped = await runBlockShape(true);
    expect(dropped.root).to.equal(kept.root);
    expect(dropped.balanceAfterInnerCommit).to.equal(5n);
    expect(kept.balanceAfterInnerCommit).to.equal(5n);
    expect(dropped.writtenAfterRoot).to.equal(kept.writtenAfterRoot);
    // Not vacuous: without the drop the block's commit writes the flushed nodes.
    expect(kept.writtenAtEnd).to.be.greaterThan(kept.writtenAfterRoot);
    expect(dropped.writtenAtEnd).to.equal(dropped.writtenAfterRoot);
  });
});
