import type { Provider, TransactionReceipt, TransactionResponse } from "ethers";

/**
 * An L1 provider that remembers transactions and receipts by hash. The dashboard re-reads the
 * same recent `advance` transactions on every refresh (acceptance.ts decodes each one's calldata
 * to tell re-executed from proven): a transaction's content never changes under its hash, so
 * only new ones go to the node. A receipt could change in a reorg, so receipts are kept only
 * `receiptTtlMs` and only what is mined is cached.
 */
export class CachedL1Reads {
  readonly provider: Provider;
  private readonly transactions = new Map<string, TransactionResponse>();
  private readonly receipts = new Map<string, { readonly receipt: TransactionReceipt; readonly at: number }>();

  constructor(
    private readonly inner: Provider,
    private readonly options: { readonly maxEntries?: number; readonly receiptTtlMs?: number } = {},
  ) {
    const getTransaction = (hash: string): Promise<TransactionResponse | null> => this.transaction(hash);
    // Everything else goes to the real provider, bound to it (ethers' providers keep private fields).
    this.provider = new Proxy(inner, {
      get(target, property) {
        if (property === "getTransaction") return getTransaction;
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  async transaction(hash: string): Promise<TransactionResponse | null> {
    const key = hash.toLowerCase();
    const known = this.transactions.get(key);
    if (known !== undefined) return known;
    const tx = await this.inner.getTransaction(hash);
    if (tx !== null && tx.blockNumber !== null) this.remember(this.transactions, key, tx);
    return tx;
  }

  async receipt(hash: string): Promise<TransactionReceipt | null> {
    const key = hash.toLowerCase();
    const known = this.receipts.get(key);
    if (known !== undefined && Date.now() - known.at < (this.options.receiptTtlMs ?? 60_000)) return known.receipt;
    const receipt = await this.inner.getTransactionReceipt(hash);
    if (receipt !== null) this.remember(this.receipts, key, { receipt, at: Date.now() });
    return receipt;
  }

  /** Bounded: the oldest entry goes first (Map keeps insertion order). */
  private remember<T>(map: Map<string, T>, key: string, value: T): void {
    map.set(key, value);
    const max = this.options.maxEntries ?? 4_096;
    while (map.size > max) map.delete(map.keys().next().value as string);
  }
}
