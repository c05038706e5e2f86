import { RLP } from "@ethereumjs/rlp";
import type { BatchDBOp, DB } from "@ethereumjs/util";
import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { Account, ValueEncoding, bytesToHex, createAddressFromString, setLengthLeft, toBytes } from "@ethereumjs/util";
import { expect } from "chai";

import {
  ExecuteErrorCode,
  type StoredValue,
  VERIFIER_WRITES,
  type VerifierWrites,
  encodeWitness,
  recordVerifierRun,
  verifierStateManager,
} from "../../precompiles";
import { keccak256 } from "../../precompiles/crypto";
import { Rng } from "../../tools/executeFuzz";
import { compareWriteRules } from "../../tools/writeRuleDifferential";
import { TestSigner, word } from "../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain, NO_BLOCKHASH } from "../../tools/l2TestChain";
import { verifierOutcome } from "../../tools/verifierOutcomes";

/**
 * The `per-block-changes` write rule (precompiles/verifierStateManager.ts, `ChangedEntriesStateManager`;
 * consensus-rules.md §5) against `per-block`: the flush leaves out every entry whose write would not
 * change its trie. Each block is built by L2TestChain's builder (write-through without caches: the
 * reference for gas, receipts and roots), its witness recorded under each rule by the recorder
 * (`recordVerifierRun`), and verified under that rule: same verdict and root, and the
 * per-block-changes witness is a subset of the per-block one.
 */

const CHAIN_ID = 921n;
const ONE_ETH = 10n ** 18n;
/** Calldata: (slot, value) pairs of 32-byte words; SSTOREs each in order, then STOP. */
const SETTER_CODE = "0x60005b8036111560185780602001358135556040016002565b00";
/** Calldata: 32-byte slot numbers; SLOADs each (and drops it), then STOP. */
const READER_CODE = "0x60005b80361115601457803554506020016002565b00";
/** Calls the setter with its own calldata, then REVERTs. */
const REVERTING_CALLER_CODE = (setter: string): string =>
  `0x3660006000376000600036600060007300${setter.slice(4)}5af15060006000fd`;
const SETTER = "0x00000000000000000000000000000000005e7731";
const READER = "0x00000000000000000000000000000000005e7732";
const REVERTING_CALLER = "0x00000000000000000000000000000000005e7733";
/** An empty account in the pre-state (nonce 0, no balance, no code): EIP-161 deletes it when touched. */
const EMPTY_ACCOUNT = "0x00000000000000000000000000000000000e3971";
const ABSENT_ACCOUNT = "0x00000000000000000000000000000000000ab5e7";

const slotKey = (slot: bigint): Uint8Array => setLengthLeft(toBytes(slot), 32);

function pairs(...writes: [bigint, bigint][]): string {
  return `0x${writes.map(([slot, value]) => word(slot) + word(value)).join("")}`;
}

function slotsData(slots: readonly bigint[]): string {
  return `0x${slots.map((slot) => word(slot)).join("")}`;
}

async function testChain(storageSlots = 24): Promise<{ chain: L2TestChain; signers: TestSigner[] }> {
  const probe = await L2TestChain.create(CHAIN_ID, []);
  const signers = [0, 1, 2].map((i) => TestSigner.fromSeed(61 + i, probe.common));
  const storage: Record<string, string> = {};
  for (let slot = 1n; slot <= BigInt(storageSlots); slot++)
    storage[`0x${word(slot)}`] = `0x${(slot * 7n).toString(16).padStart(2, "0")}`;
  const chain = await L2TestChain.create(CHAIN_ID, [
    ...signers.map((s) => ({ address: s.address.toString(), balance: 100n * ONE_ETH })),
    { address: SETTER, code: SETTER_CODE, storage },
    { address: READER, code: READER_CODE, storage },
    { address: REVERTING_CALLER, code: REVERTING_CALLER_CODE(SETTER) },
    { address: EMPTY_ACCOUNT },
  ]);
  return { chain, signers: signers.map((s) => TestSigner.fromSeed(61 + signers.indexOf(s), chain.common)) };
}

/** The witness of `built` recorded under `writes`, and how many trie nodes the recorder's run wrote. */
async function recorded(
  chain: L2TestChain,
  built: BuiltBlock,
  writes: VerifierWrites,
): Promise<{ witness: Uint8Array; nodeWrites: number }> {
  const parent = chain.headerAt(built.block.header.number - 1n);
  let nodeWrites = 0;
  const db = chain.database;
  // The chain's database, counting the node writes that pass through the recorder.
  const counting = new Proxy(db, {
    get(target, property) {
      if (property === "put")
        return (key: string, value: StoredValue) => {
          nodeWrites++;
          return target.put(key, value);
        };
      if (property === "batch")
        return (ops: BatchDBOp<string, StoredValue>[]) => {
          nodeWrites += ops.filter((op) => op.type === "put").length;
          return target.batch(ops);
        };
      const value = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  }) as DB<string, StoredValue>;
  await recordVerifierRun({
    common: chain.common,
    db: counting,
    preStateRoot: parent.stateRoot,
    block: built.block,
    blockchain: NO_BLOCKHASH,
    writes,
  });
  const witness = encodeWitness(await chain.witnessOf(built.block, parent, writes));
  return { witness, nodeWrites };
}

function accepted(built: BuiltBlock): string {
  return `valid ${bytesToHex(built.block.hash())} ${bytesToHex(built.block.header.stateRoot)}`;
}

const stateNodes = (witness: Uint8Array): string[] =>
  (RLP.decode(witness) as Uint8Array[][])[0].map((node) => bytesToHex(node));

/**
 * `built` verifies under per-block and per-block-changes, each on the witness recorded under it, with
 * the same outcome; the changes witness holds no node the per-block one lacks.
 */
async function expectSameAsPerBlock(chain: L2TestChain, built: BuiltBlock, label: string): Promise<void> {
  const perBlock = await recorded(chain, built, "per-block");
  const changes = await recorded(chain, built, "per-block-changes");
  const outcome = (witness: Uint8Array, writes: VerifierWrites): Promise<string> =>
    verifierOutcome(CHAIN_ID, built, built.blockRlp, witness, { writes });
  expect(await outcome(perBlock.witness, "per-block"), label).to.equal(accepted(built));
  expect(await outcome(changes.witness, "per-block-changes"), label).to.equal(accepted(built));
  const perBlockNodes = new Set(stateNodes(perBlock.witness));
  expect(
    stateNodes(changes.witness).filter((node) => !perBlockNodes.has(node)),
    `${label}: per-block-changes witness nodes the per-block witness lacks`,
  ).to.deep.equal([]);
  expect(changes.nodeWrites, `${label}: node writes`).to.be.at.most(perBlock.nodeWrites);
  // The other direction too: a skipped write is a no-op whose path walk meets, at each prefix of its
  // key, either a node the block wrote or the pre-state node its first read walked through (a
  // pre-state node never moves: it is reached by its hash at the same nibble path), so per block
  // reads no pre-state node per-block-changes does not (attack-review-s25.md, round 26).
  expect(stateNodes(perBlock.witness).sort(), `${label}: the two witnesses' state nodes`).to.deep.equal(
    stateNodes(changes.witness).sort(),
  );
  expect(await outcome(changes.witness, "per-block"), `${label}: changes witness under per block`).to.equal(
    accepted(built),
  );
}

describe("the per-block-changes write rule against per block", function () {
  this.timeout(300_000);

  it("writes back none of a read-only block's reads (per block rewrites each read slot's path)", async () => {
    const { chain, signers } = await testChain();
    const built = await chain.buildBlock([
      signers[0].tx({ to: READER, data: slotsData([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 30n, 31n]), gasLimit: 200_000n }),
    ]);
    const perBlock = await recorded(chain, built, "per-block");
    const changes = await recorded(chain, built, "per-block-changes");
    console.log(
      `      trie node writes of the read-only block: per block ${perBlock.nodeWrites}, per-block-changes ${changes.nodeWrites}`,
    );
    // What is left is the sender's and the coinbase's accounts and the system calls' slots.
    expect(changes.nodeWrites, "node writes").to.be.lessThan(perBlock.nodeWrites);
    await expectSameAsPerBlock(chain, built, "read-only block");
  });

  it("skips a slot written and restored to its block-start value, in one transaction and across two", async () => {
    const { chain, signers } = await testChain();
    const built = await chain.buildBlock([
      // Slot 1 (7): 9, then 7 again in the same transaction.
      signers[0].tx({ to: SETTER, data: pairs([1n, 9n], [1n, 7n]), gasLimit: 200_000n }),
      // Slot 2 (14): 0 in one transaction, 14 again in the next; slot 40 (absent): 5 then 0.
      signers[1].tx({ to: SETTER, data: pairs([2n, 0n], [40n, 5n]), gasLimit: 200_000n }),
      signers[1].tx({ to: SETTER, data: pairs([2n, 14n], [40n, 0n]), gasLimit: 200_000n }),
    ]);
    const setter = createAddressFromString(SETTER);
    const before = await chain.stateAt(built.block.header.number - 1n);
    const after = await chain.stateAt();
    // The premise: the block leaves the setter's storage as it found it.
    expect(bytesToHex((await after.getAccount(setter))?.storageRoot ?? new Uint8Array())).to.equal(
      bytesToHex((await before.getAccount(setter))?.storageRoot ?? new Uint8Array()),
    );
    await expectSameAsPerBlock(chain, built, "restored slots");
    const perBlock = await recorded(chain, built, "per-block");
    const changes = await recorded(chain, built, "per-block-changes");
    expect(changes.nodeWrites, "restored slots are not written").to.be.lessThan(perBlock.nodeWrites);
  });

  it("deletes as per block: a cleared slot, the s23 counter-example's collapse, a reverted write", async () => {
    const nibble = (slot: bigint): number => keccak256(slotKey(slot))[0] >> 4;
    const slots: bigint[] = [];
    for (let slot = 1n; slots.length < 3; slot++) if (!slots.some((s) => nibble(s) === nibble(slot))) slots.push(slot);
    const [k1, k2, k3] = slots as [bigint, bigint, bigint];
    const probe = await L2TestChain.create(CHAIN_ID, []);
    const alice = TestSigner.fromSeed(71, probe.common);
    const chain = await L2TestChain.create(CHAIN_ID, [
      { address: alice.address.toString(), balance: 100n * ONE_ETH },
      { address: SETTER, code: SETTER_CODE, storage: { [`0x${word(k1)}`]: "0x0a", [`0x${word(k2)}`]: "0x0b" } },
      { address: REVERTING_CALLER, code: REVERTING_CALLER_CODE(SETTER) },
    ]);
    const signer = TestSigner.fromSeed(71, chain.common);
    const built = await chain.buildBlock([
      signer.tx({ to: SETTER, data: pairs([k1, 5n], [k3, 1n], [k1, 0n]), gasLimit: 200_000n }),
      signer.tx({ to: REVERTING_CALLER, data: pairs([k2, 0n]), gasLimit: 200_000n }),
    ]);
    await expectSameAsPerBlock(chain, built, "deletions");
    const perBlock = await recorded(chain, built, "per-block");
    const changes = await recorded(chain, built, "per-block-changes");
    // The collapse's sibling is read in both: the deletion is a change, flushed in the same order.
    expect(stateNodes(changes.witness)).to.deep.equal(stateNodes(perBlock.witness));
    expect(
      await verifierOutcome(CHAIN_ID, built, built.blockRlp, changes.witness, { writes: "write-through" }),
    ).to.satisfy((o: string) => o.startsWith("valid") || o.startsWith(`invalid ${ExecuteErrorCode.WitnessIncomplete}`));
  });

  it("deletes a touched empty pre-state account (EIP-161) and skips a touched absent one", async () => {
    const { chain, signers } = await testChain();
    const built = await chain.buildBlock([
      signers[0].tx({ to: EMPTY_ACCOUNT, value: 0n, gasLimit: 21_000n }),
      signers[1].tx({ to: ABSENT_ACCOUNT, value: 0n, gasLimit: 21_000n }),
      // Funded again after its deletion, and touched once more.
      signers[2].tx({ to: EMPTY_ACCOUNT, value: 1n, gasLimit: 21_000n }),
      signers[0].tx({ to: EMPTY_ACCOUNT, value: 0n, gasLimit: 21_000n }),
    ]);
    const state = await chain.stateAt();
    expect((await state.getAccount(createAddressFromString(EMPTY_ACCOUNT)))?.balance).to.equal(1n);
    expect(await state.getAccount(createAddressFromString(ABSENT_ACCOUNT))).to.equal(undefined);
    await expectSameAsPerBlock(chain, built, "EIP-161");
  });

  it("writes the storage of an account deleted (EIP-161) and re-created (CREATE2) in the block with its block-start root", async () => {
    // A storage-only account (slot 0 = 0x2a, no nonce, balance or code) at the address a CREATE2
    // of INIT_CODE makes: touched, it is empty and deleted; re-created, its init code writes slot 0 =
    // 0x2a again, so its storage root ends as it began. The slot is still a change: the account's
    // storage trie was emptied in the block.
    const FACTORY = "0x00000000000000000000000000000000000fac75";
    // CALLDATACOPY the calldata (the init code) to memory 0, CREATE2(value 0, 0, size, salt 0), STOP.
    const FACTORY_CODE = "0x365f5f375f365f5ff55000";
    const INIT_CODE = "0x602a5f5500";
    const initHash = keccak256(toBytes(INIT_CODE));
    const child = bytesToHex(
      keccak256(Uint8Array.from([0xff, ...toBytes(FACTORY), ...new Uint8Array(32), ...initHash])).subarray(12),
    );
    const probe = await L2TestChain.create(CHAIN_ID, []);
    const alice = TestSigner.fromSeed(81, probe.common);
    const chain = await L2TestChain.create(CHAIN_ID, [
      { address: alice.address.toString(), balance: 100n * ONE_ETH },
      { address: FACTORY, code: FACTORY_CODE },
      { address: child, storage: { [`0x${word(0n)}`]: "0x2a" } },
    ]);
    const signer = TestSigner.fromSeed(81, chain.common);
    const before = await chain.stateAt();
    const childAddress = createAddressFromString(child);
    const startRoot = bytesToHex((await before.getAccount(childAddress))?.storageRoot ?? new Uint8Array());
    const built = await chain.buildBlock([
      signer.tx({ to: child, value: 0n, gasLimit: 21_000n }),
      signer.tx({ to: FACTORY, data: INIT_CODE, gasLimit: 200_000n }),
    ]);
    expect(built.txResults.map((r) => r.execResult.exceptionError?.error ?? "ok")).to.deep.equal(["ok", "ok"]);
    const after = await chain.stateAt();
    const recreated = await after.getAccount(childAddress);
    expect(recreated?.nonce, "re-created by CREATE2").to.equal(1n);
    expect(bytesToHex(recreated?.storageRoot ?? new Uint8Array()), "the premise: the same storage root").to.equal(
      startRoot,
    );
    await expectSameAsPerBlock(chain, built, "deleted and re-created");
  });

  it("writes a slot read at its block-start value, then deleted with its account and re-created with that value (state-manager level)", async () => {
    // Unreachable through the EVM from Cancun on (code that reads its storage cannot be deleted or
    // created over: EIP-6780, EIP-7610), so driven on the state managers directly: the guard, not
    // the EVM's rules, keeps the slot written into the re-created account's empty storage trie.
    const { chain } = await testChain();
    const setter = createAddressFromString(SETTER);
    const key = slotKey(1n);
    const rootAfter = async (writes: VerifierWrites, clear: "deleteAccount" | "clearStorage"): Promise<string> => {
      const trie = new MerklePatriciaTrie({
        db: chain.database,
        useKeyHashing: true,
        common: chain.common,
        valueEncoding: ValueEncoding.Bytes,
      });
      const state = verifierStateManager({ trie, common: chain.common, writes });
      await state.setStateRoot(chain.latest.header.stateRoot);
      await state.checkpoint();
      expect(bytesToHex(await state.getStorage(setter, key))).to.equal("0x07");
      const account = (await state.getAccount(setter)) as Account;
      if (clear === "deleteAccount") {
        await state.deleteAccount(setter);
        await state.putAccount(setter, new Account(1n, 0n));
      } else {
        await state.clearStorage(setter);
        await state.putAccount(setter, new Account(account.nonce, account.balance, undefined, account.codeHash));
      }
      await state.putStorage(setter, key, Uint8Array.of(7));
      await state.commit();
      return bytesToHex(await state.getStateRoot());
    };
    for (const clear of ["deleteAccount", "clearStorage"] as const)
      expect(await rootAfter("per-block-changes", clear), clear).to.equal(await rootAfter("per-block", clear));
  });

  it("agrees with per block and write-through on a contract created, written, self-destructed in its creating transaction (EIP-6780) and re-created, with transient storage and a restored slot", async () => {
    // Round 26's adversarial pass. The child's init code: slot 0 = 0x2a; TSTORE(1, 7), slot 1 =
    // TLOAD(1); SLOAD(0); then SELFDESTRUCT when the transaction's origin is alice (EIP-6780: in its
    // creating transaction, so the account is deleted at the transaction's end), else STOP (it stays,
    // with no code). Alice's CREATE2 makes and deletes it; bob's, at the same address, makes it for good.
    const FACTORY = "0x00000000000000000000000000000000000fac76";
    const FACTORY_CODE = "0x365f5f375f365f5ff55000";
    const probe = await L2TestChain.create(CHAIN_ID, []);
    const alice = TestSigner.fromSeed(91, probe.common);
    const bob = TestSigner.fromSeed(92, probe.common);
    const initCode: `0x${string}` = `0x602a5f55600760015d60015c6001555f54503273${alice.address.toString().slice(2)}14602d57005b33ff`;
    const initHash = keccak256(toBytes(initCode));
    const child = bytesToHex(
      keccak256(Uint8Array.from([0xff, ...toBytes(FACTORY), ...new Uint8Array(32), ...initHash])).subarray(12),
    );
    const chain = await L2TestChain.create(CHAIN_ID, [
      { address: alice.address.toString(), balance: 100n * ONE_ETH },
      { address: bob.address.toString(), balance: 100n * ONE_ETH },
      { address: FACTORY, code: FACTORY_CODE },
      { address: SETTER, code: SETTER_CODE, storage: { [`0x${word(1n)}`]: "0x07" } },
    ]);
    const [a, b] = [91, 92].map((seed) => TestSigner.fromSeed(seed, chain.common));
    const built = await chain.buildBlock([
      a.tx({ to: FACTORY, data: initCode, gasLimit: 300_000n }),
      // Between the two creations: the setter's slot 1 (7) written 9 and back to 7 in one transaction
      // (EIP-2200's original value read after a write), then read by a second.
      a.tx({ to: SETTER, data: pairs([1n, 9n], [1n, 7n]), gasLimit: 200_000n }),
      b.tx({ to: FACTORY, data: initCode, gasLimit: 300_000n }),
      b.tx({ to: SETTER, data: pairs([1n, 7n]), gasLimit: 200_000n }),
    ]);
    expect(built.txResults.map((r) => r.execResult.exceptionError?.error ?? "ok")).to.deep.equal([
      "ok",
      "ok",
      "ok",
      "ok",
    ]);
    const state = await chain.stateAt();
    const childAddress = createAddressFromString(child);
    expect((await state.getAccount(childAddress))?.nonce, "re-created by bob's CREATE2").to.equal(1n);
    expect(bytesToHex(await state.getStorage(childAddress, slotKey(1n))), "slot 1 from transient storage").to.equal(
      "0x07",
    );
    await expectSameAsPerBlock(chain, built, "EIP-6780");
    const comparison = await compareWriteRules(
      { chainId: CHAIN_ID, parentHeader: built.parentHeader, block: built.blockRlp, witness: built.witness },
      await Promise.all(
        VERIFIER_WRITES.map((rule) =>
          chain.witnessOf(built.block, chain.headerAt(built.block.header.number - 1n), rule),
        ),
      ),
    );
    expect(comparison.divergence, "the three rules").to.equal(undefined);
    expect(comparison.verdicts.map((v) => v.verdict)).to.deep.equal(VERIFIER_WRITES.map(() => "valid"));
  });

  it("gives per block's verdicts and roots on random blocks of writes, reads, restores, deletions and reverts", async () => {
    const { chain, signers } = await testChain();
    const rng = new Rng(20261129);
    const slotValue = (): [bigint, bigint] => [
      BigInt(1 + rng.int(40)),
      rng.int(3) === 0 ? 0n : BigInt(1 + rng.int(4)) * 7n,
    ];
    for (let n = 0; n < 10; n++) {
      const txs = Array.from({ length: 1 + rng.int(6) }, () => {
        const signer = rng.pick(signers);
        switch (rng.int(5)) {
          case 0:
            return signer.tx({
              to: rng.pick([EMPTY_ACCOUNT, ABSENT_ACCOUNT, READER]),
              value: BigInt(rng.int(2)),
              gasLimit: 60_000n,
            });
          case 1:
            return signer.tx({
              to: READER,
              data: slotsData(Array.from({ length: 1 + rng.int(8) }, () => BigInt(1 + rng.int(40)))),
              gasLimit: 300_000n,
            });
          case 2:
            return signer.tx({
              to: REVERTING_CALLER,
              data: pairs(...Array.from({ length: 1 + rng.int(4) }, slotValue)),
              gasLimit: 300_000n,
            });
          default:
            return signer.tx({
              to: SETTER,
              data: pairs(...Array.from({ length: 1 + rng.int(6) }, slotValue)),
              gasLimit: 400_000n,
            });
        }
      });
      const built = await chain.buildBlock(txs);
      await expectSameAsPerBlock(chain, built, `random block ${n + 1}`);
    }
  });
});
