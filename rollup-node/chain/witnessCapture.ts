import type { Block } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import type { EVMMockBlockchainInterface } from "@ethereumjs/evm";
import { type DB, ValueEncoding, bytesToHex, equalsBytes } from "@ethereumjs/util";
import { createVM, runBlock } from "@ethereumjs/vm";

import {
  DecodedNodeTrie,
  RecordingDB,
  SafeMerkleStateManager,
  type StoredValue,
  type Witness,
  executionView,
} from "../../precompiles";
import type { BlockStore } from "./blockStore";
import { WitnessCaptureError } from "./errors";
import { yieldBetweenTransactions } from "./executionYield";
import { OverlayDB } from "./overlayDb";

/** The chain's block store as BLOCKHASH sees it, remembering the lowest block number read. */
class RecordingBlockchain implements EVMMockBlockchainInterface {
  lowestRead: bigint;

  constructor(
    private readonly store: BlockStore,
    parentNumber: bigint,
  ) {
    this.lowestRead = parentNumber;
  }

  async getBlock(number: number | bigint | Uint8Array): Promise<Block> {
    if (number instanceof Uint8Array)
      throw new WitnessCaptureError(`block lookup by hash ${bytesToHex(number)} cannot be witnessed`);
    const wanted = BigInt(number);
    const record = this.store.byNumberOrUndefined(wanted);
    if (record === undefined) throw new Error(`block ${wanted} is not in this chain`);
    if (wanted < this.lowestRead) this.lowestRead = wanted;
    return record.block;
  }

  async putBlock(): Promise<void> {}

  shallowCopy(): RecordingBlockchain {
    return this;
  }
}

export interface CaptureParams {
  readonly common: Common;
  /** The chain's full-state trie database (holds the parent's state). */
  readonly db: DB<string, StoredValue>;
  readonly store: BlockStore;
  /** The state root the block executes on. */
  readonly preStateRoot: Uint8Array;
  /** The complete block (header with its final roots). */
  readonly block: Block;
}

/**
 * Re-executes a built block exactly as the EXECUTE verifier does (same state manager without
 * caches, same `runBlock` options) on the chain's database, recording every pre-state read.
 *
 * Mirroring the verifier rather than recording the builder's own cached run is what makes the
 * witness complete: with caches, trie writes are flushed in a different order at commit, and a
 * branch collapse that the verifier's per-transaction writes trigger (reading a sibling node)
 * may never happen in the builder, so its reads are not a superset of the verifier's.
 */
export async function captureWitness(params: CaptureParams): Promise<Witness> {
  const { block, store } = params;
  // A copy at the same fork: an EVM subscribes to its Common's hardforkChanged event for good,
  // so on the chain's own Common every capture's EVM (its state manager and recorded witness)
  // stayed reachable from the chain, one per block (#14).
  const common = params.common.copy();
  const parentNumber = block.header.number - 1n;
  const recording = new RecordingDB(new OverlayDB(params.db));
  // As the verifier's trie (verifyBlock's memoizeTrieNodes): the same reads, recorded the same,
  // each node's bytes RLP-decoded once per capture instead of on every walk from the root.
  const trie = new DecodedNodeTrie({
    db: recording,
    useKeyHashing: true,
    common,
    valueEncoding: ValueEncoding.Bytes,
  });
  const stateManager = new SafeMerkleStateManager({ trie, common });
  await stateManager.setStateRoot(params.preStateRoot);
  const blockchain = new RecordingBlockchain(store, parentNumber);
  const vm = await createVM({ common, stateManager, blockchain });
  // A second execution of the whole block: sockets are served between its transactions too.
  yieldBetweenTransactions(vm);
  // The block as the verifier hands it to runBlock (executionView): generate's closing rebuild of
  // the block then re-creates no transaction (a Common copy and a parameter merge each).
  const result = await runBlock(vm, {
    block: executionView(block),
    generate: true,
    skipBlockValidation: true,
    skipHardForkValidation: true,
  });
  if (!equalsBytes(result.stateRoot, block.header.stateRoot)) {
    throw new WitnessCaptureError(
      `re-execution of block ${block.header.number} gives state root ${bytesToHex(result.stateRoot)}, the block has ${bytesToHex(block.header.stateRoot)}`,
    );
  }
  // BLOCKHASH authenticates an ancestor through every header between it and the parent.
  const headers: Uint8Array[] = [];
  for (let n = blockchain.lowestRead; n < parentNumber; n++) {
    const record = store.byNumberOrUndefined(n);
    if (record === undefined) throw new WitnessCaptureError(`ancestor header ${n} is missing from the block store`);
    headers.push(record.block.header.serialize());
  }
  return recording.toWitness(headers);
}
