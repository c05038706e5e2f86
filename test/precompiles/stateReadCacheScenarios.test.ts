import { Hardfork } from "@ethereumjs/common";
import { RLP } from "@ethereumjs/rlp";
import { Account, ValueEncoding, bytesToHex, createAddressFromString } from "@ethereumjs/util";
import { expect } from "chai";

import {
  EMPTY_REQUESTS_HASH,
  InMemoryWritesDB,
  SafeMerkleStateManager,
  type StoredValue,
  WitnessDB,
  encodeWitness,
  genesisForkCommon,
  keyOf,
} from "../../precompiles";
import { CachedReadStateManager } from "../../precompiles/cachedReadStateManager";
import { DecodedNodeTrie } from "../../precompiles/decodedNodeTrie";
import { keccak256 } from "../../precompiles/crypto";
import { STORE_ADDRESS, STORE_AND_LOG_CODE, TestSigner, storeCall, tamperBlock } from "../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain, type TestAccount } from "../../tools/l2TestChain";
import { asm, callTo, push, storeTop } from "../../tools/evmAsm";
import { type VerifierModes, compareModes, witnessesWithOneDropped } from "../../tools/verifierOutcomes";

/**
 * Adversarial review of the verifier's state read cache (CachedReadStateManager) and of runBlock's
 * view of the block (executionView): blocks built on purpose around the reads a cache could get
 * wrong — storage read after a reverted call frame or transaction, a contract self-destructed and
 * re-created at the same address in one block, EIP-7702 delegations set and cleared, EIP-7002
 * requests queued by a transaction and read back by the end-of-block system call. The blocks are
 * built by the uncached block builder (L2TestChain); each must verify identically with and without
 * the cache, tampered with or not, and with every witness node dropped in turn.
 */

const CHAIN_ID = 911n;
const ONE_ETH = 10n ** 18n;

const p = push;
const call = callTo;

const REVERTER = "0x00000000000000000000000000000000000e7e47";
const CALLS = "0x00000000000000000000000000000000000ca115";
const FACTORY = "0x0000000000000000000000000000000000fac701";

/**
 * No calldata: slot 1 = 0x22, slot 2 = slot 1, then REVERT. Calldata: slot 3 = slot 1, slot 4 =
 * slot 2 (what the reverted writes must not have left).
 */
const REVERTER_CODE = asm([
  "CALLDATASIZE",
  { jump: "read" },
  "JUMPI",
  p(0x22),
  ...storeTop(1),
  p(1),
  "SLOAD",
  ...storeTop(2),
  p(0),
  p(0),
  "REVERT",
  { label: "read" },
  p(1),
  "SLOAD",
  ...storeTop(3),
  p(2),
  "SLOAD",
  ...storeTop(4),
  "STOP",
]);

/** slot 1 = 0x11; a call with 1 wei into the reverter's reverting path; a call into its read path; slot 5 = slot 1. */
const CALLS_CODE = asm([
  p(0x11),
  ...storeTop(1),
  ...call(REVERTER, 1, 0),
  ...call(REVERTER, 0, 1),
  p(1),
  "SLOAD",
  ...storeTop(5),
  "STOP",
]);

/** The child's runtime: no calldata → SELFDESTRUCT to the caller; else slot 2 = slot 0, slot 3 = slot 1. */
const CHILD_RUNTIME = asm([
  "CALLDATASIZE",
  { jump: "read" },
  "JUMPI",
  "CALLER",
  "SELFDESTRUCT",
  { label: "read" },
  p(0),
  "SLOAD",
  ...storeTop(2),
  p(1),
  "SLOAD",
  ...storeTop(3),
  "STOP",
]);

/** The child's constructor: slot 1 = slot 0 + 1 (0 + 1 on a fresh account), slot 0 = 0x77; returns CHILD_RUNTIME. */
const CHILD_INITCODE = (() => {
  const runtimeLength = CHILD_RUNTIME.length / 2;
  const head = (offset: number): string =>
    asm([
      p(0),
      "SLOAD",
      p(1),
      "ADD",
      ...storeTop(1),
      p(0x77),
      ...storeTop(0),
      p(runtimeLength),
      p(offset),
      p(0),
      "CODECOPY",
      p(runtimeLength),
      p(0),
      "RETURN",
    ]);
  return head(head(0).length / 2) + CHILD_RUNTIME;
})();

/**
 * CREATE2 (salt 0) of CHILD_INITCODE (appended to this code); slot 0 = the child's address (0 on a
 * collision); no calldata → calls the child, which self-destructs in the transaction that created it.
 */
const FACTORY_CODE = (() => {
  const initLength = CHILD_INITCODE.length / 2;
  const body = (offset: number): string =>
    asm([
      p(initLength),
      p(offset),
      p(0),
      "CODECOPY",
      p(0),
      p(initLength),
      p(0),
      p(0),
      "CREATE2",
      "DUP1",
      ...storeTop(0),
      "CALLDATASIZE",
      { jump: "skip" },
      "JUMPI",
      p(0),
      p(0),
      p(0),
      p(0),
      p(0),
      "DUP6",
      "GAS",
      "CALL",
      "POP",
      { label: "skip" },
      "POP",
      "STOP",
    ]);
  return body(body(0).length / 2) + CHILD_INITCODE;
})();

/** The CREATE2 address of the factory's child. */
function childAddress(): string {
  const initHash = keccak256(Buffer.from(CHILD_INITCODE, "hex"));
  const preimage = Buffer.concat([
    Buffer.from([0xff]),
    Buffer.from(FACTORY.slice(2), "hex"),
    Buffer.alloc(32),
    Buffer.from(initHash),
  ]);
  return `0x${Buffer.from(keccak256(preimage)).toString("hex").slice(24)}`;
}

async function chainWith(accounts: readonly TestAccount[]): Promise<{ chain: L2TestChain; alice: TestSigner }> {
  const probe = await L2TestChain.create(CHAIN_ID, []);
  const alice = TestSigner.fromSeed(21, probe.common);
  const chain = await L2TestChain.create(CHAIN_ID, [
    { address: alice.address.toString(), balance: 100n * ONE_ETH },
    ...accounts,
  ]);
  return { chain, alice: TestSigner.fromSeed(21, chain.common) };
}

/**
 * The modes compared on the witness the node records (per block, EXECUTE's write path): the
 * DecodedNodeTrie baseline, and the lazy trie (EXECUTE's default). The read cache is the block
 * buffer's own in this write path, so `cacheStateReads` does not apply.
 */
const PER_BLOCK_BASELINE: VerifierModes = { writes: "per-block", lazyTrieHashing: false };
const PER_BLOCK_OTHERS: readonly VerifierModes[] = [{ writes: "per-block", lazyTrieHashing: true }];
/** The write-through baseline (uncached, DecodedNodeTrie), and the read cache, the lazy trie, and both. */
const WRITE_THROUGH_BASELINE: VerifierModes = {
  writes: "write-through",
  cacheStateReads: false,
  lazyTrieHashing: false,
};
const WRITE_THROUGH_OTHERS: readonly VerifierModes[] = [
  { writes: "write-through", cacheStateReads: true, lazyTrieHashing: false },
  { writes: "write-through", cacheStateReads: false, lazyTrieHashing: true },
  { writes: "write-through", cacheStateReads: true, lazyTrieHashing: true },
];

/** The witness the write-through verifier needs for `built` (recorded by its own run). */
async function writeThroughWitness(chain: L2TestChain, built: BuiltBlock): Promise<Uint8Array> {
  const parent = chain.headerAt(built.block.header.number - 1n);
  return encodeWitness(await chain.witnessOf(built.block, parent, "write-through"));
}

/**
 * `block`'s outcome on the whole witness of each write path (per block on the recorded witness,
 * write-through on its own): every mode of a path agrees, and the two paths agree.
 */
async function wholeWitnessOutcome(
  built: BuiltBlock,
  block: Uint8Array,
  writeThrough: Uint8Array,
  label: string,
): Promise<string> {
  const perBlock = await compareModes(
    CHAIN_ID,
    built,
    block,
    [{ label: "whole witness", witness: built.witness }],
    PER_BLOCK_BASELINE,
    PER_BLOCK_OTHERS,
  );
  expect(perBlock.mismatches, label).to.eql([]);
  const through = await compareModes(
    CHAIN_ID,
    built,
    block,
    [{ label: "whole write-through witness", witness: writeThrough }],
    WRITE_THROUGH_BASELINE,
    WRITE_THROUGH_OTHERS,
  );
  expect(through.mismatches, `${label}, write-through`).to.eql([]);
  expect(through.outcomes[0], `${label}, write-through`).to.equal(perBlock.outcomes[0]);
  return perBlock.outcomes[0];
}

/**
 * The block verifies identically in every mode, each write path with the witness recorded for it
 * (the builder, L2TestChain, records per block and is the reference for receipts, gas and roots);
 * a wrong state root, gas used or receipts root is refused identically; each node or code of the
 * per-block witness dropped in turn gives the same outcome with and without the lazy trie, and
 * either the same acceptance or WitnessIncomplete, never another verdict; each node or code of the
 * write-through witness dropped in turn gives the same outcome with and without the read cache and
 * the lazy trie.
 */
async function expectSameVerdicts(chain: L2TestChain, built: BuiltBlock): Promise<void> {
  const writeThrough = await writeThroughWitness(chain, built);
  const accepted = await wholeWitnessOutcome(built, built.blockRlp, writeThrough, "the built block");
  expect(accepted, "the per-block verifier accepts the built block").to.match(/^valid /);
  const tampered = [
    tamperBlock(built.block, { stateRoot: new Uint8Array(32).fill(1) }),
    tamperBlock(built.block, { gasUsed: built.block.header.gasUsed - 1n }),
    tamperBlock(built.block, { receiptTrie: new Uint8Array(32).fill(2) }),
  ];
  for (const [i, block] of tampered.entries()) {
    expect(await wholeWitnessOutcome(built, block, writeThrough, `tampered ${i}`), `tampered ${i}`).to.match(
      /^invalid /,
    );
  }
  const variants = witnessesWithOneDropped(built.witness);
  const dropped = await compareModes(CHAIN_ID, built, built.blockRlp, variants, PER_BLOCK_BASELINE, PER_BLOCK_OTHERS);
  expect(dropped.mismatches).to.eql([]);
  for (const [i, without] of dropped.outcomes.entries())
    expect(
      without === accepted || without.startsWith("invalid 5: "),
      `per-block, ${variants[i].label}: ${without}`,
    ).to.equal(true);
  expect(dropped.outcomes.filter((o) => o.startsWith("invalid 5: ")).length).to.be.greaterThan(0);
  const droppedThrough = await compareModes(
    CHAIN_ID,
    built,
    built.blockRlp,
    witnessesWithOneDropped(writeThrough),
    WRITE_THROUGH_BASELINE,
    WRITE_THROUGH_OTHERS,
  );
  expect(droppedThrough.mismatches).to.eql([]);
  expect(droppedThrough.outcomes.filter((o) => o.startsWith("invalid")).length).to.be.greaterThan(0);
  await expectChangesAsPerBlock(chain, built, tampered, accepted);
}

/**
 * The per-block-changes rule (consensus-rules.md §5) on its own recorded witness: the per-block
 * outcome for the block and each tampered copy, with and without the lazy trie; its witness holds
 * no node the per-block one lacks; each of its nodes or codes dropped in turn gives the acceptance
 * or WitnessIncomplete, never another verdict.
 */
async function expectChangesAsPerBlock(
  chain: L2TestChain,
  built: BuiltBlock,
  tampered: readonly Uint8Array[],
  accepted: string,
): Promise<void> {
  const parent = chain.headerAt(built.block.header.number - 1n);
  const witness = encodeWitness(await chain.witnessOf(built.block, parent, "per-block-changes"));
  const modes: VerifierModes = { writes: "per-block-changes", lazyTrieHashing: false };
  const others: readonly VerifierModes[] = [{ writes: "per-block-changes", lazyTrieHashing: true }];
  for (const [label, block, expected] of [
    ["the built block", built.blockRlp, accepted] as const,
    ...tampered.map((t, i) => [`tampered ${i}`, t, undefined] as const),
  ]) {
    const perBlock = await compareModes(
      CHAIN_ID,
      built,
      block,
      [{ label, witness: built.witness }],
      PER_BLOCK_BASELINE,
      [],
    );
    const changes = await compareModes(CHAIN_ID, built, block, [{ label, witness }], modes, others);
    expect(changes.mismatches, label).to.eql([]);
    expect(changes.outcomes[0], `${label}, per-block-changes`).to.equal(expected ?? perBlock.outcomes[0]);
  }
  const nodes = (encoded: Uint8Array): string[] =>
    (RLP.decode(encoded) as Uint8Array[][])[0].map((node) => bytesToHex(node));
  const perBlockNodes = new Set(nodes(built.witness));
  expect(
    nodes(witness).filter((node) => !perBlockNodes.has(node)),
    "per-block-changes nodes per block lacks",
  ).to.eql([]);
  const dropped = await compareModes(CHAIN_ID, built, built.blockRlp, witnessesWithOneDropped(witness), modes, others);
  expect(dropped.mismatches).to.eql([]);
  for (const without of dropped.outcomes)
    expect(without === accepted || without.startsWith("invalid 5: "), `per-block-changes: ${without}`).to.equal(true);
}

function statusesOf(built: BuiltBlock): string[] {
  return built.txResults.map((r) => (r.execResult.exceptionError === undefined ? "ok" : "failed"));
}

describe("verifyBlock per block and write-through (with and without the state read cache), on blocks built around the caches' edge cases", () => {
  it("storage read after a reverted call frame, a reverted transaction and an out-of-gas transaction", async function () {
    this.timeout(300_000);
    const { chain, alice } = await chainWith([
      { address: REVERTER, code: `0x${REVERTER_CODE}`, storage: { [`0x${"00".repeat(31)}01`]: "0x05" } },
      { address: CALLS, code: `0x${CALLS_CODE}`, balance: 10n },
    ]);
    const built = await chain.buildBlock([
      alice.tx({ to: REVERTER }),
      alice.tx({ to: REVERTER, data: "0x01" }),
      alice.tx({ to: CALLS, gasLimit: 300_000n }),
      alice.tx({ to: REVERTER, data: "0x01" }),
      alice.tx({ to: REVERTER, gasLimit: 30_000n }),
      alice.tx({ to: CALLS, gasLimit: 300_000n }),
      alice.tx({ to: REVERTER, data: "0x01" }),
    ]);
    expect(statusesOf(built)).to.deep.equal(["failed", "ok", "ok", "ok", "failed", "ok", "ok"]);
    const state = await chain.stateAt();
    const slot = (n: number): Uint8Array => {
      const key = new Uint8Array(32);
      key[31] = n;
      return key;
    };
    // The reverted writes left nothing: the read path saw the pre-state's 5 and an empty slot 2.
    expect(bytesToHex(await state.getStorage(createAddressFromString(REVERTER), slot(3)))).to.equal("0x05");
    expect(bytesToHex(await state.getStorage(createAddressFromString(REVERTER), slot(4)))).to.equal("0x");
    expect(bytesToHex(await state.getStorage(createAddressFromString(CALLS), slot(5)))).to.equal("0x11");
    expect((await state.getAccount(createAddressFromString(CALLS)))?.balance).to.equal(10n);
    await expectSameVerdicts(chain, built);
  });

  it("a contract created, self-destructed, funded, re-created and read at the same address in one block", async function () {
    this.timeout(300_000);
    const { chain, alice } = await chainWith([{ address: FACTORY, code: `0x${FACTORY_CODE}` }]);
    const child = childAddress();
    const built = await chain.buildBlock([
      alice.tx({ to: FACTORY, gasLimit: 500_000n }),
      alice.tx({ to: child, value: 1n }),
      alice.tx({ to: FACTORY, gasLimit: 500_000n }),
      alice.tx({ to: FACTORY, data: "0x01", gasLimit: 500_000n }),
      alice.tx({ to: child, data: "0x01", gasLimit: 200_000n }),
      alice.tx({ to: child, gasLimit: 200_000n }),
      alice.tx({ to: child, data: "0x01", gasLimit: 200_000n }),
      alice.tx({ to: FACTORY, data: "0x01", gasLimit: 500_000n }),
    ]);
    expect(statusesOf(built)).to.deep.equal(["ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"]);
    const state = await chain.stateAt();
    const childAccount = createAddressFromString(child);
    const key = (n: number): Uint8Array => {
      const k = new Uint8Array(32);
      k[31] = n;
      return k;
    };
    // Each creation started from empty storage (slot 1 = 0 + 1), the last read saw it.
    expect(bytesToHex(await state.getStorage(childAccount, key(0)))).to.equal("0x77");
    expect(bytesToHex(await state.getStorage(childAccount, key(1)))).to.equal("0x01");
    expect(bytesToHex(await state.getStorage(childAccount, key(3)))).to.equal("0x01");
    // The last CREATE2 collided with the live child: the factory's slot 0 is 0.
    expect(bytesToHex(await state.getStorage(createAddressFromString(FACTORY), key(0)))).to.equal("0x");
    expect((await state.getCode(childAccount)).length).to.equal(CHILD_RUNTIME.length / 2);
    await expectSameVerdicts(chain, built);
  });

  it("an EIP-7702 delegation set, used, moved and cleared in one block", async function () {
    this.timeout(300_000);
    const probe = await L2TestChain.create(CHAIN_ID, []);
    const bob = TestSigner.fromSeed(22, probe.common);
    const { chain, alice } = await chainWith([
      { address: bob.address.toString(), balance: ONE_ETH },
      { address: STORE_ADDRESS, code: STORE_AND_LOG_CODE },
      { address: REVERTER, code: `0x${REVERTER_CODE}` },
    ]);
    const bobSigner = TestSigner.fromSeed(22, chain.common);
    const built = await chain.buildBlock([
      alice.delegationTx(bobSigner, STORE_ADDRESS, storeCall(1, 7)),
      alice.tx({ to: bob.address.toString(), data: storeCall(2, 8) }),
      alice.delegationTx(bobSigner, REVERTER, "0x01"),
      alice.tx({ to: bob.address.toString() }),
      alice.delegationTx(bobSigner, `0x${"00".repeat(20)}`, "0x"),
      alice.tx({ to: bob.address.toString(), value: 3n }),
    ]);
    expect(statusesOf(built)).to.deep.equal(["ok", "ok", "ok", "failed", "ok", "ok"]);
    const state = await chain.stateAt();
    const key = (n: number): Uint8Array => {
      const k = new Uint8Array(32);
      k[31] = n;
      return k;
    };
    // The reverter's read path, run as bob's code, read the slot the store code wrote.
    expect(bytesToHex(await state.getStorage(bob.address, key(3)))).to.equal("0x07");
    expect((await state.getCode(bob.address)).length).to.equal(0);
    await expectSameVerdicts(chain, built);
  });

  it("an EIP-7002 withdrawal request queued by a transaction and dequeued by the end-of-block system call", async function () {
    this.timeout(300_000);
    const { chain, alice } = await chainWith([]);
    const request = `0x${"ab".repeat(48)}${"00".repeat(7)}01`;
    const built = await chain.buildBlock([
      alice.tx({ to: "0x00000961Ef480Eb55e80D19ad83579A64c007002", value: 10n, data: request, gasLimit: 300_000n }),
    ]);
    expect(statusesOf(built)).to.deep.equal(["ok"]);
    // The header a native L2 allows (no requests): the shape checks pass and the block executes,
    // so the system call dequeues (reads and clears) the queue slots the transaction wrote.
    const block = tamperBlock(built.block, { requestsHash: EMPTY_REQUESTS_HASH });
    const refused = await wholeWitnessOutcome(built, block, await writeThroughWitness(chain, built), "requests");
    expect(refused).to.match(/^invalid 69: execution produced execution requests/);
    const variants = witnessesWithOneDropped(built.witness);
    const dropped = await compareModes(CHAIN_ID, built, block, variants, PER_BLOCK_BASELINE, PER_BLOCK_OTHERS);
    expect(dropped.mismatches).to.eql([]);
    for (const [i, without] of dropped.outcomes.entries())
      expect(without === refused || without.startsWith("invalid 5: "), `${variants[i].label}: ${without}`).to.equal(
        true,
      );
  });
});

describe("the state read cache after a read that failed for a missing witness node", () => {
  const common = genesisForkCommon(906n, { hardfork: Hardfork.Osaka });
  const addresses = Array.from({ length: 6 }, (_, i) =>
    createAddressFromString(`0x${(0xbee0 + i).toString(16).padStart(40, "0")}`),
  );
  const slot = (n: number): Uint8Array => {
    const key = new Uint8Array(32);
    key[31] = n;
    return key;
  };

  class BuildDB extends InMemoryWritesDB {
    async get(key: string): Promise<StoredValue | undefined> {
      return this.entries.get(keyOf(key));
    }
    nodes(): Uint8Array[] {
      return [...this.entries.values()];
    }
  }

  const trieOn = (db: InMemoryWritesDB): DecodedNodeTrie =>
    new DecodedNodeTrie({ db, useKeyHashing: true, common, valueEncoding: ValueEncoding.Bytes });

  /** Reads, then reads again, writes and reads, going on after every error; each answer or error, and every key missed. */
  async function afterFailures(cached: boolean, root: Uint8Array, nodes: Uint8Array[]): Promise<string[]> {
    const db = new WitnessDB({ state: nodes, codes: [] });
    // The verifier races this rejection; here the reads go on after it, as library code that swallows an error would.
    db.firstMissing.catch(() => undefined);
    const options = { trie: trieOn(db), common };
    const state = cached ? new CachedReadStateManager(options) : new SafeMerkleStateManager(options);
    const answers: string[] = [];
    let hung = false;
    // Upstream trie code can leave an operation unsettled when a node is missing (the verifier
    // races the first missing read for that reason). Everything here is in memory, so an
    // operation settles within microtasks: one still pending after a few event-loop turns hangs,
    // and the run stops there, as the verifier's would.
    const attempt = async (label: string, operation: () => Promise<string>): Promise<void> => {
      if (hung) return;
      const turns = async (): Promise<"hung"> => {
        for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
        return "hung";
      };
      try {
        const answer = await Promise.race([operation(), turns()]);
        if (answer === "hung") hung = true;
        answers.push(`${label} ${answer}`);
      } catch (error) {
        answers.push(`${label} error ${(error as Error).message}`);
      }
    };
    await attempt("root set", async () => {
      await state.setStateRoot(root);
      return "done";
    });
    for (const address of addresses) {
      for (let round = 0; round < 2; round++) {
        await attempt("account", async () => {
          const account = await state.getAccount(address);
          return account === undefined ? "absent" : bytesToHex(account.serialize());
        });
        await attempt("slot", async () => bytesToHex(await state.getStorage(address, slot(1))));
      }
      await attempt("put slot", async () => {
        await state.putStorage(address, slot(1), Uint8Array.from([9]));
        return "done";
      });
      await attempt("slot after put", async () => bytesToHex(await state.getStorage(address, slot(1))));
      // A delete reads the sibling a branch keeps when it collapses: it can fail where the reads did not.
      await attempt("delete account", async () => {
        await state.deleteAccount(address);
        return "done";
      });
      await attempt("account after delete", async () => {
        const account = await state.getAccount(address);
        return account === undefined ? "absent" : bytesToHex(account.serialize());
      });
      await attempt("slot after delete", async () => bytesToHex(await state.getStorage(address, slot(1))));
      await attempt("account after put", async () =>
        bytesToHex((await state.getAccount(address))?.serialize() ?? new Uint8Array()),
      );
    }
    await attempt("root", async () => bytesToHex(await state.getStateRoot()));
    answers.push(`missing ${db.missing.join(",")}`);
    return answers;
  }

  it("holds no answer for it: every later read and write, and every key missed, is the uncached manager's (each node dropped in turn)", async function () {
    this.timeout(120_000);
    const build = new BuildDB();
    const builder = new SafeMerkleStateManager({ trie: trieOn(build), common });
    for (const [i, address] of addresses.entries()) {
      await builder.putAccount(address, new Account(1n, BigInt(100 + i)));
      for (let n = 0; n < 3; n++) await builder.putStorage(address, slot(n), Uint8Array.from([i + 1, n + 1]));
    }
    const root = await builder.getStateRoot();
    const nodes = build.nodes();
    let failed = 0;
    for (let drop = 0; drop < nodes.length; drop++) {
      const witness = nodes.filter((_, i) => i !== drop);
      const uncached = await afterFailures(false, root, witness);
      expect(await afterFailures(true, root, witness), `without node ${drop}`).to.deep.equal(uncached);
      if (uncached.some((line) => line.includes(" error "))) failed++;
    }
    // Most dropped nodes are on a path these reads walk.
    expect(failed).to.be.greaterThan(10);
  });
});
