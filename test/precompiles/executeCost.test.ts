import { expect } from "chai";

import {
  DEFAULT_EXECUTE_GAS_SCHEDULE,
  ExecuteErrorCode,
  L1_TX_GAS_LIMIT_CAP,
  chargedL2Gas,
  createExecutePrecompile,
  decodeExecuteInvalid,
  encodeExecuteInput,
  executeGasCost,
  l2GasClaimOf,
  l2GasClaimOfBlockRlp,
  maxVerifiableL2GasLimit,
} from "../../precompiles";
import { callExecute } from "../../tools/executeCall";
import { gasBurnBlock } from "../../tools/heavyBlocks";
import { TestSigner, tamperBlock } from "../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../../tools/l2TestChain";

const CHAIN_ID = 907n;
const { baseGas, perInputByteGas } = DEFAULT_EXECUTE_GAS_SCHEDULE;

function inputOf(built: BuiltBlock, block: Uint8Array = built.blockRlp): Uint8Array {
  return encodeExecuteInput({
    chainId: CHAIN_ID,
    parentHeader: built.parentHeader,
    block,
    witness: built.witness,
    proofs: new Uint8Array(),
  });
}

/** A valid block of `count` plain transfers, each with a 21,000 gas limit. */
async function transferBlock(count: number): Promise<BuiltBlock> {
  const probe = await L2TestChain.create(CHAIN_ID, []);
  const alice = TestSigner.fromSeed(11, probe.common);
  const chain = await L2TestChain.create(CHAIN_ID, [{ address: alice.address.toString(), balance: 10n ** 20n }]);
  const signer = TestSigner.fromSeed(11, chain.common);
  return chain.buildBlock(
    Array.from({ length: count }, () =>
      signer.tx({ to: "0x00000000000000000000000000000000000000aa", value: 1n, gasLimit: 21_000n }),
    ),
  );
}

describe("what EXECUTE charges for the L2 gas it executes", () => {
  it("charges base + 16 per input byte + 1 L1 gas per L2 gas the header claims used", async () => {
    const built = await gasBurnBlock(CHAIN_ID, [2_000_000n, 3_000_000n]);
    const input = inputOf(built);
    const price = baseGas + perInputByteGas * BigInt(input.length) + built.block.header.gasUsed;
    expect(built.block.header.gasUsed).to.equal(5_000_000n);

    const paid = await callExecute(createExecutePrecompile(), input, { gasLimit: price });
    expect(paid.exceptionError).to.equal(undefined);
    expect(paid.executionGasUsed).to.equal(price);

    const short = await callExecute(createExecutePrecompile(), input, { gasLimit: price - 1n });
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
    const result = await callExecute(createExecutePrecompile(), understated, { gasLimit: price - 1n });
    expect(decodeExecuteInvalid(result.returnValue)?.code).to.equal(ExecuteErrorCode.OutOfGas);
  });

  it("charges at least 21,000 L2 gas per transaction, whose signatures are all checked before it runs", async () => {
    // Every transaction of a valid Osaka block uses at least 21,000 gas (EIP-7623's floor), so a
    // header claiming less for its transactions is invalid, but only after each signature is recovered.
    const built = await transferBlock(20);
    const understated = inputOf(built, tamperBlock(built.block, { gasUsed: 21_000n }));
    const price = baseGas + perInputByteGas * BigInt(understated.length) + 20n * 21_000n;
    const short = await callExecute(createExecutePrecompile(), understated, { gasLimit: price - 1n });
    expect(decodeExecuteInvalid(short.returnValue)?.code).to.equal(ExecuteErrorCode.OutOfGas);
    const paid = await callExecute(createExecutePrecompile(), understated, { gasLimit: price });
    expect(decodeExecuteInvalid(paid.returnValue)?.code).to.equal(ExecuteErrorCode.GasUsedMismatch);
  });

  it("stops after the first transaction that takes the block past its claimed gasUsed", async () => {
    const built = await gasBurnBlock(CHAIN_ID, [1_000_000n, 1_000_000n, 1_000_000n, 1_000_000n]);
    const understated = inputOf(built, tamperBlock(built.block, { gasUsed: 1_500_000n }));
    const result = await callExecute(createExecutePrecompile(), understated, { gasLimit: 10_000_000n });
    const invalid = decodeExecuteInvalid(result.returnValue);
    expect(invalid?.code).to.equal(ExecuteErrorCode.GasUsedMismatch);
    // Transaction 1 brings the block to 2M > 1.5M: transactions 2 and 3 never run.
    expect(invalid?.reason).to.equal(
      "gasUsed mismatch: after transaction 1 the block has used 2000000, more than the header's 1500000; gas of each transaction (cumulative): #0 1000000 (1000000), #1 1000000 (2000000)",
    );
  });
});

describe("the L2 gas EXECUTE prices", () => {
  it("is the largest of gasUsed, the largest transaction gas limit and 21,000 per transaction, each capped at the block's gas limit", () => {
    expect(chargedL2Gas({ gasLimit: 4_000_000n, gasUsed: 2_000_000n, txGasLimits: [21_000n, 100_000n] })).to.equal(
      2_000_000n,
    );
    expect(chargedL2Gas({ gasLimit: 4_000_000n, gasUsed: 21_000n, txGasLimits: [3_000_000n] })).to.equal(3_000_000n);
    expect(chargedL2Gas({ gasLimit: 4_000_000n, gasUsed: 9_000_000n, txGasLimits: [16_000_000n] })).to.equal(
      4_000_000n,
    );
    expect(chargedL2Gas({ gasLimit: 4_000_000n, gasUsed: 0n, txGasLimits: [] })).to.equal(0n);
    expect(chargedL2Gas({ gasLimit: 4_000_000n, gasUsed: 21_000n, txGasLimits: Array(10).fill(21_000n) })).to.equal(
      210_000n,
    );
    expect(chargedL2Gas({ gasLimit: 4_000_000n, gasUsed: 21_000n, txGasLimits: Array(1000).fill(21_000n) })).to.equal(
      4_000_000n,
    );
  });

  it("reads the same claim from a block's RLP as from the decoded block, for every transaction type", async () => {
    const probe = await L2TestChain.create(CHAIN_ID, []);
    const alice = TestSigner.fromSeed(3, probe.common);
    const chain = await L2TestChain.create(CHAIN_ID, [{ address: alice.address.toString(), balance: 10n ** 20n }]);
    const signer = TestSigner.fromSeed(3, chain.common);
    const built = await chain.buildBlock([
      signer.legacyTx({ to: "0x00000000000000000000000000000000000000aa" }),
      signer.tx({ to: "0x00000000000000000000000000000000000000bb", gasLimit: 77_000n }),
    ]);
    expect(l2GasClaimOfBlockRlp(built.blockRlp)).to.deep.equal(l2GasClaimOf(built.block));
    expect(l2GasClaimOfBlockRlp(new Uint8Array([0x12, 0x34]))).to.equal(undefined);
  });

  it("can verify at most the L2 gas whose price fits one Osaka L1 transaction", () => {
    const max = maxVerifiableL2GasLimit();
    expect(executeGasCost(0, max) <= L1_TX_GAS_LIMIT_CAP).to.equal(true);
    expect(executeGasCost(0, max + 1n) > L1_TX_GAS_LIMIT_CAP).to.equal(true);
  });
});
