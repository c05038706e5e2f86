import { RLP } from "@ethereumjs/rlp";
import { type BatchDBOp, type DB, type EncodingOpts, KECCAK256_RLP } from "@ethereumjs/util";

import { keccak256 } from "./crypto";
import { ExecuteError, ExecuteErrorCode, MissingWitnessDataError } from "./errors";
import { decodeBoundedRlp } from "./rlpDepth";

/**
 * The data a stateless verifier needs besides the block: the same content as geth's and reth's
 * `debug_executionWitness`. Nothing in it is trusted: every entry is keyed by its own hash.
 */
export interface Witness {
  /** RLP-encoded trie nodes (account trie and storage tries) of the pre-state. */
  readonly state: readonly Uint8Array[];
  /** Contract codes executed or read. */
  readonly codes: readonly Uint8Array[];
  /** RLP headers of the ancestors BLOCKHASH reads (the parent travels separately). */
  readonly headers: readonly Uint8Array[];
}

/** Lower-case hex without 0x: the key format of EthereumJS trie databases. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

const EMPTY_TRIE_ROOT_HEX = toHex(KECCAK256_RLP);

/** Key prefix the EthereumJS state manager puts before a code hash in the trie database. */
export const CODE_KEY_PREFIX = Uint8Array.from([0x63]); // "c"

/** Encodes a witness as the RLP list `[state, codes, headers]`. */
export function encodeWitness(witness: Witness): Uint8Array {
  return RLP.encode([witness.state.slice(), witness.codes.slice(), witness.headers.slice()]);
}

function isBytesList(value: unknown): value is Uint8Array[] {
  return Array.isArray(value) && value.every((item) => item instanceof Uint8Array);
}

/** Decodes `[state, codes, headers]`; throws `ExecuteError(MalformedInput)` for anything else. */
export function decodeWitness(bytes: Uint8Array): Witness {
  let decoded: unknown;
  try {
    decoded = decodeBoundedRlp(bytes);
  } catch (error) {
    // The error stays the cause: a stack overflow is not the input's verdict (EXECUTE's memo reads it).
    throw new ExecuteError(ExecuteErrorCode.MalformedInput, `witness is not valid RLP: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (!Array.isArray(decoded) || decoded.length !== 3 || !decoded.every(isBytesList)) {
    throw new ExecuteError(
      ExecuteErrorCode.MalformedInput,
      "witness must be the RLP list [state, codes, headers] of byte strings",
    );
  }
  const [state, codes, headers] = decoded as Uint8Array[][];
  return { state, codes, headers };
}

/** What a trie database stores: bytes, or unprefixed hex when the trie uses string encoding. */
export type StoredValue = string | Uint8Array;

/** Database keys as the EthereumJS trie passes them: unprefixed hex (bytes are accepted too). */
export function keyOf(key: Uint8Array | string): string {
  return typeof key === "string" ? key : toHex(key);
}

/** The bytes of a stored value, whichever encoding the trie used. */
export function valueBytes(value: StoredValue): Uint8Array {
  return typeof value === "string" ? Uint8Array.from(Buffer.from(value, "hex")) : value;
}

function describeKey(hexKey: string): string {
  const codePrefix = toHex(CODE_KEY_PREFIX);
  if (hexKey.length === 66 && hexKey.startsWith(codePrefix)) return `the code with hash 0x${hexKey.slice(2)}`;
  return `the trie node 0x${hexKey}`;
}

/**
 * A trie database that keeps every write in `entries`, in memory; subclasses say what a read of
 * an unwritten key answers. Deletes are ignored: nodes are content-addressed and pruning is off,
 * so a delete could only lose a node that a later read of the same content, or another state
 * root sharing it, needs.
 */
export abstract class InMemoryWritesDB implements DB<string, StoredValue> {
  protected readonly entries = new Map<string, Uint8Array>();

  abstract get(key: string, opts?: EncodingOpts): Promise<StoredValue | undefined>;

  /** Whether `key` (hex) is stored, without a read: no miss is recorded (`LazyHashTrie` asks first). */
  has(hexKey: string): boolean {
    return this.entries.has(hexKey);
  }

  async put(key: Uint8Array | string, value: StoredValue): Promise<void> {
    this.entries.set(keyOf(key), valueBytes(value));
  }

  async del(): Promise<void> {}

  async batch(ops: BatchDBOp<string, StoredValue>[]): Promise<void> {
    for (const op of ops) if (op.type === "put") await this.put(op.key, op.value);
  }

  shallowCopy(): DB<string, StoredValue> {
    return this;
  }

  async open(): Promise<void> {}
}

/**
 * The verifier's trie database: witness entries keyed by the hash computed here, plus what the
 * execution writes. A read of anything else throws `MissingWitnessDataError`: a missing node
 * must never read as an empty account or slot.
 */
export class WitnessDB extends InMemoryWritesDB {
  private readonly missingKeys: string[] = [];
  private rejectMissing: (error: MissingWitnessDataError) => void = () => {};

  /** Rejects at the first missing read, even if the reader swallowed the error. */
  readonly firstMissing: Promise<never> = new Promise<never>((_, reject) => {
    this.rejectMissing = reject;
  });

  /** `hash` keys the entries: the Common's keccak-256 (identical in every backend, see ./crypto). */
  constructor(witness: Pick<Witness, "state" | "codes">, hash: (bytes: Uint8Array) => Uint8Array = keccak256) {
    super();
    // Callers race against this promise; without a handler an unraced instance would crash Node.
    this.firstMissing.catch(() => {});
    for (const node of witness.state) this.entries.set(toHex(hash(node)), node);
    for (const code of witness.codes) {
      this.entries.set(toHex(CODE_KEY_PREFIX) + toHex(hash(code)), code);
    }
  }

  /** Keys (hex) that execution asked for and the witness lacked. */
  get missing(): readonly string[] {
    return this.missingKeys;
  }

  async get(key: Uint8Array | string): Promise<Uint8Array | undefined> {
    return this.readSync(key);
  }

  /**
   * `get` without a promise: the same answer, the same missing key recorded, the same error thrown
   * (`DecodedNodeTrie`'s synchronous path walk reads through it, `HexKeyCheckpointDB.syncSource`).
   */
  readSync(key: Uint8Array | string): Uint8Array | undefined {
    const hexKey = keyOf(key);
    const value = this.entries.get(hexKey);
    if (value !== undefined) return value;
    // The trie looks up the root of an empty storage trie and reads "absent" as empty: that
    // root commits to nothing, so answering "absent" is exactly what a full node answers.
    if (hexKey === EMPTY_TRIE_ROOT_HEX) return undefined;
    const error = new MissingWitnessDataError(describeKey(hexKey));
    this.missingKeys.push(hexKey);
    this.rejectMissing(error);
    throw error;
  }
}
