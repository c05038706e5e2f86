// Which rollup a node's data directory belongs to. The store checks the genesis hash, but two
// rollups may be deployed for one genesis file (same hash): without this, a node of the second
// opened the first one's chain and served it, and built on it, as its own.
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

import { getAddress } from "ethers";

import { NodeError } from "../errors";

/** The file, beside the chain's `chaindata/`, that names the rollup whose chain the directory holds. */
export const DATA_DIR_OWNER_FILE = "rollup-owner.json";

/** A rollup, as a data directory records it. */
export interface DataDirOwner {
  readonly rollup: string;
  readonly l1ChainId: bigint;
}

/** The data directory holds another rollup's chain (DATA_DIR_OTHER_ROLLUP), or its owner record does not parse. */
export class DataDirOwnerError extends NodeError {}

/**
 * Records `owner` in `dataDir` the first time (or with `reset`, which starts the chain afresh), and
 * refuses a directory recorded for another rollup or another L1, before the chain is opened.
 */
export async function claimDataDir(dataDir: string, owner: DataDirOwner, reset: boolean): Promise<void> {
  const file = path.join(dataDir, DATA_DIR_OWNER_FILE);
  const wanted = { rollup: getAddress(owner.rollup), l1ChainId: owner.l1ChainId.toString() };
  if (!reset && existsSync(file)) {
    let stored: { rollup?: unknown; l1ChainId?: unknown };
    try {
      stored = JSON.parse(await readFile(file, "utf8")) as typeof stored;
    } catch (error) {
      throw new DataDirOwnerError(
        "DATA_DIR_OWNER_UNREADABLE",
        `${file} does not parse: ${(error as Error).message}`,
        `delete it if ${dataDir} holds this rollup's chain, or give the node another --data-dir`,
      );
    }
    if (stored.rollup === wanted.rollup && stored.l1ChainId === wanted.l1ChainId) return;
    throw new DataDirOwnerError(
      "DATA_DIR_OTHER_ROLLUP",
      `the data directory ${dataDir} holds the chain of the rollup ${String(stored.rollup)} on L1 chain ${String(stored.l1ChainId)}, not of ${wanted.rollup} on L1 chain ${wanted.l1ChainId}`,
      "give this rollup's node its own --data-dir (the default is l2/, follower/ for a follower, beside its deployment record); --reset deletes that chain and starts this one",
    );
  }
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${JSON.stringify(wanted, null, 2)}\n`);
}
