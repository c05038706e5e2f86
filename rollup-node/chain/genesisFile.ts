// An L2 genesis as a file in go-ethereum's genesis.json format: what `rollup:genesis` writes and
// the node's `--genesis` reads. Only the shape an L2 can have is accepted: every fork active from
// genesis (a native L2 follows its L1's fork, EXECUTE applies one rule set), and the header fields
// our genesis block has, so a file either gives exactly the chain the rollup was deployed for or
// is refused with the field that differs. One rule may change after genesis: EXECUTE's write
// rules (`config.writeRules`, consensus-rules.md §5), scheduled by block number or timestamp.
import { readFile, writeFile } from "node:fs/promises";

import { Mainnet } from "@ethereumjs/common";

import type { WriteRuleStep, WriteRules } from "../../precompiles";
import { NodeError } from "../errors";
import { firstDuplicateKey, parseJsonOr } from "../jsonSyntax";
import {
  DEFAULT_BASE_FEE,
  DEFAULT_GAS_LIMIT,
  DEFAULT_HARDFORK,
  type GenesisAccount,
  type GenesisConfig,
  type Hex,
  ZERO_ADDRESS,
  checkGenesisWriteRules,
  genesisAlloc,
} from "./genesis";

/** geth's `config` keys of each EthereumJS fork (chainstart has none; the DAO's irregular change is never scheduled). */
const GETH_FORK_KEYS: Readonly<Record<string, readonly string[]>> = {
  homestead: ["homesteadBlock"],
  tangerineWhistle: ["eip150Block"],
  spuriousDragon: ["eip155Block", "eip158Block"],
  byzantium: ["byzantiumBlock"],
  constantinople: ["constantinopleBlock"],
  petersburg: ["petersburgBlock"],
  istanbul: ["istanbulBlock"],
  muirGlacier: ["muirGlacierBlock"],
  berlin: ["berlinBlock"],
  london: ["londonBlock"],
  arrowGlacier: ["arrowGlacierBlock"],
  grayGlacier: ["grayGlacierBlock"],
  // The merge at genesis: geth reads a terminal total difficulty of 0 as "merged from block 0".
  paris: ["terminalTotalDifficulty"],
  mergeNetsplitBlock: ["mergeNetsplitBlock"],
  shanghai: ["shanghaiTime"],
  cancun: ["cancunTime"],
  prague: ["pragueTime"],
  osaka: ["osakaTime"],
  bpo1: ["bpo1Time"],
  bpo2: ["bpo2Time"],
};

/**
 * EIP-7840 blob schedule entries geth requires from Cancun on. Informational for an L2: EXECUTE
 * rejects blob transactions, so no L2 block ever carries blob gas.
 */
const BLOB_SCHEDULE: Readonly<Record<string, { target: number; max: number; baseFeeUpdateFraction: number }>> = {
  cancun: { target: 3, max: 6, baseFeeUpdateFraction: 3_338_477 },
  prague: { target: 6, max: 9, baseFeeUpdateFraction: 5_007_716 },
  osaka: { target: 6, max: 9, baseFeeUpdateFraction: 5_007_716 },
  bpo1: { target: 10, max: 15, baseFeeUpdateFraction: 8_346_193 },
  bpo2: { target: 14, max: 21, baseFeeUpdateFraction: 11_684_671 },
};

const ZERO_HASH: Hex = `0x${"00".repeat(32)}`;

/** The genesis file is not one this node can run (or cannot be read). */
export class GenesisFileError extends NodeError {
  constructor(message: string, hint: string) {
    super("GENESIS_FILE", message, hint);
  }
}

/** The forks of Mainnet in order, without the DAO's irregular state change. */
function forksInOrder(): string[] {
  return Mainnet.hardforks.map((f) => f.name).filter((name) => name !== "dao");
}

const hex = (value: bigint): string => `0x${value.toString(16)}`;

/** A JSON number when it is one exactly, else a 0x-hex string (`quantity` reads both). */
const jsonQuantity = (value: bigint): number | string =>
  value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : hex(value);

/** `config.writeRules` as JSON: the rule's name, or `[{ rule, block | timestamp }, …]`. */
function writeRulesJson(rules: WriteRules): unknown {
  if (typeof rules === "string") return rules;
  return rules.map((step) =>
    "block" in step
      ? { rule: step.rule, block: jsonQuantity(step.block) }
      : { rule: step.rule, timestamp: jsonQuantity(step.timestamp) },
  );
}

/** `config.writeRules` of a genesis file, checked as the chain checks it (`checkGenesisWriteRules`). */
function writeRulesOf(value: unknown): WriteRules {
  const hint = 'write "per-block", or [{ "rule": "write-through", "block": 0 }, { "rule": "per-block", "block": N }]';
  if (typeof value === "string") return checkWriteRulesFile(value as WriteRules);
  if (!Array.isArray(value))
    throw new GenesisFileError("config.writeRules: expected a rule name or a list of steps", hint);
  const steps = value.map((raw, index): WriteRuleStep => {
    const step = object(raw, `config.writeRules[${index}]`);
    const rule = step.rule as WriteRuleStep["rule"];
    if (step.block !== undefined && step.timestamp !== undefined)
      throw new GenesisFileError(`config.writeRules[${index}] has both block and timestamp`, hint);
    if (step.block !== undefined) return { rule, block: quantity(step.block, `config.writeRules[${index}].block`) };
    if (step.timestamp !== undefined)
      return { rule, timestamp: quantity(step.timestamp, `config.writeRules[${index}].timestamp`) };
    throw new GenesisFileError(`config.writeRules[${index}] has neither block nor timestamp`, hint);
  });
  return checkWriteRulesFile(steps);
}

function checkWriteRulesFile(rules: WriteRules): WriteRules {
  try {
    return checkGenesisWriteRules(rules);
  } catch (error) {
    throw new GenesisFileError(`config.writeRules: ${(error as Error).message}`, (error as NodeError).hint);
  }
}

/** geth's JSON of `config`: every fork up to its hardfork at 0, the fork's system contracts in alloc. */
export function toGethGenesis(config: GenesisConfig): Record<string, unknown> {
  const hardfork = config.hardfork ?? DEFAULT_HARDFORK;
  const forks = forksInOrder();
  const last = forks.indexOf(hardfork);
  if (last === -1)
    throw new GenesisFileError(
      `unknown hardfork "${hardfork}"`,
      "use a fork name known to @ethereumjs/common, e.g. osaka",
    );
  const chainConfig: Record<string, unknown> = { chainId: Number(config.chainId) };
  const blobSchedule: Record<string, unknown> = {};
  for (const fork of forks.slice(0, last + 1)) {
    for (const key of GETH_FORK_KEYS[fork] ?? []) chainConfig[key] = 0;
    const blobs = BLOB_SCHEDULE[fork];
    if (blobs !== undefined) blobSchedule[fork] = blobs;
  }
  if (Object.keys(blobSchedule).length > 0) chainConfig.blobSchedule = blobSchedule;
  if (config.writeRules !== undefined) chainConfig.writeRules = writeRulesJson(config.writeRules);
  const alloc: Record<string, Record<string, unknown>> = {};
  // Written out in full, system contracts included: the file alone states the genesis state.
  for (const [address, account] of Object.entries(genesisAlloc(config))) {
    alloc[address] = {
      balance: hex(account.balance ?? 0n),
      ...(account.nonce !== undefined && account.nonce !== 0n ? { nonce: hex(account.nonce) } : {}),
      ...(account.code !== undefined && account.code !== "0x" ? { code: account.code } : {}),
      ...(account.storage !== undefined && Object.keys(account.storage).length > 0 ? { storage: account.storage } : {}),
    };
  }
  return {
    config: chainConfig,
    nonce: "0x0",
    timestamp: hex(config.timestamp),
    extraData: config.extraData ?? "0x",
    gasLimit: hex(config.gasLimit ?? DEFAULT_GAS_LIMIT),
    difficulty: "0x0",
    mixHash: ZERO_HASH,
    coinbase: config.coinbase ?? ZERO_ADDRESS,
    alloc,
    number: "0x0",
    gasUsed: "0x0",
    parentHash: ZERO_HASH,
    baseFeePerGas: hex(config.baseFeePerGas ?? DEFAULT_BASE_FEE),
    excessBlobGas: "0x0",
    blobGasUsed: "0x0",
  };
}

type Json = Record<string, unknown>;

function object(value: unknown, field: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new GenesisFileError(
      `${field}: expected an object`,
      "write the genesis in geth's genesis.json format (npx hardhat rollup:genesis)",
    );
  return value as Json;
}

function quantity(value: unknown, field: string): bigint {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === "string" && /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(value)) return BigInt(value);
  // A balance in wei as a bare JSON number: JSON.parse has already rounded it to a double.
  if (typeof value === "number" && Number.isInteger(value) && value > Number.MAX_SAFE_INTEGER)
    throw new GenesisFileError(
      `${field}: ${BigInt(value)} is a JSON number above 2^53 - 1, which JSON readers round: write it as a string, "${BigInt(value)}" or 0x-hex`,
      "write large numbers (balances in wei) as decimal or 0x-hex strings",
    );
  if (typeof value === "number")
    throw new GenesisFileError(
      `${field}: expected a whole number of at least 0, got ${value}`,
      "write numbers as 0x-hex or decimal strings (or JSON numbers below 2^53)",
    );
  throw new GenesisFileError(
    `${field}: expected a number, got ${JSON.stringify(value)}`,
    "write numbers as 0x-hex or decimal strings (or JSON numbers below 2^53)",
  );
}

function hexData(value: unknown, field: string): Hex {
  if (typeof value !== "string" || !/^0x([0-9a-fA-F]{2})*$/.test(value))
    throw new GenesisFileError(
      `${field}: expected 0x-prefixed hex bytes, got ${JSON.stringify(value)}`,
      "write bytes as 0x-hex",
    );
  return value.toLowerCase() as Hex;
}

/** Why an alloc key is no address: its length, or that it is not hex. */
function notAddressReason(address: string): string {
  const digits = address.startsWith("0x") ? address.slice(2) : address;
  return /^[0-9a-fA-F]*$/.test(digits) ? `${digits.length} hex digits, an address has 40` : "not hex";
}

/** The hardfork a config schedules, refusing any fork not active from genesis. */
function hardforkOf(chainConfig: Json): string {
  let hardfork = "chainstart";
  let ended: string | undefined;
  for (const fork of forksInOrder()) {
    const keys = GETH_FORK_KEYS[fork] ?? [];
    if (keys.length === 0) continue;
    const present = keys.filter((k) => chainConfig[k] !== undefined && chainConfig[k] !== null);
    if (present.length === 0) {
      ended ??= fork;
      continue;
    }
    if (ended !== undefined)
      throw new GenesisFileError(
        `config: ${present[0]} is set but ${ended} is not`,
        "forks activate in order: set every earlier fork at 0",
      );
    if (present.length !== keys.length)
      throw new GenesisFileError(`config: ${fork} needs ${keys.join(" and ")}`, `set ${keys.join(" and ")} to 0`);
    for (const key of keys) {
      if (quantity(chainConfig[key], `config.${key}`) !== 0n) {
        throw new GenesisFileError(
          `config.${key} is ${String(chainConfig[key])}: an L2 has every fork active from genesis`,
          "a native L2 follows its L1's fork: set it to 0 (EXECUTE applies one rule set to every L2 block)",
        );
      }
    }
    hardfork = fork;
  }
  return hardfork;
}

/** Header fields our genesis block always has: a file that sets them otherwise would be another chain. */
const FIXED_ZERO_FIELDS = ["nonce", "difficulty", "number", "gasUsed", "excessBlobGas", "blobGasUsed"] as const;

/** The GenesisConfig of a geth genesis.json (as parsed JSON), refusing what our genesis cannot be. */
export function fromGethGenesis(json: unknown): GenesisConfig {
  const root = object(json, "genesis");
  const chainConfig = object(root.config, "config");
  if (chainConfig.clique !== undefined)
    throw new GenesisFileError("config.clique: a proof-of-authority genesis is not an L2 genesis", "remove clique");
  const chainId = quantity(chainConfig.chainId, "config.chainId");
  const hardfork = hardforkOf(chainConfig);
  for (const field of FIXED_ZERO_FIELDS) {
    if (root[field] !== undefined && quantity(root[field], field) !== 0n)
      throw new GenesisFileError(
        `${field} is ${String(root[field])}, must be 0 in an L2 genesis`,
        `set ${field} to 0x0`,
      );
  }
  for (const field of ["mixHash", "parentHash"] as const) {
    if (root[field] !== undefined && BigInt(hexData(root[field], field)) !== 0n)
      throw new GenesisFileError(`${field} must be zero in an L2 genesis`, `set ${field} to 0x00…00`);
  }
  const alloc: Record<string, GenesisAccount> = {};
  // Each account's spelling in the file: a checksummed and a lower-case key are one account.
  const spelled = new Map<string, string>();
  for (const [address, raw] of Object.entries(object(root.alloc ?? {}, "alloc"))) {
    const account = object(raw, `alloc.${address}`);
    const key = (address.startsWith("0x") ? address : `0x${address}`).toLowerCase();
    if (!/^0x[0-9a-f]{40}$/.test(key))
      throw new GenesisFileError(
        `alloc: ${address} is not an address (${notAddressReason(address)})`,
        "key alloc by 20-byte hex addresses",
      );
    const other = spelled.get(key);
    if (other !== undefined)
      throw new GenesisFileError(
        `alloc: ${address} and ${other} are the same account`,
        "list each account once: merge its balance, nonce, code and storage into one entry",
      );
    spelled.set(key, address);
    const storage: Record<string, Hex> = {};
    for (const [slot, word] of Object.entries(object(account.storage ?? {}, `alloc.${address}.storage`)))
      storage[hexData(slot, `alloc.${address}.storage key`)] = hexData(word, `alloc.${address}.storage[${slot}]`);
    alloc[key] = {
      balance: account.balance === undefined ? 0n : quantity(account.balance, `alloc.${address}.balance`),
      nonce: account.nonce === undefined ? 0n : quantity(account.nonce, `alloc.${address}.nonce`),
      ...(account.code === undefined ? {} : { code: hexData(account.code, `alloc.${address}.code`) }),
      ...(Object.keys(storage).length > 0 ? { storage } : {}),
    };
  }
  return {
    chainId,
    hardfork,
    gasLimit: quantity(root.gasLimit, "gasLimit"),
    baseFeePerGas: root.baseFeePerGas === undefined ? DEFAULT_BASE_FEE : quantity(root.baseFeePerGas, "baseFeePerGas"),
    timestamp: root.timestamp === undefined ? 0n : quantity(root.timestamp, "timestamp"),
    coinbase: root.coinbase === undefined ? ZERO_ADDRESS : hexData(root.coinbase, "coinbase"),
    extraData: root.extraData === undefined ? "0x" : hexData(root.extraData, "extraData"),
    alloc,
    ...(chainConfig.writeRules === undefined ? {} : { writeRules: writeRulesOf(chainConfig.writeRules) }),
  };
}

/** Writes `config` to `file` in geth's genesis.json format. */
export async function writeGenesisFile(file: string, config: GenesisConfig): Promise<void> {
  await writeFile(file, `${JSON.stringify(toGethGenesis(config), null, 2)}\n`);
}

/** Reads a geth genesis.json written by `writeGenesisFile` (or by hand, in the same shape). */
export async function readGenesisFile(file: string): Promise<GenesisConfig> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new GenesisFileError(
      `cannot read the genesis file ${file}: ${(error as Error).message}`,
      "write it with npx hardhat rollup:genesis --out FILE",
    );
  }
  const json = parseJsonOr(
    text,
    (description) =>
      new GenesisFileError(
        `${file} is not JSON: ${description}`,
        "fix it there (a comma after the last item of an object or array is the usual slip), or write it with npx hardhat rollup:genesis --out FILE",
      ),
  );
  // JSON.parse keeps the last of two equal keys: an account copied twice would silently take the
  // second entry's balance.
  const duplicate = firstDuplicateKey(text);
  if (duplicate !== undefined)
    throw new GenesisFileError(
      `${file}: ${[...duplicate.path, ""].join(".").replace(/\.$/, ":")} ${duplicate.key} is listed twice, at lines ${duplicate.firstLine} and ${duplicate.line} (JSON would keep only the second)`,
      "list each key once: merge the two entries into one",
    );
  try {
    return fromGethGenesis(json);
  } catch (error) {
    // The field's own message and hint, with the file it is in: a node reads more than one file.
    if (error instanceof GenesisFileError) throw new GenesisFileError(`${file}: ${error.message}`, error.hint);
    throw error;
  }
}
