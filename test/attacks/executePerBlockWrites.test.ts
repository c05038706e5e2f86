import * as os from "node:os";

import { genTransactionsTrieRoot } from "@ethereumjs/block";
import { bytesToHex, createAddressFromString, generateAddress2, hexToBytes } from "@ethereumjs/util";
import { expect } from "chai";

import {
  BEACON_ROOTS,
  CONSOLIDATION_REQUESTS,
  HISTORY_STORAGE,
  WITHDRAWAL_REQUESTS,
  encodeWitness,
} from "../../precompiles";
import { keccak256 } from "../../precompiles/crypto";
import { TestSigner, tamperBlock, word } from "../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain, type TestAccount } from "../../tools/l2TestChain";
import { type VerifierModes, verifierOutcome } from "../../tools/verifierOutcomes";
import { type StateShape, reshapeState, shapedBlock } from "../../tools/witnessShapes";
import { cpuSeconds } from "../../tools/cpuTime";

/**
 * Adversarial pass on EXECUTE's per-block write path (s24-writes: `BlockBufferedStateManager`, one
 * flush when the state root is read, docs/design/consensus-rules.md §5) with the lazy trie on, as
 * EXECUTE runs. Each block is built by L2TestChain's builder (EthereumJS's buildBlock on a
 * write-through state manager without caches: the reference for gas, receipts and roots, sharing no
 * write-path code with the verifier), its witness recorded by the node's recorder
 * (`recordVerifierRun`, per block), and verified by `verifyBlock` with EXECUTE's defaults; the
 * write-through verifier, on the witness recorded for it, must give the same verdict.
 * docs/design/attack-review-s24.md has the findings.
 */

const CHAIN_ID = 924n;
const ONE_ETH = 10n ** 18n;

/** The fork's system contracts but those in `left`, as deployed (nonce 1). */
function systemContractsBut(left: readonly string[]): TestAccount[] {
  return [BEACON_ROOTS, HISTORY_STORAGE, WITHDRAWAL_REQUESTS, CONSOLIDATION_REQUESTS]
    .filter((c) => !left.includes(c.address))
    .map((c) => ({ address: c.address, code: c.code }));
}

/** The first two nibbles of the account trie key of `address`. */
function keyNibbles(address: string): string {
  return bytesToHex(keccak256(hexToBytes(address as `0x${string}`))).slice(2, 4);
}

/** `init` = CALLER SELFDESTRUCT: the created account dies in the transaction that made it (EIP-6780). */
const SELFDESTRUCT_INIT = "33ff";
/** mem[30..32] = SELFDESTRUCT_INIT; CREATE2(0, 30, 2, salt = calldata[0]); STOP. */
const FACTORY_CODE = `0x6133ff600052600035600260${"1e"}6000f55000`;
const FACTORY = "0x0000000000000000000000000000000000fac724";

/** The CREATE2 address of FACTORY's child for `salt`. */
function childOf(salt: bigint): string {
  const address = generateAddress2(
    hexToBytes(FACTORY),
    hexToBytes(`0x${word(salt)}`),
    hexToBytes(`0x${SELFDESTRUCT_INIT}`),
  );
  return bytesToHex(address);
}

/** The first salt whose child's trie key starts with `first` and whose second nibble is none of `not`. */
function saltWhere(first: string, not: readonly string[]): bigint {
  for (let salt = 0n; ; salt++) {
    const nibbles = keyNibbles(childOf(salt));
    if (nibbles[0] === first && !not.includes(nibbles[1])) return salt;
  }
}

/** The first address 0x…<n> whose trie key starts with `first` and whose second nibble is none of `not`. */
function addressWhere(first: string, not: readonly string[], from: number): string {
  for (let n = from; ; n++) {
    const address = `0x${n.toString(16).padStart(40, "0")}`;
    const nibbles = keyNibbles(address);
    if (nibbles[0] === first && !not.includes(nibbles[1])) return address;
  }
}

function statusesOf(built: BuiltBlock): string[] {
  return built.txResults.map((r) => (r.execResult.exceptionError === undefined ? "ok" : "failed"));
}

/** EXECUTE's verdict (per block, lazy trie: the defaults) on the recorded witness, and write-through's on its own. */
async function verdicts(chain: L2TestChain, built: BuiltBlock): Promise<{ execute: string; writeThrough: string }> {
  const parent = chain.headerAt(built.block.header.number - 1n);
  const writeThroughWitness = encodeWitness(await chain.witnessOf(built.block, parent, "write-through"));
  return {
    execute: await verifierOutcome(CHAIN_ID, built, built.blockRlp, built.witness, {}),
    writeThrough: await verifierOutcome(CHAIN_ID, built, built.blockRlp, writeThroughWitness, {
      writes: "write-through",
    }),
  };
}

describe("EXECUTE's per-block writes: the recorder and the verifier flush in one order", () => {
  for (const absent of [BEACON_ROOTS, HISTORY_STORAGE])
    it(`a valid block creating ${absent === BEACON_ROOTS ? "EIP-4788" : "EIP-2935"}'s absent account and deleting a pre-funded leaf beside it verifies (no halt)`, async function () {
      this.timeout(300_000);
      // The account trie under the absent contract's first nibble holds two leaves: a pre-funded CREATE2
      // address A and an untouched account N. The block deletes A (created and self-destructed in one
      // transaction, EIP-6780) and then creates the absent contract's account (1 wei). Deleting A first leaves
      // the branch one child: the collapse reads N. Inserting it first keeps two children:
      // N is never read. A witness recorder whose flush order differs from the verifier's records a
      // witness without N for a block the verifier needs N for.
      const branch = keyNibbles(absent.address);
      const salt = saltWhere(branch[0], [branch[1]]);
      const pref = childOf(salt);
      const untouched = addressWhere(branch[0], [branch[1], keyNibbles(pref)[1]], 0x51000);
      const probe = await L2TestChain.create(CHAIN_ID, []);
      let seed = 31;
      while (keyNibbles(TestSigner.fromSeed(seed, probe.common).address.toString())[0] === branch[0]) seed++;
      const others = [FACTORY, "0x00000000000000000000000000000000000000c0", ...systemContractsBut([absent.address])];
      for (const other of others) {
        const address = typeof other === "string" ? other : other.address;
        expect(keyNibbles(address)[0], `${address} shares the branch`).not.to.equal(branch[0]);
      }
      const aliceAddress = TestSigner.fromSeed(seed, probe.common).address.toString();
      const chain = await L2TestChain.create(
        CHAIN_ID,
        [
          ...systemContractsBut([absent.address]),
          { address: aliceAddress, balance: 100n * ONE_ETH },
          { address: FACTORY, code: FACTORY_CODE },
          { address: pref, balance: ONE_ETH },
          { address: untouched, balance: ONE_ETH },
        ],
        { withSystemContracts: false },
      );
      const alice = TestSigner.fromSeed(seed, chain.common);
      const built = await chain.buildBlock([
        alice.tx({ to: FACTORY, data: `0x${word(salt)}`, gasLimit: 200_000n }),
        alice.tx({ to: absent.address, value: 1n }),
      ]);
      expect(statusesOf(built)).to.deep.equal(["ok", "ok"]);
      const state = await chain.stateAt();
      expect(await state.getAccount(createAddressFromString(pref)), "A deleted").to.equal(undefined);
      expect((await state.getAccount(createAddressFromString(absent.address)))?.balance).to.equal(1n);
      const { execute, writeThrough } = await verdicts(chain, built);
      expect(execute, "EXECUTE on the node's witness").to.match(/^valid /);
      expect(writeThrough).to.equal(execute);
    });
});

/** SSTORE(calldata[0], calldata[32]); REVERT if calldata[64] is not zero. */
const STORE_CODE = "0x6020356000355560403515601257600080fd5b00";
const STORE = "0x0000000000000000000000000000000000051724";
/** slot 1 = BALANCE(COINBASE). */
const COINBASE_READER_CODE = "0x4131600155";
const COINBASE_READER = "0x00000000000000000000000000000000000c0b24";
/** STATICCALL(EIP-2935's contract, calldata) → slot 1 = the returned word, slot 2 = success. */
const HISTORY_READER_CODE = `0x366000600037602060003660007${"3"}${HISTORY_STORAGE.address.slice(2)}5afa600255600051600155`;
const HISTORY_READER = "0x00000000000000000000000000000000000b1524";
const slotKey = (n: number): string => `0x${word(n)}`;
const store = (slot: number, value: number, revert = false): string =>
  `0x${word(slot)}${word(value)}${revert ? word(1) : ""}`;

describe("EXECUTE's per-block writes: state a transaction reads from an earlier one of the block", () => {
  it("EIP-161: a pre-state empty account touched by a 0-value call is deleted, then funded again in a later transaction", async function () {
    this.timeout(300_000);
    const probe = await L2TestChain.create(CHAIN_ID, []);
    const alice = TestSigner.fromSeed(45, probe.common);
    const empty = "0x00000000000000000000000000000000000e0161";
    const chain = await L2TestChain.create(CHAIN_ID, [
      { address: alice.address.toString(), balance: 100n * ONE_ETH },
      { address: empty },
    ]);
    const pre = await chain.stateAt();
    expect(await pre.getAccount(createAddressFromString(empty)), "an empty account in the pre-state").not.to.equal(
      undefined,
    );
    const built = await chain.buildBlock([
      alice.tx({ to: empty }),
      alice.tx({ to: empty, value: 2n }),
      alice.tx({ to: empty }),
    ]);
    expect(statusesOf(built)).to.deep.equal(["ok", "ok", "ok"]);
    expect((await (await chain.stateAt()).getAccount(createAddressFromString(empty)))?.balance).to.equal(2n);
    const { execute, writeThrough } = await verdicts(chain, built);
    expect(execute).to.match(/^valid /);
    expect(writeThrough).to.equal(execute);
    const deleted = await chain.buildBlock([alice.tx({ to: empty })], { discard: true });
    const once = await L2TestChain.create(CHAIN_ID, [
      { address: alice.address.toString(), balance: 100n * ONE_ETH },
      { address: empty },
    ]);
    const onlyTouched = await once.buildBlock([TestSigner.fromSeed(45, once.common).tx({ to: empty })]);
    expect(await (await once.stateAt()).getAccount(createAddressFromString(empty)), "deleted").to.equal(undefined);
    const touched = await verdicts(once, onlyTouched);
    expect(touched.execute).to.match(/^valid /);
    expect(touched.writeThrough).to.equal(touched.execute);
    expect((await verdicts(chain, deleted)).execute).to.match(/^valid /);
  });

  it("EIP-2200/3529 original values and EIP-2929 warmth are per transaction: the gas of each transaction is its gas alone in a block", async function () {
    this.timeout(300_000);
    const accounts = (alice: TestSigner): TestAccount[] => [
      { address: alice.address.toString(), balance: 100n * ONE_ETH },
      { address: STORE, code: STORE_CODE, storage: { [slotKey(3)]: "0x09" } },
    ];
    const probe = await L2TestChain.create(CHAIN_ID, []);
    const alice = TestSigner.fromSeed(41, probe.common);
    const txs = [
      alice.tx({ to: STORE, data: store(1, 5) }), // 0 → 5
      alice.tx({ to: STORE, data: store(1, 0) }), // original 5 (tx 1's), not 0 (the block's pre-state)
      alice.tx({ to: STORE, data: store(1, 7, true) }), // a reverted transaction
      alice.tx({ to: STORE, data: store(1, 6) }), // original 0 again: tx 3 left nothing
      alice.tx({ to: STORE, data: store(3, 0) }), // 9 → 0, refund
      alice.tx({ to: STORE, data: store(3, 9) }), // back to the pre-block value: original is 0 now
      alice.tx({ to: STORE, data: store(3, 9) }), // no-op write, slot cold again
    ];
    const inOne = await L2TestChain.create(CHAIN_ID, accounts(alice));
    const built = await inOne.buildBlock(txs);
    expect(statusesOf(built)).to.deep.equal(["ok", "ok", "failed", "ok", "ok", "ok", "ok"]);
    // The oracle: each transaction alone in a block of its own (nothing buffered across blocks).
    const alone = await L2TestChain.create(CHAIN_ID, accounts(alice));
    const gasAlone: bigint[] = [];
    for (const tx of txs) gasAlone.push((await alone.buildBlock([tx])).txResults[0].totalGasSpent);
    expect(built.txResults.map((r) => r.totalGasSpent)).to.deep.equal(gasAlone);
    // tx 1 set a fresh slot (20,000 + 2,100 cold), tx 2 reset it (2,900 + 2,100) with 4,800 back.
    expect(gasAlone[0] - gasAlone[1]).to.be.greaterThan(15_000n);
    const { execute, writeThrough } = await verdicts(inOne, built);
    expect(execute).to.match(/^valid /);
    expect(writeThrough).to.equal(execute);
    const last = await verdicts(alone, await alone.buildBlock([alice.tx({ to: STORE, data: store(1, 0) })]));
    expect(last.execute).to.match(/^valid /);
  });

  it("the coinbase's balance, EIP-2935's slot written at the block's start, and a sender funded by an earlier transaction", async function () {
    this.timeout(300_000);
    const probe = await L2TestChain.create(CHAIN_ID, []);
    const alice = TestSigner.fromSeed(42, probe.common);
    const bob = TestSigner.fromSeed(43, probe.common);
    const chain = await L2TestChain.create(CHAIN_ID, [
      { address: alice.address.toString(), balance: 100n * ONE_ETH },
      { address: COINBASE_READER, code: COINBASE_READER_CODE },
      { address: HISTORY_READER, code: HISTORY_READER_CODE },
    ]);
    const genesisHash = bytesToHex(chain.headerAt(0n).hash());
    const fund = alice.tx({ to: bob.address.toString(), value: ONE_ETH });
    const spend = bob.tx({ to: COINBASE_READER, gasLimit: 60_000n });
    const history = alice.tx({ to: HISTORY_READER, data: `0x${word(0)}`, gasLimit: 200_000n });
    const built = await chain.buildBlock([fund, spend, history], { discard: true });
    expect(statusesOf(built)).to.deep.equal(["ok", "ok", "ok"]);
    const { execute, writeThrough } = await verdicts(chain, built);
    expect(execute).to.match(/^valid /);
    expect(writeThrough).to.equal(execute);
    // The same block with bob's transaction first: bob has nothing yet, the block is invalid, and
    // both write paths say so with the same code and reason on the same witness.
    const swapped = [spend, fund, history];
    const block = tamperBlock(
      built.block,
      { transactionsTrie: await genTransactionsTrieRoot(swapped) },
      { transactions: swapped },
    );
    const perBlock = await verifierOutcome(CHAIN_ID, built, block, built.witness, {});
    expect(perBlock).to.match(/^invalid /);
    expect(perBlock).not.to.match(/^invalid 5:/);
    expect(await verifierOutcome(CHAIN_ID, built, block, built.witness, { writes: "write-through" })).to.equal(
      perBlock,
    );
    // The values themselves, against the builder's state (write-through, no caches).
    await chain.buildBlock([fund, spend, history]);
    const state = await chain.stateAt();
    const coinbaseSeen = await state.getStorage(
      createAddressFromString(COINBASE_READER),
      hexToBytes(slotKey(1) as `0x${string}`),
    );
    const tip = 10n ** 9n;
    expect(BigInt(bytesToHex(coinbaseSeen))).to.equal(built.txResults[0].totalGasSpent * tip);
    const hash = await state.getStorage(
      createAddressFromString(HISTORY_READER),
      hexToBytes(slotKey(1) as `0x${string}`),
    );
    expect(bytesToHex(hash)).to.equal(genesisHash);
  });
});

/** i = 0; do { SLOAD(i); i++ } while (gas > 30,000): a cold read of a distinct slot per 2,135 gas. */
const SLOAD_LOOP = "0x60005b8054506001015a61753010600257" + "00";
const READER = "0x00000000000000000000000000000000000d0024";

/** The cost of one verification: CPU seconds per million L2 gas and the longest stretch without an event-loop turn. */
interface VerifyCost {
  cpuPerMgas: number;
  longestStretchMs: number;
}

async function verifyCost(built: BuiltBlock, witness: Uint8Array, modes: VerifierModes): Promise<VerifyCost> {
  let last = performance.now();
  let longest = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  const start = cpuSeconds();
  const outcome = await verifierOutcome(CHAIN_ID, built, built.blockRlp, witness, modes);
  const seconds = cpuSeconds() - start;
  clearInterval(ticker);
  longest = Math.max(longest, performance.now() - last);
  expect(outcome, JSON.stringify(modes)).to.match(/^valid /);
  return { cpuPerMgas: seconds / (Number(built.block.header.gasUsed) / 1e6), longestStretchMs: longest };
}

describe("EXECUTE's per-block writes: what a block of reads costs the flush", function () {
  this.timeout(900_000);

  it("an SLOAD loop over distinct slots at depth 64: per block (reads written back at the flush) against write-through and an honest block", async () => {
    const slots = Array.from({ length: 8 }, (_, i) => `0x${word(i)}`);
    const probe = await L2TestChain.create(CHAIN_ID, []);
    const signer = TestSigner.fromSeed(44, probe.common);
    const shape: StateShape = { deepAccounts: [READER], deepSlots: { [READER]: slots } };
    const chain = await L2TestChain.create(
      CHAIN_ID,
      [
        { address: signer.address.toString(), balance: ONE_ETH },
        { address: READER, code: SLOAD_LOOP, storage: Object.fromEntries(slots.map((s) => [s, "0x01"])) },
      ],
      { reshapeState: (db, common, root) => reshapeState(db, common, root, shape) },
    );
    const built = await chain.buildBlock([
      TestSigner.fromSeed(44, chain.common).tx({ to: READER, gasLimit: 120_000n }),
    ]);
    expect(statusesOf(built)).to.deep.equal(["ok"]);
    const parent = chain.headerAt(built.block.header.number - 1n);
    const writeThroughWitness = encodeWitness(await chain.witnessOf(built.block, parent, "write-through"));
    // The per-block-changes rule (session 25): the flush skips the reads, so nothing is written back.
    const changesWitness = encodeWitness(await chain.witnessOf(built.block, parent, "per-block-changes"));
    const honest = await shapedBlock(CHAIN_ID, "transfers", undefined);
    const best = {
      perBlock: Number.POSITIVE_INFINITY,
      writeThrough: Number.POSITIVE_INFINITY,
      changes: Number.POSITIVE_INFINITY,
      honest: Number.POSITIVE_INFINITY,
    };
    let stretch = { perBlock: 0, writeThrough: 0, changes: 0, honest: 0 };
    for (let round = 0; round < 3; round++) {
      const p = await verifyCost(built, built.witness, {});
      const w = await verifyCost(built, writeThroughWitness, { writes: "write-through" });
      const c = await verifyCost(built, changesWitness, { writes: "per-block-changes" });
      const h = await verifyCost(honest, honest.witness, {});
      best.perBlock = Math.min(best.perBlock, p.cpuPerMgas);
      best.writeThrough = Math.min(best.writeThrough, w.cpuPerMgas);
      best.changes = Math.min(best.changes, c.cpuPerMgas);
      best.honest = Math.min(best.honest, h.cpuPerMgas);
      stretch = {
        perBlock: Math.max(stretch.perBlock, p.longestStretchMs),
        writeThrough: Math.max(stretch.writeThrough, w.longestStretchMs),
        changes: Math.max(stretch.changes, c.longestStretchMs),
        honest: Math.max(stretch.honest, h.longestStretchMs),
      };
    }
    console.log(
      `      gasUsed ${built.block.header.gasUsed}, witness ${built.witness.length} B per block / ${writeThroughWitness.length} B write-through / ${changesWitness.length} B per-block-changes; CPU ms/Mgas: per block ${(best.perBlock * 1000).toFixed(0)}, write-through ${(best.writeThrough * 1000).toFixed(0)}, per-block-changes ${(best.changes * 1000).toFixed(0)}, honest ${(best.honest * 1000).toFixed(0)}; longest stretch ms: per block ${stretch.perBlock.toFixed(0)}, write-through ${stretch.writeThrough.toFixed(0)}, per-block-changes ${stretch.changes.toFixed(0)}, honest ${stretch.honest.toFixed(0)}; load ${os.loadavg()[0].toFixed(1)}`,
    );
    expect(changesWitness.length, "per-block-changes witness against per block's").to.be.at.most(built.witness.length);
    expect(best.changes / best.writeThrough, "per-block-changes against write-through, same block").to.be.below(4);
    // Both are far above an honest block per L2 gas (64 nodes read per slot: 2.3 MB of witness for
    // 0.26 Mgas with 120 slots, which L1 calldata prices, not L2 gas); what per block adds is the
    // write-back of every slot read (a path rewrite per 2,135 gas, attack-review-s24.md finding 2,
    // open): measured 1.9x write-through with 120 slots, 2.4x with 40, 1.7-3.1x with the 8 read here
    // (fewer slots, a larger share of write-back; 8 keep this test near 25 CPU s instead of 100).
    // Guarded at 4x: the write-back must not grow past what it is while the finding is open.
    expect(best.perBlock / best.writeThrough, "per block against write-through, same block").to.be.below(4);
  });
});
