import { type Block, createBlock, paramsBlock } from "@ethereumjs/block";
import {
  type ChainConfig,
  Common,
  type CustomCrypto,
  type GethGenesis,
  type HardforkConfig,
  type HardforksDict,
  parseGethGenesis,
} from "@ethereumjs/common";
import { KECCAK256_RLP, createAddressFromString, hexToBytes, isHexString } from "@ethereumjs/util";

import { EMPTY_REQUESTS_HASH, fastCrypto } from "../../precompiles";
import { DEFAULT_BASE_FEE, type GenesisAccount, type GenesisConfig, type Hex } from "../chain/genesis";
import { GethGenesisError } from "./errors";

/**
 * A go-ethereum genesis file converted for the chain core: a Common carrying the whole fork
 * schedule (forks by block number up to the merge, by timestamp after it, and the EIP-7840
 * blob schedule), the genesis allocation, and a factory for the genesis block.
 *
 * The fork schedule and blob parameters are read by @ethereumjs/common's
 * `createCommonFromGethGenesis`; this module checks what that parser would silently get wrong.
 *
 * Not supported (rejected with GethGenesisError, never silently ignored):
 * - `clique` (proof-of-authority) chains: the chain core has no signer checks.
 * - a merge by terminal total difficulty alone: the merge must be pinned to a block with
 *   `mergeNetsplitBlock` (or `mergeForkBlock`), as every geth test genesis does; total
 *   difficulty is not tracked, so `terminalTotalDifficulty` is only informational.
 * - `eip155Block` ≠ `eip158Block` (EthereumJS activates Spurious Dragon as one fork).
 * Accepted but without effect: `ethash: {}` (the PoW seal is not verified on import, see
 * chainImport.ts), `depositContractAddress` (EIP-6110 deposits use EthereumJS' parameter),
 * `daoForkSupport` (the DAO fork applies whenever `daoForkBlock` is set).
 */
export interface ConvertedGenesis {
  /** The fork schedule, set to the genesis block's fork. */
  readonly common: Common;
  /** Chain id, timestamp and allocation as Chain.create takes them. */
  readonly genesis: GenesisConfig;
  /** The genesis block over the allocation's state root. */
  readonly createGenesisBlock: (common: Common, stateRoot: Uint8Array) => Block;
}

type JsonObject = Record<string, unknown>;

function asObject(value: unknown, name: string): JsonObject {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new GethGenesisError(`${name}: expected an object`);
  return value as JsonObject;
}

/** geth writes numbers both as JSON numbers and as (hex or decimal) strings. */
function toBigInt(value: unknown, name: string): bigint {
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === "string" && /^(0x[0-9a-fA-F]*|[0-9]+)$/.test(value)) return value === "0x" ? 0n : BigInt(value);
  throw new GethGenesisError(`${name}: expected a number, got ${JSON.stringify(value)}`);
}

function optionalBigInt(value: unknown, name: string): bigint | undefined {
  return value === undefined || value === null ? undefined : toBigInt(value, name);
}

function toHex(value: unknown, name: string): Hex {
  if (typeof value !== "string") throw new GethGenesisError(`${name}: expected hex`);
  const prefixed = value.startsWith("0x") ? value : `0x${value}`;
  if (!isHexString(prefixed)) throw new GethGenesisError(`${name}: expected hex, got ${JSON.stringify(value)}`);
  return prefixed as Hex;
}

function allocation(raw: unknown): Record<string, GenesisAccount> {
  const out: Record<string, GenesisAccount> = {};
  for (const [address, value] of Object.entries(asObject(raw, "alloc"))) {
    const account = asObject(value, `alloc.${address}`);
    const key = (address.startsWith("0x") ? address : `0x${address}`).toLowerCase();
    const storage: Record<string, Hex> = {};
    for (const [slot, word] of Object.entries(
      account.storage === undefined ? {} : asObject(account.storage, `alloc.${address}.storage`),
    )) {
      storage[toHex(slot, `alloc.${address}.storage key`)] = toHex(word, `alloc.${address}.storage[${slot}]`);
    }
    out[key] = {
      balance: optionalBigInt(account.balance, `alloc.${address}.balance`) ?? 0n,
      nonce: optionalBigInt(account.nonce, `alloc.${address}.nonce`) ?? 0n,
      ...(account.code !== undefined ? { code: toHex(account.code, `alloc.${address}.code`) } : {}),
      ...(Object.keys(storage).length > 0 ? { storage } : {}),
    };
  }
  return out;
}

function checkSupported(config: JsonObject): void {
  if (config.clique !== undefined) throw new GethGenesisError("clique (proof-of-authority) chains are not supported");
  const postMergeByTime = ["shanghaiTime", "cancunTime", "pragueTime", "osakaTime"].some(
    (k) => config[k] !== undefined,
  );
  const mergeBlock = config.mergeNetsplitBlock ?? config.mergeForkBlock;
  const ttd = optionalBigInt(config.terminalTotalDifficulty, "config.terminalTotalDifficulty");
  if (ttd !== undefined && ttd > 0n && mergeBlock === undefined && config.terminalTotalDifficultyPassed !== true) {
    throw new GethGenesisError(
      "a merge by terminal total difficulty alone is not supported: pin it with mergeNetsplitBlock",
    );
  }
  if (postMergeByTime && mergeBlock === undefined && ttd !== 0n && config.terminalTotalDifficultyPassed !== true) {
    throw new GethGenesisError(
      "timestamp forks need the merge block (mergeNetsplitBlock) or a chain merged at genesis",
    );
  }
}

/**
 * EthereumJS' geth parser writes a fork's blob schedule as `targetBlobGasPerBlock` /
 * `maxBlobGasPerBlock`, but from BPO1 on Common reads `target` / `max` (in blobs): without this,
 * a BPO fork keeps the library's built-in mainnet values or fails with "Missing parameter".
 */
function fixBpoBlobParams(custom: HardforksDict | undefined, schedule: JsonObject): void {
  if (custom === undefined) return;
  for (const [fork, entry] of Object.entries(schedule)) {
    if (!fork.startsWith("bpo") || custom[fork] === undefined) continue;
    const blob = asObject(entry, `config.blobSchedule.${fork}`);
    const hardfork = custom[fork] as HardforkConfig & { params?: Record<string, unknown> };
    hardfork.params = {
      ...hardfork.params,
      target: Number(toBigInt(blob.target, `${fork}.target`)),
      max: Number(toBigInt(blob.max, `${fork}.max`)),
    };
  }
}

/** Converts a parsed geth genesis.json; `customCrypto` (e.g. a KZG for blob transactions) goes into the Common. */
export function convertGethGenesis(json: unknown, customCrypto?: CustomCrypto): ConvertedGenesis {
  const root = asObject(json, "genesis");
  const config = asObject(root.config, "config");
  checkSupported(config);
  const chainId = toBigInt(config.chainId, "config.chainId");
  if (chainId > BigInt(Number.MAX_SAFE_INTEGER))
    throw new GethGenesisError(`chain id ${chainId} exceeds 2^53: EthereumJS keeps it as a number`);
  let common: Common;
  try {
    const params = parseGethGenesis(root as unknown as GethGenesis, `geth-genesis-${chainId}`) as ChainConfig & {
      hardfork?: string;
    };
    fixBpoBlobParams(params.customHardforks, asObject(config.blobSchedule ?? {}, "config.blobSchedule"));
    // Block parameters (blob gas per blob, …) are what header rules and fee quotes read.
    // The fast crypto every Common of the node carries (precompiles/crypto.ts), under the caller's.
    common = new Common({
      chain: params,
      hardfork: params.hardfork,
      customCrypto: { ...fastCrypto(), ...customCrypto },
      params: paramsBlock,
    });
  } catch (error) {
    throw new GethGenesisError((error as Error).message);
  }
  const timestamp = toBigInt(root.timestamp ?? 0, "timestamp");
  common.setHardforkBy({ blockNumber: 0n, timestamp });
  const genesis: GenesisConfig = {
    chainId,
    timestamp,
    gasLimit: toBigInt(root.gasLimit, "gasLimit"),
    ...(root.baseFeePerGas !== undefined && root.baseFeePerGas !== null
      ? { baseFeePerGas: toBigInt(root.baseFeePerGas, "baseFeePerGas") }
      : {}),
    coinbase: root.coinbase === undefined ? undefined : toHex(root.coinbase, "coinbase"),
    extraData: root.extraData === undefined ? undefined : toHex(root.extraData, "extraData"),
    alloc: allocation(root.alloc),
  };
  const difficulty = toBigInt(root.difficulty ?? 0, "difficulty");
  const nonce = toBigInt(root.nonce ?? 0, "nonce");
  const mixHash = root.mixHash === undefined ? new Uint8Array(32) : hexToBytes(toHex(root.mixHash, "mixHash"));
  const excessBlobGas = optionalBigInt(root.excessBlobGas, "excessBlobGas") ?? 0n;
  const blobGasUsed = optionalBigInt(root.blobGasUsed, "blobGasUsed") ?? 0n;

  const createGenesisBlock = (chainCommon: Common, stateRoot: Uint8Array): Block => {
    const at = chainCommon.copy();
    at.setHardforkBy({ blockNumber: 0n, timestamp });
    // Header fields exist from the fork that introduced them, as geth's Genesis.ToBlock does.
    const header = {
      number: 0n,
      timestamp,
      gasLimit: genesis.gasLimit,
      difficulty,
      nonce: hexToBytes(`0x${nonce.toString(16).padStart(16, "0")}`),
      mixHash,
      coinbase: createAddressFromString(genesis.coinbase ?? "0x0000000000000000000000000000000000000000"),
      extraData: genesis.extraData === undefined ? new Uint8Array() : hexToBytes(genesis.extraData),
      stateRoot,
      baseFeePerGas: at.isActivatedEIP(1559) ? (genesis.baseFeePerGas ?? DEFAULT_BASE_FEE) : undefined,
      withdrawalsRoot: at.isActivatedEIP(4895) ? KECCAK256_RLP : undefined,
      blobGasUsed: at.isActivatedEIP(4844) ? blobGasUsed : undefined,
      excessBlobGas: at.isActivatedEIP(4844) ? excessBlobGas : undefined,
      parentBeaconBlockRoot: at.isActivatedEIP(4788) ? new Uint8Array(32) : undefined,
      requestsHash: at.isActivatedEIP(7685) ? EMPTY_REQUESTS_HASH : undefined,
    };
    return createBlock({ header, withdrawals: at.isActivatedEIP(4895) ? [] : undefined }, { common: at });
  };
  return { common, genesis, createGenesisBlock };
}
