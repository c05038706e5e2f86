#!/usr/bin/env node
// Where a test run's wall time goes (issue #14): runs a command (a `hardhat test` run) with
// TEST_TIMINGS set, so test/support/fileTimings.js logs each file's wall and CPU time, and samples
// the command's process tree twice a second: the CPU it used, and whether each mocha worker (a
// direct child of the command) had a runnable thread anywhere in its subtree, or was waiting on
// timers, pollers and sockets with nothing to run. Then it prints a summary.
//
//   node scripts/test-timings.js <label> node node_modules/.bin/hardhat test --no-compile --parallel test/e2e/*.test.ts
//   node scripts/test-timings.js --summary <label>      (prints the summary of an earlier run again)
//
// Output goes to $TMPDIR/test-timings-<label>.{files,samples}.jsonl. Linux only (/proc).

const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const SAMPLE_INTERVAL_MS = 500;
const TICKS_PER_SECOND = 100;
const TOP_FILES = 15;

/** Every process's parent, state and CPU ticks (own and waited-for children), from /proc. */
function readProcesses() {
  const processes = new Map();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      processes.set(Number(entry), {
        ppid: Number(fields[1]),
        own: Number(fields[11]) + Number(fields[12]),
        children: Number(fields[13]) + Number(fields[14]),
      });
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return processes;
}

/** The pids of `root`'s subtree, `root` included. */
function subtree(processes, root) {
  const children = new Map();
  for (const [pid, p] of processes) {
    if (!children.has(p.ppid)) children.set(p.ppid, []);
    children.get(p.ppid).push(pid);
  }
  const out = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop();
    if (!processes.has(pid)) continue;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Whether any thread of any of `pids` is runnable (state R) right now. */
function anyRunnable(pids) {
  for (const pid of pids) {
    let tasks;
    try {
      tasks = fs.readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/task/${task}/stat`, "utf8");
        if (stat[stat.lastIndexOf(")") + 2] === "R") return true;
      } catch {
        // The thread ended.
      }
    }
  }
  return false;
}

/** CPU ticks of a subtree: its live processes' own ticks plus those of the children they waited for. */
function subtreeTicks(processes, pids) {
  let ticks = 0;
  for (const pid of pids) {
    const p = processes.get(pid);
    ticks += p.own + p.children;
  }
  return ticks;
}

function outputPaths(label) {
  const base = path.join(os.tmpdir(), `test-timings-${label}`);
  return { files: `${base}.files.jsonl`, samples: `${base}.samples.jsonl` };
}

function readLines(file) {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line));
}

const seconds = (ms) => (ms / 1000).toFixed(1);

function summarise(label) {
  const { files, samples } = outputPaths(label);
  const perFile = readLines(files);
  const perSample = readLines(samples);
  const last = perSample.at(-1);
  if (last === undefined) {
    console.log(`no samples for ${label}`);
    return;
  }
  const wallS = last.t / 1000;
  const cpuS = last.treeTicks / TICKS_PER_SECOND;
  const loads = perSample.map((s) => s.load);
  const meanLoad = loads.reduce((a, b) => a + b, 0) / loads.length;
  console.log(
    `run ${label}: exit ${last.exit ?? "?"}, wall ${wallS.toFixed(1)} s, CPU ${cpuS.toFixed(1)} s of the tree`,
  );
  console.log(
    `  mean cores used ${(cpuS / wallS).toFixed(2)}, load average (1 min) mean ${meanLoad.toFixed(1)}, min ${Math.min(...loads).toFixed(1)}, max ${Math.max(...loads).toFixed(1)}`,
  );
  const workerSamples = perSample.filter((s) => s.workers.length > 0);
  if (workerSamples.length > 0) {
    const slots = workerSamples.reduce((n, s) => n + s.workers.length, 0);
    const idle = workerSamples.reduce((n, s) => n + s.workers.filter((w) => !w.runnable).length, 0);
    const allIdle = workerSamples.filter((s) => s.workers.every((w) => !w.runnable)).length;
    console.log(
      `  workers with no runnable thread in their subtree: ${((100 * idle) / slots).toFixed(0)} % of worker-samples; all workers idle in ${((100 * allIdle) / workerSamples.length).toFixed(0)} % of samples (${workerSamples.length} samples, ${(slots / workerSamples.length).toFixed(1)} workers on average)`,
    );
  }
  if (perFile.length === 0) return;
  const byPid = new Map();
  for (const f of perFile) byPid.set(f.pid, [...(byPid.get(f.pid) ?? []), f]);
  for (const [pid, list] of byPid) {
    const first = Math.min(...list.map((f) => f.start - f.uptimeMs));
    const end = Math.max(...list.map((f) => f.end));
    const cpu = list.reduce((n, f) => n + f.cpuMs + f.childrenCpuMs, 0);
    console.log(
      `  worker ${pid}: ${list.length} files, ${seconds(end - first)} s from its start to its last file's end, ${seconds(cpu)} CPU s in files`,
    );
  }
  const relative = (file) => path.relative(path.join(__dirname, "..", "test"), file ?? "?");
  // The seconds a file's worker had no runnable thread in its subtree: waits on timers, polls and
  // sockets, which a faster or less loaded machine does not shorten.
  const idleMs = (f) =>
    perSample.filter(
      (s) =>
        s.at !== undefined && s.at >= f.start && s.at <= f.end && s.workers.some((w) => w.pid === f.pid && !w.runnable),
    ).length * SAMPLE_INTERVAL_MS;
  console.log(
    `  top ${TOP_FILES} files by wall time (s): wall | CPU own+children | idle-waiting | in tests (rest: hooks) | tests | equality assertions CPU | load`,
  );
  for (const f of [...perFile].sort((a, b) => b.wallMs - a.wallMs).slice(0, TOP_FILES)) {
    console.log(
      `    ${relative(f.file).padEnd(52)} ${seconds(f.wallMs).padStart(6)} | ${seconds(f.cpuMs).padStart(5)}+${seconds(f.childrenCpuMs).padStart(5)} | ${seconds(idleMs(f)).padStart(5)} | ${seconds(f.testsMs).padStart(6)} | ${String(f.tests).padStart(3)} | ${seconds(f.assertionsMs ?? 0).padStart(5)} | ${f.loadStart.toFixed(1)}-${f.loadEnd.toFixed(1)}`,
    );
    for (const a of f.slowAssertions ?? []) console.log(`      equality assertion ${seconds(a.ms)} CPU s ${a.at}`);
  }
  const totalWall = perFile.reduce((n, f) => n + f.wallMs, 0);
  const totalCpu = perFile.reduce((n, f) => n + f.cpuMs + f.childrenCpuMs, 0);
  console.log(`  all ${perFile.length} files: ${seconds(totalWall)} s of file wall time, ${seconds(totalCpu)} CPU s`);
}

function run(label, command) {
  const out = outputPaths(label);
  fs.rmSync(out.files, { force: true });
  fs.rmSync(out.samples, { force: true });
  const started = Date.now();
  const child = spawn(command[0], command.slice(1), {
    stdio: "inherit",
    env: { ...process.env, TEST_TIMINGS: out.files },
  });
  let lastTicks = 0;
  const sample = (exit) => {
    const processes = readProcesses();
    const tree = subtree(processes, child.pid);
    if (exit !== undefined) {
      // The command has ended and was waited for: its tree's CPU is in this process's children's times.
      const self = processes.get(process.pid);
      if (self !== undefined) lastTicks = self.children;
    } else if (tree.length > 0) lastTicks = subtreeTicks(processes, tree);
    const workers = tree
      .filter((pid) => processes.get(pid).ppid === child.pid)
      .map((pid) => ({ pid, runnable: anyRunnable(subtree(processes, pid)) }));
    const line = {
      at: Date.now(),
      t: Date.now() - started,
      load: os.loadavg()[0],
      treeTicks: lastTicks,
      workers,
      exit,
    };
    fs.appendFileSync(out.samples, `${JSON.stringify(line)}\n`);
  };
  const timer = setInterval(() => sample(undefined), SAMPLE_INTERVAL_MS);
  child.on("exit", (code) => {
    clearInterval(timer);
    sample(code ?? 1);
    summarise(label);
    process.exitCode = code ?? 1;
  });
}

const [first, ...rest] = process.argv.slice(2);
if (first === "--summary") summarise(rest[0]);
else if (first !== undefined && rest.length > 0) run(first, rest);
else {
  console.error("usage: node scripts/test-timings.js <label> <command…> | --summary <label>");
  process.exitCode = 2;
}
