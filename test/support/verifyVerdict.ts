import { bytesToHex } from "@ethereumjs/util";

import { ExecuteError, executeErrorName, verifyBlock } from "../../precompiles";

/** What `verifyBlock` made of an input: "valid" with the state root, or the error's code name and message. */
export interface Verdict {
  readonly verdict: string;
  readonly detail: string;
}

/** `verifyBlock`'s verdict on `params`, for differential tests that compare two paths of the verifier. */
export async function verdictOf(params: Parameters<typeof verifyBlock>[0]): Promise<Verdict> {
  try {
    const result = await verifyBlock(params);
    return { verdict: "valid", detail: bytesToHex(result.stateRoot) };
  } catch (error) {
    if (error instanceof ExecuteError) return { verdict: executeErrorName(error.code), detail: error.message };
    return { verdict: "crash", detail: String(error) };
  }
}
