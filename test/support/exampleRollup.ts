// The attack tests on the in-process hardhat L1 (EXECUTE included) deploy one ExampleRollup on an
// L2 genesis or head, most on a chain of seeded signers and L2Bridge: these are that deployment
// and that chain, written once.
import type { BlockHeader } from "@ethereumjs/block";
import { bytesToHex } from "@ethereumjs/util";
import { artifacts, ethers } from "hardhat";

import { L2_BRIDGE_ADDRESS } from "../../protocol/messages";
import { messageWeight } from "../../rollup-node/bridge/anchor";
import { TestSigner } from "../../tools/l2Fixtures";
import { L2TestChain } from "../../tools/l2TestChain";
import type { ExampleRollup } from "../../typechain-types";

/** depositETH's gas limit (NativeRollup.DEPOSIT_GAS_LIMIT). */
export const DEPOSIT_GAS_LIMIT = 100_000n;

/**
 * L1 gas `NativeRollup._burnForWeight` burns when a message of `gasLimit` and `dataLength` bytes is
 * queued, restated from its rule: 2/3 per unit of weight above a deposit's, none at or below it.
 */
export function messageBurn(gasLimit: bigint, dataLength: number): bigint {
  const above = messageWeight(gasLimit, dataLength) - messageWeight(DEPOSIT_GAS_LIMIT, 0);
  return above > 0n ? (above * 2n) / 3n : 0n;
}

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

/** L2 ETH of each seeded signer, and of L2Bridge (which pays relayed deposits). */
const SIGNER_BALANCE = 10n ** 20n;
const BRIDGE_BALANCE = 10n ** 27n;

/**
 * An L2 test chain whose genesis funds `TestSigner.fromSeed(seed)` for each of `seeds` and holds
 * L2Bridge's code (the attack tests' chain: blocks built by hand, relays to the real bridge).
 */
export async function seededBridgeChain(chainId: bigint, seeds: readonly number[]): Promise<L2TestChain> {
  const bridgeArtifact = await artifacts.readArtifact("L2Bridge");
  const probe = await L2TestChain.create(chainId, []);
  return L2TestChain.create(chainId, [
    ...seeds.map((seed) => ({
      address: TestSigner.fromSeed(seed, probe.common).address.toString(),
      balance: SIGNER_BALANCE,
    })),
    { address: L2_BRIDGE_ADDRESS, code: bridgeArtifact.deployedBytecode, balance: BRIDGE_BALANCE },
  ]);
}
