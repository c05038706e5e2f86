import { createBlock, createBlockFromRLP, type Block, type HeaderData } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import { type TypedTransaction, createEOACode7702Tx, createFeeMarket1559Tx, createLegacyTx } from "@ethereumjs/tx";
import {
  type Address,
  type PrefixedHexString,
  createAddressFromPrivateKey,
  eoaCode7702SignAuthorization,
  hexToBytes,
} from "@ethereumjs/util";
import { ExecuteError, ExecuteErrorCode, verifyBlock } from "../precompiles";
import { L2_BRIDGE_ADDRESS } from "../protocol";
import { type BuiltBlock, L2TestChain } from "./l2TestChain";

/** Runtime code: SSTORE(calldata[0:32], calldata[32:64]) then LOG1(topic = the value). */
export const STORE_AND_LOG_CODE = "0x6020356000355560203560006000a100";
/** Runtime code: SSTORE(0, BLOCKHASH(calldata[0:32])). */
export const BLOCKHASH_CODE = "0x6000354060005500";
/** Init code that deploys STORE_AND_LOG_CODE (16 bytes at offset 12). */
export const STORE_AND_LOG_INITCODE = "0x6010600c60003960106000f3" + STORE_AND_LOG_CODE.slice(2);

export const STORE_ADDRESS = "0x00000000000000000000000000000000005707e0";
export const BLOCKHASH_ADDRESS = "0x0000000000000000000000000000000000b10c00";

/** Calldata: (slot, value) word pairs; SSTOREs each in order. */
export const SETTER_CODE = "0x60005b8036111560185780602001358135556040016002565b00";
export const SETTER_ADDRESS = "0x00000000000000000000000000000000005e7706";

/** The random source the generators below draw from (tools/executeFuzz's Rng is one). */
export interface RandomSource {
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
}

/** A random (slot, value) pair of the setter: a third of the values clear the slot. */
export function randomSlotWrite(rng: RandomSource): [bigint, bigint] {
  return [BigInt(1 + rng.int(40)), rng.int(3) === 0 ? 0n : BigInt(1 + rng.int(1000))];
}

/**
 * One random transaction of a storage-writing block, from one of the signers: a transfer to one of
 * `recipients` fresh accounts, a store at STORE_ADDRESS, a multi-slot write at SETTER_ADDRESS, or
 * one of the caller's own `more` kinds (each as likely as the three above).
 */
export function randomWritingTx(
  rng: RandomSource,
  signers: readonly TestSigner[],
  recipients: number,
  more: readonly ((signer: TestSigner) => TypedTransaction)[],
): TypedTransaction {
  const signer = rng.pick(signers);
  const kind = rng.int(3 + more.length);
  if (kind === 0)
    return signer.tx({
      to: `0x${(0xf000 + rng.int(recipients)).toString(16).padStart(40, "0")}`,
      value: BigInt(rng.int(3)),
      gasLimit: 21_000n,
    });
  if (kind === 1) {
    const [slot, value] = randomSlotWrite(rng);
    return signer.tx({ to: STORE_ADDRESS, data: storeCall(slot, value) });
  }
  if (kind === 2) {
    const writes = Array.from({ length: 1 + rng.int(6) }, () => randomSlotWrite(rng));
    return signer.tx({ to: SETTER_ADDRESS, data: slotWritesCall(writes), gasLimit: 400_000n });
  }
  return more[kind - 3](signer);
}

/** The setter's calldata for these (slot, value) pairs. */
export function slotWritesCall(writes: readonly (readonly [bigint, bigint])[]): PrefixedHexString {
  return `0x${writes.map(([s, v]) => word(s) + word(v)).join("")}`;
}

export function word(value: bigint | number): string {
  return BigInt(value).toString(16).padStart(64, "0");
}

/** Calldata for STORE_AND_LOG_CODE. */
export function storeCall(slot: bigint | number, value: bigint | number): PrefixedHexString {
  return `0x${word(slot)}${word(value)}`;
}

/** A funded test key that signs transactions with consecutive nonces. */
export class TestSigner {
  private nonce = 0n;
  readonly address: Address;

  constructor(
    readonly privateKey: Uint8Array,
    private readonly common: Common,
  ) {
    this.address = createAddressFromPrivateKey(privateKey);
  }

  static fromSeed(seed: number, common: Common): TestSigner {
    return new TestSigner(hexToBytes(`0x${word(seed + 1)}`), common);
  }

  /** An EIP-1559 transaction; `to` undefined deploys `data`. */
  tx(fields: { to?: string; value?: bigint; data?: string; gasLimit?: bigint }): TypedTransaction {
    return createFeeMarket1559Tx(
      {
        chainId: this.common.chainId(),
        nonce: this.nonce++,
        maxFeePerGas: 10n ** 11n,
        maxPriorityFeePerGas: 10n ** 9n,
        gasLimit: fields.gasLimit ?? 100_000n,
        to: fields.to as PrefixedHexString | undefined,
        value: fields.value ?? 0n,
        data: (fields.data ?? "0x") as PrefixedHexString,
      },
      { common: this.common },
    ).sign(this.privateKey);
  }

  /** A legacy EIP-155 transaction. */
  legacyTx(fields: { to: string; value?: bigint }): TypedTransaction {
    return createLegacyTx(
      {
        nonce: this.nonce++,
        gasPrice: 10n ** 11n,
        gasLimit: 21_000n,
        to: fields.to as PrefixedHexString,
        value: fields.value ?? 0n,
      },
      { common: this.common },
    ).sign(this.privateKey);
  }

  /** An EIP-7702 transaction in which `authority` delegates its code to `delegate`, then is called. */
  delegationTx(authority: TestSigner, delegate: string, data: string): TypedTransaction {
    const authorization = eoaCode7702SignAuthorization(
      {
        chainId: `0x${this.common.chainId().toString(16)}`,
        address: delegate as PrefixedHexString,
        nonce: `0x${authority.nonce.toString(16)}`,
      },
      authority.privateKey,
    );
    authority.nonce++;
    return createEOACode7702Tx(
      {
        chainId: this.common.chainId(),
        nonce: this.nonce++,
        maxFeePerGas: 10n ** 11n,
        maxPriorityFeePerGas: 10n ** 9n,
        gasLimit: 200_000n,
        to: authority.address.toString() as PrefixedHexString,
        data: data as PrefixedHexString,
        authorizationList: [authorization],
      },
      { common: this.common },
    ).sign(this.privateKey);
  }
}

/** Re-encodes `block` with some header fields (and optionally the body) replaced. */
export function tamperBlock(
  block: Block,
  header: Partial<HeaderData>,
  body: {
    transactions?: TypedTransaction[];
    withdrawals?: { index: bigint; validatorIndex: bigint; address: Address; amount: bigint }[];
  } = {},
): Uint8Array {
  return createBlock(
    {
      header: { ...block.header.toJSON(), ...header } as HeaderData,
      transactions: body.transactions ?? block.transactions,
      withdrawals: body.withdrawals ?? [],
    },
    { common: block.common, skipConsensusFormatValidation: true },
  ).serialize();
}

/**
 * An L2 test chain as a rollup's genesis lays it out: `alice` (seed 7) holding 100 ETH and the
 * L2Bridge predeploy (`bridgeCode`, its deployed bytecode) holding `bridgePremint`.
 */
export async function chainWithBridge(
  chainId: bigint,
  bridgeCode: string,
  bridgePremint: bigint,
): Promise<{ chain: L2TestChain; alice: TestSigner }> {
  const probe = await L2TestChain.create(chainId, []);
  const chain = await L2TestChain.create(chainId, [
    { address: TestSigner.fromSeed(7, probe.common).address.toString(), balance: 100n * 10n ** 18n },
    { address: L2_BRIDGE_ADDRESS, code: bridgeCode, balance: bridgePremint },
  ]);
  return { chain, alice: TestSigner.fromSeed(7, chain.common) };
}

/** What `verifyBlock` says of a block's bytes beside what EthereumJS's own root check says of them. */
export interface TransactionsRootVerdict {
  /** "accepted", or the error's "code: message". */
  readonly verdict: string;
  /** verifyBlock refused the bytes for their transactions root. */
  readonly rootRejected: boolean;
  /** EthereumJS's `transactionsTrieIsValid` on the same bytes: the verdict before orderedTrie.ts. */
  readonly upstreamValid: boolean;
}

/** Verifies `blockRlp` (a variant of `built`) and checks its transactions root the way EthereumJS does. */
export async function transactionsRootVerdict(
  chainId: bigint,
  common: Common,
  built: BuiltBlock,
  blockRlp: Uint8Array,
): Promise<TransactionsRootVerdict> {
  const upstreamValid = await createBlockFromRLP(blockRlp, {
    common,
    skipConsensusFormatValidation: true,
  }).transactionsTrieIsValid();
  const verdict = await verifyBlock({
    chainId,
    parentHeader: built.parentHeader,
    block: blockRlp,
    witness: built.witness,
  }).then(
    () => "accepted",
    (error: unknown) => (error instanceof ExecuteError ? `${error.code}: ${error.message}` : String(error)),
  );
  const rootRejected =
    verdict === `${ExecuteErrorCode.InvalidTransactions}: transactions do not match the header's transactions root`;
  return { verdict, rootRejected, upstreamValid };
}
