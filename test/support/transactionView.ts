import type { Common } from "@ethereumjs/common";
import type { TypedTransaction } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";

const bigints = (_: string, value: unknown): unknown => (typeof value === "bigint" ? `${value}n` : value);

/**
 * What a decoded transaction is, as far as anything can read it (down to its Common's parameter
 * cache); a method that throws gives its message. Two decoders are the same when their
 * transactions' views are deep-equal.
 */
export function transactionView(tx: TypedTransaction): Record<string, unknown> {
  const attempt = (read: () => unknown): unknown => {
    try {
      const value = read();
      return value instanceof Uint8Array ? bytesToHex(value) : value;
    } catch (error) {
      return `throws: ${(error as Error).message}`;
    }
  };
  const common = tx.common as Common & { _paramsCache: unknown };
  return {
    type: tx.type,
    json: JSON.stringify(tx.toJSON()),
    serialized: attempt(() => tx.serialize()),
    hash: attempt(() => tx.hash()),
    sender: attempt(() => tx.getSenderAddress().toString()),
    signed: tx.isSigned(),
    errors: attempt(() => tx.getValidationErrors().join("; ")),
    intrinsicGas: attempt(() => tx.getIntrinsicGas()),
    dataGas: attempt(() => tx.getDataGas()),
    hardfork: common.hardfork(),
    chainId: common.chainId(),
    eips: common.eips().join(","),
    params: JSON.stringify(common._paramsCache, bigints),
    frozen: Object.isFrozen(tx),
    options: Object.keys(tx.txOptions).sort().join(","),
  };
}
