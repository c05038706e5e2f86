// The node command's options, in a module that loads nothing heavy: the Hardhat plugin declares
// `rollup:node`'s parameters from this table while the config loads, before compilation.
import {
  DEFAULT_BLOCK_TIME_MS as DEFAULT_L2_BLOCK_TIME_MS,
  DEFAULT_L2_RPC_PORT,
  DEFAULT_PROPOSAL_SLACK_SHARE,
} from "../l2/defaults";
import { CENSOR_MODES, DEFAULT_CENSOR_MODE } from "../bridge/censorMode";
import { DEFAULT_L1_POLL_MS, MIN_L1_POLL_MS } from "../bridge/l1Polling";
import { DEFAULT_L1_FINALITY_DEPTH } from "../follower/finality";
import { DEFAULT_RPC_HOST, MAX_TCP_PORT } from "../rpc/defaults";
import { DEFAULT_ATTESTER_WAIT_MS } from "../provers/defaults";
import { MAX_TIMER_MS, type OptionSpec, helpText } from "./commandOptions";

/** Every option of the node command, with its one default. */
export const NODE_OPTIONS: readonly OptionSpec[] = [
  {
    name: "deployment",
    type: "string",
    valueName: "FILE",
    isPath: true,
    description: "the rollup's deployment record (rollup:deploy --out, the devnet's .devnet/rollup.json); required",
  },
  {
    name: "genesis",
    type: "string",
    valueName: "FILE",
    isPath: true,
    description:
      "the L2 genesis in geth's genesis.json format (rollup:genesis --out); refused unless its hash is the one the rollup was deployed with. Without it, the genesis kept beside the record (<record>.genesis.json, which the devnet and rollup:deploy write), else the devnet's dev genesis rebuilt from the record (dev keys' L1 only)",
  },
  {
    name: "l1-rpc",
    type: "string",
    valueName: "URL",
    description: "JSON-RPC of the L1 the rollup contract lives on; required",
  },
  {
    name: "role",
    type: "string",
    choices: ["sequencer", "follower"],
    default: "sequencer",
    description:
      "sequencer: build, submit and relay with the node's keys; follower: derive the chain from L1 alone, no keys (with --takeover or --challenge, the keys those need)",
  },
  {
    name: "data-dir",
    type: "string",
    valueName: "DIR",
    isPath: true,
    description: "where the L2 chain is kept (default: l2/ — follower/ for a follower — beside the deployment record)",
  },
  {
    name: "host",
    type: "string",
    valueName: "HOST",
    default: DEFAULT_RPC_HOST,
    description: "interface the L2 JSON-RPC and dashboard listen on",
  },
  {
    name: "port",
    type: "integer",
    default: DEFAULT_L2_RPC_PORT,
    max: MAX_TCP_PORT,
    description: "port of the L2 JSON-RPC and dashboard (0 picks a free one)",
  },
  {
    name: "reset",
    type: "boolean",
    description: "start the L2 chain from genesis instead of resuming the data directory",
  },
  {
    name: "block-time",
    type: "integer",
    valueName: "MS",
    default: DEFAULT_L2_BLOCK_TIME_MS,
    max: MAX_TIMER_MS,
    description: "sequencer: L2 block interval in ms",
  },
  {
    name: "empty-blocks",
    type: "boolean",
    description: "sequencer: produce blocks without transactions or messages too",
  },
  {
    name: "proposal-slack-share",
    type: "fraction",
    valueName: "FRACTION",
    default: DEFAULT_PROPOSAL_SLACK_SHARE,
    description:
      "sequencer of an optimistic rollup: the share, in (0, 1], of the rollup's proposal gas bucket that gas limits reserved and not used may take; a transaction whose gas limit exceeds what is left waits in the pool",
  },
  {
    name: "attesters",
    type: "string",
    valueName: "URL,URL,…",
    description:
      'sequencer of a proof-mode rollup: one committee of external attesters (rollup:attester), member i at the i-th URL; several committees go in the config file\'s "committees"',
  },
  {
    name: "attester-wait",
    type: "integer",
    valueName: "MS",
    default: DEFAULT_ATTESTER_WAIT_MS,
    max: MAX_TIMER_MS,
    description:
      "sequencer of a proof-mode rollup: how long to wait at start for an attester that does not answer yet (one started at the same time), before refusing to start; 0 asks once. An attester that answers with another key, fork or write rules is refused at once",
  },
  {
    name: "takeover",
    type: "boolean",
    description:
      "follower: start sequencing on this data directory once the rollup's rule lets this node's sequencer key (NATIVE_ROLLUP_SEQUENCER_KEY) advance: under fallback sequencing after the sequencer's inactivity period, under based at once. Of an optimistic rollup it also challenges, with a challenger key of its own (NATIVE_ROLLUP_CHALLENGER_KEY or _KEYSTORE): off the devnet's L1 no dev key stands in, even with --dev",
  },
  {
    name: "challenge",
    type: "boolean",
    description:
      "follower of an optimistic rollup: also re-execute every proposal from its L1 data and challenge one EXECUTE would refuse, with the challenger key (NATIVE_ROLLUP_CHALLENGER_KEY or _KEYSTORE; its own account, never the sequencer node's), which must hold L1 ETH for the costliest challenge; a won challenge pays it the removed blocks' bonds. Refused on a rollup that is not optimistic, and with --takeover",
  },
  {
    name: "sequencer-rpc",
    type: "string",
    valueName: "URL,URL,…",
    description:
      "follower: forward eth_sendRawTransaction and txpool_* to this sequencer (without it they are refused: a follower has no pool); after it, the nodes that may take over sequencing, tried in order when it does not answer or is not sequencing",
  },
  {
    name: "l1-poll-interval",
    type: "integer",
    valueName: "MS",
    default: DEFAULT_L1_POLL_MS,
    min: MIN_L1_POLL_MS,
    max: MAX_TIMER_MS,
    description:
      "how often the node reads L1 (its watcher, challenger, safe/finalized heads; a follower when caught up): raise it on a hosted L1 endpoint with a request quota, e.g. 4000 for 12 s L1 blocks",
  },
  {
    name: "finality-depth",
    type: "integer",
    default: DEFAULT_L1_FINALITY_DEPTH,
    description: "L1 blocks on top of an acceptance before the `finalized` tag names it",
  },
  {
    name: "censor",
    type: "string",
    valueName: "ADDRESS,...",
    description:
      "TEST/DEV TOOL, sequencer only: refuse these senders' L2 transactions and hold their L1 messages back until L1 forces them in (to watch forced inclusion work); refused on an L1 other than the devnet's unless --dev",
  },
  {
    name: "censor-mode",
    type: "string",
    choices: CENSOR_MODES,
    default: DEFAULT_CENSOR_MODE,
    description:
      "with --censor: delay = include their L1 messages once L1 forces them (overdue); never = never include them, so L1 refuses this sequencer's blocks once one is overdue and the chain lives on only through another node's take-over",
  },
  {
    name: "dev",
    type: "boolean",
    description: "allow the public dev keys on an L1 other than the devnet (a throw-away chain only)",
  },
  {
    name: "config",
    type: "string",
    valueName: "FILE",
    commandLineOnly: true,
    description:
      'a JSON file with any of these options by name, plus "committees" and "keystores"; the command line wins',
  },
  { name: "help", type: "boolean", commandLineOnly: true, description: "print this help" },
];

export const CONFIG_EXTRAS = ["committees", "keystores"] as const;

/** The roles whose keys a node can take from a keystore named in its config file. */
export const NODE_KEY_ROLES: readonly ("sequencer" | "relayer" | "challenger")[] = [
  "sequencer",
  "relayer",
  "challenger",
];

export const NODE_COMMAND_SUMMARY =
  "Runs the L2 node of a deployed rollup: the sequencer (blocks, batch submission, relaying) or a follower. " +
  "Keys come from NATIVE_ROLLUP_SEQUENCER_KEY / _RELAYER_KEY / _CHALLENGER_KEY, or keystores (NATIVE_ROLLUP_<ROLE>_KEYSTORE with _KEYSTORE_PASSWORD or _KEYSTORE_PASSWORD_FILE); " +
  "the public dev keys only on the devnet's L1 or with --dev.";

/**
 * The one-line usage a refusal's hint shows, for the command as it was run: under Hardhat
 * (`npx hardhat rollup:node`) `--config` is Hardhat's own, so the node's file is `--node-config`.
 */
export function nodeUsage(command = "native-rollup-node", configFlag = "--config"): string {
  return `${command} --deployment FILE --l1-rpc URL [--genesis FILE] [--role sequencer|follower [--takeover|--challenge]] [--data-dir DIR] [--port N] [${configFlag} FILE] (--help for all)`;
}

export const NODE_USAGE = nodeUsage();

/** The node's help text (`--help`, `npx hardhat help rollup:node`). */
export function nodeHelp(command = "native-rollup-node"): string {
  return helpText(
    command,
    NODE_COMMAND_SUMMARY,
    NODE_OPTIONS,
    "Environment: NATIVE_ROLLUP_<ROLE>_KEY, NATIVE_ROLLUP_<ROLE>_KEYSTORE, NATIVE_ROLLUP_<ROLE>_KEYSTORE_PASSWORD[_FILE] for ROLE = SEQUENCER, RELAYER, CHALLENGER.",
  );
}
