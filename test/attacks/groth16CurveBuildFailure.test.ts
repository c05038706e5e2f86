/**
 * Residual of docs/design/attack-review-s21.md, finding 2: the BN254 curve EXECUTE's proof mode
 * verifies with is built once per process, in WebAssembly memory. If that build fails (V8 throws a
 * RangeError when it cannot allocate the memory), the failed build must not be kept: otherwise every
 * later proof check in the process fails the same way, and every proven block is refused until a
 * restart. The real `verifyGroth16` of a module instance whose curve is not built yet (a fresh
 * require: the process-wide instance may have built its curve in another test file), with
 * ffjavascript's builder failing once.
 */
import { expect } from "chai";
import type { buildBn128 } from "ffjavascript";

import type * as Groth16Module from "../../precompiles/proofs/groth16";
import type { Groth16Key, Groth16Proof } from "../../precompiles/proofs/types";

type BuildBn128 = typeof buildBn128;

/** The BN254 G1 generator (EIP-196). */
const G1_GENERATOR = [1n, 2n] as const;
/** The BN254 G2 generator (EIP-197), in snarkjs' [[x.c0, x.c1], [y.c0, y.c1]] order. */
const G2_GENERATOR = [
  [
    10857046999023057135944570762232829481370756359578518086990519993285655852781n,
    11559732032986387107991004021392285783925812861821192530917403151452391805634n,
  ],
  [
    8495653923123431417604973247489272438418190587263600148770280649306958101930n,
    4082367875863433681332203403145435568316851327593401208105741076214120093531n,
  ],
] as const;

/** A well-formed key and proof (every point a generator): they pass the point checks and the pairing decides. */
const KEY: Groth16Key = {
  alpha1: G1_GENERATOR,
  beta2: G2_GENERATOR,
  gamma2: G2_GENERATOR,
  delta2: G2_GENERATOR,
  ic: [G1_GENERATOR, G1_GENERATOR],
  boundInputs: [],
};
const PROOF: Groth16Proof = { a: G1_GENERATOR, b: G2_GENERATOR, c: G1_GENERATOR };

/** A module instance of groth16.ts of its own (its curve not built), leaving the shared one in the cache. */
function freshGroth16(): typeof Groth16Module {
  const path = require.resolve("../../precompiles/proofs/groth16");
  const shared = require.cache[path];
  delete require.cache[path];
  try {
    return require(path) as typeof Groth16Module;
  } finally {
    if (shared !== undefined) require.cache[path] = shared;
    else delete require.cache[path];
  }
}

describe("attack: a failed build of the proof curve is not kept", function () {
  this.timeout(120_000);

  it("verifies again after the curve's build failed once", async () => {
    // The module's own exports object (what groth16.ts reads at each build), not an import's namespace copy.
    const exported = require("ffjavascript") as { buildBn128: BuildBn128 };
    const real = exported.buildBn128;
    let builds = 0;
    exported.buildBn128 = ((...args: Parameters<BuildBn128>) => {
      builds++;
      if (builds === 1) return Promise.reject(new RangeError("WebAssembly.Memory(): could not allocate memory"));
      return real(...args);
    }) as BuildBn128;
    try {
      const { verifyGroth16 } = freshGroth16();
      let failure: unknown;
      await verifyGroth16(KEY, PROOF, [1n]).catch((error: unknown) => {
        failure = error;
      });
      expect(failure).to.be.instanceOf(RangeError);
      // The next check builds the curve again and decides on the pairing.
      expect(await verifyGroth16(KEY, PROOF, [1n])).to.be.a("boolean");
      expect(builds).to.equal(2);
    } finally {
      exported.buildBn128 = real;
    }
  });
});
