import type { PrecompileInput } from "@ethereumjs/evm";

import { type ExecutePrecompile, type ExecutePrecompileOptions, createExecutePrecompile } from "../precompiles";

/** EXECUTE with a count of its runs, for `startL1Devnet({ executePrecompile })` (tests and benchmarks). */
export interface CountedExecute {
  readonly precompile: ExecutePrecompile;
  /** Runs since creation (every call of the precompile: simulations, estimates' steps, transactions). */
  readonly runs: () => number;
}

/** The real EXECUTE (`createExecutePrecompile(options)`), counting each time the EVM calls it. */
export function countedExecute(options: ExecutePrecompileOptions = {}): CountedExecute {
  const execute = createExecutePrecompile(options);
  let runs = 0;
  return {
    precompile: {
      ...execute,
      function: (input: PrecompileInput) => {
        runs++;
        return execute.function(input);
      },
    },
    runs: () => runs,
  };
}
