import type { DB, EncodingOpts } from "@ethereumjs/util";

import { InMemoryWritesDB, type StoredValue, keyOf } from "../../precompiles/verify";

/**
 * A trie database that reads through to `inner` but keeps every write in memory.
 *
 * Witness capture re-executes a block that is already stored; its intermediate trie nodes
 * (written after every transaction, since the capture runs without caches) are garbage that
 * must not reach the chain's database.
 */
export class OverlayDB extends InMemoryWritesDB {
  constructor(private readonly inner: DB<string, StoredValue>) {
    super();
  }

  async get(key: string, opts?: EncodingOpts): Promise<StoredValue | undefined> {
    return this.entries.get(keyOf(key)) ?? (await this.inner.get(key, opts));
  }
}
