import { MAX_DEV_TIMESTAMP } from "../../chain/chain";
import { RpcError, RpcErrorCode, invalidParams } from "../errors";
import { parseQuantity, quantity } from "../hex";
import type { RpcBackend } from "../backend";
import type { DevControls } from "../backend";
import type { MethodTable } from "./types";

/** The backend's dev controls, or "method not found" for backends without them (an L2 node). */
export function devControls(backend: RpcBackend, method: string): DevControls {
  if (backend.dev === undefined)
    throw new RpcError(RpcErrorCode.MethodNotFound, `the method ${method} does not exist/is not available`);
  return backend.dev;
}

/**
 * A block timestamp a dev method may set: at most `MAX_DEV_TIMESTAMP`, so that a wrong value is
 * an invalid-params error instead of a chain that can mine no further block.
 */
export function parseDevTimestamp(value: unknown, name: string): bigint {
  const timestamp = parseQuantity(value, name);
  if (timestamp > MAX_DEV_TIMESTAMP)
    throw invalidParams(
      `${name}: timestamp ${timestamp} is past the largest dev timestamp ${MAX_DEV_TIMESTAMP} (2^63 - 1)`,
    );
  return timestamp;
}

function parseSnapshotId(value: unknown): number {
  return Number(parseQuantity(value, "snapshotId"));
}

/** The evm_* dev namespace (Hardhat/Ganache/Anvil compatible). */
export const evmMethods: MethodTable = {
  evm_snapshot: (_params, backend) => quantity(devControls(backend, "evm_snapshot").snapshot()),
  evm_revert: async (params, backend) => devControls(backend, "evm_revert").revert(parseSnapshotId(params[0])),
  evm_mine: async (params, backend) => {
    devControls(backend, "evm_mine");
    const timestamp =
      params[0] === undefined || params[0] === null ? undefined : parseDevTimestamp(params[0], "timestamp");
    await backend.mine(timestamp === undefined ? {} : { timestamp });
    return "0x0";
  },
  evm_increaseTime: (params, backend) => {
    devControls(backend, "evm_increaseTime");
    const seconds = parseQuantity(params[0], "seconds");
    const next = backend.chain.nextTimestamp() + seconds;
    if (next > MAX_DEV_TIMESTAMP) {
      throw invalidParams(
        `seconds: moving the clock by ${seconds} s would put the next block's timestamp at ${next}, past the largest dev timestamp ${MAX_DEV_TIMESTAMP} (2^63 - 1)`,
      );
    }
    return Number(backend.chain.increaseTime(seconds));
  },
  evm_setNextBlockTimestamp: (params, backend) => {
    devControls(backend, "evm_setNextBlockTimestamp");
    backend.chain.setNextBlockTimestamp(parseDevTimestamp(params[0], "timestamp"));
    return null;
  },
  evm_setAutomine: (params, backend) => {
    if (typeof params[0] !== "boolean") throw invalidParams("enabled: expected a boolean");
    devControls(backend, "evm_setAutomine").setAutomine(params[0]);
    return null;
  },
};
