import { type FeeMarket1559Tx, createFeeMarket1559Tx } from "@ethereumjs/tx";
import { type Address, type DB, createAddressFromPrivateKey, hexToBytes } from "@ethereumjs/util";

import type { StoredValue } from "../precompiles";
import { Chain } from "../rollup-node/chain/chain";

/** Hardhat's account #0: the funded sender of the transfers. */
const SENDER_KEY = hexToBytes("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
/** The chain's genesis time, and its clock: a fixed time keeps the blocks the same on every run. */
export const TRANSFER_CHAIN_TIME = 1_700_000_000n;

export interface TransferChainOptions {
  readonly chainId: bigint;
  /** How many signed transfers to prepare (nonces 0, 1, …; one wei each to distinct new accounts). */
  readonly transfers: number;
  /** The genesis gas limit; the chain's default when not given. */
  readonly gasLimit?: bigint;
  /** The chain's trie database; in memory when not given. */
  readonly db?: DB<string, StoredValue>;
}

export interface TransferChain {
  /** An in-memory chain at genesis, the sender funded. */
  readonly chain: Chain;
  readonly sender: Address;
  /** The signed transfers, ready for `chain.mineBlock`. */
  readonly txs: readonly FeeMarket1559Tx[];
}

/** An in-memory Osaka chain whose one funded account has `transfers` plain transfers signed: a long block to build. */
export async function transferChain(options: TransferChainOptions): Promise<TransferChain> {
  const sender = createAddressFromPrivateKey(SENDER_KEY);
  const chain = await Chain.create({
    genesis: {
      chainId: options.chainId,
      hardfork: "osaka",
      timestamp: TRANSFER_CHAIN_TIME,
      ...(options.gasLimit === undefined ? {} : { gasLimit: options.gasLimit }),
      alloc: { [sender.toString()]: { balance: 10n ** 24n } },
    },
    now: () => TRANSFER_CHAIN_TIME,
    ...(options.db === undefined ? {} : { db: options.db }),
  });
  const txs = Array.from({ length: options.transfers }, (_, i) =>
    createFeeMarket1559Tx(
      {
        nonce: BigInt(i),
        to: `0x${(0x10000 + i).toString(16).padStart(40, "0")}`,
        value: 1n,
        gasLimit: 21_000n,
        maxFeePerGas: 10n ** 10n,
        maxPriorityFeePerGas: 1n,
        chainId: options.chainId,
      },
      { common: chain.common },
    ).sign(SENDER_KEY),
  );
  return { chain, sender, txs };
}
