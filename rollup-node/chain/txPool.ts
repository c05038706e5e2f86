import { Capability, type TypedTransaction } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";

import { TransactionRejectedError } from "./errors";

/** A replacement must raise the fee by this percentage (geth's default price bump). */
const PRICE_BUMP_PERCENT = 10n;

function feeCap(tx: TypedTransaction): bigint {
  return tx.supports(Capability.EIP1559FeeMarket)
    ? (tx as unknown as { maxFeePerGas: bigint }).maxFeePerGas
    : (tx as unknown as { gasPrice: bigint }).gasPrice;
}

function tipCap(tx: TypedTransaction): bigint {
  return tx.supports(Capability.EIP1559FeeMarket)
    ? (tx as unknown as { maxPriorityFeePerGas: bigint }).maxPriorityFeePerGas
    : feeCap(tx);
}

/** The fee cap a transaction offers per gas (maxFeePerGas, or a legacy gas price). */
export function feeCapOf(tx: TypedTransaction): bigint {
  return feeCap(tx);
}

// The pool asks every pooled transaction for its sender and hash at every admission and block,
// and ethereumjs recomputes both on each call (the address is a keccak of the public key, the hex
// a fresh string). A frozen transaction (the default: ethereumjs then caches its public key and
// hash too) never changes, so its keys are computed once per object.
const senderKeys = new WeakMap<TypedTransaction, string>();
const hashKeys = new WeakMap<TypedTransaction, string>();

/** `tx`'s sender as a lower-case hex address, the pool's key of a sender. */
export function senderKeyOf(tx: TypedTransaction): string {
  let key = senderKeys.get(tx);
  if (key === undefined) {
    key = tx.getSenderAddress().toString();
    if (Object.isFrozen(tx)) senderKeys.set(tx, key);
  }
  return key;
}

/** `tx`'s hash as hex, the pool's key of a transaction. */
export function hashKeyOf(tx: TypedTransaction): string {
  let key = hashKeys.get(tx);
  if (key === undefined) {
    key = bytesToHex(tx.hash());
    if (Object.isFrozen(tx)) hashKeys.set(tx, key);
  }
  return key;
}

/** Transactions waiting for a block, per sender and nonce, in arrival order. */
export class TxPool {
  private readonly byHash = new Map<string, TypedTransaction>();
  private readonly bySenderNonce = new Map<string, string>();
  /** Each sender's pooled transactions by nonce. */
  private readonly bySender = new Map<string, Map<bigint, TypedTransaction>>();
  /** When each pooled transaction arrived (the pool's clock, ms). */
  private readonly arrivedAt = new Map<string, number>();

  /** `now` stamps arrivals (for eviction by age); the wall clock by default. */
  constructor(private readonly now: () => number = Date.now) {}

  get size(): number {
    return this.byHash.size;
  }

  get(hash: Uint8Array): TypedTransaction | undefined {
    return this.byHash.get(bytesToHex(hash));
  }

  /** The pooled transaction whose hash key (`hashKeyOf`) is `key`, without converting it to bytes and back. */
  byKey(key: string): TypedTransaction | undefined {
    return this.byHash.get(key);
  }

  /** When `tx` (pooled) arrived, on the pool's clock. */
  arrival(tx: TypedTransaction): number | undefined {
    return this.arrivedAt.get(hashKeyOf(tx));
  }

  /** The pooled transaction of `sender` with `nonce`, if any. */
  atNonce(sender: string, nonce: bigint): TypedTransaction | undefined {
    return this.bySender.get(sender)?.get(nonce);
  }

  /** Senders with pooled transactions. */
  senders(): string[] {
    return [...this.bySender.keys()];
  }

  /**
   * `sender`'s pooled transactions in no particular order, without a copy: for a pass that does
   * not need nonce order (the mempool's classification runs at every admission, and sorting a
   * sender's backlog each time made admission grow with it).
   */
  pooledOf(sender: string): Iterable<TypedTransaction> {
    return this.bySender.get(sender)?.values() ?? [];
  }

  /** `sender`'s pooled transactions by nonce. */
  ofSender(sender: string): TypedTransaction[] {
    return [...(this.bySender.get(sender)?.values() ?? [])].sort((a, b) =>
      a.nonce < b.nonce ? -1 : a.nonce > b.nonce ? 1 : 0,
    );
  }

  /**
   * Adds `tx`, replacing a pooled one of the same sender and nonce if it pays enough more;
   * returns the replaced transaction (a persistent pool must forget it too). `arrivedAt` puts
   * back a transaction taken out by an admission that is being undone, with its own age.
   */
  add(tx: TypedTransaction, arrivedAt?: number): TypedTransaction | undefined {
    const hash = hashKeyOf(tx);
    if (this.byHash.has(hash))
      throw new TransactionRejectedError("already known", "this transaction is already pending");
    const sender = senderKeyOf(tx);
    const slot = `${sender}:${tx.nonce}`;
    const existingHash = this.bySenderNonce.get(slot);
    const existing = existingHash === undefined ? undefined : this.byHash.get(existingHash);
    if (existing !== undefined) {
      const minFee = (feeCap(existing) * (100n + PRICE_BUMP_PERCENT)) / 100n;
      const minTip = (tipCap(existing) * (100n + PRICE_BUMP_PERCENT)) / 100n;
      if (feeCap(tx) < minFee || tipCap(tx) < minTip) {
        throw new TransactionRejectedError(
          "replacement transaction underpriced",
          `raise the fees by at least ${PRICE_BUMP_PERCENT}%`,
        );
      }
      this.byHash.delete(existingHash as string);
      this.arrivedAt.delete(existingHash as string);
    }
    this.byHash.set(hash, tx);
    this.arrivedAt.set(hash, arrivedAt ?? this.now());
    this.bySenderNonce.set(slot, hash);
    const own = this.bySender.get(sender) ?? new Map<bigint, TypedTransaction>();
    own.set(tx.nonce, tx);
    this.bySender.set(sender, own);
    return existing;
  }

  remove(tx: TypedTransaction): void {
    const hash = hashKeyOf(tx);
    if (!this.byHash.delete(hash)) return;
    this.arrivedAt.delete(hash);
    const sender = senderKeyOf(tx);
    const slot = `${sender}:${tx.nonce}`;
    if (this.bySenderNonce.get(slot) === hash) {
      this.bySenderNonce.delete(slot);
      const own = this.bySender.get(sender);
      own?.delete(tx.nonce);
      if (own?.size === 0) this.bySender.delete(sender);
    }
  }

  /** The highest pooled nonce + 1 of `sender` when it continues `stateNonce` without gaps. */
  nextNonce(sender: string, stateNonce: bigint): bigint {
    const own = this.bySender.get(sender);
    let next = stateNonce;
    while (own?.has(next) === true) next++;
    return next;
  }

  /** Pooled transactions in block order: senders by first arrival, each sender by nonce. */
  ordered(): TypedTransaction[] {
    const groups = new Map<string, TypedTransaction[]>();
    for (const tx of this.byHash.values()) {
      const sender = senderKeyOf(tx);
      const group = groups.get(sender) ?? [];
      group.push(tx);
      groups.set(sender, group);
    }
    const out: TypedTransaction[] = [];
    for (const group of groups.values()) out.push(...group.sort((a, b) => (a.nonce < b.nonce ? -1 : 1)));
    return out;
  }

  snapshot(): TypedTransaction[] {
    return [...this.byHash.values()];
  }

  restore(txs: readonly TypedTransaction[]): void {
    this.byHash.clear();
    this.bySenderNonce.clear();
    this.bySender.clear();
    this.arrivedAt.clear();
    for (const tx of txs) this.add(tx);
  }
}
