import { Hardfork } from "@ethereumjs/common";
import { RLP } from "@ethereumjs/rlp";
import {
  Account,
  type Address,
  KECCAK256_NULL,
  KECCAK256_RLP,
  ValueEncoding,
  bytesToHex,
  createAddressFromString,
} from "@ethereumjs/util";
import { expect } from "chai";

import {
  type InMemoryWritesDB,
  MissingWitnessDataError,
  SafeMerkleStateManager,
  genesisForkCommon,
} from "../../precompiles";
import { DecodedAccountElement } from "../../precompiles/decodedAccountCache";
import { DecodedNodeTrie } from "../../precompiles/decodedNodeTrie";
import { BlockBufferedStateManager, ChangedEntriesStateManager } from "../../precompiles/verifierStateManager";
import { type Corpus, Rng, buildCorpus } from "../../tools/executeFuzz";
import { STORE_ADDRESS, STORE_AND_LOG_CODE, TestSigner, storeCall, word } from "../../tools/l2Fixtures";
import { L2TestChain } from "../../tools/l2TestChain";
import { compareVerdictsWith, verdictOf } from "../support/verifyVerdict";
import { BuildDB, ReadSetDB } from "../support/readSetDb";

/**
 * `DecodedAccountCache` (precompiles/decodedAccountCache.ts): the per-block state managers with cached
 * accounts kept decoded against the same managers with EthereumJS's `AccountCache` (accounts kept as
 * RLP): the same answers, errors, roots and witness reads over random operations, and the same
 * `verifyBlock` verdict and message on the fuzz corpus, its mutation cases and hand-made blocks.
 */

const common = genesisForkCommon(908n, { hardfork: Hardfork.Osaka });
const SEED = 20261129;
const CASES = Number(process.env.DECODED_ACCOUNTS_DIFFERENTIAL_CASES ?? 150);
const ADDRESSES: readonly Address[] = Array.from({ length: 8 }, (_, i) =>
  createAddressFromString(`0x${(0xacc0 + i).toString(16).padStart(40, "0")}`),
);
const SLOTS: readonly Uint8Array[] = Array.from({ length: 4 }, (_, i) => {
  const slot = new Uint8Array(32);
  slot[31] = i + 1;
  return slot;
});
const CODE_HASH = new Uint8Array(32).fill(0xcd);

function trieOn(db: InMemoryWritesDB): DecodedNodeTrie {
  return new DecodedNodeTrie({ db, useKeyHashing: true, common, valueEncoding: ValueEncoding.Bytes });
}

/** A pre-state of the first 6 addresses (nonces and balances of every size class, some storage). */
async function preState(rng: Rng): Promise<{ root: Uint8Array; nodes: Uint8Array[] }> {
  const db = new BuildDB();
  const state = new SafeMerkleStateManager({ trie: trieOn(db), common });
  for (const address of ADDRESSES.slice(0, 6)) {
    await state.putAccount(
      address,
      new Account(BigInt(rng.int(3)), rng.next() < 0.3 ? 0n : 2n ** BigInt(rng.int(200))),
    );
    if (rng.next() < 0.5) for (const slot of SLOTS) await state.putStorage(address, slot, rng.bytes(1 + rng.int(32)));
  }
  return { root: await state.getStateRoot(), nodes: db.nodes() };
}

/** Every field a caller can read from an account, the ones the RLP round trip drops included. */
function accountView(account: Account | undefined): string {
  if (account === undefined) return "absent";
  const fields = account as unknown as { _codeSize: unknown; _version: unknown };
  return `${bytesToHex(account.serialize())} codeSize ${fields._codeSize} version ${fields._version} contract ${account.isContract()} empty ${account.isEmpty()}`;
}

type Operation = (state: SafeMerkleStateManager) => Promise<string>;

/** An account to write: ordinary, or one the decoded cache must leave to upstream's path. */
function accountToWrite(rng: Rng): () => Account {
  const roll = rng.next();
  const nonce = BigInt(rng.int(4));
  const balance = rng.next() < 0.2 ? 0n : 2n ** BigInt(rng.int(260)) + BigInt(rng.int(7));
  // Fresh arrays: the constructor's defaults are the library's constants, which an edit in place would change.
  const fresh = () => new Account(nonce, balance, KECCAK256_RLP.slice(), KECCAK256_NULL.slice());
  if (roll < 0.6) return fresh;
  if (roll < 0.75) return () => new Account(nonce, balance, KECCAK256_RLP.slice(), CODE_HASH.slice(), 17, 3);
  if (roll < 0.85)
    return () => {
      const account = fresh();
      account.balance = -1n - balance; // a negative balance: upstream's serialize decides
      return account;
    };
  if (roll < 0.93)
    return () => {
      const account = fresh();
      account.storageRoot = new Uint8Array(31); // the wrong length: upstream's decode refuses it on read
      return account;
    };
  return () => {
    const account = fresh();
    (account as unknown as { _nonce: unknown })._nonce = Number(nonce); // not a bigint
    return account;
  };
}

function drawOperation(rng: Rng, depth: { value: number }): Operation {
  const address = rng.pick(ADDRESSES);
  const slot = rng.pick(SLOTS);
  const roll = rng.next();
  if (roll < 0.25)
    return async (state) => {
      const account = await state.getAccount(address);
      const view = accountView(account);
      // The caller edits what it got: the next read must not see it.
      if (account !== undefined) {
        account.nonce += 1n;
        account.codeHash.fill(7);
        account.storageRoot.fill(9);
      }
      return `account ${view}`;
    };
  if (roll < 0.45) {
    const make = accountToWrite(rng);
    const editAfter = rng.next() < 0.5;
    return async (state) => {
      const account = make();
      await state.putAccount(address, account);
      // An edit after the write must not reach the cache.
      if (editAfter) {
        account.balance += 5n;
        account.codeHash = new Uint8Array(32).fill(1);
        (account as unknown as { _storageRoot: Uint8Array })._storageRoot.fill(3);
      }
      return "put account";
    };
  }
  if (roll < 0.55) {
    const nonce = BigInt(rng.int(9));
    return async (state) => {
      await state.modifyAccountFields(address, { nonce });
      return "modify account";
    };
  }
  if (roll < 0.62) return async (state) => `slot ${bytesToHex(await state.getStorage(address, slot))}`;
  if (roll < 0.7) {
    const value = rng.bytes(1 + rng.int(32));
    return async (state) => {
      await state.putStorage(address, slot, value);
      return "put slot";
    };
  }
  if (roll < 0.75)
    return async (state) => {
      await state.deleteAccount(address);
      return "delete account";
    };
  if (roll < 0.86) {
    depth.value++;
    return async (state) => {
      await state.checkpoint();
      return "checkpoint";
    };
  }
  if (roll < 0.96 && depth.value > 0) {
    depth.value--;
    const revert = rng.next() < 0.5;
    return async (state) => {
      await (revert ? state.revert() : state.commit());
      return revert ? "revert" : "commit";
    };
  }
  return async (state) => `root ${bytesToHex(await state.getStateRoot())}`;
}

type Manager = typeof BlockBufferedStateManager | typeof ChangedEntriesStateManager;

/** Runs `operations` as the verifier would (stopping at the first missing witness node); every answer and error. */
async function run(
  Manager: Manager,
  decodedAccounts: boolean,
  root: Uint8Array,
  nodes: Uint8Array[],
  operations: readonly Operation[],
): Promise<{ answers: string[]; read: string[]; missing: readonly string[]; decodedElements: number }> {
  const db = new ReadSetDB(nodes);
  const state = new Manager({ trie: trieOn(db), common, decodedAccounts });
  const answers: string[] = [];
  let decodedElements = 0;
  try {
    await state.setStateRoot(root);
    for (const operation of operations) {
      try {
        answers.push(await operation(state));
      } catch (error) {
        if (error instanceof MissingWitnessDataError) throw error;
        answers.push(`error ${(error as Error).message}`);
      }
      const caches = (state as unknown as { _caches: { account: { get(a: Address): unknown } } })._caches;
      for (const address of ADDRESSES)
        if (caches.account.get(address) instanceof DecodedAccountElement) decodedElements++;
    }
    while (depth(state) > 0) answers.push(await commitOrError(state));
    answers.push(`final root ${bytesToHex(await state.getStateRoot())}`);
  } catch (error) {
    answers.push(`missing: ${(error as Error).message}`);
  }
  return { answers, read: [...db.read].sort(), missing: db.missing, decodedElements };
}

function depth(state: SafeMerkleStateManager): number {
  return (state as unknown as { _checkpointCount: number })._checkpointCount;
}

async function commitOrError(state: SafeMerkleStateManager): Promise<string> {
  try {
    await state.commit();
    return "commit";
  } catch (error) {
    return `error ${(error as Error).message}`;
  }
}

describe("DecodedAccountCache: accounts kept decoded, everything else as EthereumJS's AccountCache", () => {
  for (const Manager of [BlockBufferedStateManager, ChangedEntriesStateManager]) {
    it(`${Manager.name}: every answer, error, root and witness read over random operations`, async function () {
      this.timeout(180_000);
      let incomplete = 0;
      let decodedElements = 0;
      let errors = 0;
      for (let trial = 0; trial < 60; trial++) {
        const rng = new Rng(29_000 + trial);
        const { root, nodes } = await preState(rng);
        // A third of the trials on a witness lacking some nodes: the first missing read must match.
        const witness = trial % 3 === 0 ? nodes.filter(() => rng.next() > 0.1) : nodes;
        const level = { value: 0 };
        const operations = Array.from({ length: 120 }, () => drawOperation(rng, level));
        const upstream = await run(Manager, false, root, witness, operations);
        const decoded = await run(Manager, true, root, witness, operations);
        expect(decoded.answers, `trial ${trial}`).to.deep.equal(upstream.answers);
        expect(decoded.read, `trial ${trial}: witness keys read`).to.deep.equal(upstream.read);
        expect(decoded.missing.slice(0, 1), `trial ${trial}: first missing key`).to.deep.equal(
          upstream.missing.slice(0, 1),
        );
        expect(upstream.decodedElements, "the baseline holds no decoded element").to.equal(0);
        decodedElements += decoded.decodedElements;
        if (upstream.missing.length > 0) incomplete++;
        errors += upstream.answers.filter((a) => a.startsWith("error")).length;
      }
      // Not vacuous: the decoded path ran, some runs hit a missing node, and upstream's errors were compared.
      expect(decodedElements).to.be.greaterThan(1000);
      expect(incomplete).to.be.greaterThan(3);
      expect(errors).to.be.greaterThan(10);
    });
  }
});

describe("verifyBlock with accounts kept decoded and with EthereumJS's account cache", () => {
  let corpus: Corpus;
  before(async function () {
    this.timeout(180_000);
    corpus = await buildCorpus();
  });

  it(`the corpus and ${CASES} mutation fuzz cases: the same verdict and message`, async function () {
    this.timeout(600_000);
    const entries = [...corpus.entries, ...corpus.brokenSystemContracts];
    const seen = await compareVerdictsWith({ decodedAccounts: false }, corpus, entries, SEED, CASES);
    expect(seen.get("valid") ?? 0, JSON.stringify([...seen])).to.be.greaterThan(0);
    expect(seen.size, JSON.stringify([...seen])).to.be.greaterThanOrEqual(4);
  });

  it("a block that creates, edits and empties accounts: the same verdict without each witness node and with a lying header", async function () {
    this.timeout(300_000);
    const chainId = 909n;
    const probe = await L2TestChain.create(chainId, []);
    const alice = TestSigner.fromSeed(3, probe.common);
    const chain = await L2TestChain.create(chainId, [
      { address: alice.address.toString(), balance: 10n ** 20n },
      { address: STORE_ADDRESS, code: STORE_AND_LOG_CODE, storage: { [`0x${word(1)}`]: "0x01" } },
    ]);
    const signer = TestSigner.fromSeed(3, chain.common);
    const built = await chain.buildBlock([
      signer.tx({ to: STORE_ADDRESS, data: storeCall(1n, 5n), gasLimit: 100_000n }),
      signer.tx({ to: `0x${"ab".repeat(20)}`, value: 1n, gasLimit: 21_000n }),
      signer.tx({ to: `0x${"cd".repeat(20)}`, value: 0n, gasLimit: 21_000n }),
      signer.tx({ to: `0x${"ab".repeat(20)}`, value: 2n, gasLimit: 21_000n }),
    ]);
    const params = { chainId, parentHeader: built.parentHeader, block: built.blockRlp, witness: built.witness };
    const valid = await verdictOf(params);
    expect(valid.verdict, valid.detail).to.equal("valid");
    expect(await verdictOf({ ...params, decodedAccounts: false })).to.deep.equal(valid);
    // A header claiming another state root: the same StateRootMismatch and message.
    const header = RLP.decode(built.blockRlp) as unknown as Uint8Array[][];
    const lying = RLP.encode([
      header[0].map((field, i) => (i === 3 ? new Uint8Array(32).fill(1) : field)),
      ...header.slice(1),
    ]);
    const mismatch = await verdictOf({ ...params, block: lying });
    expect(mismatch).to.deep.equal(await verdictOf({ ...params, block: lying, decodedAccounts: false }));
    expect(mismatch.verdict).to.equal("StateRootMismatch");
    const [state, codes, headers] = RLP.decode(built.witness) as Uint8Array[][];
    let incomplete = 0;
    for (let drop = 0; drop < state.length; drop++) {
      const witness = RLP.encode([state.filter((_, i) => i !== drop), codes, headers]);
      const upstream = await verdictOf({ ...params, witness, decodedAccounts: false });
      expect(await verdictOf({ ...params, witness }), `without node ${drop}`).to.deep.equal(upstream);
      if (upstream.verdict === "WitnessIncomplete") incomplete++;
    }
    expect(incomplete).to.be.greaterThan(0);
  });
});
