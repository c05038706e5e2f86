import { formatEther } from "ethers";

import type { L1Devnet } from "./l1Devnet";

/** The startup text, in the layout of `hardhat node`. */
export function devnetBanner(devnet: L1Devnet, fork: string, blockTime: number | undefined): string {
  const lines = [
    `Started L1 devnet (EXECUTE at ${devnet.executeAddress}) at ${devnet.url ?? "(in process)"}`,
    `Chain id: ${devnet.chainId}   Fork: ${fork}   Mining: ${blockTime === undefined ? "automine" : `every ${blockTime} ms`}`,
    "",
    "Accounts",
    "========",
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
  lines.push("WARNING: These accounts, and their private keys, are publicly known.");
  lines.push("Any funds sent to them on Mainnet or any other live network WILL BE LOST.");
  return lines.join("\n");
}
