// The one place keys are loaded: from environment variables, encrypted JSON keystores, or
// Hardhat's network `accounts`, with the public dev mnemonic allowed on the devnet only.
// A loaded key is a `SecretKey`: printing, logging or JSON-encoding it shows only its address.
import { readFile } from "node:fs/promises";
import { inspect } from "node:util";

import { HDNodeWallet, Wallet, isHexString } from "ethers";

import { DEV_DERIVATION_PATH, DEV_MNEMONIC, deriveDevAccounts } from "../chain/devAccounts";
import { NodeError } from "../errors";
import { plural } from "../logger";
import { devNodeKeys } from "./keys";

/**
 * Who signs: each role has its own key so nonces never race and a leak loses one role. `user` is
 * the account the cross-domain tasks (rollup:deposit, rollup:withdraw, …) act for.
 */
export type KeyRole = "deployer" | "sequencer" | "relayer" | "challenger" | "attester" | "user";

export const KEY_ROLES: readonly KeyRole[] = ["deployer", "sequencer", "relayer", "challenger", "attester", "user"];

/**
 * Where a key came from, and how logs and banners name it instead of the key: the role's
 * environment variable, its keystore, the network's `accounts` in hardhat.config.ts, the public
 * dev mnemonic, or the key a devnet keeps in its deployment record (its own relayer, not the
 * mnemonic's).
 */
export const KEY_SOURCES = {
  env: "env",
  keystore: "keystore",
  hardhat: "hardhat",
  dev: "dev",
  deployment: "the deployment record",
} as const;

export type KeySource = keyof typeof KEY_SOURCES;

/** How a log line names a key's source: `(key from <this>)`. */
export function describeKeySource(source: KeySource): string {
  return KEY_SOURCES[source];
}

/**
 * The environment variables of a role, e.g. for the sequencer: NATIVE_ROLLUP_SEQUENCER_KEY (a hex
 * private key), or NATIVE_ROLLUP_SEQUENCER_KEYSTORE (an encrypted JSON keystore's path) with its
 * password in NATIVE_ROLLUP_SEQUENCER_KEYSTORE_PASSWORD or in the file named by
 * NATIVE_ROLLUP_SEQUENCER_KEYSTORE_PASSWORD_FILE.
 */
export function keyEnvNames(role: KeyRole): {
  readonly key: string;
  readonly keystore: string;
  readonly password: string;
  readonly passwordFile: string;
} {
  const base = `NATIVE_ROLLUP_${role.toUpperCase()}`;
  return {
    key: `${base}_KEY`,
    keystore: `${base}_KEYSTORE`,
    password: `${base}_KEYSTORE_PASSWORD`,
    passwordFile: `${base}_KEYSTORE_PASSWORD_FILE`,
  };
}

/** Chain ids on which the public dev keys may sign without `--dev`: the framework's L1 devnet. */
export const DEV_L1_CHAIN_IDS: readonly bigint[] = [1337n];

/** How many accounts of the dev mnemonic count as dev keys (the devnet uses #0–#12). */
const DEV_ACCOUNTS_CHECKED = 20;

/** A key cannot be loaded, or may not be used where it was asked for. */
export class KeyError extends NodeError {}

/** A private key that never prints itself: `String`, `JSON.stringify` and `console.log` show the address. */
export class SecretKey {
  readonly #privateKey: `0x${string}`;

  constructor(
    privateKey: string,
    readonly role: KeyRole,
    readonly source: KeySource,
  ) {
    if (!isHexString(privateKey, 32))
      throw new KeyError(
        "KEY_MALFORMED",
        `the ${role} key is not a 32-byte hex private key`,
        `set ${keyEnvNames(role).key} to 0x followed by 64 hex digits`,
      );
    try {
      this.address = new Wallet(privateKey).address;
    } catch {
      throw new KeyError(
        "KEY_MALFORMED",
        `the ${role} key is not a valid secp256k1 private key`,
        "generate one with ethers' Wallet.createRandom()",
      );
    }
    this.#privateKey = privateKey.toLowerCase() as `0x${string}`;
  }

  readonly address: string;

  /** The private key itself, for a signer; never log what this returns. */
  reveal(): `0x${string}` {
    return this.#privateKey;
  }

  /** True when the key is one of the public dev mnemonic's (anyone can sign with it). */
  get isDevKey(): boolean {
    return devAddresses().has(this.address);
  }

  toString(): string {
    return `${this.role} key ${this.address} (${describeKeySource(this.source)})`;
  }

  toJSON(): { role: KeyRole; address: string; source: KeySource } {
    return { role: this.role, address: this.address, source: this.source };
  }

  [inspect.custom](): string {
    return `SecretKey(${this.toString()})`;
  }
}

let devAddressSet: Set<string> | undefined;
function devAddresses(): Set<string> {
  devAddressSet ??= new Set(deriveDevAccounts(DEV_ACCOUNTS_CHECKED).map((a) => a.address));
  return devAddressSet;
}

export interface KeyLoadOptions {
  /** The environment to read (process.env by default; tests pass their own). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** A keystore file given explicitly (a config file's `keystores`); wins over the environment's. */
  readonly keystoreFile?: string;
}

async function readPassword(role: KeyRole, env: Readonly<Record<string, string | undefined>>): Promise<string> {
  const names = keyEnvNames(role);
  const inline = env[names.password];
  const file = env[names.passwordFile];
  if (inline !== undefined && file !== undefined)
    throw new KeyError(
      "KEY_AMBIGUOUS",
      `both ${names.password} and ${names.passwordFile} are set`,
      "set only one of them",
    );
  if (inline !== undefined) return inline;
  if (file !== undefined) {
    try {
      // A trailing newline is the editor's, not the password's.
      return (await readFile(file, "utf8")).replace(/\r?\n$/, "");
    } catch (error) {
      throw new KeyError(
        "KEYSTORE_PASSWORD_UNREADABLE",
        `cannot read the ${role} keystore password file ${file}: ${(error as Error).message}`,
        `check ${names.passwordFile}`,
      );
    }
  }
  throw new KeyError(
    "KEYSTORE_PASSWORD_MISSING",
    `the ${role} keystore needs a password`,
    `set ${names.password}, or ${names.passwordFile} to a file holding it`,
  );
}

/** Decrypts an encrypted JSON keystore (ethers' `Wallet.fromEncryptedJson`). */
export async function loadKeystore(role: KeyRole, file: string, password: string): Promise<SecretKey> {
  let json: string;
  try {
    json = await readFile(file, "utf8");
  } catch (error) {
    throw new KeyError(
      "KEYSTORE_UNREADABLE",
      `cannot read the ${role} keystore ${file}: ${(error as Error).message}`,
      "check the path",
    );
  }
  let wallet: Wallet | HDNodeWallet;
  try {
    wallet = await Wallet.fromEncryptedJson(json, password);
  } catch (error) {
    throw new KeyError(
      "KEYSTORE_DECRYPT_FAILED",
      `cannot decrypt the ${role} keystore ${file}: ${(error as Error).message}`,
      "check its password; the file must be an encrypted JSON keystore (ethers' wallet.encrypt, geth, clef)",
    );
  }
  return new SecretKey(wallet.privateKey, role, "keystore");
}

/**
 * The key of `role` from the environment or a keystore; undefined when none is configured (the
 * caller decides whether a dev key may stand in). Refuses two sources at once: which one signs
 * must never be a guess.
 */
export async function loadRoleKey(role: KeyRole, options: KeyLoadOptions = {}): Promise<SecretKey | undefined> {
  const env = options.env ?? process.env;
  const names = keyEnvNames(role);
  const inline = env[names.key];
  const keystore = options.keystoreFile ?? env[names.keystore];
  if (inline !== undefined && keystore !== undefined) {
    throw new KeyError(
      "KEY_AMBIGUOUS",
      `the ${role} key is given twice: ${names.key} and a keystore (${keystore})`,
      `keep one: unset ${names.key} or the keystore`,
    );
  }
  if (inline !== undefined) return new SecretKey(inline.trim(), role, "env");
  if (keystore !== undefined) return loadKeystore(role, keystore, await readPassword(role, env));
  return undefined;
}

/** True when the public dev keys may sign on this L1: the framework's devnet, or anywhere with `--dev`. */
export function devKeysAllowed(l1ChainId: bigint, dev: boolean): boolean {
  return dev || DEV_L1_CHAIN_IDS.includes(l1ChainId);
}

/**
 * Refuses a public dev key on an L1 other than the devnet unless `dev` was given: anyone can
 * sign with those keys, so on a real network they would lose the role (and its funds) at once.
 */
export function assertKeyAllowed(key: SecretKey, l1ChainId: bigint, dev: boolean): void {
  if (key.isDevKey && !devKeysAllowed(l1ChainId, dev)) {
    throw new KeyError(
      "DEV_KEY_REFUSED",
      `the ${key.role} key ${key.address} is a public dev key (test mnemonic), refused on L1 chain ${l1ChainId}`,
      `give the ${key.role} its own key (${keyEnvNames(key.role).key} or ${keyEnvNames(key.role).keystore}), or pass --dev if this L1 is a throw-away chain`,
    );
  }
}

/**
 * The key of `role`: configured (environment or keystore), else `devFallback` where dev keys are
 * allowed (from `devFallbackSource`: the dev mnemonic unless said otherwise); refused when it is a
 * dev key on another L1 without `dev`, and missing otherwise.
 */
export async function resolveRoleKey(
  role: KeyRole,
  context: {
    readonly l1ChainId: bigint;
    readonly dev: boolean;
    readonly devFallback?: string;
    readonly devFallbackSource?: KeySource;
  },
  options: KeyLoadOptions = {},
): Promise<SecretKey> {
  const configured = await loadRoleKey(role, options);
  if (configured !== undefined) {
    assertKeyAllowed(configured, context.l1ChainId, context.dev);
    return configured;
  }
  if (context.devFallback !== undefined && devKeysAllowed(context.l1ChainId, context.dev))
    return new SecretKey(context.devFallback, role, context.devFallbackSource ?? "dev");
  const names = keyEnvNames(role);
  throw new KeyError(
    "KEY_MISSING",
    `no ${role} key configured for L1 chain ${context.l1ChainId}`,
    `set ${names.key}, or ${names.keystore} with ${names.password} or ${names.passwordFile}`,
  );
}

/** Hardhat's resolved `accounts` of a network (structurally: this module does not load Hardhat). */
export type HardhatAccounts =
  | "remote"
  | readonly (string | { readonly privateKey: string })[]
  | { readonly mnemonic: string; readonly path?: string; readonly initialIndex?: number; readonly passphrase?: string };

/** Account `index` of a Hardhat network's `accounts` (a private key list or an HD mnemonic). */
export function keyFromHardhatAccounts(role: KeyRole, accounts: HardhatAccounts, index = 0): SecretKey {
  if (accounts === "remote") {
    throw new KeyError(
      "KEY_MISSING",
      `the network's accounts are "remote": no ${role} key to sign with here`,
      `list the key in the network's accounts (e.g. accounts: [process.env.${keyEnvNames(role).key}]) or set ${keyEnvNames(role).key}`,
    );
  }
  if (Array.isArray(accounts)) {
    const entry = (accounts as readonly (string | { readonly privateKey: string })[])[index];
    if (entry === undefined)
      throw new KeyError(
        "KEY_MISSING",
        `the network lists ${plural(accounts.length, "account")}, none at index ${index}`,
        "add the key to the network's accounts",
      );
    return new SecretKey(typeof entry === "string" ? entry : entry.privateKey, role, "hardhat");
  }
  const hd = accounts as {
    readonly mnemonic: string;
    readonly path?: string;
    readonly initialIndex?: number;
    readonly passphrase?: string;
  };
  const child = HDNodeWallet.fromPhrase(
    hd.mnemonic,
    hd.passphrase === "" ? undefined : hd.passphrase,
    `${hd.path ?? DEV_DERIVATION_PATH}/${(hd.initialIndex ?? 0) + index}`,
  );
  return new SecretKey(child.privateKey, role, hd.mnemonic.trim() === DEV_MNEMONIC ? "dev" : "hardhat");
}

/**
 * The key a task signs with for the user: NATIVE_ROLLUP_USER_KEY (or _KEYSTORE) if set, else
 * account `index` of the L1 network's Hardhat `accounts` (the dev mnemonic by default), refused
 * when it is a dev key on an L1 other than the devnet's without `dev`.
 */
export async function taskSigningKey(
  accounts: HardhatAccounts,
  l1ChainId: bigint,
  options: {
    readonly index: number;
    readonly dev: boolean;
    readonly env?: Readonly<Record<string, string | undefined>>;
  },
): Promise<SecretKey> {
  const key =
    (await loadRoleKey("user", { env: options.env })) ?? keyFromHardhatAccounts("user", accounts, options.index);
  assertKeyAllowed(key, l1ChainId, options.dev);
  return key;
}

/**
 * The relayer an L2 genesis funds: `given` (--relayer), else the address of the configured relayer
 * key (NATIVE_ROLLUP_RELAYER_KEY or _KEYSTORE) — the one the node will relay with —, else with
 * `dev` the dev node's relayer, which the node command falls back to; undefined when none applies.
 * `rollup:genesis` and `rollup:deploy` both ask here, so their genesis funds the node's relayer.
 */
export async function genesisRelayerAddress(
  given: string | undefined,
  dev: boolean,
  options: KeyLoadOptions = {},
): Promise<string | undefined> {
  if (given !== undefined) return given;
  return (await loadRoleKey("relayer", options))?.address ?? (dev ? devNodeKeys().relayer.address : undefined);
}

/** The 32 bytes of a key as an attester's Baby Jubjub private key seed. */
export function attesterKeyBytes(key: SecretKey): Uint8Array {
  return Uint8Array.from(Buffer.from(key.reveal().slice(2), "hex"));
}
