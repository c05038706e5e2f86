import type { ContractRunner } from "ethers";

import { executeErrorName } from "../../precompiles";
import { type DecodedRevert, decodeRollupRevert as decodeRevert } from "../../protocol";
import { ExampleRollup__factory, OptimisticExampleRollup__factory } from "../../typechain-types";
import type { ExampleRollup } from "../../typechain-types/examples/ExampleRollup";
import type { OptimisticExampleRollup } from "../../typechain-types/examples/OptimisticExampleRollup";
import type { L2Bridge } from "../../typechain-types/l2/L2Bridge";

export type { ExampleRollup, L2Bridge, OptimisticExampleRollup };

// The ABIs and their decoding live in protocol/, shared with the SDK. Every rollup inherits
// NativeRollup's ABI, so the node reads any rollup through it.
export { EXECUTE_ERROR_INTERFACE, L2_BRIDGE_INTERFACE, OPTIMISTIC_ROLLUP_INTERFACE, NATIVE_ROLLUP_INTERFACE as ROLLUP_INTERFACE, revertDataOf } from "../../protocol";
export type { DecodedRevert } from "../../protocol";

export function connectRollup(address: string, runner: ContractRunner): ExampleRollup {
  return ExampleRollup__factory.connect(address, runner);
}

export function connectOptimisticRollup(address: string, runner: ContractRunner): OptimisticExampleRollup {
  return OptimisticExampleRollup__factory.connect(address, runner);
}

/** Decodes revert data of `advance` / `finalizeMessage` / `propose`, naming EXECUTE's error codes. */
export function decodeRollupRevert(data: string): DecodedRevert | undefined {
  return decodeRevert(data, executeErrorName);
}
