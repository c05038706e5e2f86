import { Hardfork } from "@ethereumjs/common";
import { RLP } from "@ethereumjs/rlp";
import { Account, ValueEncoding, bytesToHex, createAddressFromString } from "@ethereumjs/util";
import { expect } from "chai";

import {
  EMPTY_REQUESTS_HASH,
  ExecuteError,
  InMemoryWritesDB,
  SafeMerkleStateManager,
  type StoredValue,
  WitnessDB,
  encodeWitness,
  genesisForkCommon,
  keyOf,
  verifyBlock,
} from "../../precompiles";
import { CachedReadStateManager } from "../../precompiles/cachedReadStateManager";
import { DecodedNodeTrie } from "../../precompiles/decodedNodeTrie";
import { keccak256 } from "../../precompiles/crypto";
import { STORE_ADDRESS, STORE_AND_LOG_CODE, TestSigner, storeCall, tamperBlock } from "../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain, type TestAccount } from "../../tools/l2TestChain";

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

const OPCODES: Record<string, number> = {
  STOP: 0x00,
  ADD: 0x01,
  ISZERO: 0x15,
  CALLER: 0x33,
  CALLDATALOAD: 0x35,
  CALLDATASIZE: 0x36,
  CODECOPY: 0x39,
  POP: 0x50,
  SLOAD: 0x54,
  SSTORE: 0x55,
  JUMPI: 0x57,
  GAS: 0x5a,
  JUMPDEST: 0x5b,
  DUP1: 0x80,
  DUP6: 0x85,
  CREATE2: 0xf5,
  CALL: 0xf1,
  RETURN: 0xf3,
  REVERT: 0xfd,
  SELFDESTRUCT: 0xff,
};

/** An assembly item: an opcode name, a push of hex bytes, a label, or a PUSH1 of a label's offset. */
type Item = string | { push: string } | { label: string } | { jump: string };

/** Assembles `items` (labels resolved in a second pass; every label is below 256). */
function asm(items: readonly Item[]): string {
  const labels = new Map<string, number>();
  const emit = (resolve: boolean): number[] => {
    const out: number[] = [];
    for (const item of items) {
      if (typeof item === "string") {
        const op = OPCODES[item];
        if (op === undefined) throw new Error(`unknown opcode ${item}`);
        out.push(op);
      } else if ("push" in item) {
        const bytes = Buffer.from(item.push.padStart(item.push.length + (item.push.length % 2), "0"), "hex");
        out.push(0x5f + bytes.length, ...bytes);
      } else if ("label" in item) {
        labels.set(item.label, out.length);
        out.push(OPCODES.JUMPDEST);
      } else {
        out.push(0x60, resolve ? (labels.get(item.jump) ?? 0) : 0);
      }
    }
    return out;
  };
  emit(false);
  return Buffer.from(emit(true)).toString("hex");
}

const p = (hex: string | number): Item => ({ push: typeof hex === "number" ? hex.toString(16) : hex });
/** SSTORE(slot, <value already on the stack>). */
const storeTop = (slot: number): Item[] => [p(slot), "SSTORE"];
/** CALL(gas, to, value, args 0..argsSize, no return data), result popped. */
const call = (to: string, value: number, argsSize: number): Item[] => [
  p(0),
  p(0),
  p(argsSize),
  p(0),
  p(value),
  p(to.slice(2)),
  "GAS",
  "CALL",
  "POP",
];

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
 * How the verifier runs: EXECUTE's per-block writes, or the write-through baseline with and without
 * the state read cache (`CachedReadStateManager`).
 */
type Mode = "per-block" | "write-through" | "write-through uncached";
const MODES: readonly Mode[] = ["per-block", "write-through", "write-through uncached"];

/** A verification's outcome as EXECUTE reports it: the block hash and state root, or the error's code and reason. */
async function outcome(built: BuiltBlock, block: Uint8Array, witness: Uint8Array, mode: Mode): Promise<string> {
  try {
    const result = await verifyBlock({
      chainId: CHAIN_ID,
      parentHeader: built.parentHeader,
      block,
      witness,
      writes: mode === "per-block" ? "per-block" : "write-through",
      cacheStateReads: mode === "write-through",
    });
    return `valid ${bytesToHex(result.blockHash)} ${bytesToHex(result.stateRoot)}`;
  } catch (error) {
    if (error instanceof ExecuteError) return `invalid ${error.code}: ${error.message}`;
    throw error;
  }
}

/** The witness the write-through verifier needs for `built` (recorded by its own run). */
async function writeThroughWitness(chain: L2TestChain, built: BuiltBlock): Promise<Uint8Array> {
  const parent = chain.headerAt(built.block.header.number - 1n);
  return encodeWitness(await chain.witnessOf(built.block, parent, "write-through"));
}

/**
 * The block verifies identically in every mode, each with the witness recorded for it (the
 * builder, L2TestChain, runs write-through without caches and is the reference for receipts, gas
 * and roots); a wrong state root, gas used or receipts root is refused identically; each node of
 * the per-block witness dropped in turn gives either the same acceptance or WitnessIncomplete, never
 * another verdict; and each node of the write-through witness dropped in turn gives the same outcome
 * with and without the read cache.
 */
async function expectSameVerdicts(chain: L2TestChain, built: BuiltBlock): Promise<void> {
  const witnesses: Record<Mode, Uint8Array> = {
    "per-block": built.witness,
    "write-through": await writeThroughWitness(chain, built),
    "write-through uncached": await writeThroughWitness(chain, built),
  };
  const accepted = await outcome(built, built.blockRlp, witnesses["per-block"], "per-block");
  expect(accepted, "the per-block verifier accepts the built block").to.match(/^valid /);
  for (const mode of MODES)
    expect(await outcome(built, built.blockRlp, witnesses[mode], mode), mode).to.equal(accepted);
  const tampered = [
    tamperBlock(built.block, { stateRoot: new Uint8Array(32).fill(1) }),
    tamperBlock(built.block, { gasUsed: built.block.header.gasUsed - 1n }),
    tamperBlock(built.block, { receiptTrie: new Uint8Array(32).fill(2) }),
  ];
  for (const [i, block] of tampered.entries()) {
    const refused = await outcome(built, block, witnesses["per-block"], "per-block");
    expect(refused, `tampered ${i}`).to.match(/^invalid /);
    for (const mode of MODES)
      expect(await outcome(built, block, witnesses[mode], mode), `tampered ${i}, ${mode}`).to.equal(refused);
  }
  const [state, codes, headers] = RLP.decode(built.witness) as Uint8Array[][];
  let incomplete = 0;
  for (let drop = 0; drop < state.length; drop++) {
    const witness = RLP.encode([state.filter((_, i) => i !== drop), codes, headers]);
    const without = await outcome(built, built.blockRlp, witness, "per-block");
    if (without !== accepted) {
      expect(without, `per-block, without state node ${drop}`).to.match(/^invalid 5: /);
      incomplete++;
    }
  }
  expect(incomplete).to.be.greaterThan(0);
  const [wtState, wtCodes, wtHeaders] = RLP.decode(witnesses["write-through"]) as Uint8Array[][];
  for (let drop = 0; drop < wtState.length; drop++) {
    const witness = RLP.encode([wtState.filter((_, i) => i !== drop), wtCodes, wtHeaders]);
    const without = await outcome(built, built.blockRlp, witness, "write-through uncached");
    expect(await outcome(built, built.blockRlp, witness, "write-through"), `without state node ${drop}`).to.equal(
      without,
    );
  }
  for (let drop = 0; drop < codes.length; drop++) {
    const witness = RLP.encode([state, codes.filter((_, i) => i !== drop), headers]);
    const without = await outcome(built, built.blockRlp, witness, "per-block");
    expect(
      without === accepted || without.startsWith("invalid 5: "),
      `per-block, without code ${drop}: ${without}`,
    ).to.equal(true);
  }
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
    const refused = await outcome(built, block, built.witness, "per-block");
    expect(refused).to.match(/^invalid 69: execution produced execution requests/);
    const writeThrough = await writeThroughWitness(chain, built);
    for (const mode of MODES)
      expect(await outcome(built, block, mode === "per-block" ? built.witness : writeThrough, mode)).to.equal(refused);
    const [state, codes, headers] = RLP.decode(built.witness) as Uint8Array[][];
    for (let drop = 0; drop < state.length; drop++) {
      const witness = RLP.encode([state.filter((_, i) => i !== drop), codes, headers]);
      const without = await outcome(built, block, witness, "per-block");
      expect(
        without === refused || without.startsWith("invalid 5: "),
        `without state node ${drop}: ${without}`,
      ).to.equal(true);
    }
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
