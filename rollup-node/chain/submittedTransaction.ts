import type { Common } from "@ethereumjs/common";
import { RLP } from "@ethereumjs/rlp";
import {
  TransactionType,
  type TypedTransaction,
  createBlob4844TxFromSerializedNetworkWrapper,
  createTxFromRLP,
} from "@ethereumjs/tx";

import { ChainError } from "./errors";

/** A submitted transaction that cannot enter the pool as sent: malformed, or a blob tx whose sidecar fails. */
export class InvalidSubmittedTransactionError extends ChainError {
  constructor(message: string, hint: string) {
    super("INVALID_TRANSACTION", message, hint);
  }
}

/** EthereumJS appends "(block=…, hash=…)" style context; the RPC answer keeps the reason only. */
const reason = (error: unknown): string => (error as Error).message.split(" (")[0];

/** EthereumJS's messages for a network wrapper whose blobs, commitments or proofs are wrong. */
const SIDECAR_FAILURE = /kzg|blob|commitment|versionedhash|networkwrapper|4 or 5 values/i;

/**
 * True for `0x03 || rlp([tx_fields, …sidecar])`: the network form whose first list item is the
 * transaction itself, as opposed to the canonical `0x03 || rlp(tx_fields)` whose first item is the chain id.
 */
function isBlobNetworkWrapper(raw: Uint8Array): boolean {
  if (raw[0] !== TransactionType.BlobEIP4844) return false;
  const decoded = RLP.decode(raw.subarray(1));
  return Array.isArray(decoded) && Array.isArray(decoded[0]);
}

/**
 * Decodes a raw transaction offered to the pool (eth_sendRawTransaction). Blob transactions
 * must come with their sidecar, as on any execution client: the blobs, commitments and proofs
 * are KZG-verified against the versioned hashes (through `common.customCrypto.kzg`), so the
 * pool never holds a blob transaction whose data nobody can produce.
 */
export function decodeSubmittedTransaction(raw: Uint8Array, common: Common): TypedTransaction {
  let wrapped: boolean;
  try {
    wrapped = isBlobNetworkWrapper(raw);
  } catch (error) {
    throw new InvalidSubmittedTransactionError(
      `invalid transaction: ${reason(error)}`,
      "send the signed transaction's serialized bytes (EIP-2718 envelope)",
    );
  }
  if (wrapped) {
    try {
      return createBlob4844TxFromSerializedNetworkWrapper(raw, { common });
    } catch (error) {
      // The same call decodes the transaction fields; only sidecar failures are named as such.
      if (!SIDECAR_FAILURE.test(reason(error)))
        throw new InvalidSubmittedTransactionError(
          `invalid transaction: ${reason(error)}`,
          "send the signed transaction's serialized bytes",
        );
      throw new InvalidSubmittedTransactionError(
        `invalid blob sidecar: ${reason(error)}`,
        "each blob needs its KZG commitment (hashing to the tx's versioned hash) and valid proofs: one per blob before Osaka, 128 cell proofs per blob from Osaka on",
      );
    }
  }
  let tx: TypedTransaction;
  try {
    tx = createTxFromRLP(raw, { common });
  } catch (error) {
    throw new InvalidSubmittedTransactionError(
      `invalid transaction: ${reason(error)}`,
      "send the signed transaction's serialized bytes (EIP-2718 envelope)",
    );
  }
  if (tx.type === TransactionType.BlobEIP4844) {
    throw new InvalidSubmittedTransactionError(
      "missing sidecar in blob transaction",
      "submit blob transactions in network form (serializeNetworkWrapper), with blobs, commitments and proofs",
    );
  }
  return tx;
}
