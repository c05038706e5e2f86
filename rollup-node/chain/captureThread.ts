import type { Worker } from "node:worker_threads";

import type { Block } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import type { DB } from "@ethereumjs/util";

import type { StoredValue, Witness, WriteRules } from "../../precompiles";
import { startWorkerBeside } from "../cli";
import {
  type CaptureCensus,
  type FromCaptureThread,
  type ReadNodes,
  type ToCaptureThread,
  shipNodes,
  transferables,
  unshipWitness,
} from "./captureProtocol";
import { ChainError, WitnessCaptureError } from "./errors";
import type { AncestorSource } from "./witnessCapture";

/**
 * A capture on the capture thread did not finish: the thread failed or exited (`closed` false: the
 * chain captures that block on its own thread instead), or the chain closed it (`closed` true).
 * Not a verdict on the block: that is WitnessCaptureError.
 */
export class CaptureThreadError extends ChainError {
  constructor(
    message: string,
    readonly closed: boolean,
  ) {
    super(
      "CAPTURE_THREAD",
      message,
      closed
        ? "the chain was closed while a block's witness was being captured: the block was not stored"
        : "the chain captures the block on its own thread instead; the next capture starts a new thread",
    );
  }
}

/** What one capture needs: the block and its pre-state, and where the thread's questions are answered. */
export interface ThreadCapture {
  readonly common: Common;
  readonly block: Block;
  readonly preStateRoot: Uint8Array;
  readonly writes: WriteRules;
  /** The nodes the block's build read (shipped with the block). */
  readonly nodes: ReadNodes;
  /** The chain's trie database: answers the nodes the thread lacks. */
  readonly db: DB<string, StoredValue>;
  readonly ancestors: AncestorSource;
}

interface Job {
  readonly id: number;
  readonly capture: ThreadCapture;
  readonly resolve: (witness: Witness) => void;
  readonly reject: (error: Error) => void;
}

/**
 * The chain's capture thread: one worker, one capture at a time (the chain's lock already
 * serialises its blocks). It starts on `warm()`; until it has loaded, `ready` is false and the
 * chain captures on its own thread, so the first blocks do not wait for the thread's start-up.
 * A thread that fails or exits fails its capture with CaptureThreadError, and the next `warm()`
 * starts a new one.
 */
export class CaptureWorkerThread {
  private worker: Worker | undefined;
  private loaded = false;
  private loading: Promise<void> | undefined;
  private job: Job | undefined;
  private nextJob = 0;
  /** A thread failed before it loaded: it would again, so the chain keeps capturing on its own thread. */
  private unstartable = false;
  /** Callers of `census()` waiting for the thread's answer, in order. */
  private censuses: ((census: CaptureCensus) => void)[] = [];

  /** `report`: told once when a thread fails before it has loaded (the chain then captures on its own thread). */
  constructor(private readonly report: (message: string) => void = () => undefined) {}

  /** True once the thread has loaded the capture: `capture()` then runs there at once. */
  get ready(): boolean {
    return this.worker !== undefined && this.loaded;
  }

  /** Starts the thread if none runs; settles once it has loaded (or failed to). */
  warm(): Promise<void> {
    if (this.unstartable) return Promise.resolve();
    if (this.worker === undefined) this.spawn();
    return this.loading ?? Promise.resolve();
  }

  /** Captures on the thread; rejects with CaptureThreadError when the thread fails, WitnessCaptureError as the chain's own capture would. */
  capture(capture: ThreadCapture): Promise<Witness> {
    const worker = this.worker;
    if (worker === undefined || !this.loaded || this.job !== undefined)
      return Promise.reject(new CaptureThreadError("the capture thread is not ready", false));
    return new Promise<Witness>((resolve, reject) => {
      const id = this.nextJob++;
      this.job = { id, capture, resolve, reject };
      const nodes = shipNodes(capture.nodes);
      const request: ToCaptureThread = {
        kind: "capture",
        job: id,
        chainId: capture.common.chainId(),
        hardfork: capture.common.hardfork(),
        block: capture.block.serialize(),
        preStateRoot: capture.preStateRoot,
        writes: capture.writes,
        nodes,
      };
      worker.postMessage(request, transferables(nodes.values));
    });
  }

  /**
   * What the thread holds now (captures in flight, questions to the chain unanswered), asked of
   * the thread itself: after a capture has settled both are 0. Undefined without a loaded thread.
   */
  census(): Promise<CaptureCensus | undefined> {
    const worker = this.worker;
    if (worker === undefined || !this.loaded) return Promise.resolve(undefined);
    return new Promise<CaptureCensus | undefined>((resolve) => {
      this.censuses.push(resolve);
      worker.postMessage({ kind: "census" } satisfies ToCaptureThread);
    });
  }

  /** Stops the thread; a capture in flight fails with CaptureThreadError (`closed`). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.fail(new CaptureThreadError("the chain was closed during the block's witness capture", true));
    if (worker !== undefined) await worker.terminate();
  }

  private fail(error: Error): void {
    const job = this.job;
    this.job = undefined;
    job?.reject(error);
  }

  private spawn(): void {
    const worker = startCaptureWorker();
    // A chain left open must not keep the process alive on its own.
    worker.unref();
    this.worker = worker;
    this.loaded = false;
    this.loading = new Promise<void>((resolve) => {
      const gone = (error: Error): void => {
        resolve();
        if (this.worker !== worker) return;
        this.worker = undefined;
        if (!this.loaded) {
          this.unstartable = true;
          this.report(
            `the capture thread did not start (${error.message}): witnesses are captured on the chain's thread`,
          );
        }
        this.fail(new CaptureThreadError(`the capture thread failed: ${error.message}`, false));
      };
      worker.on("error", gone);
      worker.on("exit", (code) => gone(new Error(`it exited with code ${code}`)));
      worker.on("message", (message: FromCaptureThread) => {
        if (message.kind === "ready") {
          this.loaded = true;
          resolve();
          return;
        }
        if (message.kind === "census") {
          this.censuses.shift()?.({ captures: message.captures, asks: message.asks });
          return;
        }
        this.answer(worker, message).catch((error: unknown) => {
          // The chain could not answer (its database failed): the capture fails with that error,
          // and the thread is told to drop it, or its question would wait there for good.
          const failure = error instanceof Error ? error : new Error(String(error));
          this.dropOnThread(worker, message.job, failure.message);
          const job = this.job;
          if (job === undefined || job.id !== message.job) return;
          this.job = undefined;
          job.reject(failure);
        });
      });
    });
  }

  /** Tells the thread the chain no longer waits for `job`: its questions fail there, and the capture ends. */
  private dropOnThread(worker: Worker, job: number, reason: string): void {
    if (this.worker !== worker) return;
    worker.postMessage({
      kind: "drop",
      job,
      message: `the chain could not answer the capture thread: ${reason}`,
    } satisfies ToCaptureThread);
  }

  private async answer(
    worker: Worker,
    message: Exclude<FromCaptureThread, { kind: "ready" | "census" }>,
  ): Promise<void> {
    const job = this.job;
    if (this.worker !== worker) return;
    if (job === undefined || job.id !== message.job) {
      // A question of a capture the chain no longer waits for: answered by a drop, not left waiting.
      if (message.kind === "node" || message.kind === "header")
        this.dropOnThread(worker, message.job, "the chain no longer waits for this capture");
      return;
    }
    switch (message.kind) {
      case "node": {
        const value = await job.capture.db.get(message.key, message.opts);
        worker.postMessage({ kind: "node", ask: message.ask, value } satisfies ToCaptureThread);
        return;
      }
      case "header": {
        const header = await job.capture.ancestors(message.number);
        worker.postMessage({
          kind: "header",
          ask: message.ask,
          hash: header?.hash(),
          serialized: header?.serialize(),
        } satisfies ToCaptureThread);
        return;
      }
      case "witness":
        this.job = undefined;
        job.resolve(unshipWitness(message));
        return;
      case "failed":
        this.job = undefined;
        job.reject(
          message.capture
            ? new WitnessCaptureError(message.message)
            : new CaptureThreadError(`the capture failed on its thread: ${message.message}`, false),
        );
    }
  }
}

/** Starts ./captureWorker in a thread. */
function startCaptureWorker(): Worker {
  return startWorkerBeside(__filename, "captureWorker");
}
