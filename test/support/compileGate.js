// Loaded in each of mocha's parallel workers when `npm test`'s shared phase compiles the contracts
// while the first test files already run (hardhat.config.ts, the `test` task). On a fresh clone
// the compile is solcjs on one core for a minute; the files listed as needing no compiled
// contracts run on the other core meanwhile, and every other file waits here, before its first
// line loads, until the compile has ended.
//
// NATIVE_ROLLUP_COMPILE_GATE: a file the main process writes when the compile ends ("ok" or
// "failed"). NATIVE_ROLLUP_COMPILE_FREE: the test files (absolute paths, JSON) that may run before.
const { existsSync, readFileSync } = require("node:fs");
const Module = require("node:module");
const path = require("node:path");

const TEST_FILE = /\.test\.[cm]?[jt]s$/;
/** What a file that runs before the compile has ended must not load (the compile writes them). */
const COMPILED = ["typechain-types", "artifacts"].map((folder) => path.join(__dirname, "..", "..", folder) + path.sep);
const POLL_MS = 100;

/** The compile's outcome, or undefined while it runs. */
function outcome(gate) {
  return existsSync(gate) ? readFileSync(gate, "utf8") : undefined;
}

/** Blocks this worker (no CPU) until the compile has ended; throws when it failed. */
function awaitCompile(gate, file) {
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  let ended = outcome(gate);
  while (ended === undefined || ended === "") {
    Atomics.wait(sleeper, 0, 0, POLL_MS);
    ended = outcome(gate);
  }
  if (ended !== "ok")
    throw new Error(`${path.basename(file)} needs the compiled contracts, and the compile failed (its error is above)`);
}

/**
 * Installs the gate in this process: `load` stands for Module._load. Returns the hook (tests call
 * it directly). A free file that loads compiled output while the compile runs is an error: the
 * list in hardhat.config.ts is wrong, and on a fresh clone the file would read nothing.
 */
function compileGate(gate, free, load) {
  const freeFiles = new Set(free);
  let open = false;
  return function gatedLoad(request, parent, isMain) {
    if (!open) {
      open = outcome(gate) === "ok";
      if (!open && path.isAbsolute(request) && TEST_FILE.test(request) && !freeFiles.has(request)) {
        awaitCompile(gate, request);
        open = true;
      } else if (!open && parent !== undefined && parent !== null) {
        let resolved = "";
        try {
          resolved = Module._resolveFilename(request, parent, isMain);
        } catch {
          // Left to the real load, which reports it.
        }
        if (COMPILED.some((folder) => resolved.startsWith(folder)))
          throw new Error(
            `${resolved} is loaded before the contracts are compiled (by ${parent.filename}): a test file that loads it cannot be in COMPILE_FREE_TESTS (hardhat.config.ts)`,
          );
      }
    }
    return load.call(this, request, parent, isMain);
  };
}

const gate = process.env.NATIVE_ROLLUP_COMPILE_GATE;
if (gate !== undefined && gate !== "") {
  const original = Module._load;
  Module._load = compileGate(gate, JSON.parse(process.env.NATIVE_ROLLUP_COMPILE_FREE ?? "[]"), original);
}

module.exports = { compileGate };
