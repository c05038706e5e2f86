// The node command: `npx hardhat rollup:node`, `native-rollup-node` and `ts-node
// rollup-node/node/cli.ts` all run this. It reads the deployment record and the L2 genesis, checks
// the genesis against what the rollup contract was deployed with, loads the keys, connects the
// external attesters of a proof-mode rollup, and starts the same node the devnet runs
// (startRollupNode / startFollowerNode).
import { existsSync } from "node:fs";
import path from "node:path";

import { Contract, JsonRpcProvider, formatEther, formatUnits, isAddress } from "ethers";

import type { CensorMode } from "../bridge/censorMode";
import {
  SEQUENCING_RULE_CONFIG_KEY,
  type SequencingRuleName,
  describeSequencing,
  sequencingRuleOf,
} from "../../deploy/policy";
import { type RollupDeployment, deployedGenesisFile, loadDeployment } from "../../deploy/rollup";
import type { NodeL1Config } from "../bridge/l1Watcher";
import type { SubmissionMode } from "../bridge/submissionMode";
import { DEFAULT_HARDFORK, type GenesisConfig } from "../chain/genesis";
import { readGenesisFile } from "../chain/genesisFile";
import { DEFAULT_DEV_BALANCE, type DevAccount, deriveDevAccounts } from "../chain/devAccounts";
import { DEFAULT_ACCOUNT_COUNT } from "../chain/devAccounts";
import { genesisCommitments } from "../chain/genesisCommitments";
import { NodeError } from "../errors";
import { connectOptimisticRollup } from "../bridge/contracts";
import { readChallengeFunding } from "../follower/challenger";
import { type FollowerNodeConfig, startFollowerNode } from "../follower/service";
import { type LoggerFactory, plural } from "../logger";
import type { AttesterEndpoint } from "../provers/attesterPool";
import { withWriteRules } from "../provers/attesterProtocol";
import { DEFAULT_VERIFIER_WRITES } from "../../precompiles";
import { CommitteeProver, ProofService } from "../provers/proofService";
import { type OnChainSequencing, checkSequencingRule, readSequencingRule, sequencingSource } from "./sequencingRule";
import { claimDataDir } from "./dataDirOwner";
import { blockProofSource } from "./proofSource";
import {
  type OptionValue,
  CommandOptionsError,
  parseCommandLine,
  readConfigFile,
  resolveOptions,
} from "./commandOptions";
import { CONFIG_EXTRAS, NODE_KEY_ROLES, NODE_OPTIONS, NODE_USAGE } from "./nodeOptions";
import {
  DEV_L1_CHAIN_IDS,
  KeyError,
  type KeyRole,
  type KeySource,
  SecretKey,
  describeKeySource,
  devKeysAllowed,
  keyEnvNames,
  resolveRoleKey,
} from "./keySources";
import { type NodeKeys, devNodeKeys, recordedRelayer } from "./keys";
import { devGenesisFunding, devL2Genesis } from "./l2Genesis";
import { type RollupNodeConfig, startRollupNode } from "./rollupNode";
import { startTakeoverNode } from "./takeover";
// Apart from the import above: where the genesis beside a record lives is the deployment's rule.

/** A committee of external attesters, as the config file lists it. */
export interface CommitteeConfig {
  readonly name: string;
  readonly attesters: readonly AttesterEndpoint[];
}

/**
 * What a follower does besides deriving the chain from L1: nothing (`derive`), take over
 * sequencing once the rollup's rule lets its sequencer key advance (`--takeover`), or challenge
 * the optimistic rollup's invalid proposals with its challenger key (`--challenge`).
 */
export type FollowerDuty = "derive" | "takeover" | "challenge";

/** The node the command runs (`--role`, with `--takeover` or `--challenge` for a follower). */
export type NodeRole = { readonly kind: "sequencer" } | { readonly kind: "follower"; readonly duty: FollowerDuty };

/** What the node command runs with, after the command line, the config file and the defaults. */
export interface NodeCommandOptions {
  readonly deployment: string;
  readonly genesis?: string;
  readonly l1Rpc: string;
  readonly role: NodeRole;
  readonly dataDir?: string;
  readonly host: string;
  readonly port: number;
  readonly reset: boolean;
  readonly blockTimeMs: number;
  readonly emptyBlocks: boolean;
  /** Optimistic mode: the sequencer's share of the proposal gas bucket for unused gas limits (l2/proposalSlack.ts). */
  readonly proposalSlackShare: number;
  /** Follower only: where raw transactions are forwarded, in order (`--sequencer-rpc URL,URL,…`). */
  readonly sequencerRpc?: readonly string[];
  readonly finalityDepth: number;
  /** How often the node reads L1, in ms (the watcher, challenger, heads and a caught-up follower). */
  readonly l1PollMs: number;
  readonly dev: boolean;
  /** TEST/DEV (`--censor`): the senders the sequencer censors (NodeSequencerConfig.censor); empty for a real node. */
  readonly censor: readonly string[];
  /** TEST/DEV (`--censor-mode`): with `censor`, until L1 forces the messages in or never (NodeSequencerConfig.censorMode). */
  readonly censorMode: CensorMode;
  readonly committees: readonly CommitteeConfig[];
  /** How long to wait at start for an attester that does not answer yet (`--attester-wait`). */
  readonly attesterWaitMs: number;
  readonly keystores: Readonly<Partial<Record<KeyRole, string>>>;
}

function committeesOf(raw: unknown): CommitteeConfig[] {
  if (raw === undefined) return [];
  const bad = () =>
    new CommandOptionsError(
      "CONFIG_FILE",
      'committees must be a list of { "name": …, "attesters": ["http://…" or { "url": …, "publicKey": ["x", "y"] }] }',
      "one entry per committee, its members in order",
    );
  if (!Array.isArray(raw)) throw bad();
  return raw.map((entry: unknown, i) => {
    const e = entry as { name?: unknown; attesters?: unknown };
    if (typeof e !== "object" || e === null || !Array.isArray(e.attesters)) throw bad();
    return {
      name: typeof e.name === "string" ? e.name : `committee-${i + 1}`,
      attesters: (e.attesters as unknown[]).map((a) => {
        if (typeof a === "string") return { url: a };
        const member = a as { url?: unknown; publicKey?: unknown };
        if (typeof member?.url !== "string") throw bad();
        const pk = member.publicKey;
        if (pk === undefined) return { url: member.url };
        if (!Array.isArray(pk) || pk.length !== 2) throw bad();
        return { url: member.url, publicKey: [BigInt(String(pk[0])), BigInt(String(pk[1]))] as const };
      }),
    };
  });
}

function keystoresOf(raw: unknown, configDir: string): Partial<Record<KeyRole, string>> {
  if (raw === undefined) return {};
  if (typeof raw !== "object" || raw === null)
    throw new CommandOptionsError(
      "CONFIG_FILE",
      "keystores must map a role to a keystore file",
      'e.g. { "sequencer": "keys/sequencer.json" }',
    );
  const out: Partial<Record<KeyRole, string>> = {};
  for (const [role, file] of Object.entries(raw as Record<string, unknown>)) {
    if (!(NODE_KEY_ROLES as readonly string[]).includes(role) || typeof file !== "string") {
      throw new CommandOptionsError(
        "CONFIG_FILE",
        `keystores.${role}: expected a role among ${NODE_KEY_ROLES.join(", ")} and a file`,
        "passwords stay in the environment (NATIVE_ROLLUP_<ROLE>_KEYSTORE_PASSWORD[_FILE])",
      );
    }
    out[role as KeyRole] = path.resolve(configDir, file);
  }
  return out;
}

/**
 * The node command's options from the command line (`argv`) and, with `--config`, the file it
 * names; undefined for `--help`. `usage` is the hint of a refusal (nodeUsage of the command run).
 */
export async function resolveNodeCommand(
  argv: readonly string[],
  usage: string = NODE_USAGE,
): Promise<NodeCommandOptions | undefined> {
  const fromCommandLine = parseCommandLine(NODE_OPTIONS, argv, usage);
  if (fromCommandLine.help === true) return undefined;
  const configFile = typeof fromCommandLine.config === "string" ? path.resolve(fromCommandLine.config) : undefined;
  const file =
    configFile === undefined
      ? { values: {}, extras: {} as Record<string, unknown> }
      : await readConfigFile(NODE_OPTIONS, configFile, CONFIG_EXTRAS, usage);
  const v: Record<string, OptionValue | undefined> = resolveOptions(NODE_OPTIONS, file.values, fromCommandLine);
  if (typeof v.deployment !== "string" || typeof v["l1-rpc"] !== "string") {
    const missing = ["deployment", "l1-rpc"].filter((name) => typeof v[name] !== "string");
    throw new CommandOptionsError(
      "CLI_USAGE",
      `${missing.map((name) => `--${name}`).join(" and ")} ${missing.length === 1 ? "is" : "are"} required`,
      usage,
    );
  }
  const role = nodeRoleOf(v);
  const censor = censoredSenders(v.censor, role.kind === "sequencer");
  if (v["censor-mode"] === "never" && censor.length === 0)
    throw new CommandOptionsError(
      "CLI_USAGE",
      "--censor-mode never needs --censor",
      "--censor 0xADDRESS --censor-mode never (a test/dev tool: the senders whose L1 messages this sequencer never includes)",
    );
  const configDir = configFile === undefined ? process.cwd() : path.dirname(configFile);
  const committees = committeesOf(file.extras.committees);
  if (typeof v.attesters === "string")
    committees.push({
      name: `committee-${committees.length + 1}`,
      attesters: v.attesters
        .split(",")
        .map((url) => ({ url: url.trim() }))
        .filter((a) => a.url !== ""),
    });
  return {
    deployment: path.resolve(v.deployment),
    ...(typeof v.genesis === "string" ? { genesis: path.resolve(v.genesis) } : {}),
    l1Rpc: v["l1-rpc"],
    role,
    ...(typeof v["data-dir"] === "string" ? { dataDir: path.resolve(v["data-dir"]) } : {}),
    host: v.host as string,
    port: v.port as number,
    reset: v.reset === true,
    blockTimeMs: v["block-time"] as number,
    emptyBlocks: v["empty-blocks"] === true,
    proposalSlackShare: v["proposal-slack-share"] as number,
    ...(typeof v["sequencer-rpc"] === "string"
      ? { sequencerRpc: v["sequencer-rpc"].split(",").map((u) => u.trim()) }
      : {}),
    finalityDepth: v["finality-depth"] as number,
    l1PollMs: v["l1-poll-interval"] as number,
    dev: v.dev === true,
    censor,
    censorMode: v["censor-mode"] as CensorMode,
    committees,
    attesterWaitMs: v["attester-wait"] as number,
    keystores: keystoresOf(file.extras.keystores, configDir),
  };
}

/** The role `--role`, `--takeover` and `--challenge` name together; a follower does one of the two at most. */
function nodeRoleOf(v: Readonly<Record<string, OptionValue | undefined>>): NodeRole {
  const takeover = v.takeover === true;
  const challenge = v.challenge === true;
  if (v.role !== "follower") {
    if (takeover)
      throw new CommandOptionsError(
        "CLI_USAGE",
        "--takeover needs --role follower",
        "a take-over node follows L1 until the rollup lets its sequencer key advance",
      );
    if (challenge)
      throw new CommandOptionsError(
        "CLI_USAGE",
        "--challenge needs --role follower",
        "a sequencer's node of an optimistic rollup challenges already (with NATIVE_ROLLUP_CHALLENGER_KEY); --role follower --challenge runs a challenger apart from it",
      );
    return { kind: "sequencer" };
  }
  if (takeover && challenge)
    throw new CommandOptionsError(
      "CLI_USAGE",
      "--takeover and --challenge cannot be combined",
      "run two followers: a --challenge follower watches proposals from the start; a --takeover node challenges with its challenger key once it sequences",
    );
  return { kind: "follower", duty: takeover ? "takeover" : challenge ? "challenge" : "derive" };
}

/** `--censor`'s addresses: a sequencer's dev/test tool, each an address. */
function censoredSenders(value: OptionValue | undefined, sequencer: boolean): readonly string[] {
  if (typeof value !== "string") return [];
  const senders = value
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  const bad = senders.find((entry) => !isAddress(entry));
  if (bad !== undefined)
    throw new CommandOptionsError("CLI_USAGE", `--censor: ${bad} is not an address`, "--censor 0xADDRESS,0xADDRESS");
  if (!sequencer)
    throw new CommandOptionsError(
      "CLI_USAGE",
      "--censor needs --role sequencer",
      "only a sequencer chooses what goes into blocks (a take-over node sequences with the rollup's rule, uncensored)",
    );
  return senders;
}

/** The node cannot start for this rollup (wrong genesis, wrong L1, no key…). */
export class NodeCommandError extends NodeError {}

/** Only what the checks read from the rollup contract. */
const ROLLUP_PROBE_ABI = [
  "function L2_CHAIN_ID() view returns (uint64)",
  "function stateRootOf(uint64) view returns (bytes32)",
  "function SEQUENCER() view returns (address)",
];

export { deployedGenesisFile };

/** What to do about a genesis whose hash is not the deployment's: the file to pass, or how to make one. */
export function genesisMismatchHint(deploymentFile: string | undefined): string {
  const beside = deploymentFile === undefined ? undefined : deployedGenesisFile(deploymentFile);
  const how =
    beside !== undefined && existsSync(beside)
      ? `pass the genesis rollup:deploy wrote beside the deployment record: --genesis ${beside}`
      : "pass the genesis file the rollup was deployed with (--genesis FILE); if rollup:deploy built it itself, write one with npx hardhat rollup:genesis --out genesis.json (the same options as the deploy, e.g. --dev) and deploy again with npx hardhat rollup:deploy --genesis genesis.json";
  return `${how}; a node on another genesis would build a chain L1 refuses`;
}

/**
 * The L2 genesis: the file given; else the one kept beside the record (the devnet's, with a
 * project's own allocations, predeploys and gas limit, which the record alone cannot rebuild;
 * `rollup:deploy`'s); else the dev genesis rebuilt from its record — the devnet's (its own relayer
 * recorded, every account at the devnet's balance) or `rollup:deploy`'s (the funding
 * `rollup:genesis --dev` writes, `devGenesisFunding`). Whichever, it is checked against L1 next.
 */
async function loadGenesis(
  options: NodeCommandOptions,
  deployment: RollupDeployment,
  devAllowed: boolean,
  relayer: DevAccount,
): Promise<GenesisConfig> {
  if (options.genesis !== undefined) return readGenesisFile(options.genesis);
  const beside = deployedGenesisFile(options.deployment);
  if (existsSync(beside)) return readGenesisFile(beside);
  if (!devAllowed || deployment.l2GenesisTimestamp === undefined) {
    throw new NodeCommandError(
      "GENESIS_REQUIRED",
      "no --genesis given, and this rollup's genesis is not the devnet's dev genesis",
      existsSync(deployedGenesisFile(options.deployment))
        ? `pass the genesis rollup:deploy wrote beside the deployment record: --genesis ${deployedGenesisFile(options.deployment)}`
        : "pass the genesis the rollup was deployed for: --genesis genesis.json (npx hardhat rollup:genesis --out genesis.json)",
    );
  }
  return devL2Genesis({
    chainId: deployment.l2ChainId,
    timestamp: deployment.l2GenesisTimestamp,
    funded:
      deployment.relayerKey === undefined
        ? devGenesisFunding(relayer.address)
        : [...deriveDevAccounts(DEFAULT_ACCOUNT_COUNT, DEFAULT_DEV_BALANCE), relayer],
  });
}

/**
 * Refuses a genesis that is not the rollup's: its hash must be the record's, and its chain id and
 * state root what the contract on L1 holds (the record could be stale or edited; L1 is not).
 */
export async function checkGenesisAgainstRollup(
  genesis: GenesisConfig,
  deployment: RollupDeployment,
  l1Provider: JsonRpcProvider,
  deploymentFile?: string,
): Promise<string> {
  const { hash, stateRoot } = await genesisCommitments(genesis);
  if (hash !== deployment.genesisBlockHash) {
    throw new NodeCommandError(
      "GENESIS_MISMATCH",
      `the L2 genesis given has hash ${hash}, but the rollup was deployed with ${deployment.genesisBlockHash}`,
      genesisMismatchHint(deploymentFile),
    );
  }
  const rollup = new Contract(deployment.address, ROLLUP_PROBE_ABI, l1Provider);
  let onChain: { chainId: bigint; stateRoot: string };
  try {
    onChain = {
      chainId: (await rollup.getFunction("L2_CHAIN_ID")()) as bigint,
      stateRoot: (await rollup.getFunction("stateRootOf")(0n)) as string,
    };
  } catch (error) {
    throw new NodeCommandError(
      "NOT_A_ROLLUP",
      `cannot read the rollup contract at ${deployment.address}: ${(error as Error).message}`,
      "check --l1-rpc (the L1 the rollup was deployed on) and the deployment record",
    );
  }
  if (onChain.chainId !== genesis.chainId || onChain.stateRoot !== stateRoot) {
    throw new NodeCommandError(
      "GENESIS_MISMATCH",
      `the rollup at ${deployment.address} holds L2 chain ${onChain.chainId} and genesis state root ${onChain.stateRoot}; the genesis given has chain ${genesis.chainId} and ${stateRoot}`,
      "the deployment record does not describe this contract, or the genesis is another rollup's",
    );
  }
  return hash;
}

export interface RunningNodeCommand {
  readonly url: string;
  readonly role: "sequencer" | "follower";
  stop(): Promise<void>;
}

export interface NodeCommandContext {
  readonly logger: LoggerFactory;
  /** Where keys are read from (process.env by default). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Called with the sequencer's URL when a --takeover follower starts sequencing. */
  readonly onTakeover?: (url: string) => void;
  /**
   * Called when a --takeover node can neither sequence nor follow (it serves nothing): the
   * process should exit non-zero with the reason, so a supervisor restarts it.
   */
  readonly onFatal?: (error: NodeError) => void;
  /** The flag that names the node's config file in the command run: `--config`, `--node-config` under Hardhat. */
  readonly configFlag?: string;
  /**
   * The sequencing rule the project declares (`rollup.sequencing.rule`, which `rollup:node` passes):
   * checked on L1 against the deployed contract as the devnet and `rollup:deploy` do, a mismatch
   * refused (SEQUENCING_MISMATCH). `native-rollup-node` has no project config: it logs the rule the
   * contract enforces, read on L1, and checks nothing.
   */
  readonly declaredSequencing?: SequencingRuleName;
}

async function nodeKey(
  role: KeyRole,
  options: NodeCommandOptions,
  context: NodeCommandContext,
  l1ChainId: bigint,
  devFallback: string | undefined,
  devFallbackSource?: KeySource,
): Promise<SecretKey> {
  return resolveRoleKey(
    role,
    { l1ChainId, dev: options.dev, devFallback, devFallbackSource },
    { env: context.env, keystoreFile: options.keystores[role] },
  );
}

/**
 * A `--challenge` follower without a key: says why no dev key stands in and that the key pays L1
 * gas (the bare KEY_MISSING named only the variables, docs/design/trial-s30.md). Other errors pass.
 */
function ownChallengerKeyMissing(error: unknown): never {
  if (!(error instanceof KeyError) || error.code !== "KEY_MISSING") throw error;
  throw new KeyError(
    "KEY_MISSING",
    `--challenge needs a challenger key of its own: ${error.message}, and no dev key stands in (the devnet's dev challenger key is its own node's, and two challengers on one account race for its nonces)`,
    `${error.hint}: an L1 account no other node uses, funded with L1 ETH for the challenges' gas (the node says how much at start)`,
  );
}

/**
 * A take-over node's challenger key (an optimistic rollup's). The dev challenger key is the one the
 * rollup's own sequencer's node falls back to: if that sequencer returns, the two nodes send from
 * one account and race for its nonces (why `--challenge` refuses it). Off the devnet's L1 (a chain
 * that is not the devnet's, `--dev` or not) the node challenges with its own key only and refuses
 * to start without one: once its rule opens to anyone, anyone may propose, and this node may be the
 * only one left to challenge (docs/design/takeover-optimistic.md). On the devnet's L1 the dev key
 * still stands in (its tests and the README's local take-over rely on it), with a warning.
 */
async function takeoverChallengerKey(
  options: NodeCommandOptions,
  context: NodeCommandContext,
  l1ChainId: bigint,
  devChallenger: string | undefined,
): Promise<SecretKey> {
  const onDevnet = DEV_L1_CHAIN_IDS.includes(l1ChainId);
  const key = await nodeKey("challenger", options, context, l1ChainId, onDevnet ? devChallenger : undefined).catch(
    (error: unknown) => {
      if (!(error instanceof KeyError) || error.code !== "KEY_MISSING") throw error;
      throw new KeyError(
        "KEY_MISSING",
        `a take-over node of an optimistic rollup needs a challenger key of its own on L1 chain ${l1ChainId}: ${error.message}, and no dev key stands in off the devnet's L1, --dev or not (the dev challenger key is the one the rollup's sequencer's node falls back to: if it returns, the two race for its nonces)`,
        `${error.hint}: an L1 account no other node uses, funded with L1 ETH for the challenges' gas (the node says how much at start)`,
      );
    },
  );
  if (key.isDevKey && !onDevnet) {
    // The reason said is this key's: the dev challenger key is also the sequencer's node's fallback.
    const isDevChallenger =
      devChallenger !== undefined && key.address === new SecretKey(devChallenger, "challenger", "dev").address;
    throw new KeyError(
      "DEV_KEY_REFUSED",
      `the challenger key ${key.address} is a public dev key, which a take-over node does not challenge with on L1 chain ${l1ChainId} (not the devnet's), --dev or not: its private key is published, so anyone may send from it and race this node for its nonces${isDevChallenger ? ", and the rollup's sequencer's node falls back to it too" : ""}`,
      `give the take-over node a challenger key of its own (${keyEnvNames("challenger").key} or ${keyEnvNames("challenger").keystore}), funded with L1 ETH for the challenges' gas (on a throwaway chain, send it some from a dev account)`,
    );
  }
  // The race is for the dev challenger's own account: another dev account a test gives it races with no node.
  if (devChallenger !== undefined && key.address === new SecretKey(devChallenger, "challenger", "dev").address)
    context
      .logger("node")
      .warn(
        `this take-over node challenges with the dev challenger key ${key.address}, the devnet's own node's: if the rollup's sequencer returns, both send from that account and race for its nonces; set ${keyEnvNames("challenger").key} (or a challenger keystore) to an account of this node's own (off the devnet's L1 it is required)`,
      );
  return key;
}

const asAccount = (key: SecretKey, balance: bigint): DevAccount => ({
  address: key.address,
  privateKey: key.reveal(),
  balance,
});

/**
 * How the node's blocks reach L1, as the deployment decides: an optimistic rollup proposes (its
 * proofs are not wired yet), a rollup with a proof policy sends the committees' proofs, any other
 * is re-executed. A take-over node sequences in the same mode as the sequencer it replaces.
 */
export function submitterModeOf(
  deployment: Pick<RollupDeployment, "optimistic" | "l2ChainId">,
  proofService: ProofService | undefined,
): SubmissionMode {
  if (deployment.optimistic !== undefined) return { kind: "optimistic" };
  if (proofService !== undefined)
    return { kind: "proofs", proofs: blockProofSource(proofService, deployment.l2ChainId) };
  return { kind: "re-execution" };
}

/**
 * Warns when the challenger key of a sequencing node (the sequencer's, a take-over's) cannot pay
 * for the costliest challenge now. A warning, not the refusal of `--challenge`: the node's main
 * duty is sequencing, and a key funded later challenges without a restart. On `devnet --l1-only`
 * the dev challenger key holds nothing (only accounts #0-9 are funded), and the node said nothing.
 * A read that fails must not stop the node: it is left unsaid.
 */
export async function warnIfChallengerUnfunded(
  rollupAddress: string,
  provider: JsonRpcProvider,
  address: string,
  log: { warn(message: string): void },
): Promise<void> {
  const funding = await readChallengeFunding(connectOptimisticRollup(rollupAddress, provider), provider, address).catch(
    () => undefined,
  );
  if (funding === undefined || funding.balance >= funding.worstCase) return;
  log.warn(
    `the challenger ${address} holds ${formatEther(funding.balance)} ETH on L1, less than the costliest challenge at today's fee, ${formatEther(funding.worstCase)} ETH (${funding.gasCap} L1 gas at ${formatUnits(funding.feePerGas, "gwei")} gwei): it could not challenge a forged proposal; send it L1 ETH (at least that, more for fee rises), no restart needed, or set NATIVE_ROLLUP_CHALLENGER_KEY to a funded account of this node's own`,
  );
}

/** Starts the node the options describe; resolves once it serves JSON-RPC. */
export async function startNodeCommand(
  options: NodeCommandOptions,
  context: NodeCommandContext,
): Promise<RunningNodeCommand> {
  const log = context.logger("node");
  const deployment = await loadDeployment(options.deployment);
  if (deployment === undefined)
    throw new NodeCommandError(
      "NO_DEPLOYMENT",
      `${options.deployment} does not exist`,
      "deploy first (npx hardhat rollup:deploy --out FILE, or npm run devnet)",
    );
  const l1Provider = new JsonRpcProvider(options.l1Rpc, undefined, {
    staticNetwork: true,
    pollingInterval: 50,
    cacheTimeout: -1,
  });
  let proofService: ProofService | undefined;
  try {
    let l1ChainId: bigint;
    try {
      l1ChainId = BigInt(await l1Provider.send("eth_chainId", []));
    } catch (error) {
      throw new NodeCommandError(
        "L1_UNREACHABLE",
        `the L1 at ${options.l1Rpc} did not answer: ${(error as Error).message}`,
        "check --l1-rpc",
      );
    }
    if (l1ChainId !== deployment.l1ChainId) {
      throw new NodeCommandError(
        "L1_CHAIN_MISMATCH",
        `the L1 at ${options.l1Rpc} is chain ${l1ChainId}, the rollup was deployed on chain ${deployment.l1ChainId}`,
        "point --l1-rpc at the L1 of the deployment record",
      );
    }
    const devKeys = devNodeKeys(DEFAULT_DEV_BALANCE);
    // The devnet records its own relayer key (not the public mnemonic's), the genesis funds it.
    const relayerOfRecord = recordedRelayer(deployment, DEFAULT_DEV_BALANCE);
    // A follower needs no keys but its duty's: a --takeover follower the sequencer's (its own) and a
    // relayer, a --challenge follower a challenger key.
    const { role } = options;
    const takeover = role.kind === "follower" && role.duty === "takeover";
    const sequences = role.kind === "sequencer" || takeover;
    const relayer = !sequences
      ? undefined
      : await nodeKey(
          "relayer",
          options,
          context,
          l1ChainId,
          relayerOfRecord.privateKey,
          deployment.relayerKey === undefined ? "dev" : "deployment",
        );
    const genesis = await loadGenesis(
      options,
      deployment,
      devKeysAllowed(l1ChainId, options.dev),
      relayer === undefined ? relayerOfRecord : asAccount(relayer, DEFAULT_DEV_BALANCE),
    );
    // A censoring sequencer is a test of forced inclusion, never a real rollup's: the devnet's L1 only, or --dev.
    if (options.censor.length > 0 && !devKeysAllowed(l1ChainId, options.dev))
      throw new NodeCommandError(
        "CENSOR_NOT_DEV",
        `--censor is a test/dev tool and L1 chain ${l1ChainId} is not the devnet's`,
        "drop --censor; or, on a throw-away L1 of your own, add --dev to censor on it",
      );
    const genesisHash = await checkGenesisAgainstRollup(genesis, deployment, l1Provider, options.deployment);
    log.info(`L2 genesis ${genesisHash} matches the rollup at ${deployment.address} (L1 chain ${l1ChainId})`);
    if (context.declaredSequencing !== undefined) {
      // The period is the deployment's, as rollup:deploy and the devnet read it.
      const declared = sequencingRuleOf(context.declaredSequencing, deployment.policy);
      const unconfirmed = await checkSequencingRule(
        declared,
        deployment.address,
        l1Provider,
        SEQUENCING_RULE_CONFIG_KEY,
        { kind: "node", deployment: options.deployment },
      );
      log.info(`sequencing ${describeSequencing(declared)} (${sequencingSource(unconfirmed)})`);
    } else {
      // native-rollup-node has no project config to check: it says what L1 enforces, as rollup:node does.
      // A line of the log, not a check: a read that fails must not stop the node.
      const onChain = await readSequencingRule(deployment.address, l1Provider).catch(
        (error: Error): OnChainSequencing => ({ known: false, why: error.message }),
      );
      log.info(
        onChain.known
          ? `sequencing ${describeSequencing(onChain.rule)} (the contract's, read on L1)`
          : `sequencing not told apart on L1: ${onChain.why}`,
      );
    }
    const dataDirOf = (fallback: string) => options.dataDir ?? path.join(path.dirname(options.deployment), fallback);
    // A take-over node sequences on its follower's directory: one claim covers both.
    const owner = { rollup: deployment.address, l1ChainId };
    await claimDataDir(dataDirOf(role.kind === "follower" ? "follower" : "l2"), owner, options.reset);
    // The sections both kinds of node share: the same L1 and RPC options, built once.
    const l1: NodeL1Config = {
      provider: l1Provider,
      rollupAddress: deployment.address,
      deployBlock: deployment.deployBlock,
      finalityDepth: options.finalityDepth,
      pollMs: options.l1PollMs,
    };
    // `--port` in native-rollup-node and in rollup:node alike (the task passes the same argv).
    const rpc = { host: options.host, port: options.port, portOption: "--port" };
    const followerConfig: FollowerNodeConfig = {
      storage: { dataDir: dataDirOf("follower"), reset: options.reset },
      l1,
      follower: { genesis, sequencerRpc: options.sequencerRpc },
      rpc,
      logger: context.logger,
    };
    if (!sequences) {
      // No dev key stands in: on the devnet the dev challenger key is its own node's, and two
      // challengers on one account race for its nonces.
      const challenger =
        role.kind === "follower" && role.duty === "challenge"
          ? await nodeKey("challenger", options, context, l1ChainId, undefined).catch(ownChallengerKeyMissing)
          : undefined;
      if (challenger !== undefined)
        log.info(`${challenger.role} ${challenger.address} (key from ${describeKeySource(challenger.source)})`);
      const node = await startFollowerNode({
        ...followerConfig,
        ...(challenger === undefined ? {} : { challenger: { privateKey: challenger.reveal() } }),
      });
      return {
        url: node.url as string,
        role: "follower",
        stop: async () => {
          await node.stop().catch(() => undefined);
          l1Provider.destroy();
        },
      };
    }
    const sequencer = await nodeKey("sequencer", options, context, l1ChainId, devKeys.sequencer.privateKey);
    const challenger =
      deployment.optimistic === undefined
        ? undefined
        : takeover
          ? await takeoverChallengerKey(options, context, l1ChainId, devKeys.challenger?.privateKey)
          : await nodeKey("challenger", options, context, l1ChainId, devKeys.challenger?.privateKey);
    const relayerKey = relayer as SecretKey;
    if ((genesis.alloc[relayerKey.address.toLowerCase()]?.balance ?? 0n) === 0n) {
      throw new NodeCommandError(
        "RELAYER_UNFUNDED",
        `the relayer ${relayerKey.address} has no balance in the L2 genesis`,
        "write the genesis with its address: npx hardhat rollup:genesis --relayer ADDRESS (or the relayer key in NATIVE_ROLLUP_RELAYER_KEY)",
      );
    }
    for (const key of [sequencer, relayerKey, challenger])
      if (key !== undefined) log.info(`${key.role} ${key.address} (key from ${describeKeySource(key.source)})`);
    if (challenger !== undefined)
      await warnIfChallengerUnfunded(deployment.address, l1Provider, challenger.address, log);
    const contractSequencer = (await new Contract(deployment.address, ROLLUP_PROBE_ABI, l1Provider).getFunction(
      "SEQUENCER",
    )()) as string;
    // A --takeover follower is meant to hold another key (it sequences when the rule lets it, as
    // its [takeover] line says): information there; on a sequencer, likely a wrong key.
    if (contractSequencer.toLowerCase() !== sequencer.address.toLowerCase()) {
      const line = `the rollup's sequencer is ${contractSequencer}, not this node's ${sequencer.address}: it may advance only when the rollup's policy lets anyone`;
      if (takeover) log.info(`${line} (this take-over node's purpose)`);
      else log.warn(line);
    }
    if (deployment.proofPolicy !== undefined)
      proofService = await connectCommittees(options, deployment, genesis, context);
    const keys: NodeKeys = {
      sequencer: asAccount(sequencer, 0n),
      relayer: asAccount(relayerKey, 0n),
      ...(challenger === undefined ? {} : { challenger: asAccount(challenger, 0n) }),
    };
    const sequencerConfig: RollupNodeConfig = {
      storage: { dataDir: dataDirOf("l2"), reset: options.reset },
      l1,
      sequencer: {
        genesis,
        blockTimeMs: options.blockTimeMs,
        allowEmptyBlocks: options.emptyBlocks,
        proposalSlackShare: options.proposalSlackShare,
        ...(options.censor.length === 0 ? {} : { censor: options.censor, censorMode: options.censorMode }),
      },
      keys,
      rpc,
      logger: context.logger,
      submitter: { mode: submitterModeOf(deployment, proofService) },
    };
    if (takeover) {
      // The follower becomes the sequencer on its own data directory (the reset, if any, was the follower's).
      const node = await startTakeoverNode({
        follower: followerConfig,
        sequencer: { ...sequencerConfig, storage: { dataDir: followerConfig.storage.dataDir, reset: false } },
        onTakeover: (running) => context.onTakeover?.(running.url as string),
        onFatal: (error) => context.onFatal?.(error),
      });
      const service = proofService;
      return {
        url: node.follower?.url as string,
        role: "follower",
        stop: async () => {
          await node.stop().catch(() => undefined);
          await service?.close().catch(() => undefined);
          l1Provider.destroy();
        },
      };
    }
    const node = await startRollupNode(sequencerConfig);
    const service = proofService;
    return {
      url: node.url as string,
      role: "sequencer",
      stop: async () => {
        await node.stop().catch(() => undefined);
        await service?.close().catch(() => undefined);
        l1Provider.destroy();
      },
    };
  } catch (error) {
    await proofService?.close().catch(() => undefined);
    l1Provider.destroy();
    throw error;
  }
}

/**
 * The proof-mode rollup's committees, reached over HTTP; each must re-execute under the
 * genesis's fork and have its key accepted by the rollup's policy, or the node refuses to start
 * (its proofs would never be accepted, and every block would wait for nothing).
 */
async function connectCommittees(
  options: NodeCommandOptions,
  deployment: RollupDeployment,
  genesis: GenesisConfig,
  context: NodeCommandContext,
): Promise<ProofService> {
  const policy = deployment.proofPolicy as NonNullable<RollupDeployment["proofPolicy"]>;
  if (options.committees.length === 0) {
    throw new NodeCommandError(
      "NO_PROVERS",
      `the rollup accepts blocks on proofs of ${policy.threshold} of ${plural(policy.acceptedKeys.length, "key")}, and no attesters are configured`,
      `start the committees' attesters (npx hardhat rollup:attester) and pass --attesters URL,URL,URL or "committees" in ${context.configFlag ?? "--config"} FILE`,
    );
  }
  // The chain's write rules too: an attester verifying under others refuses its blocks.
  const fork = withWriteRules(
    { hardfork: genesis.hardfork ?? DEFAULT_HARDFORK, eips: [] },
    new Map([[genesis.chainId, genesis.writeRules ?? DEFAULT_VERIFIER_WRITES]]),
  );
  const provers: CommitteeProver[] = [];
  const log = context.logger("node");
  const connect = { waitMs: options.attesterWaitMs, onWait: (message: string) => log.info(message) };
  try {
    for (const committee of options.committees)
      provers.push(await CommitteeProver.connect(committee.name, committee.attesters, fork, undefined, connect));
  } catch (error) {
    await Promise.all(provers.map((p) => p.close()));
    throw error;
  }
  const accepted = new Set(policy.acceptedKeys.map((k) => k.toLowerCase()));
  const refused = provers.filter((p) => !accepted.has(p.keyHash.toLowerCase()));
  if (refused.length > 0) {
    await Promise.all(provers.map((p) => p.close()));
    throw new NodeCommandError(
      "PROVER_NOT_ACCEPTED",
      `the rollup's policy does not accept ${refused.map((p) => `${p.name} (key ${p.keyHash})`).join(", ")}`,
      "list the committee's attesters in the order and with the keys the rollup was deployed for, or deploy with this committee's key hash",
    );
  }
  log.info(
    `proof mode: ${provers.map((p) => `${p.name} (${p.keyHash.slice(0, 10)}…)`).join(", ")}; the rollup needs ${policy.threshold} of ${policy.acceptedKeys.length}`,
  );
  return new ProofService(provers);
}
