import type { Common } from "@ethereumjs/common";

// The light door (no proof path): the capture thread loads this module too (chain/captureWorker.ts).
import { genesisForkCommon } from "../../precompiles/verify";
import { DEFAULT_HARDFORK } from "./defaults";
import { ChainConfigError } from "./errors";
import { SHARED_KZG } from "../../precompiles/verify";

/**
 * A Common for `chainId` with every fork up to `hardfork` active at genesis, and no mainnet
 * block-number schedule (see `genesisForkCommon`): the sequencer's rules are EXECUTE's. It carries the
 * process-wide lazy KZG: blob transactions, blob sidecars and the point-evaluation precompile
 * need one, and it costs nothing until first used.
 */
export function createChainCommon(chainId: bigint, hardfork: string = DEFAULT_HARDFORK): Common {
  try {
    return genesisForkCommon(chainId, { hardfork, customCrypto: { kzg: SHARED_KZG } });
  } catch (error) {
    throw new ChainConfigError(
      `cannot configure hardfork "${hardfork}": ${(error as Error).message}`,
      "use a fork name known to @ethereumjs/common, e.g. osaka or prague",
    );
  }
}
