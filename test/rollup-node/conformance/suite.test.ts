import { expect } from "chai";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { SuiteNotFoundError } from "../../../rollup-node/conformance/errors";
import { loadCases, locateSuite } from "../../../rollup-node/conformance/suite";

const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");

/** Writes the two files that make a folder look like an rpc-compat suite. */
function fakeSuite(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "genesis.json"), "{}");
  writeFileSync(path.join(dir, "chain.rlp"), "");
  return dir;
}

describe("rpc-compat suite location", () => {
  let scratch: string;

  beforeEach(() => {
    scratch = mkdtempSync(path.join(tmpdir(), "rpc-compat-suite-"));
  });

  afterEach(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  it("reads the copy vendored in the repository when RPC_COMPAT_DIR is not set", () => {
    const dir = locateSuite(REPO_ROOT, {});
    expect(path.relative(REPO_ROOT, dir)).to.equal(path.join("test", "conformance", "rpc-compat"));
    expect(loadCases(dir).length).to.be.greaterThan(0);
    // The vendored data keeps its origin and licence beside it.
    expect(existsSync(path.join(dir, "SOURCE.md")), "SOURCE.md").to.equal(true);
    expect(existsSync(path.join(dir, "LICENSE")), "LICENSE").to.equal(true);
  });

  it("fails when the vendored copy is missing, even if a suite lies beside the repository", () => {
    const repo = path.join(scratch, "repo");
    mkdirSync(repo);
    fakeSuite(path.join(scratch, "shared", "conformance", "rpc-compat"));
    expect(() => locateSuite(repo, {})).to.throw(
      SuiteNotFoundError,
      /vendored suite .*lacks genesis\.json and chain\.rlp/,
    );
  });

  it("reads the suite RPC_COMPAT_DIR names instead", () => {
    const other = fakeSuite(path.join(scratch, "elsewhere"));
    expect(locateSuite(REPO_ROOT, { RPC_COMPAT_DIR: other })).to.equal(other);
  });

  it("fails on an RPC_COMPAT_DIR without the suite rather than falling back to the vendored copy", () => {
    const empty = path.join(scratch, "empty");
    mkdirSync(empty);
    expect(() => locateSuite(REPO_ROOT, { RPC_COMPAT_DIR: empty })).to.throw(SuiteNotFoundError, /RPC_COMPAT_DIR=/);
  });
});
