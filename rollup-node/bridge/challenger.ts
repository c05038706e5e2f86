import { RLP } from "@ethereumjs/rlp";
import { type Provider, type Signer, type TransactionReceipt, getBytes, hexlify, keccak256 } from "ethers";

import { executeInputLength } from "../../precompiles/codec";
import { ExecuteError, executeErrorName, isBlockInvalid } from "../../precompiles/errors";
import { executeGasCostOfBlock } from "../../precompiles/gas";
import { verifyBlock } from "../../precompiles/verifyBlock";
import type { SequencerApi } from "../l2/types";
import type { Logger } from "../logger";
import { OPTIMISTIC_ROLLUP_INTERFACE, type OptimisticExampleRollup, connectOptimisticRollup, decodeRollupRevert, revertDataOf } from "./contracts";
import { BridgeError } from "./errors";
import { TX_GAS_LIMIT_CAP } from "../chain/simulate";

export interface ChallengerConfig {
  readonly l1Provider: Provider;
  readonly rollupAddress: string;
  /** First L1 block that may hold a BlockProposed event (the rollup's deployment block). */
  readonly fromBlock: number;
  /** Sends the challenges and receives the removed blocks' bonds; its own key, so its nonces never race the submitter's. */
  readonly signer: Signer;
  /** Where the witnesses come from: the node's own blocks (their witnesses cover the parent state at each height). */
  readonly sequencer: Pick<SequencerApi, "producedBlock">;
  readonly l2ChainId: bigint;
  readonly logger: Logger;
  readonly pollIntervalMs?: number;
  /** Blocks per eth_getLogs query. */
  readonly maxLogRange?: number;
}

/** A won challenge, as the BlockChallenged event reports it. */
export interface ChallengeOutcome {
  readonly number: bigint;
  readonly blockHash: string;
  readonly code: number;
  readonly reason: string;
  readonly removed: bigint;
  readonly reward: bigint;
  readonly l1TransactionHash: string;
}

/** What local re-execution says of a posted block (codes are EXECUTE's). */
export type Verdict =
  | { readonly kind: "valid" }
  /** EXECUTE could not check it (code < 64, e.g. WitnessIncomplete): a challenge would fail. */
  | { readonly kind: "unchecked"; readonly code: number; readonly reason: string }
  /** EXECUTE finds the block invalid (code >= 64): a challenge wins. */
  | { readonly kind: "invalid"; readonly code: number; readonly reason: string };

/** The challenger cannot read or settle a proposal (its calldata, the chain, the L1 answer). */
export class ChallengerError extends BridgeError {
  constructor(message: string, hint: string) {
    super("CHALLENGER", message, hint);
  }
}

interface Proposal {
  readonly number: bigint;
  readonly blockHash: string;
  readonly proposer: string;
  readonly l1TransactionHash: string;
}

const DEFAULT_POLL_MS = 500;
const DEFAULT_MAX_LOG_RANGE = 5_000;
/** Gas of `challenge` besides EXECUTE: 21k, EIP-7623's calldata floor (40 per byte, an upper bound) and the contract's checks. */
const CHALLENGE_OVERHEAD_GAS = 21_000n + 300_000n;
const CALLDATA_GAS_PER_BYTE = 40n;
const BLOCK_PROPOSED_TOPIC = OPTIMISTIC_ROLLUP_INTERFACE.getEvent("BlockProposed")?.topicHash as string;

/** Re-executes `block` on `parentHeader` as EXECUTE would, and says whether a challenge would win. */
export async function judgeBlock(params: { chainId: bigint; parentHeader: Uint8Array; block: Uint8Array; witness: Uint8Array }): Promise<Verdict> {
  try {
    await verifyBlock(params);
    return { kind: "valid" };
  } catch (error) {
    if (!(error instanceof ExecuteError)) throw error;
    return isBlockInvalid(error.code) ? { kind: "invalid", code: error.code, reason: error.message } : { kind: "unchecked", code: error.code, reason: error.message };
  }
}

/** Parent hash and block hash of an RLP block, read from its header without the fork rules. */
function headerHashes(blockRlp: Uint8Array): { parentHash: string; blockHash: string } {
  const decoded = RLP.decode(blockRlp) as unknown as Uint8Array[][];
  const header = decoded[0];
  if (!Array.isArray(header) || !(header[0] instanceof Uint8Array)) throw new ChallengerError("the posted block is not an RLP block", "the proposal's calldata is malformed");
  return { parentHash: hexlify(header[0]), blockHash: keccak256(RLP.encode(header)) };
}

/**
 * Watches BlockProposed on L1 and challenges every provisional block that EXECUTE would find
 * invalid. For each proposal it reads the block from the proposing transaction's calldata,
 * takes the parent header and the witness from the node's own block at that height (its
 * witness covers the parent state, which is all EXECUTE reads for the same transactions), and
 * re-executes locally with `verifyBlock`. It challenges only on a "block invalid" verdict
 * (code >= 64): an incomplete witness (code < 64) says nothing about the block, and the contract
 * would reject such a challenge anyway.
 */
export class Challenger {
  private readonly rollup: OptimisticExampleRollup;
  private readonly queue: Proposal[] = [];
  private readonly won: ChallengeOutcome[] = [];
  private lastScanned: number;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private busy: Promise<void> | undefined;

  constructor(private readonly config: ChallengerConfig) {
    this.rollup = connectOptimisticRollup(config.rollupAddress, config.signer);
    this.lastScanned = config.fromBlock - 1;
  }

  /** Challenges this challenger won, in order. */
  get challenges(): readonly ChallengeOutcome[] {
    return this.won;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.config.logger.info(`challenger watching ${this.config.rollupAddress} from L1 block ${this.config.fromBlock} as ${this.describeSigner()}`);
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.busy;
  }

  /** Reads new proposals and examines every pending one; safe to call by hand (tests). */
  async poll(): Promise<void> {
    while (this.busy !== undefined) await this.busy;
    const work = this.pollOnce();
    this.busy = work.finally(() => {
      this.busy = undefined;
    });
    await this.busy;
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.poll()
        .catch((error: unknown) => this.config.logger.warn(`challenger poll failed, retrying: ${(error as Error).message}`))
        .finally(() => this.schedule(this.config.pollIntervalMs ?? DEFAULT_POLL_MS));
    }, ms);
  }

  private async pollOnce(): Promise<void> {
    await this.scan();
    const head = await this.rollup.headNumber();
    while (this.queue.length > 0) {
      const proposal = this.queue[0] as Proposal;
      // Final blocks can no longer be challenged.
      if (proposal.number > head && !(await this.examine(proposal))) return; // retried next poll, in order
      this.queue.shift();
    }
  }

  private async scan(): Promise<void> {
    const latest = await this.config.l1Provider.getBlockNumber();
    const range = this.config.maxLogRange ?? DEFAULT_MAX_LOG_RANGE;
    while (this.lastScanned < latest) {
      const from = this.lastScanned + 1;
      const to = Math.min(latest, from + range - 1);
      const logs = await this.config.l1Provider.getLogs({ address: this.config.rollupAddress, topics: [BLOCK_PROPOSED_TOPIC], fromBlock: from, toBlock: to });
      for (const log of logs) {
        const parsed = OPTIMISTIC_ROLLUP_INTERFACE.parseLog(log);
        if (parsed === null) continue;
        this.queue.push({
          number: parsed.args.number as bigint,
          blockHash: String(parsed.args.blockHash),
          proposer: String(parsed.args.proposer),
          l1TransactionHash: log.transactionHash,
        });
      }
      this.lastScanned = to;
    }
  }

  /** Examines one proposal; false when it must be retried later (the node lacks that block yet). */
  private async examine(p: Proposal): Promise<boolean> {
    const log = this.config.logger;
    const record = await this.provisionalRecord(p.number);
    if (record === undefined || record.blockHash !== p.blockHash) {
      log.debug(`L2 block ${p.number} (${p.blockHash}) is no longer provisional: nothing to check`);
      return true;
    }
    const posted = await this.postedBlock(p);
    if (posted === undefined) return true;
    if (keccak256(posted) !== record.dataHash) {
      log.warn(`L2 block ${p.number}: the calldata of ${p.l1TransactionHash} is not the posted block (its hash differs from dataHash); skipping`);
      return true;
    }
    const local = await this.config.sequencer.producedBlock(p.number);
    if (local === undefined) {
      log.debug(`L2 block ${p.number} was proposed but this node has not produced that height yet: checking it later`);
      return false;
    }
    const localHash = hexlify(local.block.hash());
    const { parentHash } = headerHashes(posted);
    if (keccak256(local.parentHeader) !== parentHash) {
      // Its parent is itself a foreign provisional block: challenging that one removes this one too.
      log.warn(`L2 block ${p.number} (${p.blockHash}) builds on parent ${parentHash}, not on the local block ${p.number - 1n}: cannot witness it, skipping`);
      return true;
    }
    const same = localHash === p.blockHash;
    log.info(
      `checking L2 block ${p.number} (${p.blockHash}) proposed by ${p.proposer} in ${p.l1TransactionHash}: ` +
        `${same ? "same as the local block" : `differs from the local block ${localHash}`}; re-executing with the local witness (${local.encodedWitness.length} B)`,
    );
    const input = { chainId: this.config.l2ChainId, parentHeader: local.parentHeader, block: posted, witness: local.encodedWitness };
    const verdict = await judgeBlock(input);
    if (verdict.kind === "valid") {
      log.info(`L2 block ${p.number} is valid: EXECUTE would accept it, no challenge`);
      return true;
    }
    if (verdict.kind === "unchecked") {
      log.warn(`L2 block ${p.number} could not be checked: ${executeErrorName(verdict.code)}=${verdict.code} "${verdict.reason}"; not challenging (only a block-invalid verdict, code >= 64, wins)`);
      return true;
    }
    log.warn(`L2 block ${p.number} is INVALID: ${executeErrorName(verdict.code)}=${verdict.code} "${verdict.reason}"; challenging it`);
    await this.challenge(p, input);
    return true;
  }

  private async provisionalRecord(number: bigint): Promise<{ blockHash: string; dataHash: string } | undefined> {
    try {
      const record = await this.rollup.provisionalBlock(number);
      return { blockHash: record.blockHash, dataHash: record.dataHash };
    } catch (error) {
      const data = revertDataOf(error);
      if (data !== undefined && decodeRollupRevert(data)?.name === "NotProvisional") return undefined;
      throw error;
    }
  }

  /** The block bytes from the proposing transaction's calldata (the contract keeps only their hash). */
  private async postedBlock(p: Proposal): Promise<Uint8Array | undefined> {
    const tx = await this.config.l1Provider.getTransaction(p.l1TransactionHash);
    if (tx === null) throw new ChallengerError(`L1 does not know transaction ${p.l1TransactionHash}`, "the L1 node may be pruning or behind; retrying");
    const call = tx.to?.toLowerCase() === this.config.rollupAddress.toLowerCase() ? OPTIMISTIC_ROLLUP_INTERFACE.parseTransaction({ data: tx.data }) : null;
    if (call === null || call.name !== "propose") {
      this.config.logger.warn(`L2 block ${p.number}: ${p.l1TransactionHash} is not a direct call of propose (a contract proposed it?): cannot read the block, skipping`);
      return undefined;
    }
    return getBytes(call.args[0] as string);
  }

  private async challenge(p: Proposal, input: { chainId: bigint; parentHeader: Uint8Array; block: Uint8Array; witness: Uint8Array }): Promise<void> {
    const log = this.config.logger;
    const executeGas = executeGasCostOfBlock(executeInputLength({ ...input, proofs: new Uint8Array() }), input.block);
    const calldataBytes = BigInt(input.parentHeader.length + input.block.length + input.witness.length + 6 * 32);
    const gasLimit = executeGas + CHALLENGE_OVERHEAD_GAS + CALLDATA_GAS_PER_BYTE * calldataBytes;
    let receipt: TransactionReceipt | null;
    try {
      // An explicit limit: estimating would re-run EXECUTE many times.
      const tx = await this.rollup.challenge(p.number, input.parentHeader, input.block, input.witness, executeGas, { gasLimit: gasLimit > TX_GAS_LIMIT_CAP ? TX_GAS_LIMIT_CAP : gasLimit });
      log.info(`challenge of L2 block ${p.number} sent in ${tx.hash} (EXECUTE gas ${executeGas})`);
      receipt = await tx.wait();
    } catch (error) {
      const data = revertDataOf(error);
      const decoded = data === undefined ? undefined : decodeRollupRevert(data);
      log.error(`challenge of L2 block ${p.number} failed: ${decoded?.text ?? (error as Error).message}`);
      return;
    }
    for (const entry of receipt?.logs ?? []) {
      const parsed = OPTIMISTIC_ROLLUP_INTERFACE.parseLog(entry);
      if (parsed?.name !== "BlockChallenged") continue;
      const outcome: ChallengeOutcome = {
        number: parsed.args.number as bigint,
        blockHash: String(parsed.args.blockHash),
        code: Number(parsed.args.code),
        reason: String(parsed.args.reason),
        removed: parsed.args.removed as bigint,
        reward: parsed.args.reward as bigint,
        l1TransactionHash: entry.transactionHash,
      };
      this.won.push(outcome);
      log.info(
        `challenge WON: L2 block ${outcome.number} removed with ${outcome.removed - 1n} descendant(s); EXECUTE said ${executeErrorName(outcome.code)}=${outcome.code} ` +
          `"${outcome.reason}"; reward ${outcome.reward} wei (L1 block ${receipt?.blockNumber})`,
      );
    }
  }

  private describeSigner(): string {
    const address = (this.config.signer as { address?: unknown }).address;
    return typeof address === "string" ? address : "its signer";
  }
}
