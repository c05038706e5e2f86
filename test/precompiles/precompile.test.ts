import { hexToBytes } from "@ethereumjs/util";
import { expect } from "chai";
import { AbiCoder, getBytes, hexlify } from "ethers";

import {
  EXECUTE_RESULT_SIZE,
  ExecuteErrorCode,
  createExecutePrecompile,
  decodeExecuteInput,
  decodeExecuteInvalid,
  decodeExecuteResult,
  encodeExecuteInput,
  chargedL2Gas,
  executeGasCost,
  l2GasClaimOf,
} from "../../precompiles";
import { ExecuteError } from "../../precompiles/errors";
import { callExecute } from "../../tools/executeCall";
import { TestSigner } from "../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../../tools/l2TestChain";

const CHAIN_ID = 902n;

async function builtTransferBlock(): Promise<BuiltBlock> {
  const probe = await L2TestChain.create(CHAIN_ID, []);
  const alice = TestSigner.fromSeed(7, probe.common);
  const chain = await L2TestChain.create(CHAIN_ID, [{ address: alice.address.toString(), balance: 10n ** 18n }]);
  return chain.buildBlock([
    TestSigner.fromSeed(7, chain.common).tx({ to: "0x00000000000000000000000000000000000000aa", value: 1n }),
  ]);
}

function inputOf(built: BuiltBlock, proofs: Uint8Array = new Uint8Array()): Uint8Array {
  return encodeExecuteInput({
    chainId: CHAIN_ID,
    parentHeader: built.parentHeader,
    block: built.blockRlp,
    witness: built.witness,
    proofs,
  });
}

describe("EXECUTE input and output codec", () => {
  it("round-trips the ABI envelope Solidity's abi.encode produces", async () => {
    const built = await builtTransferBlock();
    const abiEncoded = AbiCoder.defaultAbiCoder().encode(
      ["uint64", "bytes", "bytes", "bytes", "bytes"],
      [CHAIN_ID, built.parentHeader, built.blockRlp, built.witness, "0x"],
    );
    expect(hexlify(inputOf(built))).to.equal(abiEncoded);
    const decoded = decodeExecuteInput(getBytes(abiEncoded));
    expect(decoded.chainId).to.equal(CHAIN_ID);
    expect(decoded.block).to.deep.equal(built.blockRlp);
    expect(decoded.proofs.length).to.equal(0);
  });

  it("rejects truncated input, out-of-range offsets and oversized chain ids", () => {
    const valid = encodeExecuteInput({
      chainId: 1n,
      parentHeader: new Uint8Array(3),
      block: new Uint8Array(40),
      witness: new Uint8Array(),
      proofs: new Uint8Array(),
    });
    const cases: Uint8Array<ArrayBufferLike>[] = [
      valid.subarray(0, 100),
      valid.subarray(0, valid.length - 32),
      (() => {
        const v = valid.slice();
        v[63] = 0xff;
        return v;
      })(),
      (() => {
        const v = valid.slice();
        v[0] = 1;
        return v;
      })(),
    ];
    for (const input of cases) {
      expect(() => decodeExecuteInput(input))
        .to.throw(ExecuteError)
        .with.property("code", ExecuteErrorCode.MalformedInput);
    }
  });
});

describe("the EXECUTE precompile in @ethereumjs/evm", () => {
  it("returns the 352-byte result and charges base + 16 gas per input byte + the L2 gas charged", async () => {
    const built = await builtTransferBlock();
    const input = inputOf(built);
    const result = await callExecute(createExecutePrecompile(), input, { gasLimit: 10_000_000n });
    expect(result.exceptionError).to.equal(undefined);
    expect(result.returnValue.length).to.equal(EXECUTE_RESULT_SIZE);
    expect(decodeExecuteResult(result.returnValue).blockHash).to.deep.equal(built.block.hash());
    // One transfer with the signer's default 100k gas limit: its limit, not the 21k used, is charged.
    expect(chargedL2Gas(l2GasClaimOf(built.block))).to.equal(100_000n);
    expect(result.executionGasUsed).to.equal(executeGasCost(input.length, 100_000n));
  });

  it("fails with too little gas, consuming all of it", async () => {
    const built = await builtTransferBlock();
    const input = inputOf(built);
    const gasLimit = executeGasCost(input.length, chargedL2Gas(l2GasClaimOf(built.block))) - 1n;
    const result = await callExecute(createExecutePrecompile(), input, { gasLimit });
    expect(result.exceptionError?.error).to.equal("revert");
    expect(result.executionGasUsed).to.equal(gasLimit);
    expect(decodeExecuteInvalid(result.returnValue)?.code).to.equal(ExecuteErrorCode.OutOfGas);
  });

  it("reports an invalid block as ExecuteInvalid(code, reason) and consumes all gas", async () => {
    const built = await builtTransferBlock();
    const input = inputOf({ ...built, witness: new Uint8Array([0xc3, 0xc0, 0xc0, 0xc0]) });
    const result = await callExecute(createExecutePrecompile(), input, { gasLimit: 10_000_000n });
    expect(result.executionGasUsed).to.equal(10_000_000n);
    const reason = decodeExecuteInvalid(result.returnValue);
    expect(reason?.code).to.equal(ExecuteErrorCode.WitnessIncomplete);
    expect(reason?.reason).to.match(/witness is missing/);
  });

  it("rejects garbage input with MalformedInput", async () => {
    const result = await callExecute(createExecutePrecompile(), hexToBytes("0x1234"), { gasLimit: 1_000_000n });
    expect(decodeExecuteInvalid(result.returnValue)?.code).to.equal(ExecuteErrorCode.MalformedInput);
  });

  it("rejects non-empty proofs when proof verification is disabled", async () => {
    const built = await builtTransferBlock();
    const result = await callExecute(
      createExecutePrecompile({ proofVerification: false }),
      inputOf(built, hexToBytes("0x01")),
      { gasLimit: 10_000_000n },
    );
    expect(decodeExecuteInvalid(result.returnValue)?.code).to.equal(ExecuteErrorCode.ProofsUnsupported);
  });

  it("rejects a proofs field that is not abi.encode(policy, proofs)", async () => {
    const built = await builtTransferBlock();
    const result = await callExecute(createExecutePrecompile(), inputOf(built, hexToBytes("0x01")), {
      gasLimit: 10_000_000n,
    });
    expect(decodeExecuteInvalid(result.returnValue)?.code).to.equal(ExecuteErrorCode.MalformedInput);
  });

  it("verifies any number of blocks in one L1 block: each call pays for its own L2 gas", async () => {
    const built = await builtTransferBlock();
    const precompile = createExecutePrecompile();
    precompile.beforeExecution("block");
    for (let i = 0; i < 3; i++)
      expect((await callExecute(precompile, inputOf(built), { gasLimit: 10_000_000n })).exceptionError).to.equal(
        undefined,
      );
  });
});
