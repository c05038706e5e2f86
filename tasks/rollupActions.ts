// The actions of the rollup:* tasks (defined in ./rollup.ts).
import { bytesToHex } from "@ethereumjs/util";
import { Contract, formatEther, getAddress, parseEther } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

import { deployRollup, saveDeployment } from "../deploy/rollup";
import { executeErrorName } from "../precompiles/errors";
import { acceptanceHistory } from "../rollup-node/bridge/acceptance";
import { L2_BRIDGE_INTERFACE } from "../rollup-node/bridge/contracts";
import { L2_BRIDGE_ADDRESS } from "../rollup-node/bridge/messages";
import { Chain } from "../rollup-node/chain/chain";
import { DEFAULT_DEV_BALANCE, deriveDevAccounts } from "../rollup-node/devnet/accounts";
import { DEFAULT_ACCOUNT_COUNT } from "../rollup-node/devnet/l1Devnet";
import { devNodeKeys } from "../rollup-node/node/keys";
import { devL2Genesis } from "../rollup-node/node/l2Genesis";
import { type RollupTaskContext, rollupTaskContext, waitFor } from "./rollupContext";

export interface CommonArgs {
  rollup?: string;
  account: number;
}

type Status = { status: string } & Record<string, unknown>;

async function withContext<T>(hre: HardhatRuntimeEnvironment, args: CommonArgs, run: (ctx: RollupTaskContext) => Promise<T>): Promise<T> {
  const ctx = await rollupTaskContext(hre, { rollup: args.rollup, account: args.account });
  try {
    return await run(ctx);
  } finally {
    ctx.close();
  }
}

async function messageStatus(ctx: RollupTaskContext, query: object): Promise<Status> {
  return (await ctx.l2.send("rollup_getMessageStatus", [query])) as Status;
}

/** Waits until the L1 → L2 message queued by `l1TxHash` is relayed on L2, printing each step. */
async function followToL2(ctx: RollupTaskContext, l1TxHash: string): Promise<void> {
  const status = await waitFor(
    async () => {
      const s = await messageStatus(ctx, { l1TransactionHash: l1TxHash });
      return s.status === "relayed" ? s : undefined;
    },
    async () => {
      const s = await messageStatus(ctx, { l1TransactionHash: l1TxHash });
      return s.status === "anchored" ? `anchored in L2 block ${BigInt(s.anchoredInL2Block as string)}, waiting for the relay` : `${s.status} on L1, waiting for the sequencer`;
    },
    120_000,
  );
  console.log(`relayed on L2 in block ${BigInt(status.relayedInL2Block as string)} (tx ${status.relayTransactionHash as string})`);
}

export async function deploy(args: { l2ChainId: number; genesisHash?: string; genesisStateRoot?: string; sequencer?: string; inactivity: number; forceInclusion: number; out?: string }, hre: HardhatRuntimeEnvironment): Promise<void> {
    await hre.run("compile", { quiet: true });
    const [deployer] = await hre.ethers.getSigners();
    if (deployer === undefined) throw new Error("the network has no accounts to deploy from");
    let genesisHash = args.genesisHash;
    let genesisStateRoot = args.genesisStateRoot;
    let l2GenesisTimestamp: bigint | undefined;
    if (genesisHash === undefined || genesisStateRoot === undefined) {
      l2GenesisTimestamp = BigInt(Math.floor(Date.now() / 1000));
      const keys = devNodeKeys(DEFAULT_DEV_BALANCE);
      const genesis = devL2Genesis({ chainId: BigInt(args.l2ChainId), timestamp: l2GenesisTimestamp, funded: [...deriveDevAccounts(DEFAULT_ACCOUNT_COUNT), keys.relayer] });
      const head = (await Chain.create({ genesis })).head;
      genesisHash = bytesToHex(head.hash());
      genesisStateRoot = bytesToHex(head.header.stateRoot);
    }
    const deployed = await deployRollup(deployer, {
      l2ChainId: BigInt(args.l2ChainId),
      genesisBlockHash: genesisHash,
      genesisStateRoot,
      sequencer: args.sequencer ?? devNodeKeys().sequencer.address,
      policy: { sequencerInactivityPeriod: BigInt(args.inactivity), forceInclusionDelay: BigInt(args.forceInclusion) },
    });
    const deployment = l2GenesisTimestamp === undefined ? deployed : { ...deployed, l2GenesisTimestamp };
    console.log(`ExampleRollup deployed at ${deployment.address} (L1 block ${deployment.deployBlock}, tx ${deployment.transactionHash})`);
    console.log(`L2 chain id ${deployment.l2ChainId}, genesis ${deployment.genesisBlockHash}, sequencer ${deployment.sequencer}`);
    if (args.out !== undefined) {
      await saveDeployment(args.out, deployment);
      console.log(`deployment record written to ${args.out}`);
    }
  }

export async function deposit(args: CommonArgs & { amount: string; to?: string }, hre: HardhatRuntimeEnvironment): Promise<void> {
  return withContext(hre, args, async (ctx) => {
      const to = getAddress(args.to ?? ctx.l1Signer.address);
      const tx = await ctx.rollup.depositETH(to, { value: parseEther(args.amount) });
      await tx.wait();
      console.log(`queued on L1: deposit of ${args.amount} ETH to ${to} (tx ${tx.hash})`);
      await followToL2(ctx, tx.hash);
      console.log(`L2 balance of ${to}: ${formatEther(await ctx.l2.getBalance(to))} ETH`);
    });
}

export async function sendMessage(args: CommonArgs & { to: string; data: string; gasLimit: number; value: string }, hre: HardhatRuntimeEnvironment): Promise<void> {
  return withContext(hre, args, async (ctx) => {
      const tx = await ctx.rollup.sendMessage(getAddress(args.to), args.gasLimit, args.data, { value: parseEther(args.value) });
      await tx.wait();
      console.log(`queued on L1: call of ${args.to} (tx ${tx.hash})`);
      await followToL2(ctx, tx.hash);
    });
}

export async function withdraw(args: CommonArgs & { amount: string; to?: string; timeout: number }, hre: HardhatRuntimeEnvironment): Promise<void> {
  return withContext(hre, args, async (ctx) => {
      const to = getAddress(args.to ?? ctx.l1Signer.address);
      const bridge = new Contract(L2_BRIDGE_ADDRESS, L2_BRIDGE_INTERFACE, ctx.l2Signer);
      const tx = (await bridge.getFunction("withdraw")(to, { value: parseEther(args.amount) })) as { hash: string; wait(): Promise<{ blockNumber: number } | null> };
      const receipt = await tx.wait();
      console.log(`initiated on L2 in block ${receipt?.blockNumber} (tx ${tx.hash})`);
      await waitFor(
        async () => {
          const s = await messageStatus(ctx, { l2TransactionHash: tx.hash });
          return s.status === "initiated" ? undefined : s;
        },
        async () => {
          const s = (await ctx.l2.send("rollup_status", [])) as Record<string, string>;
          return `waiting for L1 to accept L2 block ${receipt?.blockNumber} (accepted: ${BigInt(s.acceptedL2Head as string)}, L2 head: ${BigInt(s.l2Head as string)})`;
        },
        args.timeout * 1000,
      );
      const proof = (await ctx.l2.send("rollup_getWithdrawalProof", [{ l2TransactionHash: tx.hash }])) as {
        l2BlockNumber: string;
        message: { nonce: string; from: string; to: string; value: string; data: string };
        accountProof: string[];
        storageProof: string[];
        finalized: boolean;
      };
      if (proof.finalized) {
        console.log("already finalized on L1");
        return;
      }
      console.log(`provable against L2 block ${BigInt(proof.l2BlockNumber)}: finalizing on L1`);
      const finalize = await ctx.rollup.finalizeMessage(proof.l2BlockNumber, proof.message, proof.accountProof, proof.storageProof);
      await finalize.wait();
      console.log(`finalized on L1 (tx ${finalize.hash}); L1 balance of ${to}: ${formatEther(await ctx.l1.getBalance(to))} ETH`);
    });
}

export async function status(args: CommonArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  return withContext(hre, args, async (ctx) => {
    const s = (await ctx.l2.send("rollup_status", [])) as Record<string, string>;
    const n = (key: string): string => BigInt(s[key] as string).toString();
    console.log(`rollup          ${s.rollupAddress}`);
    console.log(`L1              chain ${n("l1ChainId")}, head ${s.l1Head}`);
    console.log(`L2              chain ${n("l2ChainId")}, head ${n("l2Head")} (${s.l2HeadHash})`);
    console.log(`accepted on L1  L2 block ${n("acceptedL2Head")} (${s.acceptedL2HeadHash})`);
    console.log(`L1 → L2 queue   ${n("l1MessageCount")} messages, ${n("pendingL1Messages")} pending`);
    console.log(`submitter       ${s.submitter}${s.submitterError === undefined ? "" : `: ${s.submitterError}`}`);
  });
}

export async function blocks(args: CommonArgs & { last: number }, hre: HardhatRuntimeEnvironment): Promise<void> {
  return withContext(hre, args, async (ctx) => {
    const policy = await ctx.rollup.proofPolicy();
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
