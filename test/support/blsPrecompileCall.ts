import { Common, Hardfork, Mainnet } from "@ethereumjs/common";
import { type EVM, type EVMBLSInterface, createEVM } from "@ethereumjs/evm";
import { bytesToHex, createAddressFromString } from "@ethereumjs/util";

/** How a precompile call ended: its output, its error (EthereumJS's text) and the gas it used. */
export interface PrecompileOutcome {
  readonly returnValue: string;
  readonly error: string | undefined;
  readonly gas: bigint;
}

/** An Osaka EVM (EIP-2537's precompiles) running BLS12-381 on `bls`. */
export async function osakaEvm(bls: EVMBLSInterface): Promise<EVM> {
  return createEVM({ common: new Common({ chain: Mainnet, hardfork: Hardfork.Osaka }), bls });
}

/** Calls precompile `address` with `data` and `gasLimit` on `evm`. */
export async function callPrecompile(
  evm: EVM,
  address: number,
  data: Uint8Array,
  gasLimit: bigint,
): Promise<PrecompileOutcome> {
  const to = createAddressFromString(`0x${address.toString(16).padStart(40, "0")}`);
  const { execResult } = await evm.runCall({ to, data, gasLimit });
  return {
    returnValue: bytesToHex(execResult.returnValue),
    error: execResult.exceptionError?.error,
    gas: execResult.executionGasUsed,
  };
}
