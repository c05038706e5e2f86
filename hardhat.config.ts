// The plugins this repository uses, not @nomicfoundation/hardhat-toolbox: the toolbox also loads
// Ignition, hardhat-verify, the gas reporter (with viem) and solidity-coverage, which nothing here
// uses, in every Hardhat process — ≈ 40 % of what `npx hardhat rollup:status` spent before it ran
// (docs/design/task-startup.md). hardhat-ethers comes with ./tasks/plugin.
// TypeChain's bindings of every contract on each compile (tests, tools and the node import them).
import "@typechain/hardhat";
// hardhat-chai-matchers' assertions (revertedWith, emit, changeEtherBalance…) are for the tests
// only: the test subtask below loads the plugin; its types are declared here for `tsc`.
import type {} from "@nomicfoundation/hardhat-chai-matchers";
import {
  TASK_COMPILE,
  TASK_TEST,
  TASK_TEST_GET_TEST_FILES,
  TASK_TEST_RUN_MOCHA_TESTS,
} from "hardhat/builtin-tasks/task-names";
import { type HardhatUserConfig, subtask, task } from "hardhat/config";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";

/**
 * The cached TypeScript loader of the test run (see the test subtask below). Mocha's workers and
 * the Hardhat processes the tests start load this file with the variable already set: they load
 * the plugin's sources below through the cache too, instead of ts-node transpiling them again.
 */
const TS_LOADER = path.join(__dirname, "rollup-node", "tsLoader.js");
/**
 * hardhat-chai-matchers, loaded by the test run alone (the test subtask below): its `chai.use`
 * matters only where test files run, and the rollup:* tasks, compile and devnet skip its load.
 */
const CHAI_MATCHERS = require.resolve("@nomicfoundation/hardhat-chai-matchers");
/** Measures each test file when TEST_TIMINGS names an output file (scripts/test-timings.js reads it). */
const FILE_TIMINGS = path.join(__dirname, "test", "support", "fileTimings.js");
/** Makes a worker's results sendable when a failed assertion holds a BigInt (see the file). */
const WORKER_MESSAGES = path.join(__dirname, "test", "support", "workerMessages.js");
/**
 * The folders of the TypeScript a test run loads through the loader: the test files, what they
 * import, and the processes and threads they start. `npm test`'s shared phase transpiles them into
 * the loader's cache in one pass before mocha's workers start (the `test` task below), and
 * typechain-types/ once the compile has written it.
 */
const LOADED_FOLDERS = [
  "precompiles",
  "protocol",
  "rollup-node",
  "sdk",
  "tasks",
  "deploy",
  "tools",
  "scripts",
  "examples",
  "test",
];

/** The TypeScript sources (not declarations) under `folders` of this checkout. */
function typeScriptSources(folders: readonly string[]): string[] {
  return folders.flatMap((folder) => {
    const dir = path.join(__dirname, folder);
    if (!existsSync(dir)) return [];
    return (readdirSync(dir, { recursive: true }) as string[])
      .filter(
        (file) => file.endsWith(".ts") && !file.endsWith(".d.ts") && !file.split(path.sep).includes("node_modules"),
      )
      .map((file) => path.join(dir, file));
  });
}

/**
 * Transpiles `folders`' sources into the loader's cache (rollup-node/tsLoader.js warmCache), in a
 * worker thread: this process's event loop goes on (the compile's steps between solc's runs).
 * Never rejects: without the warm-up each process transpiles what it loads, as before, and an
 * error in a source shows there, in the test that loads it.
 */
function warmLoaderCache(folders: readonly string[]): Promise<void> {
  return new Promise((resolve) => {
    const worker = new Worker(
      `require(${JSON.stringify(TS_LOADER)}).warmCache(require("node:worker_threads").workerData)`,
      {
        eval: true,
        workerData: typeScriptSources(folders),
      },
    );
    worker.once("error", () => undefined);
    worker.once("exit", () => resolve());
  });
}
/** Holds a worker's test file until the contracts are compiled (see the `test` task below). */
const COMPILE_GATE = path.join(__dirname, "test", "support", "compileGate.js");
// `npm test` sets TEST_PHASE for its two runs: their main processes load the plugin through it too.
if (process.env.NATIVE_ROLLUP_TS_LOADER === TS_LOADER || process.env.TEST_PHASE !== undefined) require(TS_LOADER);
// Every other run from these sources (`hardhat devnet`, compile, the rollup:* tasks) loads them
// through the cache as well, where ts-node transpiled each file again on every start
// (docs/design/startup-time.md); not when Hardhat type-checks them (--typecheck): only ts-node does.
const tsNode = (process as unknown as Record<symbol, { readonly transpileOnly?: boolean } | undefined>)[
  Symbol.for("ts-node.register.instance")
];
if (tsNode?.transpileOnly !== false) require(TS_LOADER);

import "./tasks/plugin";
import { SOLC_VERSION } from "./tasks/solc";

/**
 * Test files that take the longest, as path prefixes under test/, the slowest first (the sums of
 * their tests' durations in a CI run: the template's npm ci and tests, the kill loop's node
 * restarts, the end-to-end rollups, the Groth16 proofs, the attacks that re-execute forged blocks
 * for seconds; then whole folders). `npm test` runs the files on three workers (--parallel), which
 * take them in the order given: started first, a long file runs beside many short ones; started
 * last, it would run alone at the end.
 */
const SLOW_TESTS_FIRST = [
  "templates/",
  "e2e/killLoop",
  "e2e/follower",
  "e2e/bridgeInvariants",
  "e2e/anyL1",
  "contracts/verifiers/proofModeExecute",
  "contracts/optimisticRollup",
  "contracts/provenRollup",
  "attacks/challengeOverL1GasLimit",
  "e2e/optimistic",
  "rollup-node/provers/externalAttesters",
  "rollup-node/provers/attesterFork",
  "e2e/proofMode",
  "rollup-node/dashboard/dashboard",
  "e2e/takeover",
  "attacks/challengerSilentOnSlowBlock",
  "attacks/challengerSilentOnSignatureFlood",
  "attacks/hugeRevertReason",
  "e2e/crashRestart",
  "rollup-node/hardhat/rollupTasks",
  "attacks/",
  "e2e/",
  "contracts/verifiers/",
  "precompiles/",
  "bridge/",
  "contracts/",
];

/**
 * Test files that load nothing the compile writes (typechain-types/, artifacts/, Hardhat), as
 * path prefixes under test/, the longest first. In `npm test`'s shared phase they run while the
 * contracts compile (on a fresh clone, solcjs on one core for a minute; see the `test` task
 * below); test/support/compileGate.js fails such a file if it loads compiled output meanwhile.
 */
const COMPILE_FREE_TESTS = [
  "precompiles/decodedNodeTrieDifferential",
  "precompiles/dropFinalWrites.",
  "precompiles/crypto",
  "precompiles/executionGuard",
  // Its child process loads rollup:init's code under a gate that never opens: nothing compiled.
  "tasks/init/beforeCompile",
  "tools/interceptCalls",
  "tools/edrL1",
];

/** True when `file` is under one of `prefixes` (path prefixes under test/). */
function underTest(file: string, prefixes: readonly string[]): boolean {
  const testDir = path.join(__dirname, "test") + path.sep;
  return prefixes.some((prefix) => path.resolve(file).startsWith(testDir + prefix.split("/").join(path.sep)));
}

/**
 * Tests calibrated on this machine's speed (a challenge window sized in measured checks): beside
 * another test file they would measure one load and run under another. `npm test` runs them on
 * their own after the parallel phase (TEST_PHASE=alone); TEST_PHASE=shared leaves them out.
 */
const ALONE_TESTS = ["attacks/challengerBehindSlowProposals"];

subtask(TASK_TEST_GET_TEST_FILES).setAction(async (args, _hre, runSuper): Promise<string[]> => {
  const phase = process.env.TEST_PHASE;
  const files = ((await runSuper(args)) as string[]).filter((file) =>
    phase === "shared" ? !underTest(file, ALONE_TESTS) : phase === "alone" ? underTest(file, ALONE_TESTS) : true,
  );
  // While the contracts compile, the files that need none go first (the `test` task below).
  const compiling = process.env.NATIVE_ROLLUP_COMPILE_GATE !== undefined;
  const rank = (file: string): number => {
    if (compiling && underTest(file, COMPILE_FREE_TESTS)) return -1;
    const index = SLOW_TESTS_FIRST.findIndex((prefix) => underTest(file, [prefix]));
    return index === -1 ? SLOW_TESTS_FIRST.length : index;
  };
  // A stable sort: within a rank, the files keep Hardhat's order.
  return [...files].sort((a, b) => rank(a) - rank(b));
});

/**
 * `npm test`'s shared phase (TEST_PHASE=shared, --parallel on more than one worker) compiles the
 * contracts while mocha's workers start on COMPILE_FREE_TESTS: on a fresh clone the compile is
 * single-threaded solcjs and TypeChain for a minute, with the other core idle. Every other file
 * waits in its worker until the compile has ended (test/support/compileGate.js), and fails if the
 * compile failed; the compile's error is printed and the run exits non-zero, as before. Any
 * other run compiles first, as Hardhat does.
 */
task(TASK_TEST).setAction(async (args, hre, runSuper): Promise<unknown> => {
  // Mocha runs the files in workers with --parallel and more than one job (as the subtask below).
  const workers = args.parallel === true && (hre.config.mocha.jobs === undefined || hre.config.mocha.jobs > 1);
  const overlap = process.env.TEST_PHASE === "shared" && workers && args.noCompile !== true;
  if (!overlap) {
    if (process.env.TEST_PHASE === "shared") await warmLoaderCache([...LOADED_FOLDERS, "typechain-types"]);
    return runSuper(args);
  }
  const gateDir = mkdtempSync(path.join(tmpdir(), "native-rollup-compile-"));
  const gate = path.join(gateDir, "outcome");
  process.env.NATIVE_ROLLUP_COMPILE_GATE = gate;
  try {
    const files = (await hre.run(TASK_TEST_GET_TEST_FILES, { testFiles: args.testFiles })) as string[];
    process.env.NATIVE_ROLLUP_COMPILE_FREE = JSON.stringify(
      files.filter((file) => underTest(file, COMPILE_FREE_TESTS)).map((file) => path.resolve(file)),
    );
    const compiled = hre.run(TASK_COMPILE, { quiet: true }).then(
      async () => {
        // Before the held files load it: every one of them reaches the contracts' typings.
        await warmLoaderCache(["typechain-types"]);
        writeFileSync(gate, "ok");
      },
      (error: unknown) => {
        writeFileSync(gate, "failed");
        throw error;
      },
    );
    // A compile that fails during the warm-up below is reported by allSettled, not as unhandled.
    compiled.catch(() => undefined);
    // Beside the compile; the workers start with every source in the cache.
    await warmLoaderCache(LOADED_FOLDERS);
    const tested = runSuper({ ...args, noCompile: true });
    const [compile, test] = await Promise.allSettled([compiled, tested]);
    if (compile.status === "rejected") throw compile.reason;
    if (test.status === "rejected") throw test.reason;
    return test.value;
  } finally {
    rmSync(gateDir, { recursive: true, force: true });
  }
});

/**
 * The attester processes and check threads the node starts from the TypeScript sources during the
 * tests load them through rollup-node/tsLoader.js (rollup-node/cli.ts's typescriptLoader), which
 * caches each file's transpiled output: under ts-node each of them transpiled the same sources
 * again. Set before mocha starts its workers, which inherit it (and load the plugin through the
 * cache, see TS_LOADER above). The test files and what they import load through it as well: here
 * (the hook replaces ts-node's for every later require) and in each worker, where ts-node
 * transpiled the whole graph again per worker and per run.
 */
subtask(TASK_TEST_RUN_MOCHA_TESTS).setAction(async (args, hre, runSuper): Promise<unknown> => {
  process.env.NATIVE_ROLLUP_TS_LOADER ??= TS_LOADER;
  require(TS_LOADER);
  // Mocha runs the files in workers with --parallel and more than one job, else in this process.
  const workers = args.parallel === true && (hre.config.mocha.jobs === undefined || hre.config.mocha.jobs > 1);
  // Per-file wall and CPU times (test/support/fileTimings.js) when TEST_TIMINGS is set: mocha's
  // workers load root hooks from `require`; a serial run takes them as an object.
  const timings = process.env.TEST_TIMINGS !== undefined;
  if (workers) {
    // Each worker loads the config through hardhat/register, then the matchers: the plugin needs
    // Hardhat's context (Hardhat appends hardhat/register only when it is missing from the list).
    hre.config.mocha.require = [
      ...(hre.config.mocha.require ?? []),
      WORKER_MESSAGES,
      ...(process.env.NATIVE_ROLLUP_COMPILE_GATE === undefined ? [] : [COMPILE_GATE]),
      ...(timings ? [FILE_TIMINGS] : []),
      "hardhat/register",
      CHAI_MATCHERS,
    ];
  } else {
    require(CHAI_MATCHERS);
    if (timings) hre.config.mocha.rootHooks = require(FILE_TIMINGS).mochaHooks;
  }
  return runSuper(args);
});

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: "prague",
      // L2Bridge's storage layout is a committed snapshot (test/contracts/snapshots.test.ts);
      // Hardhat adds the outputs it needs itself.
      outputSelection: { "*": { "*": ["storageLayout"] } },
    },
  },
  // The plugin (./tasks/plugin.ts, "native-rollup/hardhat" in created projects) adds the networks:
  // `devnet` in this process (EXECUTE at 0x0101) as the default, `l1` and `l2` for a running
  // devnet (L1_RPC_URL, L2_RPC_URL), with the dev accounts.
  mocha: {
    timeout: 120_000,
    // With --parallel (npm test): three workers on the 2-core machines this project is tested on.
    // The run is CPU-bound, but its files also wait (child processes, L1 polls, block times), and a
    // third worker fills those waits: a fresh clone's `.ci/run` took 12 min 23 s and 14 min 44 s
    // with three against 15 min 14 s with two (the same tests, an idle machine; two at stop 30: 14 min
    // 30 s, 16 min 7 s), docs/design/fast-tests.md round 31c. TEST_JOBS overrides it.
    jobs: process.env.TEST_JOBS === undefined ? 3 : Number(process.env.TEST_JOBS),
    reporter: path.join(__dirname, "test", "support", "summaryReporter.js"),
  },
  typechain: {
    outDir: "typechain-types",
    target: "ethers-v6",
  },
};

export default config;
