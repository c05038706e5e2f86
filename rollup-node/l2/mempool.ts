import { Capability, type LegacyTx, type TypedTransaction } from "@ethereumjs/tx";
import { Address, createAddressFromString } from "@ethereumjs/util";

import type { Chain } from "../chain/chain";
import { TransactionRejectedError } from "../chain/errors";
import { checkGasLimit, validateIncoming } from "../chain/txValidation";
import type { MinedBlock } from "../chain/types";
import { TxPool, feeCapOf, hashKeyOf, senderKeyOf } from "../chain/txPool";

/** Transaction types an L2 block may hold: no blobs (EXECUTE rejects them), nothing unknown. */
const SUPPORTED_TYPES: ReadonlySet<number> = new Set([0, 1, 2, 4]);

/** Where accepted transactions are made durable before they are acknowledged. */
export interface MempoolJournal {
  put(tx: TypedTransaction, replaced: TypedTransaction | undefined): Promise<void>;
  /**
   * Journals several admissions as one atomic write (all or none): a batch admitted under one
   * hold of the pool lock costs one write, not one per transaction. Without it, `put` each.
   */
  putMany?(entries: readonly JournalEntry[]): Promise<void>;
  remove(hashes: readonly Uint8Array[]): Promise<void>;
}

/** An admitted transaction and the pooled one it replaced (same sender and nonce), if any. */
export interface JournalEntry {
  readonly tx: TypedTransaction;
  readonly replaced: TypedTransaction | undefined;
}

/** What one admission of a batch did to the pool, kept until its journal write has settled. */
interface Admission {
  readonly tx: TypedTransaction;
  readonly key: string;
  readonly stateNonce: bigint;
  readonly replaced: TypedTransaction | undefined;
  /** When the replaced transaction had arrived (restored with it if the journal write fails). */
  readonly replacedArrival: number | undefined;
  /** Queued transactions evicted to make room, with their arrival times. */
  readonly evicted: readonly (readonly [TypedTransaction, number | undefined])[];
}

/**
 * The pool's limits, geth's txpool defaults where geth has one. "Queued" transactions are the
 * gapped ones: a nonce above the sender's next executable nonce, so no block can take them yet.
 */
export interface MempoolLimits {
  /** Queued transactions one sender may hold (geth's AccountQueue, 64). */
  readonly accountQueue: number;
  /** Queued transactions all senders together may hold (geth's GlobalQueue, 1024). */
  readonly globalQueue: number;
  /** Pooled transactions of every kind; beyond it, "txpool is full". */
  readonly maxSize: number;
  /** A queued transaction older than this is evicted (geth's Lifetime, 3 h). */
  readonly queueLifetimeMs: number;
  /**
   * How long a transaction dropped for exceeding the block budget on its own, and every
   * transaction of its sender, is refused at admission: a dropped transaction never ran and cost
   * nothing, so without this its sender could send it again every block.
   */
  readonly oversizedBanMs: number;
}

export const DEFAULT_MEMPOOL_SIZE = 10_000;

/**
 * Defaults. accountQueue / globalQueue / queueLifetimeMs are geth's: a queued transaction costs
 * the pool memory and a journal entry but earns no fee, so one sender gets a few dozen and all
 * of them a thousand, and none stays longer than a user would wait. maxSize (pending included)
 * stays the pool's previous bound: executable transactions drain with every block.
 */
export const DEFAULT_MEMPOOL_LIMITS: MempoolLimits = {
  accountQueue: 64,
  globalQueue: 1024,
  maxSize: DEFAULT_MEMPOOL_SIZE,
  queueLifetimeMs: 3 * 60 * 60 * 1000,
  oversizedBanMs: 60 * 60 * 1000,
};

export interface MempoolOptions {
  readonly chain: Chain;
  readonly journal?: MempoolJournal;
  /** Pooled transactions beyond this are refused ("txpool is full"); overrides `limits.maxSize`. */
  readonly maxSize?: number;
  readonly limits?: Partial<MempoolLimits>;
  /** Clock of arrivals and eviction by age (ms); the wall clock by default. */
  readonly now?: () => number;
}

function byPriceThenAge(pool: TxPool): (a: TypedTransaction, b: TypedTransaction) => number {
  return (a, b) => {
    const fa = feeCapOf(a);
    const fb = feeCapOf(b);
    if (fa !== fb) return fa < fb ? -1 : 1;
    return (pool.arrival(a) ?? 0) - (pool.arrival(b) ?? 0);
  };
}

/**
 * The L2 mempool: geth's admission rules and messages, nonce order per sender, replacement by
 * fee, limits on gapped (queued) transactions with eviction by price and age, and a journal so
 * that an acknowledged transaction survives a crash. Not thread-safe on its own: the sequencer
 * serializes admissions, the block's snapshot of the pool and its settlement (but not the build
 * in between: admission reads the head state without the chain's lock, `Chain.headAccount`).
 */
export class Mempool {
  private readonly pool: TxPool;
  private readonly limits: MempoolLimits;
  private readonly now: () => number;
  /** Hashes of the queued (gapped) pooled transactions. */
  private readonly queued = new Set<string>();
  /** Transactions dropped for exceeding the block budget alone, by hash: until when they are refused. */
  private readonly oversizedTxs = new Map<string, number>();
  /** Their senders: until when any transaction of theirs is refused. */
  private readonly oversizedSenders = new Map<string, number>();

  constructor(private readonly options: MempoolOptions) {
    this.now = options.now ?? Date.now;
    this.pool = new TxPool(this.now);
    this.limits = {
      ...DEFAULT_MEMPOOL_LIMITS,
      ...options.limits,
      ...(options.maxSize !== undefined ? { maxSize: options.maxSize } : {}),
    };
  }

  get size(): number {
    return this.pool.size;
  }

  /** How many pooled transactions are queued behind a nonce gap. */
  get queuedCount(): number {
    return this.queued.size;
  }

  get(hash: Uint8Array): TypedTransaction | undefined {
    return this.pool.get(hash);
  }

  /** Every pooled transaction, queued ones included. */
  all(): TypedTransaction[] {
    return this.pool.snapshot();
  }

  /** Executable pooled transactions in block order (senders by first arrival, each by nonce); queued ones wait. */
  ordered(): TypedTransaction[] {
    return this.pool.ordered().filter((tx) => !this.queued.has(hashKeyOf(tx)));
  }

  /** The nonce `address`'s next transaction should carry, counting contiguous pooled ones. */
  async nextNonce(address: Uint8Array): Promise<bigint> {
    // The head state without the chain's lock: a block being built does not hold this up.
    const stateNonce = (await this.options.chain.headAccount(address)).account?.nonce ?? 0n;
    return this.pool.nextNonce(new Address(address).toString(), stateNonce);
  }

  /** Whether a block on the head could include a pooled transaction: a sender's next nonce, paying `baseFee`. */
  async hasExecutable(baseFee: bigint): Promise<boolean> {
    for (const sender of this.pool.senders()) {
      const tx = this.pool.atNonce(
        sender,
        await this.options.chain.getNonce(createAddressFromString(sender).bytes, "latest"),
      );
      if (tx !== undefined && feeCapOf(tx) >= baseFee) return true;
    }
    return false;
  }

  /** Checks `tx` against the head state and the limits, pools it and journals it; throws geth's rejection. */
  async add(tx: TypedTransaction): Promise<Uint8Array> {
    const [outcome] = await this.addMany([tx]);
    if (outcome?.status !== "fulfilled") throw outcome?.reason;
    return outcome.value;
  }

  /**
   * Admits `txs` in order, each exactly as `add` would one after another (each sees the pool as
   * the earlier ones left it), then journals every admitted one in one write; resolves to each
   * one's hash or rejection. If that write fails, every admission of the batch is undone (the
   * pool is as before the call, arrival times included) and each is rejected with the error:
   * nothing is acknowledged that is not durable.
   */
  async addMany(txs: readonly TypedTransaction[]): Promise<PromiseSettledResult<Uint8Array>[]> {
    const outcomes: (PromiseSettledResult<Uint8Array> | Admission)[] = [];
    const admitted: Admission[] = [];
    for (const tx of txs) {
      try {
        const admission = await this.admit(tx);
        admitted.push(admission);
        outcomes.push(admission);
      } catch (error) {
        outcomes.push({ status: "rejected", reason: error });
      }
    }
    const durable = await this.journalAdmissions(admitted);
    return outcomes.map((outcome) => {
      if ("status" in outcome) return outcome;
      return durable === true
        ? { status: "fulfilled", value: outcome.tx.hash() }
        : { status: "rejected", reason: durable.error };
    });
  }

  /** `add`'s checks and its changes to the pool, without the journal write. */
  private async admit(tx: TypedTransaction): Promise<Admission> {
    const sender = this.check(tx);
    const key = sender.toString();
    this.refuseOversized(tx, key);
    // The account and the head it belongs to, read together and without the chain's lock, so
    // that a block being built does not hold admission up (the build takes a snapshot of the
    // pool; see settle for what a block stored meanwhile does to the transactions admitted here).
    const { account, head } = await this.options.chain.headAccount(sender.bytes);
    const stateNonce = account?.nonce ?? 0n;
    const pendingNonce = this.pool.nextNonce(key, stateNonce);
    validateIncoming(tx, { account, pendingNonce }, head.header.gasLimit, head.header.calcNextBaseFee());
    await this.prune();
    const toEvict = this.pool.atNonce(key, tx.nonce) === undefined ? this.makeRoom(tx, key, pendingNonce) : [];
    const previous = this.pool.atNonce(key, tx.nonce);
    const replacedArrival = previous === undefined ? undefined : this.pool.arrival(previous);
    const replaced = this.pool.add(tx);
    if (replaced !== undefined) this.queued.delete(hashKeyOf(replaced));
    const evicted = toEvict.map((queued) => [queued, this.pool.arrival(queued)] as const);
    for (const queued of toEvict) {
      this.pool.remove(queued);
      this.queued.delete(hashKeyOf(queued));
    }
    this.classify(key, stateNonce);
    return { tx, key, stateNonce, replaced, replacedArrival, evicted };
  }

  /** Journals a batch's admissions (and forgets its evictions); on failure undoes them all, last first. */
  private async journalAdmissions(admitted: readonly Admission[]): Promise<true | { error: unknown }> {
    if (admitted.length === 0) return true;
    const journal = this.options.journal;
    try {
      if (journal?.putMany !== undefined) await journal.putMany(admitted);
      else for (const { tx, replaced } of admitted) await journal?.put(tx, replaced);
    } catch (error) {
      for (const admission of [...admitted].reverse()) {
        this.pool.remove(admission.tx);
        this.queued.delete(hashKeyOf(admission.tx));
        if (admission.replaced !== undefined) this.pool.add(admission.replaced, admission.replacedArrival);
        // An evicted transaction was queued (only queued ones are evicted), and is again.
        for (const [queued, arrival] of admission.evicted) {
          this.pool.add(queued, arrival);
          this.queued.add(hashKeyOf(queued));
        }
      }
      for (const { key, stateNonce } of admitted) this.classify(key, stateNonce);
      return { error };
    }
    const evicted = admitted.flatMap((admission) => admission.evicted.map(([queued]) => queued.hash()));
    // A journal entry left behind is re-checked against the same limits on restore.
    if (evicted.length > 0) await journal?.remove(evicted);
    return true;
  }

  /**
   * Forgets what a block settled (its transactions and the ones it found invalid: the journal
   * entries go with the block's own atomic commit), re-sorts the senders it touched into
   * executable and queued, and evicts expired queued transactions.
   *
   * The block was built from a snapshot of the pool while admissions went on, so the pool may
   * hold what the block has made stale: a replacement admitted (against the old head) for a
   * transaction the block included, i.e. a transaction whose nonce the block consumed. Those are
   * dropped from the pool and the journal: no later block could include them. Only the senders
   * of the block's transactions can have had their nonce consumed, so only they are swept.
   */
  async settle(mined: MinedBlock): Promise<void> {
    const touched = new Set<string>();
    for (const tx of mined.record.block.transactions) {
      this.pool.remove(tx);
      this.queued.delete(hashKeyOf(tx));
      touched.add(senderKeyOf(tx));
    }
    for (const skipped of mined.skipped) {
      if (skipped.oversized === true) this.rememberOversized(skipped.tx);
      if (skipped.retryable) continue;
      this.pool.remove(skipped.tx);
      this.queued.delete(hashKeyOf(skipped.tx));
      touched.add(senderKeyOf(skipped.tx));
    }
    const stale: TypedTransaction[] = [];
    const stateNonces = new Map<string, bigint>();
    for (const key of touched) {
      const stateNonce = await this.options.chain.getNonce(createAddressFromString(key).bytes, "latest");
      stateNonces.set(key, stateNonce);
      for (const tx of this.pool.ofSender(key)) if (tx.nonce < stateNonce) stale.push(tx);
    }
    await this.forget(stale);
    for (const [key, stateNonce] of stateNonces) this.classify(key, stateNonce);
    await this.prune();
  }

  /** Evicts queued transactions older than the queue lifetime (from memory and the journal), and expired bans. */
  async prune(): Promise<void> {
    const now = this.now();
    for (const bans of [this.oversizedTxs, this.oversizedSenders])
      for (const [key, until] of bans) if (until <= now) bans.delete(key);
    const oldest = now - this.limits.queueLifetimeMs;
    const expired: TypedTransaction[] = [];
    for (const hash of this.queued) {
      const tx = this.pool.byKey(hash);
      if (tx !== undefined && (this.pool.arrival(tx) ?? 0) < oldest) expired.push(tx);
    }
    await this.forget(expired);
  }

  /**
   * Re-admits journaled transactions after a restart (without journaling them again) under the
   * same limits as `add`, lowest nonces first; returns the ones the current state or the limits
   * refuse, so that the caller can drop them from the journal. Their age starts again at restart.
   */
  async restore(txs: readonly TypedTransaction[]): Promise<TypedTransaction[]> {
    const dropped: TypedTransaction[] = [];
    const byNonce = [...txs].sort((a, b) => (a.nonce < b.nonce ? -1 : a.nonce > b.nonce ? 1 : 0));
    const journal = this.options.journal;
    const stateNonces = new Map<string, bigint>();
    for (const tx of byNonce) {
      try {
        const sender = this.check(tx);
        checkGasLimit(tx);
        const key = sender.toString();
        let stateNonce = stateNonces.get(key);
        if (stateNonce === undefined) {
          stateNonce = (await this.options.chain.getAccount(sender.bytes, "latest"))?.nonce ?? 0n;
          stateNonces.set(key, stateNonce);
        }
        if (tx.nonce < stateNonce) throw new TransactionRejectedError("nonce too low", "already mined");
        const pendingNonce = this.pool.nextNonce(key, stateNonce);
        if (this.pool.atNonce(key, tx.nonce) !== undefined)
          throw new TransactionRejectedError("already known", "a journaled duplicate");
        if (
          tx.nonce > pendingNonce &&
          (this.queuedOf(key) >= this.limits.accountQueue || this.queued.size >= this.limits.globalQueue)
        ) {
          throw new TransactionRejectedError("account limit exceeded", "over the queue limits");
        }
        if (this.pool.size >= this.limits.maxSize)
          throw new TransactionRejectedError("txpool is full", "over the pool limit");
        this.pool.add(tx);
        this.classify(key, stateNonce);
      } catch {
        dropped.push(tx);
      }
    }
    if (dropped.length > 0) await journal?.remove(dropped.map((tx) => tx.hash()));
    return dropped;
  }

  /**
   * After the chain's head moved to another branch (a rebase on L1's chain): forgets pooled
   * transactions whose nonce the new head already used (a foreign block included them, or their
   * nonce), re-sorts every sender against the new head, then re-admits `returned` (the
   * transactions of the dropped blocks, already journaled by the rebase's own batch) under the
   * same checks as `restore`. Returns everything it dropped: nothing leaves the pool that the new
   * head could still include, and nothing stays that it already holds.
   */
  async rebase(returned: readonly TypedTransaction[]): Promise<TypedTransaction[]> {
    const stale: TypedTransaction[] = [];
    const stateNonces = new Map<string, bigint>();
    for (const key of [...this.pool.senders()]) {
      const stateNonce = await this.options.chain.getNonce(createAddressFromString(key).bytes, "latest");
      stateNonces.set(key, stateNonce);
      for (const tx of this.pool.ofSender(key)) if (tx.nonce < stateNonce) stale.push(tx);
    }
    await this.forget(stale);
    for (const [key, stateNonce] of stateNonces) this.classify(key, stateNonce);
    return [...stale, ...(await this.restore(returned))];
  }

  /**
   * Applies the limits to a new (not replacing) transaction of `key`: refuses it, or returns the
   * queued transactions to evict for it — the cheapest, then the oldest, and only for a better payer.
   */
  private makeRoom(tx: TypedTransaction, key: string, pendingNonce: bigint): TypedTransaction[] {
    const evicted: TypedTransaction[] = [];
    const isQueued = tx.nonce > pendingNonce;
    if (isQueued && this.queuedOf(key) >= this.limits.accountQueue) {
      throw new TransactionRejectedError(
        "account limit exceeded",
        `a sender may hold ${this.limits.accountQueue} transactions behind a nonce gap: send nonce ${pendingNonce} first`,
      );
    }
    const needsSlot =
      (isQueued && this.queued.size >= this.limits.globalQueue) || this.pool.size >= this.limits.maxSize;
    if (needsSlot) {
      const cheapest = [...this.queued]
        .map((hash) => this.pool.byKey(hash))
        .filter((queued): queued is TypedTransaction => queued !== undefined)
        .sort(byPriceThenAge(this.pool))[0];
      if (cheapest === undefined || feeCapOf(cheapest) >= feeCapOf(tx)) {
        throw new TransactionRejectedError(
          "txpool is full",
          "wait for the next blocks to drain the pool, or pay more than the cheapest queued transaction",
        );
      }
      evicted.push(cheapest);
    }
    return evicted;
  }

  /**
   * Remembers a transaction a block dropped because alone it exceeds the block budget, and bars
   * its sender for `oversizedBanMs`: each such transaction costs the sequencer builds and its
   * sender nothing, so one account gets one per ban. Both memories hold at most `maxSize` entries
   * (the oldest go first), so they cost no more memory than the pool.
   */
  private rememberOversized(tx: TypedTransaction): void {
    const until = this.now() + this.limits.oversizedBanMs;
    const entries: [Map<string, number>, string][] = [
      [this.oversizedTxs, hashKeyOf(tx)],
      [this.oversizedSenders, senderKeyOf(tx)],
    ];
    for (const [bans, key] of entries) {
      bans.delete(key);
      bans.set(key, until);
      while (bans.size > this.limits.maxSize) bans.delete(bans.keys().next().value as string);
    }
  }

  /** Refuses a transaction dropped for the block budget, or one of its sender, while the ban lasts. */
  private refuseOversized(tx: TypedTransaction, sender: string): void {
    const now = this.now();
    const txUntil = this.oversizedTxs.get(hashKeyOf(tx));
    if (txUntil !== undefined && txUntil > now) {
      throw new TransactionRejectedError(
        "exceeds the block budget",
        "this transaction alone needs more witness than one L1 advance carries: no block can hold it; split its work into smaller transactions",
      );
    }
    const senderUntil = this.oversizedSenders.get(sender);
    if (senderUntil !== undefined && senderUntil > now) {
      throw new TransactionRejectedError(
        "sender barred for an oversized transaction",
        `a transaction of ${sender} exceeded the block budget on its own and was dropped; its transactions are refused until ${new Date(senderUntil).toISOString()}`,
      );
    }
  }

  /** Removes `txs` from the pool and the journal. */
  private async forget(txs: readonly TypedTransaction[]): Promise<void> {
    if (txs.length === 0) return;
    for (const tx of txs) {
      this.pool.remove(tx);
      this.queued.delete(hashKeyOf(tx));
    }
    // A journal entry left behind is re-checked against the same limits on restore.
    await this.options.journal?.remove(txs.map((tx) => tx.hash()));
  }

  private queuedOf(key: string): number {
    let count = 0;
    for (const tx of this.pool.pooledOf(key)) if (this.queued.has(hashKeyOf(tx))) count++;
    return count;
  }

  /** Sorts `key`'s pooled transactions into executable (contiguous from `stateNonce`) and queued. */
  private classify(key: string, stateNonce: bigint): void {
    const contiguousEnd = this.pool.nextNonce(key, stateNonce);
    for (const tx of this.pool.pooledOf(key)) {
      const hash = hashKeyOf(tx);
      if (tx.nonce >= contiguousEnd) this.queued.add(hash);
      else this.queued.delete(hash);
    }
  }

  /** Stateless admission checks; returns the recovered sender. */
  private check(tx: TypedTransaction): Address {
    if (!SUPPORTED_TYPES.has(tx.type)) {
      throw new TransactionRejectedError(
        "transaction type not supported",
        "an L2 accepts legacy, EIP-2930, EIP-1559 and EIP-7702 transactions (no blobs)",
      );
    }
    if (tx.common.chainId() !== this.options.chain.chainId) {
      throw new TransactionRejectedError("invalid chain id", `sign for chain id ${this.options.chain.chainId}`);
    }
    if (tx.type === 0 && !(tx as LegacyTx).supports(Capability.EIP155ReplayProtection)) {
      throw new TransactionRejectedError(
        "only replay-protected (EIP-155) transactions allowed over RPC",
        "sign with a chain id (EIP-155)",
      );
    }
    if (!tx.isSigned()) throw new TransactionRejectedError("invalid sender", "the transaction is not signed");
    try {
      return tx.getSenderAddress();
    } catch {
      throw new TransactionRejectedError("invalid sender", "the signature does not recover a sender");
    }
  }
}
