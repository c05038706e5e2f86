import type { AddPrecompile, ExecResult, PrecompileInput } from "@ethereumjs/evm";
import { EVMError } from "@ethereumjs/evm";
import { RLP } from "@ethereumjs/rlp";
import { Address, bytesToBigInt, hexToBytes } from "@ethereumjs/util";

import { type ExecuteInput, decodeExecuteInput, encodeExecuteInvalid, encodeExecuteResult } from "./codec";
import { decodeProofBundle } from "./proofs/codec";
import { verifyBlockWithProofs } from "./proofs/verifyProofs";
import { ExecuteError, ExecuteErrorCode } from "./errors";
import { DEFAULT_EXECUTE_GAS_SCHEDULE, ExecuteGasBudget, type ExecuteGasSchedule, executeGasCost, proofModeGasCost } from "./gas";
import { checkBlockShape, reexecute } from "./verifyBlock";

/** Where EXECUTE lives: the first address after P256VERIFY (0x100), as in ethrex. */
export const EXECUTE_ADDRESS = "0x0000000000000000000000000000000000000101";

/** Index of `gasLimit` in a header's RLP list (identical in every fork). */
const HEADER_GAS_LIMIT_INDEX = 9;

/** Called by the chain before each block it builds and each call it simulates. */
export type ExecutionHook = (kind: "block" | "call") => void;

export interface ExecutePrecompileOptions {
  /** Gas constants; defaults in `DEFAULT_EXECUTE_GAS_SCHEDULE`. */
  readonly gas?: Partial<ExecuteGasSchedule>;
  /** Verify proofs when the `proofs` field is non-empty (default true); false rejects them. */
  readonly proofVerification?: boolean;
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

function outOfGas(input: PrecompileInput, cost: bigint): ExecResult {
  return failure(input.gasLimit, ExecuteErrorCode.OutOfGas, `EXECUTE needs ${cost} gas for ${input.data.length} input bytes, got ${input.gasLimit}`);
}

function consumeBudget(budget: ExecuteGasBudget, block: Uint8Array): void {
  const l2GasLimit = claimedGasLimit(block);
  if (!budget.tryConsume(l2GasLimit)) {
    throw new ExecuteError(
      ExecuteErrorCode.BudgetExhausted,
      `L2 gas limit ${l2GasLimit} exceeds the ${budget.remaining} left of this L1 block's EXECUTE budget of ${budget.limit}`,
    );
  }
}

/** Proof mode: flat cost when proofs suffice; re-execution's cost and budget when it falls back. */
async function runWithProofs(input: PrecompileInput, decoded: ExecuteInput, schedule: ExecuteGasSchedule, budget: ExecuteGasBudget): Promise<ExecResult> {
  const bundle = decodeProofBundle(decoded.proofs);
  const cost = proofModeGasCost(
    { inputLength: input.data.length, blockLength: decoded.block.length, witnessLength: decoded.witness.length, proofCount: bundle.proofs.length },
    schedule,
  );
  if (input.gasLimit < cost) return outOfGas(input, cost);
  const fallbackCost = executeGasCost(input.data.length, schedule);
  const { result, acceptedBy } = await verifyBlockWithProofs({
    chainId: decoded.chainId,
    common: input.common,
    parentHeader: decoded.parentHeader,
    block: decoded.block,
    witness: decoded.witness,
    maxGasLimit: budget.limit,
    bundle: {
      ...bundle,
      // Re-execution is only reachable when the caller paid for it.
      policy: {
        ...bundle.policy,
        allowReexecution: bundle.policy.allowReexecution && input.gasLimit >= fallbackCost && budget.remaining >= claimedGasLimit(decoded.block),
      },
    },
  });
  if (acceptedBy.mode === "proofs") return { executionGasUsed: cost, returnValue: encodeExecuteResult(result) };
  consumeBudget(budget, decoded.block);
  return { executionGasUsed: fallbackCost, returnValue: encodeExecuteResult(result) };
}

async function run(input: PrecompileInput, schedule: ExecuteGasSchedule, budget: ExecuteGasBudget, proofVerification: boolean): Promise<ExecResult> {
  const decoded = decodeExecuteInput(input.data);
  if (decoded.proofs.length > 0) {
    if (!proofVerification) {
      throw new ExecuteError(ExecuteErrorCode.ProofsUnsupported, "proof verification is disabled on this chain: send empty proofs to re-execute");
    }
    return runWithProofs(input, decoded, schedule, budget);
  }
  const cost = executeGasCost(input.data.length, schedule);
  if (input.gasLimit < cost) return outOfGas(input, cost);
  // The header rules first: a block the budget could never fit is invalid (>= 64), not BudgetExhausted.
  const checked = await checkBlockShape({
    chainId: decoded.chainId,
    common: input.common,
    parentHeader: decoded.parentHeader,
    block: decoded.block,
    maxGasLimit: budget.limit,
  });
  consumeBudget(budget, decoded.block);
  const result = await reexecute(checked, decoded.chainId, decoded.witness);
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
        return await run(input, schedule, budget, options.proofVerification ?? true);
      } catch (error) {
        if (error instanceof ExecuteError) return failure(input.gasLimit, error.code, error.message);
        // Anything else is a verifier bug; the block is not accepted and the reason is kept.
        return failure(input.gasLimit, ExecuteErrorCode.MalformedInput, `EXECUTE failed unexpectedly: ${(error as Error).message}`);
      }
    },
  };
}
