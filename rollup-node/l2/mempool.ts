import { Capability, type LegacyTx, type TypedTransaction } from "@ethereumjs/tx";
import { Address } from "@ethereumjs/util";

import type { Chain } from "../chain/chain";
import { TransactionRejectedError } from "../chain/errors";
import { validateIncoming } from "../chain/txValidation";
import type { MinedBlock } from "../chain/types";
import { TxPool } from "../devnet/txPool";

/** Transaction types an L2 block may hold: no blobs (EXECUTE rejects them), nothing unknown. */
const SUPPORTED_TYPES: ReadonlySet<number> = new Set([0, 1, 2, 4]);

/** Where accepted transactions are made durable before they are acknowledged. */
export interface MempoolJournal {
  put(tx: TypedTransaction, replaced: TypedTransaction | undefined): Promise<void>;
  remove(hashes: readonly Uint8Array[]): Promise<void>;
}

export interface MempoolOptions {
  readonly chain: Chain;
  readonly journal?: MempoolJournal;
  /** Pooled transactions beyond this are refused ("txpool is full"). */
  readonly maxSize?: number;
}

export const DEFAULT_MEMPOOL_SIZE = 10_000;

/**
 * The L2 mempool: geth's admission rules and messages, nonce order per sender, replacement by
 * fee, and a journal so that an acknowledged transaction survives a crash. Not thread-safe on
 * its own: the sequencer serializes admissions and block production.
 */
export class Mempool {
  private readonly pool = new TxPool();

  constructor(private readonly options: MempoolOptions) {}

  get size(): number {
    return this.pool.size;
  }

  get(hash: Uint8Array): TypedTransaction | undefined {
    return this.pool.get(hash);
  }

  /** Pooled transactions in block order (senders by first arrival, each by nonce). */
  ordered(): TypedTransaction[] {
    return this.pool.ordered();
  }

  /** The nonce `address`'s next transaction should carry, counting contiguous pooled ones. */
  async nextNonce(address: Uint8Array): Promise<bigint> {
    const stateNonce = await this.options.chain.getNonce(address, "latest");
    return this.pool.nextNonce(new Address(address).toString(), stateNonce);
  }

  /** Checks `tx` against the head state, pools it and journals it; throws geth's rejection. */
  async add(tx: TypedTransaction): Promise<Uint8Array> {
    const sender = this.check(tx);
    const { chain } = this.options;
    const account = await chain.getAccount(sender.bytes, "latest");
    const pendingNonce = this.pool.nextNonce(sender.toString(), account?.nonce ?? 0n);
    validateIncoming(tx, { account, pendingNonce }, chain.head.header.gasLimit, chain.head.header.calcNextBaseFee());
    if (this.pool.get(tx.hash()) === undefined && this.pool.size >= (this.options.maxSize ?? DEFAULT_MEMPOOL_SIZE)) {
      throw new TransactionRejectedError("txpool is full", "wait for the next blocks to drain the pool");
    }
    const replaced = this.pool.add(tx);
    try {
      await this.options.journal?.put(tx, replaced);
    } catch (error) {
      this.pool.remove(tx);
      if (replaced !== undefined) this.pool.add(replaced);
      throw error;
    }
    return tx.hash();
  }

  /**
   * Forgets what a block settled: its transactions and the ones it found invalid. The journal
   * entries are removed by the block's own atomic commit, not here.
   */
  settle(mined: MinedBlock): void {
    for (const tx of mined.record.block.transactions) this.pool.remove(tx);
    for (const skipped of mined.skipped) if (!skipped.retryable) this.pool.remove(skipped.tx);
  }

  /**
   * Re-admits journaled transactions after a restart (without journaling them again); returns
   * the ones the current state makes invalid, so that the caller can drop them from the journal.
   */
  async restore(txs: readonly TypedTransaction[]): Promise<TypedTransaction[]> {
    const dropped: TypedTransaction[] = [];
    const byNonce = [...txs].sort((a, b) => (a.nonce < b.nonce ? -1 : a.nonce > b.nonce ? 1 : 0));
    const journal = this.options.journal;
    for (const tx of byNonce) {
      try {
        this.check(tx);
        const account = await this.options.chain.getAccount(tx.getSenderAddress().bytes, "latest");
        if (tx.nonce < (account?.nonce ?? 0n)) throw new TransactionRejectedError("nonce too low", "already mined");
        this.pool.add(tx);
      } catch {
        dropped.push(tx);
      }
    }
    if (dropped.length > 0) await journal?.remove(dropped.map((tx) => tx.hash()));
    return dropped;
  }

  /** Stateless admission checks; returns the recovered sender. */
  private check(tx: TypedTransaction): Address {
    if (!SUPPORTED_TYPES.has(tx.type)) {
      throw new TransactionRejectedError("transaction type not supported", "an L2 accepts legacy, EIP-2930, EIP-1559 and EIP-7702 transactions (no blobs)");
    }
    if (tx.common.chainId() !== this.options.chain.chainId) {
      throw new TransactionRejectedError("invalid chain id", `sign for chain id ${this.options.chain.chainId}`);
    }
    if (tx.type === 0 && !(tx as LegacyTx).supports(Capability.EIP155ReplayProtection)) {
      throw new TransactionRejectedError("only replay-protected (EIP-155) transactions allowed over RPC", "sign with a chain id (EIP-155)");
    }
    if (!tx.isSigned()) throw new TransactionRejectedError("invalid sender", "the transaction is not signed");
    try {
      return tx.getSenderAddress();
    } catch {
      throw new TransactionRejectedError("invalid sender", "the signature does not recover a sender");
    }
  }
}
