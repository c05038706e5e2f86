import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";

import { startWorkerBeside } from "../cli";
import { BridgeError } from "./errors";
import type { CheckReply, CheckRequest } from "./checkWorker";
import { type CheckInput, type Verdict, judgeBlock } from "./verdict";

/** A check could not be run (its worker thread failed or the pool was closed): not a verdict on the block. */
export class CheckPoolError extends BridgeError {
  constructor(message: string, hint: string) {
    super("CHECK_POOL", message, hint);
  }
}

/** Worker threads a challenger checks proposals on by default: one per core the process may use. */
export function defaultCheckThreads(): number {
  return availableParallelism();
}

/** A check waiting for a free thread; the smallest `priority` (the soonest-closing window) goes first. */
interface Job {
  readonly input: CheckInput;
  readonly priority: bigint;
  /** Arrival order: equal priorities are checked first come, first served. */
  readonly seq: number;
  readonly resolve: (verdict: Verdict) => void;
  readonly reject: (error: Error) => void;
}

/** One thread of the pool: a worker, or the main thread when the pool has size 0. */
interface Slot {
  worker?: Worker;
  /** Settles when the worker has loaded the verifier (or failed to start). */
  loaded?: Promise<void>;
  job?: Job;
}

/**
 * Runs proposal checks (`judgeBlock`, EXECUTE's re-execution) on `size` worker threads, always
 * starting the waiting check with the smallest priority first: the challenger passes each
 * proposal's window deadline, so the check whose window closes soonest runs first and a slow check
 * holds up only its own thread. Size 0 checks on the main thread, one at a time, in the same order.
 * See docs/design/challenger-scheduling.md.
 */
export class BlockCheckPool {
  private readonly slots: Slot[];
  private readonly waiting: Job[] = [];
  private seq = 0;
  private nextId = 0;
  private closed = false;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 0)
      throw new CheckPoolError(
        `check thread count ${size} is not a whole number >= 0`,
        "pass 0 (the main thread) or the number of worker threads, e.g. the cores the challenger may use",
      );
    this.slots = Array.from({ length: Math.max(1, size) }, () => ({}));
  }

  /**
   * Starts the worker threads now, so that the first check does not pay for loading the verifier;
   * settles once every thread has loaded it (or failed to: a check then starts a new one).
   */
  warm(): Promise<void> {
    if (this.size === 0 || this.closed) return Promise.resolve();
    for (const slot of this.slots) slot.worker ??= this.spawn(slot);
    return Promise.all(this.slots.map((slot) => slot.loaded)).then(() => undefined);
  }

  /** Checks `input` once a thread is free and no check with a smaller priority waits. */
  judge(input: CheckInput, priority: bigint): Promise<Verdict> {
    if (this.closed)
      return Promise.reject(
        new CheckPoolError("the check pool is closed", "the challenger was stopped; start a new one"),
      );
    return new Promise<Verdict>((resolve, reject) => {
      this.waiting.push({ input, priority, seq: this.seq++, resolve, reject });
      this.dispatch();
    });
  }

  /** Checks waiting for a thread (not counting those running). */
  get queued(): number {
    return this.waiting.length;
  }

  /** Stops the worker threads; waiting and running checks fail with CheckPoolError. The pool can be used again (threads start anew). */
  async close(): Promise<void> {
    this.closed = true;
    const error = new CheckPoolError("the check pool was closed before the check ran", "the challenger was stopped");
    for (const job of this.waiting.splice(0)) job.reject(error);
    await Promise.all(
      this.slots.map(async (slot) => {
        const worker = slot.worker;
        slot.worker = undefined;
        slot.job?.reject(error);
        slot.job = undefined;
        if (worker !== undefined) await worker.terminate();
      }),
    );
    this.closed = false;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.closed || this.waiting.length === 0) return;
      if (slot.job !== undefined) continue;
      let best = 0;
      for (let i = 1; i < this.waiting.length; i++) {
        const a = this.waiting[i];
        const b = this.waiting[best];
        if (a.priority < b.priority || (a.priority === b.priority && a.seq < b.seq)) best = i;
      }
      const job = this.waiting.splice(best, 1)[0];
      slot.job = job;
      if (this.size === 0) this.runInline(slot, job);
      else {
        slot.worker ??= this.spawn(slot);
        slot.worker.postMessage({ id: this.nextId++, input: job.input } satisfies CheckRequest);
      }
    }
  }

  private runInline(slot: Slot, job: Job): void {
    judgeBlock(job.input).then(
      (verdict) => this.finish(slot, job, verdict),
      (error: unknown) => this.finish(slot, job, error instanceof Error ? error : new Error(String(error))),
    );
  }

  private finish(slot: Slot, job: Job, outcome: Verdict | Error): void {
    if (slot.job !== job) return;
    slot.job = undefined;
    if (outcome instanceof Error)
      job.reject(
        new CheckPoolError(
          `the check failed: ${outcome.message}`,
          "not a verdict on the block: the challenger tries it again",
        ),
      );
    else job.resolve(outcome);
    this.dispatch();
  }

  private spawn(slot: Slot): Worker {
    const worker = startCheckWorker();
    // A pool left open must not keep the process alive on its own.
    worker.unref();
    let loaded: () => void = () => undefined;
    slot.loaded = new Promise<void>((resolve) => {
      loaded = resolve;
    });
    worker.on("message", (reply: CheckReply) => {
      if ("ready" in reply) return loaded();
      const job = slot.job;
      if (job === undefined) return;
      this.finish(slot, job, "error" in reply ? new Error(reply.error) : reply.verdict);
    });
    const fail = (error: Error): void => {
      loaded();
      if (slot.worker !== worker) return;
      slot.worker = undefined;
      const job = slot.job;
      if (job !== undefined) this.finish(slot, job, error);
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`check worker exited with code ${code}`)));
    return worker;
  }
}

/** Starts ./checkWorker in a thread (from the sources, behind the TypeScript loader: startWorkerBeside). */
function startCheckWorker(): Worker {
  return startWorkerBeside(__filename, "checkWorker");
}
