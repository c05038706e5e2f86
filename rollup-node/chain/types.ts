import type { Block } from "@ethereumjs/block";
import type { TypedTransaction } from "@ethereumjs/tx";

import type { Witness } from "../../precompiles";

/** One log as the EVM emitted it. */
export interface ChainLog {
  readonly address: Uint8Array;
  readonly topics: readonly Uint8Array[];
  readonly data: Uint8Array;
}

/** A receipt with everything eth_getTransactionReceipt reports. */
export interface ChainReceipt {
  readonly transactionHash: Uint8Array;
  readonly transactionIndex: number;
  readonly blockNumber: bigint;
  readonly blockHash: Uint8Array;
  readonly from: Uint8Array;
  readonly to: Uint8Array | undefined;
  readonly type: number;
  /** 1 success, 0 failure. */
  readonly status: 0 | 1;
  readonly cumulativeGasUsed: bigint;
  readonly gasUsed: bigint;
  readonly effectiveGasPrice: bigint;
  readonly contractAddress: Uint8Array | undefined;
  readonly logs: readonly ChainLog[];
  readonly logsBloom: Uint8Array;
  /** Return data of a failed transaction (revert reason or custom error); empty on success. */
  readonly revertData: Uint8Array;
  /** The EVM error of a failed transaction ("revert", "out of gas", …). */
  readonly error: string | undefined;
  /** Before Byzantium: the state root after the transaction (the receipt has no status then). */
  readonly postStateRoot?: Uint8Array;
  /** Blob (EIP-4844) transactions: blob gas used and the block's blob gas price. */
  readonly blobGasUsed?: bigint;
  readonly blobGasPrice?: bigint;
}

/** A mined block with its receipts. */
export interface BlockRecord {
  readonly block: Block;
  readonly receipts: readonly ChainReceipt[];
}

/**
 * A chain's stored blocks after genesis, in order, as a resume reads them: an array, or an
 * iterable that decodes one block at a time (a data directory's, so that a long history is never
 * decoded into memory all at once: docs/design/memory-bounds.md, round 28).
 */
export type BlockHistory = Iterable<BlockRecord> | AsyncIterable<BlockRecord>;

/** Where a transaction was mined. */
export interface TxLocation {
  readonly blockNumber: bigint;
  readonly index: number;
}

/** A transaction the builder left out of a block, and why. */
export interface SkippedTransaction {
  readonly tx: TypedTransaction;
  readonly reason: string;
  /** True when the transaction may fit a later block (block full); false when it is invalid. */
  readonly retryable: boolean;
  /** True when the block budget alone left it out (a required relay that did not fit): not the transaction's fault. */
  readonly overBudget?: boolean;
  /** True when it was built alone, with no relay beside it, and exceeded the block budget: no block can hold it. */
  readonly oversized?: boolean;
}

export interface MinedBlock {
  readonly record: BlockRecord;
  readonly skipped: readonly SkippedTransaction[];
  /** The state the block executed on (its parent's state root). */
  readonly preStateRoot: Uint8Array;
  /** EIP-7685 requests (type byte then data), the non-empty ones, as the engine API lists them. */
  readonly requests?: readonly Uint8Array[];
  /** The block's stateless witness, when mined with `captureWitness`. */
  readonly witness?: Witness;
  /** Size of the RLP-encoded witness (what EXECUTE is charged for), when captured. */
  readonly encodedWitness?: Uint8Array;
}

/** A block tag as JSON-RPC names blocks, already parsed. */
export type BlockTag =
  | "latest"
  | "earliest"
  | "pending"
  | "safe"
  | "finalized"
  | bigint
  | { readonly hash: Uint8Array };

/** An eth_call / eth_estimateGas request, parsed. Absent fields get geth's defaults. */
export interface CallRequest {
  readonly from?: Uint8Array;
  readonly to?: Uint8Array;
  readonly gas?: bigint;
  readonly gasPrice?: bigint;
  readonly maxFeePerGas?: bigint;
  readonly maxPriorityFeePerGas?: bigint;
  readonly value?: bigint;
  readonly data?: Uint8Array;
  readonly nonce?: bigint;
  readonly accessList?: readonly { address: Uint8Array; storageKeys: readonly Uint8Array[] }[];
}

export interface CallResult {
  readonly returnValue: Uint8Array;
  readonly gasUsed: bigint;
}

/** A log query: all fields optional, topics position-wise with null = any and arrays = OR. */
export interface LogFilter {
  readonly fromBlock?: bigint;
  readonly toBlock?: bigint;
  readonly blockHash?: Uint8Array;
  readonly addresses?: readonly Uint8Array[];
  readonly topics?: readonly (Uint8Array | readonly Uint8Array[] | null)[];
}

/** A log with its position, as eth_getLogs returns it. */
export interface LocatedLog extends ChainLog {
  readonly blockNumber: bigint;
  readonly blockHash: Uint8Array;
  readonly transactionHash: Uint8Array;
  readonly transactionIndex: number;
  readonly logIndex: number;
  readonly blockTimestamp: bigint;
}

/** Why a built block is too big to carry. */
export interface BudgetExcess {
  readonly reason: string;
  /** What the block needs over what it may use (> 1): trimming keeps about 1/ratio of its transactions. */
  readonly ratio: number;
}

export interface MineOptions {
  /** Exact timestamp (seconds); must exceed the parent's. */
  readonly timestamp?: bigint;
  /** The L2 puts its L1 message root here; zero by default. */
  readonly parentBeaconBlockRoot?: Uint8Array;
  readonly coinbase?: Uint8Array;
  readonly extraData?: Uint8Array;
  readonly prevRandao?: Uint8Array;
  /** The block's gas limit; the parent's by default. */
  readonly gasLimit?: bigint;
  /**
   * Also record the block's stateless witness (a second, verifier-identical execution: it costs
   * about as much as building the block, so the L1 devnet never asks for it).
   */
  readonly captureWitness?: boolean;
  /**
   * With `captureWitness`: trailing transactions are left out (retryable) until the encoded
   * witness fits in this many bytes, so the block's EXECUTE call fits one L1 transaction.
   */
  readonly maxWitnessBytes?: number;
  /**
   * With `captureWitness`: why the built block (with its encoded witness) is too big to carry,
   * or undefined when it fits. Checked like `maxWitnessBytes`, after it (see l2/advanceBudget.ts).
   */
  readonly blockBudget?: (block: Block, encodedWitness: Uint8Array) => BudgetExcess | undefined;
  /**
   * The first this-many transactions (the L1 messages' relays) are trimmed for the budget only
   * after every other one, and never dropped for it: left out, they are reported retryable with
   * the budget's reason and the caller decides what becomes of them. No transaction is waived.
   */
  readonly requiredTransactions?: number;
  /**
   * Called under the chain's lock once the block is built (and its state written), before it
   * becomes visible: persistence goes here. A throw discards the block and fails `mineBlock`.
   */
  readonly beforeStore?: (mined: MinedBlock) => Promise<void>;
}

/** Called right before a block is built or a call simulated (EXECUTE resets its gas budget here). */
export type BeforeExecutionHook = (kind: "block" | "call") => void;
