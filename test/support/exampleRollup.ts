// The attack tests on the in-process hardhat L1 (EXECUTE included) deploy one ExampleRollup on an
// L2 genesis or head: this is that deployment, written once.
import type { BlockHeader } from "@ethereumjs/block";
import { bytesToHex } from "@ethereumjs/util";
import { ethers } from "hardhat";

import type { ExampleRollup } from "../../typechain-types";

/** The rollup's chain id, sequencer and sequencing policy (seconds). */
export interface ExampleRollupParams {
  readonly chainId: bigint;
  readonly sequencer: string | undefined;
  readonly inactivityPeriod: bigint;
  readonly forceInclusionDelay: bigint;
}

/** Deploys an ExampleRollup whose genesis is `header` (its hash and state root). */
export async function deployExampleRollupOn(header: BlockHeader, params: ExampleRollupParams): Promise<ExampleRollup> {
  return (await ethers.deployContract("ExampleRollup", [
    params.chainId,
    bytesToHex(header.hash()),
    bytesToHex(header.stateRoot),
    params.sequencer,
    { sequencerInactivityPeriod: params.inactivityPeriod, forceInclusionDelay: params.forceInclusionDelay },
  ])) as unknown as ExampleRollup;
}
