/**
 * Load test of the L2 RPC (`npm run load:l2 -- --seconds 60 --rate 100`).
 *
 * This process is the node under test: it starts the whole rollup (L1 devnet, rollup contract, L2
 * node; ephemeral ports, a temporary data directory). The load is an external client in a process
 * of its own (scripts/loadWallets.ts), so signing and polling never take the node's thread: it
 * sends signed ETH transfers to the L2 RPC at a fixed rate for `--seconds` from `--senders` dev
 * accounts, as wallets do (explicit nonces, fee caps from the current base fee, a refusal for the
 * fee re-sent with a fresh one, a stuck transaction sped up, a send without an answer or refused
 * behind a nonce gap sent again). Reports every error by its reason, transactions missing at the
 * end (each sender's first missing nonce and what the node says became of it: lost, pooled, never
 * acknowledged), inclusion latency percentiles (from the first send of a nonce
 * to the first time it is seen in an L2 block), throughput, and the node's memory (RSS, heap) at
 * start, after the first minute of load (warm-up: caches and the JIT fill) and at the end, with
 * the growth after the first minute (#14's target: ≤ 10 % over a 10-minute run), and the load
 * average (a shared machine's figures are read with it).
 * Other knobs: --block-time MS (L2 block time, default 200), --senders N (default 5),
 * --cpu-prof FILE (a V8 CPU profile of the node process while the load runs, for Chrome DevTools),
 * --log (the node's log on stderr, each line with its time), --l1-thread worker|main (where the
 * devnet runs its L1: its own thread, the default, or the node's; the report gives each thread's
 * busy share and the process's CPU in cores, docs/design/devnet-l1-thread.md),
 * --heap-snapshots DIR (V8 heap snapshots of the node process written to DIR: `warm.heapsnapshot`
 * after the first minute and `end.heapsnapshot` after the last inclusion; compare them with
 * `scripts/heap-diff.ts`. Writing one pauses the node for seconds: latency figures of such a run
 * are not comparable; the L1 thread's heap is written beside them, `l1-warm.heapsnapshot` and
 * `l1-end.heapsnapshot`, when the L1 runs on its own thread).
 * Every minute of load it prints a memory line: the process's `memoryUsage()` in full, the L1
 * thread's own V8 heap (inside RSS, outside the main thread's heapUsed), /proc/self/status's
 * VmRSS/RssAnon/RssFile, the L2 and L1 heads and the blocks each chain holds in memory, each thread's V8 heap spaces (which space holds a
 * heap's reservation) and the node caches' hit rate since the last line; at the end, each figure's
 * growth per L2 block after the first minute (docs/design/memory-bounds.md), and a verdict line for
 * #14's target: the growth after minute 1 against 10 %, with what explains it (the node caches
 * filling towards their bound, each V8 heap's reservation above its live part, the young
 * generations, the native rest), and a second verdict from the first memory line at which both node
 * caches are full (each has evicted: their warm-up is growth that stops at its bound; a run that
 * does not get there says so and gives the growth without the caches' own, as an estimate).
 * --l1-young-mb N / --l1-old-mb N set the L1 worker's V8 `resourceLimits` (maxYoungGenerationSizeMb,
 * maxOldGenerationSizeMb); --node-cache-mb N bounds both trie node caches (the L2's and the L1's) at N
 * MiB each instead of DEFAULT_NODE_CACHE_BYTES; --live collects garbage on both threads before each
 * memory line (then `used` is the live heap: a growth there is retention, not garbage); --json FILE writes the run's figures for scripts/load-l2-pair.ts, which
 * runs a baseline and a variant side by side.
 */
import { fork } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { type EventLoopUtilization, performance } from "node:perf_hooks";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { type HeapSpaceInfo, getHeapSpaceStatistics, setFlagsFromString, writeHeapSnapshot } from "node:v8";
import { runInNewContext } from "node:vm";

import { DEFAULT_NODE_CACHE_BYTES } from "../rollup-node/chain/nodeCacheDb";
import { createLineLogger, silentLogger } from "../rollup-node/logger";
import { DEFAULT_L1_RESOURCE_LIMITS, type L1Handle, parseL1Thread } from "../rollup-node/devnet/l1Thread";
import { startRollupDevnet } from "../rollup-node/devnet/rollupDevnet";
import type { LoadMessage, LoadPlan, LoadResult } from "./loadWallets";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    seconds: { type: "string", default: "60" },
    rate: { type: "string", default: "50" },
    senders: { type: "string", default: "5" },
    "block-time": { type: "string", default: "200" },
    "cpu-prof": { type: "string" },
    "heap-snapshots": { type: "string" },
    log: { type: "boolean", default: false },
    "l1-thread": { type: "string" },
    "l1-young-mb": { type: "string" },
    "l1-old-mb": { type: "string" },
    "node-cache-mb": { type: "string" },
    live: { type: "boolean", default: false },
    json: { type: "string" },
  },
});
const SECONDS = Number(values.seconds);
const RATE = Number(values.rate);
const SENDERS = Number(values.senders);
const BLOCK_TIME_MS = Number(values["block-time"]);
const CPU_PROFILE = values["cpu-prof"];
const L1_THREAD = parseL1Thread(values["l1-thread"], "--l1-thread");
const HEAP_SNAPSHOTS = values["heap-snapshots"];
const JSON_FILE = values.json;
/**
 * --live: a full collection on both threads before each memory line, so that `used` is the live
 * heap (what the node holds), not the live heap plus garbage not yet collected; each costs a pause
 * of the order of 100 ms a minute on each thread, so latency figures of such a run are a little worse.
 */
const LIVE = values.live as boolean;
if (LIVE) setFlagsFromString("--expose-gc");
/** This thread's full collection (exposed by the flag above, for contexts made after it). */
const collectGarbage: (() => void) | undefined = LIVE ? (runInNewContext("gc") as () => void) : undefined;
/** Each trie node cache's bound (--node-cache-mb; the chain's default otherwise). */
const NODE_CACHE_BYTES =
  values["node-cache-mb"] !== undefined ? Number(values["node-cache-mb"]) * 1024 * 1024 : DEFAULT_NODE_CACHE_BYTES;
/**
 * The L1 worker's resourceLimits: DEFAULT_L1_RESOURCE_LIMITS with --l1-young-mb / --l1-old-mb over
 * it (one of them alone leaves the other at the default, not at V8's).
 */
const L1_RESOURCE_LIMITS = {
  ...DEFAULT_L1_RESOURCE_LIMITS,
  ...(values["l1-young-mb"] !== undefined ? { maxYoungGenerationSizeMb: Number(values["l1-young-mb"]) } : {}),
  ...(values["l1-old-mb"] !== undefined ? { maxOldGenerationSizeMb: Number(values["l1-old-mb"]) } : {}),
};

/** Memory growth is measured from here on: the first minute fills caches and the JIT. */
const WARM_UP_MS = 60_000;
/** How long the client waits after its last send for the last inclusions. */
const GRACE_MS = 60_000;

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** One memory sample of the node process (both threads) with the heads it was taken at. */
export interface MemorySample {
  readonly minute: number;
  readonly l2Block: number;
  readonly l1Block: number;
  /**
   * The L2 mempool's transactions (queued ones included) and the blocks the L2 chain holds in
   * memory: a node behind its load holds the transactions it has not built yet, and a live heap
   * that grows with them is the backlog, not a per-block retention.
   */
  readonly l2Pooled: number;
  readonly l2BlocksHeld: number;
  /** Blocks the L1 chain holds decoded in memory (bounded by its archive window, memory-bounds.md). */
  readonly l1BlocksHeld: number;
  readonly rss: number;
  readonly heapTotal: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
  /** /proc/self/status (Linux), bytes; NaN elsewhere. */
  readonly vmRss: number;
  readonly rssAnon: number;
  readonly rssFile: number;
  /** The L1 thread's heap (its own V8 isolate): used, total (reserved) and its external memory. */
  readonly l1HeapUsed: number;
  readonly l1HeapTotal: number;
  readonly l1External: number;
  /** The trie node caches' bytes (bounded, DEFAULT_NODE_CACHE_BYTES each): the L2 chain's, the L1 chain's. */
  readonly l2NodeCache: number;
  readonly l1NodeCache: number;
  /** The node caches' reads since start: answered from memory, passed to LevelDB. */
  readonly l2CacheHits: number;
  readonly l2CacheMisses: number;
  readonly l1CacheHits: number;
  readonly l1CacheMisses: number;
  /** Entries each cache dropped to keep within its bounds since start: above 0, that cache is full. */
  readonly l2CacheEvictions: number;
  readonly l1CacheEvictions: number;
  /** Each thread's V8 heap spaces: which space holds a heap's reservation (`total`). */
  readonly mainSpaces: readonly HeapSpaceInfo[];
  readonly l1Spaces: readonly HeapSpaceInfo[];
}

/** What --json writes: the run's figures, for scripts/load-l2-pair.ts. */
export interface LoadRunSummary {
  readonly rate: number;
  readonly seconds: number;
  readonly acknowledged: number;
  readonly offered: number;
  readonly errors: number;
  readonly failed: number;
  readonly included: number;
  readonly throughput: number;
  readonly p50: number;
  readonly p99: number;
  readonly blocks: number;
  readonly cores: number | undefined;
  readonly meanLoad: number;
  readonly maxRss: number;
  readonly warm: MemorySample | undefined;
  readonly last: MemorySample;
  readonly breakdown: GrowthBreakdown | undefined;
  /** RSS growth from the first memory line at which both node caches were full, to the end (undefined: they never both filled). */
  readonly afterCachesFull: AfterCachesFull | undefined;
}

const SAMPLE_FIELDS = [
  "rss",
  "rssAnon",
  "rssFile",
  "heapUsed",
  "heapTotal",
  "external",
  "arrayBuffers",
  "l1HeapUsed",
  "l1HeapTotal",
  "l1External",
  "l2NodeCache",
  "l1NodeCache",
] as const;

/** A field of /proc/self/status in bytes (its values are in kB); NaN where there is none. */
function procStatus(): { vmRss: number; rssAnon: number; rssFile: number } {
  let text = "";
  try {
    text = readFileSync("/proc/self/status", "utf8");
  } catch {
    // Not Linux: the figures stay NaN.
  }
  const field = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text);
    return match === null ? Number.NaN : Number(match[1]) * 1024;
  };
  return { vmRss: field("VmRSS"), rssAnon: field("RssAnon"), rssFile: field("RssFile") };
}

async function l1BlockNumber(url: string): Promise<number> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }),
  });
  const { result } = (await response.json()) as { result: string };
  return Number(result);
}

/**
 * Anonymous RSS neither V8 heap holds (their reserved totals) nor V8 counts as external: LevelDB's
 * caches and memtables, libuv, thread stacks, compiled code, malloc's free lists and arenas.
 */
function nativeRest(s: MemorySample): number {
  return s.rssAnon - s.heapTotal - s.external - s.l1HeapTotal - s.l1External;
}

/** The spaces that hold a heap's reservation, `name size/used` in MiB (V8's names without `_space`; the empty ones left out). */
function formatSpaces(spaces: readonly HeapSpaceInfo[]): string {
  const m = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
  return spaces
    .filter((space) => space.space_size > 0)
    .map((space) => `${space.space_name.replace(/_space$/, "")} ${m(space.space_size)}/${m(space.space_used_size)}`)
    .join(", ");
}

/** Hits as a share of a cache's reads between two samples (`-` when it had none). */
function hitRate(hits: number, misses: number): string {
  return hits + misses === 0 ? "-" : `${((hits / (hits + misses)) * 100).toFixed(1)} %`;
}

function formatSample(s: MemorySample, previous: MemorySample | undefined): string {
  const m = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
  const since = (field: "l2CacheHits" | "l2CacheMisses" | "l1CacheHits" | "l1CacheMisses"): number =>
    s[field] - (previous?.[field] ?? 0);
  const full = (evictions: number): string => (evictions > 0 ? " (full)" : "");
  return (
    `[memory min ${s.minute}] L2 block ${s.l2Block}, L1 block ${s.l1Block} | L2 pool ${s.l2Pooled} txs, blocks held ${s.l2BlocksHeld}, L1 blocks held ${s.l1BlocksHeld} | rss ${m(s.rss)} (RssAnon ${m(s.rssAnon)}, RssFile ${m(s.rssFile)}) | ` +
    `main heap used ${m(s.heapUsed)} total ${m(s.heapTotal)}, external ${m(s.external)} (arrayBuffers ${m(s.arrayBuffers)}) | ` +
    `L1 thread heap used ${m(s.l1HeapUsed)} total ${m(s.l1HeapTotal)}, external ${m(s.l1External)} | node caches L2 ${m(s.l2NodeCache)}${full(s.l2CacheEvictions)} L1 ${m(s.l1NodeCache)}${full(s.l1CacheEvictions)} | native rest ${m(nativeRest(s))} | MiB${LIVE ? ", used after a full GC" : ""}, load ${load()}\n` +
    `  node cache hits since the last line: L2 ${hitRate(since("l2CacheHits"), since("l2CacheMisses"))} of ${since("l2CacheHits") + since("l2CacheMisses")} reads, L1 ${hitRate(since("l1CacheHits"), since("l1CacheMisses"))} of ${since("l1CacheHits") + since("l1CacheMisses")}\n` +
    `  heap spaces size/used MiB, main: ${formatSpaces(s.mainSpaces)}\n` +
    `  L1 thread: ${formatSpaces(s.l1Spaces)}`
  );
}

/** #14's target for a node under load: RSS after the first minute grows at most this much (%). */
const GROWTH_TARGET_PERCENT = 10;

/** What RSS grew by between two samples, split so that the parts add up to it (bytes). */
export interface GrowthBreakdown {
  readonly rss: number;
  readonly percent: number;
  /** Both trie node caches (their keys, values and per-entry overhead, inside the next part). */
  readonly nodeCaches: number;
  /**
   * Both heaps' used part and external memory, the caches' included. `used` is what the last
   * collection left plus what was allocated since: live objects and garbage not yet collected, so
   * a heap that collects less often (a larger limit) shows more of it.
   */
  readonly usedAndExternal: number;
  /** Both heaps' reservation above their used part (`total − used`), and of it the young generations' size. */
  readonly reservation: number;
  readonly youngGenerations: number;
  readonly nativeRest: number;
  readonly fileAndShared: number;
}

const spaceSize = (spaces: readonly HeapSpaceInfo[], name: string): number =>
  spaces.find((space) => space.space_name === name)?.space_size ?? 0;

/** The growth from `warm` to `last`, by part (see GrowthBreakdown). */
function growthBreakdown(warm: MemorySample, last: MemorySample): GrowthBreakdown {
  const used = (s: MemorySample): number => s.heapUsed + s.external + s.l1HeapUsed + s.l1External;
  const reserved = (s: MemorySample): number => s.heapTotal - s.heapUsed + s.l1HeapTotal - s.l1HeapUsed;
  const young = (s: MemorySample): number => spaceSize(s.mainSpaces, "new_space") + spaceSize(s.l1Spaces, "new_space");
  return {
    rss: last.rss - warm.rss,
    percent: ((last.rss - warm.rss) / warm.rss) * 100,
    nodeCaches: last.l2NodeCache + last.l1NodeCache - warm.l2NodeCache - warm.l1NodeCache,
    usedAndExternal: used(last) - used(warm),
    reservation: reserved(last) - reserved(warm),
    youngGenerations: young(last) - young(warm),
    nativeRest: nativeRest(last) - nativeRest(warm),
    fileAndShared: last.rss - last.rssAnon - (warm.rss - warm.rssAnon),
  };
}

/** The verdict line: the growth after minute 1 against the target, and the bound that explains each part. */
function verdict(g: GrowthBreakdown, last: MemorySample, cacheBound: number): string {
  const m = (bytes: number): string => `${bytes >= 0 ? "+" : ""}${(bytes / 1024 / 1024).toFixed(1)}`;
  const met = g.percent <= GROWTH_TARGET_PERCENT;
  return (
    `verdict (#14: RSS after minute 1 grows <= ${GROWTH_TARGET_PERCENT} %): ${g.percent >= 0 ? "+" : ""}${g.percent.toFixed(1)} %, ${met ? "met" : "NOT met"}; ` +
    `of ${m(g.rss)} MiB: node caches ${m(g.nodeCaches)} (each filling towards its bound of ${mib(cacheBound)}: now L2 ${mib(last.l2NodeCache)}, L1 ${mib(last.l1NodeCache)}), ` +
    `the rest of both heaps' used part (${LIVE ? "live: collected before each line" : "live and not yet collected"}) and external ${m(g.usedAndExternal - g.nodeCaches)}, ` +
    `V8's reservation above the used heaps ${m(g.reservation)} (young generations ${m(g.youngGenerations)}: bounded by the semi-space maximum; old space: the growing factor times the live heap), ` +
    `native rest ${m(g.nativeRest)} (malloc arenas, LevelDB caches), file pages ${m(g.fileAndShared)}`
  );
}

/** The RSS growth once both node caches are full: from the first memory line (minute 1 or later) at which both had evicted. */
export interface AfterCachesFull {
  readonly minute: number;
  readonly l2Block: number;
  readonly rss: number;
  readonly percent: number;
}

/**
 * The growth after the node caches' warm-up: a cache filling towards its bound is growth that
 * stops, so the target is also read from the first line at which both are full. Undefined when
 * they did not both fill before the last line (or filled only at it: no interval to measure).
 */
function afterCachesFull(samples: readonly MemorySample[], last: MemorySample): AfterCachesFull | undefined {
  const full = samples.find((s) => s.minute >= 1 && s.l2CacheEvictions > 0 && s.l1CacheEvictions > 0);
  if (full === undefined || full.minute >= last.minute) return undefined;
  return {
    minute: full.minute,
    l2Block: full.l2Block,
    rss: last.rss - full.rss,
    percent: ((last.rss - full.rss) / full.rss) * 100,
  };
}

/**
 * The second verdict line: the growth after both caches are full, when the run got there; else
 * the growth after minute 1 without the caches' own (an estimate of the first, stated as such).
 */
function verdictAfterFill(
  after: AfterCachesFull | undefined,
  g: GrowthBreakdown,
  warm: MemorySample,
  last: MemorySample,
  cacheBound: number,
): string {
  const sign = (x: number): string => (x >= 0 ? "+" : "");
  if (after !== undefined)
    return (
      `verdict after the node caches are full (both evicting from minute ${after.minute}, L2 block ${after.l2Block}, bound ${mib(cacheBound)} each): ` +
      `RSS ${sign(after.rss)}${(after.rss / 1024 / 1024).toFixed(1)} MiB, ${sign(after.percent)}${after.percent.toFixed(1)} %, ${after.percent <= GROWTH_TARGET_PERCENT ? "met" : "NOT met"}`
    );
  const net = ((g.rss - g.nodeCaches) / warm.rss) * 100;
  return (
    `verdict after the node caches are full: not reached in this run (L2 ${mib(last.l2NodeCache)}, L1 ${mib(last.l1NodeCache)} of ${mib(cacheBound)} each; ` +
    `--node-cache-mb N makes them fill early); the growth after minute 1 without the caches' own is ${sign(net)}${net.toFixed(1)} % (an estimate, not a measurement)`
  );
}

function memory(): string {
  const m = process.memoryUsage();
  return `rss ${mib(m.rss)}, heapUsed ${mib(m.heapUsed)}, heapTotal ${mib(m.heapTotal)}`;
}

/** Writes a heap snapshot `name`.heapsnapshot into the --heap-snapshots directory (after a full GC). */
function heapSnapshot(name: string): void {
  if (HEAP_SNAPSHOTS === undefined) return;
  mkdirSync(HEAP_SNAPSHOTS, { recursive: true });
  const file = writeHeapSnapshot(path.join(HEAP_SNAPSHOTS, `${name}.heapsnapshot`));
  console.log(`heap snapshot (${name}): ${file}; node memory now: ${memory()}`);
}

/** The L1 thread's heap snapshot beside the node's (`l1-<name>.heapsnapshot`), when it has a thread of its own. */
async function l1HeapSnapshot(l1: L1Handle, name: string): Promise<void> {
  if (HEAP_SNAPSHOTS === undefined || l1.thread !== "worker") return;
  mkdirSync(HEAP_SNAPSHOTS, { recursive: true });
  const file = path.join(HEAP_SNAPSHOTS, `l1-${name}.heapsnapshot`);
  await l1.writeHeapSnapshot(file);
  console.log(`L1 thread heap snapshot (${name}): ${file}`);
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

/** Runs the wallet client in a child process; `onStarted` when its first transaction goes out. */
function runClient(plan: LoadPlan, onStarted: () => void): Promise<LoadResult> {
  const child = fork(path.join(__dirname, "loadWallets.ts"), [], {
    // The client is TypeScript: load it through ts-node, whatever flags (a profiler) this process has.
    execArgv: ["--require", require.resolve("ts-node/register/transpile-only")],
    stdio: "inherit",
  });
  return new Promise<LoadResult>((resolve, reject) => {
    child.on("message", (message: LoadMessage) => {
      if (message.kind === "started") onStarted();
      else resolve(message.result);
    });
    child.once("exit", (code) => reject(new Error(`the load client exited (${code}) without a result`)));
    child.send({ plan: { ...plan, chainId: plan.chainId.toString() } });
  });
}

/** Starts a V8 CPU profile of this process; the returned function stops it and writes `file`. */
async function startCpuProfile(file: string): Promise<() => Promise<void>> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((resolve, reject) =>
      session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
    );
  await post("Profiler.enable");
  await post("Profiler.setSamplingInterval", { interval: 1000 });
  await post("Profiler.start");
  return async () => {
    const { profile } = (await post("Profiler.stop")) as { profile: object };
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "rollup-load-"));
  const devnet = await startRollupDevnet({
    dataDir,
    l1Port: 0,
    l2Port: 0,
    l2BlockTimeMs: BLOCK_TIME_MS,
    l1PollMs: 100,
    l1Thread: L1_THREAD,
    l1ResourceLimits: L1_RESOURCE_LIMITS,
    nodeCacheBytes: NODE_CACHE_BYTES,
    logger: values.log
      ? (component) => createLineLogger(component, (line) => process.stderr.write(`${line}\n`), true)
      : () => silentLogger,
  });
  try {
    const startMemory = memory();
    console.log(`rollup up (L2 ${devnet.l2Url}, block time ${BLOCK_TIME_MS} ms); node memory at start: ${startMemory}`);
    console.log(`sending ${RATE} tx/s for ${SECONDS} s from ${SENDERS} accounts (load client: its own process)`);
    const stopProfile = CPU_PROFILE !== undefined ? await startCpuProfile(CPU_PROFILE) : undefined;
    let rssAfterWarmUp: number | undefined;
    let memoryAfterWarmUp = "";
    let maxRss = 0;
    const loadSamples: number[] = [];
    let warmUp: NodeJS.Timeout | undefined;
    // Busy shares over the load (from the client's first send to its result): each thread's event
    // loop, and the process's CPU time (all threads) per wall second, i.e. cores used.
    let busyFrom:
      | { node: EventLoopUtilization; l1: EventLoopUtilization; cpu: NodeJS.CpuUsage; at: number }
      | undefined;
    const sampler = setInterval(() => {
      maxRss = Math.max(maxRss, process.memoryUsage().rss);
      loadSamples.push(loadavg()[0] as number);
    }, 5_000);
    const samples: MemorySample[] = [];
    const takeSample = async (minute: number): Promise<MemorySample> => {
      const l1 = await devnet.l1.heapStatistics({ collectFirst: LIVE });
      collectGarbage?.();
      const m = process.memoryUsage();
      const sample: MemorySample = {
        minute,
        l2Block: Number(devnet.node.sequencer.chain.headNumber),
        l1Block: await l1BlockNumber(devnet.l1Url),
        l2Pooled: devnet.node.sequencer.pooledTransactions().length,
        l2BlocksHeld: devnet.node.sequencer.chain.heldInMemory.blocks,
        l1BlocksHeld: l1.blocks_in_memory,
        rss: m.rss,
        heapTotal: m.heapTotal,
        heapUsed: m.heapUsed,
        external: m.external,
        arrayBuffers: m.arrayBuffers,
        ...procStatus(),
        // On "main" the L1's heap is the node's own: counted once, in the main figures.
        l1HeapUsed: devnet.l1.thread === "worker" ? l1.used_heap_size : 0,
        l1HeapTotal: devnet.l1.thread === "worker" ? l1.total_heap_size : 0,
        l1External: devnet.l1.thread === "worker" ? l1.external_memory : 0,
        l2NodeCache: devnet.node.sequencer.chain.heldInMemory.nodeCacheBytes,
        l1NodeCache: l1.node_cache_bytes,
        l2CacheHits: devnet.node.sequencer.chain.heldInMemory.nodeCacheHits,
        l2CacheMisses: devnet.node.sequencer.chain.heldInMemory.nodeCacheMisses,
        l1CacheHits: l1.node_cache_hits,
        l1CacheMisses: l1.node_cache_misses,
        l2CacheEvictions: devnet.node.sequencer.chain.heldInMemory.nodeCacheEvictions,
        l1CacheEvictions: l1.node_cache_evictions,
        mainSpaces: getHeapSpaceStatistics(),
        l1Spaces: devnet.l1.thread === "worker" ? l1.spaces : [],
      };
      console.log(formatSample(sample, samples[samples.length - 1]));
      samples.push(sample);
      return sample;
    };
    let minutes: NodeJS.Timeout | undefined;
    const result = await runClient(
      {
        url: devnet.l2Url,
        chainId: devnet.l2ChainId,
        privateKeys: devnet.accounts.slice(0, SENDERS).map((a) => a.privateKey),
        rate: RATE,
        seconds: SECONDS,
        graceMs: GRACE_MS,
      },
      () => {
        busyFrom = {
          node: performance.eventLoopUtilization(),
          l1: devnet.l1.eventLoopUtilization(),
          cpu: process.cpuUsage(),
          at: performance.now(),
        };
        void takeSample(0);
        let minute = 0;
        minutes = setInterval(() => void takeSample(++minute), WARM_UP_MS);
        warmUp = setTimeout(() => {
          rssAfterWarmUp = process.memoryUsage().rss;
          memoryAfterWarmUp = memory();
          heapSnapshot("warm");
          void l1HeapSnapshot(devnet.l1, "warm");
        }, WARM_UP_MS);
      },
    );
    clearInterval(sampler);
    clearInterval(minutes);
    clearTimeout(warmUp);
    const last = await takeSample(samples.length === 0 ? 0 : (samples[samples.length - 1] as MemorySample).minute + 1);
    const busy =
      busyFrom === undefined
        ? undefined
        : {
            node: performance.eventLoopUtilization(busyFrom.node).utilization,
            l1: devnet.l1.eventLoopUtilization(busyFrom.l1).utilization,
            cores: (() => {
              const cpu = process.cpuUsage(busyFrom.cpu);
              return (cpu.user + cpu.system) / 1000 / (performance.now() - busyFrom.at);
            })(),
          };
    await stopProfile?.();
    const endMemory = memory();
    const endRss = process.memoryUsage().rss;
    heapSnapshot("end");
    await l1HeapSnapshot(devnet.l1, "end");

    const latencies = result.latenciesMs;
    const errorCount = Object.values(result.errorClasses).reduce((sum, n) => sum + n, 0);
    console.log(`\n=== load:l2 results ===`);
    console.log(
      `sent ${result.acknowledged} of ${result.planned} in ${result.sendSeconds.toFixed(1)} s (offered ${(result.acknowledged / result.sendSeconds).toFixed(1)} tx/s)`,
    );
    console.log(
      `errors (every refusal or failed RPC call, retried or not): ${errorCount}${result.firstError !== undefined ? ` (first: ${result.firstError})` : ""}`,
    );
    for (const [reason, n] of Object.entries(result.errorClasses)) console.log(`  ${n} × ${reason}`);
    console.log(
      `fee refusals re-sent with a fresh base fee: ${result.feeRetries}; stuck transactions sped up: ${result.replacements}; nonces refused behind a gap sent again: ${result.gapResends}`,
    );
    console.log(`sends without an answer (timeout, connection lost) sent again: ${result.unansweredResends}`);
    console.log(
      `included: ${result.included}, failed (never acknowledged, or missing after ${GRACE_MS / 1000} s grace): ${result.failed}`,
    );
    for (const stall of result.stalls)
      console.log(
        `  sender ${stall.sender}: first missing nonce ${stall.nonce} ${stall.fate} (node: latest ${stall.latest}, pending ${stall.pending}); missing by fate ${JSON.stringify(stall.missing)}`,
      );
    console.log(
      `throughput (first send to last inclusion): ${(result.included / result.throughputSeconds).toFixed(1)} tx/s`,
    );
    console.log(
      `inclusion latency ms: p50 ${percentile(latencies, 50)}, p90 ${percentile(latencies, 90)}, p99 ${percentile(latencies, 99)}, max ${latencies[latencies.length - 1]}`,
    );
    console.log(
      `L2 blocks during the run: ${result.blocks}; base fee gwei: first ${result.baseFeeGweiFirst}, max ${result.baseFeeGweiMax}, last ${result.baseFeeGweiLast}`,
    );
    if (busy !== undefined)
      console.log(
        `L1 on ${devnet.l1.thread === "worker" ? "its own thread" : "the node's thread"}: event loop busy ${(busy.node * 100).toFixed(0)} % (node thread), ${(busy.l1 * 100).toFixed(0)} % (L1 thread${devnet.l1.thread === "main" ? ", the same" : ""}); process CPU ${busy.cores.toFixed(2)} cores`,
      );
    console.log(`node memory at start: ${startMemory}`);
    if (rssAfterWarmUp !== undefined) {
      const growth = ((endRss - rssAfterWarmUp) / rssAfterWarmUp) * 100;
      console.log(`node memory at 1 min: ${memoryAfterWarmUp}`);
      console.log(
        `node memory at end:   ${endMemory} (RSS ${growth >= 0 ? "+" : ""}${growth.toFixed(1)} % since 1 min; max RSS ${mib(maxRss)})`,
      );
    } else console.log(`node memory at end:   ${endMemory} (the run was shorter than the 1-minute warm-up)`);
    const warm = samples.find((sample) => sample.minute === 1);
    if (warm !== undefined && last.l2Block > warm.l2Block) {
      const blocks = last.l2Block - warm.l2Block;
      const perBlock = [
        ...SAMPLE_FIELDS.map((field): [string, number] => [field, last[field] - warm[field]]),
        ["nativeRest", nativeRest(last) - nativeRest(warm)] as [string, number],
      ].map(([field, bytes]) => {
        const kib = bytes / blocks / 1024;
        return `${field} ${kib >= 0 ? "+" : ""}${kib.toFixed(1)}`;
      });
      console.log(`growth per L2 block after 1 min (${blocks} blocks), KiB: ${perBlock.join(", ")}`);
    }
    const breakdown = warm === undefined ? undefined : growthBreakdown(warm, last);
    const afterFill = afterCachesFull(samples, last);
    if (breakdown !== undefined && warm !== undefined) {
      console.log(verdict(breakdown, last, NODE_CACHE_BYTES));
      console.log(verdictAfterFill(afterFill, breakdown, warm, last, NODE_CACHE_BYTES));
    }
    const meanLoad = loadSamples.reduce((sum, l) => sum + l, 0) / Math.max(1, loadSamples.length);
    if (JSON_FILE !== undefined)
      writeFileSync(
        JSON_FILE,
        JSON.stringify({
          rate: RATE,
          seconds: SECONDS,
          acknowledged: result.acknowledged,
          offered: result.acknowledged / result.sendSeconds,
          errors: errorCount,
          failed: result.failed,
          included: result.included,
          throughput: result.included / result.throughputSeconds,
          p50: percentile(latencies, 50),
          p99: percentile(latencies, 99),
          blocks: result.blocks,
          cores: busy?.cores,
          meanLoad,
          maxRss,
          warm,
          last,
          breakdown,
          afterCachesFull: afterFill,
        } satisfies LoadRunSummary),
      );
    console.log(
      `machine load average during the run: mean ${meanLoad.toFixed(2)} (1-min, sampled every 5 s); now ${load()}`,
    );
    if (CPU_PROFILE !== undefined) console.log(`CPU profile of the node: ${CPU_PROFILE}`);
    if (errorCount > 0 || result.failed > 0) process.exitCode = 1;
  } finally {
    await devnet.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
