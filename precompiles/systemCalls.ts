import type { Common } from "@ethereumjs/common";
import type { EVMInterface, EVMResult, EVMRunCallOpts } from "@ethereumjs/evm";
import type { StateManagerInterface } from "@ethereumjs/common";
import { createAddressFromString, equalsBytes, hexToBytes } from "@ethereumjs/util";

import {
  BEACON_ROOTS,
  CONSOLIDATION_REQUESTS,
  HISTORY_STORAGE,
  type SystemContract,
  WITHDRAWAL_REQUESTS,
} from "./systemContracts";

/** The caller of every system call (EIP-4788 and its successors). */
const SYSTEM_ADDRESS = "0xfffffffffffffffffffffffffffffffffffffffe";

/**
 * Calls the execution specs run through `process_checked_system_transaction` (Prague, Osaka):
 * the target must hold code and the call must not fail, or the block is invalid. EthereumJS
 * 10.1.3 instead turns a missing account, an account without code or a failed call into an
 * empty request list and accepts the block.
 */
export const CHECKED_SYSTEM_CALLS: readonly SystemContract[] = [WITHDRAWAL_REQUESTS, CONSOLIDATION_REQUESTS];

/**
 * Calls the specs run unchecked (`process_unchecked_system_transaction`): an account without
 * code is allowed and a failure is ignored. EthereumJS does not run these calls: it writes the
 * storage the EIP's contract would write. That equals the specs' call exactly when the address
 * holds no code (nothing happens in both) or the EIP's code (which cannot fail when called by
 * the system address with 30M gas); any other code would run in the specs and not here.
 */
export const UNCHECKED_SYSTEM_CALLS: readonly SystemContract[] = [BEACON_ROOTS, HISTORY_STORAGE];

/** A system call whose outcome makes the block invalid. */
export class SystemCallError extends Error {
  readonly code = "SYSTEM_CALL_FAILED";
  readonly hint = "give the chain the fork's system contracts (their EIP code, nonce 1) at genesis";
  constructor(
    readonly contract: SystemContract,
    reason: string,
  ) {
    super(`EIP-${contract.eip} system call to ${contract.address} ${reason}`);
    this.name = "SystemCallError";
  }
}

function activeIn(common: Common, contracts: readonly SystemContract[]): SystemContract[] {
  return contracts.filter((c) => common.isActivatedEIP(c.eip));
}

/**
 * Checks, on the pre-state of a block, that every unchecked system call EthereumJS applies
 * as a storage write targets no code or the EIP's code (see `UNCHECKED_SYSTEM_CALLS`).
 */
export async function checkUncheckedSystemContracts(common: Common, state: StateManagerInterface): Promise<void> {
  for (const contract of activeIn(common, UNCHECKED_SYSTEM_CALLS)) {
    const code = await state.getCode(createAddressFromString(contract.address));
    if (code.length > 0 && !equalsBytes(code, hexToBytes(contract.code as `0x${string}`))) {
      throw new SystemCallError(
        contract,
        "targets code other than the EIP's, which EthereumJS would not run as the execution specs do",
      );
    }
  }
}

/** Watches the checked system calls of one `runBlock`; `verdict` throws if one failed or was skipped. */
export interface SystemCallWatch {
  /** Throws `SystemCallError` for the first checked call that failed, had no code, or never ran. */
  verdict(): void;
  /** Restores the EVM; call it whatever happened. */
  stop(): void;
}

/**
 * Starts watching the checked system calls (EIP-7002, EIP-7251) on `evm`: each is a top-level
 * `runCall` from the system address, which no transaction can make (it has no key).
 */
export function watchSystemCalls(common: Common, evm: EVMInterface): SystemCallWatch {
  const watched = new Map(activeIn(common, CHECKED_SYSTEM_CALLS).map((c) => [c.address.toLowerCase(), c]));
  const outcomes = new Map<string, string | undefined>();
  const original = evm.runCall;
  const runCall = async (opts: EVMRunCallOpts): Promise<EVMResult> => {
    const target = opts.to?.toString().toLowerCase();
    const contract = target === undefined ? undefined : watched.get(target);
    if (
      opts.message !== undefined ||
      contract === undefined ||
      opts.caller?.toString().toLowerCase() !== SYSTEM_ADDRESS
    ) {
      return original.call(evm, opts);
    }
    const code = await evm.stateManager.getCode(opts.to!);
    const result = await original.call(evm, opts);
    const error = result.execResult.exceptionError;
    outcomes.set(
      target!,
      code.length === 0
        ? "targets an account without code"
        : error !== undefined
          ? `failed: ${error.error}`
          : undefined,
    );
    return result;
  };
  evm.runCall = runCall;
  return {
    verdict(): void {
      for (const [address, contract] of watched) {
        if (!outcomes.has(address))
          throw new SystemCallError(contract, "targets an address without an account (no code)");
        const failure = outcomes.get(address);
        if (failure !== undefined) throw new SystemCallError(contract, failure);
      }
    },
    stop(): void {
      if (evm.runCall === runCall) evm.runCall = original;
    },
  };
}
