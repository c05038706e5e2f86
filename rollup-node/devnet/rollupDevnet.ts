import { existsSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import type { ResourceLimits } from "node:worker_threads";

import type { Common } from "@ethereumjs/common";

import type { CaptureThread } from "../chain/captureProtocol";
import { JsonRpcProvider, Wallet, formatEther, hexlify, keccak256 } from "ethers";

import type { CensorMode } from "../bridge/censorMode";
import {
  DEFAULT_ROLLUP_POLICY,
  type RollupContractArtifact,
  type RollupDeployment,
  type RollupPolicy,
  deployRollup,
  deployedGenesisFile,
  loadDeployment,
  saveDeployment,
} from "../../deploy/rollup";
import {
  SEQUENCING_RULE_CONFIG_KEY,
  type SequencingRule,
  type SequencingRuleName,
  sequencingRuleOf,
} from "../../deploy/policy";
import {
  DEFAULT_VERIFIER_WRITES,
  type WriteRules,
  sameWriteRules,
  writeRulesFromJson,
  writeRulesToJson,
} from "../../precompiles";
import { ExampleRollup__factory, OptimisticExampleRollup__factory, ProvenRollup__factory } from "../../typechain-types";
import type { AcceptedBlock, BlockProofs } from "../bridge/batchSubmitter";
import type { BridgeError } from "../bridge/errors";
import { checkSequencingRule } from "../node/sequencingRule";
import { type GenesisAccount, type GenesisConfig, createChainCommon } from "../chain/genesis";
import { genesisSupply } from "../l2/genesis";
import { writeGenesisFile } from "../chain/genesisFile";
import { type Logger, type LoggerFactory, plural } from "../logger";
import { blockProofSource } from "../node/proofSource";
import type { ExecutionProver, ProofService } from "../provers/proofService";
import type { ProducedBlock } from "../l2/types";
import { type NodeKeys, devNodeKeys, nodeRelayer, recordedRelayer } from "../node/keys";
import { devL2Genesis } from "../node/l2Genesis";
import { type RollupNode, startRollupNode } from "../node/rollupNode";
import { DEFAULT_ACCOUNT_COUNT, DEFAULT_DEV_BALANCE, type DevAccount, deriveDevAccounts } from "../chain/devAccounts";
import { DEFAULT_L1_CHAIN_ID } from "./l1Devnet";
import {
  DEFAULT_L1_THREAD,
  type L1Handle,
  type L1Thread,
  type L1ThreadDevnetOptions,
  type L1ThreadError,
  startL1Thread,
} from "./l1Thread";
import { DEFAULT_DEVNET_MODE, type DevnetMode, type ProofsDevnetMode } from "./mode";
import { NodeError } from "../errors";
import {
  DEFAULT_CHALLENGE_WINDOW,
  DEFAULT_DATA_DIR,
  DEFAULT_L2_BLOCK_TIME_MS,
  DEFAULT_L2_CHAIN_ID,
  DEFAULT_PROPOSAL_BOND,
  DEPLOYMENT_FILE,
  DEVNET_PORT_OPTIONS,
} from "./defaults";
import { DEFAULT_DEVNET_L1_GAS_LIMIT, l1GasLimitProblem, resumedL1GasLimit } from "./l1GasLimit";

export {
  DEFAULT_CHALLENGE_WINDOW,
  DEFAULT_DATA_DIR,
  DEFAULT_L2_BLOCK_TIME_MS,
  DEFAULT_L2_CHAIN_ID,
  DEFAULT_PROPOSAL_BOND,
  DEPLOYMENT_FILE,
};

export interface RollupDevnetOptions {
  /** Holds the L2 chain and the deployment record; `.devnet` by default. */
  readonly dataDir?: string;
  /** Start from scratch even if `dataDir` holds a chain. */
  readonly reset?: boolean;
  readonly host?: string;
  /** 0 picks a free port. */
  readonly l1Port?: number;
  readonly l2Port?: number;
  readonly l1ChainId?: bigint;
  readonly l2ChainId?: bigint;
  /** L1 block time; automine (a block per transaction) when undefined. */
  readonly l1BlockTimeMs?: number;
  readonly l2BlockTimeMs?: number;
  /** Produce L2 blocks without transactions or messages too (default false: quiet logs, fewer `advance`s). */
  readonly allowEmptyBlocks?: boolean;
  /**
   * TEST/DEV: addresses the sequencer censors (refuses their L2 transactions, holds their L1
   * messages back until L1 forces them in), to watch forced inclusion work. NodeSequencerConfig.censor.
   */
  readonly censor?: readonly string[];
  /** TEST/DEV, with `censor`: until L1 forces them in, or never (NodeSequencerConfig.censorMode). */
  readonly censorMode?: CensorMode;
  readonly policy?: RollupPolicy;
  /**
   * Who may advance, as the rollup contract enforces it (the banner says what applies); by default
   * `fallback`, NativeRollup's own rule, with the deployed inactivity period. Checked against the
   * deployed contract on L1 at start: a rule it does not enforce stops the start.
   */
  readonly sequencing?: SequencingRuleName;
  readonly l1PollMs?: number;
  readonly l2GasLimit?: bigint;
  /** Start the sequencer's block timer (default true). */
  readonly produceBlocks?: boolean;
  /** Submit L2 blocks to the rollup contract (default true; false measures the L2 alone, e.g. `bench:rollup`'s capacity run). */
  readonly submitBlocks?: boolean;
  readonly logger: LoggerFactory;
  readonly onHalt?: (error: BridgeError) => void;
  readonly onAccepted?: (accepted: AcceptedBlock) => void;
  /**
   * How blocks are accepted (default re-execution), chosen once as one of three:
   * - `proofs`: run `committees` attestation committees (3 attester processes each, dev keys)
   *   and deploy a ProvenRollup that accepts a block on proofs from `threshold` of them.
   *   `provers` are external proof types (e.g. a zkVM): they run beside the committees and their
   *   keys join the rollup's policy. The devnet closes them when it stops.
   * - `optimistic`: deploy an OptimisticExampleRollup; the node proposes every block with a
   *   bond, finalizes it after the challenge window, and challenges invalid proposals by others.
   *   Window and bond default to DEFAULT_CHALLENGE_WINDOW (s) and DEFAULT_PROPOSAL_BOND (wei).
   */
  readonly mode?: RollupDevnetMode;
  /**
   * The rollup contract to deploy (a project's own, inheriting NativeRollup or OptimisticRollup);
   * by default ExampleRollup, ProvenRollup or OptimisticExampleRollup, by mode.
   */
  readonly contract?: RollupContractArtifact;
  /** Extra L2 genesis accounts and predeploys, next to the funded dev accounts and L2Bridge. */
  readonly genesisAlloc?: Readonly<Record<string, GenesisAccount>>;
  /**
   * The L2's write rules (its genesis's `config.writeRules`, consensus-rules.md §5); per block from
   * genesis when absent. Given to the node (its witnesses, its challenger), to the L1's EXECUTE for
   * this chain id and to the proof mode's attesters: all from the one genesis.
   */
  readonly l2WriteRules?: WriteRules;
  /** Web origins whose pages may call the L1 and L2 JSON-RPC (CORS); none by default. */
  readonly corsOrigins?: readonly string[];
  /** L2 automine: each transaction sent to the L2 node gets its block before the call returns (for tests). */
  readonly l2Automine?: boolean;
  /**
   * The L1's block gas limit, fixed at genesis (DEFAULT_DEVNET_L1_GAS_LIMIT by default; at least
   * MIN_DEVNET_L1_GAS_LIMIT of the mode): below 2^24 the advance gas cap binds. A resumed chain
   * keeps the one it was made with; asking for another is refused.
   */
  readonly l1GasLimit?: bigint;
  /**
   * The thread the L1 devnet runs on: its own worker thread (default, `DEFAULT_L1_THREAD`), so
   * that L1 and the node use two cores, or the node's thread (`main`: one core; the L1 devnet
   * itself is then in hand as `l1.devnet`). See docs/design/devnet-l1-thread.md.
   */
  readonly l1Thread?: L1Thread;
  /** Both chains' trie node cache bound in bytes, the L2's and the L1's (DEFAULT_NODE_CACHE_BYTES by default). */
  readonly nodeCacheBytes?: number;
  /** Where the L2 chain captures its blocks' witnesses (the chain's DEFAULT_CAPTURE_THREAD by default). */
  readonly captureThread?: CaptureThread;
  /** The L1 worker's V8 heap limits (DEFAULT_L1_RESOURCE_LIMITS by default); ignored when `l1Thread` is `main`. */
  readonly l1ResourceLimits?: ResourceLimits;
}

/** The devnet's acceptance mode; proof mode may add external provers beside its committees. */
export type RollupDevnetMode =
  | Exclude<DevnetMode, ProofsDevnetMode>
  | (ProofsDevnetMode & { readonly provers?: readonly ExecutionProver[] });

/** Options the devnet cannot run together. */
export class DevnetOptionsError extends NodeError {
  constructor(message: string, hint: string) {
    super("DEVNET_OPTIONS", message, hint);
  }
}

/**
 * A record to resume whose L1 chain is gone (its `l1/` deleted, or replaced by another run's):
 * resuming would start an empty L1 beside an L2 and a record that name a rollup it does not hold.
 */
export class DevnetL1MissingError extends NodeError {
  constructor(message: string, dataDir: string) {
    super(
      "DEVNET_L1_MISSING",
      message,
      `put back the L1 chain this record was deployed on (${path.join(dataDir, "l1")}) and run again, or start over with --reset (deletes the L2 chain and the record)`,
    );
  }
}

export interface RollupDevnet {
  /** The L1 devnet, on its own thread (reached over `l1Url`) unless `l1Thread` was `main`. */
  readonly l1: L1Handle;
  readonly node: RollupNode;
  readonly l1Url: string;
  readonly l2Url: string;
  readonly l1ChainId: bigint;
  readonly l2ChainId: bigint;
  readonly deployment: RollupDeployment;
  /** Who may advance this rollup (RollupDevnetOptions.sequencing). */
  readonly sequencing: SequencingRule;
  /**
   * Why L1 could not confirm `sequencing` (./sequencingRule.ts: e.g. anyone may advance now,
   * as both fallback and based allow): the rule is then the config's word, and the banner says so.
   * Absent when the contract's own check confirmed it.
   */
  readonly sequencingUnconfirmed?: string;
  /** User accounts, funded on L1 and L2 (the dev mnemonic's first ten). */
  readonly accounts: readonly DevAccount[];
  readonly keys: NodeKeys;
  readonly dataDir: string;
  readonly genesis: GenesisConfig;
  readonly startupMs: number;
  /** The L1's block gas limit (its genesis's; every L1 block keeps it). */
  readonly l1GasLimit: bigint;
  /** True when this run continued the chains found in `dataDir`. */
  readonly resumed: boolean;
  /**
   * Set when resumed although the rollup contract was recompiled with other bytecode since it was
   * deployed: the chain keeps the deployed contract (`--reset` deploys the new one).
   */
  readonly staleContract?: { readonly contractName: string; readonly address: string };
  /**
   * Settles when the devnet has stopped: with undefined after stop(), with the error when it
   * stopped itself because its L1 thread died (a foreground run exits with it).
   */
  readonly stopped: Promise<L1ThreadError | undefined>;
  /**
   * The proofs the node's submitter sends with `block`, hex `abi.encode(ExecutionProof[])`: the
   * dev committees' in proof mode, "0x" otherwise (the block is re-executed from its witness).
   * For tests and tools that send `advance` themselves: a k-of-n policy refuses a block without
   * its proofs (ReexecutionNotAllowed). Rejects with a NodeError (DEVNET_PROOFS_SHORT) when fewer
   * committees than the policy's threshold delivered.
   */
  proofsFor(block: ProducedBlock): Promise<string>;
  stop(): Promise<void>;
}

/** `RollupDevnet.proofsFor` over the devnet's proof source (undefined: not in proof mode). */
export function devnetProofsFor(
  source: ((produced: ProducedBlock) => Promise<BlockProofs>) | undefined,
  threshold: number,
): (block: ProducedBlock) => Promise<string> {
  return async (block) => {
    if (source === undefined) return "0x";
    const proofs = await source(block);
    if (proofs.provenBy.length < threshold)
      throw new NodeError(
        "DEVNET_PROOFS_SHORT",
        `proofs of L2 block ${block.number}: ${proofs.provenBy.length} of the ${threshold} the policy requires${proofs.failures?.length ? ` (${proofs.failures.join("; ")})` : ""}`,
        "an attester process of the devnet's committees failed: see the devnet's log (ROLLUP_LOG=1 in a project's tests)",
      );
    return hexlify(proofs.encoded);
  };
}

/**
 * Starts the dev committees: 3 attester processes each, with public dev keys, re-executing under
 * the L1's fork rules and the L2's write rules. The proof path (snarkjs, circomlibjs: ≈ 1 CPU s to load) is loaded here,
 * in proof mode only, not with the devnet (docs/design/startup-time.md).
 */
async function startDevProofService(
  committees: number,
  external: readonly ExecutionProver[],
  l1Common: Common,
  writeRules: ReadonlyMap<bigint, WriteRules>,
  log: Logger,
): Promise<ProofService> {
  const { COMMITTEE_CIRCUIT, bundledCircuitArtifacts } = await import("../provers/committee");
  const { CommitteeProver, ProofService, devAttesterKeys } = await import("../provers/proofService");
  const names = Array.from({ length: committees }, (_, i) => `committee-${i + 1}`);
  const provers = await Promise.all(
    names.map((name) =>
      CommitteeProver.start(name, devAttesterKeys(name, COMMITTEE_CIRCUIT.signatures), bundledCircuitArtifacts(), {
        l1Common,
        writeRules,
      }),
    ),
  );
  log.info(
    `proof mode: ${plural(provers.length, "attestation committee")} running (${plural(provers.length * COMMITTEE_CIRCUIT.signatures, "attester process", "attester processes")})`,
  );
  if (external.length > 0)
    log.info(
      `proof mode: external provers ${external.map((p) => `${p.name} (key ${p.keyHash.slice(0, 10)}…)`).join(", ")}`,
    );
  return new ProofService([...provers, ...external]);
}

/** keccak256 of the creation bytecode the devnet deploys for these options (the project's contract, or the mode's example). */
export function rollupBytecodeHash(options: Pick<RollupDevnetOptions, "contract" | "mode">): string {
  const kind = (options.mode ?? DEFAULT_DEVNET_MODE).kind;
  const bytecode =
    options.contract?.bytecode ??
    (kind === "optimistic"
      ? OptimisticExampleRollup__factory.bytecode
      : kind === "proofs"
        ? ProvenRollup__factory.bytecode
        : ExampleRollup__factory.bytecode);
  return keccak256(bytecode);
}

/** The devnet's L2 genesis: the dev genesis plus the project's allocations (which may not replace a dev account). */
export function devnetGenesis(
  options: Pick<RollupDevnetOptions, "genesisAlloc" | "l2GasLimit" | "l2WriteRules">,
  l2ChainId: bigint,
  timestamp: bigint,
  funded: readonly Pick<DevAccount, "address" | "balance">[],
): GenesisConfig {
  const base = devL2Genesis({
    chainId: l2ChainId,
    timestamp,
    funded,
    gasLimit: options.l2GasLimit,
    writeRules: options.l2WriteRules,
  });
  const alloc: Record<string, GenesisAccount> = { ...base.alloc };
  for (const [address, account] of Object.entries(options.genesisAlloc ?? {})) {
    const key = address.toLowerCase();
    if (alloc[key] !== undefined)
      throw new DevnetOptionsError(
        `the genesis allocation for ${address} collides with a dev account or the L2Bridge predeploy`,
        "pick another address in rollup.genesis",
      );
    alloc[key] = account;
  }
  return { ...base, alloc };
}

/**
 * The L1 block gas limit this run uses: the one asked for (or the default) on a fresh chain, the
 * recorded one on a resumed chain; refused with the reason before anything is started or removed.
 */
function devnetL1GasLimit(
  options: Pick<RollupDevnetOptions, "l1GasLimit">,
  mode: DevnetMode["kind"],
  resumed: Pick<RollupDeployment, "l1GasLimit"> | undefined,
  dataDir: string,
): bigint {
  if (options.l1GasLimit !== undefined) {
    const problem = l1GasLimitProblem(options.l1GasLimit, mode);
    if (problem !== undefined) throw new DevnetOptionsError(problem.message, problem.hint);
  }
  if (resumed === undefined) return options.l1GasLimit ?? DEFAULT_DEVNET_L1_GAS_LIMIT;
  const kept = resumedL1GasLimit(options.l1GasLimit, resumed.l1GasLimit, dataDir);
  if (typeof kept !== "bigint") throw new DevnetOptionsError(kept.message, kept.hint);
  return kept;
}

import { genesisCommitments } from "../chain/genesisCommitments";

export { genesisCommitments };

/** What one devnet chain is made of in its data directory: the L1, the L2, the record and the L2 genesis beside it. */
const DEVNET_CHAIN_FILES = ["l1", "l2", DEPLOYMENT_FILE, deployedGenesisFile(DEPLOYMENT_FILE)];

/**
 * Moves the chain a devnet cannot resume (its L1, its L2 and its record) into
 * `<dataDir>/replaced-<time>/`, and returns that folder: starting afresh loses nothing.
 */
export async function setAsideDevnetChain(dataDir: string, now: Date = new Date()): Promise<string> {
  const aside = path.join(dataDir, `replaced-${now.toISOString().replace(/[:.]/g, "-")}`);
  await mkdir(aside, { recursive: true });
  for (const name of DEVNET_CHAIN_FILES) {
    const from = path.join(dataDir, name);
    if (existsSync(from)) await rename(from, path.join(aside, name));
  }
  return aside;
}

/**
 * The one-command devnet: an L1 devnet with EXECUTE, the rollup contract deployed for a fresh
 * L2 genesis, and the L2 node (sequencer, L1 watcher, relayer, batch submitter, JSON-RPC).
 *
 * Both chains live in `dataDir` (`l1/`, `l2/`, `rollup.json`): a later run resumes them, unless
 * `reset` (or a record that does not fit these options) starts both from genesis.
 */
export async function startRollupDevnet(options: RollupDevnetOptions): Promise<RollupDevnet> {
  const started = Date.now();
  const log = options.logger("devnet");
  const mode = options.mode ?? DEFAULT_DEVNET_MODE;
  const proofs = mode.kind === "proofs" ? mode : undefined;
  const optimistic =
    mode.kind === "optimistic"
      ? {
          challengeWindow: mode.challengeWindow ?? DEFAULT_CHALLENGE_WINDOW,
          proposalBond: mode.proposalBond ?? DEFAULT_PROPOSAL_BOND,
          proposalGasPerSecond: mode.proposalGasPerSecond,
          proposalGasBurst: mode.proposalGasBurst,
        }
      : undefined;
  const dataDir = path.resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  const deploymentFile = path.join(dataDir, DEPLOYMENT_FILE);
  const l1ChainId = options.l1ChainId ?? DEFAULT_L1_CHAIN_ID;
  const l2ChainId = options.l2ChainId ?? DEFAULT_L2_CHAIN_ID;
  // A record that does not parse (cut short by a crash, edited by hand) cannot be resumed either.
  let unreadable: string | undefined;
  const previous =
    options.reset === true
      ? undefined
      : await loadDeployment(deploymentFile).catch((error: Error) => {
          unreadable = error.message;
          return undefined;
        });
  const accounts = deriveDevAccounts(DEFAULT_ACCOUNT_COUNT, DEFAULT_DEV_BALANCE);
  // The relayer is this devnet's own key (kept in its record), not the public mnemonic's, so nobody
  // else can drain it; a record written before keeps the mnemonic's relayer its genesis funded.
  const devKeys = devNodeKeys(DEFAULT_DEV_BALANCE);
  let keys: NodeKeys = {
    ...devKeys,
    relayer: recordedRelayer(previous, DEFAULT_DEV_BALANCE),
  };
  // A record resumes only if this run would rebuild the same L2 genesis for the same contract.
  const sameGenesis =
    previous?.l2GenesisTimestamp !== undefined &&
    (
      await genesisCommitments(
        devnetGenesis(options, l2ChainId, previous.l2GenesisTimestamp, [...accounts, keys.relayer]),
      )
    ).hash === previous.genesisBlockHash;
  const l2WriteRules = options.l2WriteRules ?? DEFAULT_VERIFIER_WRITES;
  // The genesis hash does not commit to the write rules: the record does (l2WriteRules).
  const sameWriteRulesAsRecord =
    previous !== undefined &&
    sameWriteRules(
      previous.l2WriteRules === undefined ? DEFAULT_VERIFIER_WRITES : writeRulesFromJson(previous.l2WriteRules),
      l2WriteRules,
    );
  const resumable =
    previous !== undefined &&
    sameGenesis &&
    sameWriteRulesAsRecord &&
    (previous.contractName ?? "ExampleRollup") ===
      (options.contract?.contractName ?? previous.contractName ?? "ExampleRollup") &&
    previous.l1ChainId === l1ChainId &&
    previous.l2ChainId === l2ChainId &&
    previous.l2GenesisTimestamp !== undefined &&
    (previous.proofPolicy !== undefined) === (proofs !== undefined) &&
    (previous.optimistic !== undefined) === (optimistic !== undefined);
  const l1GasLimit = devnetL1GasLimit(options, mode.kind, resumable ? previous : undefined, dataDir);
  if ((previous !== undefined || unreadable !== undefined) && !resumable) {
    // Not deleted: a mistyped --l2-chain-id or a forgotten --proofs must not cost the chain.
    const aside = await setAsideDevnetChain(dataDir);
    const why =
      unreadable ??
      `${deploymentFile} was made with other chain ids, genesis, write rules, contract, proof mode or optimistic mode`;
    log.warn(
      `${why}: starting from genesis; the previous chain is kept in ${aside} (to resume it, stop this devnet, move its l1/, l2/ and ${DEPLOYMENT_FILE} back and run with the flags it was made with; or delete it)`,
    );
  }
  if (!resumable) {
    keys = { ...devKeys, relayer: nodeRelayer(DEFAULT_DEV_BALANCE) };
    // Only what this devnet wrote: `dataDir` may be a directory the user keeps other things in.
    await rm(path.join(dataDir, "l2"), { recursive: true, force: true });
    await rm(deploymentFile, { force: true });
  }
  const bytecodeHash = rollupBytecodeHash({ contract: options.contract, mode });
  const staleContract =
    resumable && previous?.bytecodeHash !== undefined && previous.bytecodeHash !== bytecodeHash
      ? { contractName: previous.contractName ?? "ExampleRollup", address: previous.address }
      : undefined;
  if (staleContract !== undefined) {
    log.warn(
      `${staleContract.contractName} was recompiled with other bytecode since this devnet deployed it at ${staleContract.address}: the resumed chain keeps running the deployed (old) contract; pass --reset to deploy the new one on a fresh chain`,
    );
  }
  if (resumable && !existsSync(path.join(dataDir, "l1")))
    // Checked before the L1 starts: it would make a fresh, empty chain in l1/ and take its place.
    throw new DevnetL1MissingError(
      `cannot resume ${deploymentFile}: its L1 chain ${path.join(dataDir, "l1")} is missing, and the rollup ${previous.address} (deployed in L1 block ${previous.deployBlock}) lives on it`,
      dataDir,
    );
  // A start that fails must not leave a half-made data directory behind: remember what was there.
  const dataDirExisted = existsSync(dataDir);
  let l1: L1Handle | undefined;
  // Set when the L1 thread dies: a start under way fails with it, a running devnet stops.
  let l1Death: L1ThreadError | undefined;
  let stopOnDeath: ((error: L1ThreadError) => void) | undefined;
  let node: RollupNode | undefined;
  let l1Provider: JsonRpcProvider | undefined;
  let proofService: ProofService | undefined;
  try {
    await mkdir(dataDir, { recursive: true });
    // The deployer (the sequencer's account) deposits the L2 genesis supply on L1: it holds it besides its own balance.
    const supply = genesisSupply(devnetGenesis(options, l2ChainId, 0n, [...accounts, keys.relayer]));
    // startL1Devnet's options, passed through to the L1 thread as they are (the store, history and persistence are the thread's).
    const l1Options: L1ThreadDevnetOptions = {
      host: options.host,
      port: options.l1Port,
      portOption: DEVNET_PORT_OPTIONS.l1,
      chainId: l1ChainId,
      accounts,
      blockTime: options.l1BlockTimeMs,
      gasLimit: l1GasLimit,
      alloc: {
        [keys.sequencer.address]: { balance: keys.sequencer.balance + supply },
        ...(keys.challenger === undefined ? {} : { [keys.challenger.address]: { balance: keys.challenger.balance } }),
      },
      corsOrigins: options.corsOrigins,
      nodeCacheBytes: options.nodeCacheBytes,
      // The L2's write rules, as its genesis declares them: EXECUTE verifies its blocks under them.
      execute: { writeRules: new Map([[l2ChainId, l2WriteRules]]) },
    };
    const l1Thread = options.l1Thread ?? DEFAULT_L1_THREAD;
    l1 = await startL1Thread({
      thread: l1Thread,
      resourceLimits: options.l1ResourceLimits,
      directory: path.join(dataDir, "l1"),
      reset: !resumable,
      devnet: l1Options,
      onDeath: (error) => {
        log.error(`${error.message}: stopping the devnet`);
        l1Death = error;
        stopOnDeath?.(error);
      },
    });
    log.info(
      l1Thread === "worker" ? `L1 devnet on its own thread (#${l1.threadId})` : "L1 devnet on the node's thread",
    );
    if (proofs !== undefined)
      // The L1's fork rules, as its chain has them: the devnet's L1 runs the default hardfork.
      proofService = await startDevProofService(
        proofs.committees,
        proofs.provers ?? [],
        createChainCommon(l1ChainId),
        // Verified under the chain's write rules, as the L1's EXECUTE verifies it.
        new Map([[l2ChainId, l2WriteRules]]),
        log,
      );
    const l1Url = l1.url;
    l1Provider = new JsonRpcProvider(l1Url, undefined, {
      staticNetwork: true,
      pollingInterval: 50,
      cacheTimeout: -1,
      batchMaxCount: 1,
    });

    let deployment: RollupDeployment;
    let genesis: GenesisConfig;
    if (resumable && previous !== undefined) {
      deployment = previous;
      genesis = devnetGenesis(options, l2ChainId, previous.l2GenesisTimestamp as bigint, [...accounts, keys.relayer]);
      log.info(`resuming: L1 at block ${l1.startHead}, rollup ${deployment.address}`);
      if ((await l1Provider.getCode(deployment.address)) === "0x")
        throw new DevnetL1MissingError(
          `cannot resume ${deploymentFile}: the L1 chain in ${path.join(dataDir, "l1")} (at block ${l1.startHead}) holds no contract at the rollup's address ${deployment.address} (deployed in L1 block ${deployment.deployBlock}): it is not the chain this record was deployed on`,
          dataDir,
        );
    } else {
      const l2GenesisTimestamp = BigInt(Math.floor(Date.now() / 1000)) - 1n;
      genesis = devnetGenesis(options, l2ChainId, l2GenesisTimestamp, [...accounts, keys.relayer]);
      const commitments = await genesisCommitments(genesis);
      const deployed = await deployRollup(new Wallet(keys.sequencer.privateKey, l1Provider), {
        l2ChainId,
        genesisBlockHash: commitments.hash,
        genesisStateRoot: commitments.stateRoot,
        sequencer: keys.sequencer.address,
        policy: options.policy ?? DEFAULT_ROLLUP_POLICY,
        proofPolicy:
          proofService === undefined
            ? undefined
            : {
                threshold: proofs?.threshold ?? proofService.provers.length,
                allowReexecution: false,
                acceptedKeys: proofService.provers.map((p) => p.keyHash),
              },
        optimistic,
        contract: options.contract,
        genesisSupply: genesisSupply(genesis),
      });
      deployment = {
        ...deployed,
        l2GenesisTimestamp,
        relayerKey: keys.relayer.privateKey,
        bytecodeHash,
        l1GasLimit,
        l2WriteRules: writeRulesToJson(l2WriteRules),
      };
      await saveDeployment(deploymentFile, deployment);
      const name = deployment.contractName ?? "ExampleRollup";
      const kind =
        deployment.optimistic !== undefined
          ? `${name} (challenge window ${deployment.optimistic.challengeWindow} s, bond ${formatEther(deployment.optimistic.proposalBond)} ETH)`
          : deployment.proofPolicy === undefined
            ? name
            : `${name} (${deployment.proofPolicy.threshold} of ${deployment.proofPolicy.acceptedKeys.length} proof types)`;
      log.info(
        `deployed ${kind} at ${deployment.address} (L1 block ${deployment.deployBlock}) for L2 genesis ${commitments.hash}`,
      );
    }

    // Beside the record, rewritten on every start: a node run on the record (rollup:node,
    // native-rollup-node) reads it, since the record alone cannot rebuild a project's genesis.
    await writeGenesisFile(deployedGenesisFile(deploymentFile), genesis);
    // The period from the deployment: a resumed chain keeps the one it was deployed with.
    const sequencing = sequencingRuleOf(options.sequencing ?? "fallback", deployment.policy);
    // Refuses to start under a declared rule the contract does not enforce (SequencingMismatchError).
    const sequencingUnconfirmed = await checkSequencingRule(
      sequencing,
      deployment.address,
      l1Provider,
      SEQUENCING_RULE_CONFIG_KEY,
      { kind: "devnet" },
    );

    // One source for the submitter and for proofsFor: a hand-sent advance carries what the node sends.
    const proofSource = proofService === undefined ? undefined : blockProofSource(proofService, l2ChainId);
    node = await startRollupNode({
      storage: { dataDir: path.join(dataDir, "l2"), reset: !resumable },
      l1: {
        provider: l1Provider,
        rollupAddress: deployment.address,
        deployBlock: deployment.deployBlock,
        pollMs: options.l1PollMs,
      },
      sequencer: {
        genesis,
        nodeCacheBytes: options.nodeCacheBytes,
        captureThread: options.captureThread,
        blockTimeMs: options.l2BlockTimeMs,
        allowEmptyBlocks: options.allowEmptyBlocks ?? false,
        produce: options.produceBlocks,
        ...(options.censor === undefined ? {} : { censor: options.censor }),
        ...(options.censorMode === undefined ? {} : { censorMode: options.censorMode }),
      },
      keys,
      // A devnet: evm_mine is served (its advances spend dev ETH).
      rpc: {
        host: options.host,
        port: options.l2Port,
        portOption: DEVNET_PORT_OPTIONS.l2,
        devMethods: true,
        automine: options.l2Automine,
        corsOrigins: options.corsOrigins,
      },
      logger: options.logger,
      submitter: {
        enabled: options.submitBlocks,
        onHalt: options.onHalt,
        onAccepted: options.onAccepted,
        // Follow the deployment, not the options: a resumed record decides what the contract is.
        mode:
          deployment.optimistic !== undefined
            ? { kind: "optimistic" }
            : proofSource !== undefined
              ? { kind: "proofs", proofs: proofSource }
              : { kind: "re-execution" },
      },
    });
    const running = node;
    const runningProofs = proofService;
    const runningL1 = l1;
    const provider = l1Provider;
    let stopping: Promise<void> | undefined;
    let settleStopped: (error: L1ThreadError | undefined) => void = () => undefined;
    const stopped = new Promise<L1ThreadError | undefined>((resolve) => {
      settleStopped = resolve;
    });
    // Once: a stop() during a stop for the L1's death (or the other way round) waits for the first.
    const stopAll = (cause: L1ThreadError | undefined): Promise<void> => {
      stopping ??= (async () => {
        try {
          await running.stop();
          await runningProofs?.close();
          provider.destroy();
          await runningL1.stop();
        } finally {
          settleStopped(cause);
        }
      })();
      return stopping;
    };
    stopOnDeath = (error) => {
      stopAll(error).catch((stopError: unknown) =>
        log.error(`error while stopping after the L1 thread died: ${(stopError as Error).message}`),
      );
    };
    if (l1Death !== undefined) throw l1Death;
    return {
      l1: runningL1,
      node: running,
      l1Url,
      l2Url: running.url as string,
      l1ChainId,
      l2ChainId,
      l1GasLimit,
      deployment,
      sequencing,
      ...(sequencingUnconfirmed === undefined ? {} : { sequencingUnconfirmed }),
      accounts,
      keys,
      dataDir,
      genesis,
      resumed: resumable,
      ...(staleContract === undefined ? {} : { staleContract }),
      startupMs: Date.now() - started,
      stopped,
      proofsFor: devnetProofsFor(proofSource, deployment.proofPolicy?.threshold ?? 0),
      stop: () => stopAll(undefined),
    };
  } catch (error) {
    await node?.stop().catch(() => undefined);
    await proofService?.close().catch(() => undefined);
    l1Provider?.destroy();
    await l1?.stop().catch(() => undefined);
    if (!resumable) {
      // A fresh start that failed: remove what it created (only that, if the directory was the user's).
      if (!dataDirExisted) await rm(dataDir, { recursive: true, force: true });
      else for (const made of DEVNET_CHAIN_FILES) await rm(path.join(dataDir, made), { recursive: true, force: true });
    }
    // A start cut short by the L1 thread's death fails with that, not with what it broke.
    throw l1Death ?? error;
  }
}
