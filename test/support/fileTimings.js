// A mocha root-hook plugin that measures each test file when TEST_TIMINGS names a file: it
// appends one JSON line per file there (wall time, the CPU time of the mocha process — all its
// threads — and of the child processes it waited for, the part of the wall time spent in the
// tests themselves rather than in hooks, the slowest tests, and the load average). hardhat.config.ts
// registers it only when the variable is set; scripts/test-timings.js summarises the lines.
//
// Works with --parallel (each file in a worker, its own root suite) and serially (one root suite).

const fs = require("node:fs");
const os = require("node:os");

const OUTPUT = process.env.TEST_TIMINGS;
/** The slowest tests listed per file. */
const SLOWEST_KEPT = 3;
/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU milliseconds of the children this process has waited for (/proc/self/stat cutime + cstime). */
function waitedChildrenCpuMs() {
  try {
    const stat = fs.readFileSync("/proc/self/stat", "utf8");
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // cutime and cstime are fields 16 and 17 of the whole line: 14 and 15 after the name.
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** The file of the first suite under `suite` that names one. */
function fileOf(suite) {
  if (suite.file) return suite.file;
  for (const child of suite.suites) {
    const file = fileOf(child);
    if (file) return file;
  }
  return undefined;
}

/** An equality assertion that took at least this much CPU is listed with its place in the test file. */
const SLOW_ASSERTION_MS = 100;

let previousEnd;
let current;
let assertionsWrapped = false;

/**
 * Times chai's `equal`/`eq`/`equals` (and so `deep.equal`), outermost, so that the time
 * hardhat-chai-matchers adds (it tries each operand as an address, which stringifies a value that is
 * not one) is counted. Installed at the first file's start: the matchers are added when the worker
 * loads Hardhat's config, after this plugin.
 */
function wrapAssertions() {
  if (assertionsWrapped) return;
  assertionsWrapped = true;
  const chai = require("chai");
  for (const name of ["equal", "eq", "equals"]) {
    chai.Assertion.overwriteMethod(
      name,
      (original) =>
        function timedEqual(...args) {
          const before = process.cpuUsage();
          try {
            return original.apply(this, args);
          } finally {
            const used = process.cpuUsage(before);
            const ms = (used.user + used.system) / 1000;
            if (current !== undefined) {
              current.assertionsMs += ms;
              if (ms >= SLOW_ASSERTION_MS) {
                const place = (new Error().stack ?? "").split("\n").find((line) => line.includes(".test.ts"));
                current.slowAssertions.push({ ms: Math.round(ms), at: place?.trim() });
              }
            }
          }
        },
    );
  }
}

function openFile(file) {
  current = {
    file,
    pid: process.pid,
    start: Date.now(),
    sincePreviousFileMs: previousEnd === undefined ? null : Date.now() - previousEnd,
    uptimeMs: Math.round(process.uptime() * 1000),
    cpu: process.cpuUsage(),
    childrenCpuMs: waitedChildrenCpuMs(),
    loadStart: os.loadavg()[0],
    testsMs: 0,
    tests: 0,
    slowest: [],
    assertionsMs: 0,
    slowAssertions: [],
  };
}

function closeFile() {
  if (current === undefined) return;
  const end = Date.now();
  const cpu = process.cpuUsage(current.cpu);
  const line = {
    file: current.file,
    pid: current.pid,
    start: current.start,
    end,
    wallMs: end - current.start,
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    childrenCpuMs: Math.round(waitedChildrenCpuMs() - current.childrenCpuMs),
    testsMs: current.testsMs,
    tests: current.tests,
    sincePreviousFileMs: current.sincePreviousFileMs,
    uptimeMs: current.uptimeMs,
    loadStart: current.loadStart,
    loadEnd: os.loadavg()[0],
    slowest: current.slowest,
    assertionsMs: Math.round(current.assertionsMs),
    slowAssertions: current.slowAssertions,
  };
  if (OUTPUT !== undefined) fs.appendFileSync(OUTPUT, `${JSON.stringify(line)}\n`);
  previousEnd = end;
  current = undefined;
}

/**
 * Brackets each file's top-level suites with hooks of their own: the first suite of a file opens
 * its record before that suite's own `before` hooks, the last one closes it after its `after`
 * hooks, so a file's set-up and clean-up count as its own. (Run serially, all files share one root
 * suite; with --parallel each file has its own.)
 */
function bracketFiles(root) {
  const last = new Map();
  for (const suite of root.suites) last.set(suite.file, suite);
  for (const suite of root.suites) {
    const file = suite.file ?? fileOf(suite);
    suite.beforeAll("file timings: start", () => {
      if (current?.file === file) return;
      closeFile();
      openFile(file);
    });
    // Mocha runs a suite's beforeAll hooks in the order added: this one goes first.
    suite._beforeAll.unshift(suite._beforeAll.pop());
    if (last.get(suite.file) === suite) suite.afterAll("file timings: end", closeFile);
  }
}

exports.waitedChildrenCpuMs = waitedChildrenCpuMs;

exports.mochaHooks = {
  beforeAll() {
    wrapAssertions();
    bracketFiles(this.test.parent);
  },
  afterEach() {
    const test = this.currentTest;
    if (current === undefined || test === undefined || typeof test.duration !== "number") return;
    current.testsMs += test.duration;
    current.tests += 1;
    current.slowest.push({ title: test.fullTitle(), ms: test.duration });
    current.slowest.sort((a, b) => b.ms - a.ms);
    current.slowest.length = Math.min(current.slowest.length, SLOWEST_KEPT);
  },
  afterAll: closeFile,
};
