import { Common, type CustomCrypto, Hardfork, Mainnet } from "@ethereumjs/common";
import { type ExecResult, createEVM } from "@ethereumjs/evm";
import { createAddressFromString } from "@ethereumjs/util";

import {
  EXECUTE_ADDRESS,
  type ExecutePrecompile,
  encodeExecuteInput,
  evmOptions,
  executeGasCostOfBlock,
} from "../precompiles";
import type { BuiltBlock } from "./l2TestChain";

/** The sender of every call: EXECUTE does not read it. */
const CALLER = createAddressFromString("0x00000000000000000000000000000000000ca11e");
/** More than EXECUTE charges for any test input (a bare runCall has no per-transaction gas cap). */
const DEFAULT_GAS_LIMIT = 30_000_000n;
/** The L1 devnet's fork. */
const DEFAULT_HARDFORK: string = Hardfork.Osaka;

/** What a test may vary in the call to EXECUTE; each default is declared above, once. */
export interface ExecuteCallOptions {
  /** The gas the call is given (EXECUTE uses all of it when that is too little). */
  readonly gasLimit?: bigint;
  /** The L1's fork (EXECUTE's memo keys on it). */
  readonly hardfork?: string;
  /** The crypto the L1's Common names (EXECUTE uses it, and its memo keys on it); Common's own if not given. */
  readonly customCrypto?: CustomCrypto;
}

/** Runs `precompile` on `data` as a transaction's top-level call on a fresh EVM, as an L1 would. */
export async function callExecute(
  precompile: ExecutePrecompile,
  data: Uint8Array,
  options: ExecuteCallOptions = {},
): Promise<ExecResult> {
  const common = new Common({
    chain: Mainnet,
    hardfork: options.hardfork ?? DEFAULT_HARDFORK,
    customCrypto: options.customCrypto,
  });
  const evm = await createEVM(evmOptions({ common, customPrecompiles: [precompile] }));
  const to = createAddressFromString(EXECUTE_ADDRESS);
  const gasLimit = options.gasLimit ?? DEFAULT_GAS_LIMIT;
  return (await evm.runCall({ caller: CALLER, to, data, gasLimit })).execResult;
}

/** EXECUTE's input for a built L2 block (no proofs) and the gas `precompile` charges for it. */
export function blockExecuteCall(
  built: BuiltBlock,
  chainId: bigint,
  precompile: ExecutePrecompile,
): { readonly data: Uint8Array; readonly gasLimit: bigint } {
  const data = encodeExecuteInput({
    chainId,
    parentHeader: built.parentHeader,
    block: built.blockRlp,
    witness: built.witness,
    proofs: new Uint8Array(),
  });
  return { data, gasLimit: executeGasCostOfBlock(data.length, built.blockRlp, precompile.schedule) };
}
