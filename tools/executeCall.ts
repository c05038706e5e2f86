import { Common, Hardfork, Mainnet } from "@ethereumjs/common";
import { type ExecResult, createEVM } from "@ethereumjs/evm";
import { createAddressFromString } from "@ethereumjs/util";

import { EXECUTE_ADDRESS, type ExecutePrecompile } from "../precompiles";

const CALLER = createAddressFromString("0x00000000000000000000000000000000000ca11e");
const ENOUGH_GAS = 30_000_000n;

/** Runs `precompile` on `data` as a transaction's top-level call on a fresh Osaka EVM, as an L1 would. */
export async function callExecute(precompile: ExecutePrecompile, data: Uint8Array): Promise<ExecResult> {
  const common = new Common({ chain: Mainnet, hardfork: Hardfork.Osaka });
  const evm = await createEVM({ common, customPrecompiles: [precompile] });
  return (
    await evm.runCall({ caller: CALLER, to: createAddressFromString(EXECUTE_ADDRESS), data, gasLimit: ENOUGH_GAS })
  ).execResult;
}
