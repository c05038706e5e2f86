import type { Block } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import type { EVMMockBlockchainInterface } from "@ethereumjs/evm";
import { RLP } from "@ethereumjs/rlp";
import type { BatchDBOp, DB, EncodingOpts } from "@ethereumjs/util";
import { bytesToHex, equalsBytes } from "@ethereumjs/util";

import {
  type RecordedRun,
  type StoredValue,
  type Witness,
  type WriteRules,
  keccak256,
  keyOf,
  recordVerifierRun,
  toHex,
  transactionsRootOf,
  valueBytes,
} from "../../precompiles/verify";
import type { BlockStore } from "./blockStore";
import {
  AncestorHeaderMismatchError,
  CaptureSourceError,
  CaptureStoreReadError,
  ChainError,
  StoredNodeMismatchError,
  WitnessCaptureError,
} from "./errors";
import { yieldBetweenTransactions } from "./executionYield";
import { OverlayDB } from "./overlayDb";

/** An ancestor's header as the capture needs it: its hash (BLOCKHASH) and its RLP (the witness). */
export interface AncestorHeader {
  hash(): Uint8Array;
  serialize(): Uint8Array;
}

/**
 * The chain's headers by number: its block store on the main thread, or a capture thread's view
 * of it (asked for by message, chain/captureThread.ts). Undefined: not in this chain.
 */
export type AncestorSource = (number: bigint) => AncestorHeader | undefined | Promise<AncestorHeader | undefined>;

/** The headers of the chain's block store (the main thread's source). */
export function storeAncestors(store: BlockStore): AncestorSource {
  return (number) => store.byNumberOrUndefined(number)?.block.header;
}

/**
 * `read()`, with a store's own failure (not one of the chain's errors, such as a capture thread's
 * CaptureAskError) turned into CaptureStoreReadError, so that it reaches the caller as what it is
 * and not, through the re-execution it interrupted, as a block the re-execution does not give.
 */
async function readOrStoreError<T>(read: () => T | Promise<T>, what: string): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof ChainError) throw error;
    throw new CaptureStoreReadError(`reading ${what} failed: ${(error as Error).message}`);
  }
}

/** Length of a trie node's database key (its hash, hex) and of a code's (the code prefix, then its hash). */
const NODE_KEY_HEX = 64;
const CODE_KEY_HEX = 66;

/**
 * The pre-state as the capture reads it, each value checked against its key: a trie node's key
 * is its hash, a code's is the "c" prefix and its hash. The recorder puts every value read here
 * into the witness, and EXECUTE looks each node up by the hash of its bytes: bytes that do not
 * hash to the key they were read under would give a witness lacking that node, which L1 refuses
 * (WitnessIncomplete) while the capture, whose run used the bytes, saw nothing wrong when the
 * block does not write that path back (write-through, per-block-changes: attack-review-s26.md).
 * Below the capture's overlay, so the nodes its run writes and reads back are not hashed again.
 */
export class HashCheckedDB implements DB<string, StoredValue> {
  constructor(private readonly inner: DB<string, StoredValue>) {}

  async get(key: string, opts?: EncodingOpts): Promise<StoredValue | undefined> {
    const hexKey = keyOf(key);
    const value = await readOrStoreError(
      () => this.inner.get(key, opts),
      `the trie database's value for key ${hexKey}`,
    );
    if (value === undefined) return value;
    if (hexKey.length === NODE_KEY_HEX || hexKey.length === CODE_KEY_HEX) {
      const hash = toHex(keccak256(valueBytes(value)));
      if (hash !== hexKey.slice(hexKey.length - NODE_KEY_HEX))
        throw new StoredNodeMismatchError(`the trie database's value for key ${hexKey} hashes to ${hash}`);
    }
    return value;
  }

  async put(key: string, value: StoredValue, opts?: EncodingOpts): Promise<void> {
    await this.inner.put(key, value, opts);
  }

  async del(key: string, opts?: EncodingOpts): Promise<void> {
    await this.inner.del(key, opts);
  }

  async batch(ops: BatchDBOp<string, StoredValue>[]): Promise<void> {
    await this.inner.batch(ops);
  }

  shallowCopy(): DB<string, StoredValue> {
    return this;
  }

  async open(): Promise<void> {
    await this.inner.open();
  }
}

/**
 * The block's ancestors, each checked before the capture uses it: its hash must be the parent
 * hash of the header above it (the block's own parent hash for its parent), so a header is read
 * only with every header between it and the parent, which the witness carries anyway. A source's
 * header that fails is not the block's ancestor (a damaged block store, a capture thread answered
 * wrong): AncestorHeaderMismatchError, not a verdict on the block. Each header is asked for once
 * per capture. A source's `hash()` must be its RLP's keccak: the block store's headers compute it
 * so, the capture thread checks the hash it is answered against the RLP (`answeredHeader`).
 * Hashing the RLP here again would cost the chain's thread ≈ 90 µs a header under load (23.4 ms
 * for 256 headers of 602 B, load 33), the header's RLP decoded for its parent hash 2.2 ms.
 */
export class CheckedAncestors {
  /** Checked headers from the parent down to `lowest`. */
  private readonly checked = new Map<bigint, AncestorHeader>();
  private lowest: bigint;
  /** The hash the header below `lowest` must have: the parent hash of the lowest checked header. */
  private expected: Uint8Array;

  constructor(
    private readonly source: AncestorSource,
    private readonly parentNumber: bigint,
    parentHash: Uint8Array,
  ) {
    this.lowest = parentNumber + 1n;
    this.expected = parentHash;
  }

  /** Header `number` of the block's chain, checked; undefined when the source has none (or above the parent). */
  async get(number: bigint): Promise<AncestorHeader | undefined> {
    if (number > this.parentNumber || number < 0n) return undefined;
    while (this.lowest > number) {
      const below = this.lowest - 1n;
      const header = await readOrStoreError(() => this.source(below), `header ${below} from the block store`);
      if (header === undefined) return undefined;
      this.checked.set(below, this.check(below, header));
      this.lowest = below;
    }
    return this.checked.get(number);
  }

  private check(number: bigint, header: AncestorHeader): AncestorHeader {
    const serialized = header.serialize();
    const hash = header.hash();
    if (!equalsBytes(hash, this.expected))
      throw new AncestorHeaderMismatchError(
        `header ${number} hashes to ${bytesToHex(hash)}, the parent hash above it is ${bytesToHex(this.expected)}`,
      );
    // A header's first field is its parent hash.
    const fields = RLP.decode(serialized) as Uint8Array[];
    this.expected = fields[0] as Uint8Array;
    return { hash: () => hash, serialize: () => serialized };
  }
}

/**
 * An ancestor's header as the chain answered it to a capture thread: its hash is its RLP's keccak,
 * checked against the hash answered with it (AncestorHeaderMismatchError when they differ).
 */
export function answeredHeader(number: bigint, hash: Uint8Array, serialized: Uint8Array): AncestorHeader {
  const own = keccak256(serialized);
  if (!equalsBytes(own, hash))
    throw new AncestorHeaderMismatchError(
      `header ${number}'s RLP hashes to ${bytesToHex(own)}, answered with hash ${bytesToHex(hash)}`,
    );
  return { hash: () => own, serialize: () => serialized };
}

/** The chain's headers as BLOCKHASH sees them, remembering the lowest block number read. */
class RecordingBlockchain implements EVMMockBlockchainInterface {
  lowestRead: bigint;

  constructor(
    private readonly ancestors: CheckedAncestors,
    parentNumber: bigint,
  ) {
    this.lowestRead = parentNumber;
  }

  async getBlock(number: number | bigint | Uint8Array): Promise<AncestorHeader> {
    if (number instanceof Uint8Array)
      throw new WitnessCaptureError(`block lookup by hash ${bytesToHex(number)} cannot be witnessed`);
    const wanted = BigInt(number);
    const header = await this.ancestors.get(wanted);
    if (header === undefined) throw new Error(`block ${wanted} is not in this chain`);
    if (wanted < this.lowestRead) this.lowestRead = wanted;
    return header;
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
  /** The chain's headers by number (BLOCKHASH and the headers between its oldest read and the parent). */
  readonly ancestors: AncestorSource;
  /** The state root the block executes on. */
  readonly preStateRoot: Uint8Array;
  /** The complete block (header with its final roots). */
  readonly block: Block;
  /**
   * The chain's write rules (its genesis's `writeRules`; `DEFAULT_VERIFIER_WRITES` when absent): the
   * block is recorded under the rule they give its number and timestamp, the one EXECUTE applies.
   * A constant other rule only for the differential test of the write paths.
   */
  readonly writes?: WriteRules;
  /** Re-execute with EthereumJS's runBlock, not EXECUTE's block runner: the differential tests' baseline. */
  readonly ethereumJsRunBlock?: boolean;
}

/**
 * Re-executes a built block exactly as the EXECUTE verifier does (the state manager of
 * precompiles' `verifierStateManager`, EXECUTE's block run but against the header (`generate: false`): the
 * same reads, the header's roots, bloom and gas used compared instead of generated) on the
 * chain's database, recording every pre-state read.
 *
 * Mirroring the verifier rather than recording the builder's own run is what makes the witness
 * complete: the order of trie writes decides which nodes a branch collapse reads (a sibling), and
 * the builder's order (its checkpoints, its dropped transactions) is not the verifier's. One
 * shared definition keeps the two in lockstep: the verifier reads no node this recorder did not.
 */
export async function captureWitness(params: CaptureParams): Promise<Witness> {
  const { block } = params;
  // A copy at the same fork: an EVM subscribes to its Common's hardforkChanged event for good,
  // so on the chain's own Common every capture's EVM (its state manager and recorded witness)
  // stayed reachable from the chain, one per block (#14).
  const common = params.common.copy();
  // runBlock against the header (skipBlockValidation) compares receipts, bloom, gas and state, not
  // the transactions root; EXECUTE's checkBlockShape does, so a block with another one is refused here.
  if (!equalsBytes(transactionsRootOf(block.transactions, common), block.header.transactionsTrie)) {
    throw new WitnessCaptureError(
      `block ${block.header.number}'s transactions do not give its header's transactions root ${bytesToHex(block.header.transactionsTrie)}`,
    );
  }
  const parentNumber = block.header.number - 1n;
  const ancestors = new CheckedAncestors(params.ancestors, parentNumber, block.header.parentHash);
  const blockchain = new RecordingBlockchain(ancestors, parentNumber);
  let recorded: RecordedRun;
  try {
    recorded = await recordVerifierRun({
      common,
      db: new OverlayDB(new HashCheckedDB(params.db)),
      preStateRoot: params.preStateRoot,
      block,
      blockchain,
      writes: params.writes,
      // A second execution of the whole block: sockets are served between its transactions too.
      prepareVm: yieldBetweenTransactions,
      // The header is final: runBlock compares its roots, bloom and gas used with the run (the
      // same reads as EXECUTE's run, without building the transactions root again).
      againstHeader: true,
      ethereumJsRunBlock: params.ethereumJsRunBlock,
    });
  } catch (error) {
    // A damaged database or block store (or a capture thread answered wrong) is not the block's fault.
    if (error instanceof CaptureSourceError) throw error;
    throw new WitnessCaptureError(
      `re-execution of block ${block.header.number} does not give the block: ${(error as Error).message}`,
    );
  }
  const { recording, stateRoot } = recorded;
  if (!equalsBytes(stateRoot, block.header.stateRoot)) {
    throw new WitnessCaptureError(
      `re-execution of block ${block.header.number} gives state root ${bytesToHex(stateRoot)}, the block has ${bytesToHex(block.header.stateRoot)}`,
    );
  }
  // BLOCKHASH authenticates an ancestor through every header between it and the parent.
  const headers: Uint8Array[] = [];
  for (let n = blockchain.lowestRead; n < parentNumber; n++) {
    const header = await ancestors.get(n);
    if (header === undefined) throw new WitnessCaptureError(`ancestor header ${n} is missing from the block store`);
    headers.push(header.serialize());
  }
  return recording.toWitness(headers);
}
