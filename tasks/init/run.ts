import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import type { HardhatRuntimeEnvironment } from "hardhat/types";

import { frameworkFromTarball, packFrameworkInto } from "./framework";
import { type InitArgs, resolveInitOptions } from "./options";
import { type CreatedProject, createProject } from "./project";

/** The commands rollup:init prints under "Next:" for the project created in `relative`. */
export function nextSteps(relative: string): string[] {
  return [`cd ${relative}`, "npm ci && npm test", "npm run test:l2", "npm run devnet"];
}

/** rollup:init's action: validate, pack (or take) the framework, write the project, print the next steps. */
export async function runInit(
  args: InitArgs,
  hre: HardhatRuntimeEnvironment,
  write: (line: string) => void = console.log,
  pack: typeof packFrameworkInto = packFrameworkInto,
): Promise<CreatedProject> {
  const options = resolveInitOptions(args);
  const started = Date.now();
  const staging = mkdtempSync(path.join(tmpdir(), "native-rollup-pack-"));
  try {
    // Said first: packing compiles the framework, minutes on a loaded machine, and the task was
    // silent all that time, as if it hung.
    if (options.framework === undefined)
      write(
        "packing the framework for the project (compiling its contracts and TypeScript: a minute or more; --framework <native-rollup-*.tgz> reuses a packed one)…",
      );
    const framework =
      options.framework === undefined ? await pack(hre, staging) : frameworkFromTarball(options.framework);
    const created = await createProject(options, framework);
    const relative = path.relative(process.cwd(), created.dir) || ".";
    write(
      `Created ${options.name}Rollup (L2 chain ${options.chainId}, ${options.sequencing} sequencing, ${options.mode.kind}) in ${relative} in ${((Date.now() - started) / 1000).toFixed(1)} s:`,
    );
    for (const file of created.files) write(`  ${file}`);
    write(
      `\nNext:\n${nextSteps(relative)
        .map((step) => `  ${step}`)
        .join("\n")}`,
    );
    return created;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
