/**
 * The sequencer's CPU time per transfer at the capacity configuration, without sockets or a client:
 * what `bench:rollup`'s capacity row spends on the node's thread per transaction (admission as
 * eth_sendRawTransaction does it, block building, witness capture, storage), measured as CPU time
 * (process.cpuUsage), which a loaded machine moves far less than wall time. Compare two trees by
 * running this script from each, alternately, in one shell loop (docs/design/l2-throughput.md).
 * Usage: npx ts-node --transpile-only scripts/bench-sequencer-cpu.ts [blocks=30] [txsPerBlock=60]
 * BENCH_CPU_PROFILE=<file>: a CPU profile of the measured blocks alone (not start-up, signing or
 * warm-up), for `scripts/profile-top.ts`.
 * BENCH_CAPTURE_THREADS=main,worker (default: the chain's default alone): one sequencer per entry,
 * in order, each on the same transfers; BENCH_ROUNDS=n repeats the list, reversed every other round
 * (main, worker, worker, main, …). Beside the process's CPU it prints the node's main thread's
 * (/proc, Linux): with the capture on a worker the two differ by the worker's share.
 * BENCH_BLOCK_RUNNERS=runner,runBlock: one sequencer per entry instead (capture on the chain's default
 * thread), building and capturing with EXECUTE's block runner (`runner`) or EthereumJS's runBlock
 * (`runBlock`, the chain's `ethereumJsRunBlock`), alternated the same way: a same-process baseline.
 * BENCH_NODE_CACHE_MB=64,16,4: one sequencer per entry instead, its trie node cache bounded at that
 * many MiB (`nodeCacheBytes`), alternated the same way; each line adds the cache's hit rate over the
 * measured blocks, its evictions and its size (what the cap buys, docs/design/memory-bounds.md).
 * BENCH_RECIPIENTS=N: the transfers pay N accounts funded at genesis, in a scattered order (their
 * trie paths read from the cache or LevelDB), instead of a new account each (the default).
 */
import { readFileSync } from "node:fs";
import os from "node:os";

import type { CaptureThread } from "../rollup-node/chain/captureProtocol";
import { createChainCommon } from "../rollup-node/chain/genesis";
import { decodeRawTransaction } from "../rollup-node/l2/rawTransaction";
import { profiled } from "../tools/cpuProfile";
import { TestSigner } from "../tools/l2Fixtures";
import { openScratchSequencer, runScript } from "./scratchSequencer";

const BLOCKS = Number(process.argv[2] ?? 30);
const TXS_PER_BLOCK = Number(process.argv[3] ?? 60);
const SENDERS = 10;
/** Blocks built before the measured ones: the caches and the JIT warm up. */
const WARM_UP_BLOCKS = 5;
const CHAIN_ID = 31_337_777n;
const CPU_PROFILE = process.env.BENCH_CPU_PROFILE;
const CAPTURE_THREADS = process.env.BENCH_CAPTURE_THREADS?.split(",") as CaptureThread[] | undefined;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const NODE_CACHE_MB = process.env.BENCH_NODE_CACHE_MB?.split(",").map(Number);
const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 0);
type BlockRunner = "runner" | "runBlock";
const BLOCK_RUNNERS = process.env.BENCH_BLOCK_RUNNERS?.split(",").map((name): BlockRunner => {
  if (name === "runner" || name === "runBlock") return name;
  throw new Error(`BENCH_BLOCK_RUNNERS: "${name}" is neither runner nor runBlock`);
});

/** CPU time of the process's main thread in µs (utime + stime of /proc/self/task/<pid>/stat); undefined off Linux. */
function mainThreadCpuMicros(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
    // Fields after the command's closing parenthesis: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / 100;
  } catch {
    return undefined;
  }
}

/** Each entry once per round, the order reversed every other round (a, b, b, a, …). */
async function alternated<T>(entries: readonly T[], each: (entry: T) => Promise<void>): Promise<void> {
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? entries : [...entries].reverse();
    for (const entry of order) await each(entry);
  }
}

async function main(): Promise<void> {
  if (BLOCK_RUNNERS !== undefined) return alternated(BLOCK_RUNNERS, (runner) => run(undefined, runner));
  if (NODE_CACHE_MB !== undefined) return alternated(NODE_CACHE_MB, (mb) => run(undefined, "runner", mb));
  if (CAPTURE_THREADS === undefined) return run(undefined);
  return alternated(CAPTURE_THREADS, (thread) => run(thread));
}

/** The i-th of the BENCH_RECIPIENTS accounts funded at genesis (addresses from 0x10000 up). */
const fundedRecipient = (i: number): string => `0x${(0x10000 + i).toString(16).padStart(40, "0")}`;

/**
 * The recipient of the n-th transfer: a new account each (from 0x20000 up), or one of the
 * BENCH_RECIPIENTS funded ones, stepping by a prime so that consecutive transfers pay accounts far
 * apart in the trie and each account is paid again only after all the others.
 */
function recipientOf(n: number): string {
  if (RECIPIENTS === 0) return `0x${(0x20000 + n).toString(16).padStart(40, "0")}`;
  return fundedRecipient((n * 7919) % RECIPIENTS);
}

async function run(
  captureThread: CaptureThread | undefined,
  runner: BlockRunner = "runner",
  nodeCacheMb?: number,
): Promise<void> {
  const common = createChainCommon(CHAIN_ID);
  const signers = Array.from({ length: SENDERS }, (_, i) => TestSigner.fromSeed(100 + i, common));
  const funded = Array.from({ length: RECIPIENTS }, (_, i): [string, { balance: bigint }] => [
    fundedRecipient(i),
    { balance: 1n },
  ]);
  const { sequencer, close } = await openScratchSequencer({
    chainId: CHAIN_ID,
    signers,
    alloc: Object.fromEntries(funded),
    genesisAgeSeconds: 1_000_000n,
    nodeCacheBytes: nodeCacheMb === undefined ? undefined : nodeCacheMb * 1024 * 1024,
    captureThread,
    ethereumJsRunBlock: runner === "runBlock",
  });
  try {
    await sequencer.chain.warmCapture();
    let transfer = 0;
    // Signed up front (signing is the client's work), as raw bytes: admission decodes and recovers.
    const blocks = Array.from({ length: WARM_UP_BLOCKS + BLOCKS }, () =>
      Array.from({ length: TXS_PER_BLOCK }, (_, i) =>
        (signers[i % SENDERS] as TestSigner)
          .tx({ to: recipientOf(transfer++), value: 1n, gasLimit: 21_000n })
          .serialize(),
      ),
    );
    let measured = { user: 0, system: 0 };
    let mainThread = 0;
    let timestamp = sequencer.chain.head.header.timestamp;
    const runBlock = async (raws: readonly Uint8Array[]): Promise<NodeJS.CpuUsage & { main: number }> => {
      const before = process.cpuUsage();
      const mainBefore = mainThreadCpuMicros() ?? 0;
      // Concurrent, as sockets deliver them: admissions gather and share journal writes.
      await Promise.all(raws.map((raw) => sequencer.submitTransaction(decodeRawTransaction(raw, common))));
      timestamp += 1n;
      const produced = await sequencer.produceBlock({ timestamp });
      if (produced.block.transactions.length !== TXS_PER_BLOCK)
        throw new Error(`block ${produced.number} holds ${produced.block.transactions.length} transactions`);
      return { ...process.cpuUsage(before), main: (mainThreadCpuMicros() ?? 0) - mainBefore };
    };
    for (const raws of blocks.slice(0, WARM_UP_BLOCKS)) await runBlock(raws);
    const cacheBefore = sequencer.chain.heldInMemory;
    const measuredBlocks = async (): Promise<void> => {
      for (const raws of blocks.slice(WARM_UP_BLOCKS)) {
        const used = await runBlock(raws);
        measured = { user: measured.user + used.user, system: measured.system + used.system };
        mainThread += used.main;
      }
    };
    await (CPU_PROFILE === undefined ? measuredBlocks() : profiled(CPU_PROFILE, measuredBlocks));
    const txs = BLOCKS * TXS_PER_BLOCK;
    const cpuMs = (measured.user + measured.system) / 1000;
    const { thread, onThread } = sequencer.chain.capture;
    const cache = sequencer.chain.heldInMemory;
    const hits = cache.nodeCacheHits - cacheBefore.nodeCacheHits;
    const misses = cache.nodeCacheMisses - cacheBefore.nodeCacheMisses;
    const cacheNote =
      nodeCacheMb === undefined
        ? ""
        : `node cache ${nodeCacheMb} MiB: ${((100 * hits) / Math.max(1, hits + misses)).toFixed(2)} % hits of ${hits + misses} reads (${misses} to LevelDB), ` +
          `${cache.nodeCacheEvictions} evictions, holds ${(cache.nodeCacheBytes / 1024 / 1024).toFixed(1)} MiB; `;
    console.log(
      `${cacheNote}${runner}: capture ${thread} (${onThread} on its thread), main thread ${(mainThread / 1000).toFixed(0)} ms CPU, ` +
        `${(mainThread / txs).toFixed(0)} µs per transfer; process: ` +
        `${txs} transfers in ${BLOCKS} blocks of ${TXS_PER_BLOCK}: CPU ${cpuMs.toFixed(0)} ms (user ${(measured.user / 1000).toFixed(0)}, ` +
        `system ${(measured.system / 1000).toFixed(0)}), ${((1000 * cpuMs) / txs).toFixed(0)} µs per transfer, ` +
        `${((1000 * txs) / cpuMs).toFixed(0)} transfers per CPU second (load ${os.loadavg()[0]?.toFixed(1)})`,
    );
  } finally {
    await close();
  }
}

runScript(main);
