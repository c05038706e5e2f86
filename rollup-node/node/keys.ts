import { Wallet } from "ethers";

import { type DevAccount, deriveDevAccounts } from "../chain/devAccounts";

/** Index (in the dev mnemonic) of the L1 account that submits L2 blocks: after the ten user accounts. */
export const SEQUENCER_ACCOUNT_INDEX = 10;
/** Index of the L2 account that relays L1 → L2 messages. */
export const RELAYER_ACCOUNT_INDEX = 11;
/** Index of the L1 account that challenges invalid proposals (optimistic mode). */
export const CHALLENGER_ACCOUNT_INDEX = 12;

/** The keys the rollup node signs with; kept apart from the user accounts so nonces never collide. */
export interface NodeKeys {
  /** Signs `advance` on L1; the rollup contract's SEQUENCER. */
  readonly sequencer: DevAccount;
  /** Signs the relay transactions on L2; funded in the L2 genesis. */
  readonly relayer: DevAccount;
  /** Sends challenges on L1 (optimistic mode); its own account so its nonces never race the submitter's. */
  readonly challenger?: DevAccount;
}

/** The node's dev keys from the public test mnemonic (never use them outside a devnet). */
export function devNodeKeys(balance?: bigint): NodeKeys {
  const accounts = deriveDevAccounts(CHALLENGER_ACCOUNT_INDEX + 1, balance);
  return {
    sequencer: accounts[SEQUENCER_ACCOUNT_INDEX] as DevAccount,
    relayer: accounts[RELAYER_ACCOUNT_INDEX] as DevAccount,
    challenger: accounts[CHALLENGER_ACCOUNT_INDEX] as DevAccount,
  };
}

/**
 * The relayer account of `privateKey` (a fresh random key when absent): a node's own relayer, which
 * nobody who knows the public dev mnemonic can drain. L2Bridge pays relays back at the base fee,
 * so its genesis balance is a float that relaying does not use up.
 */
export function nodeRelayer(balance: bigint, privateKey?: `0x${string}`): DevAccount {
  const wallet = privateKey === undefined ? Wallet.createRandom() : new Wallet(privateKey);
  return { address: wallet.address, privateKey: wallet.privateKey as `0x${string}`, balance };
}

/**
 * The relayer a node of `deployment` relays with when no relayer key is configured (a configured
 * NATIVE_ROLLUP_RELAYER_KEY or keystore wins): the devnet's own key, kept in its record, else the
 * dev node's (`devNodeKeys().relayer`, the dev mnemonic's account 11) — the one `rollup:genesis
 * --dev` and `rollup:deploy` fund when given no relayer. The devnet, its banner and the node
 * command all take it from here, so they name the same account.
 */
export function recordedRelayer(
  deployment: { readonly relayerKey?: `0x${string}` } | undefined,
  balance: bigint,
): DevAccount {
  return deployment?.relayerKey === undefined
    ? (devNodeKeys(balance).relayer as DevAccount)
    : nodeRelayer(balance, deployment.relayerKey);
}

/** True when `address` is the dev node's relayer (the public dev mnemonic's), not a key of its own. */
export function isDevRelayer(address: string): boolean {
  return address.toLowerCase() === devNodeKeys().relayer.address.toLowerCase();
}
