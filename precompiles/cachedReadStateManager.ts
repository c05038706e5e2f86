import type { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { type Account, type Address, bytesToUnprefixedHex, createAccountFromRLP, unpadBytes } from "@ethereumjs/util";

import { SafeMerkleStateManager } from "./stateManager";

/** The storage values of one account read or written through one storage trie object. */
interface StorageEntries {
  /** The trie upstream's `getStorage` reads this account's storage from (`_getStorageTrie`). */
  readonly trie: MerklePatriciaTrie;
  /** Slot (hex) → the value `getStorage` gives for it. */
  readonly values: Map<string, Uint8Array>;
}

/**
 * A `SafeMerkleStateManager` that answers a repeated account or storage read from memory
 * (write-through, docs/design/verifier-overheads.md).
 *
 * Every write still goes to the trie at once and in the same order as without this class: only
 * `getAccount` and `getStorage` may skip a trie read, and only for a key whose value this class
 * saw the trie give or take (a read or a write that succeeded) since the last revert or root
 * change. Such a read walks a path every node of which was read or written before, so it cannot
 * miss a witness node and answers what the trie holds: the verdict, the nodes the witness must
 * hold and the errors stay those of the uncached state manager.
 */
export class CachedReadStateManager extends SafeMerkleStateManager {
  /** Address (hex) → the account's RLP as the trie holds it, or null for an absent account. */
  private readonly accounts = new Map<string, Uint8Array | null>();
  /** Address (hex) → storage values, valid while upstream reads that account's storage from `trie`. */
  private readonly storage = new Map<string, StorageEntries>();

  override async getAccount(address: Address): Promise<Account | undefined> {
    const key = bytesToUnprefixedHex(address.bytes);
    const cached = this.accounts.get(key);
    // A fresh object per read, as the trie read gives: callers edit the account they get.
    if (cached !== undefined) return cached === null ? undefined : createAccountFromRLP(cached);
    const account = await super.getAccount(address);
    this.accounts.set(key, account === undefined ? null : account.serialize());
    return account;
  }

  override async putAccount(address: Address, account: Account | undefined): Promise<void> {
    const key = bytesToUnprefixedHex(address.bytes);
    // Serialized before the write: the caller may edit the object once it is written.
    const value = account === undefined ? null : account.serialize();
    await this.write(key, value, () => super.putAccount(address, account));
  }

  override async deleteAccount(address: Address): Promise<void> {
    await this.write(bytesToUnprefixedHex(address.bytes), null, () => super.deleteAccount(address));
  }

  override async getStorage(address: Address, key: Uint8Array): Promise<Uint8Array> {
    const addressKey = bytesToUnprefixedHex(address.bytes);
    const slot = bytesToUnprefixedHex(key);
    const entries = this.storage.get(addressKey);
    const cached = entries?.values.get(slot);
    if (entries !== undefined && cached !== undefined) {
      // Upstream's answer: nothing for an absent account, else what the account's storage trie
      // object holds. A value is kept only while that object is the one upstream would read.
      const account = await this.getAccount(address);
      if (account !== undefined && this._getStorageTrie(address, account) === entries.trie) return cached.slice();
    }
    const value = await super.getStorage(address, key);
    await this.remember(address, addressKey, slot, value);
    return value;
  }

  override async putStorage(address: Address, key: Uint8Array, value: Uint8Array): Promise<void> {
    const addressKey = bytesToUnprefixedHex(address.bytes);
    const slot = bytesToUnprefixedHex(key);
    this.storage.get(addressKey)?.values.delete(slot);
    await super.putStorage(address, key, value);
    // What upstream's getStorage decodes from the RLP of the unpadded value it wrote (or deleted).
    await this.remember(address, addressKey, slot, unpadBytes(value));
  }

  override async clearStorage(address: Address): Promise<void> {
    this.storage.delete(bytesToUnprefixedHex(address.bytes));
    await super.clearStorage(address);
    this.storage.delete(bytesToUnprefixedHex(address.bytes));
  }

  override async revert(): Promise<void> {
    try {
      await super.revert();
    } finally {
      this.clearReadCache();
    }
  }

  override async setStateRoot(stateRoot: Uint8Array, clearCache?: boolean): Promise<void> {
    this.clearReadCache();
    await super.setStateRoot(stateRoot, clearCache);
  }

  private clearReadCache(): void {
    this.accounts.clear();
    this.storage.clear();
  }

  /**
   * Keeps `value` for the slot, tied to the storage trie object upstream just read or wrote it
   * through (the account exists: its read is cached, so this reads no trie).
   */
  private async remember(address: Address, addressKey: string, slot: string, value: Uint8Array): Promise<void> {
    const account = await this.getAccount(address);
    if (account === undefined) return;
    const trie = this._getStorageTrie(address, account);
    let entries = this.storage.get(addressKey);
    if (entries === undefined || entries.trie !== trie) {
      entries = { trie, values: new Map() };
      this.storage.set(addressKey, entries);
    }
    entries.values.set(slot, value.slice());
  }

  /** Runs the trie write; the entry is `value` only once the write succeeded, and dropped if it failed. */
  private async write(key: string, value: Uint8Array | null, writeToTrie: () => Promise<void>): Promise<void> {
    this.accounts.delete(key);
    await writeToTrie();
    this.accounts.set(key, value);
  }
}
