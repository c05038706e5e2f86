import type { Common } from "@ethereumjs/common";
import type { TypedTransaction } from "@ethereumjs/tx";
import { Address } from "@ethereumjs/util";

import { checkRlpDepth, serializedOnce } from "../../precompiles";
import { TransactionRejectedError } from "../chain/errors";
import { createTxWithPreparedCommon } from "./txCommon";

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
    // Not frozen yet: recoverSender gives it its sender first, then freezes it as the library would.
    // createTxFromRLP(raw, { common, freeze: false }) without its per-transaction parameter merge.
    tx = createTxWithPreparedCommon(raw, common);
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
  // An admitted transaction is encoded again by the journal, the block's record, the transactions
  // root and runBlock's transaction trie (in the build and the witness capture): once is enough.
  serializedOnce(tx);
  Object.freeze(tx);
  return tx;
}

/**
 * Recovers the sender now, before the caller queues for the pool lock, and makes the
 * transaction remember it: its public key in the library's own cache (`cache.senderPubKey`, as a
 * frozen transaction caches it) and its address behind `getSenderAddress`. Upstream
 * `getSenderAddress` hashes the cached public key again on every call (keccak in JavaScript,
 * ~15 µs), and an admitted transfer's sender is asked for about seven times (the mempool's checks
 * and sender index, the builder's selection, `runTx`), as much CPU as its signature recovery
 * (docs/design/l2-throughput.md, "Stop 24"). Each call still returns an Address of its own.
 * A signature that does not recover is left to the mempool, which rejects it in its own order of
 * checks (the transaction keeps upstream's `getSenderAddress`, which throws).
 */
function recoverSender(tx: TypedTransaction): void {
  let sender: Uint8Array;
  try {
    tx.cache.senderPubKey = tx.getSenderPublicKey();
    sender = tx.getSenderAddress().bytes;
  } catch {
    return;
  }
  Object.defineProperty(tx, "getSenderAddress", { value: (): Address => new Address(sender.slice()) });
}
