import { RpcError, RpcErrorCode, invalidParams } from "../errors";
import { parseQuantity, quantity } from "../hex";
import type { RpcBackend } from "../backend";
import type { DevControls } from "../backend";
import type { MethodTable } from "./types";

/** The backend's dev controls, or "method not found" for backends without them (an L2 node). */
export function devControls(backend: RpcBackend, method: string): DevControls {
  if (backend.dev === undefined) throw new RpcError(RpcErrorCode.MethodNotFound, `the method ${method} does not exist/is not available`);
  return backend.dev;
}

function parseSnapshotId(value: unknown): number {
  return Number(parseQuantity(value, "snapshotId"));
}

/** The evm_* dev namespace (Hardhat/Ganache/Anvil compatible). */
export const evmMethods: MethodTable = {
  evm_snapshot: ({}, backend) => quantity(devControls(backend, "evm_snapshot").snapshot()),
  evm_revert: async (params, backend) => devControls(backend, "evm_revert").revert(parseSnapshotId(params[0])),
  evm_mine: async (params, backend) => {
    devControls(backend, "evm_mine");
    const timestamp = params[0] === undefined || params[0] === null ? undefined : parseQuantity(params[0], "timestamp");
    await backend.mine(timestamp === undefined ? {} : { timestamp });
    return "0x0";
  },
  evm_increaseTime: (params, backend) => {
    devControls(backend, "evm_increaseTime");
    const seconds = parseQuantity(params[0], "seconds");
    return Number(backend.chain.increaseTime(seconds));
  },
  evm_setNextBlockTimestamp: (params, backend) => {
    devControls(backend, "evm_setNextBlockTimestamp");
    backend.chain.setNextBlockTimestamp(parseQuantity(params[0], "timestamp"));
    return null;
  },
  evm_setAutomine: (params, backend) => {
    if (typeof params[0] !== "boolean") throw invalidParams("enabled: expected a boolean");
    devControls(backend, "evm_setAutomine").setAutomine(params[0]);
    return null;
  },
};
