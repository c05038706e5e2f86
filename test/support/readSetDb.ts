import { InMemoryWritesDB, type StoredValue, WitnessDB, keyOf } from "../../precompiles";

/** A database answering what was written to it, for building a pre-state. */
export class BuildDB extends InMemoryWritesDB {
  async get(key: string): Promise<StoredValue | undefined> {
    return this.entries.get(keyOf(key));
  }
  nodes(): Uint8Array[] {
    return [...this.entries.values()];
  }
}

/**
 * The verifier's witness database, noting which witness nodes it served (a set: repeated reads
 * are not counted). A node the execution wrote is served from the write, whatever the witness
 * holds, so only reads of keys not written yet count: these are the nodes a witness must hold.
 */
export class ReadSetDB extends WitnessDB {
  readonly read = new Set<string>();
  private readonly written = new Set<string>();
  constructor(nodes: Uint8Array[]) {
    super({ state: nodes, codes: [] });
  }
  override async put(key: Uint8Array | string, value: StoredValue): Promise<void> {
    this.written.add(keyOf(key));
    return super.put(key, value);
  }
  override async get(key: Uint8Array | string): Promise<Uint8Array | undefined> {
    if (!this.written.has(keyOf(key))) this.read.add(keyOf(key));
    return super.get(key);
  }
}
