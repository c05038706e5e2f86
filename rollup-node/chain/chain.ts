import type { Block } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import type { CustomPrecompile } from "@ethereumjs/evm";
import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { Caches, type Proof, getMerkleStateProof } from "@ethereumjs/statemanager";
import type { TypedTransaction } from "@ethereumjs/tx";
import {
  type Account,
  Address,
  type DB,
  MapDB,
  ValueEncoding,
  bytesToHex,
  createAccountFromRLP,
  equalsBytes,
  hexToBytes,
  setLengthLeft,
} from "@ethereumjs/util";
import { type VM, createVM, runBlock } from "@ethereumjs/vm";

import {
  DEFAULT_VERIFIER_WRITES,
  SafeMerkleStateManager,
  type StoredValue,
  type Witness,
  type WriteRules,
  checkUncheckedSystemContracts,
  prepareCrypto,
  watchSystemCalls,
  evmOptions,
} from "../../precompiles";
import { type BlockArchive, BlockStore } from "./blockStore";
import { type BlockTemplate, produceBlock, receiptsOf } from "./blockBuilder";
import type { CallFrame } from "./callTracer";
import { StoreBlockchain } from "./chainBlockchain";
import {
  type AccountPatch,
  type ClockState,
  DevClock,
  MAX_DEV_TIMESTAMP,
  SnapshotStack,
  applyAccountPatch,
} from "./devControls";
import {
  ChainHistoryError,
  InvalidBlockError,
  DevTimestampCapError,
  InvalidTimestampError,
  TransactionRejectedError,
  UnknownBlockError,
  WitnessCaptureError,
} from "./errors";
import {
  type GenesisConfig,
  checkGenesisWriteRules,
  createChainCommon,
  createGenesisBlock,
  genesisAlloc,
  writeGenesisState,
} from "./genesis";
import { checkChildBlock } from "./headerChecks";
import { DEFAULT_NODE_CACHE_BYTES, DEFAULT_NODE_CACHE_ENTRIES, NodeCacheDB } from "./nodeCacheDb";
import { matchingLogs } from "./logFilter";
import type { StructLogOptions, StructTrace } from "./structLogger";
import { AsyncMutex } from "./mutex";
import { type BlockReplay, traceCalls, traceSteps } from "./replay";
import {
  type AccessListResult,
  type SimulationContext,
  createAccessList,
  estimateGas,
  pendingBlock,
  simulateCall,
} from "./simulate";
import { type SimulatedBlock, type SimulationSpec, simulateBlocks } from "./simulateBlocks";
import type {
  BeforeExecutionHook,
  BlockHistory,
  BlockRecord,
  BlockTag,
  CallRequest,
  CallResult,
  ChainReceipt,
  LocatedLog,
  LogFilter,
  MineOptions,
  MinedBlock,
  TxLocation,
} from "./types";
import { buildWithinWitnessBudget } from "./witnessBudget";
import { type CaptureParams, captureWitness, storeAncestors } from "./witnessCapture";
import type { CaptureThread, ReadNodes } from "./captureProtocol";
import { CaptureThreadError, CaptureWorkerThread } from "./captureThread";
import { DEFAULT_CAPTURE_THREAD } from "./defaults";
import type { Logger } from "../logger";
import { createChainTrie } from "./chainTrie";

// The dev controls' bound and patch shape are part of the chain's dev API: its callers import them with it.
export { type AccountPatch, MAX_DEV_TIMESTAMP } from "./devControls";

export type TrieDatabase = DB<string, StoredValue>;

export interface ChainConfig {
  readonly genesis: GenesisConfig;
  /** Where trie nodes and code live; an in-memory MapDB by default (LevelDB plugs in here). */
  readonly db?: TrieDatabase;
  readonly customPrecompiles?: readonly CustomPrecompile[];
  /** Called under the chain's lock before every block build and every call simulation. */
  readonly beforeExecution?: BeforeExecutionHook;
  /** Wall clock in seconds since the epoch; injectable for tests. */
  readonly now?: () => bigint;
  /**
   * Blocks after genesis already mined on `db` (loaded from disk after a restart), in order.
   * They are indexed, not re-executed: their state must be in `db`. Read one at a time: with an
   * `archive`, a block leaves memory as the newer ones come (an iterable history is never all held).
   */
  readonly history?: BlockHistory;
  /**
   * A Common with its own fork schedule (e.g. from a geth genesis): the chain then switches
   * forks by block number and timestamp for every block it runs. `genesis.hardfork` is ignored.
   * Without it, every fork up to `genesis.hardfork` is active from block 0.
   */
  readonly common?: Common;
  /** The genesis block over the allocation's state root; the post-Osaka default otherwise. */
  readonly createGenesisBlock?: (common: Common, stateRoot: Uint8Array) => Block;
  /** Adds the fork's system contracts to the allocation (default true); a foreign genesis lists its own. */
  readonly addSystemContracts?: boolean;
  /**
   * Where mined blocks are durably kept (the node's data directory): with one, only the newest
   * `recentBlocks` stay in memory and older ones are read back from it. Without one, the whole
   * history stays in memory (a chain without a data directory).
   */
  readonly archive?: BlockArchive;
  /** Blocks kept in memory with an archive; DEFAULT_RECENT_BLOCKS (chain/blockStore.ts) when absent. */
  readonly recentBlocks?: number;
  /** The trie node cache's bound in bytes; DEFAULT_NODE_CACHE_BYTES (chain/nodeCacheDb.ts) when absent. */
  readonly nodeCacheBytes?: number;
  /**
   * Where `mineBlock` captures witnesses; DEFAULT_CAPTURE_THREAD (chain/defaults.ts) when absent. A
   * chain with its own `common` (a fork schedule) captures on its own thread: the capture thread
   * makes the chain's Common from the chain id and fork (`createChainCommon`).
   */
  readonly captureThread?: CaptureThread;
  /** Where the chain reports what it decided on its own (a capture thread that failed); silent when absent. */
  readonly logger?: Logger;
  /**
   * Build blocks and capture their witnesses (on the chain's thread) with EthereumJS's runBlock instead
   * of EXECUTE's block runner (`runBlockWith`): the same blocks, receipts, witnesses and errors
   * (test/rollup-node/chain/blockRunnerNode.test.ts). The differential tests' and benches' baseline only.
   */
  readonly ethereumJsRunBlock?: boolean;
}

/** An account as the head state holds it, with the head it was read at. */
export interface HeadAccount {
  readonly account: Account | undefined;
  /** The head block of that state: the block whose successor the account's transaction would enter. */
  readonly head: Block;
}

/** The block number a rollup node's "safe" or "finalized" tag names; undefined: the head. */
export type HeadLabelSource = (tag: "safe" | "finalized") => bigint | undefined;

/** A reader of the state at one root, and the encoded accounts (null: absent) read from it. */
interface HeadReads {
  readonly root: string;
  readonly trie: MerklePatriciaTrie;
  readonly accounts: Map<string, Uint8Array | null>;
}

interface Snapshot {
  readonly headNumber: bigint;
  readonly headStateRoot: Uint8Array;
  readonly clock: ClockState;
}

/** Indexes already-mined blocks after genesis, checking they form one chain whose state is present. */
async function loadHistory(store: BlockStore, state: SafeMerkleStateManager, history: BlockHistory): Promise<void> {
  for await (const record of history) {
    const parent = store.head.block;
    if (!equalsBytes(record.block.header.parentHash, parent.hash())) {
      throw new ChainHistoryError(
        `stored block ${record.block.header.number} does not extend block ${parent.header.number} of this chain`,
        parent.header.number === 0n
          ? "the data directory holds a chain with another genesis: reset it or use the matching genesis"
          : "the stored history is damaged: reset the data directory",
      );
    }
    store.add(record);
  }
  const root = store.head.block.header.stateRoot;
  if (!(await state.hasStateRoot(root))) {
    throw new ChainHistoryError(
      `the state of block ${store.headNumber} is missing from the database`,
      "the data directory is damaged: reset it",
    );
  }
  await state.setStateRoot(root);
}

/**
 * An Ethereum chain on EthereumJS: state in a Merkle trie, blocks built with the VM, history,
 * receipts and logs in the block store (the newest blocks in memory, older ones in the archive
 * when one is configured). Shared by the L1 devnet and the L2 sequencer. Every operation
 * that touches the state manager runs under one mutex.
 */
export class Chain {
  private readonly mutex = new AsyncMutex();
  private readonly snapshots = new SnapshotStack<Snapshot>();
  private readonly clock: DevClock;
  /** State root the next block builds on; differs from the head's after dev state edits. */
  private headStateRoot: Uint8Array;
  /**
   * Pre-state root of each block built on dev-edited state (for tracing: re-running a block needs
   * its exact pre-state). Every other block's is its parent's state root, not kept twice: this
   * holds one entry per dev edit followed by a block, not one per block.
   */
  private readonly preStateRoots = new Map<bigint, Uint8Array>();
  private headLabels: HeadLabelSource | undefined;
  /** `headAccount`'s reader of the head state (see headReadsAt). */
  private headReads: HeadReads | undefined;
  /** The capture thread; undefined when the chain captures on its own thread. */
  private readonly captureThread: CaptureWorkerThread | undefined;
  /** Captures that fell back to the chain's own thread because the capture thread failed. */
  private captureFallbacks = 0;
  /** Captures the capture thread made. */
  private threadCaptures = 0;

  private constructor(
    readonly common: Common,
    private readonly vm: VM,
    private readonly state: SafeMerkleStateManager,
    private readonly store: BlockStore,
    private readonly db: NodeCacheDB,
    private readonly config: ChainConfig,
  ) {
    this.headStateRoot = store.head.block.header.stateRoot;
    this.clock = new DevClock(config.now);
    const thread = config.captureThread ?? DEFAULT_CAPTURE_THREAD;
    this.captureThread =
      thread === "worker" && config.common === undefined
        ? new CaptureWorkerThread((message) => config.logger?.warn(message))
        : undefined;
  }

  /**
   * Starts the capture thread (if the chain has one) and settles once it has loaded. `mineBlock`
   * starts it too, capturing on the chain's own thread until it is ready.
   */
  warmCapture(): Promise<void> {
    return this.captureThread?.warm() ?? Promise.resolve();
  }

  /** Where the next witness capture runs, and how often the capture thread failed and the chain captured itself. */
  get capture(): {
    readonly thread: CaptureThread;
    readonly ready: boolean;
    readonly onThread: number;
    readonly fallbacks: number;
  } {
    return {
      thread: this.captureThread === undefined ? "main" : "worker",
      ready: this.captureThread?.ready ?? false,
      onThread: this.threadCaptures,
      fallbacks: this.captureFallbacks,
    };
  }

  /** Stops the capture thread: a block in production whose capture is on it fails (not stored). */
  async close(): Promise<void> {
    await this.captureThread?.close();
  }

  static async create(config: ChainConfig): Promise<Chain> {
    // Before any block is built or recorded: a schedule the recorder cannot apply is a config error.
    if (config.genesis.writeRules !== undefined) checkGenesisWriteRules(config.genesis.writeRules);
    // The WebAssembly keccak, before the first trie hash (the native one serves until then, with equal results).
    await prepareCrypto();
    const common = config.common ?? createChainCommon(config.genesis.chainId, config.genesis.hardfork);
    // Every trie read goes through the node cache: the witness capture re-reads what the build read.
    const db = new NodeCacheDB(
      config.db ?? new MapDB<string, StoredValue>(),
      DEFAULT_NODE_CACHE_ENTRIES,
      config.nodeCacheBytes ?? DEFAULT_NODE_CACHE_BYTES,
    );
    const trie = createChainTrie({ db, useKeyHashing: true, common, valueEncoding: ValueEncoding.Bytes });
    // Caches batch trie writes until commit: without them every account touch re-hashes trie paths.
    const state = new SafeMerkleStateManager({ common, trie, caches: new Caches() });
    const stateRoot = await writeGenesisState(state, genesisAlloc(config.genesis, config.addSystemContracts ?? true));
    const store = new BlockStore({ archive: config.archive, common, recentBlocks: config.recentBlocks });
    const genesisBlock =
      config.createGenesisBlock?.(common, stateRoot) ?? createGenesisBlock(config.genesis, common, stateRoot);
    store.add({ block: genesisBlock, receipts: [] });
    await loadHistory(store, state, config.history ?? []);
    const vm = await createVM({
      common,
      stateManager: state,
      blockchain: new StoreBlockchain(store),
      evmOpts: evmOptions({ customPrecompiles: [...(config.customPrecompiles ?? [])] }),
    });
    const chain = new Chain(common, vm, state, store, db, config);
    chain.restFork();
    return chain;
  }

  /** EXECUTE's write rules for this chain (its genesis's; `DEFAULT_VERIFIER_WRITES` when it names none). */
  get writeRules(): WriteRules {
    return this.config.genesis.writeRules ?? DEFAULT_VERIFIER_WRITES;
  }

  /** True when the chain switches forks by block/timestamp; false when one fork rules from genesis. */
  get followsForkSchedule(): boolean {
    return this.config.common !== undefined;
  }

  /** The precompiles the chain adds to the fork's own (e.g. EXECUTE on the L1 devnet). */
  get customPrecompileAddresses(): readonly Uint8Array[] {
    return (this.config.customPrecompiles ?? []).map((p) =>
      typeof p.address === "string" ? hexToBytes(p.address) : p.address.bytes,
    );
  }

  get chainId(): bigint {
    return this.common.chainId();
  }

  get head(): Block {
    return this.store.head.block;
  }

  get headNumber(): bigint {
    return this.store.headNumber;
  }

  /**
   * What the chain holds in memory per block (docs/design/memory-bounds.md): decoded blocks, index
   * entries by hash, kept pre-state roots. With an archive each is bounded whatever the chain's length.
   */
  get heldInMemory(): {
    readonly blocks: number;
    readonly indexEntries: number;
    readonly preStateRoots: number;
    /** The trie node cache's bytes as its bound counts them (bounded by DEFAULT_NODE_CACHE_BYTES). */
    readonly nodeCacheBytes: number;
    /** The node cache's reads answered from memory and passed to the database since the chain started. */
    readonly nodeCacheHits: number;
    readonly nodeCacheMisses: number;
    /** Entries the node cache dropped to keep within its bounds: above 0, it is full. */
    readonly nodeCacheEvictions: number;
  } {
    return {
      blocks: this.store.blocksInMemory,
      indexEntries: this.store.indexEntriesInMemory,
      preStateRoots: this.preStateRoots.size,
      nodeCacheBytes: this.db.heldBytes,
      nodeCacheHits: this.db.reads.hits,
      nodeCacheMisses: this.db.reads.misses,
      nodeCacheEvictions: this.db.evictions,
    };
  }

  /** True while dev methods edited the state the next block builds on (no witness can prove that block). */
  get headStateEdited(): boolean {
    return !equalsBytes(this.headStateRoot, this.head.header.stateRoot);
  }

  // ---------------------------------------------------------------- blocks, txs, logs

  /**
   * Where "safe" and "finalized" point (a rollup node's blocks accepted on L1, and accepted in a
   * final L1 block). Without a source, or when it has no answer, they are the head (a devnet).
   */
  setHeadLabels(source: HeadLabelSource | undefined): void {
    this.headLabels = source;
  }

  /** The block a tag names, or undefined. "pending" is the head; "safe" and "finalized" follow `setHeadLabels`. */
  getBlock(tag: BlockTag): BlockRecord | undefined {
    if (typeof tag === "bigint") return this.store.byNumberOrUndefined(tag);
    if (typeof tag === "object") return this.store.byHash(tag.hash);
    if (tag === "earliest") return this.store.byNumberOrUndefined(0n);
    if (tag === "safe" || tag === "finalized") {
      const labeled = this.headLabels?.(tag);
      if (labeled !== undefined)
        return this.store.byNumberOrUndefined(labeled < this.headNumber ? labeled : this.headNumber);
    }
    return this.store.head;
  }

  /** Like getBlock, but an unknown block is an error. */
  resolveBlock(tag: BlockTag): BlockRecord {
    const record = this.getBlock(tag);
    if (record === undefined) throw new UnknownBlockError(typeof tag === "object" ? "by hash" : String(tag));
    return record;
  }

  getTransaction(hash: Uint8Array): { tx: TypedTransaction; location: TxLocation; block: Block } | undefined {
    const location = this.store.locateTx(hash);
    if (location === undefined) return undefined;
    const block = this.store.byNumberOrUndefined(location.blockNumber)?.block;
    const tx = block?.transactions[location.index];
    return block === undefined || tx === undefined ? undefined : { tx, location, block };
  }

  getReceipt(hash: Uint8Array): ChainReceipt | undefined {
    return this.store.receipt(hash);
  }

  /** Logs matching `filter`; the range defaults to the head, `blockHash` wins over the range. */
  getLogs(filter: LogFilter): LocatedLog[] {
    if (filter.blockHash !== undefined) {
      const record = this.store.byHash(filter.blockHash);
      if (record === undefined) throw new UnknownBlockError("by hash");
      return matchingLogs(record, filter);
    }
    const from = filter.fromBlock ?? this.headNumber;
    const to = filter.toBlock === undefined || filter.toBlock > this.headNumber ? this.headNumber : filter.toBlock;
    const out: LocatedLog[] = [];
    for (let n = from; n <= to; n++) {
      const record = this.store.byNumberOrUndefined(n);
      if (record !== undefined) out.push(...matchingLogs(record, filter));
    }
    return out;
  }

  // ---------------------------------------------------------------- state reads

  /**
   * The account in the head state, read without the chain's lock: a block being built (which
   * holds the lock for its whole execution) does not delay it. Consistent: the head and its state
   * root are taken together, in one synchronous step, and the account is read from that root on a
   * trie of its own. The database is append-only and content-addressed (a node's key is its hash;
   * building a block only adds nodes), so the nodes under that root stay as they are while the
   * build runs. A block stored meanwhile is not seen: the answer is the head at the call.
   */
  async headAccount(address: Uint8Array): Promise<HeadAccount> {
    const head = this.head;
    const reads = this.headReadsAt(this.headStateRoot);
    const key = bytesToHex(address);
    let encoded = reads.accounts.get(key);
    if (encoded === undefined) {
      encoded = await reads.trie.get(address);
      reads.accounts.set(key, encoded);
    }
    return { account: encoded === null ? undefined : createAccountFromRLP(encoded), head };
  }

  /**
   * The reader of the state at `root`, with the accounts read from it so far: the state under a
   * root never changes, so they stay right for as long as it is the head's. Only the latest
   * root's reader is kept (a sender admits many transactions per block; a root is left for good).
   */
  private headReadsAt(root: Uint8Array): HeadReads {
    const rootHex = bytesToHex(root);
    if (this.headReads?.root !== rootHex) {
      const trie = new MerklePatriciaTrie({
        db: this.db,
        root,
        useKeyHashing: true,
        common: this.common,
        valueEncoding: ValueEncoding.Bytes,
      });
      this.headReads = { root: rootHex, trie, accounts: new Map() };
    }
    return this.headReads;
  }

  getAccount(address: Uint8Array, tag: BlockTag = "latest"): Promise<Account | undefined> {
    return this.atBlock(tag, () => this.state.getAccount(new Address(address)));
  }

  async getBalance(address: Uint8Array, tag: BlockTag = "latest"): Promise<bigint> {
    return (await this.getAccount(address, tag))?.balance ?? 0n;
  }

  async getNonce(address: Uint8Array, tag: BlockTag = "latest"): Promise<bigint> {
    return (await this.getAccount(address, tag))?.nonce ?? 0n;
  }

  getCode(address: Uint8Array, tag: BlockTag = "latest"): Promise<Uint8Array> {
    return this.atBlock(tag, () => this.state.getCode(new Address(address)));
  }

  /** The 32-byte value of `slot` (zero when unset). */
  getStorageAt(address: Uint8Array, slot: Uint8Array, tag: BlockTag = "latest"): Promise<Uint8Array> {
    return this.atBlock(tag, async () =>
      setLengthLeft(await this.state.getStorage(new Address(address), setLengthLeft(slot, 32)), 32),
    );
  }

  /** EIP-1186 account and storage proof against the block's state root. */
  getProof(address: Uint8Array, slots: readonly Uint8Array[], tag: BlockTag = "latest"): Promise<Proof> {
    return this.atBlock(tag, () =>
      getMerkleStateProof(
        this.state,
        new Address(address),
        slots.map((s) => setLengthLeft(s, 32)),
      ),
    );
  }

  // ---------------------------------------------------------------- simulation

  call(request: CallRequest, tag: BlockTag = "latest"): Promise<CallResult> {
    return this.atBlock(tag, (block) => simulateCall(this.simulation(this.contextFor(tag, block)), request));
  }

  /**
   * Estimates at "pending" by default, as Hardhat does: the transaction lands in the next block,
   * and a contract that stores `block.timestamp` or `block.number` pays a fresh SSTORE there
   * where a re-run in the latest block's context would find the slot already set.
   */
  estimateGas(request: CallRequest, tag: BlockTag = "pending"): Promise<bigint> {
    return this.atBlock(tag, (block) => estimateGas(this.simulation(this.contextFor(tag, block)), request));
  }

  /** eth_createAccessList: the storage the call touches, and its gas with that list. */
  createAccessList(request: CallRequest, tag: BlockTag = "latest"): Promise<AccessListResult> {
    return this.atBlock(tag, (block) => createAccessList(this.simulation(this.contextFor(tag, block)), request));
  }

  /** eth_simulateV1: blocks simulated on top of `tag` on a throw-away copy of its state. */
  simulateBlocks(spec: SimulationSpec, tag: BlockTag = "latest"): Promise<SimulatedBlock[]> {
    return this.mutex.run(async () => {
      const record = this.resolveBlock(tag);
      const isHead = record.block.header.number === this.headNumber;
      return simulateBlocks(
        {
          common: this.common,
          followsForkSchedule: this.config.common !== undefined,
          db: this.db,
          store: this.store,
          customPrecompiles: this.config.customPrecompiles ?? [],
          base: record.block,
          baseStateRoot: isHead ? this.headStateRoot : record.block.header.stateRoot,
          beforeExecution: this.config.beforeExecution,
        },
        spec,
      );
    });
  }

  /** The block a simulation runs in: for "pending", the next block as it would be built now. */
  private contextFor(tag: BlockTag, block: Block): Block {
    return tag === "pending" ? pendingBlock(block, this.nextTimestamp(), this.common) : block;
  }

  // ---------------------------------------------------------------- block production

  /**
   * Builds, executes and stores the next block with `txs` (in order). Invalid transactions
   * are skipped and reported in `skipped`, never fatal.
   */
  mineBlock(txs: readonly TypedTransaction[], options: MineOptions = {}): Promise<MinedBlock> {
    return this.mutex.run(async () => {
      const parent = this.head;
      const timestamp = options.timestamp ?? this.nextTimestamp();
      if (timestamp <= parent.header.timestamp) {
        throw new InvalidTimestampError(`timestamp ${timestamp} is not above the head's ${parent.header.timestamp}`);
      }
      if (timestamp > MAX_DEV_TIMESTAMP) throw new DevTimestampCapError(timestamp, MAX_DEV_TIMESTAMP);
      const preStateRoot = this.headStateRoot;
      this.useForkOf(parent.header.number + 1n, timestamp);
      if (options.captureWitness === true && !equalsBytes(preStateRoot, parent.header.stateRoot)) {
        throw new WitnessCaptureError(
          "the head state was edited by dev methods: no witness can prove a block built on it",
        );
      }
      // The parent-state nodes each build read: shipped to the capture thread with its block.
      const reads = new WeakMap<MinedBlock, ReadNodes>();
      const record = this.captureThread !== undefined && options.captureWitness === true;
      if (record) void this.captureThread?.warm();
      const build = async (candidates: readonly TypedTransaction[]): Promise<MinedBlock> => {
        if (record) this.db.recordReads();
        try {
          const built = await produceBlock({
            vm: this.vm,
            common: this.common,
            parent,
            parentStateRoot: preStateRoot,
            txs: candidates,
            beforeExecution: this.config.beforeExecution,
            ethereumJsRunBlock: this.config.ethereumJsRunBlock,
            template: {
              timestamp,
              coinbase: options.coinbase ?? parent.header.coinbase.bytes,
              parentBeaconBlockRoot: options.parentBeaconBlockRoot ?? new Uint8Array(32),
              extraData: options.extraData ?? new Uint8Array(),
              prevRandao: options.prevRandao ?? parent.hash(),
              ...(options.gasLimit === undefined ? {} : { gasLimit: options.gasLimit }),
            },
          });
          if (record) reads.set(built, this.db.takeReads());
          return built;
        } finally {
          // Stops recording (also when the build failed).
          if (record) this.db.takeReads();
        }
      };
      const witnessOf = (built: MinedBlock): Promise<Witness> =>
        this.witnessOf(
          {
            common: this.common,
            db: this.db,
            ancestors: storeAncestors(this.store),
            preStateRoot: built.preStateRoot,
            block: built.record.block,
            // Recorded under the rule of the block's number and timestamp, as EXECUTE will verify it.
            writes: this.writeRules,
            ethereumJsRunBlock: this.config.ethereumJsRunBlock,
          },
          reads.get(built),
        );
      // The build's trie writes go to LevelDB in one batch, before the block's record and head
      // pointer (beforeStore): a crash between the two leaves nodes nothing refers to yet.
      this.db.holdWrites();
      let mined: MinedBlock;
      try {
        mined =
          options.captureWitness === true
            ? await buildWithinWitnessBudget({ build, witnessOf }, txs, options)
            : await build(txs);
      } finally {
        await this.db.releaseWrites();
      }
      await options.beforeStore?.(mined);
      this.store.add(mined.record);
      this.rememberPreState(mined.record.block.header.number, preStateRoot, parent);
      this.headStateRoot = mined.record.block.header.stateRoot;
      this.clock.releaseForced();
      this.restFork();
      return mined;
    });
  }

  /**
   * The witness of a built block: on the capture thread when it is ready (with the nodes the
   * build read), else on the chain's own thread. A capture thread that fails mid-capture is not
   * a verdict on the block: the block is captured here instead, and a new thread is started.
   */
  private async witnessOf(params: CaptureParams, nodes: ReadNodes | undefined): Promise<Witness> {
    const thread = this.captureThread;
    // The capture thread runs EXECUTE's block runner: the runBlock baseline captures here.
    if (thread === undefined || nodes === undefined || !thread.ready || params.ethereumJsRunBlock === true)
      return captureWitness(params);
    try {
      const witness = await thread.capture({ ...params, writes: params.writes ?? this.writeRules, nodes });
      this.threadCaptures++;
      return witness;
    } catch (error) {
      if (!(error instanceof CaptureThreadError) || error.closed) throw error;
      this.captureFallbacks++;
      this.config.logger?.warn(
        `block ${params.block.header.number}'s witness was captured on the chain's thread: ${error.message}`,
      );
      void thread.warm();
      return captureWitness(params);
    }
  }

  /**
   * Appends a block produced elsewhere (a chain import): checks it against the head
   * (checkChildBlock), executes it on the head state, and keeps it only if the execution
   * reproduces its state root, receipts root, logs bloom and gas used.
   */
  importBlock(block: Block): Promise<BlockRecord> {
    return this.mutex.run(async () => {
      const parent = this.head;
      checkChildBlock(parent, block);
      this.useForkOf(block.header.number, block.header.timestamp);
      const preStateRoot = this.headStateRoot;
      this.config.beforeExecution?.("block");
      let result;
      // EthereumJS accepts a block whose EIP-7002/7251 system call failed; the specs do not.
      const systemCalls = watchSystemCalls(this.common, this.vm.evm);
      try {
        await this.state.setStateRoot(preStateRoot);
        await checkUncheckedSystemContracts(this.common, this.state);
        // skipHeaderValidation: the header rules are checkChildBlock's (the VM would ask a full
        // blockchain); block data (transactions root, uncles, withdrawals) is still validated.
        result = await runBlock(this.vm, {
          block,
          root: preStateRoot,
          skipHeaderValidation: true,
          skipHardForkValidation: true,
        });
        systemCalls.verdict();
      } catch (error) {
        await this.state.setStateRoot(preStateRoot);
        throw new InvalidBlockError(block.header.number, (error as Error).message.split(" (")[0] as string);
      } finally {
        systemCalls.stop();
      }
      const record: BlockRecord = { block, receipts: receiptsOf(block, result) };
      this.store.add(record);
      this.rememberPreState(block.header.number, preStateRoot, parent);
      this.headStateRoot = block.header.stateRoot;
      this.restFork();
      return record;
    });
  }

  /**
   * Builds (executes and seals) a block on `parentHash` with exactly `txs`, without adding it
   * to the chain: a payload for a consensus client or a test (testing_buildBlockV1). Any
   * transaction the block cannot include fails the whole build with its reason.
   */
  buildPayload(parentHash: Uint8Array, template: BlockTemplate, txs: readonly TypedTransaction[]): Promise<MinedBlock> {
    return this.mutex.run(async () => {
      const parentRecord = this.store.byHash(parentHash);
      if (parentRecord === undefined) throw new UnknownBlockError(`by hash ${bytesToHex(parentHash)}`);
      const parent = parentRecord.block;
      if (template.timestamp <= parent.header.timestamp)
        throw new InvalidTimestampError(
          `timestamp ${template.timestamp} is not above the parent's ${parent.header.timestamp}`,
        );
      const isHead = parent.header.number === this.headNumber;
      this.useForkOf(parent.header.number + 1n, template.timestamp);
      try {
        const mined = await produceBlock({
          vm: this.vm,
          common: this.common,
          parent,
          parentStateRoot: isHead ? this.headStateRoot : parent.header.stateRoot,
          txs,
          template,
          beforeExecution: this.config.beforeExecution,
          ethereumJsRunBlock: this.config.ethereumJsRunBlock,
        });
        const refused = mined.skipped[0];
        if (refused !== undefined)
          throw new TransactionRejectedError(refused.reason, "the payload must include every given transaction");
        return mined;
      } finally {
        this.restFork();
      }
    });
  }

  /**
   * Drops every block after `number` (a node rebasing on the chain its L1 accepted) and returns
   * them, head last. The trie is append-only: block `number`'s state root is complete in the
   * database, so the chain continues from exactly its state. Dev clock controls are kept.
   */
  rewind(number: bigint): Promise<BlockRecord[]> {
    return this.mutex.run(async () => {
      if (number < 0n || number > this.headNumber) throw new UnknownBlockError(String(number));
      const dropped = this.store.truncate(number);
      for (const record of dropped) this.preStateRoots.delete(record.block.header.number);
      this.snapshots.forgetAbove(number);
      this.clock.releaseForced();
      this.headStateRoot = this.head.header.stateRoot;
      await this.state.setStateRoot(this.headStateRoot);
      this.restFork();
      return dropped;
    });
  }

  // ---------------------------------------------------------------- tracing

  /** geth's callTracer frame of a mined transaction, by re-running its block up to it. */
  traceTransaction(hash: Uint8Array): Promise<CallFrame | undefined> {
    return this.mutex.run(async () => {
      const found = this.getTransaction(hash);
      if (found === undefined) return undefined;
      return this.replaying(found.block, (replay) => traceCalls(replay, found.location.index));
    });
  }

  /**
   * geth's struct-log traces (the default debug_trace* tracer) of the transactions of block
   * `tag`, or of its first `count` ones, by re-running the block on its pre-state.
   */
  structTraces(tag: BlockTag, options: StructLogOptions, count?: number): Promise<StructTrace[]> {
    return this.mutex.run(() =>
      this.replaying(this.resolveBlock(tag).block, (replay) => traceSteps(replay, options, count)),
    );
  }

  // ---------------------------------------------------------------- dev controls
  // The rules are devControls.ts's; the chain applies them to its head and state under its lock.

  /** Seconds the chain's clock runs ahead of the wall clock. */
  get clockOffset(): bigint {
    return this.clock.offsetSeconds;
  }

  /** The timestamp the next block gets unless one is forced. */
  nextTimestamp(): bigint {
    return this.clock.next(this.head.header.timestamp);
  }

  /** evm_increaseTime: moves the clock forward; returns the total offset in seconds. */
  increaseTime(seconds: bigint): bigint {
    return this.clock.increase(seconds, this.head.header.timestamp);
  }

  /** evm_setNextBlockTimestamp: later blocks continue from this time. */
  setNextBlockTimestamp(timestamp: bigint): void {
    this.clock.force(timestamp, this.head.header.timestamp);
  }

  /** evm_snapshot: an id to revert to. */
  snapshot(): number {
    return this.snapshots.take({
      headNumber: this.headNumber,
      headStateRoot: this.headStateRoot,
      clock: this.clock.state,
    });
  }

  /** evm_revert: drops blocks after the snapshot; the snapshot and later ones are consumed. */
  revert(id: number): Promise<boolean> {
    return this.mutex.run(async () => {
      const snapshot = this.snapshots.takeBack(id);
      if (snapshot === undefined) return false;
      for (const record of this.store.truncate(snapshot.headNumber))
        this.preStateRoots.delete(record.block.header.number);
      this.headStateRoot = snapshot.headStateRoot;
      this.clock.restore(snapshot.clock);
      // The trie is append-only: the old root is still fully present.
      await this.state.setStateRoot(snapshot.headStateRoot);
      this.restFork();
      return true;
    });
  }

  /** Edits an account in the head state (dev methods); the next block builds on the result. */
  patchAccount(address: Uint8Array, patch: AccountPatch): Promise<void> {
    return this.mutex.run(async () => {
      await this.loadRoot(this.headStateRoot);
      this.headStateRoot = await applyAccountPatch(this.state, address, patch);
    });
  }

  // ---------------------------------------------------------------- internals

  /** Keeps a block's pre-state root only when it is not its parent's state root (see preStateRoots). */
  private rememberPreState(number: bigint, preStateRoot: Uint8Array, parent: Block): void {
    if (!equalsBytes(preStateRoot, parent.header.stateRoot)) this.preStateRoots.set(number, preStateRoot);
  }

  /** With a fork schedule: switches the chain's (and so the VM's) fork to the one of this block. */
  private useForkOf(number: bigint, timestamp: bigint): void {
    if (this.config.common !== undefined) this.common.setHardforkBy({ blockNumber: number, timestamp });
  }

  /**
   * Between operations the chain's Common stands at the fork of the next block: what decoding
   * and validating an incoming transaction, or quoting fees, must follow.
   */
  private restFork(): void {
    try {
      this.useForkOf(this.headNumber + 1n, this.nextTimestamp());
    } catch {
      // The clock's timestamp may lie past forks the next block number cannot reach yet
      // (a chain still before its merge block): the head's own fork is then the right one.
      this.useForkOf(this.head.header.number, this.head.header.timestamp);
    }
  }

  /** Runs `task` on a replay of the mined `block`, the chain standing at the block's fork. */
  private async replaying<T>(block: Block, task: (replay: BlockReplay) => Promise<T>): Promise<T> {
    this.useForkOf(block.header.number, block.header.timestamp);
    try {
      return await task({
        vm: this.vm,
        common: this.common,
        block,
        preStateRoot:
          this.preStateRoots.get(block.header.number) ??
          this.store.byNumberOrUndefined(block.header.number - 1n)?.block.header.stateRoot,
        beforeExecution: this.config.beforeExecution,
      });
    } finally {
      this.restFork();
    }
  }

  private simulation(block: Block): SimulationContext {
    return { vm: this.vm, common: this.common, block, beforeExecution: this.config.beforeExecution };
  }

  private async loadRoot(root: Uint8Array): Promise<void> {
    if (!equalsBytes(await this.state.getStateRoot(), root)) await this.state.setStateRoot(root);
  }

  /** Runs `task` under the lock with the state manager at the state after block `tag`. */
  private atBlock<T>(tag: BlockTag, task: (block: Block) => Promise<T>): Promise<T> {
    return this.mutex.run(async () => {
      const record = this.resolveBlock(tag);
      const isHead = record.block.header.number === this.headNumber;
      if (tag === "pending") this.useForkOf(record.block.header.number + 1n, this.nextTimestamp());
      else this.useForkOf(record.block.header.number, record.block.header.timestamp);
      try {
        await this.loadRoot(isHead ? this.headStateRoot : record.block.header.stateRoot);
        return await task(record.block);
      } finally {
        this.restFork();
      }
    });
  }
}
