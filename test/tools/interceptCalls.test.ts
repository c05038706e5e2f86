import { expect } from "chai";

import { CallFaultError, FaultNotReachedError, interceptCalls, withCallFailing } from "../../tools/interceptCalls";

/** A stand-in for a module's exports object: one synchronous and one asynchronous function. */
function exportsObject(): { double: (n: number) => number; later: (n: number) => Promise<number> } {
  return { double: (n) => 2 * n, later: async (n) => n + 1 };
}

describe("interceptCalls: failing chosen calls of an export, for fault injection", () => {
  it("counts the calls and passes them to the real function", () => {
    const module = exportsObject();
    const calls = interceptCalls(module, "double");
    expect([module.double(1), module.double(2)]).to.deep.equal([2, 4]);
    expect(calls.count()).to.equal(2);
    expect(calls.failed()).to.equal(0);
    calls.restore();
  });

  it("fails the nth call after failNext, `times` in a row, then calls the real function again", () => {
    const module = exportsObject();
    const calls = interceptCalls(module, "double");
    module.double(0); // a call before failNext does not count towards nth
    const fault = new RangeError("allocation failed");
    calls.failNext({ error: fault, as: "throw", nth: 2, times: 2 });
    const outcomes = [1, 2, 3, 4].map((n) => {
      try {
        return module.double(n);
      } catch (error) {
        return error;
      }
    });
    expect(outcomes).to.deep.equal([2, fault, fault, 8]);
    expect(calls.failed()).to.equal(2);
    calls.restore();
  });

  it("rejects instead of throwing for an export that returns a promise", async () => {
    const module = exportsObject();
    const calls = interceptCalls(module, "later");
    const fault = new Error("heap exhausted");
    calls.failNext({ error: fault, as: "reject" });
    const call = module.later(1); // no synchronous throw: the promise rejects
    expect(
      await call.then(
        () => undefined,
        (error: unknown) => error,
      ),
    ).to.equal(fault);
    expect(await module.later(1)).to.equal(2);
    calls.restore();
  });

  it("keeps `this` for a prototype's method", () => {
    class Counter {
      constructor(readonly base: number) {}
      plus(n: number): number {
        return this.base + n;
      }
    }
    const calls = interceptCalls(Counter.prototype, "plus");
    try {
      expect(new Counter(10).plus(1)).to.equal(11);
    } finally {
      calls.restore();
    }
  });

  it("restores the real function, and a second restore does not undo a later interception", () => {
    const module = exportsObject();
    const real = module.double;
    const first = interceptCalls(module, "double");
    first.restore();
    expect(module.double).to.equal(real);
    const second = interceptCalls(module, "double");
    first.restore();
    expect(module.double).to.not.equal(real);
    second.restore();
    expect(module.double).to.equal(real);
  });

  it("refuses a call number that could never be reached", () => {
    const module = exportsObject();
    const calls = interceptCalls(module, "double");
    try {
      expect(() => calls.failNext({ error: new Error(), as: "throw", nth: 0 })).to.throw(CallFaultError);
      expect(() => calls.failNext({ error: new Error(), as: "throw", times: 1.5 })).to.throw(CallFaultError);
    } finally {
      calls.restore();
    }
  });
});

describe("withCallFailing: a fault for the length of one run", () => {
  it("returns the run's result and restores the real function", async () => {
    const module = exportsObject();
    const real = module.later;
    const result = await withCallFailing(module, "later", { error: new Error("x"), as: "reject" }, () =>
      module.later(1).catch((error: Error) => error.message),
    );
    expect(result).to.equal("x");
    expect(module.later).to.equal(real);
  });

  it("restores the real function when the run throws", async () => {
    const module = exportsObject();
    const real = module.double;
    const thrown = await withCallFailing(module, "double", { error: new Error("x"), as: "throw" }, async () => {
      module.double(1);
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect((thrown as Error).message).to.equal("x");
    expect(module.double).to.equal(real);
  });

  it("fails when the run never reached the faulted call, so a test cannot pass without its fault", async () => {
    const module = exportsObject();
    const thrown = await withCallFailing(module, "double", { error: new Error("x"), as: "throw", nth: 3 }, async () =>
      module.double(1),
    ).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(thrown).to.be.instanceOf(FaultNotReachedError);
    expect((thrown as FaultNotReachedError).message).to.equal(
      "no call of double failed: 1 call(s) made, the fault starts at call 3",
    );
  });
});
