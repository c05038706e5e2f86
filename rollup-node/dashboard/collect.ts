import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import { getAddress } from "ethers";

import { reexecutionGasCost } from "../../precompiles";
import { L2_BRIDGE_ADDRESS, type RollupStatus, l1ReadsAnswered } from "../../protocol";
import { type BlockAcceptance, acceptanceHistory } from "../bridge/acceptance";
import { L2_BRIDGE_INTERFACE, connectOptimisticRollup } from "../bridge/contracts";
import { type StatusContext, l1ToL2Status, rollupStatus } from "../bridge/status";
import { sentMessagesOfTransaction } from "../bridge/withdrawals";
import { CachedL1Reads } from "./cachedReads";
import type { DashboardFacts, LocalBlockFacts, QueuedMessageFacts, SentMessageFacts } from "./snapshot";
import type { DashboardMode } from "./types";

/** Where the dashboard reads from: the bridge's status context (sequencer, rollup contract, submitter). */
export interface DashboardSource {
  readonly status: StatusContext;
  /** L1 block of the rollup's deployment: no event of it is older. */
  readonly deployBlock: number;
}

export interface DashboardLimits {
  /** Accepted L2 blocks shown (newest first). */
  readonly blocks?: number;
  /** Messages shown in each direction. */
  readonly messages?: number;
  /**
   * L1 blocks scanned back from the head for acceptance and MessageQueued events: the page shows
   * recent activity, and a window keeps each refresh's cost flat as the chain grows.
   */
  readonly l1LookbackBlocks?: number;
  /** L2 blocks scanned back from the head for L2 → L1 messages. */
  readonly l2LookbackBlocks?: number;
}

const DEFAULTS: Required<DashboardLimits> = {
  blocks: 12,
  messages: 8,
  l1LookbackBlocks: 2_048,
  l2LookbackBlocks: 2_048,
};
const SENT_TOPIC = hexToBytes(L2_BRIDGE_INTERFACE.getEvent("MessageSentToL1")?.topicHash as `0x${string}`);
const BRIDGE = hexToBytes(L2_BRIDGE_ADDRESS);

/**
 * Reads the facts of a dashboard snapshot from the node and L1. Keeps what cannot change
 * (transactions by hash, a block's witness size and EXECUTE charge by block hash) between reads.
 */
export class DashboardCollector {
  private readonly limits: Required<DashboardLimits>;
  private readonly l1: CachedL1Reads;
  private readonly localBlocks = new Map<string, LocalBlockFacts>();
  /** The last snapshot's facts read with L1 answering (shown again while it does not). */
  private lastFacts: DashboardFacts | undefined;
  /** An optimistic rollup's challenge window (immutable), or null for one that is not optimistic; read once. */
  private challengeWindow: Promise<bigint | null> | undefined;

  constructor(
    private readonly source: DashboardSource,
    limits: DashboardLimits = {},
  ) {
    this.limits = { ...DEFAULTS, ...limits };
    this.l1 = new CachedL1Reads(source.status.l1Provider);
  }

  async collect(reason: string): Promise<DashboardFacts> {
    const ctx = this.source.status;
    const status = await rollupStatus(ctx);
    // While the node cannot read L1 the other L1 reads would fail the snapshot: the last one's
    // L1 view is shown with the status, which says since when and why (rollup_status `l1`).
    if (!l1ReadsAnswered(status.l1) && this.lastFacts !== undefined) return this.lastL1View(reason, status);
    try {
      return await this.collectWithL1(reason, status);
    } catch (error) {
      // L1 failed between the status and the reads after it (the rollup's code removed, L1 gone, just
      // then): the status read again says why, and the last L1 view is shown with it, as above.
      if (this.lastFacts === undefined) throw error;
      const again = await rollupStatus(ctx);
      if (l1ReadsAnswered(again.l1)) throw error;
      return this.lastL1View(reason, again);
    }
  }

  private lastL1View(reason: string, status: RollupStatus): DashboardFacts {
    return {
      ...(this.lastFacts as DashboardFacts),
      now: Date.now(),
      reason,
      status,
      labelledHeads: this.labelledHeads(),
    };
  }

  private async collectWithL1(reason: string, status: RollupStatus): Promise<DashboardFacts> {
    const ctx = this.source.status;
    const from = Math.max(this.source.deployBlock, Number(status.l1Head) - this.limits.l1LookbackBlocks);
    const [history, l1ToL2, l2ToL1] = await Promise.all([
      acceptanceHistory(this.l1.provider, ctx.rollupAddress, from),
      this.l1Messages(from),
      this.l2Messages(),
    ]);
    const acceptance = history.slice(-this.limits.blocks * 2);
    const local = new Map<string, LocalBlockFacts>();
    const l1GasUsed = new Map<string, bigint>();
    const submitted = new Set((ctx.submitter?.accepted ?? []).map((a) => a.l1TransactionHash.toLowerCase()));
    await Promise.all(
      acceptance.map(async (entry) => {
        const facts = await this.localBlock(entry.number, entry.blockHash);
        if (facts !== undefined) local.set(facts.hash, facts);
        // The submitter knows the gas of its own advances; other transactions are read once.
        if (!submitted.has(entry.l1TransactionHash.toLowerCase())) {
          const receipt = await this.l1.receipt(entry.l1TransactionHash);
          if (receipt !== null) l1GasUsed.set(entry.l1TransactionHash.toLowerCase(), receipt.gasUsed);
        }
      }),
    );
    const [mode, consumedOnL2, l1Time, finalAt] = await Promise.all([
      this.mode(),
      this.consumedOnL2(),
      this.l1Time(),
      this.finalAt(acceptance),
    ]);
    this.lastFacts = {
      now: Date.now(),
      mode,
      consumedOnL2,
      l1Time,
      finalAt,
      reason,
      status,
      acceptance,
      submitted: ctx.submitter?.accepted.slice(-this.limits.blocks * 4) ?? [],
      local,
      l1GasUsed,
      l1ToL2,
      l2ToL1,
      limits: { blocks: this.limits.blocks, messages: this.limits.messages },
      labelledHeads: this.labelledHeads(),
    };
    return this.lastFacts;
  }

  /** The blocks the node's `safe` and `finalized` tags name, as its JSON-RPC answers them. */
  private labelledHeads(): DashboardFacts["labelledHeads"] {
    const { chain } = this.source.status.sequencer;
    const safe = chain.getBlock("safe");
    const finalized = chain.getBlock("finalized");
    if (safe === undefined || finalized === undefined) return undefined;
    return {
      safe: { number: safe.block.header.number, hash: bytesToHex(safe.block.hash()) },
      finalized: { number: finalized.block.header.number, hash: bytesToHex(finalized.block.hash()) },
    };
  }

  /** How the rollup accepts blocks: read from its contract (the proof policy can change by governance). */
  private async mode(): Promise<DashboardMode> {
    const ctx = this.source.status;
    this.challengeWindow ??= connectOptimisticRollup(ctx.rollupAddress, ctx.l1Provider)
      .CHALLENGE_WINDOW()
      .catch(() => null);
    const window = await this.challengeWindow;
    if (window !== null) return { kind: "optimistic", challengeWindow: Number(window) };
    const policy = await ctx.rollup.proofPolicy();
    if (Number(policy.threshold) === 0) return { kind: "re-execution" };
    return {
      kind: "proofs",
      threshold: Number(policy.threshold),
      keys: policy.acceptedKeys.length,
      allowReexecution: policy.allowReexecution,
    };
  }

  /** L1 → L2 messages consumed by the node's L2 blocks up to its head. */
  private async consumedOnL2(): Promise<bigint> {
    const { sequencer } = this.source.status;
    const head = await sequencer.producedBlock(sequencer.chain.headNumber);
    return head === undefined ? 0n : head.firstMessageNonce + BigInt(head.consumedMessages);
  }

  private async l1Time(): Promise<bigint> {
    const block = await this.source.status.l1Provider.getBlock("latest");
    return BigInt(block?.timestamp ?? 0);
  }

  /** When each provisional block's challenge window closes. */
  private async finalAt(acceptance: readonly BlockAcceptance[]): Promise<Map<string, bigint>> {
    const provisional = acceptance.filter((a) => a.status === "provisional");
    const out = new Map<string, bigint>();
    if (provisional.length === 0) return out;
    const rollup = connectOptimisticRollup(this.source.status.rollupAddress, this.source.status.l1Provider);
    await Promise.all(
      provisional.map(async (a) => {
        const at = await rollup.finalizableAt(a.number).catch(() => undefined);
        if (at !== undefined) out.set(a.blockHash.toLowerCase(), at);
      }),
    );
    return out;
  }

  /** The node's own block with this number, if it has that very block (a replaced one it may not). */
  private async localBlock(number: bigint, blockHash: string): Promise<LocalBlockFacts | undefined> {
    const hash = blockHash.toLowerCase();
    const known = this.localBlocks.get(hash);
    if (known !== undefined) return known;
    const { chain } = this.source.status.sequencer;
    const record = chain.getBlock(number);
    if (record === undefined || bytesToHex(record.block.hash()) !== hash) return undefined;
    const produced = await this.source.status.sequencer.producedBlock(number);
    if (produced === undefined) return undefined;
    const witness = produced.encodedWitness;
    const facts: LocalBlockFacts = {
      hash,
      transactions: produced.block.transactions.length,
      consumedMessages: produced.consumedMessages,
      witnessBytes: witness.length,
      // The submitter's own formula for a re-executed advance: input size plus the L2 gas charged.
      reexecuteGas: reexecutionGasCost({ parentHeader: produced.parentHeader, block: produced.blockRlp, witness }),
    };
    this.localBlocks.set(hash, facts);
    if (this.localBlocks.size > this.limits.blocks * 8)
      this.localBlocks.delete(this.localBlocks.keys().next().value as string);
    return facts;
  }

  /** The newest MessageQueued events in the window, each with its status on L2. */
  private async l1Messages(fromBlock: number): Promise<QueuedMessageFacts[]> {
    const ctx = this.source.status;
    const events = (await ctx.rollup.queryFilter(ctx.rollup.filters.MessageQueued(), fromBlock)).slice(
      -this.limits.messages,
    );
    return Promise.all(
      events.map(async (event) => {
        const nonce = event.args.nonce;
        return {
          nonce,
          messageHash: event.args.messageHash,
          from: getAddress(event.args.from),
          to: getAddress(event.args.to),
          value: event.args.value,
          data: event.args.data,
          l1BlockNumber: event.blockNumber,
          l1TransactionHash: event.transactionHash,
          status: await l1ToL2Status(ctx, nonce),
        };
      }),
    );
  }

  /** The newest L2 → L1 messages in the window, with whether L1 finalized them. */
  private async l2Messages(): Promise<SentMessageFacts[]> {
    const ctx = this.source.status;
    const { chain } = ctx.sequencer;
    const fromBlock =
      chain.headNumber > BigInt(this.limits.l2LookbackBlocks)
        ? chain.headNumber - BigInt(this.limits.l2LookbackBlocks)
        : 0n;
    const logs = chain.getLogs({ fromBlock, addresses: [BRIDGE], topics: [SENT_TOPIC] });
    const transactions = [...new Set(logs.map((log) => bytesToHex(log.transactionHash)))];
    const sent = transactions.flatMap((hash) => sentMessagesOfTransaction(chain, hash)).slice(-this.limits.messages);
    return Promise.all(
      sent.map(async (message) => ({ sent: message, finalized: await ctx.rollup.finalized(message.messageHash) })),
    );
  }
}
