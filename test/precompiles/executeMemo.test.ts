/**
 * EXECUTE's result memo (`createExecutePrecompile({ memo })`, docs/design/execute-result-memo.md):
 * the same input at the same gas, fork, schedule and proof setting is answered from memory, and
 * nothing else is. Re-executions are counted on the real `reexecute` (test/support/reexecutions.ts).
 */
import { type EVM, type ExecResult, createEVM } from "@ethereumjs/evm";
import { Hardfork } from "@ethereumjs/common";
import { hexToBytes } from "@ethereumjs/util";
import { expect } from "chai";
import { hexlify } from "ethers";

import {
  DEFAULT_EXECUTE_MEMO_BYTES,
  type ExecutePrecompile,
  type ExecutePrecompileOptions,
  ExecuteError,
  ExecuteErrorCode,
  ExecuteMemoConfigError,
  chargedL2Gas,
  createExecutePrecompile,
  decodeExecuteInvalid,
  encodeExecuteInput,
  executeGasCost,
  jsCrypto,
  l2GasClaimOf,
} from "../../precompiles";
import { type ExecuteCallOptions, callExecute } from "../../tools/executeCall";
import { type Corpus, buildCorpus, makeCase } from "../../tools/executeFuzz";
import { ecrecoverBlock } from "../../tools/heavyBlocks";
import { TestSigner } from "../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../../tools/l2TestChain";
import { type ReexecutionCounter, countReexecutions } from "../support/reexecutions";

const CHAIN_ID = 903n;
const ENOUGH_GAS = 10_000_000n;
/** The call options of every run at ENOUGH_GAS. */
const ENOUGH: ExecuteCallOptions = { gasLimit: ENOUGH_GAS };
/** The seed of the fuzz campaign whose table the memo must leave unchanged (`npm run fuzz:execute -- --seed`). */
const FUZZ_SEED = 20261128;
const FUZZ_CASES = Number(process.env.EXECUTE_MEMO_FUZZ_CASES ?? 150);

function inputOf(built: BuiltBlock, chainId = CHAIN_ID): Uint8Array {
  return encodeExecuteInput({
    chainId,
    parentHeader: built.parentHeader,
    block: built.blockRlp,
    witness: built.witness,
    proofs: new Uint8Array(),
  });
}

/** What a caller can observe of a result. */
function observed(result: ExecResult): { gas: bigint; returnValue: string; error: string | undefined } {
  return {
    gas: result.executionGasUsed,
    returnValue: hexlify(result.returnValue),
    error: result.exceptionError?.error,
  };
}

/** Calls the precompile's function directly (as the EVM does), so that two runs can be in flight at once. */
function invoke(precompile: ExecutePrecompile, evm: EVM, data: Uint8Array, gasLimit: bigint): Promise<ExecResult> {
  return Promise.resolve(precompile.function({ data, gasLimit, common: evm.common, _EVM: evm }));
}

function memoized(options: ExecutePrecompileOptions = {}): ExecutePrecompile {
  return createExecutePrecompile({ memo: {}, ...options });
}

describe("EXECUTE's result memo", function () {
  this.timeout(300_000);
  let transfer: BuiltBlock;
  let transfers: BuiltBlock;
  let counter: ReexecutionCounter;

  before(async () => {
    const probe = await L2TestChain.create(CHAIN_ID, []);
    const alice = TestSigner.fromSeed(9, probe.common);
    const chain = await L2TestChain.create(CHAIN_ID, [{ address: alice.address.toString(), balance: 10n ** 18n }]);
    const signer = TestSigner.fromSeed(9, chain.common);
    transfer = await chain.buildBlock([signer.tx({ to: "0x00000000000000000000000000000000000000aa", value: 1n })]);
    transfers = await chain.buildBlock([
      signer.tx({ to: "0x00000000000000000000000000000000000000bb", value: 2n }),
      signer.tx({ to: "0x00000000000000000000000000000000000000cc", value: 3n }),
    ]);
  });

  beforeEach(() => {
    counter = countReexecutions();
  });

  afterEach(() => {
    counter.restore();
  });

  it("answers the same input at the same gas from memory, with the result it computed", async () => {
    const execute = memoized();
    const input = inputOf(transfer);
    const first = await callExecute(execute, input, ENOUGH);
    const second = await callExecute(execute, input, ENOUGH);
    expect(first.exceptionError).to.equal(undefined);
    expect(observed(second)).to.deep.equal(observed(first));
    expect(counter.count()).to.equal(1);
  });

  it("re-executes every time without the memo (the library's default)", async () => {
    const execute = createExecutePrecompile();
    const input = inputOf(transfer);
    await callExecute(execute, input, ENOUGH);
    await callExecute(execute, input, ENOUGH);
    expect(counter.count()).to.equal(2);
  });

  it("never conflates gas limits: too little gas is OutOfGas with all of it used, enough is accepted, whatever ran before", async () => {
    const execute = memoized();
    const input = inputOf(transfer);
    const cost = executeGasCost(input.length, chargedL2Gas(l2GasClaimOf(transfer.block)));
    const short = cost - 1n;
    const runs: [bigint, ExecResult][] = [];
    for (const gas of [ENOUGH_GAS, short, cost, short - 1000n, ENOUGH_GAS, short, cost])
      runs.push([gas, await callExecute(execute, input, { gasLimit: gas })]);
    for (const [gas, result] of runs) {
      if (gas < cost) {
        expect(decodeExecuteInvalid(result.returnValue)?.code, `at ${gas}`).to.equal(ExecuteErrorCode.OutOfGas);
        expect(result.executionGasUsed, `at ${gas}`).to.equal(gas);
      } else {
        expect(result.exceptionError, `at ${gas}`).to.equal(undefined);
        expect(result.executionGasUsed, `at ${gas}`).to.equal(cost);
      }
    }
    // Each of the two sufficient gas limits ran the block once; OutOfGas is decided before it runs.
    expect(counter.count()).to.equal(2);
  });

  it("never conflates inputs: another block, another chain id or one changed byte each get their own verdict", async () => {
    const execute = memoized();
    const plain = createExecutePrecompile();
    const changed = inputOf(transfer).slice();
    changed[changed.length - 1] ^= 0x01;
    const inputs = [inputOf(transfer), inputOf(transfers), inputOf(transfer, CHAIN_ID + 1n), changed];
    for (let round = 0; round < 2; round++) {
      for (const [i, input] of inputs.entries()) {
        expect(observed(await callExecute(execute, input, ENOUGH)), `input ${i}, round ${round}`).to.deep.equal(
          observed(await callExecute(plain, input, ENOUGH)),
        );
      }
    }
  });

  it("never conflates forks: the same input under another L1 fork runs again", async () => {
    const execute = memoized();
    const input = inputOf(transfer);
    const osaka = await callExecute(execute, input, { ...ENOUGH, hardfork: Hardfork.Osaka });
    const prague = await callExecute(execute, input, { ...ENOUGH, hardfork: Hardfork.Prague });
    expect(counter.count()).to.equal(2);
    expect(observed(prague)).to.deep.equal(
      observed(await callExecute(createExecutePrecompile(), input, { ...ENOUGH, hardfork: Hardfork.Prague })),
    );
    expect(osaka.exceptionError).to.equal(undefined);
  });

  it("never conflates crypto: a Common that names other crypto functions runs again; another Common naming the same ones does not", async () => {
    const execute = memoized();
    const input = inputOf(transfer);
    const plain = await callExecute(execute, input, { ...ENOUGH, hardfork: Hardfork.Osaka });
    await callExecute(execute, input, { ...ENOUGH, hardfork: Hardfork.Osaka }); // a new Common, no crypto named: kept
    expect(counter.count()).to.equal(1);
    const named = await callExecute(execute, input, { ...ENOUGH, hardfork: Hardfork.Osaka, customCrypto: jsCrypto() });
    expect(counter.count()).to.equal(2);
    expect(observed(named)).to.deep.equal(observed(plain));
  });

  it("never conflates gas schedules or proof settings: the exposed schedule changed after a run is a new key", async () => {
    const execute = memoized();
    const input = inputOf(transfer);
    const before = await callExecute(execute, input, ENOUGH);
    (execute.schedule as { baseGas: bigint }).baseGas += 1n;
    const after = await callExecute(execute, input, ENOUGH);
    expect(after.executionGasUsed).to.equal(before.executionGasUsed + 1n);
    const options: { memo: object; proofVerification?: boolean } = { memo: {} };
    const switchable = createExecutePrecompile(options);
    const proofs = encodeExecuteInput({
      chainId: CHAIN_ID,
      parentHeader: transfer.parentHeader,
      block: transfer.blockRlp,
      witness: transfer.witness,
      proofs: hexToBytes("0x01"),
    });
    expect(decodeExecuteInvalid((await callExecute(switchable, proofs, ENOUGH)).returnValue)?.code).to.equal(
      ExecuteErrorCode.MalformedInput,
    );
    options.proofVerification = false;
    expect(decodeExecuteInvalid((await callExecute(switchable, proofs, ENOUGH)).returnValue)?.code).to.equal(
      ExecuteErrorCode.ProofsUnsupported,
    );
  });

  it("hands every caller its own result: what one caller changes, the next does not see", async () => {
    const execute = memoized();
    const input = inputOf(transfer);
    const evm = await createEVM({ customPrecompiles: [execute] });
    const first = await invoke(execute, evm, input, ENOUGH_GAS);
    const expected = observed(first);
    first.returnValue.fill(0);
    first.executionGasUsed += 1_000n;
    const second = await invoke(execute, evm, input, ENOUGH_GAS);
    expect(observed(second)).to.deep.equal(expected);
    expect(second.returnValue).to.not.equal(first.returnValue);
    // A failure too: its revert error is a fresh object each time.
    const failed = await invoke(execute, evm, input, 1_000n);
    const again = await invoke(execute, evm, input, 1_000n);
    expect(again.exceptionError).to.not.equal(failed.exceptionError);
    expect(observed(again)).to.deep.equal(observed(failed));
  });

  describe("with a block that takes longer than a simulation may run", () => {
    let heavy: Uint8Array;

    before(async () => {
      // ≈ 200 signature recoveries: far more than the 1 ms the simulations below may run.
      heavy = inputOf(await ecrecoverBlock(CHAIN_ID, 1, 600_000n));
    });

    it("never keeps a simulation's timeout: the block that follows runs and accepts", async () => {
      const execute = memoized({ callTimeoutMs: 1 });
      execute.beforeExecution("call");
      const timedOut = await callExecute(execute, heavy, ENOUGH);
      expect(decodeExecuteInvalid(timedOut.returnValue)?.code).to.equal(ExecuteErrorCode.SimulationTimeout);
      execute.beforeExecution("block");
      const mined = await callExecute(execute, heavy, ENOUGH);
      expect(mined.exceptionError).to.equal(undefined);
      expect(counter.count()).to.equal(2);
      // The block's result is kept, and a later simulation is answered with it.
      execute.beforeExecution("call");
      expect(observed(await callExecute(execute, heavy, ENOUGH))).to.deep.equal(observed(mined));
      expect(counter.count()).to.equal(2);
    });

    it("a block joining a simulation in flight that times out runs on its own and accepts", async () => {
      const execute = memoized({ callTimeoutMs: 1 });
      const evm = await createEVM({ customPrecompiles: [execute] });
      execute.beforeExecution("call");
      const call = invoke(execute, evm, heavy, ENOUGH_GAS);
      execute.beforeExecution("block");
      const block = invoke(execute, evm, heavy, ENOUGH_GAS);
      const [called, mined] = await Promise.all([call, block]);
      expect(decodeExecuteInvalid(called.returnValue)?.code).to.equal(ExecuteErrorCode.SimulationTimeout);
      expect(mined.exceptionError).to.equal(undefined);
      expect(counter.count()).to.equal(2);
    });
  });

  it("runs of one input in flight at once share one execution", async () => {
    const execute = memoized();
    const evm = await createEVM({ customPrecompiles: [execute] });
    execute.beforeExecution("block");
    const input = inputOf(transfers);
    const results = await Promise.all([1, 2, 3].map(() => invoke(execute, evm, input, ENOUGH_GAS)));
    expect(counter.count()).to.equal(1);
    const [first] = results;
    expect(first?.exceptionError).to.equal(undefined);
    for (const result of results) expect(observed(result)).to.deep.equal(observed(first as ExecResult));
    expect(new Set(results.map((r) => r.returnValue)).size).to.equal(3);
  });

  it("never keeps a failure that is not the input's verdict: a verifier crash, or a RangeError (out of stack or memory) behind an ExecuteError", async () => {
    const execute = memoized();
    const input = inputOf(transfer);
    counter.failNext(new Error("heap exhausted"));
    const crashed = await callExecute(execute, input, ENOUGH);
    expect(decodeExecuteInvalid(crashed.returnValue)?.reason).to.match(/EXECUTE failed unexpectedly: heap exhausted/);
    counter.failNext(
      new ExecuteError(
        ExecuteErrorCode.TransactionRejected,
        "block execution failed: Maximum call stack size exceeded",
        {
          cause: new RangeError("Maximum call stack size exceeded"),
        },
      ),
    );
    const overflowed = await callExecute(execute, input, ENOUGH);
    expect(decodeExecuteInvalid(overflowed.returnValue)?.code).to.equal(ExecuteErrorCode.TransactionRejected);
    const accepted = await callExecute(execute, input, ENOUGH);
    expect(accepted.exceptionError).to.equal(undefined);
    expect(counter.count()).to.equal(3);
    // A block verdict (>= 64) is the input's: kept.
    counter.failNext(new ExecuteError(ExecuteErrorCode.StateRootMismatch, "state root mismatch"));
    const other = inputOf(transfers);
    const rejected = await callExecute(execute, other, ENOUGH);
    expect(observed(await callExecute(execute, other, ENOUGH))).to.deep.equal(observed(rejected));
    expect(counter.count()).to.equal(4);
  });

  it("keeps at most maxEntries results, dropping the least recently used", async () => {
    const execute = memoized({ memo: { maxEntries: 2 } });
    const [a, b, c] = [inputOf(transfer), inputOf(transfers), inputOf(transfer, CHAIN_ID + 1n)];
    await callExecute(execute, a, ENOUGH);
    await callExecute(execute, b, ENOUGH);
    await callExecute(execute, a, ENOUGH); // a is now the most recently used
    await callExecute(execute, c, ENOUGH); // drops b
    const afterFill = counter.count();
    await callExecute(execute, a, ENOUGH);
    expect(counter.count(), "a was kept").to.equal(afterFill);
    await callExecute(execute, b, ENOUGH);
    expect(counter.count(), "b was dropped").to.equal(afterFill + 1);
  });

  it("keeps nothing larger than maxBytes, and refuses a bound that is not a positive integer", async () => {
    const execute = memoized({ memo: { maxBytes: 100 } });
    const input = inputOf(transfer);
    await callExecute(execute, input, ENOUGH);
    await callExecute(execute, input, ENOUGH);
    expect(counter.count()).to.equal(2);
    for (const memo of [{ maxEntries: 0 }, { maxBytes: -1 }, { maxEntries: 1.5 }, { maxBytes: Number.NaN }])
      expect(() => createExecutePrecompile({ memo })).to.throw(ExecuteMemoConfigError);
    expect(DEFAULT_EXECUTE_MEMO_BYTES).to.be.greaterThan(0);
  });

  describe(`over the fuzz corpus (${FUZZ_CASES} cases of seed ${FUZZ_SEED})`, () => {
    let corpus: Corpus;

    before(async () => {
      corpus = await buildCorpus();
    });

    it("gives each case the result EXECUTE gives without the memo, computed and then from memory", async () => {
      const execute = memoized({ memo: { maxEntries: 4 } });
      let accepted = 0;
      for (let i = 0; i < FUZZ_CASES; i++) {
        const { input } = makeCase(corpus, FUZZ_SEED, i);
        const plain = observed(await callExecute(createExecutePrecompile(), input, ENOUGH));
        const before = counter.count();
        expect(observed(await callExecute(execute, input, ENOUGH)), `case ${i}, computed`).to.deep.equal(plain);
        const ran = counter.count() - before;
        expect(observed(await callExecute(execute, input, ENOUGH)), `case ${i}, from memory`).to.deep.equal(plain);
        expect(counter.count() - before, `case ${i} ran again`).to.equal(ran);
        if (plain.error === undefined) accepted++;
      }
      // The corpus holds accepted and rejected cases alike.
      expect(accepted).to.be.greaterThan(0);
      expect(accepted).to.be.lessThan(FUZZ_CASES);
    });
  });
});
