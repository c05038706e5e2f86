import { CheckpointDB } from "@ethereumjs/mpt";
import { type BatchDBOp, type DB, type EncodingOpts, MapDB, ValueEncoding } from "@ethereumjs/util";
import { strict as assert } from "node:assert";
import { expect } from "chai";

import { HexKeyCheckpointDB } from "../../precompiles/hexKeyCheckpointDB";
import { Rng } from "../../tools/executeFuzz";

/**
 * Differential test of `HexKeyCheckpointDB` against EthereumJS's `CheckpointDB`: the same random
 * operations (get, put, del, batch, checkpoint, commit, revert, checkpoints copied in) on each, over
 * its own recording database, in both value encodings, with and without the LRU cache. Required
 * equal: every answer, every call the database received (method, key, value, options, in order),
 * the statistics, and the checkpoint maps after each step.
 */

/** Draws from the fuzzer's seeded generator (mulberry32): the cases are the same on every run. */
type Random = () => number;

function generator(seed: number): Random {
  const rng = new Rng(seed);
  return () => rng.next();
}

/** A database over a `MapDB` that logs every call it receives, values as hex for comparison. */
class LoggingDB implements DB<string, string | Uint8Array> {
  readonly log: unknown[] = [];
  private readonly inner = new MapDB<string, string | Uint8Array>();

  async get(key: string, opts?: EncodingOpts): Promise<string | Uint8Array | undefined> {
    this.log.push(["get", key, opts]);
    return this.inner.get(key);
  }

  async put(key: string, value: string | Uint8Array, opts?: EncodingOpts): Promise<void> {
    this.log.push(["put", key, shown(value), opts]);
    await this.inner.put(key, value);
  }

  async del(key: string, opts?: EncodingOpts): Promise<void> {
    this.log.push(["del", key, opts]);
    await this.inner.del(key);
  }

  async batch(ops: BatchDBOp<string, string | Uint8Array>[]): Promise<void> {
    this.log.push(["batch", ops.map((op) => ({ ...op, value: shown((op as { value?: unknown }).value) }))]);
    for (const op of ops) {
      if (op.type === "put") await this.inner.put(op.key, op.value);
      else await this.inner.del(op.key);
    }
  }

  shallowCopy(): DB<string, string | Uint8Array> {
    return this;
  }

  async open(): Promise<void> {}
}

/** A value for deep comparison: bytes as `b:<hex>`, strings as themselves, the rest as it is. */
function shown(value: unknown): unknown {
  return value instanceof Uint8Array ? `b:${Buffer.from(value).toString("hex")}` : value;
}

/**
 * A string that tells apart everything compared here (a property holding undefined included, which
 * JSON drops): compared as strings with node:assert, since chai's comparisons under Hardhat's matchers are too
 * slow for thousands of steps (a minute and more per case).
 */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, item) => (item === undefined ? "<undefined>" : item)) ?? "<undefined>";
}

/** Keys from a small set (so reads hit writes and checkpoints), of the lengths a trie uses and others. */
function randomKey(random: Random): Uint8Array {
  const length = [32, 32, 32, 1, 20, 33][Math.floor(random() * 6)];
  return Uint8Array.from({ length }, () => [0x00, 0x0a, 0xff][Math.floor(random() * 3)]);
}

function randomValue(random: Random): Uint8Array {
  return Uint8Array.from({ length: Math.floor(random() * 40) }, () => Math.floor(random() * 256));
}

function randomOp(random: Random): BatchDBOp {
  const opts = random() < 0.3 ? { keyEncoding: "string" as const } : undefined;
  return random() < 0.75
    ? { type: "put", key: randomKey(random), value: randomValue(random), opts }
    : { type: "del", key: randomKey(random), opts };
}

function checkpointMaps(db: CheckpointDB): unknown {
  return db.checkpoints.map(({ root, keyValueMap }) => [shown(root), [...keyValueMap].map(([k, v]) => [k, shown(v)])]);
}

interface Side {
  readonly db: CheckpointDB;
  readonly log: LoggingDB;
}

async function step(side: Side, action: string, args: readonly unknown[]): Promise<unknown> {
  const { db } = side;
  try {
    switch (action) {
      case "get":
        return shown(await db.get(args[0] as Uint8Array));
      case "put":
        return await db.put(args[0] as Uint8Array, args[1] as Uint8Array);
      case "del":
        return await db.del(args[0] as Uint8Array);
      case "batch":
        return await db.batch(args[0] as BatchDBOp[]);
      case "checkpoint":
        return db.checkpoint(args[0] as Uint8Array);
      case "commit":
        return await db.commit();
      case "revert":
        return shown(await db.revert());
      case "setCheckpoints":
        return db.setCheckpoints(db.checkpoints);
      default:
        throw new Error(`unknown action ${action}`);
    }
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

describe("HexKeyCheckpointDB (EthereumJS's CheckpointDB with hex keys made natively)", () => {
  for (const valueEncoding of [ValueEncoding.Bytes, ValueEncoding.String]) {
    for (const cacheSize of [0, 8]) {
      it(`answers, writes and counts as CheckpointDB does (${valueEncoding} values, cache ${cacheSize})`, async () => {
        const met = { reads: 0, hits: 0, commitsToDb: 0, reverts: 0, batchesToDb: 0 };
        for (let trial = 0; trial < 25; trial++) {
          const random = generator(
            20261129 + trial * 7919 + cacheSize + (valueEncoding === ValueEncoding.String ? 1 : 0),
          );
          const upstreamLog = new LoggingDB();
          const hexLog = new LoggingDB();
          const upstream: Side = {
            db: new CheckpointDB({ db: upstreamLog, cacheSize, valueEncoding }),
            log: upstreamLog,
          };
          const native: Side = { db: new HexKeyCheckpointDB({ db: hexLog, cacheSize, valueEncoding }), log: hexLog };
          for (let i = 0; i < 120; i++) {
            const r = random();
            const depth = upstream.db.checkpoints.length;
            let action: string;
            let args: unknown[] = [];
            if (r < 0.3) [action, args] = ["get", [randomKey(random)]];
            else if (r < 0.5) [action, args] = ["put", [randomKey(random), randomValue(random)]];
            else if (r < 0.56) [action, args] = ["del", [randomKey(random)]];
            else if (r < 0.7)
              [action, args] = ["batch", [Array.from({ length: Math.floor(random() * 5) }, () => randomOp(random))]];
            else if (r < 0.8) [action, args] = ["checkpoint", [randomKey(random)]];
            else if (r < 0.9) action = depth > 0 ? "commit" : "get";
            else if (r < 0.97) action = depth > 0 ? "revert" : "checkpoint";
            else action = "setCheckpoints";
            if (action === "get" && args.length === 0) args = [randomKey(random)];
            if (action === "checkpoint" && args.length === 0) args = [randomKey(random)];
            if (action === "commit" && depth === 1) met.commitsToDb++;
            if (action === "revert") met.reverts++;
            if (action === "batch" && depth === 0) met.batchesToDb++;
            const logged = upstream.log.log.length;
            const expected = await step(upstream, action, args);
            const actual = await step(native, action, args);
            const where = `trial ${trial}, step ${i} (${action})`;
            assert.equal(canonical(actual), canonical(expected), where);
            assert.equal(native.log.log.length, upstream.log.log.length, where);
            assert.equal(canonical(native.log.log.slice(logged)), canonical(upstream.log.log.slice(logged)), where);
            assert.equal(canonical(native.db._stats), canonical(upstream.db._stats), where);
            assert.equal(canonical(checkpointMaps(native.db)), canonical(checkpointMaps(upstream.db)), where);
          }
          met.reads += upstream.db._stats.db.reads;
          met.hits += upstream.db._stats.db.hits;
        }
        // Not vacuous: database reads that hit and miss, outermost commits and batches, reverts.
        expect(met.hits).to.be.greaterThan(10);
        expect(met.reads - met.hits).to.be.greaterThan(50);
        expect(met.commitsToDb).to.be.greaterThan(20);
        expect(met.batchesToDb).to.be.greaterThan(20);
        expect(met.reverts).to.be.greaterThan(20);
      });
    }
  }
});
