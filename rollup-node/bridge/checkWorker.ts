import { parentPort } from "node:worker_threads";

import { type CheckInput, judgeBlock } from "./verdict";

/** A check the pool sends a worker thread (./checkPool.ts). */
export interface CheckRequest {
  readonly id: number;
  readonly input: CheckInput;
}

/** A worker's answer: the verdict, or why the check itself failed (not EXECUTE's verdict). */
export type CheckReply =
  | { readonly id: number; readonly verdict: Awaited<ReturnType<typeof judgeBlock>> }
  | { readonly id: number; readonly error: string }
  /** Sent once, when the verifier's modules are loaded: the thread can check at once. */
  | { readonly ready: true };

// Entry point of a challenger worker thread: re-executes one proposal at a time, off the node's
// main thread, so that a slow check neither stalls the node nor holds up the checks beside it.
const port = parentPort;
if (port !== null) {
  port.on("message", (request: CheckRequest) => {
    judgeBlock(request.input).then(
      (verdict) => port.postMessage({ id: request.id, verdict } satisfies CheckReply),
      (error: unknown) =>
        port.postMessage({
          id: request.id,
          error: error instanceof Error ? error.message : String(error),
        } satisfies CheckReply),
    );
  });
  port.postMessage({ ready: true } satisfies CheckReply);
}
