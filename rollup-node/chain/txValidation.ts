import type { TypedTransaction } from "@ethereumjs/tx";
import type { Account } from "@ethereumjs/util";

import { TransactionRejectedError } from "./errors";

/** A rejection in the words geth uses (tools and users match on these strings). */
export interface Rejection {
  readonly reason: string;
  readonly hint: string;
}

const PATTERNS: readonly [RegExp, (m: RegExpMatchArray) => Rejection][] = [
  [
    /account has nonce of: (\d+) tx has nonce of: (\d+)/,
    (m) =>
      BigInt(m[2] as string) < BigInt(m[1] as string)
        ? { reason: "nonce too low", hint: "use eth_getTransactionCount(address, 'pending') as the nonce" }
        : { reason: "nonce too high", hint: "an earlier nonce of this sender is missing" },
  ],
  [
    /enough funds/,
    () => ({
      reason: "insufficient funds for gas * price + value",
      hint: "fund the sender or lower gas, fee or value",
    }),
  ],
  [
    /INTRINSIC_GAS_TOO_LOW/,
    () => ({ reason: "intrinsic gas too low", hint: "raise the gas limit to at least 21000 plus calldata costs" }),
  ],
  [
    /less than the block's baseFeePerGas/,
    () => ({ reason: "max fee per gas less than block base fee", hint: "raise maxFeePerGas (see eth_gasPrice)" }),
  ],
  [
    /not EOA/,
    () => ({ reason: "sender not an eoa", hint: "transactions must come from an account without code (EIP-3607)" }),
  ],
  [
    /EIP-7825/,
    () => ({ reason: "transaction gas limit too high", hint: "Osaka caps a transaction at 16,777,216 gas (EIP-7825)" }),
  ],
  [
    /higher gas limit than the block/,
    () => ({ reason: "exceeds block gas limit", hint: "lower the transaction's gas limit" }),
  ],
];

/** Maps an EthereumJS validation error message to the geth reason. */
export function describeRejection(message: string): Rejection {
  for (const [pattern, make] of PATTERNS) {
    const match = message.match(pattern);
    if (match !== null) return make(match);
  }
  return { reason: message.split(" (")[0] ?? message, hint: "the transaction is invalid for the current state" };
}

export function rejectionError(message: string): TransactionRejectedError {
  const { reason, hint } = describeRejection(message);
  return new TransactionRejectedError(reason, hint, reason);
}

/**
 * The gas-limit rules block building applies (runTx), checked before a transaction is pooled:
 * intrinsic gas, EIP-7623's calldata floor and EIP-7825's per-transaction cap. A transaction
 * that passes them is never dropped for its gas limit at build time.
 */
export function checkGasLimit(tx: TypedTransaction): void {
  const intrinsic = tx.getIntrinsicGas();
  if (tx.gasLimit < intrinsic)
    throw new TransactionRejectedError("intrinsic gas too low", `this transaction needs at least ${intrinsic} gas`);
  const minimum = tx.getMinimumGasLimit();
  if (tx.gasLimit < minimum) {
    throw new TransactionRejectedError(
      "insufficient gas for floor data gas cost",
      `its calldata needs at least ${minimum} gas (EIP-7623 floor)`,
    );
  }
  if (tx.common.isActivatedEIP(7825)) {
    const cap = tx.common.param("maxTransactionGasLimit");
    if (tx.gasLimit > cap)
      throw new TransactionRejectedError(
        "transaction gas limit too high",
        `a transaction may carry at most ${cap} gas (EIP-7825)`,
      );
  }
}

/** What the chain knows about a sender when a transaction arrives. */
export interface SenderState {
  readonly account: Account | undefined;
  /** The next nonce after the sender's transactions already pending. */
  readonly pendingNonce: bigint;
}

/**
 * Checks a transaction before it is pooled or mined, with the messages geth returns from
 * eth_sendRawTransaction. The block builder re-checks everything during execution.
 */
export function validateIncoming(
  tx: TypedTransaction,
  sender: SenderState,
  blockGasLimit: bigint,
  baseFee: bigint,
): void {
  const nonce = sender.account?.nonce ?? 0n;
  if (tx.nonce < nonce) throw new TransactionRejectedError("nonce too low", `the sender's next nonce is ${nonce}`);
  if (tx.gasLimit > blockGasLimit)
    throw new TransactionRejectedError("exceeds block gas limit", `the block gas limit is ${blockGasLimit}`);
  checkGasLimit(tx);
  const balance = sender.account?.balance ?? 0n;
  const maxFee =
    "maxFeePerGas" in tx ? (tx as { maxFeePerGas: bigint }).maxFeePerGas : (tx as { gasPrice: bigint }).gasPrice;
  if (balance < tx.gasLimit * maxFee + tx.value) {
    throw new TransactionRejectedError(
      "insufficient funds for gas * price + value",
      `balance ${balance}, needed ${tx.gasLimit * maxFee + tx.value}`,
    );
  }
  if (maxFee < baseFee) {
    throw new TransactionRejectedError(
      "max fee per gas less than block base fee",
      `the next block's base fee is ${baseFee}`,
    );
  }
}
