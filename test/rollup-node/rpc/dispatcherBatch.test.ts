import { expect } from "chai";

import type { RpcBackend } from "../../../rollup-node/rpc/backend";
import { type RpcResponse, RpcDispatcher } from "../../../rollup-node/rpc/dispatcher";
import { RpcErrorCode } from "../../../rollup-node/rpc/errors";
import type { MethodTable } from "../../../rollup-node/rpc/methods";

/**
 * A JSON-RPC batch is answered within geth's limits (docs/design/rpc-exposure.md): one request of
 * a few kilobytes must not make the node's one thread compute, and hold in memory, thousands of
 * large answers (txpool_content on a full pool is megabytes; a batch of a thousand of them was
 * gigabytes, all computed at once).
 */
describe("RpcDispatcher: batch limits", () => {
  let calls = 0;
  const methods: MethodTable = {
    big: async () => {
      calls++;
      return "x".repeat(1_000_000);
    },
    small: async () => {
      calls++;
      return "0x1";
    },
  };
  const backend = {} as RpcBackend;
  const request = (method: string, id: number): object => ({ jsonrpc: "2.0", method, params: [], id });

  beforeEach(() => {
    calls = 0;
  });

  it("refuses a batch of more than 1000 calls as a whole, before running any, with geth's 'batch too large'", async () => {
    const dispatcher = new RpcDispatcher(backend, { methods });
    const body = Array.from({ length: 1001 }, (_, i) => request("small", i + 7));
    const answer = (await dispatcher.handle(body)) as RpcResponse;
    expect(Array.isArray(answer)).to.equal(false);
    expect(answer.id).to.equal(7);
    expect(answer.error?.code).to.equal(RpcErrorCode.InvalidRequest);
    expect(answer.error?.message).to.match(/^batch too large/);
    expect(calls).to.equal(0);
    // 1000 calls are a batch as before.
    const full = (await dispatcher.handle(body.slice(0, 1000))) as RpcResponse[];
    expect(full).to.have.length(1000);
    expect(full.every((a) => a.result === "0x1")).to.equal(true);
  });

  it("answers the calls of a batch after its answers pass 25 MB with 'response too large', without running them", async () => {
    const dispatcher = new RpcDispatcher(backend, { methods });
    const body = [
      ...Array.from({ length: 40 }, (_, i) => request("big", i)),
      { jsonrpc: "2.0", method: "big", params: [] }, // a notification: never answered
      request("small", 99),
    ];
    const answers = (await dispatcher.handle(body)) as RpcResponse[];
    expect(answers).to.have.length(41);
    expect(answers.map((a) => a.id)).to.deep.equal([...Array.from({ length: 40 }, (_, i) => i), 99]);
    const answered = answers.filter((a) => a.result !== undefined);
    // As geth: calls run while the answers so far are within the limit; the 25th answer of 1 MB passes 25 MB.
    expect(answered).to.have.length(25);
    expect(calls).to.equal(25);
    for (const refused of answers.slice(25)) {
      expect(refused.error?.code).to.equal(RpcErrorCode.ResponseTooLarge);
      expect(refused.error?.message).to.match(/^response too large/);
    }
  });

  it("takes other limits from its options", async () => {
    const dispatcher = new RpcDispatcher(backend, { methods, maxBatchCalls: 2, maxBatchResponseBytes: 10 });
    const refused = (await dispatcher.handle([
      request("small", 1),
      request("small", 2),
      request("small", 3),
    ])) as RpcResponse;
    expect(refused.error?.message).to.match(/^batch too large/);
    const answers = (await dispatcher.handle([request("big", 1), request("small", 2)])) as RpcResponse[];
    expect(answers[0].result).to.be.a("string");
    expect(answers[1].error?.code).to.equal(RpcErrorCode.ResponseTooLarge);
  });

  it("starts a run of `startTogether` calls together, the others one after another, answers in order", async () => {
    let inFlight = 0;
    const starts: number[] = [];
    const tracked = async (): Promise<string> => {
      inFlight++;
      starts.push(inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      return "0x1";
    };
    const dispatcher = new RpcDispatcher(backend, {
      methods: { together: tracked, alone: tracked },
      startTogether: new Set(["together"]),
    });
    const answers = (await dispatcher.handle([
      request("together", 1),
      request("together", 2),
      request("together", 3),
      request("alone", 4),
      request("alone", 5),
      request("together", 6),
    ])) as RpcResponse[];
    expect(answers.map((a) => a.id)).to.deep.equal([1, 2, 3, 4, 5, 6]);
    // The first three overlap (1, 2, 3 in flight as each starts); each later one runs alone.
    expect(starts).to.deep.equal([1, 2, 3, 1, 1, 1]);
    const plain = new RpcDispatcher(backend, { methods: { together: tracked } });
    starts.length = 0;
    await plain.handle([request("together", 1), request("together", 2)]);
    expect(starts).to.deep.equal([1, 1]);
  });
});
