import type { Common } from "@ethereumjs/common";
import { type TypedTransaction, createTxFromRLP } from "@ethereumjs/tx";

import { checkRlpDepth } from "../../precompiles";
import { TransactionRejectedError } from "../chain/errors";

/** Typed-transaction type bytes an L2 accepts (legacy transactions start with an RLP list byte). */
const TYPED: ReadonlySet<number> = new Set([0x01, 0x02, 0x04]);
/** Type bytes are 0x00..0x7f; RLP lists (legacy) start at 0xc0. */
const MAX_TYPE_BYTE = 0x7f;

/**
 * Decodes `eth_sendRawTransaction`'s bytes, answering decoding failures with geth's messages
 * (a blob transaction is "transaction type not supported" before anyone tries to decode it:
 * that would need a KZG setup, and an L2 block may not hold one anyway).
 */
export function decodeRawTransaction(raw: Uint8Array, common: Common): TypedTransaction {
  const first = raw[0];
  if (first === undefined)
    throw new TransactionRejectedError("typed transaction too short", "send the signed transaction's bytes");
  if (first <= MAX_TYPE_BYTE && !TYPED.has(first)) {
    throw new TransactionRejectedError(
      "transaction type not supported",
      "an L2 accepts legacy, EIP-2930, EIP-1559 and EIP-7702 transactions (no blobs)",
    );
  }
  let tx: TypedTransaction;
  try {
    // Before @ethereumjs/tx's recursive decoder, which copies each level: a request nested 100,000
    // deep would take seconds of the node's only thread (docs/design/rlp-depth.md).
    checkRlpDepth(first <= MAX_TYPE_BYTE ? raw.subarray(1) : raw);
    tx = createTxFromRLP(raw, { common });
  } catch (error) {
    const message = (error as Error).message;
    if (/chain ?id/i.test(message))
      throw new TransactionRejectedError("invalid chain id", `sign for chain id ${common.chainId()}`);
    if (/signature|invalid sender|recover/i.test(message))
      throw new TransactionRejectedError("invalid sender", "the signature does not recover a sender");
    throw new TransactionRejectedError(
      `invalid transaction: ${message.split(" (")[0] ?? message}`,
      "send a signed, RLP-encoded transaction",
    );
  }
  recoverSender(tx);
  return tx;
}

/**
 * Recovers the sender now, before the caller queues for the pool lock: the transaction (frozen)
 * caches it, so the mempool's own recovery under the lock is a lookup, and requests waiting for
 * the lock (a block being built) have already done their share of the work. A signature that
 * does not recover is left to the mempool, which rejects it in its own order of checks.
 */
function recoverSender(tx: TypedTransaction): void {
  try {
    tx.getSenderAddress();
  } catch {}
}
