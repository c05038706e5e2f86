// The record of a deployment in progress, beside deployment.json (`<out>.partial`): written after
// each mined step, so an interrupted `rollup:deploy` resumes where it stopped instead of paying
// again. A node never reads it: deployment.json is written only once every step is done.
import type { DeploymentProgress } from "./rollup";
import { readJsonRecord, writeJsonRecord } from "./jsonRecord";
import { DeploymentError } from "./rollup";

/** The partial record's bigint fields. */
const PARTIAL_BIGINT_FIELDS: ReadonlySet<string> = new Set(["l2GenesisTimestamp", "l1ChainId"]);

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
  await writeJsonRecord(file, partial);
}

/** The partial record, or undefined when there is none. */
export async function loadPartial(file: string): Promise<PartialDeployment | undefined> {
  return readJsonRecord<PartialDeployment>(
    file,
    PARTIAL_BIGINT_FIELDS,
    (reason) =>
      new DeploymentError(
        "BAD_PARTIAL_DEPLOYMENT",
        `${file} is not a partial deployment: ${reason}`,
        "delete it to deploy afresh",
      ),
  );
}
