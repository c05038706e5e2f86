import { evmMethods, devControls } from "./evm";
import { hardhatMethods } from "./hardhat";
import type { MethodHandler, MethodTable } from "./types";

/**
 * The anvil_* names of the dev methods (Foundry's anvil, and the tools built on it, call these),
 * each the same method as its hardhat_* / evm_* twin. Dev nodes only, like their twins.
 */
function alias(name: string, twin: MethodHandler | undefined): MethodHandler {
  if (twin === undefined) throw new Error(`anvil alias ${name}: its twin method is missing`);
  return (params, backend) => {
    // Checked under the anvil name, so a node without dev controls names the method that was asked.
    devControls(backend, name);
    return twin(params, backend);
  };
}

export const anvilMethods: MethodTable = {
  anvil_setBalance: alias("anvil_setBalance", hardhatMethods.hardhat_setBalance),
  anvil_setNonce: alias("anvil_setNonce", hardhatMethods.hardhat_setNonce),
  anvil_setCode: alias("anvil_setCode", hardhatMethods.hardhat_setCode),
  anvil_setStorageAt: alias("anvil_setStorageAt", hardhatMethods.hardhat_setStorageAt),
  // anvil_mine(blocks, interval) takes hardhat_mine's arguments.
  anvil_mine: alias("anvil_mine", hardhatMethods.hardhat_mine),
  anvil_getAutomine: alias("anvil_getAutomine", hardhatMethods.hardhat_getAutomine),
  anvil_setAutomine: alias("anvil_setAutomine", evmMethods.evm_setAutomine),
  anvil_snapshot: alias("anvil_snapshot", evmMethods.evm_snapshot),
  anvil_revert: alias("anvil_revert", evmMethods.evm_revert),
  anvil_increaseTime: alias("anvil_increaseTime", evmMethods.evm_increaseTime),
  anvil_setNextBlockTimestamp: alias("anvil_setNextBlockTimestamp", evmMethods.evm_setNextBlockTimestamp),
};
