/**
 * Mutation fuzzer of the EXECUTE precompile (`npm run fuzz:execute -- --cases N --seed S`).
 * Prints counts per mutation kind × outcome and the total time; exits non-zero on any failure
 * (an accepted altered block, a crash, a hang, a malformed failure or an unexpected code).
 */
import { formatReport, runFuzz } from "../test/support/executeFuzz";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a non-negative integer`);
  return value;
}

async function main(): Promise<void> {
  const cases = arg("cases", 1000);
  const seed = arg("seed", Date.now() % 2 ** 31);
  const timeoutMs = arg("timeout-ms", 10_000);
  const report = await runFuzz({
    cases,
    seed,
    timeoutMs,
    onProgress: (done) => {
      if (done % 250 === 0) process.stderr.write(`  ${done}/${cases}\n`);
    },
  });
  console.log(formatReport(report));
  for (const f of report.failures.slice(20)) console.log(`  FAIL #${f.index} [${f.corpus}/${f.kind}] ${f.description}: ${f.outcome}: ${f.detail}`);
  process.exit(report.failures.length > 0 ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(2);
});
