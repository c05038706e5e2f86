import { formatEther } from "ethers";

import type { RollupDevnet } from "./rollupDevnet";

/** The startup text of the one-command devnet: endpoints, chain ids, contracts, accounts. */
export function rollupDevnetBanner(devnet: RollupDevnet, options: { readonly l2BlockTimeMs: number; readonly resumed: boolean }): string {
  const { deployment } = devnet;
  const lines = [
    `Native rollup devnet ready in ${(devnet.startupMs / 1000).toFixed(1)} s (${options.resumed ? "resumed from" : "fresh chain in"} ${devnet.dataDir})`,
    "",
    `L1  ${devnet.l1Url}   chain id ${devnet.l1ChainId}   EXECUTE at ${devnet.l1.executeAddress}`,
    `L2  ${devnet.l2Url}   chain id ${devnet.l2ChainId}   block time ${options.l2BlockTimeMs} ms`,
    "",
    "Contracts",
    "=========",
    `ExampleRollup (L1)   ${deployment.address}   deployed in L1 block ${deployment.deployBlock}`,
    `L2Bridge (L2)        0x4e41540000000000000000000000000000000001`,
    `Policy               sequencer inactivity ${deployment.policy.sequencerInactivityPeriod} s, force inclusion after ${deployment.policy.forceInclusionDelay} s`,
    "",
    "Node keys (dev mnemonic)",
    "========================",
    `Sequencer / batch submitter (L1)  ${devnet.keys.sequencer.address}`,
    `Relayer (L2)                      ${devnet.keys.relayer.address}`,
    "",
    "Accounts (funded on L1 and L2)",
    "==============================",
    "",
    "WARNING: These accounts, and their private keys, are publicly known.",
    "Any funds sent to them on Mainnet or any other live network WILL BE LOST.",
    "",
  ];
  devnet.accounts.forEach((account, i) => {
    lines.push(`Account #${i}: ${account.address} (${formatEther(account.balance)} ETH)`);
    lines.push(`Private Key: ${account.privateKey}`);
    lines.push("");
  });
  lines.push(
    "Try: npx hardhat rollup:deposit --network l1 --amount 1   |   npx hardhat rollup:status",
    "Run again to resume this chain; pass --reset to start from genesis. Ctrl-C stops.",
  );
  return lines.join("\n");
}
