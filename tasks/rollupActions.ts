// The actions of the rollup:* tasks (defined in ./rollup.ts). The cross-domain ones are thin
// command-line wrappers over the SDK (sdk/): what they print is what RollupClient reports.
import { formatEther, parseEther } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

import { deployRollup, saveDeployment } from "../deploy/rollup";
import { executeErrorName } from "../precompiles";
import { acceptanceHistory } from "../rollup-node/bridge/acceptance";
import { DEFAULT_ACCOUNT_COUNT, DEFAULT_DEV_BALANCE, deriveDevAccounts } from "../rollup-node/chain/devAccounts";
import { devNodeKeys } from "../rollup-node/node/keys";
import { devnetGenesis, genesisCommitments } from "../rollup-node/devnet/rollupDevnet";
import { genesisSupply } from "../rollup-node/l2/genesis";
import { type L1ToL2Message, type MessageStatusReport, describeStatus } from "../sdk";
import { configuredGenesisAlloc, readRollupArtifact } from "./devnetConfig";
import { type RollupTaskContext, rollupTaskContext } from "./rollupContext";

export interface CommonArgs {
  rollup?: string;
  account: number;
}

async function withContext<T>(hre: HardhatRuntimeEnvironment, args: CommonArgs, run: (ctx: RollupTaskContext) => Promise<T>): Promise<T> {
  const ctx = await rollupTaskContext(hre, { rollup: args.rollup, account: args.account });
  try {
    return await run(ctx);
  } finally {
    ctx.close();
  }
}

/** Prints each new status of a message while the SDK waits on it. */
const progress = (report: MessageStatusReport): void => console.log(`  … ${describeStatus(report)}`);

/** Waits until an L1 → L2 message is relayed on L2. */
async function followToL2(ctx: RollupTaskContext, message: L1ToL2Message): Promise<void> {
  const relayed = await ctx.client.waitForMessageStatus(message, "relayed", { timeoutMs: 120_000, onStatus: progress });
  console.log(`relayed on L2 in block ${relayed.relayedInL2Block ?? "?"} (tx ${relayed.relayTransactionHash ?? "?"})`);
}

export async function deploy(args: { l2ChainId: number; genesisHash?: string; genesisStateRoot?: string; sequencer?: string; inactivity: number; forceInclusion: number; out?: string }, hre: HardhatRuntimeEnvironment): Promise<void> {
  await hre.run("compile", { quiet: true });
  const [deployer] = await hre.ethers.getSigners();
  if (deployer === undefined) throw new Error("the network has no accounts to deploy from");
  // The project's own rollup contract and L2 allocations (hardhat.config.ts `rollup`), as the devnet deploys them.
  const { rollup } = hre.config;
  const contract = rollup.contract === undefined ? undefined : await readRollupArtifact(hre, rollup.contract);
  let genesisHash = args.genesisHash;
  let genesisStateRoot = args.genesisStateRoot;
  let l2GenesisTimestamp: bigint | undefined;
  // A genesis given by hash is the caller's: its supply is theirs to deposit (depositGenesisSupply).
  let supply = 0n;
  if (genesisHash === undefined || genesisStateRoot === undefined) {
    l2GenesisTimestamp = BigInt(Math.floor(Date.now() / 1000));
    const funded = [...deriveDevAccounts(DEFAULT_ACCOUNT_COUNT), devNodeKeys(DEFAULT_DEV_BALANCE).relayer];
    const genesis = devnetGenesis({ genesisAlloc: await configuredGenesisAlloc(hre, rollup), l2GasLimit: rollup.gasLimit }, BigInt(args.l2ChainId), l2GenesisTimestamp, funded);
    ({ hash: genesisHash, stateRoot: genesisStateRoot } = await genesisCommitments(genesis));
    supply = genesisSupply(genesis);
  }
  const deployed = await deployRollup(deployer, {
    l2ChainId: BigInt(args.l2ChainId),
    genesisBlockHash: genesisHash,
    genesisStateRoot,
    sequencer: args.sequencer ?? devNodeKeys().sequencer.address,
    policy: { sequencerInactivityPeriod: BigInt(args.inactivity), forceInclusionDelay: BigInt(args.forceInclusion) },
    genesisSupply: supply,
    ...(contract === undefined ? {} : { contract }),
  });
  const deployment = l2GenesisTimestamp === undefined ? deployed : { ...deployed, l2GenesisTimestamp };
  console.log(`${deployment.contractName ?? "ExampleRollup"} deployed at ${deployment.address} (L1 block ${deployment.deployBlock}, tx ${deployment.transactionHash})`);
  console.log(`L2 chain id ${deployment.l2ChainId}, genesis ${deployment.genesisBlockHash}, sequencer ${deployment.sequencer}`);
  if (args.out !== undefined) {
    await saveDeployment(args.out, deployment);
    console.log(`deployment record written to ${args.out}`);
  }
}

export async function deposit(args: CommonArgs & { amount: string; to?: string }, hre: HardhatRuntimeEnvironment): Promise<void> {
  return withContext(hre, args, async (ctx) => {
    const message = await ctx.client.deposit({ to: args.to, amount: parseEther(args.amount) });
    console.log(`queued on L1: deposit of ${args.amount} ETH to ${message.to} as message #${message.nonce} (tx ${message.l1TransactionHash})`);
    await followToL2(ctx, message);
    console.log(`L2 balance of ${message.to}: ${formatEther(await ctx.l2.getBalance(message.to))} ETH`);
  });
}

export async function sendMessage(args: CommonArgs & { to: string; data: string; gasLimit: number; value: string }, hre: HardhatRuntimeEnvironment): Promise<void> {
  return withContext(hre, args, async (ctx) => {
    const message = await ctx.client.sendMessage({ to: args.to, data: args.data, gasLimit: BigInt(args.gasLimit), value: parseEther(args.value) });
    console.log(`queued on L1: call of ${message.to} as message #${message.nonce} (tx ${message.l1TransactionHash})`);
    await followToL2(ctx, message);
  });
}

export async function withdraw(args: CommonArgs & { amount: string; to?: string; timeout: number }, hre: HardhatRuntimeEnvironment): Promise<void> {
  return withContext(hre, args, async (ctx) => {
    const message = await ctx.client.withdraw({ to: args.to, amount: parseEther(args.amount) });
    console.log(`initiated on L2 in block ${message.l2BlockNumber} (tx ${message.l2TransactionHash}, message ${message.messageHash})`);
    const ready = await ctx.client.waitForMessageStatus(message, "provable", { timeoutMs: args.timeout * 1000, onStatus: progress });
    if (ready.status === "finalized") {
      console.log("already finalized on L1");
      return;
    }
    const done = await ctx.client.finalizeWithdrawal(message);
    console.log(`finalized on L1 against L2 block ${done.provenAgainstL2Block} (tx ${done.l1TransactionHash}); L1 balance of ${message.to}: ${formatEther(await ctx.l1.getBalance(message.to))} ETH`);
  });
}

export async function status(args: CommonArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  return withContext(hre, args, async (ctx) => {
    const s = await ctx.client.getRollupStatus();
    console.log(`rollup          ${s.rollupAddress}`);
    console.log(`L1              chain ${s.l1ChainId}, head ${s.l1Head}`);
    console.log(`L2              chain ${s.l2ChainId}, head ${s.l2Head} (${s.l2HeadHash})`);
    console.log(`accepted on L1  L2 block ${s.acceptedL2Head} (${s.acceptedL2HeadHash})`);
    console.log(`L1 → L2 queue   ${s.l1MessageCount} messages, ${s.pendingL1Messages} pending`);
    console.log(`submitter       ${s.submitter}${s.submitterError === undefined ? "" : `: ${s.submitterError}`}`);
  });
}

export async function blocks(args: CommonArgs & { last: number }, hre: HardhatRuntimeEnvironment): Promise<void> {
  return withContext(hre, args, async (ctx) => {
    const policy = await ctx.client.rollup.proofPolicy();
    const keyNames = new Map(policy.acceptedKeys.map((key, i) => [key.toLowerCase(), `key #${i}`]));
    const history = (await acceptanceHistory(ctx.l1, ctx.rollupAddress)).slice(-args.last);
    if (history.length === 0) console.log("no L2 block submitted to L1 yet");
    for (const b of history) {
      const proofs = b.proofKeys.map((k) => keyNames.get(k.toLowerCase()) ?? `unlisted key ${k.slice(0, 10)}…`).join(", ");
      const how =
        b.mode === "re-executed" ? "re-executed by EXECUTE" : b.mode === "proven" ? `proven by ${proofs}` : b.mode === "optimistic" ? "optimistic" : `proofs (${proofs}) or re-execution`;
      const challenge = b.challenge === undefined ? "" : `: ${executeErrorName(b.challenge.code)} (${b.challenge.reason})`;
      console.log(`L2 block ${b.number}  ${b.blockHash.slice(0, 18)}…  ${b.status}${challenge}, ${how}  (L1 block ${b.l1BlockNumber}, tx ${b.l1TransactionHash})`);
    }
  });
}
