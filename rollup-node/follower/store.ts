import { type BatchDBOp, bytesToUtf8, utf8ToBytes } from "@ethereumjs/util";

import { type StoredValue } from "../../precompiles";
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

/** Reads the follower's records of blocks 1..`head`. */
export async function loadFollowerRecords(
  store: L2Store,
  head: bigint,
): Promise<{ metas: BlockMeta[]; cursor: L1Pointer | undefined; blocked: BlockedProposal | undefined }> {
  const metas: BlockMeta[] = [];
  for (let n = 1n; n <= head; n++) {
    const meta = decode<BlockMeta>(await store.db.get(metaKey(n)), metaKey(n));
    if (meta === undefined) {
      throw new DataDirError(
        `block ${n} has no follower record`,
        "this data directory was not written by a follower (a sequencer's cannot be followed into): use another --data-dir",
      );
    }
    metas.push(meta);
  }
  return {
    metas,
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
