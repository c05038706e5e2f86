import { existsSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";

import type { Common } from "@ethereumjs/common";
import { JsonRpcProvider, Wallet, formatEther, keccak256 } from "ethers";

import {
  DEFAULT_ROLLUP_POLICY,
  type RollupContractArtifact,
  type RollupDeployment,
  type RollupPolicy,
  deployRollup,
  loadDeployment,
  saveDeployment,
} from "../../deploy/rollup";
import { ExampleRollup__factory, OptimisticExampleRollup__factory, ProvenRollup__factory } from "../../typechain-types";
import type { AcceptedBlock } from "../bridge/batchSubmitter";
import type { BridgeError } from "../bridge/errors";
import { type GenesisAccount, type GenesisConfig, createChainCommon } from "../chain/genesis";
import { genesisSupply } from "../l2/genesis";
import { type Logger, type LoggerFactory, plural } from "../logger";
import { COMMITTEE_CIRCUIT, bundledCircuitArtifacts } from "../provers/committee";
import { blockProofSource } from "../node/proofSource";
import { CommitteeProver, type ExecutionProver, ProofService, devAttesterKeys } from "../provers/proofService";
import { type NodeKeys, devNodeKeys, nodeRelayer } from "../node/keys";
import { devL2Genesis } from "../node/l2Genesis";
import { type RollupNode, startRollupNode } from "../node/rollupNode";
import { DEFAULT_ACCOUNT_COUNT, DEFAULT_DEV_BALANCE, type DevAccount, deriveDevAccounts } from "../chain/devAccounts";
import { DEFAULT_L1_CHAIN_ID, type L1Devnet, startL1Devnet } from "./l1Devnet";
import { DEFAULT_DEVNET_MODE, type DevnetMode, type ProofsDevnetMode } from "./mode";
import { NodeError } from "../errors";
import {
  DEFAULT_CHALLENGE_WINDOW,
  DEFAULT_DATA_DIR,
  DEFAULT_L2_BLOCK_TIME_MS,
  DEFAULT_L2_CHAIN_ID,
  DEFAULT_PROPOSAL_BOND,
  DEPLOYMENT_FILE,
} from "./defaults";
import { L1Store } from "./l1Store";

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
  readonly policy?: RollupPolicy;
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
  /** Web origins whose pages may call the L1 and L2 JSON-RPC (CORS); none by default. */
  readonly corsOrigins?: readonly string[];
  /** L2 automine: each transaction sent to the L2 node gets its block before the call returns (for tests). */
  readonly l2Automine?: boolean;
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

export interface RollupDevnet {
  readonly l1: L1Devnet;
  readonly node: RollupNode;
  readonly l1Url: string;
  readonly l2Url: string;
  readonly l1ChainId: bigint;
  readonly l2ChainId: bigint;
  readonly deployment: RollupDeployment;
  /** User accounts, funded on L1 and L2 (the dev mnemonic's first ten). */
  readonly accounts: readonly DevAccount[];
  readonly keys: NodeKeys;
  readonly dataDir: string;
  readonly genesis: GenesisConfig;
  readonly startupMs: number;
  /** True when this run continued the chains found in `dataDir`. */
  readonly resumed: boolean;
  /**
   * Set when resumed although the rollup contract was recompiled with other bytecode since it was
   * deployed: the chain keeps the deployed contract (`--reset` deploys the new one).
   */
  readonly staleContract?: { readonly contractName: string; readonly address: string };
  stop(): Promise<void>;
}

/** Starts the dev committees: 3 attester processes each, with public dev keys, re-executing under the L1's fork rules. */
async function startDevProofService(
  committees: number,
  external: readonly ExecutionProver[],
  l1Common: Common,
  log: Logger,
): Promise<ProofService> {
  const names = Array.from({ length: committees }, (_, i) => `committee-${i + 1}`);
  const provers = await Promise.all(
    names.map((name) =>
      CommitteeProver.start(name, devAttesterKeys(name, COMMITTEE_CIRCUIT.signatures), bundledCircuitArtifacts(), {
        l1Common,
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
  options: Pick<RollupDevnetOptions, "genesisAlloc" | "l2GasLimit">,
  l2ChainId: bigint,
  timestamp: bigint,
  funded: readonly Pick<DevAccount, "address" | "balance">[],
): GenesisConfig {
  const base = devL2Genesis({ chainId: l2ChainId, timestamp, funded, gasLimit: options.l2GasLimit });
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

import { genesisCommitments } from "../chain/genesisCommitments";

export { genesisCommitments };

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
  const previous = options.reset === true ? undefined : await loadDeployment(deploymentFile).catch(() => undefined);
  const accounts = deriveDevAccounts(DEFAULT_ACCOUNT_COUNT, DEFAULT_DEV_BALANCE);
  // The relayer is this devnet's own key (kept in its record), not the public mnemonic's, so nobody
  // else can drain it; a record written before keeps the mnemonic's relayer its genesis funded.
  const devKeys = devNodeKeys(DEFAULT_DEV_BALANCE);
  let keys: NodeKeys = {
    ...devKeys,
    relayer:
      previous?.relayerKey === undefined ? devKeys.relayer : nodeRelayer(DEFAULT_DEV_BALANCE, previous.relayerKey),
  };
  // A record resumes only if this run would rebuild the same L2 genesis for the same contract.
  const sameGenesis =
    previous?.l2GenesisTimestamp !== undefined &&
    (
      await genesisCommitments(
        devnetGenesis(options, l2ChainId, previous.l2GenesisTimestamp, [...accounts, keys.relayer]),
      )
    ).hash === previous.genesisBlockHash;
  const resumable =
    previous !== undefined &&
    sameGenesis &&
    (previous.contractName ?? "ExampleRollup") ===
      (options.contract?.contractName ?? previous.contractName ?? "ExampleRollup") &&
    previous.l1ChainId === l1ChainId &&
    previous.l2ChainId === l2ChainId &&
    previous.l2GenesisTimestamp !== undefined &&
    (previous.proofPolicy !== undefined) === (proofs !== undefined) &&
    (previous.optimistic !== undefined) === (optimistic !== undefined);
  if (previous !== undefined && !resumable)
    log.warn(
      `${deploymentFile} was made with other chain ids, genesis, contract, proof mode or optimistic mode: starting from genesis`,
    );
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
  // A start that fails must not leave a half-made data directory behind: remember what was there.
  const dataDirExisted = existsSync(dataDir);
  let l1Store: L1Store | undefined;
  let l1: L1Devnet | undefined;
  let node: RollupNode | undefined;
  let l1Provider: JsonRpcProvider | undefined;
  let proofService: ProofService | undefined;
  try {
    await mkdir(dataDir, { recursive: true });
    l1Store = await L1Store.open(path.join(dataDir, "l1"), { reset: !resumable });
    const store = l1Store;
    const storedGenesis = await l1Store.genesisTimestamp();
    const l1GenesisTimestamp = storedGenesis ?? BigInt(Math.floor(Date.now() / 1000));
    if (storedGenesis === undefined) await l1Store.setGenesisTimestamp(l1GenesisTimestamp);
    const history = await l1Store.loadBlocks(createChainCommon(l1ChainId));
    // The deployer (the sequencer's account) deposits the L2 genesis supply on L1: it holds it besides its own balance.
    const supply = genesisSupply(devnetGenesis(options, l2ChainId, 0n, [...accounts, keys.relayer]));
    l1 = await startL1Devnet({
      host: options.host,
      port: options.l1Port,
      chainId: l1ChainId,
      accounts,
      blockTime: options.l1BlockTimeMs,
      alloc: {
        [keys.sequencer.address]: { balance: keys.sequencer.balance + supply },
        ...(keys.challenger === undefined ? {} : { [keys.challenger.address]: { balance: keys.challenger.balance } }),
      },
      db: l1Store.db,
      genesisTimestamp: l1GenesisTimestamp,
      history,
      onBlockMined: (record) => store.append(record),
      archive: l1Store,
      corsOrigins: options.corsOrigins,
    });
    if (proofs !== undefined)
      proofService = await startDevProofService(proofs.committees, proofs.provers ?? [], l1.chain.common, log);
    const l1Url = l1.url as string;
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
      log.info(`resuming: L1 at block ${l1.chain.headNumber}, rollup ${deployment.address}`);
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
      deployment = { ...deployed, l2GenesisTimestamp, relayerKey: keys.relayer.privateKey, bytecodeHash };
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
        blockTimeMs: options.l2BlockTimeMs,
        allowEmptyBlocks: options.allowEmptyBlocks ?? false,
        produce: options.produceBlocks,
      },
      keys,
      // A devnet: evm_mine is served (its advances spend dev ETH).
      rpc: {
        host: options.host,
        port: options.l2Port,
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
            : proofService !== undefined
              ? { kind: "proofs", proofs: blockProofSource(proofService, l2ChainId) }
              : { kind: "re-execution" },
      },
    });
    const running = node;
    const runningProofs = proofService;
    const runningL1 = l1;
    const provider = l1Provider;
    return {
      l1: runningL1,
      node: running,
      l1Url,
      l2Url: running.url as string,
      l1ChainId,
      l2ChainId,
      deployment,
      accounts,
      keys,
      dataDir,
      genesis,
      resumed: resumable,
      ...(staleContract === undefined ? {} : { staleContract }),
      startupMs: Date.now() - started,
      stop: async () => {
        await running.stop();
        await runningProofs?.close();
        provider.destroy();
        await runningL1.stop();
        await store.close();
      },
    };
  } catch (error) {
    await node?.stop().catch(() => undefined);
    await proofService?.close().catch(() => undefined);
    l1Provider?.destroy();
    await l1?.stop().catch(() => undefined);
    await l1Store?.close().catch(() => undefined);
    if (!resumable) {
      // A fresh start that failed: remove what it created (only that, if the directory was the user's).
      if (!dataDirExisted) await rm(dataDir, { recursive: true, force: true });
      else
        for (const made of ["l1", "l2", DEPLOYMENT_FILE])
          await rm(path.join(dataDir, made), { recursive: true, force: true });
    }
    throw error;
  }
}
