import type { TypedTransaction } from "@ethereumjs/tx";

import type { Chain } from "../chain/chain";
import type { CallRequest } from "../chain/types";
import type { Json } from "./format";

/** eth_sendTransaction's request: a call request with a mandatory sender. */
export interface TransactionRequest extends CallRequest {
  readonly from: Uint8Array;
  readonly type?: number;
}

/**
 * What the JSON-RPC methods need from a node. The L1 devnet implements it (automine, dev
 * accounts); the L2 sequencer will implement it with its own mempool and block production.
 */
export interface RpcBackend {
  readonly chain: Chain;
  readonly clientVersion: string;
  /** Addresses of the accounts the node signs for (eth_accounts). */
  accounts(): readonly Uint8Array[];
  /** Fills defaults (nonce, gas, fees) and signs with a dev account. */
  signTransaction(request: TransactionRequest): Promise<TypedTransaction>;
  /** Validates, then pools or mines the transaction; returns its hash. */
  submitTransaction(tx: TypedTransaction): Promise<Uint8Array>;
  /** The nonce the sender's next transaction should carry, counting pooled ones. */
  pendingNonce(address: Uint8Array): Promise<bigint>;
  /** A pooled (not yet mined) transaction by hash. */
  pendingTransaction(hash: Uint8Array): TypedTransaction | undefined;
  /** Every pooled transaction (txpool_*); a backend without a pool leaves it out. */
  pooledTransactions?(): readonly TypedTransaction[];
  /** Mines one block with the pooled transactions. */
  mine(options?: { timestamp?: bigint }): Promise<void>;
  /** Optional dev controls; methods answer -32601 when a backend lacks them. */
  readonly dev?: DevControls;
}

export interface DevControls {
  setAutomine(enabled: boolean): void;
  getAutomine(): boolean;
  snapshot(): number;
  revert(id: number): Promise<boolean>;
  /** Extra methods a backend answers itself (e.g. hardhat_metadata). */
  metadata(): Json;
}
