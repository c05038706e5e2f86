import { type Block, createBlock, createBlockHeader } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import type { MerkleStateManager } from "@ethereumjs/statemanager";
import {
  Account,
  KECCAK256_RLP,
  createAddressFromString,
  hexToBytes,
  isHexString,
  setLengthLeft,
} from "@ethereumjs/util";

import {
  EMPTY_REQUESTS_HASH,
  SYSTEM_CONTRACTS,
  type WriteRules,
  WriteRulesError,
  checkWriteRules,
} from "../../precompiles";
import { ChainConfigError } from "./errors";
import { DEFAULT_GAS_LIMIT, DEFAULT_HARDFORK } from "./defaults";

export { createChainCommon } from "./chainCommon";

export type Hex = `0x${string}`;

/** One pre-funded or pre-deployed account of the genesis state. */
export interface GenesisAccount {
  readonly balance?: bigint;
  readonly nonce?: bigint;
  readonly code?: Hex;
  /** Storage slot → value, both 32-byte (or shorter, left-padded) hex. */
  readonly storage?: Readonly<Record<string, Hex>>;
}

export interface GenesisConfig {
  readonly chainId: bigint;
  /** Every fork up to this one is active from block 0. */
  readonly hardfork?: string;
  readonly gasLimit?: bigint;
  readonly baseFeePerGas?: bigint;
  /** Seconds since the epoch. */
  readonly timestamp: bigint;
  readonly coinbase?: Hex;
  readonly extraData?: Hex;
  readonly alloc: Readonly<Record<string, GenesisAccount>>;
  /**
   * How EXECUTE writes this chain's state to the tries, per block (a consensus rule,
   * docs/design/consensus-rules.md §5): one rule, or steps keyed by block number or timestamp, as
   * forks are. The node records every witness under the rule of its block (`writeRuleAt`), and
   * EXECUTE, the challenger and the attesters must verify with the same rules.
   * `DEFAULT_VERIFIER_WRITES` ("per-block" from genesis) when absent.
   */
  readonly writeRules?: WriteRules;
}

// Declared in ./defaults (light enough for the Hardhat plugin's config loading); used here too.
export { DEFAULT_GAS_LIMIT, DEFAULT_HARDFORK };
/** EIP-1559's initial base fee (1 gwei, as geth's genesis): a genesis that names none starts there. */
export const DEFAULT_BASE_FEE = 1_000_000_000n;
export const ZERO_ADDRESS: Hex = "0x0000000000000000000000000000000000000000";

/** `rules` when `writeRuleAt` can apply them; a `ChainConfigError` naming the step otherwise. */
export function checkGenesisWriteRules(rules: WriteRules): WriteRules {
  try {
    checkWriteRules(rules);
  } catch (error) {
    if (error instanceof WriteRulesError) throw new ChainConfigError(error.message, error.hint);
    throw error;
  }
  return rules;
}

function toBytes32(hex: string): Uint8Array {
  if (!isHexString(hex))
    throw new ChainConfigError(`storage key or value ${hex} is not hex`, "write slots and values as 0x-prefixed hex");
  return setLengthLeft(hexToBytes(hex), 32);
}

/** The genesis allocation, by default with the system contracts the fork requires (nonce 1, as deployed). */
export function genesisAlloc(config: GenesisConfig, withSystemContracts = true): Record<string, GenesisAccount> {
  const alloc: Record<string, GenesisAccount> = {};
  if (withSystemContracts)
    for (const contract of SYSTEM_CONTRACTS)
      alloc[contract.address.toLowerCase()] = { nonce: 1n, code: contract.code as Hex };
  for (const [address, account] of Object.entries(config.alloc)) alloc[address.toLowerCase()] = account;
  return alloc;
}

/** Writes the allocation into `state` and commits it; returns the resulting state root. */
export async function writeGenesisState(
  state: MerkleStateManager,
  alloc: Readonly<Record<string, GenesisAccount>>,
): Promise<Uint8Array> {
  await state.checkpoint();
  for (const [addressHex, account] of Object.entries(alloc)) {
    const address = createAddressFromString(addressHex);
    await state.putAccount(address, new Account(account.nonce ?? 0n, account.balance ?? 0n));
    if (account.code !== undefined && account.code !== "0x") await state.putCode(address, hexToBytes(account.code));
    for (const [slot, value] of Object.entries(account.storage ?? {})) {
      await state.putStorage(address, toBytes32(slot), toBytes32(value));
    }
  }
  await state.commit();
  return state.getStateRoot();
}

/** The genesis block: header fields as a post-Osaka execution client expects them. */
export function createGenesisBlock(config: GenesisConfig, common: Common, stateRoot: Uint8Array): Block {
  const header = createBlockHeader(
    {
      number: 0n,
      gasLimit: config.gasLimit ?? DEFAULT_GAS_LIMIT,
      baseFeePerGas: config.baseFeePerGas ?? DEFAULT_BASE_FEE,
      timestamp: config.timestamp,
      coinbase: createAddressFromString(config.coinbase ?? ZERO_ADDRESS),
      extraData: config.extraData !== undefined ? hexToBytes(config.extraData) : new Uint8Array(),
      stateRoot,
      withdrawalsRoot: common.isActivatedEIP(4895) ? KECCAK256_RLP : undefined,
      blobGasUsed: common.isActivatedEIP(4844) ? 0n : undefined,
      excessBlobGas: common.isActivatedEIP(4844) ? 0n : undefined,
      parentBeaconBlockRoot: common.isActivatedEIP(4788) ? new Uint8Array(32) : undefined,
      requestsHash: common.isActivatedEIP(7685) ? EMPTY_REQUESTS_HASH : undefined,
    },
    { common },
  );
  return createBlock({ header, withdrawals: common.isActivatedEIP(4895) ? [] : undefined }, { common });
}
