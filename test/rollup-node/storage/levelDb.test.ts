import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { ValueEncoding, bytesToHex, utf8ToBytes } from "@ethereumjs/util";
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { LevelDB } from "../../../rollup-node/storage/levelDb";

describe("LevelDB trie storage", () => {
  let directory: string;

  beforeEach(() => {
    directory = mkdtempSync(path.join(tmpdir(), "native-rollup-level-"));
  });

  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it("keeps a trie readable after the database is closed and reopened", async () => {
    const first = await LevelDB.open(directory);
    const trie = new MerklePatriciaTrie({ db: first, useKeyHashing: true, valueEncoding: ValueEncoding.Bytes });
    await trie.put(utf8ToBytes("alice"), utf8ToBytes("100"));
    await trie.put(utf8ToBytes("bob"), utf8ToBytes("200"));
    const root = trie.root();
    await first.close();

    const second = await LevelDB.open(directory);
    const reopened = new MerklePatriciaTrie({
      db: second,
      useKeyHashing: true,
      valueEncoding: ValueEncoding.Bytes,
      root,
    });
    expect(bytesToHex((await reopened.get(utf8ToBytes("bob")))!)).to.equal(bytesToHex(utf8ToBytes("200")));
    await second.close();
  });

  it("answers undefined for a missing key and applies batches atomically", async () => {
    const db = await LevelDB.open(directory);
    expect(await db.get("absent")).to.equal(undefined);
    await db.batch([
      { type: "put", key: "a", value: Uint8Array.from([1]) },
      { type: "put", key: "b", value: "0203" },
      { type: "del", key: "a" },
    ]);
    expect(await db.get("a")).to.equal(undefined);
    expect(Array.from((await db.get("b"))!)).to.deep.equal([2, 3]);
    await db.close();
  });
});
