import path from "node:path";

import { HDNodeWallet, JsonRpcProvider, Wallet } from "ethers";
import type { HardhatRuntimeEnvironment, HttpNetworkConfig } from "hardhat/types";

import { type RollupDeployment, loadDeployment } from "../deploy/rollup";
import { DEV_DERIVATION_PATH, DEV_MNEMONIC } from "../rollup-node/chain/devAccounts";
import { DEFAULT_DATA_DIR, DEPLOYMENT_FILE } from "../rollup-node/devnet/defaults";
import { RollupClient } from "../sdk";
import { NodeError } from "../rollup-node/errors";

/** A rollup:* task cannot run (no deployment, no network). */
export class RollupTaskError extends NodeError {
  constructor(code: string, message: string, hint: string) {
    super(code, `${message}\nhint: ${hint}`, hint);
  }
}

/** Both layers, as the rollup:* tasks use them: the SDK client on the user's wallets, and the raw providers. */
export interface RollupTaskContext {
  readonly l1: JsonRpcProvider;
  readonly l2: JsonRpcProvider;
  readonly l1Signer: Wallet;
  readonly l2Signer: Wallet;
  readonly client: RollupClient;
  readonly rollupAddress: string;
  close(): void;
}

function networkUrl(hre: HardhatRuntimeEnvironment, name: string): string {
  const network = hre.config.networks[name] as HttpNetworkConfig | undefined;
  if (network?.url === undefined) throw new RollupTaskError("NO_NETWORK", `hardhat.config.ts has no "${name}" network`, `add networks.${name} with the node's URL`);
  return network.url;
}

/** The rollup the tasks act on: `--rollup` if given, else the devnet's record (with its deployment block). */
export async function resolveRollup(explicit: string | undefined, dataDir: string = DEFAULT_DATA_DIR): Promise<{ address: string; deployBlock?: number }> {
  if (explicit !== undefined) return { address: explicit };
  const file = path.resolve(dataDir, DEPLOYMENT_FILE);
  const deployment: RollupDeployment | undefined = await loadDeployment(file);
  if (deployment === undefined) throw new RollupTaskError("NO_ROLLUP", `no rollup given and ${file} does not exist`, "start the devnet (npm run devnet) or pass --rollup 0x…");
  return { address: deployment.address, deployBlock: deployment.deployBlock };
}

/** Dev account `index` of the test mnemonic (the same keys the `l1` and `l2` networks use). */
export function devWallet(index: number, provider: JsonRpcProvider): Wallet {
  const child = HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `${DEV_DERIVATION_PATH}/${index}`);
  return new Wallet(child.privateKey, provider);
}

export async function rollupTaskContext(hre: HardhatRuntimeEnvironment, options: { rollup?: string; account: number }): Promise<RollupTaskContext> {
  const l1 = new JsonRpcProvider(networkUrl(hre, "l1"), undefined, { pollingInterval: 100, cacheTimeout: -1 });
  const l2 = new JsonRpcProvider(networkUrl(hre, "l2"), undefined, { pollingInterval: 100, cacheTimeout: -1 });
  const rollup = await resolveRollup(options.rollup);
  const l1Signer = devWallet(options.account, l1);
  const l2Signer = devWallet(options.account, l2);
  return {
    l1,
    l2,
    l1Signer,
    l2Signer,
    client: new RollupClient({
      l1: l1Signer,
      l2: l2Signer,
      rollupAddress: rollup.address,
      ...(rollup.deployBlock === undefined ? {} : { l1FromBlock: BigInt(rollup.deployBlock) }),
      pollingIntervalMs: 200,
    }),
    rollupAddress: rollup.address,
    close: () => {
      l1.destroy();
      l2.destroy();
    },
  };
}
