import {
  Contract,
  type ContractTransactionReceipt,
  type ContractTransactionResponse,
  type Signer,
  keccak256,
} from "ethers";

import {
  ExampleRollup__factory,
  OptimisticExampleRollup__factory,
  ProofModeExecute__factory,
  ProvenRollup__factory,
} from "../typechain-types";

import {
  type RollupContractArtifact,
  rollupConstructorArgs,
  rollupContractFactory,
  rollupContractShape,
  takesExecutor,
} from "./contractArtifact";
import { readJsonRecord, writeJsonRecord } from "./jsonRecord";
import { ResumeMismatchError, checkResumedChain, checkResumedExecutor, checkResumedRollup } from "./resumeCheck";
import { DEFAULT_ROLLUP_POLICY, type RollupPolicy } from "./policy";
import { EXECUTE_ADDRESS } from "../precompiles/abi";
import type { WriteRulesJson } from "../precompiles";
import { NodeError } from "../rollup-node/errors";

export { DEFAULT_ROLLUP_POLICY, type RollupContractArtifact, type RollupPolicy };

export interface RollupDeployParams {
  readonly l2ChainId: bigint;
  /** Hash and state root of the L2 genesis block: the rollup's first head. */
  readonly genesisBlockHash: string;
  readonly genesisStateRoot: string;
  /** The L1 account allowed to advance (the batch submitter's). */
  readonly sequencer: string;
  /**
   * Wei of ETH the L2 genesis allocates outside L2Bridge (`genesisSupply(genesis)`): the deployer
   * deposits it in the rollup contract right after deploying it, so that genesis balances are
   * backed on L1 like deposits. Required, so that no deployment forgets it (0n for none).
   */
  readonly genesisSupply: bigint;
  readonly policy?: RollupPolicy;
  /** Proof mode: deploy a ProvenRollup that accepts blocks on these proofs (k of the listed keys). */
  readonly proofPolicy?: ProofPolicyParams;
  /**
   * Who verifies the proofs of a ProvenRollup: the EXECUTE precompile (the default), or on an L1
   * without it, Solidity Groth16 verifiers, one per accepted key, deployed here.
   */
  readonly verification?: ProofVerification;
  /**
   * Optimistic mode: deploy an OptimisticExampleRollup that also takes `propose`d blocks, final
   * after `challengeWindow` seconds unless a challenge shows them invalid. With `proofPolicy`
   * it also accepts those proofs (`advance`, `prove`).
   */
  readonly optimistic?: OptimisticParams;
  /**
   * The rollup contract to deploy (a project's own, inheriting NativeRollup); by default the
   * framework's ExampleRollup, ProvenRollup or OptimisticExampleRollup, chosen by the options
   * above. Its constructor arguments are matched by name and struct shape (contractArtifact.ts).
   */
  readonly contract?: RollupContractArtifact;
  /**
   * What an earlier, interrupted run of the same deployment already did (its partial record):
   * each step found done on chain is skipped, so a resumed deployment pays only for what is left.
   */
  readonly resume?: DeploymentProgress;
  /** Where `resume` was read from, named in a refusal to resume. */
  readonly resumeFile?: string;
  /** Called after each step is mined, with everything done so far: save it to resume from there. */
  readonly onProgress?: (progress: DeploymentProgress) => Promise<void>;
}

/** The steps of a deployment done so far: the executor, the rollup contract, the genesis backing. */
export interface DeploymentProgress {
  /** The L1 chain they were done on: a record of another chain is refused (deploy/resumeCheck.ts). */
  readonly l1ChainId?: bigint;
  /** The ProofModeExecute deployed for a verifiers-mode rollup. */
  readonly executor?: string;
  readonly rollup?: { readonly address: string; readonly deployBlock: number; readonly transactionHash: string };
  /** Whether the L2 genesis supply was deposited in the rollup. */
  readonly genesisBacked?: boolean;
}

/** OptimisticRollup's OptimisticConfig: window and bond must be non-zero. */
export interface OptimisticParams {
  /** Seconds during which a proposed block can be challenged. */
  readonly challengeWindow: bigint;
  /** Wei every proposal locks. */
  readonly proposalBond: bigint;
  /** R: L2 check gas per second of L1 time proposals may add (DEFAULT_PROPOSAL_GAS_PER_SECOND when omitted; recorded). */
  readonly proposalGasPerSecond?: bigint;
  /** C: the proposal gas bucket's capacity, at least MIN_PROPOSAL_GAS_BURST (DEFAULT_PROPOSAL_GAS_BURST when omitted; recorded). */
  readonly proposalGasBurst?: bigint;
}

/**
 * Default R of the proposal gas bucket (docs/design/challenger-capacity.md): half of what the
 * stated challenger — 2 cores, ≈ 2 ms per 1,000 L2 gas of the costliest workload (`ecrecover`)
 * per core, docs/design/execute-budget.md — re-executes per second (1,000,000 L2 gas/s).
 */
export const DEFAULT_PROPOSAL_GAS_PER_SECOND = 500_000n;

/**
 * Least C (OptimisticRollup's `MIN_PROPOSAL_GAS_BURST`): the most check gas a proposable block is
 * charged, 5/4 of its gas limit (EIP-3529 refunds), which is under 2^24 (EIP-7825's cap).
 */
export const MIN_PROPOSAL_GAS_BURST = 2n ** 24n + 2n ** 22n;

/** Default C: 2^25, over one and a half blocks at the largest gas limit a proposal may have, each charged at most 5/4 · 2^24. */
export const DEFAULT_PROPOSAL_GAS_BURST = 2n ** 25n;

/** The optimistic parameters with the proposal gas bucket's defaults filled in (what is deployed and recorded). */
export function withProposalGasDefaults(optimistic: OptimisticParams): Required<OptimisticParams> {
  return {
    ...optimistic,
    proposalGasPerSecond: optimistic.proposalGasPerSecond ?? DEFAULT_PROPOSAL_GAS_PER_SECOND,
    proposalGasBurst: optimistic.proposalGasBurst ?? DEFAULT_PROPOSAL_GAS_BURST,
  };
}

/** NativeRollup's ProofPolicy: `threshold` of the verification keys hashed in `acceptedKeys`. */
export interface ProofPolicyParams {
  readonly threshold: number;
  readonly allowReexecution: boolean;
  readonly acceptedKeys: readonly string[];
}

/**
 * How a ProvenRollup's blocks are verified, fixed at deployment: by the EXECUTE precompile, or by
 * a ProofModeExecute contract (EXECUTE's proof mode in Solidity) with a Groth16 verifier for each
 * of `verificationKeys` (ABI-encoded keys, as `committeeVerificationKey` returns them; every key
 * hash of the policy must be among them).
 */
export type ProofVerification =
  | { readonly kind: "precompile" }
  | { readonly kind: "verifiers"; readonly verificationKeys: readonly string[] };

/** Where and how a rollup was deployed: what a node needs to follow it (saved as JSON). */
export interface RollupDeployment {
  readonly address: string;
  readonly l1ChainId: bigint;
  readonly l2ChainId: bigint;
  /** The L1 block of the deployment: the watcher scans MessageQueued events from here. */
  readonly deployBlock: number;
  readonly transactionHash: string;
  readonly genesisBlockHash: string;
  readonly genesisStateRoot: string;
  readonly sequencer: string;
  readonly policy: RollupPolicy;
  /** Timestamp of the L2 genesis, when the deployer built it (lets a node rebuild the same genesis). */
  readonly l2GenesisTimestamp?: bigint;
  /** Set for a ProvenRollup: the proofs it accepts. */
  readonly proofPolicy?: ProofPolicyParams;
  /** Set for a ProvenRollup verified without the precompile: its ProofModeExecute. */
  readonly executor?: string;
  /** Set for an OptimisticExampleRollup: its challenge window and proposal bond. */
  readonly optimistic?: OptimisticParams;
  /**
   * The devnet's L2 relayer key (random per devnet, funded in its L2 genesis): not from the public
   * dev mnemonic, so nobody else can drain the account that pays for relays. Absent in older records
   * and for deployments whose node brings its own key.
   */
  readonly relayerKey?: `0x${string}`;
  /** The deployed contract's name (absent in records written before contracts were configurable). */
  readonly contractName?: string;
  /**
   * keccak256 of the creation bytecode it was deployed from: a devnet resumed after the contract
   * was recompiled differently can say so (absent in older records).
   */
  readonly bytecodeHash?: string;
  /**
   * The devnet's L1 block gas limit, fixed at its genesis: a resumed devnet keeps it (absent in
   * records written before it could be chosen, made at the default; and outside the devnet).
   */
  readonly l1GasLimit?: bigint;
  /** How L1 verifies blocks (absent in records written before rollup:deploy probed the L1). */
  readonly mode?: RollupMode;
  /** Verifiers mode: the Groth16Verifier of each accepted key hash (ProofModeExecute.verifierOf). */
  readonly verifiers?: Readonly<Record<string, string>>;
  /**
   * The L2 genesis's write rules (`config.writeRules`, as `writeRulesToJson` writes them), which
   * the genesis hash does not commit to: a devnet resumes its record only with the same rules
   * (absent: per block from genesis, and in records written before they were recorded).
   */
  readonly l2WriteRules?: WriteRulesJson;
}

/**
 * How a deployed rollup's blocks are verified on L1: re-executed by EXECUTE; proven, the proofs
 * checked by EXECUTE or by Solidity verifiers (an L1 without EXECUTE); optimistic, with challenges
 * that re-execute on EXECUTE.
 */
export type RollupMode = "re-execution" | "proofs-precompile" | "proofs-verifiers" | "optimistic";

/** Thrown when a deployment cannot be made or read. */
export class DeploymentError extends NodeError {}

/** NativeRollup's genesis backing: what a deployment calls on any rollup contract, the framework's or a project's. */
const GENESIS_BACKING_ABI = ["function depositGenesisSupply() payable"];
const GENESIS_SUPPLY_ABI = ["function genesisSupply() view returns (uint256)"];

/**
 * The parameters with the proposal gas bucket's defaults filled in: what is deployed, and what
 * the deployment's price is estimated on (a project's own contract takes the full struct; without
 * them its price could not be encoded, and rollup:deploy of an optimistic project stopped there).
 */
function withDeployDefaults(input: RollupDeployParams): RollupDeployParams {
  return input.optimistic === undefined ? input : { ...input, optimistic: withProposalGasDefaults(input.optimistic) };
}

/** OptimisticExampleRollup reads an empty key list as "no proofs accepted" (re-execution only). */
const NO_PROOF_POLICY = { threshold: 0, allowReexecution: false, acceptedKeys: [] as string[] };

/**
 * Deploys ExampleRollup (ProvenRollup with a proof policy, OptimisticExampleRollup with
 * optimistic parameters) for the given L2 genesis and waits for it to be mined.
 */
export async function deployRollup(deployer: Signer, input: RollupDeployParams): Promise<RollupDeployment> {
  const params = withDeployDefaults(input);
  const policy = params.policy ?? DEFAULT_ROLLUP_POLICY;
  const provider = deployer.provider;
  if (provider === null)
    throw new DeploymentError(
      "NO_PROVIDER",
      "the deployer is not connected to an L1 provider",
      "connect the signer to a provider",
    );
  const args = [params.l2ChainId, params.genesisBlockHash, params.genesisStateRoot, params.sequencer, policy] as const;
  const proofPolicy =
    params.proofPolicy === undefined
      ? undefined
      : { ...params.proofPolicy, acceptedKeys: [...params.proofPolicy.acceptedKeys] };
  if (
    params.optimistic !== undefined &&
    (params.optimistic.challengeWindow <= 0n || params.optimistic.proposalBond <= 0n)
  ) {
    throw new DeploymentError(
      "BAD_OPTIMISTIC_CONFIG",
      "the challenge window and the proposal bond must both be positive",
      'pass e.g. { challengeWindow: 30n, proposalBond: parseEther("0.1") }',
    );
  }
  if (
    params.optimistic !== undefined &&
    ((params.optimistic.proposalGasPerSecond ?? 0n) <= 0n ||
      (params.optimistic.proposalGasBurst ?? 0n) < MIN_PROPOSAL_GAS_BURST)
  ) {
    throw new DeploymentError(
      "BAD_OPTIMISTIC_CONFIG",
      `the proposal gas rate (${params.optimistic.proposalGasPerSecond}) must be positive and the burst (${params.optimistic.proposalGasBurst}) at least ${MIN_PROPOSAL_GAS_BURST} (5/4 of 2^24)`,
      `omit them for the defaults (${DEFAULT_PROPOSAL_GAS_PER_SECOND} gas/s, burst ${DEFAULT_PROPOSAL_GAS_BURST}): docs/design/challenger-capacity.md`,
    );
  }
  if (params.genesisSupply < 0n)
    throw new DeploymentError(
      "BAD_GENESIS_SUPPLY",
      `genesis supply ${params.genesisSupply} is negative`,
      "pass genesisSupply(genesis)",
    );
  const { chainId: l1ChainId } = await provider.getNetwork();
  // A resumed step is reused only once checked to be exactly this deployment's (attack review C7).
  if (params.resume !== undefined) checkResumedChain(params.resume.l1ChainId, l1ChainId, params.resumeFile);
  const executor = await resumedOr(
    provider,
    params.resume?.executor,
    async (recorded) => {
      if (params.verification?.kind !== "verifiers")
        throw new ResumeMismatchError(
          params.resumeFile,
          `it records an executor ${recorded}, but this deployment verifies with the EXECUTE precompile`,
        );
      await checkResumedExecutor(deployer, recorded, params.verification.verificationKeys, params.resumeFile);
    },
    () => deployExecutor(deployer, params),
  );
  let progress: DeploymentProgress = executor === EXECUTE_ADDRESS ? { l1ChainId } : { l1ChainId, executor };
  if (executor !== EXECUTE_ADDRESS) await params.onProgress?.(progress);
  const deployData = await rollupDeployData(deployer, params, { args, policy, proofPolicy, executor });
  const resumedRollup =
    params.resume?.rollup !== undefined && (await provider.getCode(params.resume.rollup.address)) !== "0x"
      ? params.resume.rollup
      : undefined;
  if (resumedRollup !== undefined) await checkResumedRollup(deployer, resumedRollup, deployData, params.resumeFile);
  const rollupStep = resumedRollup ?? (await deployRollupContract(deployer, deployData));
  progress = { ...progress, rollup: rollupStep };
  if (resumedRollup === undefined) await params.onProgress?.(progress);
  const { address } = rollupStep;
  // Resumed: the backing may have been mined before the record was written; the contract says.
  const backed =
    params.resume?.genesisBacked === true ||
    (resumedRollup !== undefined &&
      (await new Contract(address, GENESIS_SUPPLY_ABI, provider).getFunction("genesisSupply")()) >=
        params.genesisSupply);
  if (params.genesisSupply > 0n && !backed) {
    const backing = new Contract(address, GENESIS_BACKING_ABI, deployer);
    const deposit = (await (
      await (backing.getFunction("depositGenesisSupply") as (o: object) => Promise<ContractTransactionResponse>)({
        value: params.genesisSupply,
      })
    ).wait()) as ContractTransactionReceipt | null;
    if (deposit === null || deposit.status !== 1) {
      throw new DeploymentError(
        "GENESIS_BACKING_FAILED",
        `depositing the ${params.genesisSupply} wei of L2 genesis supply failed`,
        "the deployer must hold the genesis supply on L1 besides the deployment's gas",
      );
    }
  }
  await params.onProgress?.({ ...progress, genesisBacked: true });
  return {
    address,
    l1ChainId,
    l2ChainId: params.l2ChainId,
    deployBlock: rollupStep.deployBlock,
    transactionHash: rollupStep.transactionHash,
    genesisBlockHash: params.genesisBlockHash,
    genesisStateRoot: params.genesisStateRoot,
    sequencer: params.sequencer,
    policy,
    ...(params.proofPolicy === undefined ? {} : { proofPolicy: params.proofPolicy }),
    ...(executor === EXECUTE_ADDRESS
      ? {}
      : { executor, verifiers: await verifiersOf(provider, executor, proofPolicy?.acceptedKeys ?? []) }),
    ...(params.optimistic === undefined ? {} : { optimistic: params.optimistic }),
    contractName:
      params.contract?.contractName ??
      (params.optimistic !== undefined
        ? "OptimisticExampleRollup"
        : proofPolicy === undefined
          ? "ExampleRollup"
          : "ProvenRollup"),
    mode:
      params.optimistic !== undefined
        ? "optimistic"
        : proofPolicy === undefined
          ? "re-execution"
          : executor === EXECUTE_ADDRESS
            ? "proofs-precompile"
            : "proofs-verifiers",
  };
}

/** Gas of the genesis backing (`depositGenesisSupply`, a payable call writing a slot or two), with room. */
const GENESIS_BACKING_GAS = 100_000n;
/** Headroom on the estimate, in percent: fees may rise between the estimate and the last step. */
const COST_HEADROOM_PERCENT = 130n;

/** What the steps a deployment has left cost: gas at the current max fee, and the genesis supply it backs. */
export interface DeploymentCost {
  readonly gas: bigint;
  readonly feePerGas: bigint;
  readonly backing: bigint;
  /** Gas times fee with headroom, plus the backing: what the deployer must hold. */
  readonly wei: bigint;
}

/**
 * Estimates the steps of `deployRollup(deployer, params)` still to do, before any is sent: each
 * contract creation by `eth_estimateGas` (the rollup's with the precompile's address as executor,
 * which skips only the constructor's few `verifierOf` reads of a verifiers-mode executor not yet
 * deployed), the backing at a fixed allowance.
 */
export async function estimateDeploymentCost(deployer: Signer, input: RollupDeployParams): Promise<DeploymentCost> {
  const params = withDeployDefaults(input);
  const provider = deployer.provider as NonNullable<Signer["provider"]>;
  const from = await deployer.getAddress();
  const policy = params.policy ?? DEFAULT_ROLLUP_POLICY;
  const args = [params.l2ChainId, params.genesisBlockHash, params.genesisStateRoot, params.sequencer, policy] as const;
  const proofPolicy =
    params.proofPolicy === undefined
      ? undefined
      : { ...params.proofPolicy, acceptedKeys: [...params.proofPolicy.acceptedKeys] };
  let gas = 0n;
  if (params.verification?.kind === "verifiers" && params.resume?.executor === undefined) {
    const { data } = await new ProofModeExecute__factory().getDeployTransaction([
      ...params.verification.verificationKeys,
    ]);
    gas += await provider.estimateGas({ from, data });
  }
  if (params.resume?.rollup === undefined) {
    const data = await rollupDeployData(deployer, params, { args, policy, proofPolicy, executor: EXECUTE_ADDRESS });
    gas += await provider.estimateGas({ from, data });
  }
  const backing = params.resume?.genesisBacked === true ? 0n : params.genesisSupply;
  if (backing > 0n) gas += GENESIS_BACKING_GAS;
  const fees = await provider.getFeeData();
  const feePerGas = fees.maxFeePerGas ?? fees.gasPrice ?? 0n;
  return { gas, feePerGas, backing, wei: (gas * feePerGas * COST_HEADROOM_PERCENT) / 100n + backing };
}

/** The Groth16Verifier a ProofModeExecute holds for each key hash (what deployment.json records). */
async function verifiersOf(
  provider: NonNullable<Signer["provider"]>,
  executor: string,
  keyHashes: readonly string[],
): Promise<Record<string, string>> {
  const proofModeExecute = ProofModeExecute__factory.connect(executor, provider);
  const entries = await Promise.all(
    keyHashes.map(async (hash) => [hash, await proofModeExecute.verifierOf(hash)] as const),
  );
  return Object.fromEntries(entries);
}

/**
 * A step's address from an earlier run if its code is on chain and `check` accepts it (it throws
 * otherwise), else the step run now.
 */
async function resumedOr(
  provider: NonNullable<Signer["provider"]>,
  recorded: string | undefined,
  check: (recorded: string) => Promise<void>,
  run: () => Promise<string>,
): Promise<string> {
  if (recorded === undefined || (await provider.getCode(recorded)) === "0x") return run();
  await check(recorded);
  return recorded;
}

/**
 * The creation transaction's data of the rollup contract (the framework's example for the mode,
 * or the project's): what is sent, and what a resumed rollup must have been created with.
 */
async function rollupDeployData(
  deployer: Signer,
  params: RollupDeployParams,
  values: {
    args: readonly [bigint, string, string, string, RollupPolicy];
    policy: RollupPolicy;
    proofPolicy: (ProofPolicyParams & { acceptedKeys: string[] }) | undefined;
    executor: string;
  },
): Promise<string> {
  const { args, policy, proofPolicy, executor } = values;
  const transaction =
    params.contract !== undefined
      ? await customDeployTransaction(deployer, params.contract, { ...params, policy, proofPolicy, executor })
      : params.optimistic !== undefined
        ? await new OptimisticExampleRollup__factory().getDeployTransaction(
            ...args,
            withProposalGasDefaults(params.optimistic),
            proofPolicy ?? NO_PROOF_POLICY,
          )
        : proofPolicy === undefined
          ? await new ExampleRollup__factory().getDeployTransaction(...args)
          : await new ProvenRollup__factory().getDeployTransaction(...args, proofPolicy, executor);
  return transaction.data;
}

/** Sends the rollup's creation transaction and waits for it. */
async function deployRollupContract(
  deployer: Signer,
  data: string,
): Promise<{ address: string; deployBlock: number; transactionHash: string }> {
  const receipt = await (await deployer.sendTransaction({ data })).wait();
  if (receipt === null || receipt.status !== 1 || receipt.contractAddress === null) {
    throw new DeploymentError(
      "DEPLOY_FAILED",
      "the rollup deployment transaction failed",
      "check the deployer's balance and the L1 node's log",
    );
  }
  return { address: receipt.contractAddress, deployBlock: receipt.blockNumber, transactionHash: receipt.hash };
}

/**
 * The executor of a proof-mode rollup: EXECUTE's address, or a ProofModeExecute deployed with a
 * verifier for each verification key (refused when a key of the policy has none, or when the
 * policy allows re-execution, which only the precompile can do).
 */
async function deployExecutor(deployer: Signer, params: RollupDeployParams): Promise<string> {
  if (params.verification === undefined || params.verification.kind === "precompile") return EXECUTE_ADDRESS;
  const { proofPolicy } = params;
  if (proofPolicy === undefined || params.optimistic !== undefined) {
    throw new DeploymentError(
      "VERIFIERS_WITHOUT_PROOF_MODE",
      "Solidity verifiers verify a ProvenRollup's proofs, but no proof policy was given (or the rollup is optimistic)",
      "pass proofPolicy with verification, and no optimistic parameters",
    );
  }
  if (proofPolicy.allowReexecution) {
    throw new DeploymentError(
      "REEXECUTION_WITHOUT_EXECUTE",
      "the policy allows re-execution, which needs the EXECUTE precompile",
      "set allowReexecution: false when verifying with Solidity verifiers",
    );
  }
  const { verificationKeys } = params.verification;
  const known = new Set(verificationKeys.map((key) => keccak256(key).toLowerCase()));
  const missing = proofPolicy.acceptedKeys.filter((hash) => !known.has(hash.toLowerCase()));
  if (missing.length > 0) {
    throw new DeploymentError(
      "MISSING_VERIFICATION_KEY",
      `no verification key was given for the accepted key hash(es) ${missing.join(", ")}`,
      "pass the ABI-encoded key of every accepted key hash in verification.verificationKeys",
    );
  }
  const executor = await new ProofModeExecute__factory(deployer).deploy([...verificationKeys]);
  const receipt = await executor.deploymentTransaction()?.wait();
  if (receipt === null || receipt === undefined || receipt.status !== 1) {
    throw new DeploymentError(
      "DEPLOY_FAILED",
      "the ProofModeExecute deployment transaction failed",
      "check the deployer's balance and that every verification key is a valid Groth16 key",
    );
  }
  return executor.getAddress();
}

/** The creation transaction of a project's own rollup contract; its constructor must match the options given. */
async function customDeployTransaction(
  deployer: Signer,
  artifact: RollupContractArtifact,
  params: RollupDeployParams & { policy: RollupPolicy; proofPolicy?: ProofPolicyParams; executor: string },
) {
  const shape = rollupContractShape(artifact);
  if (shape.optimistic !== (params.optimistic !== undefined)) {
    throw new DeploymentError(
      "CONTRACT_MODE_MISMATCH",
      shape.optimistic
        ? `${artifact.contractName} is an optimistic rollup, but optimistic mode is off`
        : `${artifact.contractName} is not an optimistic rollup, but optimistic mode is on`,
      "set rollup.optimistic in hardhat.config.ts exactly when the contract inherits OptimisticRollup",
    );
  }
  // A contract that takes its executor as well (the template's default) runs either way: without
  // proofs it gets the empty policy, which its constructor reads as re-execution.
  const proofsOptional = shape.proofPolicy && takesExecutor(artifact);
  if (
    !shape.optimistic &&
    shape.proofPolicy !== (params.proofPolicy !== undefined) &&
    !(proofsOptional && params.proofPolicy === undefined)
  ) {
    throw new DeploymentError(
      "CONTRACT_MODE_MISMATCH",
      shape.proofPolicy
        ? `${artifact.contractName} takes a proof policy, but proof mode is off`
        : `${artifact.contractName} takes no proof policy, but proof mode is on`,
      "set rollup.proofs in hardhat.config.ts exactly when the contract's constructor takes a ProofPolicy",
    );
  }
  const args = rollupConstructorArgs(artifact, {
    ...params,
    proofPolicy: params.proofPolicy ?? (shape.optimistic || proofsOptional ? NO_PROOF_POLICY : undefined),
  });
  const transaction = await rollupContractFactory(artifact, deployer).getDeployTransaction(...args);
  // Only a constructor that reads the empty policy as re-execution (the template's) gets it:
  // ProvenRollup, say, requires keys, and is refused here rather than by a reverted deployment.
  if (proofsOptional && params.proofPolicy === undefined) {
    const accepted = await deployer.estimateGas({ data: transaction.data }).then(
      () => true,
      () => false,
    );
    if (!accepted)
      throw new DeploymentError(
        "CONTRACT_MODE_MISMATCH",
        `${artifact.contractName} takes a proof policy, and its constructor refuses an empty one, but proof mode is off`,
        "set rollup.proofs in hardhat.config.ts (or pass --verification-keys), or let the constructor read a policy without keys as re-execution, as the template's contract does",
      );
  }
  return transaction;
}

const BIGINT_FIELDS = new Set([
  "l1ChainId",
  "l2ChainId",
  "sequencerInactivityPeriod",
  "forceInclusionDelay",
  "l2GenesisTimestamp",
  "l1GasLimit",
  "challengeWindow",
  "proposalBond",
  "proposalGasPerSecond",
  "proposalGasBurst",
]);

/**
 * Where the L2 genesis a deployment was made for is kept beside its record (`rollup:deploy`
 * building it itself, the devnet always), so the node can start from the record alone.
 */
export function deployedGenesisFile(deploymentFile: string): string {
  return `${deploymentFile.replace(/\.json$/i, "")}.genesis.json`;
}

export async function saveDeployment(file: string, deployment: RollupDeployment): Promise<void> {
  await writeJsonRecord(file, deployment);
}

/** Reads a deployment saved by `saveDeployment`; undefined when the file does not exist. */
export async function loadDeployment(file: string): Promise<RollupDeployment | undefined> {
  return readJsonRecord<RollupDeployment>(
    file,
    BIGINT_FIELDS,
    (reason) =>
      new DeploymentError(
        "BAD_DEPLOYMENT_FILE",
        `${file} is not a deployment: ${reason}`,
        "delete it or start again with --reset",
      ),
  );
}
