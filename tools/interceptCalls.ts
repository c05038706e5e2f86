// Fault injection for tests: a module's exported function (or a prototype's method) is replaced in
// place by a wrapper that counts its calls and fails the ones a test names, so that the real code
// around it meets the failure where it would really arise (an allocation failure inside the curve
// library, in ethers' ABI decoder, in the L2 re-execution). Only callers that reach the function
// through its owner object see the wrapper: another module's `import { f }` compiles to a read of
// the exports object at each call, a module's calls of its own functions do not.

import { CodedError } from "../protocol/errors";

/** The keys of `O` whose values are functions. */
export type FunctionKey<O> = {
  [K in keyof O]-?: O[K] extends (...args: never[]) => unknown ? K : never;
}[keyof O];

/** Calls to fail: from the `nth` call after `failNext`, `times` calls in a row. */
export interface CallFault {
  /** What the failing calls throw or reject with. */
  readonly error: unknown;
  /** "throw" for a function that returns its result, "reject" for one that returns a promise (its callers may not await it at once). */
  readonly as: "throw" | "reject";
  /** Which call after `failNext` fails first, 1-based (1 if not given). */
  readonly nth?: number;
  /** How many calls in a row fail (1 if not given). */
  readonly times?: number;
}

/** The wrapper's view: how many calls it saw, what to fail next, and the way back to the real function. */
export interface InterceptedCalls {
  /** The calls made since the interception began, failed ones included. */
  readonly count: () => number;
  /** The calls of `fault` fail; a fault set earlier and not yet used up is replaced. */
  readonly failNext: (fault: CallFault) => void;
  /** How many calls failed. */
  readonly failed: () => number;
  /** Puts the real function back; calling it again does nothing. */
  readonly restore: () => void;
}

/** A call number below 1 or fractional: a fault that could never fire. */
export class CallFaultError extends CodedError {
  constructor(what: string, value: number) {
    super("BAD_CALL_FAULT", `${what} must be a whole number from 1, got ${value}`, "count calls from 1");
  }
}

function wholeFromOne(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1) throw new CallFaultError(what, value);
  return value;
}

/** Replaces `owner[name]` by a counting wrapper that calls the real function, until `restore`. */
export function interceptCalls<O extends object, K extends FunctionKey<O>>(owner: O, name: K): InterceptedCalls {
  const slots = owner as Record<K, unknown>;
  const real = slots[name] as (this: unknown, ...args: unknown[]) => unknown;
  let calls = 0;
  let failures = 0;
  /** The fault armed now, as the range of call numbers it fails. */
  let window: { first: number; last: number; error: unknown; as: CallFault["as"] } | undefined;
  let restored = false;
  slots[name] = function intercepted(this: unknown, ...args: unknown[]): unknown {
    calls++;
    if (window !== undefined && calls >= window.first && calls <= window.last) {
      failures++;
      if (window.as === "reject") return Promise.reject(window.error);
      throw window.error;
    }
    return real.apply(this, args);
  };
  return {
    count: () => calls,
    failed: () => failures,
    failNext: (fault) => {
      const first = calls + wholeFromOne(fault.nth ?? 1, "nth");
      window = { first, last: first + wholeFromOne(fault.times ?? 1, "times") - 1, error: fault.error, as: fault.as };
    },
    restore: () => {
      if (restored) return;
      restored = true;
      slots[name] = real;
    },
  };
}

/** The fault was set but `run` never made the call it names: the test did not test what it says. */
export class FaultNotReachedError extends CodedError {
  constructor(name: string, calls: number, nth: number) {
    super(
      "FAULT_NOT_REACHED",
      `no call of ${name} failed: ${calls} call(s) made, the fault starts at call ${nth}`,
      "the code under test no longer makes that call: inject the fault where the failure now arises",
    );
  }
}

/**
 * Runs `run` with `fault` set on `owner[name]` and returns its result; the real function is back
 * when this settles, whether `run` succeeded, failed or threw. Throws FaultNotReachedError when no
 * call failed, so that a test cannot pass without its fault.
 */
export async function withCallFailing<O extends object, K extends FunctionKey<O>, T>(
  owner: O,
  name: K,
  fault: CallFault,
  run: () => Promise<T>,
): Promise<T> {
  const calls = interceptCalls(owner, name);
  let result: T;
  try {
    calls.failNext(fault);
    result = await run();
  } finally {
    calls.restore();
  }
  if (calls.failed() === 0) throw new FaultNotReachedError(String(name), calls.count(), fault.nth ?? 1);
  return result;
}
