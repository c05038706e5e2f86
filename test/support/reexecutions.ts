import * as verifyBlockModule from "../../precompiles/verifyBlock";
import { interceptCalls } from "../../tools/interceptCalls";

/** A count of the L2 block re-executions EXECUTE performs in this process, until `restore`. */
export interface ReexecutionCounter {
  readonly count: () => number;
  /**
   * Makes the next `times` re-executions throw `error` instead of running (fault injection: what a
   * verifier bug or an exhausted heap would throw); the real function runs again afterwards.
   */
  readonly failNext: (error: unknown, times?: number) => void;
  readonly restore: () => void;
}

/**
 * Counts the calls of verifyBlock's real `reexecute`, the function that runs an L2 block from its
 * witness (EXECUTE's re-execution mode and proof mode's fallback both call it): the count of
 * blocks EXECUTE actually ran, whatever answered the EVM.
 */
export function countReexecutions(): ReexecutionCounter {
  const calls = interceptCalls(verifyBlockModule, "reexecute");
  return {
    count: calls.count,
    failNext: (error, times = 1) => calls.failNext({ error, times, as: "reject" }),
    restore: calls.restore,
  };
}
