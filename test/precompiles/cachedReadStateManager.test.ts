import { Common, Hardfork } from "@ethereumjs/common";
import { RLP } from "@ethereumjs/rlp";
import { Account, type Address, ValueEncoding, bytesToHex, createAddressFromString } from "@ethereumjs/util";
import { expect } from "chai";

import {
  ExecuteError,
  type InMemoryWritesDB,
  MissingWitnessDataError,
  SafeMerkleStateManager,
  decodeExecuteInput,
  genesisForkCommon,
  verifyBlock,
} from "../../precompiles";
import { CachedReadStateManager } from "../../precompiles/cachedReadStateManager";
import { DecodedNodeTrie } from "../../precompiles/decodedNodeTrie";
import { executionView } from "../../precompiles/verifyBlock";
import { type Corpus, Rng, buildCorpus, makeCase } from "../../tools/executeFuzz";
import { STORE_ADDRESS, STORE_AND_LOG_CODE, TestSigner, storeCall, word } from "../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../../tools/l2TestChain";
import { BuildDB, ReadSetDB } from "../support/readSetDb";

const common = genesisForkCommon(906n, { hardfork: Hardfork.Osaka });
const ADDRESSES: readonly Address[] = Array.from({ length: 10 }, (_, i) =>
  createAddressFromString(`0x${(0xa11ce00 + i).toString(16).padStart(40, "0")}`),
);
const SLOTS: readonly Uint8Array[] = Array.from({ length: 6 }, (_, i) => {
  const slot = new Uint8Array(32);
  slot[31] = i;
  slot[0] = i * 37;
  return slot;
});

function trieOn(db: InMemoryWritesDB): DecodedNodeTrie {
  return new DecodedNodeTrie({ db, useKeyHashing: true, common, valueEncoding: ValueEncoding.Bytes });
}

/** A pre-state of the first 7 addresses, some with storage: its root and every trie node. */
async function preState(rng: Rng): Promise<{ root: Uint8Array; nodes: Uint8Array[] }> {
  const db = new BuildDB();
  const state = new SafeMerkleStateManager({ trie: trieOn(db), common });
  for (const address of ADDRESSES.slice(0, 7)) {
    await state.putAccount(address, new Account(BigInt(rng.int(5)), BigInt(rng.int(1000))));
    if (rng.next() < 0.6) {
      for (const slot of SLOTS) if (rng.next() < 0.7) await state.putStorage(address, slot, rng.bytes(1 + rng.int(32)));
    }
  }
  return { root: await state.getStateRoot(), nodes: db.nodes() };
}

/** One state operation, drawn from `rng`; the same draws give the same operation on either manager. */
type Operation = (state: SafeMerkleStateManager) => Promise<string>;

function drawOperation(rng: Rng, depth: { value: number }): Operation {
  const address = rng.pick(ADDRESSES);
  const slot = rng.pick(SLOTS);
  const roll = rng.next();
  if (roll < 0.2)
    return async (state) => {
      const account = await state.getAccount(address);
      // The caller edits what it got: the next read must not see it.
      if (account !== undefined) account.balance += 1n;
      return `account ${account === undefined ? "absent" : bytesToHex(account.serialize())}`;
    };
  if (roll < 0.4) return async (state) => `slot ${bytesToHex(await state.getStorage(address, slot))}`;
  if (roll < 0.55) {
    const value = rng.next() < 0.25 ? new Uint8Array(rng.int(3)) : rng.bytes(1 + rng.int(32));
    if (value.length > 1 && rng.next() < 0.3) value[0] = 0; // leading zero: stored unpadded
    return async (state) => {
      await state.putStorage(address, slot, value);
      return "put slot";
    };
  }
  if (roll < 0.65) {
    const balance = BigInt(rng.int(1000));
    const fresh = rng.next() < 0.3;
    return async (state) => {
      if (fresh) await state.putAccount(address, new Account(0n, balance));
      else await state.modifyAccountFields(address, { balance });
      return "put account";
    };
  }
  if (roll < 0.7)
    return async (state) => {
      await state.deleteAccount(address);
      return "delete account";
    };
  if (roll < 0.74)
    return async (state) => {
      await state.clearStorage(address);
      return "clear storage";
    };
  if (roll < 0.84) {
    depth.value++;
    return async (state) => {
      await state.checkpoint();
      return "checkpoint";
    };
  }
  if (roll < 0.95 && depth.value > 0) {
    depth.value--;
    const revert = rng.next() < 0.5;
    return async (state) => {
      await (revert ? state.revert() : state.commit());
      return revert ? "revert" : "commit";
    };
  }
  return async (state) => `root ${bytesToHex(await state.getStateRoot())}`;
}

/**
 * Runs `operations` from `root` over a witness of `nodes`, as the verifier would: it stops at the
 * first missing witness node. Returns each operation's answer or error, the final root, and the
 * set of witness keys read.
 */
async function run(
  cached: boolean,
  root: Uint8Array,
  nodes: Uint8Array[],
  operations: readonly Operation[],
): Promise<{ answers: string[]; read: string[]; missing: readonly string[] }> {
  const db = new ReadSetDB(nodes);
  const options = { trie: trieOn(db), common };
  const state = cached ? new CachedReadStateManager(options) : new SafeMerkleStateManager(options);
  const answers: string[] = [];
  try {
    await state.setStateRoot(root);
    for (const operation of operations) {
      try {
        answers.push(await operation(state));
      } catch (error) {
        if (error instanceof MissingWitnessDataError) throw error;
        answers.push(`error ${(error as Error).message}`);
      }
    }
    answers.push(`final root ${bytesToHex(await state.getStateRoot())}`);
  } catch (error) {
    answers.push(`missing: ${(error as Error).message}`);
  }
  return { answers, read: [...db.read].sort(), missing: db.missing };
}

describe("CachedReadStateManager: repeated reads from memory, everything else as the uncached state manager", () => {
  it("gives every answer, error, root and witness read of the uncached manager over random operations", async function () {
    this.timeout(120_000);
    let cachedReads = 0;
    let uncachedReads = 0;
    let incomplete = 0;
    for (let trial = 0; trial < 80; trial++) {
      const rng = new Rng(7_000 + trial);
      const { root, nodes } = await preState(rng);
      // A third of the trials run on a witness lacking some nodes: the first missing read must match.
      const witness = trial % 3 === 0 ? nodes.filter(() => rng.next() > 0.08) : nodes;
      const depth = { value: 0 };
      const operations = Array.from({ length: 160 }, () => drawOperation(rng, depth));
      const uncached = await run(false, root, witness, operations);
      const cached = await run(true, root, witness, operations);
      expect(cached.answers, `trial ${trial}`).to.deep.equal(uncached.answers);
      expect(cached.read, `trial ${trial}: witness keys read`).to.deep.equal(uncached.read);
      expect(cached.missing.slice(0, 1), `trial ${trial}: first missing key`).to.deep.equal(
        uncached.missing.slice(0, 1),
      );
      cachedReads += cached.read.length;
      uncachedReads += uncached.read.length;
      if (uncached.missing.length > 0) incomplete++;
    }
    // The trials exercised both outcomes.
    expect(incomplete).to.be.greaterThan(5);
    expect(cachedReads).to.equal(uncachedReads);
  });

  it("skips repeated trie reads: a second read of the same account and slot reads no trie node", async () => {
    const { root, nodes } = await preState(new Rng(1));
    const db = new ReadSetDB(nodes);
    let gets = 0;
    const trie = trieOn(db);
    const get = trie.get.bind(trie);
    trie.get = (key, throwIfMissing) => {
      gets++;
      return get(key, throwIfMissing);
    };
    const state = new CachedReadStateManager({ trie, common });
    await state.setStateRoot(root);
    await state.getStorage(ADDRESSES[0], SLOTS[0]);
    const afterFirst = gets;
    await state.getAccount(ADDRESSES[0]);
    await state.getStorage(ADDRESSES[0], SLOTS[0]);
    expect(afterFirst).to.be.greaterThan(0);
    expect(gets).to.equal(afterFirst);
  });
});

/** A verification's outcome as EXECUTE reports it: the block hash, or the error's code and reason. */
async function outcome(input: Uint8Array, cacheStateReads: boolean): Promise<string> {
  let params: ReturnType<typeof decodeExecuteInput>;
  try {
    params = decodeExecuteInput(input);
  } catch {
    return "input does not decode";
  }
  try {
    const result = await verifyBlock({ ...params, cacheStateReads, writes: "write-through" });
    return `valid ${bytesToHex(result.blockHash)} ${bytesToHex(result.stateRoot)}`;
  } catch (error) {
    if (error instanceof ExecuteError) return `invalid ${error.code}: ${error.message}`;
    throw error;
  }
}

describe("verifyBlock with and without the state read cache", () => {
  let corpus: Corpus;
  before(async function () {
    this.timeout(180_000);
    corpus = await buildCorpus();
  });

  it("gives the same result or the same error code and reason on every fuzz case", async function () {
    this.timeout(300_000);
    const seen = new Set<string>();
    for (const entry of corpus.entries) {
      expect(await outcome(entry.input, true)).to.equal(await outcome(entry.input, false));
    }
    for (let index = 0; index < 150; index++) {
      const c = makeCase(corpus, 20261128, index);
      const uncached = await outcome(c.input, false);
      expect(await outcome(c.input, true), `case ${index} (${c.kind}: ${c.description})`).to.equal(uncached);
      seen.add(uncached.split(":")[0].split(" 0x")[0]);
    }
    // Valid blocks and several kinds of invalid ones were compared.
    expect([...seen].filter((s) => s.startsWith("invalid")).length).to.be.greaterThan(4);
    expect(seen.has("valid")).to.equal(true);
  });
});

const BLOCK_CHAIN_ID = 907n;
const ONE_ETH = 10n ** 18n;

/** A block that reads, writes and deletes storage and moves ether, with its witness. */
async function storageBlock(): Promise<BuiltBlock> {
  const probe = await L2TestChain.create(BLOCK_CHAIN_ID, []);
  const alice = TestSigner.fromSeed(1, probe.common);
  const chain = await L2TestChain.create(BLOCK_CHAIN_ID, [
    { address: alice.address.toString(), balance: 100n * ONE_ETH },
    {
      address: STORE_ADDRESS,
      code: STORE_AND_LOG_CODE,
      storage: { [`0x${word(1)}`]: "0x01", [`0x${word(2)}`]: "0x02", [`0x${word(3)}`]: "0x03" },
    },
  ]);
  const signer = TestSigner.fromSeed(1, chain.common);
  return chain.buildBlock(
    [
      signer.tx({ to: STORE_ADDRESS, data: storeCall(1n, 0n), gasLimit: 100_000n }),
      signer.tx({ to: STORE_ADDRESS, data: storeCall(4n, 9n), gasLimit: 100_000n }),
      signer.tx({ to: STORE_ADDRESS, data: storeCall(4n, 0n), gasLimit: 100_000n }),
      signer.tx({ to: `0x${"ab".repeat(20)}`, value: 1n, gasLimit: 21_000n }),
    ],
    { writes: "write-through" },
  );
}

async function blockOutcome(built: BuiltBlock, witness: Uint8Array, cacheStateReads: boolean): Promise<string> {
  try {
    const result = await verifyBlock({
      chainId: BLOCK_CHAIN_ID,
      parentHeader: built.parentHeader,
      block: built.blockRlp,
      witness,
      cacheStateReads,
      writes: "write-through",
    });
    return `valid ${bytesToHex(result.blockHash)}`;
  } catch (error) {
    if (error instanceof ExecuteError) return `invalid ${error.code}: ${error.message}`;
    throw error;
  }
}

describe("verifyBlock's overheads", () => {
  it("the state read cache needs the same witness: dropping any one node gives the same outcome with and without it", async function () {
    this.timeout(120_000);
    const built = await storageBlock();
    const valid = await blockOutcome(built, built.witness, true);
    expect(valid.startsWith("valid ")).to.equal(true);
    expect(await blockOutcome(built, built.witness, false)).to.equal(valid);
    const [state, codes, headers] = RLP.decode(built.witness) as Uint8Array[][];
    let incomplete = 0;
    for (let drop = 0; drop < state.length; drop++) {
      const witness = RLP.encode([state.filter((_, i) => i !== drop), codes, headers]);
      const uncached = await blockOutcome(built, witness, false);
      expect(await blockOutcome(built, witness, true), `without node ${drop}`).to.equal(uncached);
      if (uncached.startsWith("invalid")) incomplete++;
    }
    expect(incomplete).to.be.greaterThan(0);
  });

  it("runBlock's view of the block copies nothing when spread and reads as the block", async () => {
    const built = await storageBlock();
    const view = executionView(built.block);
    expect(Object.keys({ ...view })).to.deep.equal([]);
    expect(view.header).to.equal(built.block.header);
    expect(view.transactions).to.equal(built.block.transactions);
    expect(view.hash()).to.deep.equal(built.block.hash());
    expect(view.errorStr()).to.equal(built.block.errorStr());
  });

  it("a verification merges the transaction parameters into a Common once per transaction, not twice", async () => {
    const built = await storageBlock();
    const updateParams = Common.prototype.updateParams;
    let merges = 0;
    Common.prototype.updateParams = function (this: Common, params) {
      merges++;
      return updateParams.call(this, params);
    };
    try {
      await blockOutcome(built, built.witness, true);
    } finally {
      Common.prototype.updateParams = updateParams;
    }
    // One per decoded transaction, plus six: the headers, the VM, the EVM, runBlock's rebuilt header.
    const transactions = built.block.transactions.length;
    expect(merges).to.be.lessThan(2 * transactions + 4);
    expect(merges).to.be.at.least(transactions);
  });
});
