/**
 * Two `load:l2` runs side by side (`npm run load:l2:pair -- --seconds 300 --rate 100 --variant-node-flags=
 * "--max-semi-space-size=8"`, the `=` because the value starts with a dash): a baseline and a variant, started at the same moment at the same rate,
 * each a node process of its own with its own load client, so that whatever else the machine runs
 * weighs on both alike (on a shared machine a run after another measures the machine's load, not
 * the setting: docs/design/memory-bounds.md). Each run is scripts/load-l2.ts with `--json`; this
 * prints both runs' lines as they come (prefixed `[base]` / `[variant]`) and then one table: RSS at
 * minute 1 and at the end, growth, heap spaces, node caches, inclusion latency, errors, with the
 * variant's figure over the baseline's.
 *
 * What differs between the two: `--{base,variant}-node-flags` (V8/node flags of that node process,
 * e.g. `--max-semi-space-size=8 --max-old-space-size=1024`), `--{base,variant}-env` (`NAME=value`,
 * comma-separated: e.g. `MALLOC_ARENA_MAX=2`, which glibc reads before the process's first malloc),
 * `--{base,variant}-args` (load-l2's own options, e.g. `--l1-young-mb 24 --l1-old-mb 512`).
 * --seconds, --rate, --senders and --block-time go to both.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { HeapSpaceInfo } from "node:v8";

import type { LoadRunSummary, MemorySample } from "./load-l2";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    seconds: { type: "string", default: "300" },
    rate: { type: "string", default: "100" },
    senders: { type: "string", default: "5" },
    "block-time": { type: "string", default: "200" },
    "base-node-flags": { type: "string", default: "" },
    "base-env": { type: "string", default: "" },
    "base-args": { type: "string", default: "" },
    "variant-node-flags": { type: "string", default: "" },
    "variant-env": { type: "string", default: "" },
    "variant-args": { type: "string", default: "" },
  },
});

/** One side of the pair: how its node process is started. */
interface Side {
  readonly name: "base" | "variant";
  readonly nodeFlags: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly args: readonly string[];
}

const words = (text: string): string[] => text.split(/\s+/).filter((word) => word !== "");

function parseEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of text.split(",").filter((p) => p.trim() !== "")) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new Error(`--*-env takes NAME=value pairs, comma-separated: ${pair}`);
    env[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return env;
}

const COMMON_ARGS = [
  "--seconds",
  values.seconds as string,
  "--rate",
  values.rate as string,
  "--senders",
  values.senders as string,
  "--block-time",
  values["block-time"] as string,
];

/** Runs one side's load-l2 with --json; its lines go to stdout with the side's name in front. */
function runSide(side: Side, jsonFile: string): Promise<LoadRunSummary> {
  const child = spawn(
    process.execPath,
    [
      ...side.nodeFlags,
      "--require",
      require.resolve("ts-node/register/transpile-only"),
      path.join(__dirname, "load-l2.ts"),
      ...COMMON_ARGS,
      ...side.args,
      "--json",
      jsonFile,
    ],
    { env: { ...process.env, ...side.env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  const prefix = (stream: NodeJS.ReadableStream, out: NodeJS.WriteStream): void => {
    let pending = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) out.write(`[${side.name}] ${line}\n`);
    });
  };
  prefix(child.stdout, process.stdout);
  prefix(child.stderr, process.stderr);
  return new Promise<LoadRunSummary>((resolve, reject) => {
    child.once("exit", (code) => {
      try {
        // load-l2 exits 1 when the run had errors; its figures are still the result.
        resolve(JSON.parse(readFileSync(jsonFile, "utf8")) as LoadRunSummary);
      } catch {
        reject(new Error(`the ${side.name} run exited (${code}) without its figures`));
      }
    });
  });
}

const MIB = 1024 * 1024;
const space = (spaces: readonly HeapSpaceInfo[], name: string, field: "space_size" | "space_used_size"): number =>
  (spaces.find((s) => s.space_name === name)?.[field] ?? 0) / MIB;

/** The table's rows: a label and each run's figure (NaN where a run has none). */
function rows(run: LoadRunSummary): Array<[string, number]> {
  const w: MemorySample | undefined = run.warm;
  const l = run.last;
  const hit = (hits: number, misses: number): number =>
    hits + misses === 0 ? Number.NaN : (hits / (hits + misses)) * 100;
  const b = run.breakdown;
  return [
    ["offered tx/s", run.offered],
    ["throughput tx/s", run.throughput],
    ["errors", run.errors],
    ["failed", run.failed],
    ["inclusion p50 ms", run.p50],
    ["inclusion p99 ms", run.p99],
    ["L2 blocks", run.blocks],
    ["process CPU, cores", run.cores ?? Number.NaN],
    ["RSS min 1 MiB", (w?.rss ?? Number.NaN) / MIB],
    ["RSS end MiB", l.rss / MIB],
    ["RSS growth after min 1 %", b?.percent ?? Number.NaN],
    ["RSS growth after caches full %", run.afterCachesFull?.percent ?? Number.NaN],
    ["max RSS MiB", run.maxRss / MIB],
    ["main new size MiB", space(l.mainSpaces, "new_space", "space_size")],
    ["main old size MiB", space(l.mainSpaces, "old_space", "space_size")],
    ["main old used MiB", space(l.mainSpaces, "old_space", "space_used_size")],
    ["L1 new size MiB", space(l.l1Spaces, "new_space", "space_size")],
    ["L1 old size MiB", space(l.l1Spaces, "old_space", "space_size")],
    ["L1 old used MiB", space(l.l1Spaces, "old_space", "space_used_size")],
    ["node cache L2 MiB", l.l2NodeCache / MIB],
    ["node cache L1 MiB", l.l1NodeCache / MIB],
    ["node cache L2 hit % (run)", hit(l.l2CacheHits, l.l2CacheMisses)],
    ["node cache L1 hit % (run)", hit(l.l1CacheHits, l.l1CacheMisses)],
    ["growth: node caches MiB", (b?.nodeCaches ?? Number.NaN) / MIB],
    ["growth: other used+external MiB", ((b?.usedAndExternal ?? Number.NaN) - (b?.nodeCaches ?? 0)) / MIB],
    ["growth: V8 reservation MiB", (b?.reservation ?? Number.NaN) / MIB],
    ["growth: young generations MiB", (b?.youngGenerations ?? Number.NaN) / MIB],
    ["growth: native rest MiB", (b?.nativeRest ?? Number.NaN) / MIB],
    ["growth: file pages MiB", (b?.fileAndShared ?? Number.NaN) / MIB],
    ["load average (mean)", run.meanLoad],
  ];
}

function table(base: LoadRunSummary, variant: LoadRunSummary): string {
  const a = rows(base);
  const b = rows(variant);
  const f = (x: number): string => (Number.isNaN(x) ? "-" : Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(1));
  const lines = [`${"".padEnd(34)}${"base".padStart(10)}${"variant".padStart(10)}${"ratio".padStart(8)}`];
  a.forEach(([label, x], i) => {
    const y = (b[i] as [string, number])[1];
    const ratio = x === 0 || Number.isNaN(x) || Number.isNaN(y) ? "-" : (y / x).toFixed(2);
    lines.push(`${label.padEnd(34)}${f(x).padStart(10)}${f(y).padStart(10)}${ratio.padStart(8)}`);
  });
  return lines.join("\n");
}

async function main(): Promise<void> {
  const sides: [Side, Side] = [
    {
      name: "base",
      nodeFlags: words(values["base-node-flags"] as string),
      env: parseEnv(values["base-env"] as string),
      args: words(values["base-args"] as string),
    },
    {
      name: "variant",
      nodeFlags: words(values["variant-node-flags"] as string),
      env: parseEnv(values["variant-env"] as string),
      args: words(values["variant-args"] as string),
    },
  ];
  for (const side of sides)
    console.log(
      `${side.name}: node ${side.nodeFlags.join(" ") || "(no flags)"}; env ${JSON.stringify(side.env)}; load-l2 ${[...COMMON_ARGS, ...side.args].join(" ")}`,
    );
  console.log(
    `load average at start: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}`,
  );
  const dir = mkdtempSync(path.join(tmpdir(), "load-l2-pair-"));
  try {
    const [base, variant] = await Promise.all(sides.map((side) => runSide(side, path.join(dir, `${side.name}.json`))));
    console.log(`\n=== load:l2 pair (same start, same rate ${values.rate} tx/s, ${values.seconds} s) ===`);
    for (const side of sides)
      console.log(
        `${side.name}: ${side.nodeFlags.join(" ") || "-"} | ${JSON.stringify(side.env)} | ${side.args.join(" ") || "-"}`,
      );
    console.log(table(base as LoadRunSummary, variant as LoadRunSummary));
    console.log(
      `load average at the end: ${loadavg()
        .map((x) => x.toFixed(2))
        .join(" ")}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
