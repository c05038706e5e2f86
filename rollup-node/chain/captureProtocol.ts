import type { BatchDBOp, DB, EncodingOpts } from "@ethereumjs/util";

import { type StoredValue, type Witness, type WriteRules, keyOf } from "../../precompiles/verify";

/**
 * Where a sequencing chain captures its blocks' witnesses: `worker`, a thread of its own (the
 * capture is ≈ 44 % of the sequencer's CPU per transfer, docs/design/l2-throughput.md stop 26), or
 * `main`, the chain's thread. The default is DEFAULT_CAPTURE_THREAD (chain/defaults.ts).
 */
export type CaptureThread = "worker" | "main";

/** Byte strings packed into one buffer (one transfer, not one clone per string) with their lengths. */
export interface PackedBytes {
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly lengths: readonly number[];
}

/** Packs `list` into one fresh buffer: a clone of a view would copy its whole underlying buffer (LevelDB's pool). */
export function packBytes(list: readonly Uint8Array[]): PackedBytes {
  let total = 0;
  for (const item of list) total += item.length;
  const bytes = new Uint8Array(total);
  const lengths: number[] = [];
  let at = 0;
  for (const item of list) {
    bytes.set(item, at);
    at += item.length;
    lengths.push(item.length);
  }
  return { bytes, lengths };
}

/** The byte strings of `packed`, as views of its buffer. */
export function unpackBytes(packed: PackedBytes): Uint8Array[] {
  const list: Uint8Array[] = [];
  let at = 0;
  for (const length of packed.lengths) {
    list.push(packed.bytes.subarray(at, at + length));
    at += length;
  }
  return list;
}

/**
 * Trie nodes and code the block's build read from the parent state, by database key. A value of
 * `undefined`: the key was read and is absent (the empty trie's root).
 */
export type ReadNodes = ReadonlyMap<string, StoredValue | undefined>;

/** `ReadNodes` as a message carries them: keys, and the values packed (strings and absences apart). */
export interface ShippedNodes {
  readonly keys: readonly string[];
  readonly values: PackedBytes;
  /** Per key: 0 bytes (in `values`), 1 a hex string (the next of `strings`), 2 absent. */
  readonly kinds: readonly number[];
  readonly strings: readonly string[];
}

export function shipNodes(nodes: ReadNodes): ShippedNodes {
  const keys: string[] = [];
  const bytes: Uint8Array[] = [];
  const kinds: number[] = [];
  const strings: string[] = [];
  for (const [key, value] of nodes) {
    keys.push(key);
    if (value === undefined) kinds.push(2);
    else if (typeof value === "string") {
      kinds.push(1);
      strings.push(value);
    } else {
      kinds.push(0);
      bytes.push(value);
    }
  }
  return { keys, values: packBytes(bytes), kinds, strings };
}

export function unshipNodes(shipped: ShippedNodes): Map<string, StoredValue | undefined> {
  const bytes = unpackBytes(shipped.values);
  const nodes = new Map<string, StoredValue | undefined>();
  let b = 0;
  let s = 0;
  shipped.keys.forEach((key, i) => {
    const kind = shipped.kinds[i];
    nodes.set(key, kind === 0 ? bytes[b++] : kind === 1 ? shipped.strings[s++] : undefined);
  });
  return nodes;
}

/** A capture the chain sends its capture thread (./captureWorker.ts). */
export interface CaptureRequest {
  readonly kind: "capture";
  readonly job: number;
  /** The chain's Common as `createChainCommon` makes it: its chain id and the block's fork. */
  readonly chainId: bigint;
  readonly hardfork: string;
  /** The block, RLP (`block.serialize()`). */
  readonly block: Uint8Array;
  readonly preStateRoot: Uint8Array;
  readonly writes: WriteRules;
  readonly nodes: ShippedNodes;
}

/** The chain's answer to a capture thread's question (a node it lacks, an ancestor's header). */
export type CaptureAnswer =
  | { readonly kind: "node"; readonly ask: number; readonly value: StoredValue | undefined }
  | { readonly kind: "header"; readonly ask: number; readonly hash?: Uint8Array; readonly serialized?: Uint8Array };

export type ToCaptureThread =
  | CaptureRequest
  | CaptureAnswer
  /**
   * The chain no longer waits for capture `job` (it could not answer one of its questions: its
   * database failed): the thread fails the job's questions and drops the capture.
   */
  | { readonly kind: "drop"; readonly job: number; readonly message: string }
  /** What the thread holds: answered with a `census`. */
  | { readonly kind: "census" };

/** What a capture thread holds: captures in flight and questions to the chain not yet answered. */
export interface CaptureCensus {
  readonly captures: number;
  readonly asks: number;
}

/** What a capture thread sends the chain. */
export type FromCaptureThread =
  /** Sent once, when the capture's modules and crypto are loaded. */
  | { readonly kind: "ready" }
  | {
      readonly kind: "node";
      readonly job: number;
      readonly ask: number;
      readonly key: string;
      readonly opts?: EncodingOpts;
    }
  | { readonly kind: "header"; readonly job: number; readonly ask: number; readonly number: bigint }
  | {
      readonly kind: "witness";
      readonly job: number;
      readonly state: PackedBytes;
      readonly codes: PackedBytes;
      readonly headers: PackedBytes;
    }
  /** `capture`: a WitnessCaptureError (the block is not what its re-execution gives), else the thread failed. */
  | { readonly kind: "failed"; readonly job: number; readonly message: string; readonly capture: boolean }
  | ({ readonly kind: "census" } & CaptureCensus);

/** The buffers of packed byte strings, to transfer rather than copy. */
export function transferables(...packed: readonly PackedBytes[]): ArrayBuffer[] {
  return packed.map((p) => p.bytes.buffer);
}

/** A witness as a message carries it, and back. */
export function shipWitness(job: number, witness: Witness): FromCaptureThread {
  return {
    kind: "witness",
    job,
    state: packBytes(witness.state),
    codes: packBytes(witness.codes),
    headers: packBytes(witness.headers),
  };
}

export function unshipWitness(message: Extract<FromCaptureThread, { kind: "witness" }>): Witness {
  return {
    state: unpackBytes(message.state),
    codes: unpackBytes(message.codes),
    headers: unpackBytes(message.headers),
  };
}

/**
 * The capture thread's trie database: answers from the nodes the build read, and asks the chain
 * for any other (`ask`). Every key is content-addressed (NodeCacheDB's reason), so which nodes were
 * shipped changes how often it asks, never what it answers. Read-only: the capture wraps it in an
 * OverlayDB that keeps its writes.
 */
export class ShippedNodesDB implements DB<string, StoredValue> {
  private asked = 0;

  constructor(
    private readonly nodes: Map<string, StoredValue | undefined>,
    private readonly ask: (key: string, opts?: EncodingOpts) => Promise<StoredValue | undefined>,
  ) {}

  /** Reads the shipped nodes did not answer. */
  get asks(): number {
    return this.asked;
  }

  async get(key: string, opts?: EncodingOpts): Promise<StoredValue | undefined> {
    const hexKey = keyOf(key);
    if (this.nodes.has(hexKey)) return this.nodes.get(hexKey);
    this.asked++;
    const value = await this.ask(hexKey, opts);
    this.nodes.set(hexKey, value);
    return value;
  }

  async put(): Promise<void> {
    throw new Error("the capture thread's database is read-only");
  }

  async del(): Promise<void> {
    throw new Error("the capture thread's database is read-only");
  }

  async batch(_ops: BatchDBOp<string, StoredValue>[]): Promise<void> {
    throw new Error("the capture thread's database is read-only");
  }

  shallowCopy(): DB<string, StoredValue> {
    return this;
  }

  async open(): Promise<void> {}
}
