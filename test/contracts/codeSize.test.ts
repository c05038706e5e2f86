import { existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { artifacts, config } from "hardhat";

import { resolveInitOptions } from "../../tasks/init/options";
import { renderTemplate } from "../../tasks/init/render";

/** EIP-170: the largest runtime code an L1 account may hold. */
const MAX_RUNTIME_CODE_BYTES = 24_576;
/** EIP-3860: the largest initcode a creation may carry (a rollup's helpers are created from it). */
const MAX_INITCODE_BYTES = 49_152;

/** Every rollup contract the repository deploys; each must deploy on a real L1. */
const ROLLUPS = ["ExampleRollup", "OptimisticExampleRollup", "ProvenRollup"] as const;

const ROOT = path.resolve(__dirname, "..", "..");

/** Size in bytes of hex code (with or without `0x`). */
function codeBytes(hex: string): number {
  return hex.replace(/^0x/, "").length / 2;
}

/** Checks and prints the sizes of one contract's runtime code and initcode. */
function expectDeployable(name: string, runtimeHex: string, initcodeHex: string): void {
  const runtime = codeBytes(runtimeHex);
  const initcode = codeBytes(initcodeHex);
  process.stdout.write(
    `      ${name}: runtime ${runtime} B (limit ${MAX_RUNTIME_CODE_BYTES}), initcode ${initcode} B (limit ${MAX_INITCODE_BYTES})\n`,
  );
  expect(runtime, `${name} runtime code`).to.be.greaterThan(0);
  expect(runtime, `${name} runtime code`).to.be.lessThanOrEqual(MAX_RUNTIME_CODE_BYTES);
  expect(initcode, `${name} initcode`).to.be.lessThanOrEqual(MAX_INITCODE_BYTES);
}

describe("Rollup contract code size", () => {
  for (const name of ROLLUPS) {
    it(`${name} fits the L1 limits (EIP-170 runtime code, EIP-3860 initcode)`, async () => {
      const artifact = await artifacts.readArtifact(name);
      expectDeployable(name, artifact.deployedBytecode, artifact.bytecode);
    });
  }

  it("an optimistic rollup created from the template (fallback sequencing, the largest hook) fits the L1 limits", function () {
    this.timeout(600_000);
    const name = "SizeCheck";
    const options = resolveInitOptions({
      dir: path.join(tmpdir(), "codesize-template"),
      name,
      sequencing: "fallback",
      optimistic: true,
    });
    const file = `contracts/${name}Rollup.sol`;
    const content = renderTemplate(options, "9.9.9").find((f) => f.path === file)?.content ?? "";
    expect(content).to.contain(`contract ${name}Rollup is OptimisticRollup`);
    // The generated imports name the package; here they resolve to this repository's sources.
    const findImports = (source: string): { contents: string } | { error: string } => {
      const local = source.startsWith("native-rollup/")
        ? path.join(ROOT, source.slice("native-rollup/".length))
        : path.join(ROOT, "node_modules", source);
      return existsSync(local) ? { contents: readFileSync(local, "utf8") } : { error: `not found: ${source}` };
    };
    // A created project compiles with this repository's settings (its hardhat.config.ts template).
    const settings = {
      ...config.solidity.compilers[0]?.settings,
      outputSelection: { [file]: { [`${name}Rollup`]: ["evm.bytecode.object", "evm.deployedBytecode.object"] } },
    };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const solc = require("solc") as { compile(input: string, options: { import: typeof findImports }): string };
    const output = JSON.parse(
      solc.compile(JSON.stringify({ language: "Solidity", sources: { [file]: { content } }, settings }), {
        import: findImports,
      }),
    ) as {
      errors?: { severity: string; formattedMessage: string }[];
      contracts: Record<
        string,
        Record<string, { evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }>
      >;
    };
    const errors = (output.errors ?? []).filter((e) => e.severity === "error").map((e) => e.formattedMessage);
    expect(errors, errors.join("\n")).to.deep.equal([]);
    const evm = output.contracts[file]?.[`${name}Rollup`]?.evm;
    expectDeployable(
      `template ${name}Rollup (optimistic, fallback)`,
      evm?.deployedBytecode.object ?? "",
      evm?.bytecode.object ?? "",
    );
  });
});
