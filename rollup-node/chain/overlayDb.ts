import type { BatchDBOp, DB, EncodingOpts } from "@ethereumjs/util";

import { type StoredValue, keyOf, valueBytes } from "../../precompiles/witness";

/**
 * A trie database that reads through to `inner` but keeps every write in memory.
 *
 * Witness capture re-executes a block that is already stored; its intermediate trie nodes
 * (written after every transaction, since the capture runs without caches) are garbage that
 * must not reach the chain's database.
 */
export class OverlayDB implements DB<string, StoredValue> {
  private readonly writes = new Map<string, Uint8Array>();

  constructor(private readonly inner: DB<string, StoredValue>) {}

  async get(key: string, opts?: EncodingOpts): Promise<StoredValue | undefined> {
    return this.writes.get(keyOf(key)) ?? (await this.inner.get(key, opts));
  }

  async put(key: string, value: StoredValue): Promise<void> {
    this.writes.set(keyOf(key), valueBytes(value));
  }

  // Nodes are content-addressed and shared between states: deleting one could hide it from the
  // inner database's other roots, so deletes are ignored (as the verifier's database does).
  async del(): Promise<void> {}

  async batch(ops: BatchDBOp<string, StoredValue>[]): Promise<void> {
    for (const op of ops) if (op.type === "put") await this.put(op.key, op.value);
  }

  shallowCopy(): DB<string, StoredValue> {
    return this;
  }

  async open(): Promise<void> {}
}
