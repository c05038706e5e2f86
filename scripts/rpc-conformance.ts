/**
 * Runs the execution-apis rpc-compat suite against the project's node (the shared chain core
 * and JSON-RPC dispatcher, in-process) and prints passed/total per method and in total.
 *
 *   npm run conformance                       # the table
 *   npm run conformance -- --verbose          # plus the differences of every failing case
 *   npm run conformance -- --method eth_call  # only cases of methods matching, with differences
 *   npm run conformance -- --json out.json    # also write the results
 *   npm run conformance -- --strict           # speconly cases must equal geth's answer too
 *   npm run conformance -- --update-baseline  # record the passing cases in test/conformance/baseline.json
 *
 * The suite is the copy vendored in test/conformance/rpc-compat (see its SOURCE.md);
 * $RPC_COMPAT_DIR points the runner at another copy.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";

import {
  BASELINE_FILE,
  baselineOf,
  readBaseline,
  regressions,
  writeBaseline,
} from "../rollup-node/conformance/baseline";
import { startConformanceNode } from "../rollup-node/conformance/conformanceNode";
import { type CaseResult, runCases, tallyByMethod } from "../rollup-node/conformance/runner";
import { loadCases, locateSuite } from "../rollup-node/conformance/suite";

interface Options {
  readonly verbose: boolean;
  readonly methods: readonly string[];
  readonly json: string | undefined;
  readonly updateBaseline: boolean;
  readonly strict: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  let verbose = false;
  const methods: string[] = [];
  let json: string | undefined;
  let updateBaseline = false;
  let strict = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--verbose" || arg === "-v") verbose = true;
    else if (arg === "--method" || arg === "-m") methods.push(argv[++i] ?? "");
    else if (arg === "--json") json = argv[++i];
    else if (arg === "--update-baseline") updateBaseline = true;
    else if (arg === "--strict") strict = true;
    else
      throw new Error(
        `unknown option ${arg} (use --verbose, --method <name>, --json <file>, --update-baseline, --strict)`,
      );
  }
  if (updateBaseline && (methods.length > 0 || strict))
    throw new Error("--update-baseline needs the whole suite as the test runs it: drop --method and --strict");
  return { verbose, methods, json, updateBaseline, strict };
}

function printFailure(result: CaseResult): void {
  console.log(`\n✗ ${result.name}`);
  for (const d of result.differences) console.log(`    ${d}`);
  console.log(`    request:  ${JSON.stringify(result.request)}`);
  console.log(`    expected: ${JSON.stringify(result.expected).slice(0, 2000)}`);
  console.log(`    actual:   ${JSON.stringify(result.actual).slice(0, 2000)}`);
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const suiteDir = locateSuite(path.resolve(__dirname, ".."));
  const started = performance.now();
  const { dispatcher, node, chain, importMs } = await startConformanceNode(suiteDir);
  let cases = loadCases(suiteDir);
  if (options.methods.length > 0)
    cases = cases.filter((c) => options.methods.some((m) => c.method === m || c.name.startsWith(m)));
  const runStarted = performance.now();
  const results = await runCases(dispatcher, node, cases, { strict: options.strict });
  const runMs = performance.now() - runStarted;

  console.log(`rpc-compat suite: ${suiteDir}`);
  console.log(
    `imported ${chain.headNumber} blocks in ${(importMs / 1000).toFixed(1)} s; ran ${results.length} cases in ${(runMs / 1000).toFixed(1)} s\n`,
  );
  const width = Math.max(...results.map((r) => r.method.length), 6);
  for (const t of tallyByMethod(results)) {
    const mark = t.passed === t.total ? "✓" : t.passed === 0 ? "✗" : "~";
    console.log(`${mark} ${t.method.padEnd(width)} ${String(t.passed).padStart(3)}/${t.total}`);
  }
  const passed = results.filter((r) => r.passed).length;
  const specOnly = results.filter((r) => r.passed && r.specOnly).length;
  console.log(
    `\nTOTAL ${passed}/${results.length} passed (${specOnly} of them speconly: checked for shape, not equality)`,
  );
  console.log(`total time ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (options.verbose || options.methods.length > 0) for (const r of results) if (!r.passed) printFailure(r);
  if (options.json !== undefined) writeFileSync(options.json, `${JSON.stringify(results, null, 2)}\n`);
  if (options.methods.length === 0 && !options.strict) {
    const lost = regressions(readBaseline(BASELINE_FILE), results);
    if (lost.length > 0)
      console.log(`\nREGRESSIONS against ${path.relative(process.cwd(), BASELINE_FILE)}: ${lost.join(", ")}`);
  }
  if (options.updateBaseline) {
    writeBaseline(BASELINE_FILE, baselineOf(results));
    console.log(`\nbaseline written: ${passed}/${results.length} → ${path.relative(process.cwd(), BASELINE_FILE)}`);
  }
}

main().catch((error: unknown) => {
  console.error(
    error instanceof Error
      ? `${error.name}: ${error.message}${"hint" in error ? `\n  hint: ${String(error.hint)}` : ""}`
      : error,
  );
  process.exit(1);
});
