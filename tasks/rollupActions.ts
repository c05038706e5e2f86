// The actions of the rollup:* tasks (defined in ./rollup.ts). The cross-domain ones are thin
// command-line wrappers over the SDK (sdk/): what they print is what RollupClient reports.
// What only some actions need and is heavy to load — EXECUTE's EVM (deploy/l1Probe, precompiles),
// the in-process L1 (deployTarget), the node and its prover (nodeCommand, rollupDevnet:
// circomlibjs, snarkjs) — is imported inside them: a rollup:status or rollup:deposit loaded all of
// it before it ran (docs/design/task-startup.md).
import { readFile, rm } from "node:fs/promises";

import {
  JsonRpcProvider,
  Network,
  formatEther,
  formatUnits,
  getAddress,
  isHexString,
  keccak256,
  toUtf8Bytes,
} from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

import { takesExecutor } from "../deploy/contractArtifact";
import type { RequestedMode } from "../deploy/l1Probe";
import {
  DEFAULT_ROLLUP_POLICY,
  SEQUENCING_RULE_CONFIG_KEY,
  type SequencingRule,
  describeSequencing,
  sequencingRuleOf,
} from "../deploy/policy";
import { checkSequencingRule, sequencingSource } from "../rollup-node/node/sequencingRule";
import {
  type DeploymentProgress,
  type RollupDeployParams,
  deployRollup,
  deployedGenesisFile,
  estimateDeploymentCost,
  loadDeployment,
  saveDeployment,
} from "../deploy/rollup";
import type { GenesisConfig } from "../rollup-node/chain/genesis";
import { readGenesisFile, writeGenesisFile } from "../rollup-node/chain/genesisFile";
import { loadPartial, partialFile, savePartial } from "../deploy/partialDeployment";
import { acceptanceHistory } from "../rollup-node/bridge/acceptance";
import { MIN_L2_GAS_LIMIT } from "../rollup-node/bridge/anchor";
import { DEFAULT_ACCOUNT_COUNT } from "../rollup-node/chain/devAccounts";
import { DEFAULT_L1_CHAIN_ID, DEFAULT_L2_CHAIN_ID } from "../rollup-node/devnet/defaults";
import { genesisRelayerAddress } from "../rollup-node/node/keySources";
import { devNodeKeys } from "../rollup-node/node/keys";
import { DEV_GENESIS_ACCOUNT_BALANCE, devGenesisFunding } from "../rollup-node/node/l2Genesis";
import { checkL2GasLimit, genesisSupply } from "../rollup-node/l2/genesis";
import { plural } from "../rollup-node/logger";
import { parseJsonOr } from "../rollup-node/jsonSyntax";
import {
  type L1ToL2Message,
  type L2ToL1Message,
  type L2ToL1StatusReport,
  type MessageStatusReport,
  type RollupNodeStatus,
  type RollupStatus,
  describeL1Health,
  describeStatus,
} from "../sdk";
import { RollupNodeRpc } from "../sdk/nodeRpc";
import { optimisticFinalAt } from "../sdk/withdrawals";
import { configuredGenesisAlloc, readRollupArtifact } from "./devnetConfig";
import type { DeployTarget } from "./deployTarget";
import {
  type ConnectionArgs,
  type RollupTaskContext,
  type SignerArgs,
  RollupTaskError,
  devAccountAddress,
  endpointUrls,
  probeNode,
  rollupTaskContext,
} from "./rollupContext";
import { formatTable } from "./table";
import { NodeUnreachableError, type SentMessage, afterSending, noticeOnInterrupt, toTaskError } from "./taskErrors";
import {
  InvalidTaskInputError,
  accountIndex,
  addressOption,
  encodeCall,
  etherAmount,
  gasLimitOption,
  hashArgument,
  positiveOption,
} from "./taskInput";

export type { ConnectionArgs, SignerArgs };

/** Runs `run` with both nodes connected; any failure comes out as a task error naming the nodes. */
async function withContext<T>(
  hre: HardhatRuntimeEnvironment,
  args: ConnectionArgs & { account?: number; dev?: boolean },
  run: (ctx: RollupTaskContext) => Promise<T>,
): Promise<T> {
  const ctx = await rollupTaskContext(hre, args);
  try {
    return await run(ctx);
  } catch (error) {
    throw toTaskError(error, { l1: ctx.l1Url, l2: ctx.l2Url });
  } finally {
    ctx.close();
  }
}

/** Runs the part of a task after its message is sent: a lost node then names the message, not "run the task again". */
async function followSent(ctx: RollupTaskContext, sent: SentMessage, follow: () => Promise<void>): Promise<void> {
  const removeNotice = noticeOnInterrupt({ ...sent, flags: ctx.repeatFlags });
  try {
    await follow();
  } catch (error) {
    throw afterSending(error, { ...sent, flags: ctx.repeatFlags }, { l1: ctx.l1Url, l2: ctx.l2Url });
  } finally {
    removeNotice();
  }
}

/**
 * Refuses, before anything is sent, an amount above what the account holds on the layer it leaves
 * from: the node would refuse the transaction anyway, but in wei and without saying what to do.
 */
async function assertHolds(ctx: RollupTaskContext, layer: "L1" | "L2", amount: bigint): Promise<void> {
  const signer = layer === "L1" ? ctx.l1Signer : ctx.l2Signer;
  if (signer === undefined) return;
  const balance = await (layer === "L1" ? ctx.l1 : ctx.l2).getBalance(signer.address);
  if (amount <= balance) return;
  throw new RollupTaskError(
    "INSUFFICIENT_FUNDS",
    `--amount ${formatEther(amount)} ETH is more than ${signer.address} holds on ${layer} (${formatEther(balance)} ETH): nothing sent`,
    layer === "L1"
      ? `deposit less, or fund the account on L1 first (npx hardhat rollup:balance --address ${signer.address}${connectionFlags(ctx.repeatFlags)} shows both layers)`
      : "withdraw less, or deposit to L2 first (npx hardhat rollup:deposit --amount <ETH>)",
  );
}

/**
 * The connection flags of a task's repeat flags, for a command that names its account by
 * `--address`: the account a key from NATIVE_ROLLUP_USER_KEY signs for is no dev account, and
 * `--account`/`--dev` mean nothing beside `--address`.
 */
function connectionFlags(flags: string): string {
  return flags.replace(/ --account \d+| --dev\b/g, "");
}

/** Prints each new status of a message while the SDK waits on it. */
const progress = (report: MessageStatusReport): void => console.log(`  … ${describeStatus(report)}`);

/**
 * Waits until an L1 → L2 message is relayed on L2. The relay's transaction is the sequencer's
 * until L1 accepts its block: a node that takes over sequencing first rebuilds that block and
 * relays the message in a transaction of its own (another timestamp, another hash). The message
 * hash is its id for good, and rollup:message finds the relay by it (L2Bridge's events), so that
 * is what the user is told to keep.
 */
async function followToL2(ctx: RollupTaskContext, message: L1ToL2Message): Promise<void> {
  const relayed = await ctx.client.waitForMessageStatus(message, "relayed", { timeoutMs: 120_000, onStatus: progress });
  const block = relayed.relayedInL2Block ?? "?";
  console.log(`relayed on L2 in block ${block} (tx ${relayed.relayTransactionHash ?? "?"})`);
  if (!relayed.consumedOnL1)
    console.log(
      `  not final until L1 accepts L2 block ${block}: if another node takes over sequencing first, it relays the message in another transaction; the message hash stays, and npx hardhat rollup:message ${message.messageHash}${ctx.repeatFlags} finds its relay wherever it is`,
    );
}

/** Why an L2 → L1 message is not provable yet: the sentence, and whether it named the submitter's wait. */
interface NotProvableYet {
  readonly text: string;
  /** The sentence said the node's batch submitter is waiting (and why): a later line need not say it again. */
  readonly namedSubmitterWait: boolean;
}

/**
 * Why an L2 → L1 message is not provable yet, in words: on an optimistic rollup its block waits
 * for the challenge window (and when it closes); otherwise L1 has not accepted it yet.
 */
async function notProvableYet(
  ctx: RollupTaskContext,
  message: L2ToL1Message,
  acceptedL2Head: bigint,
): Promise<NotProvableYet> {
  const finalAt = await optimisticFinalAt(ctx.client.rollup, message.l2BlockNumber);
  if (finalAt !== undefined)
    return {
      text: `its L2 block ${message.l2BlockNumber} is proposed on L1, waiting for the challenge window, final at ${new Date(Number(finalAt) * 1000).toISOString()}`,
      namedSubmitterWait: false,
    };
  const node = await ctx.client.node.status().catch(() => undefined);
  const submitter =
    node === undefined
      ? ""
      : node.submitter === "running"
        ? " (the node's batch submitter is running)"
        : `; the node's batch submitter is ${node.submitter}${node.submitterError === undefined ? "" : `: ${node.submitterError}`}`;
  return {
    text: `its L2 block ${message.l2BlockNumber} is not accepted on L1 yet (accepted head ${acceptedL2Head})${submitter}`,
    namedSubmitterWait: node?.submitter === "waiting",
  };
}

/** How often a task waiting on a withdrawal reads its status and the node's submitter. */
const WITHDRAWAL_POLL_MS = 500;

/**
 * Polls `message` until it is provable (or finalized), reading the node's submitter beside it: a
 * halted submitter (any halt: none ends by waiting) fails the wait at once rather than at its
 * timeout; a waiting one (its key cannot pay yet: a top-up ends it) is told once and waited for.
 */
async function waitUntilProvable(
  ctx: RollupTaskContext,
  message: L2ToL1Message,
  timeoutSeconds: number,
  showProgress: boolean,
  /** The caller's line already named the submitter's wait: only its hint follows. */
  namedSubmitterWait = false,
): Promise<L2ToL1StatusReport> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  let last: string | undefined;
  let toldWaiting = false;
  for (;;) {
    const node = await ctx.client.node.status().catch(() => undefined);
    // A detached node refuses rollup_getMessageStatus: its halt is the answer.
    const report =
      node?.submitterErrorCode === "DETACHED_FROM_L1" ? undefined : await ctx.client.getMessageStatus(message);
    if (report !== undefined && showProgress && report.status !== last) progress(report);
    last = report?.status;
    if (report !== undefined && report.status !== "initiated") return report;
    if (node?.submitter === "halted")
      throw new RollupTaskError(
        "SUBMITTER_HALTED",
        `message ${message.messageHash} cannot become provable: the node's batch submitter halted${node.submitterErrorCode === undefined ? "" : ` (${node.submitterErrorCode})`}: ${node.submitterError ?? "no reason given"}`,
        `${node.submitterHint ?? "see npx hardhat rollup:status"}; nothing is lost: once L1 accepts L2 block ${message.l2BlockNumber}, finish with npx hardhat rollup:finalize ${message.messageHash}${ctx.repeatFlags}`,
      );
    if (node?.submitter === "waiting" && !toldWaiting) {
      toldWaiting = true;
      const reason = node.submitterError ?? "no reason given";
      const hint = node.submitterHint === undefined ? "" : ` (${node.submitterHint})`;
      if (!namedSubmitterWait) console.log(`  … the node's batch submitter is waiting: ${reason}${hint}`);
      else if (hint !== "") console.log(`  … hint${hint}`);
    }
    if (Date.now() >= deadline)
      throw new RollupTaskError(
        "TIMEOUT",
        `gave up after ${timeoutSeconds} s: ${(await notProvableYet(ctx, message, report?.acceptedL2Head ?? 0n)).text}`,
        `nothing is lost: resume with npx hardhat rollup:finalize ${message.messageHash}${ctx.repeatFlags}`,
      );
    await new Promise((resolve) => setTimeout(resolve, Math.min(WITHDRAWAL_POLL_MS, deadline - Date.now())));
  }
}

/**
 * Refuses, before anything is sent, to bridge through an L2 devnet detached from L1 (a state patch
 * L1 cannot re-execute, docs/design/l2-dev-state.md): a deposit would be paid on L1 and never
 * relayed, a withdrawal burnt on L2 and never provable.
 */
async function assertAttached(ctx: RollupTaskContext): Promise<void> {
  const node = await ctx.client.node.status();
  if (node?.submitterErrorCode !== "DETACHED_FROM_L1") return;
  const cause = (node.submitterError ?? "a change L1 cannot verify").replace(/^detached from L1:\s*/i, "");
  throw new RollupTaskError(
    "DETACHED_FROM_L1",
    `the L2 devnet is detached from L1 (${cause}): nothing sent`,
    "restart the devnet with --reset to bridge again",
  );
}

/** Waits until `message` is provable (or finalized), then finalizes it unless someone already did. */
async function finalizeWhenProvable(
  ctx: RollupTaskContext,
  message: L2ToL1Message,
  timeoutSeconds: number,
): Promise<void> {
  const now = await ctx.client.getMessageStatus(message);
  let namedSubmitterWait = false;
  if (now.status === "initiated") {
    const why = await notProvableYet(ctx, message, now.acceptedL2Head);
    if (timeoutSeconds <= 0)
      throw new RollupTaskError(
        "NOT_PROVABLE_YET",
        `message ${message.messageHash} is not provable yet: ${why.text}`,
        `run npx hardhat rollup:finalize ${message.messageHash}${ctx.repeatFlags} again later, or with --timeout <seconds> to wait`,
      );
    console.log(`  … waiting: ${why.text}`);
    namedSubmitterWait = why.namedSubmitterWait;
  }
  const ready = await waitUntilProvable(ctx, message, timeoutSeconds, now.status !== "initiated", namedSubmitterWait);
  if (ready.status === "finalized") {
    console.log("already finalized on L1");
    return;
  }
  const done = await ctx.client.finalizeWithdrawal(message);
  console.log(
    `finalized on L1 against L2 block ${done.provenAgainstL2Block} (tx ${done.l1TransactionHash}); L1 balance of ${message.to}: ${formatEther(await ctx.l1.getBalance(message.to))} ETH`,
  );
}

/** The arguments of `rollup:deploy` (tasks/rollup.ts). */
export interface DeployArgs {
  l2ChainId?: number;
  /** An L2 genesis file (rollup:genesis --out): its hash and state root, its supply backed by the deployer. */
  genesis?: string;
  genesisHash?: string;
  genesisStateRoot?: string;
  sequencer?: string;
  /** Fallback sequencing only (inactivityPeriodFor); DEFAULT_ROLLUP_POLICY's when not given. */
  inactivity?: number;
  forceInclusion: number;
  out: string;
  l1Rpc?: string;
  verificationKeys?: string;
  threshold?: number;
  verifiers: boolean;
  relayer?: string;
  dev: boolean;
}

/**
 * `--genesis-hash` and `--genesis-state-root` name a genesis together, each 32 bytes: either one
 * alone, or malformed, would otherwise leave the dev genesis to be deployed in its place.
 */
export function checkGenesisByHash(args: Pick<DeployArgs, "genesisHash" | "genesisStateRoot">): void {
  const hint =
    "pass both --genesis-hash and --genesis-state-root (0x + 64 hex digits each, printed by rollup:genesis), or the file with --genesis genesis.json";
  for (const [flag, value] of [
    ["--genesis-hash", args.genesisHash],
    ["--genesis-state-root", args.genesisStateRoot],
  ] as const)
    if (value !== undefined && !isHexString(value, 32))
      throw new InvalidTaskInputError(`${flag} "${value}" is not a 32-byte hash`, hint);
  if (args.genesisHash !== undefined && args.genesisStateRoot === undefined)
    throw new InvalidTaskInputError("--genesis-hash needs --genesis-state-root", hint);
  if (args.genesisStateRoot !== undefined && args.genesisHash === undefined)
    throw new InvalidTaskInputError("--genesis-state-root needs --genesis-hash", hint);
}

/**
 * The contract's inactivity period: `--inactivity`, else the default. Only the fallback rule reads
 * it; under `based` (anyone, any time) or `permissioned` (only the sequencer) the flag would be
 * accepted and mean nothing, so it is refused rather than silently ignored.
 */
export function inactivityPeriodFor(inactivity: number | undefined): bigint {
  return inactivity === undefined ? DEFAULT_ROLLUP_POLICY.sequencerInactivityPeriod : BigInt(inactivity);
}

/**
 * Said after the deployment, once L1's check of the rule is known: a period given for a rule that
 * never falls back changes nothing. Not refused before deploying: the declared rule is the config's
 * word, and the contract may enforce another (SEQUENCING_MISMATCH, where the period does apply).
 */
export function inactivityNote(
  rule: SequencingRule,
  inactivity: number | undefined,
  confirmed: boolean,
): string | undefined {
  if (inactivity === undefined || rule.kind === "fallback") return undefined;
  return `note: --inactivity ${inactivity} has no effect${confirmed ? "" : ` if the contract enforces ${rule.kind} sequencing`}: ${describeSequencing(rule)}, whatever the period`;
}

export async function deploy(args: DeployArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  // Input first: before compiling, before dialling the L1.
  checkGenesisByHash(args);
  await hre.run("compile", { quiet: true });
  const { resolveDeployTarget } = await import("./deployTarget");
  const target = await resolveDeployTarget(hre, { l1Rpc: args.l1Rpc, dev: args.dev });
  try {
    await deployTo(target, args, hre);
  } finally {
    target.close();
  }
}

/** Says when the L1's latest block gas limit is below what the block of required overdue messages needs (re-execution). */
async function warnIfL1TooSmallForMessages(provider: DeployTarget["provider"], l2ChainId: bigint): Promise<void> {
  const latest = await provider.getBlock("latest");
  if (latest === null) return;
  const { leastL1GasLimitForRequiredMessages } = await import("../rollup-node/l2/advanceBudget");
  const { createChainCommon } = await import("../rollup-node/chain/genesis");
  const least = leastL1GasLimitForRequiredMessages(createChainCommon(l2ChainId));
  if (latest.gasLimit >= least) return;
  console.log(
    `warning: this L1's block gas limit (${latest.gasLimit}) is below ${least}, what the advance of the overdue L1 → L2 messages L1 may require in one block (up to 64 KB of message data) may need: anyone may queue such messages, and once they are overdue no block would be accepted until the L1's limit rises. Deploy on an L1 whose blocks hold more, or give the rollup a lower MESSAGE_DATA_SIZE_LIMIT (docs/design/advance-gas-cap.md §3)`,
  );
}

async function deployTo(target: DeployTarget, args: DeployArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  const { deployer, provider, l1ChainId } = target;
  // The project's own rollup contract and L2 allocations (hardhat.config.ts `rollup`), as the devnet deploys them.
  const { rollup } = hre.config;
  const contract = rollup.contract === undefined ? undefined : await readRollupArtifact(hre, rollup.contract);
  const onDevnet = l1ChainId === DEFAULT_L1_CHAIN_ID;
  // Everything that can refuse is decided before the first transaction.
  const verificationKeys =
    args.verificationKeys === undefined ? undefined : await readVerificationKeys(args.verificationKeys);
  if (verificationKeys === undefined && rollup.mode.kind === "proofs") {
    throw new RollupTaskError(
      "NO_VERIFICATION_KEYS",
      "hardhat.config.ts sets rollup.proofs, but no verification keys were given",
      "pass --verification-keys FILE: a JSON array of the committees' ABI-encoded keys (committeeVerificationKey)",
    );
  }
  const requested: RequestedMode =
    rollup.mode.kind === "optimistic" ? "optimistic" : verificationKeys !== undefined ? "proofs" : "re-execution";
  const { probeExecute, verificationFor } = await import("../deploy/l1Probe");
  const { devnetGenesis, genesisCommitments } = await import("../rollup-node/devnet/rollupDevnet");
  const probe = await probeExecute(provider);
  console.log(`L1 ${target.description} (chain ${l1ChainId}): ${probe.evidence}`);
  const verification = verificationFor(requested, probe, args.verifiers);
  if (verification === "verifiers" && contract !== undefined && !takesExecutor(contract)) {
    throw new RollupTaskError(
      "CONTRACT_NEEDS_EXECUTOR",
      `${contract.contractName} verifies blocks with the EXECUTE precompile only (its constructor takes no executor), and this L1 ${probe.available ? "is to use verifiers" : "has no EXECUTE"}`,
      "give the contract an `address executor` constructor parameter and verify with Execute.execute(EXECUTOR, …), as contracts/examples/ProvenRollup.sol does, or leave rollup.contract unset to deploy ProvenRollup",
    );
  }
  if (args.sequencer === undefined && !onDevnet) {
    throw new RollupTaskError(
      "NO_SEQUENCER",
      `L1 chain ${l1ChainId} is not the devnet: the sequencer's address must be given`,
      "pass --sequencer 0x… (the address of the key the node submits blocks with)",
    );
  }
  const threshold =
    args.threshold ??
    (rollup.mode.kind === "proofs" ? rollup.mode.threshold : undefined) ??
    verificationKeys?.length ??
    0;
  const proofPolicy =
    verificationKeys === undefined
      ? undefined
      : { threshold, allowReexecution: false, acceptedKeys: verificationKeys.map((k) => keccak256(k)) };
  if (proofPolicy !== undefined && (threshold < 1 || threshold > proofPolicy.acceptedKeys.length)) {
    throw new RollupTaskError(
      "BAD_THRESHOLD",
      `--threshold ${threshold} is not between 1 and the ${plural(proofPolicy.acceptedKeys.length, "key")} given`,
      "k of n needs 1 <= k <= n",
    );
  }
  const sequencer = args.sequencer ?? devNodeKeys().sequencer.address;
  const byHash = args.genesisHash !== undefined || args.genesisStateRoot !== undefined;
  if (args.genesis !== undefined && byHash) {
    throw new RollupTaskError(
      "TWO_GENESES",
      "both --genesis and --genesis-hash/--genesis-state-root were given",
      "pass the genesis file (rollup:genesis --out) alone, or its hash and state root alone",
    );
  }
  // The dev genesis funds ten accounts of the public mnemonic: on a chain anyone else reaches,
  // whoever knows those keys (everyone) withdraws what the deployer backed them with.
  if (args.genesis === undefined && !byHash && !onDevnet && !args.dev) {
    throw new RollupTaskError(
      "DEV_GENESIS_OFF_DEVNET",
      `no L2 genesis was given, and the dev genesis (the ten public dev accounts funded with ${formatEther(DEV_GENESIS_ACCOUNT_BALANCE * BigInt(DEFAULT_ACCOUNT_COUNT))} ETH, backed by the deployer) is refused on L1 chain ${l1ChainId}: anyone can take those funds`,
      "write your genesis with npx hardhat rollup:genesis --out genesis.json and pass --genesis genesis.json (or --genesis-hash and --genesis-state-root); --dev only for a throwaway local L1",
    );
  }
  const genesisFile = args.genesis === undefined ? undefined : await readGenesisFile(args.genesis);
  // A file written by hand (or by another tool) skips rollup:genesis's checks: a gas limit L1
  // refuses every block of would leave the rollup unable to advance while it accepts deposits.
  if (genesisFile?.gasLimit !== undefined) checkL2GasLimit(genesisFile.gasLimit);
  const l2ChainId = genesisFile?.chainId ?? BigInt(args.l2ChainId ?? rollup.l2ChainId);
  if (genesisFile !== undefined && args.l2ChainId !== undefined && BigInt(args.l2ChainId) !== genesisFile.chainId) {
    throw new RollupTaskError(
      "CHAIN_ID_MISMATCH",
      `--l2-chain-id ${args.l2ChainId} is not the chain id of ${args.genesis} (${genesisFile.chainId})`,
      "drop --l2-chain-id: the genesis file's chain id is used",
    );
  }
  // Every rollup that keeps the default chain id is the same chain to a signature (EIP-155): a user's
  // L2 transaction signed for one is valid on all of them (docs/design/attack-review-s23.md, §2).
  if (!onDevnet && l2ChainId === DEFAULT_L2_CHAIN_ID)
    console.log(
      `warning: L2 chain id ${l2ChainId} is the framework's default, shared by every rollup that keeps it: a transaction signed for one of them is valid on the others (EIP-155 replay). Give this rollup a chain id of its own: rollup.l2ChainId in hardhat.config.ts (then rollup:genesis again), or rollup:init --chain-id`,
    );

  // An L1 whose blocks cannot carry the overdue messages L1 may require of one block: anyone's
  // messages could then stop every block (attack-review-s27.md, fourth pass, finding 7).
  if (requested !== "optimistic") await warnIfL1TooSmallForMessages(provider, l2ChainId);

  // A partial record of an interrupted run of this same deployment resumes it; a complete one is not redeployed.
  const done = await loadDeployment(args.out);
  if (done !== undefined && done.l1ChainId === l1ChainId && (await target.provider.getCode(done.address)) === "0x") {
    // One chain id, and the rollup gone: an in-memory L1 (npm run devnet:l1) restarted, or another chain.
    throw new RollupTaskError(
      "DEPLOYMENT_GONE",
      `${args.out} records a rollup at ${done.address} on L1 chain ${l1ChainId}, but this L1 has no code there (deployed in L1 block ${done.deployBlock}): it is not the chain that rollup was deployed on (an in-memory L1 restarted, or another chain with that id)`,
      `to deploy afresh here, delete ${args.out} and ${deployedGenesisFile(args.out)} (or pass another --out), and start its node with --reset or a new --data-dir; to keep the old rollup, point the command at its L1`,
    );
  }
  if (done !== undefined && done.l1ChainId === l1ChainId) {
    throw new RollupTaskError(
      "ALREADY_DEPLOYED",
      `${args.out} records a rollup at ${done.address} on L1 chain ${l1ChainId}`,
      "use it (rollup:node --deployment), or pass another --out to deploy a second rollup",
    );
  }
  const fingerprint = deployFingerprint({
    l1ChainId,
    l2ChainId,
    args,
    sequencer,
    requested,
    verification,
    contract: contract?.contractName,
    keys: proofPolicy?.acceptedKeys,
  });
  const partial = await loadPartial(partialFile(args.out));
  const resume = partial !== undefined && partial.fingerprint === fingerprint ? partial : undefined;
  if (partial !== undefined && resume === undefined)
    console.log(`${partialFile(args.out)} is of another deployment (other chain, options or keys): starting afresh`);
  if (resume !== undefined)
    console.log(`resuming the deployment recorded in ${partialFile(args.out)}: ${describeProgress(resume.progress)}`);

  let genesisHash = args.genesisHash;
  let genesisStateRoot = args.genesisStateRoot;
  let l2GenesisTimestamp: bigint | undefined;
  // The genesis built here (none given): written beside the record for the node's --genesis.
  let built: GenesisConfig | undefined;
  // A genesis given by hash is the caller's: its supply is theirs to deposit (depositGenesisSupply).
  let supply = 0n;
  if (genesisFile !== undefined) {
    ({ hash: genesisHash, stateRoot: genesisStateRoot } = await genesisCommitments(genesisFile));
    supply = genesisSupply(genesisFile);
  } else if (genesisHash === undefined || genesisStateRoot === undefined) {
    // A resumed deployment rebuilds the very genesis its first run deployed for.
    l2GenesisTimestamp = resume?.l2GenesisTimestamp ?? BigInt(Math.floor(Date.now() / 1000));
    // The dev genesis rollup:genesis --dev writes (the same relayer, the same balances): its
    // supply is what a dev L1's deployer can back, and the node command rebuilds the same one.
    const relayer = getAddress((await genesisRelayerAddress(args.relayer, true)) as string);
    const funded = devGenesisFunding(relayer);
    const genesis = devnetGenesis(
      { genesisAlloc: await configuredGenesisAlloc(hre, rollup), l2GasLimit: rollup.gasLimit },
      l2ChainId,
      l2GenesisTimestamp,
      funded,
    );
    ({ hash: genesisHash, stateRoot: genesisStateRoot } = await genesisCommitments(genesis));
    supply = genesisSupply(genesis);
    built = genesis;
  } else {
    // No genesis to read: its gas limit cannot be checked against the floor here (checkL2GasLimit).
    console.log(
      `warning: the L2 gas limit of a genesis given by --genesis-hash is not checked; L1 accepts blocks below ${MIN_L2_GAS_LIMIT} ` +
        "only while each raises the gas limit (the node's sequencer climbs to that floor by the most each block allows)",
    );
  }
  const recordProgress = async (progress: DeploymentProgress): Promise<void> =>
    savePartial(partialFile(args.out), { fingerprint, l2GenesisTimestamp, progress });
  const deployParams: RollupDeployParams = {
    l2ChainId,
    genesisBlockHash: genesisHash,
    genesisStateRoot,
    sequencer,
    policy: {
      sequencerInactivityPeriod: inactivityPeriodFor(args.inactivity),
      forceInclusionDelay: BigInt(args.forceInclusion),
    },
    genesisSupply: supply,
    ...(proofPolicy === undefined ? {} : { proofPolicy }),
    ...(verificationKeys !== undefined && verification === "verifiers"
      ? { verification: { kind: "verifiers" as const, verificationKeys } }
      : {}),
    ...(rollup.mode.kind === "optimistic"
      ? { optimistic: { challengeWindow: rollup.mode.challengeWindow, proposalBond: rollup.mode.proposalBond } }
      : {}),
    ...(contract === undefined ? {} : { contract }),
    ...(resume === undefined ? {} : { resume: resume.progress, resumeFile: partialFile(args.out) }),
    onProgress: recordProgress,
  };
  await assertFunded(target, deployParams);
  const deployed = await deployRollup(deployer, deployParams);
  const deployment = l2GenesisTimestamp === undefined ? deployed : { ...deployed, l2GenesisTimestamp };
  await saveDeployment(args.out, deployment);
  await rm(partialFile(args.out), { force: true });
  console.log(
    `${deployment.contractName ?? "ExampleRollup"} deployed at ${deployment.address} (L1 block ${deployment.deployBlock}, tx ${deployment.transactionHash})`,
  );
  console.log(
    `L2 chain id ${deployment.l2ChainId}, genesis ${deployment.genesisBlockHash}, sequencer ${deployment.sequencer}, mode ${deployment.mode ?? "?"}`,
  );
  // The rule is the contract's (hardhat.config.ts rollup.sequencing.rule says which); the period is
  // --inactivity. Checked on L1 against the contract just deployed: SequencingMismatchError when it
  // enforces another (the record stays: the contract is on L1).
  const declared = sequencingRuleOf(rollup.sequencing.kind, deployment.policy);
  const unconfirmed = await checkSequencingRule(declared, deployment.address, provider, SEQUENCING_RULE_CONFIG_KEY, {
    kind: "deploy",
    record: args.out,
  });
  console.log(
    `sequencing ${describeSequencing(declared)} (${sequencingSource(unconfirmed)}); force inclusion after ${deployment.policy.forceInclusionDelay} s`,
  );
  const note = inactivityNote(declared, args.inactivity, unconfirmed === undefined);
  if (note !== undefined) console.log(note);
  if (deployment.executor !== undefined)
    console.log(
      `proofs verified by ProofModeExecute ${deployment.executor} (${Object.keys(deployment.verifiers ?? {}).length} Groth16 verifiers)`,
    );
  console.log(`deployment record written to ${args.out}`);
  // A proof-mode node without its committees' attesters refuses to start (NO_PROVERS): the line names them.
  const attesters = deployment.proofPolicy === undefined ? "" : " --attesters URL,URL,URL";
  const runNode = (genesis: string): string =>
    `run the node with npx hardhat rollup:node --deployment ${args.out} --genesis ${genesis} --l1-rpc ${target.url}${attesters}`;
  if (built !== undefined) {
    const genesisOut = deployedGenesisFile(args.out);
    await writeGenesisFile(genesisOut, built);
    // The dev genesis funds the public dev keys: off the devnet the node takes it only with --dev.
    const dev = target.l1ChainId === DEFAULT_L1_CHAIN_ID ? "" : " --dev";
    console.log(`L2 genesis written to ${genesisOut}: ${runNode(genesisOut)}${dev}`);
  } else if (args.genesis !== undefined) {
    // The L1 banner and the docs promise this line. A genesis of one's own needs no --dev: the
    // node's keys are the caller's, from the environment.
    console.log(
      `${runNode(args.genesis)}, with the keys in NATIVE_ROLLUP_SEQUENCER_KEY and NATIVE_ROLLUP_RELAYER_KEY${attesters === "" ? "" : ' (the URLs: one committee\'s attesters, in order; several committees: "committees" in --node-config)'}`,
    );
  }
}

/**
 * Refuses, before the first transaction, a deployer that cannot pay for every step left (gas at
 * the L1's current max fee, plus the genesis supply it backs): otherwise the run stops half-way
 * on an error the node phrases as it likes ("could not coalesce error" from ethers).
 */
async function assertFunded(target: DeployTarget, params: RollupDeployParams): Promise<void> {
  const [cost, balance, address] = await Promise.all([
    estimateDeploymentCost(target.deployer, params),
    target.provider.getBalance(target.deployer),
    target.deployer.getAddress(),
  ]);
  if (balance >= cost.wei) return;
  throw new RollupTaskError(
    "DEPLOYER_UNDERFUNDED",
    `the deployer ${address} holds ${formatEther(balance)} ETH, and this deployment needs about ${formatEther(cost.wei)} ETH (${cost.gas} gas at ${formatUnits(cost.feePerGas, "gwei")} gwei${cost.backing > 0n ? `, plus ${formatEther(cost.backing)} ETH of L2 genesis supply to back` : ""}); nothing was sent`,
    `send at least ${formatEther(cost.wei - balance)} ETH to ${address} on L1 chain ${target.l1ChainId} and run the same command again${
      cost.backing > 0n && target.l1ChainId === DEFAULT_L1_CHAIN_ID
        ? `; on the devnet, back less: a genesis from npx hardhat rollup:genesis --dev funds each dev account with ${formatEther(DEV_GENESIS_ACCOUNT_BALANCE)} ETH, within a dev account's 10000 ETH (or raise the deployer's balance with the L1's hardhat_setBalance)`
        : ""
    }`,
  );
}

/** A JSON array of ABI-encoded verification keys (hex), one per accepted proof type. */
async function readVerificationKeys(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new RollupTaskError(
      "BAD_VERIFICATION_KEYS",
      `cannot read ${file}: ${(error as Error).message}`,
      "a JSON array of 0x-hex verification keys",
    );
  }
  const parsed = parseJsonOr(
    text,
    (description) =>
      new RollupTaskError(
        "BAD_VERIFICATION_KEYS",
        `${file} is not JSON: ${description}`,
        "a JSON array of 0x-hex verification keys, as npx hardhat rollup:verification-keys --out FILE writes it",
      ),
  );
  if (
    !Array.isArray(parsed) ||
    parsed.length === 0 ||
    !parsed.every((k) => typeof k === "string" && isHexString(k) && k.length > 2)
  ) {
    throw new RollupTaskError(
      "BAD_VERIFICATION_KEYS",
      `${file} is not a non-empty JSON array of hex verification keys`,
      "write hexlify(committeeVerificationKey(artifacts, committee)) for each committee",
    );
  }
  return parsed as string[];
}

/** What a deployment is, for deciding whether a partial record belongs to it. */
function deployFingerprint(what: {
  l1ChainId: bigint;
  l2ChainId: bigint;
  args: DeployArgs;
  sequencer: string;
  requested: RequestedMode;
  verification: string;
  contract?: string;
  keys?: readonly string[];
}): string {
  const { args } = what;
  return keccak256(
    toUtf8Bytes(
      JSON.stringify([
        what.l1ChainId.toString(),
        what.l2ChainId.toString(),
        args.genesis ?? "",
        args.genesisHash ?? "",
        args.genesisStateRoot ?? "",
        what.sequencer.toLowerCase(),
        args.inactivity ?? Number(DEFAULT_ROLLUP_POLICY.sequencerInactivityPeriod),
        args.forceInclusion,
        args.relayer ?? "",
        what.requested,
        what.verification,
        what.contract ?? "",
        what.keys ?? [],
        args.threshold ?? "",
      ]),
    ),
  );
}

function describeProgress(progress: DeploymentProgress): string {
  const parts = [
    progress.executor === undefined ? undefined : `verifiers at ${progress.executor}`,
    progress.rollup === undefined ? undefined : `rollup at ${progress.rollup.address}`,
    progress.genesisBacked === true ? "genesis backed" : undefined,
  ].filter((p) => p !== undefined);
  return parts.length === 0 ? "nothing mined yet" : parts.join(", ");
}

export async function deposit(
  args: SignerArgs & { amount: string; to?: string },
  hre: HardhatRuntimeEnvironment,
): Promise<void> {
  const amount = etherAmount("--amount", args.amount);
  const to = args.to === undefined ? undefined : addressOption("--to", args.to);
  return withContext(hre, args, async (ctx) => {
    await assertAttached(ctx);
    await assertHolds(ctx, "L1", amount);
    const message = await ctx.client.deposit({ to, amount });
    console.log(
      `queued on L1: deposit of ${formatEther(amount)} ETH to ${message.to} as message #${message.nonce} (tx ${message.l1TransactionHash}, message ${message.messageHash})`,
    );
    await followSent(ctx, { messageHash: message.messageHash, resumeWith: "rollup:message" }, async () => {
      await followToL2(ctx, message);
      console.log(`L2 balance of ${message.to}: ${formatEther(await ctx.l2.getBalance(message.to))} ETH`);
    });
  });
}

export async function sendMessage(
  args: SignerArgs & { to: string; data?: string; sig?: string; args?: string; gasLimit: number; value: string },
  hre: HardhatRuntimeEnvironment,
): Promise<void> {
  const to = addressOption("--to", args.to);
  const data = encodeCall(args);
  const gasLimit = gasLimitOption(args.gasLimit);
  const value = etherAmount("--value", args.value, true);
  return withContext(hre, args, async (ctx) => {
    await assertAttached(ctx);
    // Not refused: a contract may be deployed there before the message is relayed. But a call of an
    // account without code "succeeds" doing nothing, which a user testing a call should know.
    if ((await ctx.l2.getCode(to)) === "0x") {
      console.log(
        `note: ${to} has no code on L2 (yet): the call will run nothing${value > 0n ? " but move the value" : ""}, and still count as relayed`,
      );
    }
    const message = await ctx.client.sendMessage({ to, data, gasLimit, value });
    console.log(
      `queued on L1: call of ${message.to} as message #${message.nonce} (tx ${message.l1TransactionHash}, message ${message.messageHash})`,
    );
    await followSent(ctx, { messageHash: message.messageHash, resumeWith: "rollup:message" }, () =>
      followToL2(ctx, message),
    );
  });
}

export async function withdraw(
  args: SignerArgs & { amount: string; to?: string; timeout: number },
  hre: HardhatRuntimeEnvironment,
): Promise<void> {
  const amount = etherAmount("--amount", args.amount);
  const to = args.to === undefined ? undefined : addressOption("--to", args.to);
  return withContext(hre, args, async (ctx) => {
    await assertAttached(ctx);
    await assertHolds(ctx, "L2", amount);
    const message = await ctx.client.withdraw({ to, amount });
    console.log(
      `initiated on L2 in block ${message.l2BlockNumber} (tx ${message.l2TransactionHash}, message ${message.messageHash})`,
    );
    await followSent(ctx, { messageHash: message.messageHash, resumeWith: "rollup:finalize" }, () =>
      finalizeWhenProvable(ctx, message, args.timeout),
    );
  });
}

/** The L2 → L1 message a hash names, or a task error saying it is the other direction. */
async function l2ToL1Message(ctx: RollupTaskContext, hash: string): Promise<L2ToL1Message> {
  const message = await ctx.client.getMessage(hash);
  if (message.direction !== "l2ToL1") {
    throw new RollupTaskError(
      "WRONG_DIRECTION",
      `${hash} names L1 → L2 message #${message.nonce}: only L2 → L1 messages are finalized on L1`,
      `the node relays L1 → L2 messages itself; see where it stands with npx hardhat rollup:message ${hash}${ctx.repeatFlags}`,
    );
  }
  return message;
}

export async function finalize(
  args: SignerArgs & { hash: string; timeout: number },
  hre: HardhatRuntimeEnvironment,
): Promise<void> {
  const hash = hashArgument(args.hash);
  if (!Number.isInteger(args.timeout) || args.timeout < 0)
    throw new InvalidTaskInputError(
      `--timeout ${args.timeout} is not a number of seconds`,
      "pass 0 (do not wait) or a positive integer",
    );
  return withContext(hre, args, async (ctx) => {
    await assertAttached(ctx);
    const message = await l2ToL1Message(ctx, hash);
    console.log(
      `L2 → L1 message ${message.messageHash}: ${formatEther(message.value)} ETH to ${message.to}, sent in L2 block ${message.l2BlockNumber}`,
    );
    await finalizeWhenProvable(ctx, message, args.timeout);
  });
}

export async function retryMessage(args: SignerArgs & { hash: string }, hre: HardhatRuntimeEnvironment): Promise<void> {
  const hash = hashArgument(args.hash);
  return withContext(hre, args, async (ctx) => {
    const message = await ctx.client.getMessage(hash);
    if (message.direction !== "l1ToL2")
      throw new RollupTaskError(
        "WRONG_DIRECTION",
        `${hash} names an L2 → L1 message: only L1 → L2 calls are retried on L2`,
        `finalize it on L1 with npx hardhat rollup:finalize ${hash}${ctx.repeatFlags}`,
      );
    const receipt = await ctx.client.retryMessage(message);
    console.log(
      `retried L1 → L2 message #${message.nonce} on L2 in block ${receipt.blockNumber} (tx ${receipt.hash}): its call succeeded`,
    );
  });
}

/** A value's one-line description. */
const short = (data: string): string =>
  data.length > 74 ? `${data.slice(0, 74)}… (${(data.length - 2) / 2} bytes)` : data;

export async function message(args: ConnectionArgs & { hash: string }, hre: HardhatRuntimeEnvironment): Promise<void> {
  const hash = hashArgument(args.hash);
  return withContext(hre, args, async (ctx) => {
    const report = await ctx.client.getMessageStatus(hash);
    const m = report.message;
    console.log(`message         ${m.messageHash}`);
    console.log(`direction       ${m.direction === "l1ToL2" ? "L1 → L2" : "L2 → L1"} #${m.nonce}`);
    console.log(`from → to       ${m.from} → ${m.to}`);
    console.log(`value           ${formatEther(m.value)} ETH`);
    if (m.data !== "0x") console.log(`data            ${short(m.data)}`);
    console.log(`status          ${describeStatus(report)}`);
    if (report.direction === "l1ToL2") {
      console.log(
        `queued on L1    block ${report.message.l1BlockNumber} (tx ${report.message.l1TransactionHash}), gas limit ${report.message.gasLimit}`,
      );
      if (report.anchoredInL2Block !== undefined)
        console.log(
          `anchored in L2  block ${report.anchoredInL2Block}${report.consumedOnL1 ? ", accepted on L1" : ""}`,
        );
      if (report.relayTransactionHash !== undefined)
        console.log(`relayed on L2   block ${report.relayedInL2Block ?? "?"} (tx ${report.relayTransactionHash})`);
      if (report.revertReason !== undefined) console.log(`revert reason   ${report.revertReason}`);
      if (report.status === "failed")
        console.log(
          `next            npx hardhat rollup:retry-message ${m.messageHash}${ctx.repeatFlags}   (once the call can succeed; its sender may refund it instead: L2Bridge.refundMessage)`,
        );
      return;
    }
    console.log(
      `sent on L2      block ${report.message.l2BlockNumber} (tx ${report.message.l2TransactionHash}); L1 has accepted L2 blocks up to ${report.acceptedL2Head}`,
    );
    if (report.status === "initiated")
      console.log(`waiting         ${(await notProvableYet(ctx, report.message, report.acceptedL2Head)).text}`);
    if (report.status !== "finalized")
      console.log(`next            npx hardhat rollup:finalize ${m.messageHash}${ctx.repeatFlags}`);
  });
}

export async function balance(
  args: ConnectionArgs & { account: number; address?: string },
  hre: HardhatRuntimeEnvironment,
): Promise<void> {
  const address =
    args.address === undefined
      ? devAccountAddress(accountIndex(args.account))
      : addressOption("--address", args.address);
  return withContext(hre, args, async (ctx) => {
    const [onL1, onL2] = await Promise.all([ctx.l1.getBalance(address), ctx.l2.getBalance(address)]);
    console.log(`${address}${args.address === undefined ? ` (dev account #${args.account})` : ""}`);
    console.log(`L1  ${formatEther(onL1)} ETH`);
    console.log(`L2  ${formatEther(onL2)} ETH`);
  });
}

export async function status(args: ConnectionArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  const urls = endpointUrls(hre, args);
  try {
    await withContext(hre, args, async (ctx) => printStatus(await ctx.client.getRollupStatus(), ctx.l1Url, ctx.l2Url));
  } catch (error) {
    // The task's own L1 read failed: the L2 node may still read its L1 (another URL, or the same
    // one back) and says what it knows in rollup_status; a lost L1 is when that view matters most.
    if (!lostL1(error)) throw error;
    const node = await nodeStatusAlone(urls.l2).catch(() => undefined);
    if (node === undefined) throw error;
    // The error names the URL and the cause (ECONNREFUSED, a timeout, a dropped connection).
    console.log(`task's L1       ${(error as Error).message.split("\n")[0]}`);
    console.log(`                what follows is the L2 node's own view (rollup_status), with its last read of L1`);
    printStatus(node, urls.l1, urls.l2);
  }
}

/** Whether a task error says the L1 node did not answer (or a node it talked to, L1 among them, dropped the connection). */
function lostL1(error: unknown): boolean {
  if (error instanceof NodeUnreachableError) return error.layer === "L1";
  return (error as { code?: unknown } | null)?.code === "NODE_UNREACHABLE";
}

/** The L2 node's `rollup_status`, asked without L1; undefined for a node that does not serve it. */
async function nodeStatusAlone(l2Url: string): Promise<RollupNodeStatus | undefined> {
  const l2 = new JsonRpcProvider(l2Url, Network.from(await probeNode("L2", l2Url)), { staticNetwork: true });
  try {
    return await new RollupNodeRpc(l2).status();
  } finally {
    l2.destroy();
  }
}

/** `rollup:status`'s challenger line: the node's challenger key, its queue and its wins (the last one named). */
export function describeChallenger(c: NonNullable<RollupStatus["challenger"]>): string {
  const last = c.won.at(-1);
  const won =
    last === undefined
      ? "no challenge won"
      : `${plural(BigInt(c.won.length), "challenge")} won (${c.won.length === 1 ? "" : "last: "}L2 block ${last.number}, reward ${formatEther(last.reward)} ETH)`;
  return `${c.address ?? "(its signer's address unknown)"}: re-executes every proposal, ${c.pending} pending, ${won}`;
}

/** `rollup:status`'s lines, from the task's reads (with the node's) or from the node's alone. */
function printStatus(s: RollupStatus, l1Url: string, l2Url: string): void {
  console.log(`rollup          ${s.rollupAddress}`);
  console.log(`L1              chain ${s.l1ChainId}, head ${s.l1Head}`);
  if (s.l1 !== undefined) console.log(`node's L1       ${describeL1Health(s.l1)}`);
  console.log(`L2              chain ${s.l2ChainId}, head ${s.l2Head} (${s.l2HeadHash})`);
  if (s.proposedL2Head === undefined)
    console.log(`accepted on L1  L2 block ${s.acceptedL2Head} (${s.acceptedL2HeadHash})`);
  else {
    // Optimistic: a proposed block is L1's but can still be challenged until its window ends.
    const window =
      s.proposedFinalAt === undefined
        ? "final"
        : `challenge window ends at ${new Date(Number(s.proposedFinalAt) * 1000).toISOString()}`;
    console.log(`proposed on L1  L2 block ${s.proposedL2Head} (${s.proposedL2HeadHash}), ${window}`);
    // Which "final": the rollup's head, not the node's `finalized` tag the dashboard also shows (docs/design/trial-s29.md).
    console.log(
      `final on L1     L2 block ${s.acceptedL2Head} (${s.acceptedL2HeadHash}): the rollup's final head (the node's "finalized" tag, on the dashboard, also waits --finality-depth L1 blocks)`,
    );
  }
  console.log(`L1 → L2 queue   ${plural(s.l1MessageCount, "message")}, ${s.pendingL1Messages} pending`);
  console.log(`submitter       ${s.submitter}${s.submitterError === undefined ? "" : `: ${s.submitterError}`}`);
  // A halt or a wait is only half said without what to do about it.
  if (s.submitterHint !== undefined) console.log(`                hint: ${s.submitterHint}`);
  if (s.challenger !== undefined) console.log(`challenger      ${describeChallenger(s.challenger)}`);
  for (const alert of s.challengerAlerts ?? []) console.log(`challenger      alert: ${alert}`);
  if (s.heldTransactions !== undefined && s.heldTransactions > 0n) {
    const one = s.heldTransactions === 1n;
    console.log(
      `held            ${plural(s.heldTransactions, "transaction")} waiting for proposal slack (gas limit ${one ? "" : "up to "}${s.heldLargestGasLimit ?? "?"}), ${one ? "it" : "the largest"} fits in ≈ ${s.heldLargestWaitSeconds ?? "?"} s; a gas limit from eth_estimateGas is not held`,
    );
  }
  console.log(`nodes           L1 ${l1Url}, L2 ${l2Url}`);
}

export async function blocks(args: ConnectionArgs & { last: number }, hre: HardhatRuntimeEnvironment): Promise<void> {
  positiveOption("--last", args.last, "blocks", 20);
  return withContext(hre, args, async (ctx) => {
    const policy = await ctx.client.rollup.proofPolicy();
    const keyNames = new Map(policy.acceptedKeys.map((key, i) => [key.toLowerCase(), `key #${i}`]));
    const history = (await acceptanceHistory(ctx.l1, ctx.rollupAddress)).slice(-args.last);
    if (history.length === 0) {
      console.log("no L2 block submitted to L1 yet");
      return;
    }
    // EXECUTE's error names, for the challenged blocks only: the precompile's module loads the EVM.
    const { executeErrorName } = history.some((b) => b.challenge !== undefined)
      ? await import("../precompiles")
      : { executeErrorName: undefined };
    const rows = history.map((b) => {
      const proofs = b.proofKeys
        .map((k) => keyNames.get(k.toLowerCase()) ?? `unlisted key ${k.slice(0, 10)}…`)
        .join(", ");
      const how =
        b.mode === "re-executed"
          ? "re-executed by EXECUTE"
          : b.mode === "proven"
            ? `proven by ${proofs}`
            : b.mode === "optimistic"
              ? "optimistic"
              : `proofs (${proofs}) or re-execution`;
      const challenge =
        b.challenge === undefined || executeErrorName === undefined
          ? ""
          : `: ${executeErrorName(b.challenge.code)} (${b.challenge.reason})`;
      return [
        String(b.number),
        `${b.blockHash.slice(0, 18)}…`,
        `${b.status}${challenge}`,
        how,
        String(b.l1BlockNumber),
        b.l1TransactionHash,
      ];
    });
    for (const line of formatTable(["L2 block", "hash", "status", "accepted", "L1 block", "L1 transaction"], rows))
      console.log(line);
  });
}
