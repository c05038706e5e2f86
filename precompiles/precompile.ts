import type { AddPrecompile, ExecResult, PrecompileInput } from "@ethereumjs/evm";
import { EVMError } from "@ethereumjs/evm";
import { RLP } from "@ethereumjs/rlp";
import { Address, bytesToBigInt, hexToBytes } from "@ethereumjs/util";

import { decodeExecuteInput, encodeExecuteInvalid, encodeExecuteResult } from "./codec";
import { ExecuteError, ExecuteErrorCode } from "./errors";
import { DEFAULT_EXECUTE_GAS_SCHEDULE, ExecuteGasBudget, type ExecuteGasSchedule, executeGasCost } from "./gas";
import { verifyBlock } from "./verifyBlock";

/** Where EXECUTE lives: the first address after P256VERIFY (0x100), as in ethrex. */
export const EXECUTE_ADDRESS = "0x0000000000000000000000000000000000000101";

/** Index of `gasLimit` in a header's RLP list (identical in every fork). */
const HEADER_GAS_LIMIT_INDEX = 9;

/** Called by the chain before each block it builds and each call it simulates. */
export type ExecutionHook = (kind: "block" | "call") => void;

export interface ExecutePrecompileOptions {
  /** Gas constants; defaults in `DEFAULT_EXECUTE_GAS_SCHEDULE`. */
  readonly gas?: Partial<ExecuteGasSchedule>;
}

/** EXECUTE ready for `@ethereumjs/evm`'s `customPrecompiles`, plus the hook that resets its budget. */
export interface ExecutePrecompile extends AddPrecompile {
  readonly beforeExecution: ExecutionHook;
  readonly budget: ExecuteGasBudget;
  readonly schedule: ExecuteGasSchedule;
}

function failure(gasLimit: bigint, code: ExecuteErrorCode, reason: string): ExecResult {
  // A REVERT keeps the return data for the caller; using all gas matches DESIGN §3's "consumes all gas".
  return {
    executionGasUsed: gasLimit,
    returnValue: encodeExecuteInvalid(code, reason),
    exceptionError: new EVMError(EVMError.errorMessages.REVERT),
  };
}

/** The L2 gas limit a block claims, read without decoding the rest (for the budget check). */
function claimedGasLimit(block: Uint8Array): bigint {
  try {
    const [header] = RLP.decode(block) as unknown as Uint8Array[][];
    const gasLimit = header?.[HEADER_GAS_LIMIT_INDEX];
    if (gasLimit instanceof Uint8Array) return bytesToBigInt(gasLimit);
  } catch {
    // fall through: verifyBlock reports the malformed block precisely
  }
  throw new ExecuteError(ExecuteErrorCode.MalformedInput, "block is not an RLP list starting with a header");
}

async function run(input: PrecompileInput, schedule: ExecuteGasSchedule, budget: ExecuteGasBudget): Promise<ExecResult> {
  const cost = executeGasCost(input.data.length, schedule);
  if (input.gasLimit < cost) {
    return failure(input.gasLimit, ExecuteErrorCode.OutOfGas, `EXECUTE needs ${cost} gas for ${input.data.length} input bytes, got ${input.gasLimit}`);
  }
  const decoded = decodeExecuteInput(input.data);
  if (decoded.proofs.length > 0) {
    throw new ExecuteError(ExecuteErrorCode.ProofsUnsupported, "proof verification is not enabled: EXECUTE re-executes, so proofs must be empty");
  }
  const l2GasLimit = claimedGasLimit(decoded.block);
  if (!budget.tryConsume(l2GasLimit)) {
    throw new ExecuteError(
      ExecuteErrorCode.BudgetExhausted,
      `L2 gas limit ${l2GasLimit} exceeds the ${budget.remaining} left of this L1 block's EXECUTE budget of ${budget.limit}`,
    );
  }
  const result = await verifyBlock({
    chainId: decoded.chainId,
    common: input.common,
    parentHeader: decoded.parentHeader,
    block: decoded.block,
    witness: decoded.witness,
  });
  return { executionGasUsed: cost, returnValue: encodeExecuteResult(result) };
}

/**
 * Creates the EXECUTE precompile. It never touches the L1 state: the block is re-executed on a
 * trie database built from the witness alone.
 */
export function createExecutePrecompile(options: ExecutePrecompileOptions = {}): ExecutePrecompile {
  const schedule: ExecuteGasSchedule = { ...DEFAULT_EXECUTE_GAS_SCHEDULE, ...options.gas };
  const budget = new ExecuteGasBudget(schedule.l2GasBudgetPerL1Block);
  return {
    address: new Address(hexToBytes(EXECUTE_ADDRESS)),
    schedule,
    budget,
    beforeExecution: (kind) => budget.begin(kind),
    function: async (input: PrecompileInput): Promise<ExecResult> => {
      try {
        return await run(input, schedule, budget);
      } catch (error) {
        if (error instanceof ExecuteError) return failure(input.gasLimit, error.code, error.message);
        // Anything else is a verifier bug; the block is not accepted and the reason is kept.
        return failure(input.gasLimit, ExecuteErrorCode.MalformedInput, `EXECUTE failed unexpectedly: ${(error as Error).message}`);
      }
    },
  };
}
