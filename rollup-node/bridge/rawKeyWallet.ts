// A Wallet for a key the node holds (the sequencer's submitter and proposer, the challengers) that signs EIP-1559 transactions
// from bytes. ethers' Wallet turns the calldata to hex and back and hashes it more than once per
// signature (41 CPU ms for an advance with a 32 KiB witness, 165 at 128 KiB:
// docs/design/fast-tests.md, rounds 30b and 30c); EthereumJS's transaction serialises and hashes
// the bytes once. The signed transaction is byte for byte the one ethers' Wallet makes
// (test/rollup-node/bridge/rawKeyWallet.test.ts); anything outside a plain EIP-1559 call is signed
// by ethers, so what the node sends and every error it meets is what it was before.
import { type Common, Hardfork, Mainnet, createCustomCommon } from "@ethereumjs/common";
import { createFeeMarket1559Tx } from "@ethereumjs/tx";
import {
  type Provider,
  type SigningKey,
  type TransactionRequest,
  type TransactionResponse,
  Wallet,
  getAddress,
  getBigInt,
  getBytes,
  hexlify,
  resolveAddress,
} from "ethers";

/** A plain EIP-1559 call's fields, resolved: what `signEip1559` serialises. */
export interface Eip1559Fields {
  readonly chainId: bigint;
  readonly nonce: bigint;
  readonly maxPriorityFeePerGas: bigint;
  readonly maxFeePerGas: bigint;
  readonly gasLimit: bigint;
  readonly to: `0x${string}`;
  readonly value: bigint;
  readonly data: Uint8Array;
}

/** Fields this signer leaves to ethers when set: other transaction types' parts, a signature already made. */
const ETHERS_ONLY_FIELDS = [
  "gasPrice",
  "maxFeePerBlobGas",
  "blobVersionedHashes",
  "blobs",
  "kzg",
  "authorizationList",
  "signature",
] as const;

/** One Common per chain id: the transaction only needs its chain id and EIP-1559. */
const commons = new Map<bigint, Common>();

/**
 * Prague, not Osaka: Osaka's EIP-7825 makes EthereumJS refuse a gas limit over 2^24 before
 * signing, which ethers signs and the L1 judges. The serialisation of a type-2 transaction does
 * not depend on the hardfork.
 */
function commonFor(chainId: bigint): Common {
  let common = commons.get(chainId);
  if (common === undefined) {
    common = createCustomCommon({ chainId: chainId.toString() }, Mainnet, { hardfork: Hardfork.Prague });
    commons.set(chainId, common);
  }
  return common;
}

/** The signed EIP-1559 transaction of `fields` (its raw bytes), signed by `privateKey` (RFC 6979, as ethers). */
export function signEip1559(fields: Eip1559Fields, privateKey: Uint8Array): Uint8Array {
  return createFeeMarket1559Tx({ ...fields, type: 2 }, { common: commonFor(fields.chainId) })
    .sign(privateKey)
    .serialize();
}

/** `tx`'s fields when it is a plain EIP-1559 call with every field set; undefined when ethers should sign it. */
function plainEip1559(tx: TransactionRequest, to: string | undefined): Eip1559Fields | undefined {
  if (Number(tx.type) !== 2 || to === undefined) return undefined;
  const request = tx as Readonly<Record<string, unknown>>;
  if (ETHERS_ONLY_FIELDS.some((field) => request[field] != null)) return undefined;
  if (tx.accessList != null && (!Array.isArray(tx.accessList) || tx.accessList.length > 0)) return undefined;
  const { chainId, nonce, gasLimit, maxFeePerGas, maxPriorityFeePerGas } = tx;
  if (chainId == null || nonce == null || gasLimit == null || maxFeePerGas == null || maxPriorityFeePerGas == null)
    return undefined;
  return {
    chainId: getBigInt(chainId),
    nonce: getBigInt(nonce),
    maxPriorityFeePerGas: getBigInt(maxPriorityFeePerGas),
    maxFeePerGas: getBigInt(maxFeePerGas),
    gasLimit: getBigInt(gasLimit),
    to: to as `0x${string}`,
    value: getBigInt(tx.value ?? 0n),
    data: getBytes(tx.data ?? "0x"),
  };
}

/** ethers' Wallet, signing plain EIP-1559 calls from bytes (byte-identical results). */
export class RawKeyWallet extends Wallet {
  constructor(key: string | SigningKey, provider?: Provider | null) {
    super(key, provider);
  }

  override connect(provider: Provider | null): RawKeyWallet {
    return new RawKeyWallet(this.signingKey, provider);
  }

  override async signTransaction(tx: TransactionRequest): Promise<string> {
    // The same checks as ethers' Wallet: `to` resolved, `from` this key's.
    const [to, from] = await Promise.all([
      tx.to == null ? undefined : resolveAddress(tx.to, this),
      tx.from == null ? undefined : resolveAddress(tx.from, this),
    ]);
    if (from !== undefined && getAddress(from) !== this.address) return super.signTransaction(tx);
    const fields = plainEip1559(tx, to);
    if (fields === undefined) return super.signTransaction(tx);
    try {
      return hexlify(signEip1559(fields, getBytes(this.signingKey.privateKey)));
    } catch {
      // EthereumJS checks more than ethers before signing (a nonce or gas limit of 2^64 or more,
      // a priority fee above the fee cap): such a request is ethers' to sign, or to refuse.
      return super.signTransaction(tx);
    }
  }

  /**
   * AbstractSigner's send without its `Transaction.from` of the populated request (a hex round
   * trip of the data): populated as ethers does, signed by `signTransaction`, broadcast.
   */
  override async sendTransaction(tx: TransactionRequest): Promise<TransactionResponse> {
    const provider = this.provider;
    if (provider === null) return super.sendTransaction(tx);
    const populated = await this.populateTransaction(tx);
    populated.from = undefined;
    return provider.broadcastTransaction(await this.signTransaction(populated));
  }
}
