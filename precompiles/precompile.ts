import type { AddPrecompile, ExecResult, PrecompileInput } from "@ethereumjs/evm";
import { EVMError } from "@ethereumjs/evm";
import { Address, hexToBytes } from "@ethereumjs/util";

import { type ExecuteInput, decodeExecuteInput, encodeExecuteInvalid, encodeExecuteResult } from "./codec";
import { decodeProofBundle } from "./proofs/codec";
import { verifyBlockWithProofs } from "./proofs/verifyProofs";
import { ExecuteError, ExecuteErrorCode } from "./errors";
import { type ExecutionPacing } from "./executionGuard";
import {
  DEFAULT_EXECUTE_GAS_SCHEDULE,
  type ExecuteGasSchedule,
  chargedL2Gas,
  executeGasCost,
  l2GasClaimOf,
  maxVerifiableL2GasLimit,
  proofModeGasCost,
} from "./gas";
import { checkBlockShape, reexecute } from "./verifyBlock";

/** Where EXECUTE lives: the first address after P256VERIFY (0x100), as in ethrex. */
export const EXECUTE_ADDRESS = "0x0000000000000000000000000000000000000101";

/**
 * Wall-clock limit of EXECUTE within one eth_call / eth_estimateGas run: geth's default RPC EVM
 * timeout. Blocks are never timed (their result is consensus); simulations are, as geth does.
 */
export const DEFAULT_CALL_TIMEOUT_MS = 5_000;

/** Called by the chain before each block it builds and each call it simulates. */
export type ExecutionHook = (kind: "block" | "call") => void;

export interface ExecutePrecompileOptions {
  /** Gas constants; defaults in `DEFAULT_EXECUTE_GAS_SCHEDULE`. */
  readonly gas?: Partial<ExecuteGasSchedule>;
  /** Verify proofs when the `proofs` field is non-empty (default true); false rejects them. */
  readonly proofVerification?: boolean;
  /** Longest a simulated call may spend in EXECUTE (default `DEFAULT_CALL_TIMEOUT_MS`). */
  readonly callTimeoutMs?: number;
  /** Longest EXECUTE runs without letting the node answer other requests (see `DEFAULT_YIELD_EVERY_MS`). */
  readonly yieldEveryMs?: number;
}

/** EXECUTE ready for `@ethereumjs/evm`'s `customPrecompiles`, plus the hook that tells blocks from simulations. */
export interface ExecutePrecompile extends AddPrecompile {
  readonly beforeExecution: ExecutionHook;
  readonly schedule: ExecuteGasSchedule;
  readonly callTimeoutMs: number;
}

function failure(gasLimit: bigint, code: ExecuteErrorCode, reason: string): ExecResult {
  // A REVERT keeps the return data for the caller; using all gas is what docs/DESIGN.md §3.6 specifies.
  return {
    executionGasUsed: gasLimit,
    returnValue: encodeExecuteInvalid(code, reason),
    exceptionError: new EVMError(EVMError.errorMessages.REVERT),
  };
}

function outOfGas(input: PrecompileInput, cost: bigint, what: string): ExecResult {
  return failure(
    input.gasLimit,
    ExecuteErrorCode.OutOfGas,
    `EXECUTE needs ${cost} gas for ${what}, got ${input.gasLimit}`,
  );
}

/** Proof mode: flat cost when proofs suffice; re-execution's price when it falls back. */
async function runWithProofs(
  input: PrecompileInput,
  decoded: ExecuteInput,
  schedule: ExecuteGasSchedule,
  pacing: ExecutionPacing,
): Promise<ExecResult> {
  const bundle = decodeProofBundle(decoded.proofs);
  const cost = proofModeGasCost(
    {
      inputLength: input.data.length,
      blockLength: decoded.block.length,
      witnessLength: decoded.witness.length,
      proofCount: bundle.proofs.length,
    },
    schedule,
  );
  if (input.gasLimit < cost)
    return outOfGas(input, cost, `${bundle.proofs.length} proofs and ${input.data.length} input bytes`);
  // The fallback's price depends on the block's checked header and transactions.
  const fallbackCost = bundle.policy.allowReexecution
    ? executeGasCost(
        input.data.length,
        chargedL2Gas(
          l2GasClaimOf(
            (
              await checkBlockShape({
                ...decoded,
                common: input.common,
                maxGasLimit: maxVerifiableL2GasLimit(schedule),
              })
            ).block,
          ),
        ),
        schedule,
      )
    : undefined;
  const { result, acceptedBy } = await verifyBlockWithProofs({
    chainId: decoded.chainId,
    common: input.common,
    parentHeader: decoded.parentHeader,
    block: decoded.block,
    witness: decoded.witness,
    pacing,
    maxGasLimit: maxVerifiableL2GasLimit(schedule),
    bundle: {
      ...bundle,
      // Re-execution is only reachable when the caller paid for it.
      policy: { ...bundle.policy, allowReexecution: fallbackCost !== undefined && input.gasLimit >= fallbackCost },
    },
  });
  return {
    executionGasUsed: acceptedBy.mode === "proofs" ? cost : (fallbackCost as bigint),
    returnValue: encodeExecuteResult(result),
  };
}

/**
 * Re-execution: the input's price is checked first, then the header and body (codes ≥ 64 before
 * any L2 gas is charged), then the price of the L2 gas those checked fields commit to, and only
 * then does the block run.
 */
async function runReexecution(
  input: PrecompileInput,
  decoded: ExecuteInput,
  schedule: ExecuteGasSchedule,
  pacing: ExecutionPacing,
): Promise<ExecResult> {
  const inputCost = executeGasCost(input.data.length, 0n, schedule);
  if (input.gasLimit < inputCost) return outOfGas(input, inputCost, `${input.data.length} input bytes`);
  const checked = await checkBlockShape({
    chainId: decoded.chainId,
    common: input.common,
    parentHeader: decoded.parentHeader,
    block: decoded.block,
    maxGasLimit: maxVerifiableL2GasLimit(schedule),
  });
  const l2Gas = chargedL2Gas(l2GasClaimOf(checked.block));
  const cost = executeGasCost(input.data.length, l2Gas, schedule);
  if (input.gasLimit < cost) return outOfGas(input, cost, `${input.data.length} input bytes and ${l2Gas} L2 gas`);
  const result = await reexecute(checked, decoded.chainId, decoded.witness, pacing);
  return { executionGasUsed: cost, returnValue: encodeExecuteResult(result) };
}

async function run(
  input: PrecompileInput,
  schedule: ExecuteGasSchedule,
  pacing: ExecutionPacing,
  proofVerification: boolean,
): Promise<ExecResult> {
  const decoded = decodeExecuteInput(input.data);
  if (decoded.proofs.length === 0) return runReexecution(input, decoded, schedule, pacing);
  if (!proofVerification) {
    throw new ExecuteError(
      ExecuteErrorCode.ProofsUnsupported,
      "proof verification is disabled on this chain: send empty proofs to re-execute",
    );
  }
  return runWithProofs(input, decoded, schedule, pacing);
}

/**
 * Creates the EXECUTE precompile. It never touches the L1 state: the block is re-executed on a
 * trie database built from the witness alone. Its L1 gas covers the L2 gas it runs (see gas.ts),
 * so the L1 block gas limit bounds the work of every block and call; within a simulated call it
 * also stops at `callTimeoutMs`, and it lets the node answer other requests while it runs.
 */
export function createExecutePrecompile(options: ExecutePrecompileOptions = {}): ExecutePrecompile {
  const schedule: ExecuteGasSchedule = { ...DEFAULT_EXECUTE_GAS_SCHEDULE, ...options.gas };
  const callTimeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  // Blocks by default: a consensus path must never depend on the wall clock.
  let deadline: number | undefined;
  return {
    address: new Address(hexToBytes(EXECUTE_ADDRESS)),
    schedule,
    callTimeoutMs,
    beforeExecution: (kind) => {
      deadline = kind === "call" ? Date.now() + callTimeoutMs : undefined;
    },
    function: async (input: PrecompileInput): Promise<ExecResult> => {
      const pacing: ExecutionPacing = { deadline, timeoutMs: callTimeoutMs, yieldEveryMs: options.yieldEveryMs };
      try {
        return await run(input, schedule, pacing, options.proofVerification ?? true);
      } catch (error) {
        if (error instanceof ExecuteError) return failure(input.gasLimit, error.code, error.message);
        // Anything else is a verifier bug; the block is not accepted and the reason is kept.
        return failure(
          input.gasLimit,
          ExecuteErrorCode.MalformedInput,
          `EXECUTE failed unexpectedly: ${(error as Error).message}`,
        );
      }
    },
  };
}
