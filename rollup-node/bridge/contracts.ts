import type { ContractRunner } from "ethers";

import { executeErrorName } from "../../precompiles";
import { type DecodedRevert, decodeRollupRevert as decodeRevert } from "../../protocol";
import { INativeRollup__factory, OptimisticExampleRollup__factory } from "../../typechain-types";
import type { INativeRollup } from "../../typechain-types";
import type { OptimisticExampleRollup } from "../../typechain-types/examples/OptimisticExampleRollup";
import type { L2Bridge } from "../../typechain-types/l2/L2Bridge";

export type { L2Bridge, OptimisticExampleRollup };

/** The rollup contract as the node drives it: any contract implementing INativeRollup. */
export type RollupContract = INativeRollup;
/** @deprecated The node binds to the interface: use RollupContract (kept while callers move). */
export type ExampleRollup = RollupContract;

// The ABIs and their decoding live in protocol/, shared with the SDK. Every rollup inherits
// NativeRollup's ABI, so the node reads any rollup through it.
export {
  EXECUTE_ERROR_INTERFACE,
  EXECUTOR_FAILURE_INTERFACE,
  L2_BRIDGE_INTERFACE,
  OPTIMISTIC_ROLLUP_INTERFACE,
  NATIVE_ROLLUP_INTERFACE as ROLLUP_INTERFACE,
  revertDataOf,
} from "../../protocol";
export type { DecodedRevert } from "../../protocol";

export function connectRollup(address: string, runner: ContractRunner): RollupContract {
  return INativeRollup__factory.connect(address, runner);
}

export function connectOptimisticRollup(address: string, runner: ContractRunner): OptimisticExampleRollup {
  return OptimisticExampleRollup__factory.connect(address, runner);
}

/** Decodes revert data of `advance` / `finalizeMessage` / `propose`, naming EXECUTE's error codes. */
export function decodeRollupRevert(data: string): DecodedRevert | undefined {
  return decodeRevert(data, executeErrorName);
}
