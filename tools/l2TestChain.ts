import { type Block, type BlockHeader, createBlock, createBlockHeader } from "@ethereumjs/block";
import type { Common, Proof } from "@ethereumjs/common";
import type { EVMMockBlockchainInterface } from "@ethereumjs/evm";
import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { Caches, getMerkleStateProof } from "@ethereumjs/statemanager";
import type { TypedTransaction } from "@ethereumjs/tx";
import { Account, KECCAK256_RLP, MapDB, ValueEncoding, createAddressFromString, hexToBytes } from "@ethereumjs/util";
import { type BlockBuilder, type RunTxResult, buildBlock, createVM } from "@ethereumjs/vm";

import {
  EMPTY_REQUESTS_HASH,
  SYSTEM_CONTRACTS,
  SafeMerkleStateManager,
  type StoredValue,
  type WriteRules,
  encodeWitness,
  l2Common,
  recordVerifierRun,
  evmOptions,
} from "../precompiles";

export interface TestAccount {
  readonly address: string;
  readonly balance?: bigint;
  readonly code?: string;
  readonly storage?: Record<string, string>;
}

/** A witness's three lists, before encoding. */
export interface WitnessParts {
  readonly state: readonly Uint8Array[];
  readonly codes: readonly Uint8Array[];
  readonly headers: readonly Uint8Array[];
}

/** What EXECUTE needs for one L2 block, plus the block for assertions. */
export interface BuiltBlock {
  readonly block: Block;
  readonly parentHeader: Uint8Array;
  readonly blockRlp: Uint8Array;
  readonly witness: Uint8Array;
  readonly witnessParts: WitnessParts;
  /** The outcome of each transaction, in block order (a reverted call is still a valid transaction). */
  readonly txResults: readonly RunTxResult[];
}

export interface BuildOptions {
  readonly timestamp?: bigint;
  readonly parentBeaconBlockRoot?: Uint8Array;
  readonly coinbase?: string;
  /** The header's gas limit (the parent's by default; EXECUTE lets it move by almost a 1024th). */
  readonly gasLimit?: bigint;
  /** Build the block but leave the chain's head where it was (for blocks meant to be rejected). */
  readonly discard?: boolean;
  /**
   * The chain's write rules the witness is recorded under (`writeRuleAt` of the block; EXECUTE's
   * default when absent): a schedule, or one rule for the differential tests.
   */
  readonly writes?: WriteRules;
  /**
   * Add each transaction with EthereumJS's `addTransaction` as it is, a block of every transaction
   * so far made again for each (see `addTransactions`): what the faster default is checked against.
   */
  readonly plainAddTransaction?: boolean;
  /**
   * Run the builder on EthereumJS's account, code and storage caches, as the node's chain and the
   * devnet L1 run blocks. Without them (the default) every account and slot read walks the trie
   * from the root, and every write goes through at once: the builder then shares no write-path
   * code with the verifier's per-block writes (which are those caches), so its gas, receipts and
   * roots are an independent reference (attack-review-s24.md). For workloads whose subject is
   * cost, not that reference (tools/heavyBlocks.ts): a 1.5 Mgas block of deep call stacks builds
   * in 6.1–6.3 CPU s instead of 12.9–13.4, the same block and witness (fast-tests.md, round 31a).
   */
  readonly stateCaches?: boolean;
}

/**
 * Runs `txs` into `builder` in order. EthereumJS's `BlockBuilder.addTransaction` makes, as the run's
 * context, a block of every transaction added so far (`createBlock` constructs each one again,
 * copying its Common and rebuilding its parameters), so a block of n transactions constructed
 * n²/2 of them: 10.6 CPU s of the 300-transfer block of test/attacks/orderedTrieDifferential.
 * `runTx` reads only that block's header, so the builder holds an empty list while one transaction
 * runs and gets the transaction it added into its own list after; `build()` makes the block from
 * that list as before. Left as it is where the list's length counts (EIP-7928's access-list
 * index) or where the builder has no such list (another EthereumJS version).
 */
async function addTransactions(
  builder: BlockBuilder,
  txs: readonly TypedTransaction[],
  common: Common,
  plain: boolean,
): Promise<RunTxResult[]> {
  const results: RunTxResult[] = [];
  const held = builder as unknown as { transactions: unknown };
  const own = held.transactions;
  if (plain || !Array.isArray(own) || common.isActivatedEIP(7928)) {
    for (const tx of txs) results.push(await builder.addTransaction(tx));
    return results;
  }
  for (const tx of txs) {
    const added: TypedTransaction[] = [];
    held.transactions = added;
    try {
      results.push(await builder.addTransaction(tx));
    } finally {
      held.transactions = own;
      own.push(...added);
    }
  }
  return results;
}

/** BLOCKHASH's source for a run that must not read any ancestor (it throws). */
export const NO_BLOCKHASH: EVMMockBlockchainInterface = {
  async getBlock() {
    throw new Error("no BLOCKHASH here");
  },
  async putBlock() {},
  shallowCopy() {
    return this;
  },
} as unknown as EVMMockBlockchainInterface;

/** Below `maxVerifiableL2GasLimit()`: a larger gas limit is an invalid header (EXECUTE could not re-execute it in one L1 transaction). */
const GENESIS_GAS_LIMIT = 16_000_000n;
const GENESIS_BASE_FEE = 1_000_000_000n;
const GENESIS_TIMESTAMP = 1_700_000_000n;

/**
 * A minimal L2 chain for tests of the verifier: blocks are built on a full-state trie whose
 * reads are recorded, giving the witness a sequencer would ship.
 */
export class L2TestChain {
  private readonly headers: BlockHeader[] = [];

  private constructor(
    readonly common: Common,
    private readonly db: MapDB<string, StoredValue>,
    private head: Block,
  ) {
    this.first = head.header.number;
    this.headers.push(head.header);
  }

  /** The number of the chain's first block (0 unless created higher up). */
  private readonly first: bigint;

  /**
   * `options.number` puts the first block at that height (its state is the allocation): a
   * stand-in parent for tests of blocks far up the chain. `options.withSystemContracts: false`
   * leaves the fork's system contracts out (the allocation may then place its own).
   * `options.l1Common`: the L1 whose fork rules the L2 follows (EXECUTE's `common`); the default fork otherwise.
   */
  static async create(
    chainId: bigint,
    accounts: readonly TestAccount[],
    options: {
      number?: bigint;
      gasLimit?: bigint;
      withSystemContracts?: boolean;
      l1Common?: Common;
      /** Rewrites the genesis state in the chain's database and returns its new root (tools/witnessShapes.ts). */
      reshapeState?: (db: MapDB<string, StoredValue>, common: Common, stateRoot: Uint8Array) => Promise<Uint8Array>;
    } = {},
  ): Promise<L2TestChain> {
    const common = l2Common(chainId, options.l1Common);
    const db = new MapDB<string, StoredValue>();
    const state = new SafeMerkleStateManager({ common, trie: L2TestChain.trie(db, common) });
    const all: TestAccount[] = [
      ...(options.withSystemContracts === false
        ? []
        : SYSTEM_CONTRACTS.map((c) => ({ address: c.address, code: c.code }))),
      ...accounts,
    ];
    for (const account of all) {
      const address = createAddressFromString(account.address);
      await state.putAccount(address, new Account(account.code ? 1n : 0n, account.balance ?? 0n));
      if (account.code) await state.putCode(address, hexToBytes(account.code as `0x${string}`));
      for (const [slot, value] of Object.entries(account.storage ?? {})) {
        await state.putStorage(address, hexToBytes(slot as `0x${string}`), hexToBytes(value as `0x${string}`));
      }
    }
    await state.checkpoint();
    await state.commit();
    const stateRoot = await state.getStateRoot();
    const header = createBlockHeader(
      {
        number: options.number ?? 0n,
        gasLimit: options.gasLimit ?? GENESIS_GAS_LIMIT,
        baseFeePerGas: GENESIS_BASE_FEE,
        timestamp: GENESIS_TIMESTAMP,
        stateRoot: options.reshapeState === undefined ? stateRoot : await options.reshapeState(db, common, stateRoot),
        withdrawalsRoot: KECCAK256_RLP,
        blobGasUsed: 0n,
        excessBlobGas: 0n,
        parentBeaconBlockRoot: new Uint8Array(32),
        requestsHash: EMPTY_REQUESTS_HASH,
      },
      { common },
    );
    return new L2TestChain(common, db, createBlock({ header, withdrawals: [] }, { common }));
  }

  private static trie(db: MapDB<string, StoredValue>, common: Common): MerklePatriciaTrie {
    return new MerklePatriciaTrie({ db, useKeyHashing: true, common, valueEncoding: ValueEncoding.Bytes });
  }

  get latest(): Block {
    return this.head;
  }

  /** The full-state trie database (every node of every block's state). */
  get database(): MapDB<string, StoredValue> {
    return this.db;
  }

  /** The header of block `number` of this chain. */
  headerAt(number: bigint): BlockHeader {
    const header = this.headers[Number(number - this.first)];
    if (header === undefined) throw new Error(`block ${number} is not in this test chain`);
    return header;
  }

  /** Builds the next block from `txs` (all must be valid) and returns it with its witness. */
  async buildBlock(txs: readonly TypedTransaction[], options: BuildOptions = {}): Promise<BuiltBlock> {
    const parent = this.head;
    const stateManager = new SafeMerkleStateManager({
      common: this.common,
      trie: L2TestChain.trie(this.db, this.common),
      ...(options.stateCaches === true ? { caches: new Caches() } : {}),
    });
    await stateManager.setStateRoot(parent.header.stateRoot);
    const vm = await createVM({
      common: this.common,
      stateManager,
      blockchain: this.ancestry(parent.header).blockchain,
      evmOpts: evmOptions(),
    });
    const builder = await buildBlock(vm, {
      parentBlock: parent,
      headerData: {
        timestamp: options.timestamp ?? parent.header.timestamp + 1n,
        parentBeaconBlockRoot: options.parentBeaconBlockRoot ?? new Uint8Array(32),
        coinbase: createAddressFromString(options.coinbase ?? "0x00000000000000000000000000000000000000c0"),
        ...(options.gasLimit === undefined ? {} : { gasLimit: options.gasLimit }),
      },
      withdrawals: [],
      blockOpts: { putBlockIntoBlockchain: false },
    });
    const txResults = await addTransactions(builder, txs, this.common, options.plainAddTransaction === true);
    const { block } = await builder.build();
    const witnessParts = await this.witnessOf(block, parent.header, options.writes);
    if (options.discard !== true) {
      this.head = block;
      this.headers.push(block.header);
    }
    return {
      block,
      parentHeader: parent.header.serialize(),
      blockRlp: block.serialize(),
      witness: encodeWitness(witnessParts),
      witnessParts,
      txResults,
    };
  }

  /**
   * The witness EXECUTE needs for `block` on `parent`: what EXECUTE's own run reads (recorded as the
   * node's captureWitness records it), not the builder's reads, since the order of trie writes
   * decides which sibling a branch collapse reads. `writes`: the write rules recorded under (the
   * block's rule by `writeRuleAt`; EXECUTE's default when absent): the differential tests record
   * one block under each rule.
   */
  async witnessOf(block: Block, parent: BlockHeader, writes?: WriteRules): Promise<WitnessParts> {
    const { blockchain, lowestRead } = this.ancestry(parent);
    const { recording } = await recordVerifierRun({
      common: this.common,
      db: this.db,
      preStateRoot: parent.stateRoot,
      block,
      blockchain,
      writes,
    });
    // BLOCKHASH authenticates an ancestor through every header between it and the parent.
    const ancestors = this.headers
      .slice(Number(lowestRead() - this.first), Number(parent.number - this.first))
      .map((h) => h.serialize());
    return recording.toWitness(ancestors);
  }

  /** BLOCKHASH's view of this chain below `parent`, and the lowest block number it was asked for. */
  private ancestry(parent: BlockHeader): { blockchain: EVMMockBlockchainInterface; lowestRead: () => bigint } {
    let lowest = parent.number;
    const headers = this.headers;
    const first = this.first;
    const blockchain = {
      async getBlock(n: number | bigint) {
        const header = headers[Number(BigInt(n) - first)];
        if (header === undefined) throw new Error(`no block ${n}`);
        if (BigInt(n) < lowest) lowest = BigInt(n);
        return { hash: () => header.hash(), header };
      },
      async putBlock() {},
      shallowCopy() {
        return this;
      },
    };
    return { blockchain: blockchain as unknown as EVMMockBlockchainInterface, lowestRead: () => lowest };
  }

  /** A state manager over the state of block `number` (default: the head), for reads. */
  async stateAt(number: bigint = this.head.header.number): Promise<SafeMerkleStateManager> {
    const stateManager = new SafeMerkleStateManager({
      common: this.common,
      trie: L2TestChain.trie(this.db, this.common),
    });
    await stateManager.setStateRoot(this.headerAt(number).stateRoot);
    return stateManager;
  }

  /** The EIP-1186 proof (`eth_getProof`) of `address` and its storage `slots` at block `number` (default: the head). */
  async getProof(address: string, slots: readonly string[] = [], number?: bigint): Promise<Proof> {
    const stateManager = await this.stateAt(number);
    return getMerkleStateProof(
      stateManager,
      createAddressFromString(address),
      slots.map((slot) => hexToBytes(slot as `0x${string}`)),
    );
  }
}
