import type { Common } from "@ethereumjs/common";
import type { TypedTransaction } from "@ethereumjs/tx";
import { type TxReceipt, encodeReceipt } from "@ethereumjs/vm";

import { keccak256 } from "./crypto";
import { orderedTrieRoot } from "./orderedTrie";

/**
 * The transactions and receipts roots of a block, each built in one pass (`orderedTrieRoot`)
 * instead of EthereumJS's trie with one put per item (`genTransactionsTrieRoot`,
 * `transactionsTrieIsValid`, runBlock's receipts trie): the same roots
 * (test/precompiles/orderedTrie.test.ts, orderedTrieReceipts.test.ts), ~10× less CPU
 * (scripts/bench-block-roots.ts). Any keccak of `common` gives the same bytes.
 */
export function transactionsRootOf(transactions: readonly TypedTransaction[], common: Common): Uint8Array {
  return orderedTrieRoot(
    transactions.map((tx) => tx.serialize()),
    common.customCrypto.keccak256 ?? keccak256,
  );
}

/** The receipts root of `receipts`, the i-th that of `transactions[i]` (whose type its encoding carries). */
export function receiptsRootOf(
  receipts: readonly TxReceipt[],
  transactions: readonly TypedTransaction[],
  common: Common,
): Uint8Array {
  return orderedTrieRoot(
    receipts.map((receipt, i) => encodeReceipt(receipt, transactions[i].type)),
    common.customCrypto.keccak256 ?? keccak256,
  );
}
