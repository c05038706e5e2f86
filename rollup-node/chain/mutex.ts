/**
 * A FIFO async mutex. The state manager and the VM are shared by every state-touching
 * operation (block building, calls, reads at historic roots), and each of those moves the
 * state manager's root: they must never interleave.
 */
export class AsyncMutex {
  private tail: Promise<void> = Promise.resolve();

  /** Runs `task` once every earlier task has settled; its result or error is passed through. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    // The queue continues whatever the outcome of this task.
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
