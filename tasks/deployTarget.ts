// Where `rollup:deploy` deploys and with whose key: a Hardhat network the user names (its
// accounts), or an L1 URL with a key from the environment. Never an implicit in-process chain:
// a deployment nobody can reach afterwards is not a deployment (docs/design/any-l1.md).
import { JsonRpcProvider, type Provider, type Signer, Wallet } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

import { deriveDevAccounts } from "../rollup-node/chain/devAccounts";
import { DEFAULT_L1_CHAIN_ID } from "../rollup-node/devnet/l1Devnet";
import { keyEnvNames, resolveRoleKey } from "../rollup-node/node/keySources";
import { RollupTaskError } from "./rollupContext";

/** The deployer's key for `--l1-rpc`: NATIVE_ROLLUP_DEPLOYER_KEY, or _KEYSTORE with its password (rollup-node/node/keySources.ts). */
export const DEPLOYER_KEY_ENV = keyEnvNames("deployer").key;
export const DEPLOYER_KEYSTORE_ENV = keyEnvNames("deployer").keystore;
/** How many of the dev mnemonic's accounts count as dev keys (Hardhat's default account count). */
const DEV_KEY_COUNT = 20;

export interface DeployTarget {
  readonly deployer: Signer;
  readonly provider: Provider;
  readonly l1ChainId: bigint;
  /** "network l1" or "http://…", for messages. */
  readonly description: string;
  /** The L1's JSON-RPC URL, for the node command the deployment prints. */
  readonly url: string;
  close(): void;
}

/**
 * The L1 and the deployer of `rollup:deploy`. `--l1-rpc` takes the key from NATIVE_ROLLUP_DEPLOYER_KEY
 * or NATIVE_ROLLUP_DEPLOYER_KEYSTORE (+ _PASSWORD), falling back to dev account #0 only on the devnet's
 * chain; `--network` takes the network's first account. A dev-mnemonic key is refused on any other
 * chain unless `dev`: everyone knows those keys.
 */
export async function resolveDeployTarget(
  hre: HardhatRuntimeEnvironment,
  options: { l1Rpc?: string; dev: boolean },
): Promise<DeployTarget> {
  const target = options.l1Rpc !== undefined ? await fromUrl(options.l1Rpc, options.dev) : await fromNetwork(hre);
  const deployer = await target.deployer.getAddress();
  const devKeys = new Set(deriveDevAccounts(DEV_KEY_COUNT).map((a) => a.address.toLowerCase()));
  if (target.l1ChainId !== DEFAULT_L1_CHAIN_ID && devKeys.has(deployer.toLowerCase()) && !options.dev) {
    target.close();
    throw new RollupTaskError(
      "DEV_KEY_OFF_DEVNET",
      `the deployer ${deployer} is a key of the public dev mnemonic, and L1 chain ${target.l1ChainId} is not the devnet (${DEFAULT_L1_CHAIN_ID})`,
      `set ${DEPLOYER_KEY_ENV} (or ${DEPLOYER_KEYSTORE_ENV}) to your own key, or the network's accounts in hardhat.config.ts; pass --dev only for a throwaway local L1`,
    );
  }
  return target;
}

async function fromUrl(url: string, dev: boolean): Promise<DeployTarget> {
  const provider = new JsonRpcProvider(url, undefined, { pollingInterval: 200, cacheTimeout: -1 });
  let l1ChainId: bigint;
  try {
    l1ChainId = (await provider.getNetwork()).chainId;
  } catch (error) {
    provider.destroy();
    throw new RollupTaskError(
      "L1_UNREACHABLE",
      `no L1 answers at ${url}: ${(error as Error).message.split("\n")[0]}`,
      "start the L1 node or fix --l1-rpc",
    );
  }
  let deployer: Wallet;
  try {
    // Configured (environment or keystore), else dev account #0 on the devnet's chain only.
    const key = await resolveRoleKey("deployer", { l1ChainId, dev, devFallback: deriveDevAccounts(1)[0]?.privateKey });
    deployer = new Wallet(key.reveal(), provider);
  } catch (error) {
    provider.destroy();
    throw error;
  }
  return { deployer, provider, l1ChainId, description: url, url, close: () => provider.destroy() };
}

async function fromNetwork(hre: HardhatRuntimeEnvironment): Promise<DeployTarget> {
  // hardhatArguments.network is set only when the user named a network: the default (the
  // in-process devnet, a chain that ends with this command) is no place to deploy a rollup to.
  if (hre.hardhatArguments.network === undefined) {
    throw new RollupTaskError(
      "NO_L1",
      "rollup:deploy needs an L1: --network <name> (a network of hardhat.config.ts, with its accounts) or --l1-rpc <url> (with NATIVE_ROLLUP_DEPLOYER_KEY)",
      "the running devnet is --network l1; a testnet is a network you add to hardhat.config.ts (README: Run your rollup on another L1)",
    );
  }
  const [deployer] = await hre.ethers.getSigners();
  if (deployer === undefined)
    throw new RollupTaskError(
      "NO_ACCOUNTS",
      `network ${hre.network.name} has no accounts to deploy from`,
      `set networks.${hre.network.name}.accounts in hardhat.config.ts`,
    );
  const l1ChainId = (await hre.ethers.provider.getNetwork()).chainId;
  return {
    deployer,
    provider: hre.ethers.provider,
    l1ChainId,
    description: `network ${hre.network.name}`,
    // An in-process network has no URL: a node elsewhere could not reach it anyway.
    url: "url" in hre.network.config ? hre.network.config.url : "<the L1's URL>",
    close: () => {},
  };
}
