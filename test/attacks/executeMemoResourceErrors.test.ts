/**
 * Attack on EXECUTE's result memo (docs/design/attack-review-s21.md, finding 1): an input whose RLP
 * is nested so deeply that decoding it overflows V8's stack. The overflow is a `RangeError` that
 * depends on the stack left at that moment (frame sizes change as the decoder is optimised), so the
 * memo's rule (docs/design/execute-result-memo.md) is that a verdict caused by a `RangeError` is never
 * kept. The verifier's RLP decoders wrapped the error into an `ExecuteError` by message only, so the
 * memo could not see the cause and kept the verdict. The real precompile runs as a transaction's
 * top-level call on an EVM; re-executions are counted on the real `reexecute`.
 *
 * Since docs/design/rlp-depth.md the decoders refuse nesting deeper than MAX_RLP_DEPTH before the
 * recursive decoder runs, so such an input no longer reaches a stack overflow: its verdict is the
 * same on every run (same code as before), and the memo may keep it like any deterministic verdict.
 */
import { RLP } from "@ethereumjs/rlp";
import { expect } from "chai";

import {
  type ExecutePrecompile,
  ExecuteError,
  ExecuteErrorCode,
  MAX_RLP_DEPTH,
  RlpTooDeepError,
  createExecutePrecompile,
  decodeExecuteInvalid,
  decodeWitness,
  encodeExecuteInput,
} from "../../precompiles";
import * as verifyBlockModule from "../../precompiles/verifyBlock";
import { nestedLists, rlpListOf } from "../../tools/deepRlp";
import { callExecute } from "../../tools/executeCall";
import { interceptCalls } from "../../tools/interceptCalls";
import { TestSigner } from "../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../../tools/l2TestChain";
import { type ReexecutionCounter, countReexecutions } from "../support/reexecutions";

const CHAIN_ID = 904n;
/** Deep enough that @ethereumjs/rlp's recursive decoder overflows the stack in any context. */
const OVERFLOWING_DEPTH = 100_000;

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** EXECUTE's verdict on `data` (`{}` when it accepts), run as a transaction's top-level call. */
async function verdictOf(precompile: ExecutePrecompile, data: Uint8Array): Promise<{ code?: number; reason?: string }> {
  return decodeExecuteInvalid((await callExecute(precompile, data)).returnValue) ?? {};
}

describe("attack: EXECUTE's memo and a stack overflow while decoding the input", function () {
  this.timeout(300_000);
  let built: BuiltBlock;
  let counter: ReexecutionCounter;

  before(async () => {
    const probe = await L2TestChain.create(CHAIN_ID, []);
    const alice = TestSigner.fromSeed(11, probe.common);
    const chain = await L2TestChain.create(CHAIN_ID, [{ address: alice.address.toString(), balance: 10n ** 18n }]);
    built = await chain.buildBlock([
      TestSigner.fromSeed(11, chain.common).tx({ to: "0x00000000000000000000000000000000000000aa", value: 1n }),
    ]);
  });

  beforeEach(() => {
    counter = countReexecutions();
  });

  afterEach(() => {
    counter.restore();
  });

  it("the witness decoder refuses the nesting as MalformedInput, caused by the depth bound, not by a stack overflow", () => {
    let thrown: unknown;
    try {
      decodeWitness(nestedLists(OVERFLOWING_DEPTH));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).to.be.instanceOf(ExecuteError);
    expect((thrown as ExecuteError).code).to.equal(ExecuteErrorCode.MalformedInput);
    expect((thrown as ExecuteError).cause).to.be.instanceOf(RlpTooDeepError);
  });

  it("a witness nested past the stack gets the same verdict on every run, which the memo may keep", async () => {
    const execute = createExecutePrecompile({ memo: {} });
    const input = encodeExecuteInput({
      chainId: CHAIN_ID,
      parentHeader: built.parentHeader,
      block: built.blockRlp,
      witness: nestedLists(OVERFLOWING_DEPTH),
      proofs: new Uint8Array(),
    });
    const first = await verdictOf(execute, input);
    expect(first.code).to.equal(ExecuteErrorCode.MalformedInput);
    expect(first.reason).to.match(
      new RegExp(`witness is not valid RLP: invalid RLP: lists nested deeper than ${MAX_RLP_DEPTH}`),
    );
    const second = await verdictOf(execute, input);
    expect(second).to.deep.equal(first);
    // The verdict depends on the bytes alone, so the second call was answered from memory.
    expect(counter.count()).to.equal(1);
  });

  it("a parent header or a block nested past the stack gets the same verdict on every run", async () => {
    const execute = createExecutePrecompile({ memo: {} });
    const deep = nestedLists(OVERFLOWING_DEPTH);
    const header = RLP.encode((RLP.decode(built.blockRlp) as unknown as Uint8Array[][])[0]);
    const empty = Uint8Array.of(0xc0);
    // Counts the calls of verifyBlock's real `checkBlockShape` (the decode of the parent header and block).
    const checks = interceptCalls(verifyBlockModule, "checkBlockShape");
    try {
      for (const [parentHeader, block] of [
        [deep, built.blockRlp],
        // A legacy transaction is an RLP list: one nested past the stack is an invalid body.
        [built.parentHeader, rlpListOf(concat(header, rlpListOf(deep), empty, empty))],
      ] as const) {
        const input = encodeExecuteInput({
          chainId: CHAIN_ID,
          parentHeader,
          block,
          witness: built.witness,
          proofs: new Uint8Array(),
        });
        const before = checks.count();
        const first = await verdictOf(execute, input);
        expect(first.reason).to.match(new RegExp(`lists nested deeper than ${MAX_RLP_DEPTH}`));
        expect(await verdictOf(execute, input)).to.deep.equal(first);
        // A deterministic verdict: the second call was answered from memory.
        expect(checks.count() - before).to.equal(1);
      }
    } finally {
      checks.restore();
    }
  });
});
