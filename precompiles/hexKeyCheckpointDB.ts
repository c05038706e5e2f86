import { CheckpointDB } from "@ethereumjs/mpt";
import { type BatchDBOp, type EncodingOpts, KeyEncoding, ValueEncoding, unprefixedHexToBytes } from "@ethereumjs/util";

import { WitnessDB, toHex } from "./witness";

/** `fromLayers`: neither a checkpoint layer nor the cache holds the key (undefined is a value there: deleted). */
const NOT_IN_LAYERS = Symbol("not in layers");

/** One operation of the batch upstream's `batch` hands its database (a del carries `value: undefined`). */
interface DatabaseOp {
  readonly key: string;
  readonly value: string | Uint8Array | undefined;
  readonly type: "put" | "del";
  readonly opts: EncodingOpts;
}

/**
 * EthereumJS 10.1.3's `CheckpointDB` (mpt/dist/cjs/db/checkpointDB.js) with its hex keys made by
 * `toHex` (one native `Buffer#toString("hex")`) instead of `bytesToUnprefixedHex` (noble's
 * `bytesToHex`: one string concatenation per byte, a rope that every map lookup flattens again).
 * The strings are equal, character for character, so every map and database sees the keys it saw.
 *
 * Every read and write of a trie node goes through here (`lookupNode`'s `get`, `_formatNode`'s
 * `batch`, the block checkpoint's commit): the largest allocation site of a verification
 * (docs/design/gc-tuning.md §5). `get`, `put`, `del`, `batch` and `commit` do upstream's steps in
 * upstream's order (checkpoint maps from the newest, the LRU cache, the database with its encoding
 * options, the statistics); the final commit hands the database the hex keys it already holds
 * instead of turning them into bytes and back (the batch it sends is the one upstream's `batch`
 * would build from those bytes).
 */
export class HexKeyCheckpointDB extends CheckpointDB {
  /** Upstream's `valueEncoding` (private in its declaration): how values go to and come from the database. */
  private get encoding(): ValueEncoding {
    return (this as unknown as { readonly valueEncoding: ValueEncoding }).valueEncoding;
  }

  override async commit(): Promise<void> {
    const { keyValueMap } = this.checkpoints.pop() as { keyValueMap: Map<string, Uint8Array | undefined> };
    if (this.hasCheckpoints()) {
      const current = this.checkpoints[this.checkpoints.length - 1].keyValueMap;
      for (const [key, value] of keyValueMap.entries()) current.set(key, value);
      return;
    }
    // The outermost checkpoint: upstream's `batch` of the map's entries, in its order, keys as they are.
    const ops: DatabaseOp[] = [];
    for (const [key, value] of keyValueMap.entries())
      ops.push(this.convertedOp(key, value === undefined ? "del" : "put", value, undefined));
    await this.db.batch(ops as BatchDBOp<string, string | Uint8Array>[]);
  }

  override async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const keyHex = toHex(key);
    const layered = this.fromLayers(keyHex);
    if (layered !== NOT_IN_LAYERS) return layered;
    const value = await this.db.get(keyHex, { keyEncoding: KeyEncoding.String, valueEncoding: this.encoding });
    return this.remember(keyHex, value);
  }

  /**
   * The database when `getSync` may stand in for `get`: a `WitnessDB` whose `get` is its own (then
   * `readSync` does what it does), under this class's own `get`. A subclass or a wrapper of either
   * `get` (tests that record reads) keeps the asynchronous path, which it sees.
   */
  syncSource(): WitnessDB | undefined {
    const { db } = this;
    if (!(db instanceof WitnessDB) || db.get !== WitnessDB.prototype.get) return undefined;
    return this.get === HexKeyCheckpointDB.prototype.get ? db : undefined;
  }

  /** `get` without a promise, over `source` (what `syncSource` gave): the same steps, reads and statistics. */
  getSync(key: Uint8Array, source: WitnessDB): Uint8Array | undefined {
    const keyHex = toHex(key);
    const layered = this.fromLayers(keyHex);
    if (layered !== NOT_IN_LAYERS) return layered;
    return this.remember(keyHex, source.readSync(keyHex));
  }

  /** What the checkpoint layers (newest first) or the LRU cache answer for `keyHex`, or NOT_IN_LAYERS. */
  private fromLayers(keyHex: string): Uint8Array | undefined | typeof NOT_IN_LAYERS {
    const { checkpoints } = this;
    for (let index = checkpoints.length - 1; index >= 0; index--) {
      const map = checkpoints[index].keyValueMap;
      if (map.has(keyHex)) return map.get(keyHex);
    }
    if (this._cache !== undefined) {
      const cached = this._cache.get(keyHex);
      this._stats.cache.reads += 1;
      if (cached !== undefined) {
        this._stats.cache.hits += 1;
        return cached;
      }
    }
    return NOT_IN_LAYERS;
  }

  /** A database read's statistics, its value as bytes, kept in the cache and the newest checkpoint layer. */
  private remember(keyHex: string, value: string | Uint8Array | undefined): Uint8Array | undefined {
    this._stats.db.reads += 1;
    if (value !== undefined) this._stats.db.hits += 1;
    const returnValue =
      value === undefined ? undefined : value instanceof Uint8Array ? value : unprefixedHexToBytes(value);
    this._cache?.set(keyHex, returnValue);
    const { checkpoints } = this;
    if (checkpoints.length > 0) checkpoints[checkpoints.length - 1].keyValueMap.set(keyHex, returnValue);
    return returnValue;
  }

  override async put(key: Uint8Array, value: Uint8Array): Promise<void> {
    await this.putHex(toHex(key), value);
  }

  override async del(key: Uint8Array): Promise<void> {
    await this.delHex(toHex(key));
  }

  override async batch(opStack: BatchDBOp<Uint8Array, Uint8Array>[]): Promise<void> {
    if (this.hasCheckpoints()) {
      for (const op of opStack) {
        if (op.type === "put") await this.putHex(toHex(op.key), op.value);
        else if (op.type === "del") await this.delHex(toHex(op.key));
      }
      return;
    }
    const ops = opStack.map((op) =>
      this.convertedOp(toHex(op.key), op.type, op.type === "put" ? op.value : undefined, op.opts),
    );
    await this.db.batch(ops as BatchDBOp<string, string | Uint8Array>[]);
  }

  /** A database operation as upstream's `batch` builds it, for a hex key. */
  private convertedOp(
    key: string,
    type: "put" | "del",
    value: Uint8Array | undefined,
    opts: EncodingOpts | undefined,
  ): DatabaseOp {
    this._stats.db.writes += 1;
    const encoding = this.encoding;
    return {
      key,
      value: value !== undefined && encoding === ValueEncoding.String ? toHex(value) : value,
      type,
      opts: { ...opts, valueEncoding: encoding },
    };
  }

  private async putHex(keyHex: string, value: Uint8Array): Promise<void> {
    if (this.hasCheckpoints()) {
      this.checkpoints[this.checkpoints.length - 1].keyValueMap.set(keyHex, value);
      return;
    }
    const stored = this.encoding === ValueEncoding.Bytes ? value : toHex(value);
    await this.db.put(keyHex, stored as never, { keyEncoding: KeyEncoding.String, valueEncoding: this.encoding });
    this._stats.db.writes += 1;
    if (this._cache !== undefined) {
      this._cache.set(keyHex, value);
      this._stats.cache.writes += 1;
    }
  }

  private async delHex(keyHex: string): Promise<void> {
    if (this.hasCheckpoints()) {
      this.checkpoints[this.checkpoints.length - 1].keyValueMap.set(keyHex, undefined);
      return;
    }
    await this.db.del(keyHex, { keyEncoding: KeyEncoding.String });
    this._stats.db.writes += 1;
    if (this._cache !== undefined) {
      this._cache.set(keyHex, undefined);
      this._stats.cache.writes += 1;
    }
  }
}
