import type { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { MerkleStateManager } from "@ethereumjs/statemanager";
import type { Account, Address } from "@ethereumjs/util";

import { LazyHashTrie } from "./lazyHashTrie";

type ModifyTrie = (storageTrie: MerklePatriciaTrie, done: Function) => void;

/**
 * A MerkleStateManager whose storage writes propagate errors.
 *
 * Upstream `_modifyContractStorage` runs its work inside `new Promise(async …)`: when a trie
 * operation throws (a witness lacking a node, for instance) the rejection is unhandled and the
 * awaited write never settles, hanging the block. Here every failure rejects the write.
 */
export class SafeMerkleStateManager extends MerkleStateManager {
  protected override async _modifyContractStorage(
    address: Address,
    account: Account,
    modifyTrie: ModifyTrie,
  ): Promise<void> {
    const storageTrie = this._getStorageTrie(address, account);
    await new Promise<void>((resolve, reject) => {
      const done = async (): Promise<void> => {
        try {
          // `_getStorageTrie` already cached this trie; only the account's root needs updating.
          account.storageRoot = storageTrie.root();
          await this.putAccount(address, account);
          resolve();
        } catch (error) {
          reject(error);
        }
      };
      try {
        Promise.resolve(modifyTrie(storageTrie, done)).catch(reject);
      } catch (error) {
        reject(error);
      }
    });
  }

  /**
   * The real state root: a `LazyHashTrie` hashes what it wrote only now (its `root()` may be a
   * stand-in for a node not yet hashed).
   */
  override async getStateRoot(): Promise<Uint8Array> {
    const root = await super.getStateRoot();
    return this._trie instanceof LazyHashTrie ? this._trie.resolvedRoot() : root;
  }
}
