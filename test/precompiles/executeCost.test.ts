import { createEVM } from "@ethereumjs/evm";
import { createAddressFromString } from "@ethereumjs/util";
import { expect } from "chai";

import {
  DEFAULT_EXECUTE_GAS_SCHEDULE,
  EXECUTE_ADDRESS,
  ExecuteErrorCode,
  createExecutePrecompile,
  decodeExecuteInvalid,
  encodeExecuteInput,
} from "../../precompiles";
import { gasBurnBlock } from "../support/heavyBlocks";
import { tamperBlock } from "../support/l2Fixtures";
import type { BuiltBlock } from "../support/l2TestChain";

const CHAIN_ID = 907n;
const CALLER = createAddressFromString("0x00000000000000000000000000000000000ca11e");
const { baseGas, perInputByteGas } = DEFAULT_EXECUTE_GAS_SCHEDULE;

function inputOf(built: BuiltBlock, block: Uint8Array = built.blockRlp): Uint8Array {
  return encodeExecuteInput({ chainId: CHAIN_ID, parentHeader: built.parentHeader, block, witness: built.witness, proofs: new Uint8Array() });
}

async function callExecute(data: Uint8Array, gasLimit: bigint, precompile = createExecutePrecompile()) {
  const evm = await createEVM({ customPrecompiles: [precompile] });
  const { execResult } = await evm.runCall({ caller: CALLER, to: createAddressFromString(EXECUTE_ADDRESS), data, gasLimit });
  return execResult;
}

describe("what EXECUTE charges for the L2 gas it executes", () => {
  it("charges base + 16 per input byte + 1 L1 gas per L2 gas the header claims used", async () => {
    const built = await gasBurnBlock(CHAIN_ID, [2_000_000n, 3_000_000n]);
    const input = inputOf(built);
    const price = baseGas + perInputByteGas * BigInt(input.length) + built.block.header.gasUsed;
    expect(built.block.header.gasUsed).to.equal(5_000_000n);

    const paid = await callExecute(input, price);
    expect(paid.exceptionError).to.equal(undefined);
    expect(paid.executionGasUsed).to.equal(price);

    const short = await callExecute(input, price - 1n);
    expect(decodeExecuteInvalid(short.returnValue)?.code).to.equal(ExecuteErrorCode.OutOfGas);
    expect(short.executionGasUsed).to.equal(price - 1n);
  });

  it("charges a transaction's whole gas limit when it exceeds the block's gasUsed", async () => {
    // One transfer-sized burn with a large gas limit: execution may run the whole limit before
    // it can tell the header's gasUsed is wrong, so the limit is what is priced.
    const built = await gasBurnBlock(CHAIN_ID, [4_000_000n]);
    const input = inputOf(built);
    const price = baseGas + perInputByteGas * BigInt(input.length) + 4_000_000n;
    const understated = inputOf(built, tamperBlock(built.block, { gasUsed: 21_000n }));
    const result = await callExecute(understated, price - 1n);
    expect(decodeExecuteInvalid(result.returnValue)?.code).to.equal(ExecuteErrorCode.OutOfGas);
  });

  it("stops after the first transaction that takes the block past its claimed gasUsed", async () => {
    const built = await gasBurnBlock(CHAIN_ID, [1_000_000n, 1_000_000n, 1_000_000n, 1_000_000n]);
    const understated = inputOf(built, tamperBlock(built.block, { gasUsed: 1_500_000n }));
    const result = await callExecute(understated, 10_000_000n);
    const invalid = decodeExecuteInvalid(result.returnValue);
    expect(invalid?.code).to.equal(ExecuteErrorCode.GasUsedMismatch);
    // Transaction 1 brings the block to 2M > 1.5M: transactions 2 and 3 never run.
    expect(invalid?.reason).to.match(/after transaction 1 .*2000000/);
  });
});
