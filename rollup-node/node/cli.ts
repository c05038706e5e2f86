import path from "node:path";
import { parseArgs } from "node:util";

import { bytesToHex } from "@ethereumjs/util";
import { JsonRpcProvider } from "ethers";

import { loadDeployment } from "../../deploy/rollup";
import { Chain } from "../chain/chain";
import { runCli, untilStopSignal } from "../cli";
import { DEFAULT_ACCOUNT_COUNT, DEFAULT_DEV_BALANCE, deriveDevAccounts } from "../chain/devAccounts";
import { NodeError } from "../errors";
import { startFollowerNode } from "../follower/service";
import { DEFAULT_L2_RPC_PORT } from "../l2/rpc";
import { createLineLogger } from "../logger";
import { devNodeKeys, nodeRelayer } from "./keys";
import { devL2Genesis } from "./l2Genesis";
import { startRollupNode } from "./rollupNode";

/** Thrown for arguments the node cannot start with. */
export class NodeCliError extends NodeError {}

const USAGE =
  "usage: ts-node rollup-node/node/cli.ts --deployment FILE --l1-rpc URL [--role sequencer|follower] [--data-dir DIR] [--host H] [--port N] [--reset] " +
  "[--block-time MS] [--empty-blocks] (sequencer) [--sequencer-rpc URL] [--finality-depth N] (follower)";

/** Prints this line on stdout once the node serves JSON-RPC (parents wait for it). */
export const READY_PREFIX = "L2 node ready at ";

/**
 * Starts the L2 node of a devnet rollup deployed earlier (`rollup.json` of the devnet or of
 * `rollup:deploy`): the dev genesis is rebuilt from the record and checked against the hash the
 * rollup contract was deployed with. Used for a node in its own process (crash tests, a second node).
 */
async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      deployment: { type: "string" },
      "l1-rpc": { type: "string" },
      "data-dir": { type: "string" },
      host: { type: "string" },
      port: { type: "string" },
      "block-time": { type: "string" },
      reset: { type: "boolean" },
      "empty-blocks": { type: "boolean" },
      role: { type: "string" },
      "sequencer-rpc": { type: "string" },
      "finality-depth": { type: "string" },
    },
  });
  // sequencer: produce and submit blocks; follower: derive them from L1 (rollup-node/follower).
  const role = values.role ?? "sequencer";
  if (role !== "sequencer" && role !== "follower") throw new NodeCliError("CLI_USAGE", `unknown --role ${role}`, USAGE);
  if (values.deployment === undefined || values["l1-rpc"] === undefined) throw new NodeCliError("CLI_USAGE", "--deployment and --l1-rpc are required", USAGE);
  const deployment = await loadDeployment(values.deployment);
  if (deployment === undefined) throw new NodeCliError("NO_DEPLOYMENT", `${values.deployment} does not exist`, "deploy first (npm run devnet, or npx hardhat rollup:deploy)");
  if (deployment.l2GenesisTimestamp === undefined) throw new NodeCliError("NO_GENESIS", "the deployment record has no L2 genesis timestamp", "deploy with the devnet or rollup:deploy, which record it");
  const devKeys = devNodeKeys(DEFAULT_DEV_BALANCE);
  // The devnet records its own relayer key (not the public mnemonic's); rollup:deploy records none.
  const keys = deployment.relayerKey === undefined ? devKeys : { ...devKeys, relayer: nodeRelayer(DEFAULT_DEV_BALANCE, deployment.relayerKey) };
  const genesis = devL2Genesis({
    chainId: deployment.l2ChainId,
    timestamp: deployment.l2GenesisTimestamp,
    funded: [...deriveDevAccounts(DEFAULT_ACCOUNT_COUNT, DEFAULT_DEV_BALANCE), keys.relayer],
  });
  const genesisHash = bytesToHex((await Chain.create({ genesis })).head.hash());
  if (genesisHash !== deployment.genesisBlockHash) {
    throw new NodeCliError("GENESIS_MISMATCH", `the rebuilt L2 genesis ${genesisHash} is not the rollup's ${deployment.genesisBlockHash}`, "this node only follows rollups whose genesis is the dev genesis");
  }
  const l1Provider = new JsonRpcProvider(values["l1-rpc"], undefined, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
  const write = (line: string): void => void process.stderr.write(`${line}\n`);
  if (role === "follower") {
    // Needs only L1, the record and the genesis: no keys, and its own data directory by default
    // (a sequencer's directory is not a follower's).
    const follower = await startFollowerNode({
      dataDir: path.resolve(values["data-dir"] ?? path.join(path.dirname(values.deployment), "follower")),
      reset: values.reset === true,
      genesis,
      l1Provider,
      rollupAddress: deployment.address,
      deployBlock: deployment.deployBlock,
      rpc: { host: values.host, port: values.port === undefined ? DEFAULT_L2_RPC_PORT : Number(values.port) },
      sequencerRpc: values["sequencer-rpc"],
      finalityDepth: values["finality-depth"] === undefined ? undefined : Number(values["finality-depth"]),
      logger: (component) => createLineLogger(component, write),
    });
    process.stdout.write(`${READY_PREFIX}${follower.url as string}\n`);
    await untilStopSignal();
    await follower.stop().catch(() => {});
    l1Provider.destroy();
    return;
  }
  const node = await startRollupNode({
    dataDir: path.resolve(values["data-dir"] ?? path.join(path.dirname(values.deployment), "l2")),
    reset: values.reset === true,
    genesis,
    l1Provider,
    rollupAddress: deployment.address,
    deployBlock: deployment.deployBlock,
    keys,
    rpc: { host: values.host, port: values.port === undefined ? DEFAULT_L2_RPC_PORT : Number(values.port) },
    blockTimeMs: values["block-time"] === undefined ? undefined : Number(values["block-time"]),
    allowEmptyBlocks: values["empty-blocks"] === true,
    logger: (component) => createLineLogger(component, write),
  });
  process.stdout.write(`${READY_PREFIX}${node.url as string}\n`);
  await untilStopSignal();
  await node.stop().catch(() => {});
  l1Provider.destroy();
}

if (require.main === module) runCli(() => main(process.argv.slice(2)));
