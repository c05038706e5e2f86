import path from "node:path";

import { Contract, HDNodeWallet, JsonRpcProvider, Network, Wallet } from "ethers";
import type { HardhatRuntimeEnvironment, HttpNetworkConfig } from "hardhat/types";

import { type RollupDeployment, loadDeployment } from "../deploy/rollup";
import { DEV_DERIVATION_PATH, DEV_MNEMONIC } from "../rollup-node/chain/devAccounts";
import { DEFAULT_DATA_DIR, DEPLOYMENT_FILE, TASK_DEFAULT_URLS } from "../rollup-node/devnet/defaults";
import { RollupClient, assertRollupContract } from "../sdk";
import { type HardhatAccounts, taskSigningKey } from "../rollup-node/node/keySources";
import { NodeUnreachableError, RPC_ENV, RollupTaskError } from "./taskErrors";
import { accountIndex, addressOption } from "./taskInput";

export { RollupTaskError };

/** How long a node may take to answer the first call before the task says it is unreachable. */
export const NODE_PROBE_TIMEOUT_MS = 5_000;

/** Where the tasks find the devnet: both nodes, its data directory, or the rollup named outright. */
export interface ConnectionArgs {
  readonly l1Rpc?: string;
  readonly l2Rpc?: string;
  readonly dataDir?: string;
  readonly rollup?: string;
}

/** The tasks that send transactions act as a dev account. */
export interface SignerArgs extends ConnectionArgs {
  readonly account: number;
  /** Allow the public dev keys on an L1 other than the devnet's. */
  readonly dev?: boolean;
}

/** Both layers, as the rollup:* tasks use them: the SDK client on the user's wallets, and the raw providers. */
export interface RollupTaskContext {
  readonly l1: JsonRpcProvider;
  readonly l2: JsonRpcProvider;
  readonly l1Url: string;
  readonly l2Url: string;
  /** Dev account `--account` on each layer; undefined for the read-only tasks. */
  readonly l1Signer?: Wallet;
  readonly l2Signer?: Wallet;
  readonly client: RollupClient;
  readonly rollupAddress: string;
  /**
   * The connection and signer flags this task was given, each ` --flag value`, for the follow-up
   * command a hint prints: without them that command dials the default nodes, another rollup's.
   */
  readonly repeatFlags: string;
  close(): void;
}

/**
 * The flags a follow-up command must repeat to reach the same rollup as the task that printed it:
 * those given on its command line (an environment variable still holds in the same shell).
 */
export function repeatFlags(args: ConnectionArgs & { account?: number; dev?: boolean }): string {
  const flags: string[] = [];
  if (args.l1Rpc !== undefined) flags.push(`--l1-rpc ${args.l1Rpc}`);
  if (args.l2Rpc !== undefined) flags.push(`--l2-rpc ${args.l2Rpc}`);
  if (args.rollup !== undefined) flags.push(`--rollup ${args.rollup}`);
  if (args.dataDir !== undefined && args.dataDir !== DEFAULT_DATA_DIR) flags.push(`--data-dir ${args.dataDir}`);
  if (args.account !== undefined && args.account !== 0) flags.push(`--account ${args.account}`);
  if (args.dev === true) flags.push("--dev");
  return flags.map((flag) => ` ${flag}`).join("");
}

function networkUrl(hre: HardhatRuntimeEnvironment, name: "l1" | "l2"): string | undefined {
  return (hre.config.networks[name] as HttpNetworkConfig | undefined)?.url;
}

/** The URL of each node: --l1-rpc / --l2-rpc, else L1_RPC_URL / L2_RPC_URL, else the config's `l1` / `l2` networks. */
export function endpointUrls(
  hre: HardhatRuntimeEnvironment,
  args: Pick<ConnectionArgs, "l1Rpc" | "l2Rpc">,
  env: NodeJS.ProcessEnv = process.env,
): { l1: string; l2: string } {
  const pick = (layer: "L1" | "L2", flag: string | undefined, network: "l1" | "l2"): string => {
    const url = flag ?? env[RPC_ENV[layer]] ?? networkUrl(hre, network);
    if (url === undefined)
      throw new RollupTaskError(
        "NO_NETWORK",
        `no ${layer} node given`,
        `pass --${network}-rpc <url>, set ${RPC_ENV[layer]}, or add networks.${network} to hardhat.config.ts`,
      );
    if (!/^https?:\/\//.test(url))
      throw new RollupTaskError(
        "INVALID_INPUT",
        `the ${layer} node URL "${url}" is not an http(s) URL`,
        `pass e.g. --${network}-rpc ${TASK_DEFAULT_URLS[network]}`,
      );
    return url;
  };
  return { l1: pick("L1", args.l1Rpc, "l1"), l2: pick("L2", args.l2Rpc, "l2") };
}

/**
 * Asks the node at `url` for its chain id, with a deadline: ethers' provider would retry a
 * refused connection forever ("failed to detect network"), so the tasks ask once themselves.
 */
export async function probeNode(
  layer: "L1" | "L2",
  url: string,
  timeoutMs: number = NODE_PROBE_TIMEOUT_MS,
): Promise<bigint> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const inner = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
    const cause =
      (error as { name?: string }).name === "TimeoutError"
        ? `no answer in ${timeoutMs} ms`
        : typeof inner?.code === "string"
          ? inner.code
          : typeof inner?.message === "string"
            ? inner.message
            : String((error as Error).message ?? error);
    throw new NodeUnreachableError(layer, url, cause);
  }
  const body = (await response.json().catch(() => undefined)) as { result?: unknown } | undefined;
  if (!response.ok || typeof body?.result !== "string")
    throw new NodeUnreachableError(
      layer,
      url,
      `it answered HTTP ${response.status} without a chain id: is it a JSON-RPC endpoint?`,
    );
  return BigInt(body.result);
}

/** The rollup a node serves (`rollup_status`), or undefined for a node without the rollup_* methods. */
async function servedRollup(l2: JsonRpcProvider): Promise<string | undefined> {
  try {
    const status = (await l2.send("rollup_status", [])) as { rollupAddress?: unknown };
    return typeof status.rollupAddress === "string" ? status.rollupAddress : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The rollup the tasks act on: `--rollup` if given; else the one the L2 node serves (its
 * `rollup_status`: it cannot be stale, whatever ports or data directory the devnet uses); else
 * the devnet's record in `dataDir` (with the deployment block, which speeds up message lookups).
 */
export async function resolveRollup(options: {
  explicit?: string;
  dataDir?: string;
  served?: () => Promise<string | undefined>;
}): Promise<{ address: string; deployBlock?: number }> {
  const file = path.resolve(options.dataDir ?? DEFAULT_DATA_DIR, DEPLOYMENT_FILE);
  const deployment: RollupDeployment | undefined = await loadDeployment(file).catch(() => undefined);
  const recorded = (address: string): { address: string; deployBlock?: number } =>
    deployment !== undefined && deployment.address.toLowerCase() === address.toLowerCase()
      ? { address, deployBlock: deployment.deployBlock }
      : { address };
  if (options.explicit !== undefined) return recorded(addressOption("--rollup", options.explicit));
  const served = await options.served?.();
  if (served !== undefined) return recorded(served);
  if (deployment === undefined) {
    throw new RollupTaskError(
      "NO_ROLLUP",
      `no rollup given, the L2 node does not report one (rollup_status) and ${file} does not exist`,
      "start the devnet (npx hardhat devnet), pass --data-dir of the devnet you started, or --rollup 0x…",
    );
  }
  return { address: deployment.address, deployBlock: deployment.deployBlock };
}

/** The address of dev account `index`, without a provider. */
export function devAccountAddress(index: number): string {
  return HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `${DEV_DERIVATION_PATH}/${accountIndex(index)}`).address;
}

/**
 * The L2 node must serve the rollup's own L2 chain: a node of another rollup (or an L1 given as
 * --l2-rpc) would take a deposit's wait, and every L2 read, elsewhere.
 */
async function assertL2OfRollup(
  l1: JsonRpcProvider,
  rollup: string,
  l2: JsonRpcProvider,
  l2ChainId: bigint,
  l2Url: string,
): Promise<void> {
  const contract = new Contract(
    rollup,
    ["function L2_CHAIN_ID() view returns (uint64)", "function stateRootOf(uint64) view returns (bytes32)"],
    l1,
  );
  let expected: bigint;
  let genesisStateRoot: string;
  try {
    expected = (await contract.getFunction("L2_CHAIN_ID")()) as bigint;
    genesisStateRoot = (await contract.getFunction("stateRootOf")(0n)) as string;
  } catch {
    // Not a NativeRollup: the checks of the address (assertRollupContract, NO_ROLLUP) say so.
    return;
  }
  if (expected !== l2ChainId)
    throw new RollupTaskError(
      "L2_OTHER_CHAIN",
      `the L2 node at ${l2Url} is chain ${l2ChainId}, and the rollup ${rollup} is L2 chain ${expected}`,
      "point --l2-rpc (or L2_RPC_URL) at this rollup's L2 node: rollup:node prints its URL, the devnet's banner too",
    );
  // One chain id, another genesis: a rollup started from another genesis (the template's rollups
  // all kept one default chain id), whose node would take a deposit's wait as surely.
  const served = (await l2.getBlock(0))?.stateRoot;
  if (served !== undefined && served !== null && served.toLowerCase() !== genesisStateRoot.toLowerCase())
    throw new RollupTaskError(
      "L2_OTHER_GENESIS",
      `the L2 node at ${l2Url} is chain ${l2ChainId} from the genesis state root ${served}, and the rollup ${rollup} started from ${genesisStateRoot}`,
      "point --l2-rpc (or L2_RPC_URL) at this rollup's L2 node: another rollup of the same L2 chain id answers there",
    );
}

/** Connects to both nodes (each answers first, or the task says which URL did not), finds the rollup and builds the SDK client. */
export async function rollupTaskContext(
  hre: HardhatRuntimeEnvironment,
  args: ConnectionArgs & { account?: number; dev?: boolean },
): Promise<RollupTaskContext> {
  if (args.account !== undefined) accountIndex(args.account);
  if (args.rollup !== undefined) addressOption("--rollup", args.rollup);
  const urls = endpointUrls(hre, args);
  const [l1ChainId, l2ChainId] = await Promise.all([probeNode("L1", urls.l1), probeNode("L2", urls.l2)]);
  const provider = (url: string, chainId: bigint): JsonRpcProvider =>
    new JsonRpcProvider(url, Network.from(chainId), { staticNetwork: true, pollingInterval: 100, cacheTimeout: -1 });
  const l1 = provider(urls.l1, l1ChainId);
  const l2 = provider(urls.l2, l2ChainId);
  const close = (): void => {
    l1.destroy();
    l2.destroy();
  };
  try {
    const rollup = await resolveRollup({
      explicit: args.rollup,
      dataDir: args.dataDir,
      served: () => servedRollup(l2),
    });
    const code = await l1.getCode(rollup.address);
    // An address the user typed is checked first, in their words: an account is no rollup.
    if (args.rollup !== undefined && code === "0x") {
      throw new RollupTaskError(
        "NOT_A_CONTRACT",
        `--rollup ${rollup.address} has no code on the L1 node at ${urls.l1}: it is an account, not a rollup contract`,
        'pass the rollup contract\'s address: rollup:deploy prints it and writes it to its deployment record ("address"), the devnet to .devnet/rollup.json',
      );
    }
    if (args.rollup !== undefined) await assertRollupContract(l1, rollup.address);
    if (code === "0x") {
      throw new RollupTaskError(
        "NO_ROLLUP",
        `there is no contract at ${rollup.address} on the L1 node at ${urls.l1}`,
        // An L1 and its L2 never share a chain id: one node given twice (the L2 as --l1-rpc) is the likelier mistake.
        `${l1ChainId === l2ChainId ? `--l1-rpc ${urls.l1} and --l2-rpc ${urls.l2} answer the same chain id (${l1ChainId}): --l1-rpc must be the rollup's L1 (the devnet's is ${TASK_DEFAULT_URLS.l1}); else ` : ""}the record may be from an earlier devnet (started with --reset or another --data-dir): pass --rollup, --data-dir, or point --l2-rpc at the node of this rollup`,
      );
    }
    await assertL2OfRollup(l1, rollup.address, l2, l2ChainId, urls.l2);
    // The user's key: NATIVE_ROLLUP_USER_KEY, else the `l1` network's accounts; a dev key only on the devnet's L1 or with --dev.
    const key =
      args.account === undefined
        ? undefined
        : await taskSigningKey(
            (hre.config.networks.l1 as HttpNetworkConfig | undefined)?.accounts as HardhatAccounts,
            l1ChainId,
            { index: args.account, dev: args.dev === true },
          );
    const l1Signer = key === undefined ? undefined : new Wallet(key.reveal(), l1);
    const l2Signer = key === undefined ? undefined : new Wallet(key.reveal(), l2);
    return {
      l1,
      l2,
      l1Url: urls.l1,
      l2Url: urls.l2,
      repeatFlags: repeatFlags(args),
      ...(l1Signer === undefined ? {} : { l1Signer }),
      ...(l2Signer === undefined ? {} : { l2Signer }),
      client: new RollupClient({
        l1: l1Signer ?? l1,
        l2: l2Signer ?? l2,
        rollupAddress: rollup.address,
        ...(rollup.deployBlock === undefined ? {} : { l1FromBlock: BigInt(rollup.deployBlock) }),
        pollingIntervalMs: 200,
      }),
      rollupAddress: rollup.address,
      close,
    };
  } catch (error) {
    close();
    throw error;
  }
}
