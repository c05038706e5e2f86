import type { DevNode } from "../rpc/devNode";
import type { RpcDispatcher } from "../rpc/dispatcher";
import { compareResponse } from "./compare";
import type { IoCase } from "./ioFile";

/** The outcome of one case file. */
export interface CaseResult {
  readonly name: string;
  readonly method: string;
  readonly passed: boolean;
  readonly specOnly: boolean;
  /** Differences of the first failing round trip, with its index. */
  readonly differences: readonly string[];
  readonly request?: unknown;
  readonly expected?: unknown;
  readonly actual?: unknown;
}

export interface RunOptions {
  /** Hold speconly cases to equality too (to see how close the node comes to geth's answer). */
  readonly strict?: boolean;
}

/** Passed and total cases of one method folder. */
export interface MethodTally {
  readonly method: string;
  readonly passed: number;
  readonly total: number;
}

/**
 * Runs each case's round trips in order through the dispatcher. Every case starts from the
 * imported chain: the node is snapshotted before and reverted after, so transactions a case
 * sends (and blocks it builds) never leak into the next case.
 */
export async function runCases(
  dispatcher: RpcDispatcher,
  node: DevNode,
  cases: readonly IoCase[],
  options: RunOptions = {},
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const testCase of cases) {
    const snapshot = node.snapshot();
    try {
      results.push(await runCase(dispatcher, testCase, options.strict === true));
    } finally {
      await node.revert(snapshot);
    }
  }
  return results;
}

async function runCase(dispatcher: RpcDispatcher, testCase: IoCase, strict: boolean): Promise<CaseResult> {
  const base = { name: testCase.name, method: testCase.method, specOnly: testCase.specOnly };
  for (const [index, trip] of testCase.roundTrips.entries()) {
    let actual: unknown;
    try {
      // Through JSON, as over HTTP: undefined fields vanish, bigints would fail loudly.
      actual = JSON.parse(JSON.stringify((await dispatcher.handle(trip.request)) ?? null));
    } catch (error) {
      actual = { internalFailure: (error as Error).message };
    }
    const verdict = compareResponse(trip.response, actual, testCase.specOnly && !strict);
    if (!verdict.ok) {
      const prefix = testCase.roundTrips.length > 1 ? `round trip ${index + 1}: ` : "";
      return {
        ...base,
        passed: false,
        differences: verdict.differences.map((d) => prefix + d),
        request: trip.request,
        expected: trip.response,
        actual,
      };
    }
  }
  return { ...base, passed: true, differences: [] };
}

/** Per-method passed/total, in method order. */
export function tallyByMethod(results: readonly CaseResult[]): MethodTally[] {
  const tallies = new Map<string, { passed: number; total: number }>();
  for (const r of results) {
    const t = tallies.get(r.method) ?? { passed: 0, total: 0 };
    t.total++;
    if (r.passed) t.passed++;
    tallies.set(r.method, t);
  }
  return [...tallies.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([method, t]) => ({ method, ...t }));
}
