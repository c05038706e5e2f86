import { type TypedTransaction, type TypedTxData, createTx } from "@ethereumjs/tx";
import { Address, bytesToHex, createAddressFromPrivateKey, equalsBytes, hexToBytes } from "@ethereumjs/util";

import type { Chain } from "../chain/chain";
import { TransactionRejectedError } from "../chain/errors";
import { AsyncMutex } from "../chain/mutex";
import { executionFailure } from "../chain/revert";
import { validateIncoming } from "../chain/txValidation";
import type { BlockRecord, MinedBlock } from "../chain/types";
import type { DevControls, RpcBackend, TransactionRequest } from "./backend";
import type { Json } from "./format";
import { SUGGESTED_PRIORITY_FEE } from "./methods/eth";
import type { DevAccount } from "../chain/devAccounts";
import { TxPool } from "../chain/txPool";

export interface DevNodeOptions {
  readonly chain: Chain;
  readonly accounts: readonly DevAccount[];
  readonly clientVersion: string;
  /** Mine a block per transaction (true) or only on evm_mine / the interval timer (false). */
  readonly automine: boolean;
  /** Called when interval mining fails; the timer keeps running. */
  readonly onMiningError?: (error: unknown) => void;
  /** Called under the node's lock after each block is mined (e.g. to persist it) before anyone sees it. */
  readonly onBlockMined?: (record: BlockRecord) => Promise<void>;
}

/**
 * The node behind the L1 devnet's JSON-RPC: signs for dev accounts, pools transactions, and
 * mines them either immediately (automine) or on a timer. Submissions and mining are
 * serialized so nonces and the pool stay consistent.
 */
export class DevNode implements RpcBackend, DevControls {
  readonly chain: Chain;
  readonly clientVersion: string;
  readonly dev: DevControls = this;
  private readonly pool = new TxPool();
  private readonly lock = new AsyncMutex();
  private readonly keys = new Map<string, Uint8Array>();
  private readonly addresses: Uint8Array[];
  private automine: boolean;
  private timer: NodeJS.Timeout | undefined;
  private readonly poolSnapshots = new Map<number, TypedTransaction[]>();
  private readonly instanceId = bytesToHex(crypto.getRandomValues(new Uint8Array(32)));

  constructor(private readonly options: DevNodeOptions) {
    this.chain = options.chain;
    this.clientVersion = options.clientVersion;
    this.automine = options.automine;
    this.addresses = options.accounts.map((a) => {
      const key = hexToBytes(a.privateKey);
      const address = createAddressFromPrivateKey(key);
      this.keys.set(address.toString(), key);
      return address.bytes;
    });
  }

  accounts(): readonly Uint8Array[] {
    return this.addresses;
  }

  async pendingNonce(address: Uint8Array): Promise<bigint> {
    const stateNonce = await this.chain.getNonce(address, "latest");
    return this.pool.nextNonce(new Address(address).toString(), stateNonce);
  }

  pendingTransaction(hash: Uint8Array): TypedTransaction | undefined {
    return this.pool.get(hash);
  }

  pooledTransactions(): readonly TypedTransaction[] {
    return this.pool.snapshot();
  }

  async signTransaction(request: TransactionRequest): Promise<TypedTransaction> {
    const key = this.keys.get(new Address(request.from).toString());
    if (key === undefined)
      throw new TransactionRejectedError(
        "unknown account",
        "eth_sendTransaction signs only for eth_accounts; sign locally and use eth_sendRawTransaction",
      );
    const nonce = request.nonce ?? (await this.pendingNonce(request.from));
    const gasLimit = request.gas ?? (await this.chain.estimateGas(request, "pending"));
    const legacy =
      request.type === 0 ||
      request.type === 1 ||
      (request.gasPrice !== undefined && request.maxFeePerGas === undefined && request.type === undefined);
    const base = {
      nonce,
      gasLimit,
      to: request.to,
      value: request.value ?? 0n,
      data: request.data ?? new Uint8Array(),
      chainId: this.chain.chainId,
    };
    const baseFee = this.chain.head.header.calcNextBaseFee();
    let data: TypedTxData;
    if (legacy) {
      data = {
        ...base,
        type: request.type ?? 0,
        gasPrice: request.gasPrice ?? baseFee * 2n + SUGGESTED_PRIORITY_FEE,
      } as TypedTxData;
    } else {
      const maxFeePerGas =
        request.maxFeePerGas ?? baseFee * 2n + (request.maxPriorityFeePerGas ?? SUGGESTED_PRIORITY_FEE);
      const tip = request.maxPriorityFeePerGas ?? SUGGESTED_PRIORITY_FEE;
      data = {
        ...base,
        type: 2,
        maxFeePerGas,
        maxPriorityFeePerGas: tip < maxFeePerGas ? tip : maxFeePerGas,
      } as TypedTxData;
    }
    if (request.accessList !== undefined) {
      (data as { accessList?: unknown }).accessList = request.accessList.map((e) => [e.address, [...e.storageKeys]]);
    }
    return createTx(data, { common: this.chain.common }).sign(key);
  }

  submitTransaction(tx: TypedTransaction): Promise<Uint8Array> {
    return this.lock.run(async () => {
      const sender = tx.getSenderAddress();
      const account = await this.chain.getAccount(sender.bytes, "latest");
      const pendingNonce = this.pool.nextNonce(sender.toString(), account?.nonce ?? 0n);
      validateIncoming(
        tx,
        { account, pendingNonce },
        this.chain.head.header.gasLimit,
        this.automine ? this.chain.head.header.calcNextBaseFee() : 0n,
      );
      this.pool.add(tx);
      if (this.automine) {
        const mined = await this.mineLocked({});
        this.throwIfFailed(tx, mined);
      }
      return tx.hash();
    });
  }

  mine(options: { timestamp?: bigint } = {}): Promise<void> {
    return this.lock.run(async () => {
      await this.mineLocked(options);
    });
  }

  // ------------------------------------------------------------ DevControls

  setAutomine(enabled: boolean): void {
    this.automine = enabled;
  }

  getAutomine(): boolean {
    return this.automine;
  }

  snapshot(): number {
    const id = this.chain.snapshot();
    this.poolSnapshots.set(id, this.pool.snapshot());
    return id;
  }

  revert(id: number): Promise<boolean> {
    return this.lock.run(async () => {
      const reverted = await this.chain.revert(id);
      const pooled = this.poolSnapshots.get(id);
      if (reverted && pooled !== undefined) this.pool.restore(pooled);
      for (const key of [...this.poolSnapshots.keys()]) if (key >= id) this.poolSnapshots.delete(key);
      return reverted;
    });
  }

  metadata(): Json {
    return {
      clientVersion: this.clientVersion,
      chainId: Number(this.chain.chainId),
      instanceId: this.instanceId,
      latestBlockNumber: Number(this.chain.headNumber),
      latestBlockHash: bytesToHex(this.chain.head.hash()),
    };
  }

  // ------------------------------------------------------------ interval mining

  /** Mines the pool every `blockTimeMs` (also when empty, like a real chain's slots). */
  startIntervalMining(blockTimeMs: number): void {
    this.stopIntervalMining();
    this.timer = setInterval(() => {
      this.mine().catch((error: unknown) => this.options.onMiningError?.(error));
    }, blockTimeMs);
  }

  stopIntervalMining(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  // ------------------------------------------------------------ internals

  private async mineLocked(options: { timestamp?: bigint }): Promise<MinedBlock> {
    const mined = await this.chain.mineBlock(
      this.pool.ordered(),
      options.timestamp === undefined ? {} : { timestamp: options.timestamp },
    );
    for (const tx of mined.record.block.transactions) this.pool.remove(tx);
    for (const skipped of mined.skipped) if (!skipped.retryable) this.pool.remove(skipped.tx);
    await this.options.onBlockMined?.(mined.record);
    return mined;
  }

  // Automine answers like Hardhat: a transaction that reverted is mined, and the sender is told.
  private throwIfFailed(tx: TypedTransaction, mined: MinedBlock): void {
    const hash = tx.hash();
    const skipped = mined.skipped.find((s) => equalsBytes(s.tx.hash(), hash));
    if (skipped !== undefined) {
      if (skipped.retryable) return;
      throw new TransactionRejectedError(skipped.reason, "the transaction was not mined");
    }
    const receipt = mined.record.receipts.find((r) => equalsBytes(r.transactionHash, hash));
    if (receipt !== undefined && receipt.status === 0) {
      throw executionFailure(receipt.error, receipt.revertData, hash);
    }
  }
}
