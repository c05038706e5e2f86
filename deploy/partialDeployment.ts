// The record of a deployment in progress, beside deployment.json (`<out>.partial`): written after
// each mined step, so an interrupted `rollup:deploy` resumes where it stopped instead of paying
// again. A node never reads it: deployment.json is written only once every step is done.
import { readFile, writeFile } from "node:fs/promises";

import type { DeploymentProgress } from "./rollup";
import { DeploymentError } from "./rollup";

export interface PartialDeployment {
  /** keccak256 of what was asked (chain, options, keys): only the same deployment resumes. */
  readonly fingerprint: string;
  /** The L2 genesis timestamp the first run built its genesis with. */
  readonly l2GenesisTimestamp?: bigint;
  readonly progress: DeploymentProgress;
}

export function partialFile(out: string): string {
  return `${out}.partial`;
}

export async function savePartial(file: string, partial: PartialDeployment): Promise<void> {
  await writeFile(
    file,
    `${JSON.stringify(partial, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`,
  );
}

/** The partial record, or undefined when there is none. */
export async function loadPartial(file: string): Promise<PartialDeployment | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    return JSON.parse(text, (key, v: unknown) =>
      key === "l2GenesisTimestamp" && typeof v === "string" ? BigInt(v) : v,
    ) as PartialDeployment;
  } catch (error) {
    throw new DeploymentError(
      "BAD_PARTIAL_DEPLOYMENT",
      `${file} is not a partial deployment: ${(error as Error).message}`,
      "delete it to deploy afresh",
    );
  }
}
