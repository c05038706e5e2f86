import { ClassicLevel } from "classic-level";
import type { BatchDBOp, DB } from "@ethereumjs/util";

import { type StoredValue, valueBytes as toBytes } from "../../precompiles";

/**
 * An EthereumJS `DB` on LevelDB: the chain's state trie and its records survive a restart.
 * Keys are strings (EthereumJS tries pass unprefixed hex); values are stored as bytes.
 */
export class LevelDB implements DB<string, StoredValue> {
  private constructor(private readonly level: ClassicLevel<string, Uint8Array>) {}

  /** Opens (creating if needed) the database in `directory`. */
  static async open(directory: string): Promise<LevelDB> {
    const level = new ClassicLevel<string, Uint8Array>(directory, { keyEncoding: "utf8", valueEncoding: "view" });
    await level.open();
    return new LevelDB(level);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const value = await this.level.get(key);
    return value === undefined ? undefined : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }

  /**
   * A point read without awaiting (LevelDB's own synchronous get: microseconds for a record in
   * its block cache, one file read otherwise): for callers whose API is synchronous, such as the
   * chain's block archive.
   */
  getSync(key: string): Uint8Array | undefined {
    const value = this.level.getSync(key);
    return value === undefined ? undefined : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }

  async put(key: string, value: StoredValue): Promise<void> {
    await this.level.put(key, toBytes(value));
  }

  async del(key: string): Promise<void> {
    await this.level.del(key);
  }

  /** Applies all operations atomically: a crash leaves all or none of them. */
  async batch(ops: BatchDBOp<string, StoredValue>[]): Promise<void> {
    await this.level.batch(
      ops.map((op) =>
        op.type === "put"
          ? { type: "put" as const, key: op.key, value: toBytes(op.value) }
          : { type: "del" as const, key: op.key },
      ),
    );
  }

  /** Every entry whose key starts with `prefix`, in key order (record stores list with it). */
  async entries(prefix: string): Promise<[string, Uint8Array][]> {
    const out: [string, Uint8Array][] = [];
    // "\uffff" sorts after every character a key of ours uses: the range is exactly the prefix.
    for await (const [key, value] of this.level.iterator({ gte: prefix, lt: `${prefix}\uffff` })) {
      out.push([key, new Uint8Array(value.buffer, value.byteOffset, value.byteLength)]);
    }
    return out;
  }

  shallowCopy(): DB<string, StoredValue> {
    return this;
  }

  async open(): Promise<void> {
    if (this.level.status !== "open") await this.level.open();
  }

  async close(): Promise<void> {
    await this.level.close();
  }
}
