/**
 * Mutation fuzzer of the EXECUTE precompile (`npm run fuzz:execute -- --cases N --seed S`).
 * Prints counts per mutation kind × outcome and the total time; exits non-zero on any failure
 * (an accepted altered block, a crash, a hang, a malformed failure or an unexpected code).
 *
 * `--only 5664,7230` reruns just those case indices of the campaign `--seed S` (each case is
 * drawn from the seed and its index alone, so it is the same case the campaign ran), printing
 * each case's outcome and time, and whether the three write rules agree on it.
 *
 * `--all-rules N` runs the first N cases also under every write rule (consensus-rules.md §4);
 * every case when absent (npm test runs the first `DEFAULT_ALL_RULES_CASES`).
 */
import {
  buildCorpus,
  formatReport,
  makeCase,
  outcomeLabel,
  runCase,
  runFuzz,
  writeRulesDisagree,
} from "../tools/executeFuzz";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a non-negative integer`);
  return value;
}

/** The case indices of `--only a,b,c`, or undefined when absent. */
function onlyIndices(): number[] | undefined {
  const i = process.argv.indexOf("--only");
  if (i < 0) return undefined;
  const indices = String(process.argv[i + 1] ?? "")
    .split(",")
    .map(Number);
  if (indices.length === 0 || indices.some((n) => !Number.isInteger(n) || n < 0))
    throw new Error("--only must be a comma-separated list of case indices");
  return indices;
}

async function rerun(indices: readonly number[], seed: number, timeoutMs: number): Promise<number> {
  const corpus = await buildCorpus();
  let failures = 0;
  for (const index of indices) {
    const c = makeCase(corpus, seed, index);
    const started = Date.now();
    const outcome = await runCase(corpus, c, timeoutMs);
    const ms = Date.now() - started;
    const detail =
      outcome.kind === "rejected" ? `: ${outcome.reason}` : outcome.kind === "failure" ? `: ${outcome.detail}` : "";
    const counts = { compared: 0, incompleteForSome: 0, noInput: 0 };
    const divergence = await writeRulesDisagree(c, counts);
    const rules =
      divergence !== undefined
        ? `; write rules DIVERGE: ${divergence}`
        : counts.compared > 0
          ? "; write rules agree"
          : counts.noInput > 0
            ? "; calldata not decoded"
            : "; witness incomplete for some rule";
    console.log(
      `#${index} [${c.entry.name}/${c.kind}] ${c.description}: ${outcomeLabel(outcome)} in ${ms} ms${detail}${rules}`,
    );
    if (outcome.kind === "failure" || divergence !== undefined) failures++;
  }
  return failures;
}

async function main(): Promise<void> {
  const seed = arg("seed", Date.now() % 2 ** 31);
  const timeoutMs = arg("timeout-ms", 10_000);
  const only = onlyIndices();
  if (only !== undefined) process.exit((await rerun(only, seed, timeoutMs)) > 0 ? 1 : 0);
  const cases = arg("cases", 1000);
  const report = await runFuzz({
    cases,
    seed,
    timeoutMs,
    allRulesCases: arg("all-rules", cases),
    onProgress: (done) => {
      if (done % 250 === 0) process.stderr.write(`  ${done}/${cases}\n`);
    },
  });
  console.log(formatReport(report));
  for (const f of report.failures.slice(20))
    console.log(`  FAIL #${f.index} [${f.corpus}/${f.kind}] ${f.description}: ${f.outcome}: ${f.detail}`);
  process.exit(report.failures.length > 0 ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(2);
});
