/**
 * A round trip through the native-rollup SDK: deposit ETH from L1 to L2, wait until it is relayed,
 * withdraw part of it back, wait until it is provable on L1, finalize it, and print every status.
 *
 * Run it against the one-command devnet (L1 on :8545, the L2 node on :9545):
 *
 *     npm run devnet                                   # terminal 1
 *     npx ts-node examples/sdk-deposit-withdraw.ts     # terminal 2
 *
 * The rollup address comes from .devnet/rollup.json (written by the devnet, run from the repository
 * root), or from the first argument (the devnet prints it under "Contracts"):
 *
 *     npx ts-node examples/sdk-deposit-withdraw.ts 0xRollupAddress
 *
 * Other endpoints: L1_RPC_URL=http://… L2_RPC_URL=http://… (the same variables hardhat.config.ts reads).
 *
 * It acts with dev account #9 of the public test mnemonic (funded on both layers by the devnet;
 * never use these keys on a real network). The SDK itself reads no files and no environment:
 * this example does, to find the devnet.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

import { HDNodeWallet, JsonRpcProvider, Wallet, formatEther, parseEther } from "ethers";

import { type MessageStatusReport, RollupClient, RollupSdkError, describeStatus } from "../sdk";

const L1_URL = process.env.L1_RPC_URL ?? "http://127.0.0.1:8545";
const L2_URL = process.env.L2_RPC_URL ?? "http://127.0.0.1:9545";
const DEV_MNEMONIC = "test test test test test test test test test test test junk";

function rollupAddress(): string {
  const fromArgs = process.argv[2];
  if (fromArgs !== undefined) return fromArgs;
  const record = path.join(process.cwd(), ".devnet", "rollup.json");
  if (!existsSync(record))
    throw new Error(
      `no rollup address given and no devnet record at ${record}: run this from the folder where npm run devnet runs, or pass the address (npx ts-node examples/sdk-deposit-withdraw.ts 0xRollupAddress)`,
    );
  return (JSON.parse(readFileSync(record, "utf8")) as { address: string }).address;
}

const print = (report: MessageStatusReport): void =>
  console.log(`  ${report.status.padEnd(9)} ${describeStatus(report)}`);

async function main(): Promise<void> {
  const l1 = new JsonRpcProvider(L1_URL, undefined, { pollingInterval: 200 });
  const l2 = new JsonRpcProvider(L2_URL, undefined, { pollingInterval: 200 });
  const key = HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, "m/44'/60'/0'/0/9").privateKey;
  const l1Wallet = new Wallet(key, l1);
  const client = new RollupClient({ l1: l1Wallet, l2: new Wallet(key, l2), rollupAddress: rollupAddress() });
  try {
    const started = Date.now();
    console.log(`rollup ${client.rollupAddress}, account ${l1Wallet.address}`);
    console.log(
      `L1 ${formatEther(await l1.getBalance(l1Wallet.address))} ETH, L2 ${formatEther(await l2.getBalance(l1Wallet.address))} ETH`,
    );

    const deposit = await client.deposit({ amount: parseEther("1") });
    console.log(`deposit: message #${deposit.nonce} ${deposit.messageHash} (L1 tx ${deposit.l1TransactionHash})`);
    await client.waitForMessageStatus(deposit, "relayed", { timeoutMs: 60_000, onStatus: print });

    const withdrawal = await client.withdraw({ amount: parseEther("0.5") });
    console.log(
      `withdrawal: message #${withdrawal.nonce} ${withdrawal.messageHash} (L2 tx ${withdrawal.l2TransactionHash}, L2 block ${withdrawal.l2BlockNumber})`,
    );
    await client.waitForMessageStatus(withdrawal, "provable", { timeoutMs: 120_000, onStatus: print });
    const finalized = await client.finalizeWithdrawal(withdrawal);
    console.log(
      `finalized on L1 (tx ${finalized.l1TransactionHash}, proven against L2 block ${finalized.provenAgainstL2Block})`,
    );
    print(await client.getMessageStatus(withdrawal));

    console.log(
      `L1 ${formatEther(await l1.getBalance(l1Wallet.address))} ETH, L2 ${formatEther(await l2.getBalance(l1Wallet.address))} ETH`,
    );
    console.log(`round trip in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    l1.destroy();
    l2.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  // SDK errors carry a code and a hint that says what to do next (not part of the message).
  if (error instanceof RollupSdkError) console.error(`hint: ${error.hint}`);
  process.exitCode = 1;
});
