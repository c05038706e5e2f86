import { RLP } from "@ethereumjs/rlp";
import { encodeWitness } from "../../precompiles";
import { keccak256 } from "../../precompiles/crypto";
import { bytesToHex, createAddressFromString, generateAddress2, hexToBytes } from "@ethereumjs/util";
import { expect } from "chai";

import { asm, push, storeTop } from "../../tools/evmAsm";
import { buildCorpus, decodableCases } from "../../tools/executeFuzz";
import { TestSigner, tamperBlock, word } from "../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain, type TestAccount } from "../../tools/l2TestChain";
import { type VerifierModes, compareModes, witnessesWithOneDropped } from "../../tools/verifierOutcomes";
import { type StateShape, reshapeState } from "../../tools/witnessShapes";

/**
 * The adversarial pass on `LazyHashTrie` (precompiles/lazyHashTrie.ts), end to end: blocks built
 * around what a trie with stand-in references could get wrong — stand-in storage roots across
 * reverted calls and transactions (block, transaction and call checkpoints nested), storage emptied
 * to the empty root and refilled, a CREATE2 onto an address holding only storage (EIP-7610's
 * collision check compares the storage root with the empty root), and the content-addressed case: a
 * node the witness lacks whose bytes the block wrote elsewhere before reading it (two contracts with
 * identical storage, two accounts at depth 64 whose leaves become identical), committed or reverted.
 * Each block is verified with `lazyTrieHashing` on and off — the whole witness, a tampered header,
 * and each witness node and code dropped in turn — and every outcome (valid with its root, or the
 * error code and reason, which names the missing key) must be the same.
 */

const CHAIN_ID = 913n;
/** Not the fuzzer's own seed: other mutations than the ones its test draws. */
const LAZY_FUZZ_SEED = 20261128;
const ONE_ETH = 10n ** 18n;

/**
 * The DecodedNodeTrie, as EXECUTE ran before this pass; the lazy trie must give its verdicts. Both
 * write per block (EXECUTE's write path since s24) unless a test says write-through.
 */
const PRODUCTION: VerifierModes = { cacheStateReads: true, lazyTrieHashing: false };
/**
 * The lazy trie per block. `cacheStateReads` chooses a state manager only when writing through
 * (verifierStateManager: per block, reads are the block buffer's), so per block one run covers it.
 */
const LAZY_MODES: readonly VerifierModes[] = [{ lazyTrieHashing: true }];
/** The lazy trie writing through, with and without the state read cache. */
const LAZY_WRITE_THROUGH_MODES: readonly VerifierModes[] = [
  { writes: "write-through", cacheStateReads: true, lazyTrieHashing: true },
  { writes: "write-through", cacheStateReads: false, lazyTrieHashing: true },
];

const S1 = "0x0000000000000000000000000000000000051001";
const S2 = "0x0000000000000000000000000000000000051002";
const S3 = "0x0000000000000000000000000000000000051003";
const DRIVER = "0x00000000000000000000000000000000000d71e7";
const FACTORY = "0x0000000000000000000000000000000000fac702";

/** SSTORE(calldata[0], calldata[32]); then REVERT if calldata[64] is not zero. */
const STORE_CODE = asm([
  push(0x20),
  "CALLDATALOAD",
  push(0),
  "CALLDATALOAD",
  "SSTORE",
  push(0x40),
  "CALLDATALOAD",
  "ISZERO",
  { jump: "done" },
  "JUMPI",
  push(0),
  "DUP1",
  "REVERT",
  { label: "done" },
  "STOP",
]);

/**
 * For each 128-byte record `[target, slot, value, revert]` of the calldata: CALL target with
 * `[slot, value, revert]` (its failure ignored). Then REVERT if the calldata has a trailing
 * partial record (every call's writes undone with the transaction).
 */
const DRIVER_CODE = asm([
  push(0),
  { label: "loop" },
  "CALLDATASIZE",
  "DUP2",
  push(0x80),
  "ADD",
  "GT",
  { jump: "end" },
  "JUMPI",
  push(0x60),
  "DUP2",
  push(0x20),
  "ADD",
  push(0),
  "CALLDATACOPY",
  push(0),
  push(0),
  push(0x60),
  push(0),
  push(0),
  "DUP6",
  "CALLDATALOAD",
  "GAS",
  "CALL",
  "POP",
  push(0x80),
  "ADD",
  { jump: "loop" },
  "JUMP",
  { label: "end" },
  "POP",
  push(0x80),
  "CALLDATASIZE",
  "MOD",
  "ISZERO",
  { jump: "ok" },
  "JUMPI",
  push(0),
  "DUP1",
  "REVERT",
  { label: "ok" },
  "STOP",
]);

/** CREATE2(value 0, the calldata as init code, salt 0); slot 0 = the new address (0 when it failed). */
const FACTORY_CODE = asm([
  "CALLDATASIZE",
  push(0),
  push(0),
  "CALLDATACOPY",
  push(0),
  "CALLDATASIZE",
  push(0),
  push(0),
  "CREATE2",
  ...storeTop(0),
  "STOP",
]);

/** Init code: slot 1 = 1, and no code deployed. */
const INIT_STORE = asm([push(1), ...storeTop(1), "STOP"]);
/** Init code: slot 1 = 1, then slot 1 = 0 (the account's storage is empty again), no code. */
const INIT_STORE_AND_CLEAR = asm([push(1), ...storeTop(1), push(0), ...storeTop(1), "STOP"]);
/** Init code: slot 1 = 1, then REVERT. */
const INIT_STORE_AND_REVERT = asm([push(1), ...storeTop(1), push(0), "DUP1", "REVERT"]);
/** Init code whose CREATE2 address holds storage only in the pre-state (nonce 0, no code). */
const INIT_ONTO_STORAGE = asm([push(2), ...storeTop(1), "STOP"]);

function created(initCode: string): string {
  return bytesToHex(generateAddress2(hexToBytes(FACTORY), new Uint8Array(32), hexToBytes(`0x${initCode}`)));
}

const slot = (n: number): string => `0x${word(n)}`;

/** One driver record. */
function record(target: string, slotNumber: number, value: number, revert: boolean): string {
  return `${target.slice(2).padStart(64, "0")}${word(slotNumber)}${word(value)}${word(revert ? 1 : 0)}`;
}

/** Calldata for STORE_CODE. */
function store(slotNumber: number, value: number, revert = false): string {
  return `0x${word(slotNumber)}${word(value)}${word(revert ? 1 : 0)}`;
}

async function chainWith(
  accounts: readonly TestAccount[],
  shape?: StateShape,
): Promise<{ chain: L2TestChain; alice: TestSigner }> {
  const probe = await L2TestChain.create(CHAIN_ID, []);
  const alice = TestSigner.fromSeed(31, probe.common);
  const chain = await L2TestChain.create(
    CHAIN_ID,
    [{ address: alice.address.toString(), balance: 100n * ONE_ETH }, ...accounts],
    shape === undefined ? {} : { reshapeState: (db, common, root) => reshapeState(db, common, root, shape) },
  );
  return { chain, alice: TestSigner.fromSeed(31, chain.common) };
}

function statusesOf(built: BuiltBlock): string[] {
  return built.txResults.map((r) => (r.execResult.exceptionError === undefined ? "ok" : "failed"));
}

/**
 * The block is valid, a wrong state root is refused, and each witness node and code dropped in
 * turn gives the same outcome with the lazy trie as without. Returns the outcomes of the drops.
 */
async function expectSameVerdicts(built: BuiltBlock): Promise<readonly string[]> {
  const whole = [{ label: "whole witness", witness: built.witness }];
  const accepted = await compareModes(CHAIN_ID, built, built.blockRlp, whole, PRODUCTION, LAZY_MODES);
  expect(accepted.outcomes[0], "the write-through verifier accepts the built block").to.match(/^valid /);
  expect(accepted.mismatches).to.eql([]);
  const wrongRoot = built.block.header.stateRoot.slice();
  wrongRoot[0] ^= 1;
  const refused = await compareModes(
    CHAIN_ID,
    built,
    tamperBlock(built.block, { stateRoot: wrongRoot }),
    whole,
    PRODUCTION,
    LAZY_MODES,
  );
  expect(refused.outcomes[0]).to.match(/^invalid /);
  expect(refused.mismatches).to.eql([]);
  const dropped = await compareModes(
    CHAIN_ID,
    built,
    built.blockRlp,
    witnessesWithOneDropped(built.witness),
    PRODUCTION,
    LAZY_MODES,
  );
  expect(dropped.mismatches).to.eql([]);
  expect(dropped.outcomes.some((o) => o.startsWith("invalid"))).to.equal(true);
  return dropped.outcomes;
}

describe("LazyHashTrie end to end: verifyBlock with lazyTrieHashing on and off, on blocks built against it", () => {
  it("stand-in storage roots across reverted calls and transactions, storage emptied and refilled, identical storage tries", async function () {
    this.timeout(600_000);
    const storeAt = (storage: Record<string, string>): Omit<TestAccount, "address"> => ({
      code: `0x${STORE_CODE}`,
      storage,
    });
    const { chain, alice } = await chainWith([
      // S1 and S2 have one storage trie (identical content, one root node); S3 becomes it when slot 2 is cleared.
      { address: S1, ...storeAt({ [slot(1)]: "0x05" }) },
      { address: S2, ...storeAt({ [slot(1)]: "0x05" }) },
      { address: S3, ...storeAt({ [slot(1)]: "0x05", [slot(2)]: "0x07" }) },
      { address: DRIVER, code: `0x${DRIVER_CODE}` },
    ]);
    const built = await chain.buildBlock([
      // S3 cleared to S1's content in a reverted call, then S1 and S2 read and written.
      alice.tx({
        to: DRIVER,
        data: `0x${record(S3, 2, 0, true)}${record(S1, 1, 5, false)}${record(S2, 1, 6, false)}`,
        gasLimit: 400_000n,
      }),
      // S1 emptied (the empty root), refilled to its pre-state content, in two transactions.
      alice.tx({ to: S1, data: store(1, 0) }),
      alice.tx({ to: S1, data: store(1, 5) }),
      // A whole transaction reverted.
      alice.tx({ to: S3, data: store(1, 9, true) }),
      // Calls that succeed inside a transaction that reverts (the driver's trailing word), S3 emptied in it.
      alice.tx({
        to: DRIVER,
        data: `0x${record(S1, 1, 9, true)}${record(S2, 1, 5, false)}${record(S3, 1, 0, false)}${record(S3, 2, 0, false)}00`,
        gasLimit: 400_000n,
      }),
      // S3 emptied for good in a transaction, then written again in a call after a reverted one.
      alice.tx({
        to: DRIVER,
        data: `0x${record(S3, 1, 0, false)}${record(S3, 2, 0, false)}${record(S3, 2, 8, true)}${record(S3, 2, 7, false)}`,
        gasLimit: 400_000n,
      }),
    ]);
    expect(statusesOf(built)).to.deep.equal(["ok", "ok", "ok", "failed", "failed", "ok"]);
    const state = await chain.stateAt();
    const value = async (address: string, n: number): Promise<string> =>
      bytesToHex(await state.getStorage(createAddressFromString(address), hexToBytes(slot(n) as `0x${string}`)));
    expect([await value(S1, 1), await value(S2, 1), await value(S3, 1), await value(S3, 2)]).to.deep.equal([
      "0x05",
      "0x06",
      "0x",
      "0x07",
    ]);
    await expectSameVerdicts(built);
  });

  it("CREATE2 onto an address holding only storage, onto storage written and cleared, and after a reverted creation", async function () {
    this.timeout(600_000);
    const ontoStorage = created(INIT_ONTO_STORAGE);
    const { chain, alice } = await chainWith([
      { address: FACTORY, code: `0x${FACTORY_CODE}` },
      { address: ontoStorage, storage: { [slot(1)]: "0x02" } },
    ]);
    const create = (initCode: string) => alice.tx({ to: FACTORY, data: `0x${initCode}`, gasLimit: 600_000n });
    const built = await chain.buildBlock([
      create(INIT_ONTO_STORAGE),
      create(INIT_STORE_AND_REVERT),
      create(INIT_STORE_AND_REVERT),
      create(INIT_STORE_AND_CLEAR),
      create(INIT_STORE_AND_CLEAR),
      create(INIT_STORE),
      create(INIT_STORE),
    ]);
    expect(statusesOf(built)).to.deep.equal(["ok", "ok", "ok", "ok", "ok", "ok", "ok"]);
    const state = await chain.stateAt();
    const storeOnly = createAddressFromString(created(INIT_STORE));
    expect(bytesToHex(await state.getStorage(storeOnly, hexToBytes(slot(1) as `0x${string}`)))).to.equal("0x01");
    // The first CREATE2 collided with the storage-only account (EIP-7610), the last with the account the one before made.
    expect((await state.getAccount(createAddressFromString(ontoStorage)))?.nonce).to.equal(0n);
    expect(bytesToHex(await state.getStorage(createAddressFromString(FACTORY), new Uint8Array(32)))).to.equal("0x");
    await expectSameVerdicts(built);
  });

  for (const reverted of [false, true]) {
    it(`an account leaf at depth 64 becomes identical to another's, the other read after (the write ${reverted ? "reverted" : "kept"})`, async function () {
      this.timeout(600_000);
      // S1 and S2 at depth 64 in the account trie, and their slot 1 at depth 64 in two identical
      // storage tries: their leaves differ only in the balance (0 and 1 wei). A 1-wei call to S1
      // that stores slot 1's value again makes S1's leaf S2's (a leaf at depth 64 is [0x20, account]).
      const { chain, alice } = await chainWith(
        [
          { address: S1, code: `0x${STORE_CODE}`, storage: { [slot(1)]: "0x05" } },
          { address: S2, code: `0x${STORE_CODE}`, storage: { [slot(1)]: "0x05" }, balance: 1n },
        ],
        { deepAccounts: [S1, S2], deepSlots: { [S1]: [slot(1)], [S2]: [slot(1)] } },
      );
      const built = await chain.buildBlock([
        alice.tx({ to: S1, value: 1n, data: store(1, 5, reverted) }),
        alice.tx({ to: S2, data: store(1, 5) }),
        alice.tx({ to: S1, data: store(1, 6) }),
        alice.tx({ to: S2, data: store(1, 5) }),
      ]);
      expect(statusesOf(built)).to.deep.equal([reverted ? "failed" : "ok", "ok", "ok", "ok"]);
      await expectSameVerdicts(built);
      // The content-addressed case itself: S2's pre-state leaf left out of the witness. Kept, S1's
      // write holds the same bytes when S2 is read (EthereumJS finds it among its writes); reverted, it does not.
      const pre = await chain.stateAt(0n);
      const s2 = await pre.getAccount(createAddressFromString(S2));
      const leaf = RLP.encode([Uint8Array.of(0x20), s2?.serialize() ?? new Uint8Array()]);
      const leafKey = bytesToHex(keccak256(leaf)).slice(2);
      const withoutLeafOf = (witness: Uint8Array): Uint8Array => {
        const [state, codes, headers] = RLP.decode(witness) as Uint8Array[][];
        return RLP.encode([state.filter((node) => bytesToHex(node) !== bytesToHex(leaf)), codes, headers]);
      };
      // Per block (EXECUTE's write path), nothing reaches the trie before S2 is read: its leaf comes
      // from the witness whether S1's write was kept or not, with and without the lazy trie.
      const perBlock = await compareModes(
        CHAIN_ID,
        built,
        built.blockRlp,
        [{ label: "without S2's leaf", witness: withoutLeafOf(built.witness) }],
        PRODUCTION,
        LAZY_MODES,
      );
      expect(perBlock.mismatches).to.eql([]);
      expect(perBlock.outcomes[0]).to.match(new RegExp(`^invalid 5: .*${leafKey}`));
      // Write-through, on the witness recorded for it: the content-addressed case proper.
      const parent = chain.headerAt(built.block.header.number - 1n);
      const writeThrough = encodeWitness(await chain.witnessOf(built.block, parent, "write-through"));
      const withoutLeaf = await compareModes(
        CHAIN_ID,
        built,
        built.blockRlp,
        [{ label: "without S2's leaf, write-through", witness: withoutLeafOf(writeThrough) }],
        { ...PRODUCTION, writes: "write-through" },
        LAZY_WRITE_THROUGH_MODES,
      );
      expect(withoutLeaf.mismatches).to.eql([]);
      if (reverted) expect(withoutLeaf.outcomes[0]).to.match(new RegExp(`^invalid .*${leafKey}`));
      else expect(withoutLeaf.outcomes[0]).to.match(/^valid /);
    });
  }

  it("gives the write-through verifier's outcome on the EXECUTE fuzzer's corpus and seeded mutations of it", async function () {
    this.timeout(900_000);
    const corpus = await buildCorpus();
    const cases = Number(process.env.LAZY_FUZZ_CASES ?? 1000);
    let verified = 0;
    const mismatches: string[] = [];
    const outcomes = new Set<string>();
    for (const { index, fuzz, input } of decodableCases(corpus, LAZY_FUZZ_SEED, cases)) {
      const variant = [{ label: `case ${index} (${fuzz.kind}: ${fuzz.description})`, witness: input.witness }];
      const compared = await compareModes(input.chainId, input, input.block, variant, { lazyTrieHashing: false }, [
        { lazyTrieHashing: true },
      ]);
      mismatches.push(...compared.mismatches);
      outcomes.add((compared.outcomes[0] ?? "").replace(/:.*/, "").replace(/^valid .*/, "valid"));
      verified++;
    }
    expect(mismatches).to.eql([]);
    expect(verified).to.be.greaterThan(cases / 2);
    // Accepted blocks and several rejection codes.
    expect(outcomes.has("valid")).to.equal(true);
    expect(outcomes.size).to.be.greaterThan(4);
  });
});
