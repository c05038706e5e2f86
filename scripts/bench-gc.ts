/**
 * The garbage collector's cost in EXECUTE's stateless re-execution, by young-generation size
 * (`npm run bench:gc`, docs/design/gc-tuning.md).
 *
 * The driver builds bench:execute's two blocks once (100 ETH transfers, 100 ERC-20 transfers,
 * 20,000 other accounts), writes their bytes to a temporary directory, then spawns one child
 * process per setting of V8's flags (by default `--max-semi-space-size` of 16, 32, 64, 128 MiB), the settings alternated over several
 * rounds: on a shared machine the load changes within a run, and alternating gives every setting
 * the same share of it, so the ratios hold while absolute figures do not. Each child verifies
 * both blocks (warm-up, then BENCH_GC_RUNS timed runs each) and reports wall and CPU time, the
 * main thread's garbage-collection pauses (`PerformanceObserver` 'gc' entries: scavenges and
 * mark-compacts) and its peak RSS. The load average is printed beside every round.
 *
 * BENCH_GC_SEMI=16,32,64,128 (the settings), BENCH_GC_ROUNDS=4, BENCH_GC_RUNS=6.
 *
 * BENCH_GC_ALLOC=<n>: instead, one child samples the allocations of the timed runs (V8's sampling
 * heap profiler, objects the collector already freed included) and prints the n functions that
 * allocated the most bytes (self), each with its share and file:line: where the garbage comes from.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { Session } from "node:inspector/promises";
import { PerformanceObserver, constants } from "node:perf_hooks";

import { prepareCrypto, verifyBlock } from "../precompiles";
import { CHAIN_ID, buildWorkload } from "./bench-execute";

/**
 * Each setting is the V8 flags of one child, space-separated: BENCH_GC_FLAGS lists them separated
 * by ";" (e.g. "--max-semi-space-size=16;--max-semi-space-size=16 --single-threaded-gc"); without
 * it, `--max-semi-space-size=N` for each N of BENCH_GC_SEMI. The first setting is the base of the ratios.
 */
const SETTINGS: readonly string[] =
  process.env.BENCH_GC_FLAGS !== undefined && process.env.BENCH_GC_FLAGS !== ""
    ? process.env.BENCH_GC_FLAGS.split(";").map((flags) => flags.trim())
    : (process.env.BENCH_GC_SEMI ?? "16,32,64,128").split(",").map((n) => `--max-semi-space-size=${n.trim()}`);
const ROUNDS = Number(process.env.BENCH_GC_ROUNDS ?? 4);
const RUNS = Number(process.env.BENCH_GC_RUNS ?? 6);
const BLOCKS = ["eth", "erc20"] as const;
const ALLOC_TOP = Number(process.env.BENCH_GC_ALLOC ?? 0);

interface SamplingNode {
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly selfSize: number;
  readonly children: readonly SamplingNode[];
}

/**
 * Bytes allocated per function (self), summed over every call path, from a sampling heap profile.
 * A built-in (`Uint8Array`, `subarray`, `slice`: no file) is named with the JavaScript function
 * that called it, which is the site one would change.
 */
function allocationSites(root: SamplingNode): Map<string, number> {
  const sites = new Map<string, number>();
  const visit = (node: SamplingNode, caller: string): void => {
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.replace(/^.*node_modules\//, "").replace(/^.*?\/(precompiles|rollup-node|tools|scripts)\//, "$1/");
    const name = functionName || "(anonymous)";
    const key = url === "" ? `${name} ← ${caller}` : `${name} ${file}:${lineNumber + 1}`;
    sites.set(key, (sites.get(key) ?? 0) + node.selfSize);
    for (const child of node.children) visit(child, url === "" ? caller : key);
  };
  visit(root, "(root)");
  return sites;
}

/** What a child reports for one block. */
interface BlockFigures {
  readonly gas: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly gcMs: number;
  readonly scavenges: number;
  readonly markCompacts: number;
}

interface ChildReport {
  readonly blocks: Record<(typeof BLOCKS)[number], BlockFigures>;
  readonly maxRssMiB: number;
}

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Child: verifies the blocks in `dir` and prints a ChildReport as JSON on its last line. */
async function child(dir: string): Promise<void> {
  await prepareCrypto();
  let gcMs = 0;
  let scavenges = 0;
  let markCompacts = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcMs += entry.duration;
      const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges++;
      else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) markCompacts++;
    }
  });
  observer.observe({ entryTypes: ["gc"] });
  const blocks: Partial<Record<(typeof BLOCKS)[number], BlockFigures>> = {};
  for (const kind of BLOCKS) {
    const input = {
      chainId: CHAIN_ID,
      parentHeader: readFileSync(path.join(dir, `${kind}.parent`)),
      block: readFileSync(path.join(dir, `${kind}.block`)),
      witness: readFileSync(path.join(dir, `${kind}.witness`)),
    };
    const gas = Number(readFileSync(path.join(dir, `${kind}.gas`), "utf8"));
    await verifyBlock(input); // warm-up: JIT
    await verifyBlock(input);
    await new Promise((resolve) => setImmediate(resolve)); // deliver the warm-up's gc entries
    if (ALLOC_TOP > 0) {
      await printAllocations(kind, async () => {
        for (let i = 0; i < RUNS; i++) await verifyBlock(input);
      });
      continue;
    }
    gcMs = 0;
    scavenges = 0;
    markCompacts = 0;
    const startCpu = cpuMs();
    const start = process.hrtime.bigint();
    for (let i = 0; i < RUNS; i++) await verifyBlock(input);
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    const spentCpu = cpuMs() - startCpu;
    await new Promise((resolve) => setImmediate(resolve));
    blocks[kind] = { gas, wallMs, cpuMs: spentCpu, gcMs, scavenges, markCompacts };
  }
  observer.disconnect();
  if (ALLOC_TOP > 0) return;
  const report: ChildReport = {
    blocks: blocks as ChildReport["blocks"],
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  };
  console.log(JSON.stringify(report));
}

async function printAllocations(kind: string, run: () => Promise<void>): Promise<void> {
  const session = new Session();
  session.connect();
  await session.post("HeapProfiler.enable");
  await session.post("HeapProfiler.startSampling", {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  await run();
  const { profile } = (await session.post("HeapProfiler.stopSampling")) as unknown as {
    profile: { head: SamplingNode };
  };
  session.disconnect();
  const sites = [...allocationSites(profile.head)].sort((a, b) => b[1] - a[1]);
  const total = sites.reduce((t, [, bytes]) => t + bytes, 0);
  console.log(`${kind}: ${(total / RUNS / 2 ** 20).toFixed(1)} MiB allocated per verifyBlock (sampled)`);
  for (const [site, bytes] of sites.slice(0, ALLOC_TOP)) {
    console.log(
      `  ${((100 * bytes) / total).toFixed(1).padStart(5)} %  ${(bytes / RUNS / 2 ** 20).toFixed(2)} MiB  ${site}`,
    );
  }
}

function runChild(dir: string, flags: string): ChildReport {
  const out = execFileSync(
    process.execPath,
    [
      ...flags.split(" ").filter((flag) => flag !== ""),
      "-r",
      "ts-node/register/transpile-only",
      __filename,
      "child",
      dir,
    ],
    { encoding: "utf8", env: { ...process.env, BENCH_GC_RUNS: String(RUNS) }, maxBuffer: 16 << 20 },
  );
  const lines = out.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]) as ChildReport;
}

async function driver(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "bench-gc-"));
  try {
    for (const kind of BLOCKS) {
      const { built } = await buildWorkload(kind, kind);
      writeFileSync(path.join(dir, `${kind}.parent`), built.parentHeader);
      writeFileSync(path.join(dir, `${kind}.block`), built.blockRlp);
      writeFileSync(path.join(dir, `${kind}.witness`), built.witness);
      writeFileSync(path.join(dir, `${kind}.gas`), String(built.block.header.gasUsed));
    }
    if (ALLOC_TOP > 0) {
      execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", __filename, "child", dir], {
        stdio: "inherit",
        env: { ...process.env, BENCH_GC_RUNS: String(RUNS) },
      });
      return;
    }
    console.log(
      `GC by V8 flags: settings ${SETTINGS.map((flags) => `"${flags}"`).join(", ")}, ${ROUNDS} rounds alternated, ${RUNS} timed runs per block per child, node ${process.version}`,
    );
    const results = new Map<string, ChildReport[]>(SETTINGS.map((s) => [s, []]));
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate the order too: odd rounds run the settings backwards.
      const order = round % 2 === 0 ? SETTINGS : [...SETTINGS].reverse();
      for (const flags of order) {
        const load = loadavg()[0].toFixed(2);
        const report = runChild(dir, flags);
        results.get(flags)?.push(report);
        const cells = BLOCKS.map((kind) => {
          const b = report.blocks[kind];
          return `${kind} ${((b.gas * RUNS) / 1e3 / b.wallMs).toFixed(2)} Mgas/s wall, ${((b.gas * RUNS) / 1e3 / b.cpuMs).toFixed(2)} Mgas/CPU s, GC ${((100 * b.gcMs) / b.wallMs).toFixed(1)} % (${b.scavenges} scav, ${b.markCompacts} MC)`;
        });
        console.log(
          `round ${round + 1} "${flags}" load ${load}: ${cells.join(" | ")} | max RSS ${report.maxRssMiB.toFixed(0)} MiB`,
        );
      }
    }
    const base = SETTINGS[0];
    const rows = SETTINGS.map((flags) => {
      const reports = results.get(flags) ?? [];
      const row: Record<string, string> = { flags };
      for (const kind of BLOCKS) {
        const sum = (key: keyof BlockFigures, of: ChildReport[]) => of.reduce((t, r) => t + r.blocks[kind][key], 0);
        const baseReports = results.get(base) ?? [];
        const gas = reports[0].blocks[kind].gas * RUNS * reports.length;
        row[`${kind} Mgas/s wall`] = (gas / 1e3 / sum("wallMs", reports)).toFixed(2);
        row[`${kind} Mgas/CPU s`] = (gas / 1e3 / sum("cpuMs", reports)).toFixed(2);
        row[`${kind} speed vs base (wall)`] = (sum("wallMs", baseReports) / sum("wallMs", reports)).toFixed(2);
        row[`${kind} speed vs base (CPU)`] = (sum("cpuMs", baseReports) / sum("cpuMs", reports)).toFixed(2);
        row[`${kind} GC % of wall`] = ((100 * sum("gcMs", reports)) / sum("wallMs", reports)).toFixed(1);
      }
      row["max RSS MiB (mean)"] = (reports.reduce((t, r) => t + r.maxRssMiB, 0) / reports.length).toFixed(0);
      return row;
    });
    console.table(rows);
    console.log(
      `load average at the end: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === "child") {
  child(process.argv[3]).catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
} else {
  driver().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
