import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";

import { expect } from "chai";
import { type Eddsa, buildEddsa } from "circomlibjs";

import { buildEddsaOnSharedCurves } from "../../../rollup-node/provers/committee";
import { TYPESCRIPT_CHILD_ARGS } from "../../support/typescriptChild";

/** The ffjavascript module circomlibjs loads, whose `getCurveFromName` its builders call. */
const circomlibjsCurves = (): { getCurveFromName: (...args: unknown[]) => Promise<unknown> } =>
  createRequire(require.resolve("circomlibjs"))("ffjavascript");

const COMMITTEE_MODULE = path.resolve(__dirname, "../../../rollup-node/provers/committee.ts");

/**
 * A fresh process's `loadBabyJub`, counting the curves ffjavascript was asked to build: the
 * process-wide build is memoised, so the count needs a process of its own.
 */
function curveBuildsOfLoadBabyJub(): number {
  const script = `
    const curves = require("module").createRequire(require.resolve("circomlibjs"))("ffjavascript");
    const build = curves.getCurveFromName;
    let builds = 0;
    curves.getCurveFromName = (...args) => { builds += 1; return build(...args); };
    require(${JSON.stringify(COMMITTEE_MODULE)}).loadBabyJub().then(
      () => { process.stdout.write(String(builds)); process.exit(0); },
      (error) => { console.error(error); process.exit(1); },
    );`;
  return Number(execFileSync(process.execPath, [...TYPESCRIPT_CHILD_ARGS, "-e", script], { encoding: "utf8" }));
}

describe("the committee's EdDSA-Poseidon primitives, built on shared curves", function () {
  this.timeout(120_000);
  let shared: Eddsa;
  let own: Eddsa;
  let builderBefore: unknown;
  let builderAfter: unknown;

  before(async () => {
    builderBefore = circomlibjsCurves().getCurveFromName;
    shared = await buildEddsaOnSharedCurves();
    builderAfter = circomlibjsCurves().getCurveFromName;
    own = await buildEddsa();
  });

  it("loadBabyJub asks ffjavascript for two curves (Baby Jubjub's and Poseidon's), not one per primitive", () => {
    expect(curveBuildsOfLoadBabyJub()).to.equal(2);
  });

  it("puts circomlibjs's curve builder back once the build is over", () => {
    expect(builderAfter).to.be.a("function");
    expect(builderAfter).to.equal(builderBefore);
  });

  it("derives the same public keys, signatures and Poseidon hashes as circomlibjs's own build, and each checks the other's signatures", () => {
    for (let seed = 1; seed <= 4; seed++) {
      const key = Uint8Array.from({ length: 32 }, (_, i) => (seed * 37 + i * 11) & 0xff);
      const message = 10n ** 30n * BigInt(seed) + 12345n;
      const publicKey = shared.prv2pub(key);
      expect(publicKey.map((c) => shared.F.toObject(c))).to.deep.equal(own.prv2pub(key).map((c) => own.F.toObject(c)));
      const signature = shared.signPoseidon(key, shared.F.e(message));
      const reference = own.signPoseidon(key, own.F.e(message));
      expect(signature.S).to.equal(reference.S);
      expect(signature.R8.map((c) => shared.F.toObject(c))).to.deep.equal(reference.R8.map((c) => own.F.toObject(c)));
      expect(own.verifyPoseidon(own.F.e(message), signature, own.prv2pub(key))).to.equal(true);
      expect(shared.verifyPoseidon(shared.F.e(message), reference, publicKey)).to.equal(true);
      expect(shared.verifyPoseidon(shared.F.e(message + 1n), signature, publicKey)).to.equal(false);
      const inputs = [BigInt(seed), message];
      expect(shared.poseidon.F.toObject(shared.poseidon(inputs))).to.equal(
        own.poseidon.F.toObject(own.poseidon(inputs)),
      );
    }
  });
});
