import { task, types } from "hardhat/config";

import { DEFAULT_HARDFORK } from "../rollup-node/chain/genesis";
import { DEFAULT_L1_CHAIN_ID, DEFAULT_L1_PORT } from "../rollup-node/devnet/l1Devnet";
import { parseEther } from "ethers";

import {
  DEFAULT_CHALLENGE_WINDOW,
  DEFAULT_DATA_DIR,
  DEFAULT_L2_BLOCK_TIME_MS,
  DEFAULT_L2_CHAIN_ID,
  DEFAULT_PROPOSAL_BOND,
} from "../rollup-node/devnet/defaults";
import { runL1DevnetForeground } from "../rollup-node/devnet/run";
import { DEFAULT_L2_RPC_PORT } from "../rollup-node/l2/rpc";

interface DevnetTaskArgs {
  host: string;
  port: number;
  l2Port: number;
  fork: string;
  blockTime?: number;
  l2BlockTime: number;
  chainId: number;
  l2ChainId: number;
  dataDir: string;
  reset: boolean;
  l1Only: boolean;
  emptyBlocks: boolean;
  proofs?: number;
  optimistic: boolean;
  challengeWindow: number;
  proposalBond: string;
}

task("devnet", "Starts the native rollup devnet: L1 (EXECUTE at 0x…0101) on 8545, the rollup contract, the L2 node on 9545")
  .addOptionalParam("host", "Interface to listen on", "127.0.0.1", types.string)
  .addOptionalParam("port", "L1 port (0 picks a free one)", DEFAULT_L1_PORT, types.int)
  .addOptionalParam("l2Port", "L2 port (0 picks a free one)", DEFAULT_L2_RPC_PORT, types.int)
  .addOptionalParam("fork", "L1 hardfork, active from genesis (--l1-only)", DEFAULT_HARDFORK, types.string)
  .addOptionalParam("blockTime", "Mine an L1 block every N ms instead of one per transaction", undefined, types.int)
  .addOptionalParam("l2BlockTime", "L2 block interval in ms", DEFAULT_L2_BLOCK_TIME_MS, types.int)
  .addOptionalParam("chainId", "L1 chain id", Number(DEFAULT_L1_CHAIN_ID), types.int)
  .addOptionalParam("l2ChainId", "L2 chain id", Number(DEFAULT_L2_CHAIN_ID), types.int)
  .addOptionalParam("dataDir", "Where both chains are kept between runs", DEFAULT_DATA_DIR, types.string)
  .addFlag("reset", "Start both chains from genesis instead of resuming")
  .addFlag("l1Only", "Only the L1 devnet, in memory (the previous behaviour)")
  .addFlag("emptyBlocks", "Produce L2 blocks even without transactions or messages")
  .addOptionalParam("proofs", "Proof mode: N attestation committees; blocks are accepted on their proofs alone", undefined, types.int)
  .addFlag("optimistic", "Optimistic mode: blocks are proposed with a bond, final after the challenge window; the node challenges invalid ones")
  .addOptionalParam("challengeWindow", "Optimistic mode: seconds a proposed block can be challenged", Number(DEFAULT_CHALLENGE_WINDOW), types.int)
  .addOptionalParam("proposalBond", "Optimistic mode: ETH every proposal locks", (Number(DEFAULT_PROPOSAL_BOND) / 1e18).toString(), types.string)
  .setAction(async (args: DevnetTaskArgs, hre) => {
    if (args.l1Only) {
      await runL1DevnetForeground({ host: args.host, port: args.port, hardfork: args.fork, blockTime: args.blockTime, chainId: BigInt(args.chainId) });
      return;
    }
    // The rollup and the L2 genesis need the compiled contracts.
    await hre.run("compile", { quiet: true });
    // Loaded here: the rollup needs the contract bindings that compile just generated.
    const { runRollupDevnetForeground } = await import("../rollup-node/devnet/runRollup");
    await runRollupDevnetForeground({
      host: args.host,
      l1Port: args.port,
      l2Port: args.l2Port,
      l1ChainId: BigInt(args.chainId),
      l2ChainId: BigInt(args.l2ChainId),
      l1BlockTimeMs: args.blockTime,
      l2BlockTimeMs: args.l2BlockTime,
      dataDir: args.dataDir,
      reset: args.reset,
      allowEmptyBlocks: args.emptyBlocks,
      proofs: args.proofs === undefined ? undefined : { committees: args.proofs },
      optimistic: args.optimistic ? { challengeWindow: BigInt(args.challengeWindow), proposalBond: parseEther(args.proposalBond) } : undefined,
    });
  });
