import { Block, type BlockHeader, type BlockOptions } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import { type TypedTransaction, createTxFromBlockBodyData, paramsTx } from "@ethereumjs/tx";
import { Address } from "@ethereumjs/util";

/** A transaction of a block body as RLP decodes it: a typed transaction's bytes, or a legacy one's list. */
export type TransactionData = Uint8Array | Uint8Array[];

/** The two `Common` methods every transaction constructor calls on the Common it is given (EthereumJS 10.1.3). */
interface ConstructorHooks {
  copy: () => Common;
  updateParams: (params: unknown) => void;
}

/**
 * The transactions `createBlockFromBytesArray` makes of a block body, with one `Common` for all of
 * them instead of one per transaction.
 *
 * Every transaction constructor starts with `tx.common = opts.common.copy()` and
 * `tx.common.updateParams(paramsTx)`: a copy of the header's Common, then a JSON round trip of every
 * entry of `paramsTx` and a rebuild of the whole parameter cache (`_buildParamsCache`): ≈ 5 % of an
 * ETH-transfer verification (docs/design/l2-throughput.md, stop 27). Here that copy and merge are
 * made once, on `headerCommon` exactly as the first constructor would make them, and during the loop
 * the prepared copy hands itself to each constructor (`copy()`) and takes the constructors'
 * `updateParams(paramsTx)` as done. Why every transaction is the one upstream makes:
 *
 * - each upstream copy is a shallow copy of the same header Common, so all share its `_params` object;
 *   the first `updateParams(paramsTx)` merges `paramsTx` into it and the next ones merge the same values
 *   again (a no-op on the content), and each then builds its own parameter cache from the same
 *   `_params`, hardfork and EIPs: the same cache as the prepared copy's, which is built after the same
 *   one merge;
 * - none is made for a body without transactions, so the header's `_params` (shared with the L2 Common
 *   the VM is made from) gain `paramsTx` exactly when they did upstream;
 * - what a transaction reads of its Common (parameters, EIPs, hardfork, chain id, the crypto) is then
 *   the same values; the one write upstream makes on a transaction's Common (`runTx`'s `setHardfork`
 *   when the tx's fork is not the block's) is skipped by the verifier (`skipHardForkValidation`) and
 *   could not apply anyway: both come from the one header Common;
 * - any other `updateParams` argument would be another merge: it throws (no constructor passes one
 *   unless a caller's options name `params`, which no caller here does).
 *
 * After the loop the two hooks are removed: the transactions share one ordinary Common, whose `copy()`
 * (e.g. a signed copy of a transaction made later) copies as upstream's does. The differential test
 * (test/precompiles/blockBody.test.ts) decodes the corpus, fuzzer and hand-made invalid bodies both
 * ways: the same transactions, the same errors, and the same verdicts from `verifyBlock`.
 */
export function decodeTransactions(
  bodies: readonly TransactionData[],
  headerCommon: Common,
  opts: BlockOptions,
): TypedTransaction[] {
  if (bodies.length === 0) return [];
  const shared = headerCommon.copy();
  shared.updateParams(paramsTx);
  const hooks = shared as unknown as ConstructorHooks;
  hooks.copy = () => shared;
  hooks.updateParams = (params: unknown) => {
    if (params !== paramsTx) throw new Error("a transaction constructor merged parameters other than paramsTx");
  };
  try {
    return bodies.map((data) => decodeTransaction(data, opts, shared));
  } finally {
    delete (hooks as Partial<ConstructorHooks>).copy;
    delete (hooks as Partial<ConstructorHooks>).updateParams;
  }
}

/**
 * One transaction as createBlockFromBytesArray makes it (the block's options, with the header's
 * Common), its sender's address hashed with the Common's keccak (`senderAddressByCommonKeccak`) and
 * its encoding made once (`serializedOnce`).
 * The constructor is told not to freeze the transaction so that the method can be added; it is then
 * frozen here, and the options it recorded (`txOptions`, the very object passed) lose the `freeze`
 * entry again: the same frozen object with the same options as upstream's, plus those two methods.
 */
function decodeTransaction(data: TransactionData, opts: BlockOptions, common: Common): TypedTransaction {
  const txOptions: BlockOptions = { ...opts, common, freeze: false };
  const tx = createTxFromBlockBodyData(data, txOptions);
  if (opts.freeze === undefined) delete txOptions.freeze;
  else txOptions.freeze = opts.freeze;
  senderAddressByCommonKeccak(tx);
  serializedOnce(tx);
  if (opts.freeze ?? true) Object.freeze(tx);
  return tx;
}

/** The length of an uncompressed secp256k1 public key without its prefix byte, which `publicToAddress` requires. */
const PUBLIC_KEY_LENGTH = 64;

/**
 * Gives `tx` its own `getSenderAddress`: upstream's (`new Address(publicToAddress(getSenderPublicKey()))`,
 * EthereumJS 10.1.3 capabilities/legacy.js) with the keccak of the transaction's Common instead of
 * @noble's JavaScript keccak, which `publicToAddress` always uses: runTx asks once per transaction
 * (≈ 2.5 % of an ETH-transfer verification with the JS hash, docs/design/l2-throughput.md stop 27).
 * The same bytes (any keccak of a Common is keccak-256: precompiles/crypto.ts and its tests), the same
 * recovered key (cached by the transaction), and upstream's own error for a key of another length.
 * A Common without its own keccak leaves the method as it is.
 */
function senderAddressByCommonKeccak(tx: TypedTransaction): void {
  const keccak = tx.common.customCrypto.keccak256;
  if (keccak === undefined) return;
  const upstream = tx.getSenderAddress;
  Object.defineProperty(tx, "getSenderAddress", {
    value: (): Address => {
      const publicKey = tx.getSenderPublicKey();
      if (publicKey.length !== PUBLIC_KEY_LENGTH) return upstream.call(tx);
      // The low 160 bits of the hash, as publicToAddress takes them.
      return new Address(keccak(publicKey).subarray(-20));
    },
  });
}

/**
 * Gives `tx` its own `serialize`: upstream's encoding made on the first call and a copy of it handed
 * out on each (upstream hands out a fresh array each time too, so a caller that writes into it
 * changes nothing else). A verification serializes each transaction three times: the transactions
 * root (`transactionsRootOf`), runBlock's `_genTxTrie`, and `hash()` (which caches its own result);
 * the encoding is of the frozen transaction's fields, so every call gives the same bytes. The node's
 * admission gives it to each submitted transaction too (rollup-node/l2/rawTransaction.ts). `tx` must
 * not be frozen yet; the caller freezes it.
 */
export function serializedOnce(tx: TypedTransaction): void {
  const upstream = tx.serialize;
  let encoded: Uint8Array | undefined;
  Object.defineProperty(tx, "serialize", {
    value: (): Uint8Array => {
      encoded ??= upstream.call(tx);
      return encoded.slice();
    },
  });
}

/**
 * `createBlockFromBytesArray([header, transactions, [], withdrawals?], opts)` for a body without ommers
 * or withdrawals (what `decodeBlock` lets through), from the header the caller already decoded from
 * the same fields with the same options (upstream decodes it a second time): the same block, its
 * transactions decoded by `decodeTransactions`.
 */
export function blockWithEmptyOmmersAndWithdrawals(
  header: BlockHeader,
  transactions: readonly TransactionData[],
  opts: BlockOptions,
): Block {
  const decoded = decodeTransactions(transactions, header.common, opts);
  // Upstream maps the (empty) withdrawals list when EIP-4895 is active, and passes none otherwise.
  const withdrawals = header.common.isActivatedEIP(4895) ? [] : undefined;
  return new Block(header, decoded, [], withdrawals, opts);
}
