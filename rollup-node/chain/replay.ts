import { type Block, createBlock } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import { type RunBlockResult, type VM, runBlock } from "@ethereumjs/vm";

import { type CallFrame, CallTracer } from "./callTracer";
import { NotTraceableError } from "./errors";
import { type StructLogOptions, StructLogger, type StructTrace } from "./structLogger";
import type { BeforeExecutionHook } from "./types";

/**
 * Tracing a mined block means re-running it: the block's own header (timestamp, coinbase, base
 * fee, …) on the exact state it was built on, so every opcode sees what it saw the first time.
 * One replay serves every tracer; a tracer only listens to the VM's events while attached.
 */
export interface ReplayTracer {
  attach(): void;
  detach(): void;
}

/** A mined block and what re-running it needs. */
export interface BlockReplay {
  /** The chain's VM; its state manager is moved to `preStateRoot`. */
  readonly vm: VM;
  /** The chain's Common, standing at the block's fork. */
  readonly common: Common;
  readonly block: Block;
  /** The state the block was built on (its parent's, unless dev methods edited the head state). */
  readonly preStateRoot: Uint8Array | undefined;
  readonly beforeExecution?: BeforeExecutionHook;
}

/** Re-runs the first `count` transactions of the block with `tracer` attached. Genesis ran nothing. */
export async function replayBlock(replay: BlockReplay, count: number, tracer: ReplayTracer): Promise<RunBlockResult> {
  const { block } = replay;
  if (block.header.number === 0n) throw new NotTraceableError("genesis is not traceable");
  const upTo = createBlock(
    {
      header: block.header,
      transactions: block.transactions.slice(0, count),
      withdrawals: block.withdrawals,
      uncleHeaders: block.uncleHeaders,
    },
    { common: replay.common },
  );
  replay.beforeExecution?.("block");
  tracer.attach();
  try {
    // skipBlockValidation: a prefix of the block does not match its header's roots or gas used.
    return await runBlock(replay.vm, {
      block: upTo,
      root: replay.preStateRoot,
      generate: true,
      skipBlockValidation: true,
      skipHardForkValidation: true,
    });
  } finally {
    tracer.detach();
  }
}

/** geth's callTracer frame of transaction `index` of the block (the block is run up to it). */
export async function traceCalls(replay: BlockReplay, index: number): Promise<CallFrame | undefined> {
  const tx = replay.block.transactions[index];
  if (tx === undefined) return undefined;
  const tracer = new CallTracer(replay.vm);
  const result = await replayBlock(replay, index + 1, tracer);
  return tracer.result(index, tx, result.results[index]?.totalGasSpent ?? 0n);
}

/** geth's struct-log traces (the default tracer) of the block's transactions, or of its first `count`. */
export async function traceSteps(
  replay: BlockReplay,
  options: StructLogOptions,
  count: number = replay.block.transactions.length,
): Promise<StructTrace[]> {
  const logger = new StructLogger(replay.vm, options);
  await replayBlock(replay, count, logger);
  return logger.traces;
}
