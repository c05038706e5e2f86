import { EVMError } from "@ethereumjs/evm";
import { createAddressFromString, hexToBytes } from "@ethereumjs/util";
import { expect } from "chai";

import { EXECUTE_ADDRESS, EXECUTE_RESULT_SIZE, decodeExecuteInput, encodeExecuteInput } from "../../precompiles";
import { type Corpus, type FuzzCase, buildCorpus, formatReport, makeCase, runCase, runFuzz } from "../support/executeFuzz";

const SEED = 20240601;
const CASES = Number(process.env.EXECUTE_FUZZ_CASES ?? 300);

describe("EXECUTE mutation fuzzer", function () {
  this.timeout(180_000);
  let corpus: Corpus;

  before(async () => {
    corpus = await buildCorpus();
  });

  it("every corpus input is accepted unmutated", async () => {
    for (const entry of corpus.entries) {
      const c: FuzzCase = { index: -1, entry, kind: "witnessReorder", input: entry.input, description: "none" };
      const outcome = await runCase(corpus, c);
      expect(outcome, entry.name).to.deep.equal({ kind: "accepted", identical: true, freeFieldBlock: false });
    }
  });

  it("draws the same cases from the same seed", () => {
    for (let i = 0; i < 20; i++) expect(makeCase(corpus, SEED, i).input).to.deep.equal(makeCase(corpus, SEED, i).input);
  });

  it("its oracle flags a verifier that accepts anything, or fails without ExecuteInvalid", async () => {
    const entry = corpus.entries.find((e) => e.name === "storage")!;
    const decoded = decodeExecuteInput(entry.input);
    const block = entry.block.slice();
    block[block.length - 1] ^= 1; // alters the last transaction's signature
    const c: FuzzCase = { index: -1, entry, kind: "rawByteFlip", input: encodeExecuteInput({ ...decoded, block }), description: "self-test" };
    const address = createAddressFromString(EXECUTE_ADDRESS);
    const acceptAll = () => ({ address, function: async () => ({ executionGasUsed: 0n, returnValue: new Uint8Array(EXECUTE_RESULT_SIZE) }) });
    const bareRevert = () => ({
      address,
      function: async () => ({ executionGasUsed: 1n, returnValue: hexToBytes("0x"), exceptionError: new EVMError(EVMError.errorMessages.REVERT) }),
    });
    expect(await runCase(corpus, c, 10_000, acceptAll)).to.include({ kind: "failure", failure: "acceptedAltered" });
    expect(await runCase(corpus, c, 10_000, bareRevert)).to.include({ kind: "failure", failure: "badFailure" });
    const hang = () => ({ address, function: () => new Promise<never>(() => {}) });
    expect(await runCase(corpus, c, 200, hang as never)).to.include({ kind: "failure", failure: "hang" });
  });

  it(`${CASES} seeded mutations: none accepted altered, crashed, hung or failed with a senseless code`, async () => {
    const report = await runFuzz({ cases: CASES, seed: SEED, corpus });
    console.log(formatReport(report));
    expect(report.failures, formatReport(report)).to.deep.equal([]);
    // The structured kinds are all exercised.
    expect(report.table.size).to.be.greaterThan(12);
  });
});
