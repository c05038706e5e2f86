/**
 * Benchmark of the one-command rollup devnet (`npm run bench:rollup`).
 *
 * Measures, in one run: devnet start-up time; deposit → L2 credit latency; withdrawal →
 * finalizable (provable) latency; and sustained L2 throughput (tx/s from the first
 * eth_sendRawTransaction to the inclusion of the last transaction), side by side with
 * `npx hardhat node` (EDR, spawned as a child process on a free port and killed at the end)
 * on the same workload of signed ETH transfers, with the p50/p99 inclusion latency (from the
 * send to the first poll that sees the transaction in a block). The L2 is measured at the default
 * configuration (the devnet's gas limit and block time, L1 submission on), and at the capacity
 * configuration: the largest gas limit EXECUTE verifies (so that it does not bind), no L1
 * submission and 200 ms blocks, which shows what the node itself can do; the same gas limit at
 * the devnet's 1000 ms blocks is printed beside it. Each row names its configuration.
 * The workload is sent and watched from a child process (the client), so that it takes neither
 * node's thread: the devnet runs in this process, EDR in its own.
 * The capacity configuration and EDR are measured BENCH_REPEATS times (default 3), alternated on
 * the same two running nodes, and their pooled ratio printed with each pair's.
 * Knobs: BENCH_TXS (default 600), BENCH_SAMPLES (latency samples, default 5), BENCH_L2_BLOCK_MS
 * (the default row's block time, default the devnet's 1000), BENCH_CAPACITY_BLOCK_MS (the capacity
 * rows' block times, default "200,1000"; the first is the capacity configuration), BENCH_LOG=1
 * (the sequencer's lines, each block's size and timing, on stderr), BENCH_L1_THREAD (worker, the
 * default: the devnet's L1 on its own thread; main: on the node's thread, as before),
 * BENCH_CPU_PROFILE=<file> (a CPU profile of this process's thread, the node's, over the capacity
 * configuration's first run alone: open it in Chrome DevTools or `scripts/profile-top.ts`). Each row is printed on
 * stderr as it finishes, the table at the end.
 */
import { type ChildProcess, fork, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import os, { tmpdir } from "node:os";
import path from "node:path";

import { Contract, JsonRpcProvider, Wallet, parseEther, parseUnits } from "ethers";

import { maxVerifiableL2GasLimit } from "../precompiles";
import { L2_BRIDGE_INTERFACE, connectRollup } from "../rollup-node/bridge/contracts";
import { type Logger, createLineLogger, silentLogger } from "../rollup-node/logger";
import { L2_BRIDGE_ADDRESS } from "../protocol/messages";
import { parseL1Thread } from "../rollup-node/devnet/l1Thread";
import type { CaptureThread } from "../rollup-node/chain/captureProtocol";
import { DEFAULT_L2_BLOCK_TIME_MS, type RollupDevnet, startRollupDevnet } from "../rollup-node/devnet/rollupDevnet";
import { profiled } from "../tools/cpuProfile";

const TXS = Number(process.env.BENCH_TXS ?? 600);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 5);
const L2_BLOCK_MS = Number(process.env.BENCH_L2_BLOCK_MS ?? DEFAULT_L2_BLOCK_TIME_MS);
/**
 * The capacity configuration's block time, then any further block times to measure at the
 * capacity gas limit (BENCH_CAPACITY_BLOCK_MS, comma-separated). 200 ms, not the devnet's
 * 1000 ms: a run of 600 transfers lasts 2–3 s, and at 1000 ms blocks its last inclusion waits up
 * to a whole block (a third of the run) for the block boundary, which says when the timer
 * fired, not what the node can do (docs/design/l2-throughput.md, "Stop 22"). The 1000 ms figure
 * is printed beside it, at the same gas limit.
 */
const CAPACITY_BLOCK_MS: readonly number[] = (process.env.BENCH_CAPACITY_BLOCK_MS ?? "200,1000")
  .split(",")
  .map((ms) => {
    const value = Number(ms.trim());
    if (!Number.isInteger(value) || value <= 0)
      throw new Error(`BENCH_CAPACITY_BLOCK_MS: "${ms}" is not a block time in ms (e.g. 200,1000)`);
    return value;
  });
const L1_THREAD = parseL1Thread(process.env.BENCH_L1_THREAD, "BENCH_L1_THREAD");
/** BENCH_CAPTURE_THREAD=main|worker: where the L2 chain captures witnesses (the chain's default when unset). */
const CAPTURE_THREAD = ((): CaptureThread | undefined => {
  const value = process.env.BENCH_CAPTURE_THREAD;
  if (value === undefined || value === "main" || value === "worker") return value;
  throw new Error(`BENCH_CAPTURE_THREAD: "${value}" is neither main nor worker`);
})();
const SENDERS = 10;
/**
 * BENCH_REPEATS: how many times the capacity configuration's row and an EDR row are measured,
 * alternated, on the same two running nodes. One pair of 600 transfers lasts ≈ 2 s per row, and on
 * a shared machine its ratio moved ± 0.15 between runs (docs/design/l2-throughput.md, stop 28):
 * three pairs in one run, pooled, say more than one.
 */
const REPEATS = ((): number => {
  const value = Number(process.env.BENCH_REPEATS ?? 3);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`BENCH_REPEATS: "${process.env.BENCH_REPEATS}" is not a count ≥ 1`);
  return value;
})();
const EDR_CONFIG = "hardhat node, automine (a block per transaction)";
/** BENCH_LOG=1: the sequencer's lines (each block's size and debug timing line) on stderr. */
const LOG = process.env.BENCH_LOG === "1";
const benchLogger = (component: string): Logger =>
  LOG && component === "sequencer"
    ? createLineLogger(component, (line) => process.stderr.write(`${line}\n`), true)
    : silentLogger;
/** The line `hardhat node` prints once it listens, with the address it bound. */
const EDR_READY = /Started HTTP and WebSocket JSON-RPC server at (http:\/\/[\w.:[\]-]+)/;

/** BENCH_CPU_PROFILE: where the capacity configuration's CPU profile goes; none when unset. */
const CPU_PROFILE = process.env.BENCH_CPU_PROFILE;

/** The machine's 1-minute load average: other work on the cores moves every figure. */
const loadAverage = (): string => os.loadavg()[0]?.toFixed(1) ?? "?";

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function provider(url: string): JsonRpcProvider {
  return new JsonRpcProvider(url, undefined, { staticNetwork: true, pollingInterval: 10, cacheTimeout: -1 });
}

async function until(check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("benchmark step timed out");
    await sleep(5);
  }
}

/** tx/s over several rows: all their transfers over all their seconds. */
function pooledTps(rows: readonly Throughput[]): number {
  return (rows.length * TXS) / rows.reduce((sum, row) => sum + row.seconds, 0);
}

function stats(samples: readonly number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((s, x) => s + x, 0) / sorted.length;
  return `mean ${mean.toFixed(0)} ms, median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(0)} ms, min ${sorted[0]?.toFixed(0)} ms, max ${sorted[sorted.length - 1]?.toFixed(0)} ms (n=${sorted.length})`;
}

/** Transfers from SENDERS dev accounts, signed up front so signing is not measured. */
async function signedWorkload(
  keys: readonly string[],
  chainId: bigint,
  startNonces: readonly number[],
): Promise<{ raw: string[]; finalNonces: number[] }> {
  const raw: string[] = [];
  const finalNonces = [...startNonces];
  for (let i = 0; i < TXS; i++) {
    const s = i % SENDERS;
    const wallet = new Wallet(keys[s] as string);
    raw.push(
      await wallet.signTransaction({
        chainId,
        type: 2,
        nonce: finalNonces[s],
        to: `0x${(0x10000 + i).toString(16).padStart(40, "0")}`,
        value: 1n,
        gasLimit: 21_000n,
        maxFeePerGas: parseUnits("50", "gwei"),
        maxPriorityFeePerGas: parseUnits("1", "gwei"),
      }),
    );
    finalNonces[s] = (finalNonces[s] as number) + 1;
  }
  return { raw, finalNonces };
}

/** A measured row of the throughput table. */
interface Row {
  readonly name: string;
  readonly config: string;
  readonly load: string;
  readonly tp: Throughput;
}

interface Throughput {
  readonly tps: number;
  readonly seconds: number;
  /** Inclusion latency percentiles, ms. */
  readonly p50: number;
  readonly p99: number;
}

/** How often the block watcher polls the head: the resolution of the latency figures. */
const HEAD_POLL_MS = 10;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** Records when each transaction hash is first seen in a block, polling the head until stopped. */
function watchInclusions(p: JsonRpcProvider, from: number): { seen: Map<string, number>; stop(): Promise<void> } {
  const seen = new Map<string, number>();
  let running = true;
  let next = from + 1;
  const loop = (async () => {
    while (running) {
      const head = Number(await p.send("eth_blockNumber", []));
      // All new blocks at once: fetched one by one, EDR's block per transaction would outpace the watcher.
      const numbers = Array.from({ length: Math.max(0, head - next + 1) }, (_, i) => next + i);
      next = head + 1;
      await Promise.all(
        numbers.map(async (n) => {
          const block = (await p.send("eth_getBlockByNumber", [`0x${n.toString(16)}`, false])) as {
            transactions: string[];
          };
          const now = performance.now();
          for (const hash of block.transactions) if (!seen.has(hash)) seen.set(hash, now);
        }),
      );
      await sleep(HEAD_POLL_MS);
    }
  })();
  return {
    seen,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

/** Sends the workload (SENDERS concurrent streams); returns tx/s up to the last inclusion, and inclusion latency. */
async function throughput(url: string, keys: readonly string[]): Promise<Throughput> {
  const p = provider(url);
  try {
    const { chainId } = await p.getNetwork();
    const senders = keys.slice(0, SENDERS).map((k) => new Wallet(k).address);
    const startNonces = await Promise.all(senders.map((a) => p.getTransactionCount(a, "latest")));
    const { raw, finalNonces } = await signedWorkload(keys, chainId, startNonces);
    const watcher = watchInclusions(p, Number(await p.send("eth_blockNumber", [])));
    const sent = new Map<string, number>();
    const started = performance.now();
    // One stream per sender, in nonce order: automining EDR refuses a nonce gap, so each sender's
    // transactions go one after another while the senders run concurrently.
    const worker = async (sender: number): Promise<void> => {
      for (let i = sender; i < raw.length; i += SENDERS) {
        const at = performance.now();
        const hash = (await p.send("eth_sendRawTransaction", [raw[i]])) as string;
        sent.set(hash, at);
      }
    };
    await Promise.all(Array.from({ length: SENDERS }, (_, s) => worker(s)));
    await until(async () => {
      const nonces = await Promise.all(senders.map((a) => p.getTransactionCount(a, "latest")));
      return nonces.every((n, i) => n >= (finalNonces[i] as number));
    });
    const seconds = (performance.now() - started) / 1000;
    await until(async () => [...sent.keys()].every((hash) => watcher.seen.has(hash)));
    await watcher.stop();
    const latencies = [...sent].map(([hash, at]) => (watcher.seen.get(hash) as number) - at).sort((a, b) => a - b);
    return { tps: TXS / seconds, seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
  } finally {
    p.destroy();
  }
}

/**
 * Runs `throughput` in a child process. The devnet runs in this process while EDR runs in its
 * own: a client sharing the devnet's thread (sending, polling, parsing replies) would slow the
 * node it measures and not EDR. A wallet is an external client of both.
 */
function throughputFromClient(row: string, url: string, keys: readonly string[]): Promise<Throughput> {
  const child = fork(__filename, [], {
    execArgv: ["--require", require.resolve("ts-node/register/transpile-only")],
    env: { ...process.env, BENCH_CLIENT: "1", BENCH_ROW: row },
    stdio: "inherit",
  });
  return new Promise<Throughput>((resolve, reject) => {
    child.once("message", (result: Throughput) => resolve(result));
    child.once("exit", (code) =>
      reject(new Error(`the benchmark client of the row "${row}" exited (${code}) without a result`)),
    );
    child.send({ url, keys });
  });
}

/**
 * Starts `hardhat node` on port 0, as the tests start every server: the OS picks a free port and
 * the node's ready line says which, so the benchmark never collides with a running devnet.
 */
async function startHardhatNode(): Promise<{ child: ChildProcess; url: string }> {
  const hardhat = path.join(__dirname, "..", "node_modules", ".bin", "hardhat");
  const child = spawn(hardhat, ["node", "--hostname", "127.0.0.1", "--port", "0"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const ready = EDR_READY.exec(out);
      if (ready?.[1] !== undefined) resolve(ready[1]);
    });
    child.once("exit", (code) => reject(new Error(`hardhat node exited (${code}) before it started: ${out}`)));
  });
  return { child, url };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "bench-rollup-"));
  let devnet: RollupDevnet | undefined;
  let edr: { child: ChildProcess; url: string } | undefined;
  try {
    // 1. Start-up: L1 devnet + rollup deployment + L2 node serving JSON-RPC.
    devnet = await startRollupDevnet({
      dataDir,
      l1Port: 0,
      l2Port: 0,
      l2BlockTimeMs: L2_BLOCK_MS,
      l1Thread: L1_THREAD,
      captureThread: CAPTURE_THREAD,
      logger: benchLogger,
    });
    console.log(
      `devnet start-up: ${devnet.startupMs} ms (L1 on ${L1_THREAD === "worker" ? "its own thread" : "the node's thread"} + rollup deployment + L2 node, fresh chains)`,
    );
    const l1 = provider(devnet.l1Url);
    const l2 = provider(devnet.l2Url);
    const keys = devnet.accounts.map((a) => a.privateKey);
    const rollup = connectRollup(devnet.deployment.address, new Wallet(keys[0] as string, l1));

    // 2. Deposit → L2 credit.
    const deposits: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const to = `0x${(0xd000 + i).toString(16).padStart(40, "0")}`;
      const started = performance.now();
      await (await rollup.depositETH(to, { value: parseEther("1") })).wait();
      await until(async () => (await l2.getBalance(to)) > 0n);
      deposits.push(performance.now() - started);
    }
    console.log(`deposit → L2 credit (L2 block time ${L2_BLOCK_MS} ms): ${stats(deposits)}`);

    // 3. Withdrawal → finalizable on L1.
    const bridge = new Contract(L2_BRIDGE_ADDRESS, L2_BRIDGE_INTERFACE, new Wallet(keys[1] as string, l2));
    const withdrawals: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const started = performance.now();
      const tx = (await bridge.getFunction("withdraw")(new Wallet(keys[1] as string).address, { value: 1n })) as {
        hash: string;
      };
      await until(async () => {
        const status = (await l2
          .send("rollup_getMessageStatus", [{ l2TransactionHash: tx.hash }])
          .catch(() => ({ status: "pending" }))) as { status: string };
        return status.status === "provable";
      });
      withdrawals.push(performance.now() - started);
    }
    console.log(`withdrawal → finalizable on L1: ${stats(withdrawals)}`);
    l1.destroy();
    l2.destroy();

    // 4. Throughput, same workload on each: the default devnet, the capacity devnets, EDR.
    const rows: Row[] = [];
    // Each row as it finishes: a later row that dies (EDR's client under load) loses none of them.
    const record = (row: Row): void => {
      rows.push(row);
      const { name, config, load, tp } = row;
      console.error(
        `row "${name}" (${config}; load ${load}): ${tp.tps.toFixed(1)} tx/s in ${tp.seconds.toFixed(2)} s, p50 ${Math.round(tp.p50)} / p99 ${Math.round(tp.p99)} ms`,
      );
    };
    record({
      name: "L2, default config",
      config: `gas limit ${devnet.node.sequencer.chain.head.header.gasLimit}, block time ${L2_BLOCK_MS} ms, L1 submission on`,
      load: loadAverage(),
      tp: await throughputFromClient("L2, default config", devnet.l2Url, keys),
    });
    const submitter = devnet.node.bridge.submitter;
    const accepted = [...(submitter?.accepted ?? [])];
    const capacityGasLimit = maxVerifiableL2GasLimit();
    // EDR runs from here on, so that its rows can alternate with the capacity configuration's.
    edr = await startHardhatNode();
    const edrUrl = edr.url;
    const edrRows: Throughput[] = [];
    const pairs: { capacity: Throughput; edr: Throughput }[] = [];
    for (const blockMs of CAPACITY_BLOCK_MS) {
      await devnet.stop();
      devnet = undefined;
      rmSync(dataDir, { recursive: true, force: true });
      devnet = await startRollupDevnet({
        dataDir,
        reset: true,
        l1Port: 0,
        l2Port: 0,
        l2BlockTimeMs: blockMs,
        l1Thread: L1_THREAD,
        captureThread: CAPTURE_THREAD,
        l2GasLimit: capacityGasLimit,
        submitBlocks: false,
        logger: benchLogger,
      });
      const url = devnet.l2Url;
      const config = `gas limit ${capacityGasLimit}, block time ${blockMs} ms, L1 submission off`;
      if (blockMs !== CAPACITY_BLOCK_MS[0]) {
        const name = "L2, capacity gas limit";
        const load = loadAverage();
        record({ name, config, load, tp: await throughputFromClient(name, url, keys) });
        continue;
      }
      // The capacity configuration and EDR, alternated REPEATS times on the same two running
      // nodes: each pair's ratio is taken within seconds, and the pooled ratio over all pairs.
      for (let repeat = 1; repeat <= REPEATS; repeat++) {
        const suffix = REPEATS > 1 ? ` (${repeat}/${REPEATS})` : "";
        const name = `L2, capacity config${suffix}`;
        const load = loadAverage();
        const measure = (): Promise<Throughput> => throughputFromClient(name, url, keys);
        const capacity =
          repeat === 1 && CPU_PROFILE !== undefined ? await profiled(CPU_PROFILE, measure) : await measure();
        record({ name, config, load, tp: capacity });
        const edrLoad = loadAverage();
        const edrTp = await throughputFromClient(`EDR${suffix}`, edrUrl, keys);
        record({ name: `EDR${suffix}`, config: EDR_CONFIG, load: edrLoad, tp: edrTp });
        edrRows.push(edrTp);
        pairs.push({ capacity, edr: edrTp });
      }
    }
    const edrTps = pooledTps(edrRows);
    console.log(
      `L2 throughput, ${TXS} ETH transfers from ${SENDERS} senders, same run (load: the 1-minute load average as each row began; vs EDR: against EDR's pooled tx/s over its ${edrRows.length} row(s)):`,
    );
    console.table(
      rows.map(({ name, config, load, tp }) => ({
        node: name,
        config,
        load,
        "tx/s": Number(tp.tps.toFixed(1)),
        "vs EDR": Number((tp.tps / edrTps).toFixed(2)),
        seconds: Number(tp.seconds.toFixed(2)),
        "p50 inclusion ms": Math.round(tp.p50),
        "p99 inclusion ms": Math.round(tp.p99),
      })),
    );
    if (pairs.length > 0) {
      const capacityTps = pooledTps(pairs.map((pair) => pair.capacity));
      const ratios = pairs.map((pair) => (pair.capacity.tps / pair.edr.tps).toFixed(2)).join(", ");
      console.log(
        `capacity config vs EDR, ${pairs.length} alternated pair(s): pooled ${capacityTps.toFixed(1)} / ${edrTps.toFixed(1)} tx/s = ${(capacityTps / edrTps).toFixed(2)}; per pair ${ratios}`,
      );
    }
    const busiest = [...accepted].sort((a, b) => b.transactions - a.transactions)[0];
    if (busiest !== undefined) {
      console.log(
        `largest advance: L2 block ${busiest.number} with ${busiest.transactions} txs, witness ${busiest.witnessBytes} B, L1 gas ${busiest.l1GasUsed} (EXECUTE ${busiest.executeGas})`,
      );
    }
  } finally {
    if (edr !== undefined && edr.child.exitCode === null) {
      const exited = new Promise((resolve) => edr?.child.once("exit", resolve));
      edr.child.kill("SIGTERM");
      await exited;
    }
    await devnet?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.env.BENCH_CLIENT === "1") {
  // A fresh connection per request: at load 30 a sender came back to an idle keep-alive socket
  // after the server's timeout and the row died with "socket hang up" (stops 24 and 26).
  http.globalAgent = new http.Agent({ keepAlive: false });
  // The benchmark client (throughputFromClient): one measurement, its result to the parent.
  process.once("message", ({ url, keys }: { url: string; keys: string[] }) => {
    throughput(url, keys).then(
      (result) => process.send?.(result, undefined, undefined, () => process.exit(0)),
      (error: unknown) => {
        console.error(`the benchmark client of the row "${process.env.BENCH_ROW}" failed:`, error);
        process.exit(1);
      },
    );
  });
} else {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
