// Times one Hardhat command in two or more checkouts, alternated (docs/design/task-startup.md):
// `node scripts/task-startup.js ROUNDS DIR... -- HARDHAT_ARGS...`, e.g.
// `node scripts/task-startup.js 4 /tmp/base . -- rollup:status --help`.
// Each DIR runs the command once untimed first (its TypeScript cache warm, as for a user's second
// task), then every round runs it in each DIR, the order reversed every other round (A B, B A, …).
// Prints wall seconds, the CPU seconds of the command (from /proc/self/stat's cutime + cstime of the
// waited child: all its threads and its own children) and the 1-minute load average beside each,
// then the median B / A ratio of the rounds. Linux only (/proc).
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const separator = process.argv.indexOf("--");
if (separator === -1) {
  console.error("usage: node scripts/task-startup.js ROUNDS DIR... -- HARDHAT_ARGS...");
  process.exit(2);
}
const [roundsArg, ...dirs] = process.argv.slice(2, separator);
const hardhatArgs = process.argv.slice(separator + 1);
const rounds = Number(roundsArg);
/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU seconds of the children this process has waited for. */
function waitedChildrenCpu() {
  const stat = fs.readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND;
}

function run(dir) {
  const cpuBefore = waitedChildrenCpu();
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [path.join(dir, "node_modules/.bin/hardhat"), ...hardhatArgs], {
    cwd: dir,
    encoding: "utf8",
  });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`${dir}: exit ${result.status}\n${result.stdout}\n${result.stderr}`);
  return { wall, cpu: waitedChildrenCpu() - cpuBefore, load: os.loadavg()[0] };
}

for (const dir of dirs) run(dir);
const ratios = [];
for (let round = 1; round <= rounds; round++) {
  const order = round % 2 === 1 ? dirs : [...dirs].reverse();
  const results = new Map(order.map((dir) => [dir, run(dir)]));
  const cells = dirs.map((dir) => {
    const r = results.get(dir);
    return `${dir}: ${r.cpu.toFixed(2)} CPU s / ${r.wall.toFixed(2)} s (load ${r.load.toFixed(1)})`;
  });
  const a = results.get(dirs[0]);
  const b = results.get(dirs[1]);
  if (b !== undefined) ratios.push({ cpu: b.cpu / a.cpu, wall: b.wall / a.wall });
  console.log(`round ${round} (${order === dirs ? "A first" : "B first"})  ${cells.join("   ")}`);
}
if (ratios.length > 0) {
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  console.log(
    `B / A median: CPU ${median(ratios.map((r) => r.cpu)).toFixed(2)}, wall ${median(ratios.map((r) => r.wall)).toFixed(2)}`,
  );
}
