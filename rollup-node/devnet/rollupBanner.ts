import path from "node:path";

import { formatEther } from "ethers";

import { describeSequencing } from "../../deploy/policy";
import { L2_BRIDGE_ADDRESS } from "../l2/genesis";
import { accountsSection } from "./banner";
import { CHALLENGER_ACCOUNT_INDEX, RELAYER_ACCOUNT_INDEX, SEQUENCER_ACCOUNT_INDEX, devNodeKeys } from "../node/keys";
import { DEPLOYMENT_FILE, TASK_DEFAULT_URLS } from "./defaults";
import type { RollupDevnet } from "./rollupDevnet";
import { sequencingSource } from "../node/sequencingRule";

function rollupKind(devnet: RollupDevnet): string {
  if (devnet.deployment.contractName !== undefined) return devnet.deployment.contractName;
  if (devnet.deployment.optimistic !== undefined) return "OptimisticExampleRollup";
  return devnet.deployment.proofPolicy === undefined ? "ExampleRollup" : "ProvenRollup";
}

/**
 * The banner's "Try:" line: commands that work as printed, whatever ports the devnet chose. The
 * tasks ask the L2 node which rollup it serves, so the node URLs are all they need, and only
 * when they are not the tasks' defaults.
 */
export function tryCommands(l1Url: string, l2Url: string): string {
  const flags = [
    l1Url === TASK_DEFAULT_URLS.l1 ? "" : ` --l1-rpc ${l1Url}`,
    l2Url === TASK_DEFAULT_URLS.l2 ? "" : ` --l2-rpc ${l2Url}`,
  ].join("");
  return `Try: npx hardhat rollup:deposit --amount 1${flags}   |   npx hardhat rollup:status${flags}`;
}

/**
 * Rows of `[label, value]` as lines whose values start in one column, `gap` spaces past the
 * longest label: a project's own contract name may be longer than any label written here.
 */
export function alignedRows(rows: readonly (readonly [string, string])[], gap = 3): string[] {
  const width = Math.max(...rows.map(([label]) => label.length)) + gap;
  return rows.map(([label, value]) => `${label.padEnd(width)}${value}`);
}

/**
 * Where a node key of the banner comes from: the public dev mnemonic's account (the one the node
 * command and `rollup:genesis --dev` fall back to), or the devnet's own relayer key, kept in its
 * deployment record — which the node command run on that record relays with (keys.ts
 * `recordedRelayer`, the one definition all three read).
 */
export function keyOrigin(
  devnet: Pick<RollupDevnet, "keys" | "dataDir">,
  role: "sequencer" | "relayer" | "challenger",
): string {
  const index = {
    sequencer: SEQUENCER_ACCOUNT_INDEX,
    relayer: RELAYER_ACCOUNT_INDEX,
    challenger: CHALLENGER_ACCOUNT_INDEX,
  }[role];
  const address = devnet.keys[role]?.address.toLowerCase();
  if (address === devNodeKeys()[role]?.address.toLowerCase()) return `(dev mnemonic #${index})`;
  return `(this devnet's own key, kept in ${path.join(devnet.dataDir, DEPLOYMENT_FILE)}; not the dev mnemonic's #${index})`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** The startup text of the one-command devnet: endpoints, chain ids, contracts, accounts. */
export function rollupDevnetBanner(
  devnet: RollupDevnet,
  options: {
    readonly l2BlockTimeMs: number;
    readonly resumed: boolean;
    /**
     * Milliseconds since the command's process started (the foreground devnet passes it): the wait a
     * user sees, Hardhat's loading and a first run's compile included, beside the devnet's own start.
     */
    readonly sinceCommandStartMs?: number;
  },
): string {
  const { deployment } = devnet;
  // The chain ids padded to one width, so the fields after them line up too (1337 beside 42069).
  const idWidth = Math.max(String(devnet.l1ChainId).length, String(devnet.l2ChainId).length);
  const l1ChainId = String(devnet.l1ChainId).padEnd(idWidth);
  const l2ChainId = String(devnet.l2ChainId).padEnd(idWidth);
  return [
    `Native rollup devnet ready in ${seconds(devnet.startupMs)}${options.sinceCommandStartMs === undefined ? "" : ` (${seconds(options.sinceCommandStartMs)} since the command started, loading and compiling included)`}; ${options.resumed ? "resumed from" : "fresh chain in"} ${devnet.dataDir}`,
    ...(devnet.staleContract === undefined
      ? []
      : [
          `WARNING: ${devnet.staleContract.contractName} changed since it was deployed at ${devnet.staleContract.address}; this chain runs the old code. Run again with --reset to deploy the new one.`,
        ]),
    "",
    ...alignedRows(
      [
        [
          "L1",
          `${devnet.l1Url}   chain id ${l1ChainId}   EXECUTE at ${devnet.l1.executeAddress}   block gas limit ${devnet.l1GasLimit}`,
        ],
        ["L2", `${devnet.l2Url}   chain id ${l2ChainId}   block time ${options.l2BlockTimeMs} ms`],
        ...(devnet.node.dashboard === undefined
          ? []
          : [["Dashboard", `${devnet.l2Url}/   (live heads, accepted blocks and messages in a browser)`] as const]),
      ],
      2,
    ),
    "",
    "Contracts",
    "=========",
    ...alignedRows([
      [`${rollupKind(devnet)} (L1)`, `${deployment.address}   deployed in L1 block ${deployment.deployBlock}`],
      ...(deployment.optimistic === undefined
        ? []
        : [
            [
              "Optimistic mode",
              `challenge window ${deployment.optimistic.challengeWindow} s, proposal bond ${formatEther(deployment.optimistic.proposalBond)} ETH`,
            ] as const,
          ]),
      ["L2Bridge (L2)", L2_BRIDGE_ADDRESS],
      ["Sequencing", `${describeSequencing(devnet.sequencing)} (${sequencingSource(devnet.sequencingUnconfirmed)})`],
      [
        "Force inclusion",
        `a queued L1 message must be in the next block after ${deployment.policy.forceInclusionDelay} s`,
      ],
    ]),
    "",
    "Node keys",
    "=========",
    ...alignedRows(
      [
        ["Sequencer / batch submitter (L1)", `${devnet.keys.sequencer.address}   ${keyOrigin(devnet, "sequencer")}`],
        ["Relayer (L2)", `${devnet.keys.relayer.address}   ${keyOrigin(devnet, "relayer")}`],
        ...(deployment.optimistic === undefined || devnet.keys.challenger === undefined
          ? []
          : [["Challenger (L1)", `${devnet.keys.challenger.address}   ${keyOrigin(devnet, "challenger")}`] as const]),
      ],
      2,
    ),
    "",
    ...(options.resumed
      ? accountsSection("Accounts (funded on L1 and L2 at genesis)", devnet.accounts, " at genesis")
      : accountsSection("Accounts (funded on L1 and L2)", devnet.accounts)),
    tryCommands(devnet.l1Url, devnet.l2Url),
    `Run again on ${devnet.dataDir}, without --reset, to resume this chain; --reset starts from genesis. Ctrl-C stops.`,
  ].join("\n");
}
