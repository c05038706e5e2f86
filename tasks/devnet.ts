import { task, types } from "hardhat/config";

import { DEFAULT_HARDFORK } from "../rollup-node/chain/genesis";
import { DEFAULT_L1_CHAIN_ID, DEFAULT_L1_PORT } from "../rollup-node/devnet/l1Devnet";
import { runL1DevnetForeground } from "../rollup-node/devnet/run";

interface DevnetTaskArgs {
  host: string;
  port: number;
  fork: string;
  blockTime?: number;
  chainId: number;
}

task("devnet", "Starts the L1 devnet (EthereumJS, Osaka, EXECUTE at 0x…0101) with JSON-RPC over HTTP")
  .addOptionalParam("host", "Interface to listen on", "127.0.0.1", types.string)
  .addOptionalParam("port", "Port to listen on (0 picks a free one)", DEFAULT_L1_PORT, types.int)
  .addOptionalParam("fork", "Hardfork, active from genesis", DEFAULT_HARDFORK, types.string)
  .addOptionalParam("blockTime", "Mine a block every N ms instead of one per transaction", undefined, types.int)
  .addOptionalParam("chainId", "Chain id", Number(DEFAULT_L1_CHAIN_ID), types.int)
  .setAction(async (args: DevnetTaskArgs) => {
    await runL1DevnetForeground({
      host: args.host,
      port: args.port,
      hardfork: args.fork,
      blockTime: args.blockTime,
      chainId: BigInt(args.chainId),
    });
  });
