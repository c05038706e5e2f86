import { formatEther } from "ethers";

import type { DevAccount } from "../chain/devAccounts";
import type { L1Devnet } from "./l1Devnet";

const PUBLIC_KEYS_WARNING = [
  "WARNING: These accounts, and their private keys, are publicly known.",
  "Any funds sent to them on Mainnet or any other live network WILL BE LOST.",
];

/**
 * The dev accounts under `title`, each with its key and balance, in the layout of `hardhat node`.
 * The balance is the genesis funding: on a resumed chain, `balanceNote` (" at genesis") says so,
 * since the chain's transactions since may have moved it.
 */
export function accountsSection(title: string, accounts: readonly DevAccount[], balanceNote = ""): string[] {
  const lines = [title, "=".repeat(title.length), "", ...PUBLIC_KEYS_WARNING, ""];
  accounts.forEach((account, i) => {
    lines.push(`Account #${i}: ${account.address} (${formatEther(account.balance)} ETH${balanceNote})`);
    lines.push(`Private Key: ${account.privateKey}`);
    lines.push("");
  });
  return lines;
}

/** The startup text, in the layout of `hardhat node`. */
export function devnetBanner(devnet: L1Devnet, fork: string, blockTime: number | undefined): string {
  return [
    `Started L1 devnet (EXECUTE at ${devnet.executeAddress}) at ${devnet.url ?? "(in process)"}`,
    `Chain id: ${devnet.chainId}   Fork: ${fork}   Mining: ${blockTime === undefined ? "automine" : `every ${blockTime} ms`}`,
    "",
    ...accountsSection("Accounts", devnet.accounts),
    ...PUBLIC_KEYS_WARNING,
  ].join("\n");
}
