import { type BatchDBOp, bytesToUtf8, utf8ToBytes } from "@ethereumjs/util";

import type { StoredValue } from "../../precompiles";
import type { L2Store } from "../l2/store";
import { DataDirError } from "../l2/errors";

/**
 * The follower's records, next to the L2 node's own (rollup-node/l2/store.ts) in the same
 * LevelDB, so that a follower's data directory holds exactly what a sequencer's does (blocks,
 * receipts, anchors, state) plus where on L1 each block came from:
 *
 * - `follower:meta:<number as 16 hex digits>` → JSON `BlockMeta` of each derived block, written in
 *   the block's own batch (L2Store.commitBlock's `extraOps`), updated when L1 finalizes it;
 * - `follower:cursor` → JSON `L1Pointer`: the last L1 block whose events are all applied;
 * - `follower:blocked` → JSON `BlockedProposal`: a provisional block that did not execute
 *   (optimistic mode), waiting for the challenge that must remove it.
 */
const META_PREFIX = "follower:meta:";
const CURSOR_KEY = "follower:cursor";
const BLOCKED_KEY = "follower:blocked";

/** An L1 block, by number and hash (the hash tells whether it is still canonical). */
export interface L1Pointer {
  readonly number: number;
  readonly hash: string;
}

/** Where on L1 a derived block came from and where L1 made it final. */
export interface BlockMeta {
  readonly blockHash: string;
  /** The L1 block and transaction that accepted (`advance`) or proposed it. */
  readonly origin: L1Pointer & { readonly transactionHash: string };
  /** The L1 block in which the rollup made it final (`advance`, or `finalize`/`prove` for a provisional one). */
  readonly finalAt?: L1Pointer;
}

/** A proposal whose body did not execute to its hash: derivation waits at it. */
export interface BlockedProposal {
  readonly number: string;
  readonly blockHash: string;
  readonly reason: string;
}

const metaKey = (number: bigint): string => `${META_PREFIX}${number.toString(16).padStart(16, "0")}`;

function encode(value: unknown): Uint8Array {
  return utf8ToBytes(JSON.stringify(value));
}

function decode<T>(bytes: Uint8Array | undefined, what: string): T | undefined {
  if (bytes === undefined) return undefined;
  try {
    return JSON.parse(bytesToUtf8(bytes)) as T;
  } catch {
    throw new DataDirError(`the follower record ${what} does not decode`, "the data directory is damaged: reset it");
  }
}

/** The batch operation writing `meta` for block `number`. */
export function putMeta(number: bigint, meta: BlockMeta): BatchDBOp<string, StoredValue> {
  return { type: "put", key: metaKey(number), value: encode(meta) };
}

/** The batch operation deleting block `number`'s meta. */
export function deleteMeta(number: bigint): BatchDBOp<string, StoredValue> {
  return { type: "del", key: metaKey(number) };
}

/** The batch operation writing the cursor. */
export function putCursor(cursor: L1Pointer): BatchDBOp<string, StoredValue> {
  return { type: "put", key: CURSOR_KEY, value: encode(cursor) };
}

/** The batch operation writing (or clearing) the blocked proposal. */
export function putBlocked(blocked: BlockedProposal | undefined): BatchDBOp<string, StoredValue> {
  return blocked === undefined
    ? { type: "del", key: BLOCKED_KEY }
    : { type: "put", key: BLOCKED_KEY, value: encode(blocked) };
}

/** Reads block `number`'s meta from disk; a block without one means a data directory no follower wrote. */
export async function readMeta(store: L2Store, number: bigint): Promise<BlockMeta> {
  const meta = decode<BlockMeta>(await store.db.get(metaKey(number)), metaKey(number));
  if (meta === undefined) {
    throw new DataDirError(
      `block ${number} has no follower record`,
      "this data directory was not written by a follower (a sequencer's cannot be followed into): use another --data-dir",
    );
  }
  return meta;
}

/**
 * The metas of the newest `bound` derived blocks in memory, older ones read back from disk
 * (`follower:meta:`, where every meta is written in its block's batch). A follower runs as long
 * as a sequencer: one meta per block in memory would grow without end (about 0.5 KB a block).
 * What reads them reads near the head (the next event, the reorganisation walk, finality), so
 * the disk is read only for a finalization or a reorganisation that reaches further back.
 */
export class MetaWindow {
  /** Metas of blocks `end - held.length + 1 .. end`. */
  private held: BlockMeta[] = [];

  private constructor(
    private readonly store: L2Store,
    private readonly bound: number,
    /** The highest block with a meta (the derived head). */
    private end: bigint,
  ) {}

  /** The window over blocks 1..`head`: their newest `bound` metas, read from disk (each must exist). */
  static async load(store: L2Store, head: bigint, bound: number): Promise<MetaWindow> {
    const window = new MetaWindow(store, bound, head);
    const from = head - BigInt(bound) + 1n > 1n ? head - BigInt(bound) + 1n : 1n;
    for (let n = from; n <= head; n++) window.held.push(await readMeta(store, n));
    return window;
  }

  /** Metas held in memory (at most the bound). */
  get size(): number {
    return this.held.length;
  }

  /** Block `number`'s meta (1 ≤ number ≤ the head): from memory when recent, else from disk. */
  async get(number: bigint): Promise<BlockMeta> {
    const index = this.indexOf(number);
    return index === undefined ? readMeta(this.store, number) : (this.held[index] as BlockMeta);
  }

  /** The meta of the new head block (its record is written by the caller, in the block's batch). */
  push(meta: BlockMeta): void {
    this.end++;
    this.held.push(meta);
    if (this.held.length > this.bound) this.held.shift();
  }

  /** Replaces block `number`'s meta in memory if held (the caller writes it to disk with putMeta). */
  set(number: bigint, meta: BlockMeta): void {
    const index = this.indexOf(number);
    if (index !== undefined) this.held[index] = meta;
  }

  /** Forgets the metas above `number` (the caller deletes them on disk). */
  truncate(number: bigint): void {
    if (number >= this.end) return;
    const first = this.end - BigInt(this.held.length) + 1n;
    this.held = number < first ? [] : this.held.slice(0, Number(number - first + 1n));
    this.end = number;
  }

  private indexOf(number: bigint): number | undefined {
    const index = this.held.length - 1 - Number(this.end - number);
    return index >= 0 && index < this.held.length ? index : undefined;
  }
}

/** Reads the follower's cursor and blocked proposal, and the metas of the newest `recent` of blocks 1..`head`. */
export async function loadFollowerRecords(
  store: L2Store,
  head: bigint,
  recent: number,
): Promise<{ metas: MetaWindow; cursor: L1Pointer | undefined; blocked: BlockedProposal | undefined }> {
  return {
    metas: await MetaWindow.load(store, head, recent),
    cursor: decode<L1Pointer>(await store.db.get(CURSOR_KEY), CURSOR_KEY),
    blocked: decode<BlockedProposal>(await store.db.get(BLOCKED_KEY), BLOCKED_KEY),
  };
}

/** Applies follower-only operations atomically. */
export async function writeFollowerRecords(
  store: L2Store,
  ops: readonly BatchDBOp<string, StoredValue>[],
): Promise<void> {
  if (ops.length > 0) await store.db.batch([...ops]);
}
