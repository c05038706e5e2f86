import { expect } from "chai";
import path from "node:path";

import { BASELINE_FILE, readBaseline, regressions } from "../../rollup-node/conformance/baseline";
import { startConformanceNode } from "../../rollup-node/conformance/conformanceNode";
import { type CaseResult, runCases } from "../../rollup-node/conformance/runner";
import { loadCases, locateSuite } from "../../rollup-node/conformance/suite";

const REPO_ROOT = path.resolve(__dirname, "..", "..");

/**
 * The execution-apis rpc-compat suite (genesis, chain.rlp, <method>/<case>.io) against the
 * project's chain core and JSON-RPC dispatcher. The suite is the copy vendored beside this file
 * (rpc-compat/, see its SOURCE.md) unless RPC_COMPAT_DIR names another; a missing suite fails
 * the test. `npm run conformance -- --verbose` shows what differs.
 */
describe("JSON-RPC conformance (execution-apis rpc-compat)", function () {
  this.timeout(120_000);
  let results: CaseResult[];

  before(async () => {
    const suiteDir = locateSuite(REPO_ROOT);
    const { dispatcher, node } = await startConformanceNode(suiteDir);
    results = await runCases(dispatcher, node, loadCases(suiteDir));
  });

  it("imports the suite's chain and answers every case without crashing the dispatcher", () => {
    expect(results.length).to.be.greaterThan(0);
    const crashed = results
      .filter((r) => typeof r.actual === "object" && r.actual !== null && "internalFailure" in r.actual)
      .map((r) => r.name);
    expect(crashed, "cases whose request threw out of the dispatcher").to.deep.equal([]);
  });

  it("still passes every case of the committed baseline", () => {
    const lost = regressions(readBaseline(BASELINE_FILE), results);
    const detail = lost.map(
      (name) =>
        `${name}: ${results.find((r) => r.name === name)?.differences.join("; ") ?? "case missing from the suite"}`,
    );
    expect(detail, "baseline cases that now fail").to.deep.equal([]);
  });

  it("passes at least as many cases as the baseline records", () => {
    const baseline = readBaseline(BASELINE_FILE);
    const passed = results.filter((r) => r.passed).length;
    expect(passed, `passing cases (baseline ${baseline.passed}/${baseline.total})`).to.be.at.least(baseline.passed);
  });
});
