import { Interface, type ContractRunner, isHexString } from "ethers";

import { executeErrorName } from "../../precompiles";
import { ExampleRollup__factory, L2Bridge__factory, OptimisticExampleRollup__factory } from "../../typechain-types";
import type { ExampleRollup } from "../../typechain-types/examples/ExampleRollup";
import type { OptimisticExampleRollup } from "../../typechain-types/examples/OptimisticExampleRollup";
import type { L2Bridge } from "../../typechain-types/l2/L2Bridge";

export type { ExampleRollup, L2Bridge, OptimisticExampleRollup };

/** Every rollup inherits NativeRollup's ABI; ExampleRollup's is that ABI plus its constructor. */
export const ROLLUP_INTERFACE: Interface = ExampleRollup__factory.createInterface() as unknown as Interface;
/** OptimisticRollup's ABI: NativeRollup's plus propose / challenge / finalize / prove and their events and errors. */
export const OPTIMISTIC_ROLLUP_INTERFACE: Interface = OptimisticExampleRollup__factory.createInterface() as unknown as Interface;
export const L2_BRIDGE_INTERFACE: Interface = L2Bridge__factory.createInterface() as unknown as Interface;
/** EXECUTE's revert, which `advance` bubbles up unchanged (declared in Execute.sol). */
export const EXECUTE_ERROR_INTERFACE = new Interface(["error ExecuteInvalid(uint8 code, string reason)"]);

export function connectRollup(address: string, runner: ContractRunner): ExampleRollup {
  return ExampleRollup__factory.connect(address, runner);
}

export function connectOptimisticRollup(address: string, runner: ContractRunner): OptimisticExampleRollup {
  return OptimisticExampleRollup__factory.connect(address, runner);
}

/** A revert of the rollup contract or of EXECUTE, decoded. */
export interface DecodedRevert {
  readonly name: string;
  readonly args: readonly unknown[];
  /** EXECUTE's error code when the revert is ExecuteInvalid. */
  readonly executeCode?: number;
  /** One line for logs: `ExecuteInvalid(StateRootMismatch=72, "…")`. */
  readonly text: string;
}

/** Decodes revert data of `advance` / `finalizeMessage`; undefined for data no known ABI explains. */
export function decodeRollupRevert(data: string): DecodedRevert | undefined {
  if (!isHexString(data) || data.length < 10) return undefined;
  const execute = EXECUTE_ERROR_INTERFACE.parseError(data);
  if (execute !== null) {
    const code = Number(execute.args[0]);
    const reason = String(execute.args[1]);
    return { name: execute.name, args: [code, reason], executeCode: code, text: `ExecuteInvalid(${executeErrorName(code)}=${code}, "${reason}")` };
  }
  // OptimisticRollup's errors are a superset of NativeRollup's.
  const parsed = OPTIMISTIC_ROLLUP_INTERFACE.parseError(data) ?? ROLLUP_INTERFACE.parseError(data);
  if (parsed === null) return undefined;
  const args = [...parsed.args] as unknown[];
  return { name: parsed.name, args, text: `${parsed.name}(${args.map(String).join(", ")})` };
}

/** The revert data an ethers error carries, wherever the provider put it. */
export function revertDataOf(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const visit = (value: unknown): string | undefined => {
    if (typeof value !== "object" || value === null || seen.has(value)) return undefined;
    seen.add(value);
    const record = value as Record<string, unknown>;
    if (typeof record.data === "string" && isHexString(record.data) && record.data.length >= 10) return record.data;
    for (const key of ["error", "info", "cause"]) {
      const found = visit(record[key]);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return visit(error);
}
