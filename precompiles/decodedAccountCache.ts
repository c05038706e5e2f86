import { AccountCache } from "@ethereumjs/statemanager";
import { Account, type Address, bytesToUnprefixedHex } from "@ethereumjs/util";

/** An Account's own fields (the getters throw on a partial account's null fields; these do not). */
interface AccountFields {
  readonly _nonce: unknown;
  readonly _balance: unknown;
  readonly _storageRoot: unknown;
  readonly _codeHash: unknown;
}

const HASH_LENGTH = 32;

/**
 * True when `account.serialize()` cannot throw and `createAccountFromRLP` of it gives back the same
 * four values: nonce and balance non-negative bigints, storage root and code hash 32-byte arrays.
 * (A partial account, a negative or non-bigint number, a root of another length: upstream's own path.)
 */
function roundTripsExactly(account: Account): boolean {
  const { _nonce, _balance, _storageRoot, _codeHash } = account as unknown as AccountFields;
  return (
    typeof _nonce === "bigint" &&
    _nonce >= 0n &&
    typeof _balance === "bigint" &&
    _balance >= 0n &&
    _storageRoot instanceof Uint8Array &&
    _storageRoot.length === HASH_LENGTH &&
    _codeHash instanceof Uint8Array &&
    _codeHash.length === HASH_LENGTH
  );
}

/**
 * What `createAccountFromRLP(account.serialize())` gives for an account `roundTripsExactly` accepts:
 * a new `Account` of the same nonce, balance, storage root and code hash (fresh arrays), code size 0
 * and version 0 (the constructor's defaults, which `createAccountFromBytesArray` passes too).
 */
function decodedCopy(account: Account): Account {
  return new Account(account.nonce, account.balance, account.storageRoot.slice(), account.codeHash.slice());
}

/**
 * An account cache element that keeps the account decoded (a private copy nobody edits). Its RLP,
 * which upstream makes at every `put`, is made only when something reads `accountRLP` (the flush
 * at the state root, `ChangedEntriesStateManager`), once, from the same values.
 */
export class DecodedAccountElement {
  private rlp: Uint8Array | undefined;

  constructor(private readonly decoded: Account) {}

  get accountRLP(): Uint8Array {
    if (this.rlp === undefined) this.rlp = this.decoded.serialize();
    return this.rlp;
  }

  /** A fresh account, as upstream's `getAccount` decodes one from the RLP on every read: callers edit it. */
  account(): Account {
    return decodedCopy(this.decoded);
  }
}

/**
 * EthereumJS's `AccountCache` (ordered map) whose `put` of a full account stores it decoded
 * (`DecodedAccountElement`) instead of its RLP: a block's account reads and writes (≈ 8 reads and
 * 5 writes per transfer) no longer encode on every write and decode on every read
 * (docs/design/verifier-overheads.md, sixth round). Everything else is upstream's: the same
 * pre-state bookkeeping for checkpoints, the same map, the same flush order; a deletion, an absent
 * account, a partial account or one whose fields would not survive the RLP round trip unchanged
 * goes through upstream's `put`.
 */
export class DecodedAccountCache extends AccountCache {
  override put(address: Address, account: Account | undefined, couldBePartialAccount = false): void {
    const map = this._orderedMapCache;
    if (account === undefined || couldBePartialAccount || map === undefined || !roundTripsExactly(account)) {
      super.put(address, account, couldBePartialAccount);
      return;
    }
    const addressHex = bytesToUnprefixedHex(address.bytes);
    this._saveCachePreState(addressHex);
    // A copy: the caller may edit `account` once it is written, and upstream's RLP would not see it.
    map.setElement(addressHex, new DecodedAccountElement(decodedCopy(account)));
    this._stats.writes += 1;
  }
}
