import type { BatchDBOp, DB, EncodingOpts } from "@ethereumjs/util";

import { CODE_KEY_PREFIX, type StoredValue, type Witness, keyOf, toHex, valueBytes } from "./witness";

/**
 * Wraps a full-state trie database and records every pre-state entry read through it.
 *
 * Recording every read (not EIP-1186 proofs of touched keys) is what makes the witness
 * complete: a storage deletion that collapses a branch reads a sibling node no proof contains,
 * and computing the new state root reads nodes no transaction touched.
 */
export class RecordingDB implements DB<string, StoredValue> {
  private readonly reads = new Map<string, Uint8Array>();
  private readonly written = new Set<string>();

  constructor(private readonly inner: DB<string, StoredValue>) {}

  async get(key: string, opts?: EncodingOpts): Promise<StoredValue | undefined> {
    const value = await this.inner.get(key, opts);
    const hexKey = keyOf(key);
    // An entry this execution wrote is rebuilt by the verifier too; only pre-state counts.
    if (value !== undefined && !this.written.has(hexKey)) this.reads.set(hexKey, valueBytes(value));
    return value;
  }

  async put(key: string, value: StoredValue, opts?: EncodingOpts): Promise<void> {
    this.written.add(keyOf(key));
    await this.inner.put(key, value, opts);
  }

  async del(key: string, opts?: EncodingOpts): Promise<void> {
    await this.inner.del(key, opts);
  }

  async batch(ops: BatchDBOp<string, StoredValue>[]): Promise<void> {
    for (const op of ops) {
      if (op.type === "put") await this.put(op.key, op.value, op.opts);
      else await this.del(op.key, op.opts);
    }
  }

  shallowCopy(): DB<string, StoredValue> {
    return this;
  }

  async open(): Promise<void> {
    await this.inner.open();
  }

  /** The recorded pre-state split into trie nodes and codes, with the given ancestor headers. */
  toWitness(headers: readonly Uint8Array[] = []): Witness {
    const codePrefix = toHex(CODE_KEY_PREFIX);
    const state: Uint8Array[] = [];
    const codes: Uint8Array[] = [];
    for (const [key, value] of this.reads) {
      if (key.length === 66 && key.startsWith(codePrefix)) codes.push(value);
      else state.push(value);
    }
    return { state, codes, headers: [...headers] };
  }
}
