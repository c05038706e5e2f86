// The action of `rollup:genesis` (defined in ./node.ts); loaded when it runs, after compilation.
import path from "node:path";

import { formatEther, getAddress, isAddress, parseEther } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

import { writeGenesisFile } from "../rollup-node/chain/genesisFile";
import { devnetGenesis, genesisCommitments } from "../rollup-node/devnet/rollupDevnet";
import { genesisSupply } from "../rollup-node/l2/genesis";
import { genesisRelayerAddress, keyEnvNames } from "../rollup-node/node/keySources";
import { DEFAULT_RELAYER_GENESIS_BALANCE, devGenesisFunding } from "../rollup-node/node/l2Genesis";
import { configuredGenesisAlloc } from "./devnetConfig";
import { RollupTaskError } from "./rollupContext";

export async function genesis(
  args: { out: string; timestamp?: number; relayer?: string; relayerBalance?: string; dev: boolean },
  hre: HardhatRuntimeEnvironment,
): Promise<void> {
  await hre.run("compile", { quiet: true });
  const { rollup } = hre.config;
  // The node's relayer: --relayer, the configured relayer key's, or with --dev the dev node's (as rollup:deploy and the node command pick it).
  const relayerAddress = await genesisRelayerAddress(args.relayer, args.dev);
  if (relayerAddress === undefined || !isAddress(relayerAddress)) {
    throw new RollupTaskError(
      "NO_RELAYER",
      relayerAddress === undefined
        ? "the genesis must fund the node's relayer, and none was given"
        : `--relayer ${relayerAddress} is not an address`,
      `pass --relayer 0x… (the address of the key the node will relay with), or set ${keyEnvNames("relayer").key}`,
    );
  }
  const timestamp = BigInt(args.timestamp ?? Math.floor(Date.now() / 1000));
  const balance = args.relayerBalance === undefined ? DEFAULT_RELAYER_GENESIS_BALANCE : parseEther(args.relayerBalance);
  const funded = args.dev
    ? devGenesisFunding(getAddress(relayerAddress), balance)
    : [{ address: getAddress(relayerAddress), balance }];
  const config = devnetGenesis(
    { genesisAlloc: await configuredGenesisAlloc(hre, rollup), l2GasLimit: rollup.gasLimit },
    rollup.l2ChainId,
    timestamp,
    funded,
  );
  const out = path.resolve(args.out);
  await writeGenesisFile(out, config);
  const { hash, stateRoot } = await genesisCommitments(config);
  console.log(`L2 genesis written to ${out}`);
  console.log(`chain id ${rollup.l2ChainId}, hash ${hash}, state root ${stateRoot}`);
  console.log(
    `relayer ${getAddress(relayerAddress)} funded with ${formatEther(balance)} ETH (${balance} wei); genesis supply to back on L1: ${formatEther(genesisSupply(config))} ETH (${genesisSupply(config)} wei)`,
  );
}
