import { readFile, stat } from "node:fs/promises";

/**
 * A circuit's proving material held in memory across proofs: the zkey's bytes and one instance of
 * the circuit's witness WebAssembly. `groth16.fullProve` with file paths reads the 9 MB zkey again
 * and compiles (and tiers up) the 2.6 MB witness module again for every proof, and circom_runtime
 * reserves a fresh 2 GB memory that a circom 2 module does not even use.
 */
export interface LoadedCircuit {
  /** The zkey file's bytes; snarkjs reads it as a read-only in-memory file and copies what it needs. */
  readonly zkey: Uint8Array;
  /** The witness file (snarkjs's `wtns` format, version 2) for `input`: every signal of the circuit. */
  witness(input: CircuitInput): Uint8Array;
}

/** A circuit input: signal name → field element (an integer, reduced mod p), or (nested) arrays of them. */
export type CircuitInput = Readonly<Record<string, CircuitValue>>;
export type CircuitValue = bigint | number | readonly CircuitValue[];

/** Thrown when the witness of an input cannot be computed: the input does not satisfy the circuit. */
export class CircuitError extends Error {
  constructor(
    readonly code: "WITNESS_FAILED" | "BAD_INPUT" | "UNSUPPORTED_CIRCUIT",
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = "CircuitError";
  }
}

/**
 * How many circuits stay loaded: a process proves with the bundled circuit (one entry) or a
 * rebuilt one; an entry is ≈ 10 MB of zkey plus the witness module's memory.
 */
export const MAX_LOADED_CIRCUITS = 2;

const loaded = new Map<string, Promise<LoadedCircuit>>();

/**
 * The circuit at these paths, loaded once per process. The key is each file's path, size and
 * modification time, so a circuit rebuilt in place is loaded afresh (its old entry is dropped as the
 * oldest once the bound is reached), never proven with a stale key or witness module.
 */
export async function loadCircuit(wasmPath: string, zkeyPath: string): Promise<LoadedCircuit> {
  const [wasmStat, zkeyStat] = await Promise.all([stat(wasmPath), stat(zkeyPath)]);
  const key = JSON.stringify([wasmPath, wasmStat.size, wasmStat.mtimeMs, zkeyPath, zkeyStat.size, zkeyStat.mtimeMs]);
  let circuit = loaded.get(key);
  if (circuit === undefined) {
    circuit = Promise.all([readFile(wasmPath), readFile(zkeyPath)]).then(async ([wasm, zkey]) =>
      witnessCalculator(await instantiateWitness(new Uint8Array(wasm)), new Uint8Array(zkey)),
    );
    // A failed load is not kept: the next proof tries again (the file may have been mid-write).
    circuit.catch(() => loaded.delete(key));
    loaded.set(key, circuit);
    // Map iteration is insertion order: the first key is the oldest entry.
    while (loaded.size > MAX_LOADED_CIRCUITS) loaded.delete(loaded.keys().next().value as string);
  }
  return circuit;
}

/** Drops every loaded circuit (its memory is freed once no proof holds it). */
export function releaseLoadedCircuits(): void {
  loaded.clear();
}

/** The exports of a circom 2 witness module that computing a witness uses. */
interface WitnessExports {
  readonly getVersion: () => number;
  readonly getFieldNumLen32: () => number;
  readonly getRawPrime: () => void;
  readonly readSharedRWMemory: (limb: number) => number;
  readonly writeSharedRWMemory: (limb: number, value: number) => void;
  readonly init: (sanityCheck: number) => void;
  readonly getInputSignalSize: (hashHigh: number, hashLow: number) => number;
  readonly setInputSignal: (hashHigh: number, hashLow: number, index: number) => void;
  readonly getInputSize: () => number;
  readonly getWitnessSize: () => number;
  readonly getWitness: (index: number) => void;
  readonly getMessageChar: () => number;
}

/** The slice of the WebAssembly global this file uses (the project's TypeScript libraries do not declare it). */
declare const WebAssembly: {
  instantiate(
    bytes: Uint8Array,
    imports: Record<string, Record<string, (...args: number[]) => unknown>>,
  ): Promise<{ instance: { exports: unknown } }>;
};

/** Instantiates a circom 2 witness module; a failed constraint throws from inside `init`'s callees. */
async function instantiateWitness(wasm: Uint8Array): Promise<WitnessExports> {
  let exports: WitnessExports | undefined;
  let messages = "";
  // The circuit's own diagnostics: what it reports before the exception handler throws.
  const message = (): string => {
    let text = "";
    for (let c = exports?.getMessageChar() ?? 0; c !== 0; c = exports?.getMessageChar() ?? 0)
      text += String.fromCharCode(c);
    return text;
  };
  const { instance } = await WebAssembly.instantiate(wasm, {
    runtime: {
      exceptionHandler(code: number): never {
        const reported = messages.trim();
        messages = "";
        throw new CircuitError(
          "WITNESS_FAILED",
          `the circuit's witness failed (${WITNESS_FAILURES[code] ?? `code ${code}`})${reported === "" ? "" : `: ${reported}`}`,
          "the input does not satisfy the circuit's constraints",
        );
      },
      printErrorMessage(): void {
        messages += `${message()}\n`;
      },
      writeBufferMessage(): void {
        message();
      },
      showSharedRWMemory(): void {},
    },
  });
  exports = instance.exports as unknown as WitnessExports;
  if (typeof exports.getVersion !== "function" || exports.getVersion() !== 2) {
    throw new CircuitError(
      "UNSUPPORTED_CIRCUIT",
      "the witness module is not circom 2's",
      "build the circuit with circom 2",
    );
  }
  return exports;
}

/** circom 2's exception codes (its runtime's exceptionHandler). */
const WITNESS_FAILURES: Readonly<Record<number, string>> = {
  1: "signal not found",
  2: "too many signals set",
  3: "signal already set",
  4: "assert failed",
  5: "not enough memory",
  6: "input signal array access exceeds the size",
};

function witnessCalculator(wasm: WitnessExports, zkey: Uint8Array): LoadedCircuit {
  const limbs = wasm.getFieldNumLen32();
  wasm.getRawPrime();
  let prime = 0n;
  for (let j = limbs - 1; j >= 0; j--) prime = (prime << 32n) | BigInt(wasm.readSharedRWMemory(j) >>> 0);
  const signals = wasm.getWitnessSize();
  const fieldBytes = limbs * 4;
  const headerWords = 3 + 3 + 1 + limbs + 1 + 3;

  return {
    zkey,
    // Synchronous from `init` to the last witness read: two proofs in flight in one process can
    // never interleave their inputs or witnesses on the one instance.
    witness(input: CircuitInput): Uint8Array {
      wasm.init(0);
      let set = 0;
      for (const [name, value] of Object.entries(input)) {
        const [high, low] = signalHash(name);
        const values = flatten(value);
        const size = wasm.getInputSignalSize(high, low);
        if (size < 0)
          throw new CircuitError("BAD_INPUT", `the circuit has no input signal ${name}`, "check the input's names");
        if (size !== values.length) {
          throw new CircuitError(
            "BAD_INPUT",
            `input signal ${name} has ${size} values, got ${values.length}`,
            "give every element of an array signal",
          );
        }
        values.forEach((v, index) => {
          const reduced = ((v % prime) + prime) % prime;
          for (let j = 0; j < limbs; j++)
            wasm.writeSharedRWMemory(j, Number((reduced >> BigInt(32 * j)) & 0xffffffffn));
          // The last input set runs the circuit: a failed constraint throws here.
          wasm.setInputSignal(high, low, index);
          set++;
        });
      }
      if (set < wasm.getInputSize()) {
        throw new CircuitError("BAD_INPUT", `${set} of ${wasm.getInputSize()} inputs set`, "give every input signal");
      }
      return wtnsFile(wasm, limbs, fieldBytes, signals, headerWords);
    },
  };
}

/**
 * snarkjs's `wtns` file, version 2: "wtns", version, 2 sections; section 1 = field size in bytes,
 * the prime, the number of signals; section 2 = every signal, little-endian, `fieldBytes` each.
 * Section sizes are 64-bit little-endian (the high words stay 0: a witness is far below 4 GB).
 */
function wtnsFile(
  wasm: WitnessExports,
  limbs: number,
  fieldBytes: number,
  signals: number,
  headerWords: number,
): Uint8Array {
  const words = new Uint32Array(headerWords + signals * limbs);
  words[0] = 0x736e7477; // "wtns", little-endian
  words[1] = 2;
  words[2] = 2;
  words[3] = 1;
  words[4] = 4 + fieldBytes + 4;
  words[6] = fieldBytes;
  wasm.getRawPrime();
  for (let j = 0; j < limbs; j++) words[7 + j] = wasm.readSharedRWMemory(j);
  let pos = 7 + limbs;
  words[pos++] = signals;
  words[pos++] = 2;
  words[pos] = fieldBytes * signals;
  pos += 2;
  for (let i = 0; i < signals; i++) {
    wasm.getWitness(i);
    for (let j = 0; j < limbs; j++) words[pos++] = wasm.readSharedRWMemory(j);
  }
  return new Uint8Array(words.buffer);
}

function flatten(value: CircuitValue): bigint[] {
  return typeof value === "object" ? value.flatMap(flatten) : [BigInt(value)];
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = (1n << 64n) - 1n;

/** circom's signal key: FNV-1a (64-bit) of the name's characters, as two 32-bit halves. */
function signalHash(name: string): [number, number] {
  let hash = FNV_OFFSET;
  for (let i = 0; i < name.length; i++) hash = ((hash ^ BigInt(name.charCodeAt(i))) * FNV_PRIME) & MASK_64;
  return [Number(hash >> 32n), Number(hash & 0xffffffffn)];
}
