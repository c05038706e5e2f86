import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

import { ConformanceError } from "./errors";
import type { CaseResult } from "./runner";

/** Where the committed baseline lives (beside the test that enforces it). */
export const BASELINE_FILE = path.resolve(__dirname, "..", "..", "test", "conformance", "baseline.json");

/** The committed record of what passes: a regression names the case it lost. */
export interface Baseline {
  /** How many cases passed when the baseline was recorded. */
  readonly passed: number;
  /** How many cases the suite held then. */
  readonly total: number;
  /** Every passing case, `<method>/<case>`, sorted. */
  readonly passing: readonly string[];
}

export class BaselineError extends ConformanceError {
  constructor(message: string) {
    super(
      "BASELINE",
      message,
      "regenerate it with `npm run conformance -- --update-baseline` after checking the new results",
    );
  }
}

export function baselineOf(results: readonly CaseResult[]): Baseline {
  const passing = results
    .filter((r) => r.passed)
    .map((r) => r.name)
    .sort();
  return { passed: passing.length, total: results.length, passing };
}

export function readBaseline(file: string): Baseline {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new BaselineError(`cannot read the baseline ${file}: ${(error as Error).message}`);
  }
  const b = parsed as Partial<Baseline>;
  if (
    typeof b.passed !== "number" ||
    typeof b.total !== "number" ||
    !Array.isArray(b.passing) ||
    b.passing.some((n) => typeof n !== "string")
  ) {
    throw new BaselineError(`${file} is not a baseline ({passed, total, passing: [names]})`);
  }
  return b as Baseline;
}

export function writeBaseline(file: string, baseline: Baseline): void {
  writeFileSync(file, `${JSON.stringify(baseline, null, 2)}\n`);
}

/** Baseline cases that no longer pass. */
export function regressions(baseline: Baseline, results: readonly CaseResult[]): string[] {
  const passing = new Set(results.filter((r) => r.passed).map((r) => r.name));
  return baseline.passing.filter((name) => !passing.has(name));
}
