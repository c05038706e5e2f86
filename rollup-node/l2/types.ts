import type { Block } from "@ethereumjs/block";
import type { TypedTransaction } from "@ethereumjs/tx";

import type { Witness } from "../../precompiles";
import type { Chain } from "../chain/chain";
import type { FoundBody } from "../follower/blockBody";
import type { AcceptedBlockEvent } from "../follower/derive";

/**
 * The seam between the L2 sequencer (rollup-node/l2) and the bridge (rollup-node/bridge).
 * The sequencer knows nothing of L1; the bridge knows nothing of block building.
 */

/** What the bridge puts into the next L2 block: the L1 anchor and the transactions relaying it. */
export interface BlockAnchor {
  /** The block's `parentBeaconBlockRoot`: MessageTree root of the consumed messages (zero if none). */
  readonly root: Uint8Array;
  /** How many queued L1 messages the block consumes, from `firstMessageNonce`. */
  readonly consumedMessages: number;
  /** Nonce of the first consumed message (the rollup's `nextMessageIndex` before the block). */
  readonly firstMessageNonce: bigint;
  /** L2 transactions placed first in the block (relays of the consumed messages). */
  readonly transactions: readonly TypedTransaction[];
  /**
   * For each of `transactions`, the transaction that defers the same message instead (the same
   * signer and nonce), or undefined when it may not be deferred. The sequencer swaps deferrals
   * in, from the last relay back, while the relays' witness does not fit the block.
   */
  readonly deferrals?: readonly (TypedTransaction | undefined)[];
}

/**
 * Called by the sequencer for every block it builds, with the block's timestamp and the anchor
 * state after its parent (so the provider never double-consumes after a restart).
 */
export type AnchorProvider = (context: {
  readonly number: bigint;
  readonly timestamp: bigint;
  /** `firstMessageNonce + consumedMessages` of the parent block (0 at genesis). */
  readonly nextMessageNonce: bigint;
  /**
   * At most this many messages: the sequencer asks again with fewer when the relays of more,
   * deferred or not, exceed what one `advance` carries. The provider's own cap when absent.
   */
  readonly maxMessages?: number;
  /**
   * False for a block of the sequencer's timer: the provider takes the L1 messages it has already
   * read and must not wait for L1 (it may start a read for the next block), so that the L2's block
   * time never depends on how fast L1 answers (issue 14). True or absent (a block asked for on
   * demand: `produceBlock`, `evm_mine`): it may read L1 first, so a deposit just made is anchored.
   */
  readonly waitForL1?: boolean;
}) => Promise<BlockAnchor>;

/** A block the sequencer produced and stored durably, with everything `advance` needs. */
export interface ProducedBlock {
  readonly number: bigint;
  readonly block: Block;
  /** RLP of the parent header. */
  readonly parentHeader: Uint8Array;
  /** RLP of the block. */
  readonly blockRlp: Uint8Array;
  readonly witness: Witness;
  /** RLP `[state, codes, headers]`, as EXECUTE takes it. */
  readonly encodedWitness: Uint8Array;
  readonly consumedMessages: number;
  readonly firstMessageNonce: bigint;
}

/** What the bridge and the one-command devnet use of the sequencer. */
/**
 * Optimistic mode: the pooled transactions the sequencer leaves for a later block because their gas
 * limit exceeds the proposal slack available (./proposalSlack.ts). They stay pooled and pending.
 */
export interface HeldTransactions {
  readonly count: number;
  /** The largest held gas limit (0 when none is held). */
  readonly largestGasLimit: bigint;
  /** Milliseconds until the slack budget has room for the largest, at its refill rate (0 when none is held). */
  readonly largestWaitMs: number;
}

export interface SequencerApi {
  readonly chain: Chain;
  /** A produced block by number (from disk after a restart); undefined past the head. */
  producedBlock(number: bigint): Promise<ProducedBlock | undefined>;
  /** Subscribes to blocks as they are stored; returns an unsubscribe function. */
  onBlock(listener: (block: ProducedBlock) => void): () => void;
  /** The nonce `address`'s next L2 transaction should carry, counting pooled ones. */
  pendingNonce(address: Uint8Array): Promise<bigint>;
  /**
   * Replaces the blocks after `keep` with the foreign blocks L1 accepted (docs/design/
   * rebase-and-takeover.md); absent on nodes that cannot rebase (they stop on a diverged chain).
   */
  rebase?(keep: bigint, foreign: readonly ForeignBlock[]): Promise<RebaseReport>;
  /** Optimistic mode: what waits for proposal slack; absent, or undefined, in the other modes. */
  heldForSlack?(): HeldTransactions | undefined;
}

/** A block L1 accepted that the node did not build: its event and the candidate bodies from L1 calldata. */
export interface ForeignBlock {
  readonly event: AcceptedBlockEvent;
  readonly candidates: readonly FoundBody[];
}

/** What a rebase changed. */
export interface RebaseReport {
  /** The last block both chains share. */
  readonly keep: bigint;
  /** Own blocks dropped (never accepted on L1). */
  readonly droppedBlocks: number;
  /** Foreign blocks derived and appended. */
  readonly importedBlocks: number;
  /** Transactions of the dropped blocks (relays excepted) back in the pool. */
  readonly returnedTransactions: number;
  /** Pooled or returned transactions the new head already holds or can no longer take. */
  readonly droppedTransactions: number;
}
