// The framework as a Hardhat plugin: `import "native-rollup/hardhat"` in a project's
// hardhat.config.ts (this repository's own config imports it through ./index). It adds the
// offline compiler, the in-process devnet network (EXECUTE at 0x0101) as the default network,
// the `l1` / `l2` networks of a running devnet, the `devnet`, `rollup:*` and `rollup:init`
// tasks, and the `rollup` config section (./rollupConfig.ts).
import "./typeExtensions";
// hre.ethers: the rollup:* tasks deploy and act through it (a peer dependency, like hardhat).
import "@nomicfoundation/hardhat-ethers";

import { extendConfig } from "hardhat/config";
import type { HttpNetworkConfig } from "hardhat/types";

import { DEV_DERIVATION_PATH, DEV_MNEMONIC } from "../rollup-node/chain/devAccounts";
import { TASK_DEFAULT_URLS } from "../rollup-node/devnet/defaults";
import { IN_PROCESS_L2_NETWORK } from "./inProcessL2Network";
import { IN_PROCESS_NETWORK, IN_PROCESS_URL } from "./inProcessNetwork";
import { resolveRollupConfig } from "./rollupConfig";

import "./solc";
import "./devnet";
import "./rollup";
import "./node";
import "./init";

/** Hardhat's resolved form of an HTTP network; the plugin's networks need nothing unusual. */
function httpNetwork(url: string, accounts: HttpNetworkConfig["accounts"]): HttpNetworkConfig {
  // Other plugins (hardhat-ignition) extend the network type with fields of their own; an empty
  // section makes them use their defaults.
  const network = {
    url,
    accounts,
    gas: "auto",
    gasPrice: "auto",
    gasMultiplier: 1,
    httpHeaders: {},
    timeout: 600_000,
    ignition: {},
  };
  return network as unknown as HttpNetworkConfig;
}

/** The devnet's user accounts (#0–#9 of the public test mnemonic) on both layers. */
const DEV_ACCOUNTS: HttpNetworkConfig["accounts"] = {
  mnemonic: DEV_MNEMONIC,
  path: DEV_DERIVATION_PATH,
  initialIndex: 0,
  count: 10,
  passphrase: "",
};

extendConfig((config, userConfig) => {
  config.rollup = resolveRollupConfig(userConfig.rollup);
  // A project's own network definitions win; the plugin only fills in what is missing.
  const networks = userConfig.networks ?? {};
  // Never dialled: the provider of this network is replaced by the in-process devnet.
  if (networks[IN_PROCESS_NETWORK] === undefined)
    config.networks[IN_PROCESS_NETWORK] = httpNetwork(IN_PROCESS_URL, "remote");
  if (networks.l1 === undefined)
    config.networks.l1 = httpNetwork(process.env.L1_RPC_URL ?? TASK_DEFAULT_URLS.l1, DEV_ACCOUNTS);
  if (networks.l2 === undefined)
    config.networks.l2 = httpNetwork(process.env.L2_RPC_URL ?? TASK_DEFAULT_URLS.l2, DEV_ACCOUNTS);
  // Never dialled either: a whole rollup in-process, its L2 as the network (./inProcessL2Network.ts).
  if (networks[IN_PROCESS_L2_NETWORK] === undefined)
    config.networks[IN_PROCESS_L2_NETWORK] = httpNetwork(IN_PROCESS_URL, DEV_ACCOUNTS);
  // Tests run against the patched EthereumJS EVM: Hardhat's EDR network cannot host EXECUTE.
  if (userConfig.defaultNetwork === undefined) config.defaultNetwork = IN_PROCESS_NETWORK;
});

export type {
  ResolvedRollupConfig,
  RollupGenesisAccountUserConfig,
  RollupPredeployUserConfig,
  RollupUserConfig,
} from "./rollupConfig";
export {
  type ConfiguredDevnetOptions,
  configuredGenesisAlloc,
  devnetOptionsFromConfig,
  readRollupArtifact,
} from "./devnetConfig";
