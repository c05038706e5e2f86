import type { Block } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import type { EVMMockBlockchainInterface } from "@ethereumjs/evm";
import type { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { type AccountCache, CacheType, Caches, type StorageCache } from "@ethereumjs/statemanager";
import {
  type Account,
  type Address,
  type DB,
  EthereumJSErrorWithoutCode,
  ValueEncoding,
  bytesToUnprefixedHex,
  createAccountFromRLP,
  createAddressFromString,
  equalsBytes,
  hexToBytes,
  unpadBytes,
} from "@ethereumjs/util";
import { type RunBlockResult, type VM, createVM, runBlock } from "@ethereumjs/vm";

import { evmOptions } from "./bls";
import { type BlockRunOptions, canRunWithoutRunBlock, runVerifierBlock } from "./blockRunner";
import { CachedReadStateManager } from "./cachedReadStateManager";
import { keccak256 } from "./crypto";
import { DecodedAccountCache, DecodedAccountElement } from "./decodedAccountCache";
import { DEFAULT_VERIFIER_WRITES, type VerifierWrites, type WriteRules, writeRuleAt } from "./forkSchedule";
import { DecodedNodeTrie } from "./decodedNodeTrie";
import { SafeMerkleStateManager } from "./stateManager";
import type { StoredValue } from "./witness";
import { RecordingDB } from "./witnessRecorder";

/** `size` is an LRU's: an ORDERED_MAP ignores it (0 would disable the cache). */
const ORDERED_MAP_SIZE = 1;

export interface BufferedStateManagerOptions {
  readonly trie: MerklePatriciaTrie;
  readonly common: Common;
  /**
   * Keep cached accounts decoded (`DecodedAccountCache`) instead of as RLP; true when absent. False is
   * upstream's `AccountCache`: the same accounts, roots, reads and errors either way
   * (test/precompiles/decodedAccountCache.test.ts), so it exists only for a same-run benchmark baseline
   * and that differential test.
   */
  readonly decodedAccounts?: boolean;
}

/**
 * `SafeMerkleStateManager` with EthereumJS's account, storage and code caches that never flush
 * before the state root is read.
 *
 * runBlock holds one checkpoint around the whole block (EthereumJS 10.1.3 runBlock.ts: checkpoint,
 * applyBlock with its system calls and transactions, requests, `getStateRoot()`, commit), so the
 * caches already gather the block's writes and `getStateRoot()` flushes them at depth 1. Upstream
 * `commit()`/`revert()` flush once more when the depth returns to 0: after the root, writing back
 * what was cached before the block's checkpoint (none: `execute()` clears the system-contract reads
 * it makes before runBlock, which a witness recorder does not make). That flush is dropped here, so the only trie
 * writes of a verification are those of the one flush inside `getStateRoot()`, in both the
 * verifier and the recorder. EIP-2200's original values stay per transaction: runTx clears
 * `originalStorageCache` after every transaction, and so does a return to depth 0 here.
 *
 * The caches are ORDERED_MAPs: they never evict (an LRU would drop a dirty entry and lose the write).
 * Their size is bounded by what gas pays for: every entry is an account, slot or code a transaction
 * touched (at least a warm access, ≥ 100 gas, a cold one 2,100–2,600), for the one block verified.
 */
export class BlockBufferedStateManager extends SafeMerkleStateManager {
  constructor(opts: BufferedStateManagerOptions) {
    const caches = new Caches({
      account: { type: CacheType.ORDERED_MAP, size: ORDERED_MAP_SIZE },
      storage: { type: CacheType.ORDERED_MAP, size: ORDERED_MAP_SIZE },
      code: { type: CacheType.ORDERED_MAP, size: ORDERED_MAP_SIZE },
    });
    if (opts.decodedAccounts !== false)
      caches.account = new DecodedAccountCache({ type: CacheType.ORDERED_MAP, size: ORDERED_MAP_SIZE });
    super({ trie: opts.trie, common: opts.common, caches });
  }

  /**
   * Upstream's `getAccount`, without the RLP decoding of an account the cache holds decoded
   * (`DecodedAccountCache`): the same fresh `Account` `createAccountFromRLP` would give.
   */
  override async getAccount(address: Address): Promise<Account | undefined> {
    const cached = this._caches?.account?.get(address);
    if (cached instanceof DecodedAccountElement) return cached.account();
    return super.getAccount(address);
  }

  /**
   * Upstream's `putStorage` with caches writes the slot to the cache AND to the storage trie at
   * once (EthereumJS 10.1.3: `this._caches?.storage?.put(…) ?? (await this._writeContractStorage(…))`,
   * and the cache's `put` returns undefined), which is the write-through cost this class removes.
   * Here the slot goes to the cache only; `getStateRoot()` writes it. Same checks and messages.
   */
  override async putStorage(address: Address, key: Uint8Array, value: Uint8Array): Promise<void> {
    if (key.length !== 32) throw EthereumJSErrorWithoutCode("Storage key must be 32 bytes long");
    if (value.length > 32) throw EthereumJSErrorWithoutCode("Storage value cannot be longer than 32 bytes");
    // getAccount's own first step, without decoding the account it only checks for.
    const cached = this._caches?.account?.get(address);
    // A decoded element always holds an account (its RLP is not made for this check).
    const exists =
      cached === undefined
        ? (await this.getAccount(address)) !== undefined
        : cached instanceof DecodedAccountElement || cached.accountRLP !== undefined;
    if (!exists) throw EthereumJSErrorWithoutCode("putStorage() called on non-existing account");
    this.storageCache().put(address, key, encodeStorageValue(unpadBytes(value)));
  }

  /** Set by `dropWritesAtLastCommit`: the commit that ends the outermost checkpoint writes nothing to the database. */
  private dropFinalWrites = false;

  /**
   * For EXECUTE alone, armed just before runBlock: the commit that closes runBlock's block
   * checkpoint (after `getStateRoot()`, EthereumJS 10.1.3 runBlock.js: the root, the generated
   * fields, then `journal.commit()`) pops the trie's checkpoint instead of writing its nodes into
   * the witness database, which nothing reads again (the verdict is taken from the run's result).
   * That write was ≈ 2 % of a transfer block's verification CPU (docs/design/l2-throughput.md, stop 26).
   * It reads no node either way, so the run's reads (and a recorder's witness) are the same; a
   * recorder never arms it: its writes pass through to the node's database.
   */
  dropWritesAtLastCommit(): void {
    this.dropFinalWrites = true;
  }

  override async commit(): Promise<void> {
    if (this.dropFinalWrites && this._checkpointCount === 1) {
      // revert() pops the checkpoint without a write; the root stays the block's.
      const root = this._trie.root();
      await this._trie.revert();
      this._trie.root(root);
    } else {
      await this._trie.commit();
    }
    this._caches?.commit();
    this._checkpointCount--;
    if (this._checkpointCount === 0) this.originalStorageCache.clear();
  }

  override async revert(): Promise<void> {
    await this._trie.revert();
    this._caches?.revert();
    // As upstream: a storage trie object may hold writes (clearStorage) of the reverted frame.
    this._storageTries = {};
    this._checkpointCount--;
    if (this._checkpointCount === 0) this.originalStorageCache.clear();
  }

  private storageCache(): StorageCache {
    const cache = this._caches?.storage;
    if (cache === undefined) throw new Error("BlockBufferedStateManager has no storage cache");
    return cache;
  }
}

/** An account cache entry as its `flush()` returns it (`AccountCacheElement`, which the package does not export). */
type AccountCacheEntry = ReturnType<AccountCache["flush"]>[number][1];

/**
 * The `per-block-changes` rule (consensus-rules.md §5): `BlockBufferedStateManager`'s flush, in the
 * same order, without the entries whose flush would leave their trie's content as it is. Per block,
 * every account and slot the block *read* is in the caches' diff and written back at the flush (a
 * `put` of the same value, a `del` of an absent key): a read-only block pays a path rewrite per
 * read (docs/design/attack-review-s24.md, finding 2). Skipped here:
 *
 * - a storage entry whose value is the one the slot had when the block first read it from the
 *   trie, if the account's storage trie at the flush is the one of the block's start (same root as
 *   the account the block first read; storage never cleared and account never deleted in the block);
 * - an account entry whose RLP is the one the block first read from the account trie (both absent
 *   included).
 *
 * So an entry written and then restored to its value at the block's start is skipped too: it is
 * "unchanged" (the trie is canonical: the same content is the same trie, whichever writes made it).
 * An entry whose value at the block's start is not known (written before any read: a system call's
 * slot; an account created in the block) is written, as per block. Why skipping cannot change a
 * root or need another node: a skipped operation is a no-op on the trie it targets, so every later
 * operation meets the same trie as per block and reads the same nodes; the skipped one's own reads
 * are dropped. A witness recorded for this rule is a subset of the per-block one, and may lack nodes
 * per block reads: it is a rule of its own, scheduled like the others (`WriteRules`).
 *
 * The block's trie reads are the only source of the values compared: the account trie is never
 * written before the flush (accounts live in the cache), and a storage trie only by `clearStorage`
 * (CREATE) or through an account's deletion, both of which turn skipping off for that account.
 */
export class ChangedEntriesStateManager extends BlockBufferedStateManager {
  /** Each account's RLP as the block first read it from the trie (undefined: absent), by address hex. */
  private readonly startAccounts = new Map<string, Uint8Array | undefined>();
  /** Each slot's cached bytes as the block first read them from its storage trie, by address hex then key hex. */
  private readonly startSlots = new Map<string, Map<string, Uint8Array>>();
  /** Accounts whose storage was cleared or which were deleted in the block: all their entries are written. */
  private readonly rewrittenStorage = new Set<string>();

  constructor(opts: BufferedStateManagerOptions) {
    super(opts);
    // The flush (upstream's `flush`, run by `getStateRoot()`) writes what the caches' `flush()`
    // return: the entries left out here are the ones it would write back unchanged.
    const caches = this._caches as Caches;
    const storage = caches.storage as StorageCache;
    const storageFlush = storage.flush.bind(storage);
    storage.flush = () => storageFlush().filter((item) => !this.unchangedSlot(item));
    const accounts = caches.account as AccountCache;
    const accountFlush = accounts.flush.bind(accounts);
    accounts.flush = () => accountFlush().filter(([address, element]) => !this.unchangedAccount(address, element));
  }

  override async getAccount(address: Address): Promise<Account | undefined> {
    const cache = this._caches?.account;
    if (cache === undefined || cache.get(address) !== undefined) return super.getAccount(address);
    const account = await super.getAccount(address);
    const key = bytesToUnprefixedHex(address.bytes);
    if (!this.startAccounts.has(key)) this.startAccounts.set(key, cache.get(address)?.accountRLP);
    return account;
  }

  override async getStorage(address: Address, key: Uint8Array): Promise<Uint8Array> {
    const cache = this._caches?.storage;
    if (cache === undefined || cache.get(address, key) !== undefined) return super.getStorage(address, key);
    const value = await super.getStorage(address, key);
    const addressHex = bytesToUnprefixedHex(address.bytes);
    const read = cache.get(address, key);
    // Read from a trie the block cleared: not the block's start value.
    if (read !== undefined && !this.rewrittenStorage.has(addressHex)) {
      let slots = this.startSlots.get(addressHex);
      if (slots === undefined) this.startSlots.set(addressHex, (slots = new Map()));
      const keyHex = bytesToUnprefixedHex(key);
      if (!slots.has(keyHex)) slots.set(keyHex, read);
    }
    return value;
  }

  override async clearStorage(address: Address): Promise<void> {
    this.rewrittenStorage.add(bytesToUnprefixedHex(address.bytes));
    await super.clearStorage(address);
  }

  override async deleteAccount(address: Address): Promise<void> {
    this.rewrittenStorage.add(bytesToUnprefixedHex(address.bytes));
    await super.deleteAccount(address);
  }

  private unchangedSlot([addressHex, keyHex, value]: [string, string, Uint8Array | undefined]): boolean {
    if (value === undefined || this.rewrittenStorage.has(addressHex)) return false;
    const start = this.startSlots.get(addressHex)?.get(keyHex);
    if (start === undefined || !equalsBytes(start, value)) return false;
    return this.storageTrieAtStart(addressHex);
  }

  /** True when the storage trie the flush writes `addressHex`'s slots into is the one the block started with. */
  private storageTrieAtStart(addressHex: string): boolean {
    const startRlp = this.startAccounts.get(addressHex);
    const current = this._caches?.account?.get(createAddressFromString(`0x${addressHex}`))?.accountRLP;
    if (startRlp === undefined || current === undefined) return false;
    const startRoot = createAccountFromRLP(startRlp).storageRoot;
    if (!equalsBytes(createAccountFromRLP(current).storageRoot, startRoot)) return false;
    // The flush writes into the storage trie object the block used, if it made one (keyed by the hashed address).
    const trie = this._storageTries[bytesToUnprefixedHex(keccak256(hexToBytes(`0x${addressHex}`)))];
    return trie === undefined || equalsBytes(trie.root(), startRoot);
  }

  private unchangedAccount(addressHex: string, element: AccountCacheEntry): boolean {
    if (!this.startAccounts.has(addressHex)) return false;
    const start = this.startAccounts.get(addressHex);
    const final = element.accountRLP;
    return start === undefined || final === undefined ? start === final : equalsBytes(start, final);
  }
}

/**
 * `RLP.encode(value)` for a storage value (a byte string of at most 32 bytes, already unpadded),
 * without RLP's general encoder (a third of a cached SSTORE's state-manager time): one byte below
 * 0x80 is itself, anything else (the empty string included) is 0x80 + length, then the bytes.
 * A fresh array either way, as RLP.encode returns.
 */
export function encodeStorageValue(value: Uint8Array): Uint8Array {
  if (value.length > 32) throw new RangeError(`a storage value has at most 32 bytes, not ${value.length}`);
  if (value.length === 1 && value[0] < 0x80) return Uint8Array.of(value[0]);
  const encoded = new Uint8Array(value.length + 1);
  encoded[0] = 0x80 + value.length;
  encoded.set(value, 1);
  return encoded;
}

export interface VerifierStateManagerOptions {
  readonly trie: MerklePatriciaTrie;
  readonly common: Common;
  /** The rule in force for the block (`writeRuleAt` of the chain's `WriteRules`); `DEFAULT_VERIFIER_WRITES` when absent. */
  readonly writes?: VerifierWrites;
  /**
   * Write-through only: answer a repeated account or storage read from memory
   * (`CachedReadStateManager`); true when absent. Per-block reads are the caches' anyway.
   */
  readonly cacheStateReads?: boolean;
  /** Per-block rules only: `BufferedStateManagerOptions.decodedAccounts`; true when absent. */
  readonly decodedAccounts?: boolean;
}

/**
 * The state manager EXECUTE re-executes a block with, and the one every witness recorder
 * (rollup-node's captureWitness, tools' L2TestChain) re-executes it with: one definition, so the
 * recorder reads exactly the trie nodes the verifier will, in the same order.
 */
export function verifierStateManager(options: VerifierStateManagerOptions): SafeMerkleStateManager {
  const { trie, common } = options;
  const writes = options.writes ?? DEFAULT_VERIFIER_WRITES;
  const { decodedAccounts } = options;
  if (writes === "per-block") return new BlockBufferedStateManager({ trie, common, decodedAccounts });
  if (writes === "per-block-changes") return new ChangedEntriesStateManager({ trie, common, decodedAccounts });
  return options.cacheStateReads === false
    ? new SafeMerkleStateManager({ trie, common })
    : new CachedReadStateManager({ trie, common });
}

export interface RecordedRunParams {
  readonly common: Common;
  /** A full-state trie database holding the pre-state (reads are recorded, writes pass through). */
  readonly db: DB<string, StoredValue>;
  /** The state root the block executes on. */
  readonly preStateRoot: Uint8Array;
  /** The complete block (header with its final roots). */
  readonly block: Block;
  /** BLOCKHASH's source (the caller records which ancestors it gave). */
  readonly blockchain: EVMMockBlockchainInterface;
  /**
   * The chain's write rules (`DEFAULT_VERIFIER_WRITES` when absent): the block is recorded under
   * `writeRuleAt(writes, block.header)`, the rule the verifier applies to it.
   */
  readonly writes?: WriteRules;
  /** Called with the VM before the block runs (the node yields to its event loop between transactions). */
  readonly prepareVm?: (vm: VM) => void;
  /**
   * Compare the block's header (receipts root, bloom, gas used, requests hash, state root) with the
   * run instead of generating them: `runBlockAgainstHeader`. For a block whose header is final (the
   * node's capture of a block it built); EXECUTE's run (`runBlockAsVerifier`) when absent.
   */
  readonly againstHeader?: boolean;
  /** Run EthereumJS's runBlock, not `runVerifierBlock` (the differential tests' baseline). */
  readonly ethereumJsRunBlock?: boolean;
}

export interface RecordedRun {
  /** Every pre-state trie node and code the run read (`toWitness` makes the witness). */
  readonly recording: RecordingDB;
  /** The state root the run computed. */
  readonly stateRoot: Uint8Array;
  /** runBlock's result (receipts, per-transaction results). */
  readonly result: RunBlockResult;
}

/**
 * Runs a block as `execute()` does (this state manager, `DecodedNodeTrie`, the same runBlock
 * options, or `generate: false` with `againstHeader`: the same reads) on a full-state database,
 * recording every pre-state read: the witness EXECUTE needs.
 * The node's captureWitness and tools' L2TestChain record with this, so no recorder has its own copy.
 */
export async function recordVerifierRun(params: RecordedRunParams): Promise<RecordedRun> {
  const { common, block } = params;
  const recording = new RecordingDB(params.db);
  // As the verifier's trie (verifyBlock's memoizeTrieNodes): the same reads, recorded the same,
  // each node's bytes RLP-decoded once instead of on every walk from the root.
  const trie = new DecodedNodeTrie({ db: recording, useKeyHashing: true, common, valueEncoding: ValueEncoding.Bytes });
  const writes = writeRuleAt(params.writes ?? DEFAULT_VERIFIER_WRITES, block.header);
  const stateManager = verifierStateManager({ trie, common, writes });
  await stateManager.setStateRoot(params.preStateRoot);
  const vm = await createVM({ common, stateManager, blockchain: params.blockchain, evmOpts: evmOptions() });
  params.prepareVm?.(vm);
  const result =
    params.againstHeader === true
      ? await runBlockAgainstHeader(vm, block, params.ethereumJsRunBlock)
      : await runBlockAsVerifier(vm, block, params.ethereumJsRunBlock);
  return { recording, stateRoot: result.stateRoot, result };
}

/**
 * What `execute` hands to runBlock: the block itself as prototype, no property of its own.
 *
 * With `generate: true`, runBlock ends by rebuilding the block from `{ ...block, header: { ...block.header,
 * <generated fields> } }` for its `afterBlock` event (EthereumJS 10.1.3, runBlock.js); the verdict comes from
 * `checkExecution`, not from that copy. Spreading the block copies its transactions, so the rebuild re-created
 * every one of them (a `Common` copy and a parameter merge each) with the same data and the same chain's
 * `Common` as the decoding that already accepted them. Spreading this view copies nothing: the rebuild makes
 * a block without transactions, and still rebuilds and checks the header with the generated fields, as before.
 * Every other read (`block.header`, `block.transactions`, `block.errorStr()`...) goes to the block through the
 * prototype. docs/design/verifier-overheads.md gives the argument that no verdict changes.
 */
export function executionView(block: Block): Block {
  return Object.create(block) as Block;
}

/**
 * runBlock as EXECUTE runs it, and every witness recorder with it. skipBlockValidation: every rule it
 * would check is checkBlockShape's (headerRules.ts); `generate: true` leaves the verdict to
 * `checkExecution` (verifyBlock.ts), which compares the generated roots with the header's.
 * The run is `runVerifierBlock` (precompiles/blockRunner.ts: runBlock's steps with its two tries built
 * in one pass) when it covers the VM's fork, which every fork up to Osaka is; `ethereumJsRunBlock` (or
 * any fork it does not cover) runs EthereumJS's runBlock itself: the same result, errors and reads
 * (test/precompiles/blockRunnerDifferential.test.ts), so that switch exists only for a same-run
 * benchmark baseline and the differential tests.
 */
export function runBlockAsVerifier(vm: VM, block: Block, ethereumJsRunBlock = false): Promise<RunBlockResult> {
  return runBlockWith(vm, block, { ethereumJsRunBlock });
}

/**
 * EXECUTE's run (`runBlockAsVerifier`: the same state reads, in the same order, so the same witness)
 * with `generate: false`: the run then compares the header's requests hash, receipts root, bloom, gas
 * used and state root with what it gave (throwing at the first that differs) instead of generating
 * them, which skips the transactions root and the rebuild of the block. Neither touches the state:
 * both come after the state root is read.
 */
export function runBlockAgainstHeader(vm: VM, block: Block, ethereumJsRunBlock = false): Promise<RunBlockResult> {
  return runBlockWith(vm, block, { againstHeader: true, ethereumJsRunBlock });
}

export interface RunBlockWithOptions extends BlockRunOptions {
  /** Run EthereumJS's runBlock even where `runVerifierBlock` covers the fork: the differential tests' and benches' baseline. */
  readonly ethereumJsRunBlock?: boolean;
}

/**
 * A block run with runBlock's `skipBlockValidation` and `skipHardForkValidation`, `generate` unless
 * `againstHeader`, from `root` when given, on the block's `executionView`: by `runVerifierBlock` when it
 * covers the VM and block (`canRunWithoutRunBlock`), else by EthereumJS's runBlock. EXECUTE, the
 * witness recorders and the node's block build all run blocks through it, so they run the same code.
 */
export function runBlockWith(vm: VM, block: Block, options: RunBlockWithOptions = {}): Promise<RunBlockResult> {
  const view = executionView(block);
  if (options.ethereumJsRunBlock !== true && canRunWithoutRunBlock(vm, block))
    return runVerifierBlock(vm, view, { againstHeader: options.againstHeader, root: options.root });
  return runBlock(vm, {
    block: view,
    root: options.root,
    generate: options.againstHeader !== true,
    skipBlockValidation: true,
    skipHardForkValidation: true,
  });
}
