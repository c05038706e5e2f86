import { parentPort } from "node:worker_threads";

import { createBlockFromRLP } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";

import { prepareCrypto } from "../../precompiles/verify";
import {
  type CaptureAnswer,
  type CaptureRequest,
  type FromCaptureThread,
  ShippedNodesDB,
  type ToCaptureThread,
  shipWitness,
  transferables,
  unshipNodes,
} from "./captureProtocol";
import { CaptureAskError, WitnessCaptureError } from "./errors";
import { createChainCommon } from "./chainCommon";
import { type AncestorHeader, answeredHeader, captureWitness } from "./witnessCapture";

// Entry point of a chain's capture thread (./captureThread.ts): re-executes one block at a time
// as EXECUTE does and records its witness, off the sequencer's thread. Its database is the nodes
// the build read, and the chain's answers for the rest.
const port = parentPort;
if (port !== null) {
  interface PendingAsk {
    readonly job: number;
    readonly resolve: (answer: CaptureAnswer) => void;
    readonly reject: (error: Error) => void;
  }
  const answers = new Map<number, PendingAsk>();
  // Jobs the chain dropped (it could not answer them): their questions fail here, at once.
  const dropped = new Map<number, string>();
  let nextAsk = 0;
  const running = new Set<number>();
  const ask = (job: number, question: (ask: number) => FromCaptureThread): Promise<CaptureAnswer> =>
    new Promise<CaptureAnswer>((resolve, reject) => {
      const refused = dropped.get(job);
      if (refused !== undefined) return reject(new CaptureAskError(refused));
      const id = nextAsk++;
      answers.set(id, { job, resolve, reject });
      port.postMessage(question(id));
    });
  const drop = (job: number, message: string): void => {
    if (!running.has(job)) return;
    dropped.set(job, message);
    for (const [id, pending] of answers)
      if (pending.job === job) {
        answers.delete(id);
        pending.reject(new CaptureAskError(message));
      }
  };
  const commons = new Map<string, Common>();
  const commonOf = (request: CaptureRequest): Common => {
    const key = `${request.chainId}/${request.hardfork}`;
    let common = commons.get(key);
    if (common === undefined) {
      common = createChainCommon(request.chainId, request.hardfork);
      commons.set(key, common);
    }
    return common;
  };
  const capture = async (request: CaptureRequest): Promise<FromCaptureThread> => {
    const { job } = request;
    const common = commonOf(request);
    const db = new ShippedNodesDB(unshipNodes(request.nodes), async (key, opts) => {
      const answer = await ask(job, (id) => ({ kind: "node", job, ask: id, key, opts }));
      return answer.kind === "node" ? answer.value : undefined;
    });
    const witness = await captureWitness({
      common,
      db,
      ancestors: async (number): Promise<AncestorHeader | undefined> => {
        const answer = await ask(job, (id) => ({ kind: "header", job, ask: id, number }));
        if (answer.kind !== "header" || answer.hash === undefined || answer.serialized === undefined) return undefined;
        return answeredHeader(number, answer.hash, answer.serialized);
      },
      preStateRoot: request.preStateRoot,
      block: createBlockFromRLP(request.block, { common }),
      writes: request.writes,
    });
    return shipWitness(job, witness);
  };
  port.on("message", (message: ToCaptureThread) => {
    if (message.kind === "drop") return drop(message.job, message.message);
    if (message.kind === "census")
      return port.postMessage({
        kind: "census",
        captures: running.size,
        asks: answers.size,
      } satisfies FromCaptureThread);
    if (message.kind !== "capture") {
      const pending = answers.get(message.ask);
      answers.delete(message.ask);
      pending?.resolve(message);
      return;
    }
    running.add(message.job);
    capture(message)
      .finally(() => {
        running.delete(message.job);
        dropped.delete(message.job);
      })
      .then(
        (reply) => {
          if (reply.kind !== "witness") return port.postMessage(reply);
          port.postMessage(reply, transferables(reply.state, reply.codes, reply.headers));
        },
        (error: unknown) =>
          port.postMessage({
            kind: "failed",
            job: message.job,
            message: error instanceof Error ? error.message : String(error),
            capture: error instanceof WitnessCaptureError,
          } satisfies FromCaptureThread),
      );
  });
  void prepareCrypto().then(() => port.postMessage({ kind: "ready" } satisfies FromCaptureThread));
}
