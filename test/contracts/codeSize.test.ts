import { expect } from "chai";
import { artifacts } from "hardhat";

/** EIP-170: the largest runtime code an L1 account may hold. */
const MAX_RUNTIME_CODE_BYTES = 24_576;
/** EIP-3860: the largest initcode a creation may carry (a rollup's helpers are created from it). */
const MAX_INITCODE_BYTES = 49_152;

/** Every rollup contract the repository deploys; each must deploy on a real L1. */
const ROLLUPS = ["ExampleRollup", "OptimisticExampleRollup", "ProvenRollup"] as const;

/** Size in bytes of hex code `0x…` (link placeholders count as the 20 bytes they stand for). */
function codeBytes(hex: string): number {
  return (hex.length - 2) / 2;
}

describe("Rollup contract code size", () => {
  for (const name of ROLLUPS) {
    it(`${name} fits the L1 limits (EIP-170 runtime code, EIP-3860 initcode)`, async () => {
      const artifact = await artifacts.readArtifact(name);
      const runtime = codeBytes(artifact.deployedBytecode);
      const initcode = codeBytes(artifact.bytecode);
      process.stdout.write(`      ${name}: runtime ${runtime} B (limit ${MAX_RUNTIME_CODE_BYTES}), initcode ${initcode} B (limit ${MAX_INITCODE_BYTES})\n`);
      expect(runtime, `${name} runtime code`).to.be.greaterThan(0);
      expect(runtime, `${name} runtime code`).to.be.lessThanOrEqual(MAX_RUNTIME_CODE_BYTES);
      expect(initcode, `${name} initcode`).to.be.lessThanOrEqual(MAX_INITCODE_BYTES);
    });
  }
});
