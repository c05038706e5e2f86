// Times `hardhat devnet` from its start to its ready banner in one or more checkouts, alternated
// (docs/design/startup-time.md): `node scripts/devnet-startup.js first|restart ROUNDS DIR...`.
// "first" removes DIR's artifacts/, cache/, typechain-types/ and the data directory first (a fresh
// clone; FRESH_TS_CACHE=1 also gives each DIR an empty TypeScript cache); "restart" starts each DIR
// once before the rounds, so that every timed start resumes. Prints wall seconds, the process's CPU
// seconds at the banner (all threads and the waited solc child, from /proc) and the load average.
// Linux only (/proc). NODE_FLAGS passes flags to node (e.g. --cpu-prof --cpu-prof-dir=…).
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const [kind, roundsArg, ...dirs] = process.argv.slice(2);
const rounds = Number(roundsArg);
const extraArgs = (process.env.DEVNET_ARGS ?? "").split(" ").filter(Boolean);

function cpuOf(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields 14..17 (1-based) → index 11..14 after the comm
    const t = f.slice(11, 15).map(Number);
    return (t[0] + t[1] + t[2] + t[3]) / 100;
  } catch {
    return NaN;
  }
}

function run(dir) {
  return new Promise((resolve, reject) => {
    const dataDir = path.join(os.tmpdir(), `devnet-startup-data-${path.basename(dir)}`);
    const tsCache = path.join(os.tmpdir(), `devnet-startup-ts-cache-${path.basename(dir)}`);
    if (kind === "first") {
      for (const d of ["artifacts", "cache", "typechain-types"])
        fs.rmSync(path.join(dir, d), { recursive: true, force: true });
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (process.env.FRESH_TS_CACHE) fs.rmSync(tsCache, { recursive: true, force: true });
    }
    const env = { ...process.env };
    if (process.env.FRESH_TS_CACHE) env.NATIVE_ROLLUP_TS_CACHE = tsCache;
    const started = process.hrtime.bigint();
    const child = spawn(
      process.execPath,
      [
        ...(process.env.NODE_FLAGS ?? "").split(" ").filter(Boolean),
        path.join(dir, "node_modules/.bin/hardhat"),
        "devnet",
        "--port",
        "0",
        "--l2-port",
        "0",
        "--data-dir",
        dataDir,
        ...extraArgs,
      ],
      { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    let done = false;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`timeout in ${dir}: ${out.slice(-2000)}`));
    }, 300_000);
    const onData = (chunk) => {
      out += chunk;
      const m = /Native rollup devnet ready in ([\d.]+) s/.exec(out);
      if (m && !done) {
        done = true;
        const wall = Number(process.hrtime.bigint() - started) / 1e9;
        const cpu = cpuOf(child.pid);
        child.kill("SIGINT");
        child.once("exit", () => {
          clearTimeout(timer);
          resolve({ wall, cpu, inner: Number(m[1]) });
        });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => {
      if (!done) {
        clearTimeout(timer);
        reject(new Error(`exit ${code} in ${dir}: ${out.slice(-3000)}`));
      }
    });
  });
}

(async () => {
  if (kind === "restart") for (const dir of dirs) await run(dir); // make sure a chain and the artifacts exist
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? dirs : [...dirs].reverse();
    for (const dir of order) {
      const load = os.loadavg()[0].toFixed(2);
      const res = await run(dir);
      console.log(
        `${kind} round ${r} ${path.basename(dir)}: wall ${res.wall.toFixed(2)} s, cpu ${res.cpu.toFixed(2)} s, devnet-reported ${res.inner} s, load ${load}`,
      );
    }
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
