import { createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { type EventLoopUtilization, performance } from "node:perf_hooks";
import {
  type HeapInfo,
  type HeapSpaceInfo,
  getHeapSpaceStatistics,
  getHeapStatistics,
  writeHeapSnapshot,
} from "node:v8";
import { type ResourceLimits, type Worker, threadId as mainThreadId } from "node:worker_threads";

import type { Chain } from "../chain/chain";
import { createChainCommon } from "../chain/genesis";
import { startWorkerBeside } from "../cli";
import { NodeError } from "../errors";
import { DEFAULT_L1_CHAIN_ID, type L1Devnet, type L1DevnetOptions, startL1Devnet } from "./l1Devnet";
import { L1Store } from "./l1Store";

/**
 * Where the rollup devnet runs its L1: on a worker thread of its own (default), so that L1's
 * mining, EXECUTE's re-execution of every `advance` and the `eth_call`s the node makes use a
 * second core beside the L2 node; or on the node's thread, as before (benchmarks compare the
 * two; a test may want the L1's chain in hand). See docs/design/devnet-l1-thread.md.
 */
export type L1Thread = "worker" | "main";

/** The L1 thread when none is chosen. */
export const DEFAULT_L1_THREAD: L1Thread = "worker";

/**
 * The L1 worker's V8 heap limits when none are given: a young generation of 24 MiB (V8 sizes it
 * 3 × the semi-space: 8 MiB semi-spaces, a new space of 16 MiB) instead of V8's 48 (a new space
 * of 32 MiB, which a loaded thread holds for good). Measured (docs/design/memory-bounds.md, fourth
 * round): 16 MiB less RSS at the same blocks, latency and throughput in a side-by-side load:l2;
 * EXECUTE's re-execution, which is what this thread runs, was no slower per Mgas with 8 MiB
 * semi-spaces (gc-tuning.md §1: 1.10 ETH, 1.04 ERC-20 of the default's Mgas per CPU second).
 * The old generation keeps V8's limit (about 4 GiB here). A 1 GiB cap halved the thread's old
 * space under load (memory-bounds.md, fourth round) but is a hard limit that ends the thread
 * (ERR_WORKER_OUT_OF_MEMORY, the devnet stops): EXECUTE's verification of one valid SSTORE-loop
 * block keeps ≈ 70 MB per Mgas charged on an honest state and ≈ 0.5 MB per SSTORE on a deep one until the
 * call ends (attack-review-s23.md, finding 1), ≈ 1.2 GB for a block at the largest verifiable gas
 * limit: a cap below that would let one L2 transaction stop the L1.
 */
export const DEFAULT_L1_RESOURCE_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 24 };

/**
 * startL1Devnet's options that cross a thread: data only. What is left out is what the L1 thread
 * makes itself from the store (trie database, history, genesis time, persistence of each mined
 * block) or cannot be sent to another thread (callbacks, a caller-built EXECUTE).
 */
export type L1ThreadDevnetOptions = Omit<
  L1DevnetOptions,
  | "db"
  | "history"
  | "genesisTimestamp"
  | "onBlockMined"
  | "archive"
  | "executePrecompile"
  | "onRpcError"
  | "onMiningError"
  | "http"
>;

/** The L1 devnet of a rollup devnet, kept in a LevelDB directory so that a later run resumes it. */
export interface StoredL1Options {
  /** Passed through to startL1Devnet unchanged. */
  readonly devnet: L1ThreadDevnetOptions;
  /** The L1 store's directory (`<dataDir>/l1`). */
  readonly directory: string;
  /** Wipe the directory first: a fresh chain. */
  readonly reset: boolean;
}

/** A running stored L1 devnet, on the calling thread. */
export interface StoredL1 {
  readonly devnet: L1Devnet;
  /** The head when it started: the last block of the resumed history (0 for a fresh chain). */
  readonly startHead: bigint;
  /** Stops mining and the server, then closes the store. */
  stop(): Promise<void>;
}

/**
 * Opens the L1 store, resumes its chain (genesis time and blocks) and starts the L1 devnet on it,
 * every mined block recorded before it is answered; on a failure closes what it opened. The one
 * way the rollup devnet starts its L1, on whichever thread.
 */
export async function startStoredL1(options: StoredL1Options): Promise<StoredL1> {
  const store = await L1Store.open(options.directory, { reset: options.reset });
  try {
    const storedGenesis = await store.genesisTimestamp();
    const genesisTimestamp = storedGenesis ?? BigInt(Math.floor(Date.now() / 1000));
    if (storedGenesis === undefined) await store.setGenesisTimestamp(genesisTimestamp);
    const devnet = await startL1Devnet({
      ...options.devnet,
      db: store.db,
      genesisTimestamp,
      // Read as the chain takes them: only its newest blocks stay in memory.
      history: store.blocks(createChainCommon(options.devnet.chainId ?? DEFAULT_L1_CHAIN_ID)),
      onBlockMined: (record) => store.append(record),
      archive: store,
    });
    return {
      devnet,
      startHead: devnet.chain.headNumber,
      stop: async () => {
        await devnet.stop();
        await store.close();
      },
    };
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
}

/** The L1 thread failed: it could not start, or it ended without being stopped. */
export class L1ThreadError extends NodeError {}

/** The L1 thread's V8 heap, and the part of it its chain's trie node cache holds. */
export interface L1HeapStatistics extends HeapInfo {
  readonly node_cache_bytes: number;
  readonly node_cache_hits: number;
  readonly node_cache_misses: number;
  /** Entries the cache dropped to keep within its bounds: above 0, it is full. */
  readonly node_cache_evictions: number;
  /** Blocks the L1 chain holds decoded in memory (its newest and read-back ones; bounded with an archive). */
  readonly blocks_in_memory: number;
  /** v8.getHeapSpaceStatistics on the thread: which space (old, large-object, code, new) holds the heap's total. */
  readonly spaces: readonly HeapSpaceInfo[];
  /** A full collection ran on the thread just before (asked for, and `gc` exposed): `used` is then the live heap. */
  readonly collected: boolean;
}

/** The L1 thread's heap figures, taken on that thread (after a full collection if `collectFirst` and `gc` is exposed). */
export function l1HeapStatistics(chain: Chain, collectFirst = false): L1HeapStatistics {
  const held = chain.heldInMemory;
  const gc = (globalThis as { gc?: () => void }).gc;
  const collected = collectFirst && gc !== undefined;
  if (collected) gc();
  return {
    collected,
    ...getHeapStatistics(),
    node_cache_bytes: held.nodeCacheBytes,
    node_cache_hits: held.nodeCacheHits,
    node_cache_misses: held.nodeCacheMisses,
    node_cache_evictions: held.nodeCacheEvictions,
    blocks_in_memory: held.blocks,
    spaces: getHeapSpaceStatistics(),
  };
}

/** What the main thread knows of the L1: its endpoint and identity, and how to stop it. */
interface L1HandleBase {
  readonly url: string;
  readonly port: number;
  readonly chainId: bigint;
  readonly executeAddress: string;
  /** The L1 head when the devnet started (the resumed chain's head; 0 for a fresh one). */
  readonly startHead: bigint;
  /** The thread the L1 runs on (worker_threads' id; the node's own id in "main"). */
  readonly threadId: number;
  /** How busy the L1's thread has been since it started, or since `since` (its event loop's utilization). */
  eventLoopUtilization(since?: EventLoopUtilization): EventLoopUtilization;
  /**
   * The V8 heap of the L1's thread (v8.getHeapStatistics taken on it). A worker's heap is part of
   * the process's RSS but not of the main thread's `process.memoryUsage().heapUsed`: memory
   * reports need both. On "main" it is the node's own heap. `collectFirst`: a full collection on
   * that thread first, so that `used` is the live heap, when the process exposes `gc`
   * (`--expose-gc`, or `v8.setFlagsFromString("--expose-gc")` before the thread started);
   * `collected` says whether it did.
   */
  heapStatistics(options?: { readonly collectFirst?: boolean }): Promise<L1HeapStatistics>;
  /** Writes a V8 heap snapshot of the L1's thread to `file` (a full GC first; pauses that thread for seconds). */
  writeHeapSnapshot(file: string): Promise<void>;
  /** Stops the L1 (mining, server), closes its store and, on a worker, ends the thread. */
  stop(): Promise<void>;
}

/** The L1 on a worker thread: reached over HTTP only. */
export interface WorkerL1Handle extends L1HandleBase {
  readonly thread: "worker";
  /**
   * Ends the thread at once, as a crash would: no store close, no clean stop. The devnet sees what
   * it sees when the thread dies of an error (it logs it and stops); tests use it for that case.
   */
  kill(): Promise<void>;
}

/** The L1 on the node's thread: the L1 devnet itself is in hand too. */
export interface MainL1Handle extends L1HandleBase {
  readonly thread: "main";
  readonly devnet: L1Devnet;
}

export type L1Handle = WorkerL1Handle | MainL1Handle;

export interface L1ThreadOptions extends StoredL1Options {
  readonly thread: L1Thread;
  /**
   * The L1 worker's V8 heap limits (`Worker`'s `resourceLimits`; DEFAULT_L1_RESOURCE_LIMITS when
   * left out). Ignored for "main": the node's thread has the limits its process was started with.
   */
  readonly resourceLimits?: ResourceLimits;
  /**
   * Called once if the L1 worker ends after it started without being stopped (an uncaught error,
   * an exit, a kill): the L1 is gone, so the devnet must stop. Never called for "main".
   */
  readonly onDeath: (error: L1ThreadError) => void;
}

/** An error as it crosses from the L1 thread: message, stack, and the NodeError code and hint when it had them. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly code?: string;
  readonly hint?: string;
}

/** What the L1 thread sends the main thread. */
export type L1WorkerMessage =
  | {
      readonly kind: "ready";
      readonly url: string;
      readonly port: number;
      readonly chainId: bigint;
      readonly executeAddress: string;
      readonly startHead: bigint;
    }
  | { readonly kind: "failed"; readonly error: SerializedError }
  | { readonly kind: "stopped"; readonly error?: SerializedError }
  | { readonly kind: "heap"; readonly id: number; readonly statistics: L1HeapStatistics };

/** What the main thread sends the L1 thread. */
export type L1WorkerRequest =
  | { readonly kind: "stop" }
  | { readonly kind: "heap"; readonly id: number; readonly collectFirst: boolean };

/** Marks the worker's data, so the entry module runs only in a thread started for it. */
export const L1_WORKER_DATA_KIND = "native-rollup-l1-devnet";

/** The data an L1 worker starts from. */
export interface L1WorkerData {
  readonly kind: typeof L1_WORKER_DATA_KIND;
  readonly options: StoredL1Options;
}

export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) };
  const coded = error as Error & { code?: unknown; hint?: unknown };
  return {
    name: error.name,
    message: error.message,
    stack: error.stack,
    ...(typeof coded.code === "string" ? { code: coded.code } : {}),
    ...(typeof coded.hint === "string" ? { hint: coded.hint } : {}),
  };
}

/** The L1 thread's error on this thread: its code, message, hint, name and (the thread's) stack. */
export function reviveError(error: SerializedError): L1ThreadError {
  const revived = new L1ThreadError(
    error.code ?? "L1_THREAD",
    error.message,
    error.hint ?? "the L1 devnet thread failed: see the message",
  );
  revived.name = error.name;
  if (error.stack !== undefined) revived.stack = error.stack;
  return revived;
}

/** Starts the rollup devnet's L1 on the thread `options.thread` names; resolves once it serves HTTP. */
export async function startL1Thread(options: L1ThreadOptions): Promise<L1Handle> {
  if (options.thread === "main") return startOnMainThread(options);
  return startOnWorker(options);
}

async function startOnMainThread(options: StoredL1Options): Promise<MainL1Handle> {
  const l1 = await startStoredL1(options);
  return {
    thread: "main",
    devnet: l1.devnet,
    url: l1.devnet.url as string,
    port: l1.devnet.port as number,
    chainId: l1.devnet.chainId,
    executeAddress: l1.devnet.executeAddress,
    startHead: l1.startHead,
    threadId: mainThreadId,
    eventLoopUtilization: (since) => performance.eventLoopUtilization(since),
    heapStatistics: async (asked) => l1HeapStatistics(l1.devnet.chain, asked?.collectFirst ?? false),
    writeHeapSnapshot: async (file) => {
      writeHeapSnapshot(file);
    },
    stop: l1.stop,
  };
}

function startOnWorker(options: L1ThreadOptions): Promise<WorkerL1Handle> {
  const data: L1WorkerData = {
    kind: L1_WORKER_DATA_KIND,
    options: { devnet: options.devnet, directory: options.directory, reset: options.reset },
  };
  const worker = spawnL1Worker(data, options.resourceLimits ?? DEFAULT_L1_RESOURCE_LIMITS);
  const exited = new Promise<number>((resolve) => worker.once("exit", resolve));
  // The last uncaught error of the thread, reported with its exit.
  let uncaught: Error | undefined;
  worker.on("error", (error) => {
    uncaught = error;
  });
  let state: "starting" | "running" | "stopping" | "ended" = "starting";
  let stopped: ((error?: SerializedError) => void) | undefined;
  // Heap statistics asked of the thread, by request id.
  const heapRequests = new Map<number, (statistics: L1HeapStatistics) => void>();
  let nextHeapRequest = 0;

  return new Promise<WorkerL1Handle>((resolve, reject) => {
    worker.on("message", (message: L1WorkerMessage) => {
      if (message.kind === "failed" && state === "starting") {
        state = "ended";
        // The thread has closed what it opened; end it, then report its error.
        void worker.terminate().then(() => reject(reviveError(message.error)));
      } else if (message.kind === "stopped") stopped?.(message.error);
      else if (message.kind === "heap") {
        heapRequests.get(message.id)?.(message.statistics);
        heapRequests.delete(message.id);
      } else if (message.kind === "ready" && state === "starting") {
        state = "running";
        const stop = async (): Promise<void> => {
          if (state !== "running") return exited.then(() => undefined);
          state = "stopping";
          const reply = new Promise<SerializedError | undefined>((settle) => {
            stopped = settle;
            // A thread that dies while stopping has stopped too.
            void exited.then(() => settle(undefined));
          });
          worker.postMessage({ kind: "stop" } satisfies L1WorkerRequest);
          const error = await reply;
          await worker.terminate();
          state = "ended";
          if (error !== undefined) throw reviveError(error);
        };
        resolve({
          thread: "worker",
          url: message.url,
          port: message.port,
          chainId: message.chainId,
          executeAddress: message.executeAddress,
          startHead: message.startHead,
          threadId: worker.threadId,
          eventLoopUtilization: (since) => worker.performance.eventLoopUtilization(since),
          heapStatistics: (asked) =>
            new Promise<L1HeapStatistics>((settle, refuse) => {
              if (state !== "running") {
                refuse(new L1ThreadError("L1_THREAD_STOPPED", "the L1 thread is not running", "ask while it runs"));
                return;
              }
              const id = nextHeapRequest++;
              heapRequests.set(id, settle);
              worker.postMessage({
                kind: "heap",
                id,
                collectFirst: asked?.collectFirst ?? false,
              } satisfies L1WorkerRequest);
            }),
          writeHeapSnapshot: async (file) => pipeline(await worker.getHeapSnapshot(), createWriteStream(file)),
          stop,
          kill: async () => {
            await worker.terminate();
          },
        });
      }
    });
    void exited.then((code) => {
      const cause = uncaught === undefined ? `it exited with code ${code}` : `${uncaught.name}: ${uncaught.message}`;
      if (state === "starting") {
        state = "ended";
        reject(
          uncaught === undefined
            ? new L1ThreadError(
                "L1_THREAD_EXIT",
                `the L1 devnet thread ended before it started: ${cause}`,
                "see the error above",
              )
            : reviveError(serializeError(uncaught)),
        );
      } else if (state === "running") {
        state = "ended";
        const died = new L1ThreadError(
          "L1_THREAD_DIED",
          `the L1 devnet thread died: ${cause}`,
          "the devnet stopped; its data directory holds every block mined before: run it again to resume (or --reset)",
        );
        if (uncaught?.stack !== undefined) died.stack = `${died.name}: ${died.message}\n  caused by ${uncaught.stack}`;
        options.onDeath(died);
      }
    });
  });
}

/** Starts ./l1Worker in a thread (from the sources, behind the TypeScript loader: startWorkerBeside). */
function spawnL1Worker(workerData: L1WorkerData, resourceLimits: ResourceLimits): Worker {
  return startWorkerBeside(__filename, "l1Worker", { workerData, resourceLimits });
}

/** Parses an L1 thread choice (an environment variable or a command-line value); undefined → the default. */
export function parseL1Thread(value: string | undefined, source: string): L1Thread {
  if (value === undefined || value === "") return DEFAULT_L1_THREAD;
  if (value === "worker" || value === "main") return value;
  throw new L1ThreadError(
    "L1_THREAD_CHOICE",
    `${source} must be "worker" or "main", got "${value}"`,
    'pass "worker" (the L1 on its own thread, the default) or "main" (the L1 on the node\'s thread)',
  );
}
