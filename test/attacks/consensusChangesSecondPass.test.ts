import { RLP } from "@ethereumjs/rlp";
import { bytesToHex, computeVersionedHash, createAddressFromString, hexToBytes } from "@ethereumjs/util";
import { expect } from "chai";

import { createExecutePrecompile, genesisForkCommon } from "../../precompiles";
import { LazyKzg, loadMicroEthKzg } from "../../precompiles/kzg";
import { judgeBlock } from "../../rollup-node/bridge/verdict";
import { createChainCommon } from "../../rollup-node/chain/genesis";
import { blockExecuteCall, callExecute } from "../../tools/executeCall";
import { Rng } from "../../tools/executeFuzz";
import { STORE_ADDRESS, STORE_AND_LOG_CODE, TestSigner, storeCall } from "../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../../tools/l2TestChain";
import { pointEvaluationBlock } from "../support/pointEvaluationBlock";
import { type Verdict, verdictOf } from "../support/verifyVerdict";

/**
 * attack-review-s29.md, second pass (s29-attack2): this session's consensus changes against upstream.
 *
 * 1. Accounts kept decoded in the per-block caches (`DecodedAccountCache`): seeded blocks whose
 *    transactions make the EVM edit, checkpoint and revert accounts it has cached (a value transfer in
 *    a call frame that reverts, nested under one that succeeds; SELFDESTRUCT in the creating
 *    transaction; SELFDESTRUCT of an older contract; EIP-7702 delegations writing and rewriting code
 *    and then storage under it; a touched empty account deleted by EIP-161): the same verdict and
 *    message with `decodedAccounts: false` (EthereumJS's `AccountCache`) and `ethereumJsRunBlock`,
 *    with and without each witness node, and with a lying state root.
 * 2. The L2 Common's KZG: the point-evaluation precompile (0x0a) called with input of every invalid
 *    kind and with valid proofs: each call's outcome as EIP-4844 says, and the same verdict from the
 *    devnet's EXECUTE (an L1 Common with a KZG), a plain L1's, a verifier on its own Common (the
 *    challenger's `judgeBlock`) and one whose Common carries another KZG instance.
 */

const CHAIN_ID = 931n;
const SEED = Number(process.env.S29_SECOND_PASS_SEED ?? 20261129);
const BLOCKS = Number(process.env.S29_SECOND_PASS_BLOCKS ?? 6);

const addr = (tag: number): string => `0x${tag.toString(16).padStart(40, "0")}`;
const hex20 = (address: string): string => address.slice(2);
/** A CALL with no data and no return buffer: gas (all), `to`, `value`. */
const call = (to: string, value: number): string =>
  `6000600060006000` + `60${value.toString(16).padStart(2, "0")}` + `73${hex20(to)}` + "5af1";

const EMPTY = addr(0xee01); // in the genesis, empty: a zero-value touch deletes it (EIP-161)
const EMPTY_IN_REVERT = addr(0xee02); // empty, paid only in a frame that reverts: stays
const PAID = addr(0xee03); // absent, paid by OUTER after its inner call reverted
const BENEFICIARY = addr(0xbb01);
const INNER = addr(0x1101);
const OUTER = addr(0x1102);
const OLD_DESTRUCT = addr(0x1103);

/** Pays EMPTY_IN_REVERT 1 wei, writes its own slot 0, then reverts. */
const INNER_CODE = `0x${call(EMPTY_IN_REVERT, 1)}50600160005560006000fd`;
/** Calls INNER with 2 wei (which reverts), stores the call's result in slot 0, pays PAID 1 wei. */
const OUTER_CODE = `0x${call(INNER, 2)}600055${call(PAID, 1)}5000`;
/** SELFDESTRUCT to BENEFICIARY (an older contract: only the balance moves, EIP-6780). */
const DESTRUCT_CODE = `0x73${hex20(BENEFICIARY)}ff`;

function aliasingAlloc(signers: readonly TestSigner[]) {
  return [
    ...signers.map((s) => ({ address: s.address.toString(), balance: 10n ** 20n })),
    { address: EMPTY, balance: 0n },
    { address: EMPTY_IN_REVERT, balance: 0n },
    { address: INNER, code: INNER_CODE, balance: 100n },
    { address: OUTER, code: OUTER_CODE, balance: 100n },
    { address: OLD_DESTRUCT, code: DESTRUCT_CODE, balance: 50n },
    { address: STORE_ADDRESS, code: STORE_AND_LOG_CODE },
  ];
}

type TxMaker = (rng: Rng) => ReturnType<TestSigner["tx"]>;

function scenarios(sender: TestSigner, authority: TestSigner): TxMaker[] {
  return [
    // A nested call that reverts after paying and writing, under a frame that succeeds.
    (rng) => sender.tx({ to: OUTER, value: BigInt(rng.int(3)), gasLimit: 200_000n }),
    // The same call reverting at the top (too little gas for the second CALL).
    () => sender.tx({ to: OUTER, gasLimit: 60_000n }),
    // Creation that self-destructs in its own transaction, to a beneficiary or to itself.
    (rng) => sender.tx({ value: BigInt(1 + rng.int(9)), data: DESTRUCT_CODE, gasLimit: 100_000n }),
    (rng) => sender.tx({ value: BigInt(1 + rng.int(9)), data: "0x30ff", gasLimit: 100_000n }),
    // SELFDESTRUCT of an older contract: only its balance moves.
    (rng) => sender.tx({ to: OLD_DESTRUCT, value: BigInt(rng.int(4)), gasLimit: 60_000n }),
    // A zero-value touch of an empty account: EIP-161 deletes it.
    () => sender.tx({ to: EMPTY, gasLimit: 21_000n }),
    // EIP-7702: the authority's code written (or rewritten), then its storage written under it.
    (rng) => sender.delegationTx(authority, STORE_ADDRESS, storeCall(rng.int(4), 1 + rng.int(9))),
    (rng) => sender.tx({ to: authority.address.toString(), data: storeCall(rng.int(4), rng.int(3)) }),
    // The authority itself sending (its nonce and balance edited after its code was).
    (rng) => authority.tx({ to: PAID, value: BigInt(rng.int(5)), gasLimit: 21_000n }),
  ];
}

async function sameVerdictEveryWay(built: BuiltBlock, what: string): Promise<Verdict> {
  const params = { chainId: CHAIN_ID, parentHeader: built.parentHeader, block: built.blockRlp, witness: built.witness };
  const own = await verdictOf(params);
  for (const baseline of [
    { decodedAccounts: false },
    { ethereumJsRunBlock: true },
    { decodedAccounts: false, ethereumJsRunBlock: true },
  ])
    expect(await verdictOf({ ...params, ...baseline }), `${what} ${JSON.stringify(baseline)}`).to.deep.equal(own);
  return own;
}

/** Block 0 runs every scenario once, in order: each did what it is there for (the test is not vacuous). */
async function expectScenariosRan(chain: L2TestChain, built: BuiltBlock, authority: TestSigner): Promise<void> {
  const failed = built.txResults.map((r) => r.execResult.exceptionError !== undefined);
  expect(failed, "only the top-level revert (OUTER with too little gas) fails").to.deep.equal([
    false,
    true,
    false,
    false,
    false,
    false,
    false,
    false,
    false,
  ]);
  const state = await chain.stateAt();
  const account = (a: string) => state.getAccount(createAddressFromString(a));
  expect(await account(EMPTY), "the touched empty account is deleted (EIP-161)").to.equal(undefined);
  expect(await account(EMPTY_IN_REVERT), "an empty account paid in a reverted frame stays").to.not.equal(undefined);
  expect((await account(INNER))?.balance, "INNER's payment reverted").to.equal(100n);
  const sent = (built.block.transactions[0] as { value: bigint }).value;
  expect((await account(OUTER))?.balance, "OUTER paid PAID 1 wei once").to.equal(100n + sent - 1n);
  expect((await account(PAID))?.balance).to.be.greaterThanOrEqual(1n);
  expect(
    (await state.getStorage(createAddressFromString(OUTER), new Uint8Array(32))).length,
    "INNER's CALL result 0",
  ).to.equal(0);
  expect((await account(BENEFICIARY))?.balance ?? 0n, "the created contract paid its beneficiary").to.be.greaterThan(
    0n,
  );
  expect((await account(OLD_DESTRUCT))?.balance, "the old contract's balance moved").to.equal(0n);
  expect(bytesToHex(await state.getCode(createAddressFromString(OLD_DESTRUCT))), "the old contract stays").to.equal(
    DESTRUCT_CODE,
  );
  const delegated = bytesToHex(await state.getCode(authority.address));
  expect(delegated, "the authority's code is a delegation").to.equal(`0xef0100${hex20(STORE_ADDRESS)}`);
}

describe("second pass on this session's consensus changes (attack-review-s29.md, s29-attack2)", function () {
  this.timeout(900_000);

  it(`accounts kept decoded: ${BLOCKS} seeded blocks of reverts, self-destructs, delegations and EIP-161 deletions`, async () => {
    const rng = new Rng(SEED);
    const seen = new Map<string, number>();
    let failedTxs = 0;
    for (let b = 0; b < BLOCKS; b++) {
      const probe = await L2TestChain.create(CHAIN_ID, []);
      const chain = await L2TestChain.create(
        CHAIN_ID,
        aliasingAlloc([TestSigner.fromSeed(40 + b, probe.common), TestSigner.fromSeed(80 + b, probe.common)]),
      );
      const sender = TestSigner.fromSeed(40 + b, chain.common);
      const authority = TestSigner.fromSeed(80 + b, chain.common);
      const makers = scenarios(sender, authority);
      // Every scenario once (b = 0, in order), then seeded picks and orders.
      const picks =
        b === 0 ? makers : Array.from({ length: 3 + rng.int(8) }, () => makers[rng.int(makers.length)] as TxMaker);
      const txs = picks.map((make) => make(rng));
      const built = await chain.buildBlock(txs);
      expect(built.block.transactions.length, `block ${b}: every transaction included`).to.equal(txs.length);
      failedTxs += built.txResults.filter((r) => r.execResult.exceptionError !== undefined).length;
      if (b === 0) await expectScenariosRan(chain, built, authority);
      const valid = await sameVerdictEveryWay(built, `block ${b}`);
      expect(valid.verdict, `block ${b}: ${valid.detail}`).to.equal("valid");
      // A lying state root: the same refusal and message.
      const header = RLP.decode(built.blockRlp) as unknown as Uint8Array[][];
      const lying = RLP.encode([
        header[0].map((f, i) => (i === 3 ? new Uint8Array(32).fill(b + 1) : f)),
        ...header.slice(1),
      ]);
      const refused = await sameVerdictEveryWay({ ...built, blockRlp: lying }, `block ${b} lying`);
      expect(refused.verdict).to.equal("StateRootMismatch");
      // Each witness node dropped in turn (every third, to bound the time): the same verdict.
      const [state, codes, headers] = RLP.decode(built.witness) as Uint8Array[][];
      for (let drop = b % 3; drop < state.length; drop += 3) {
        const witness = RLP.encode([state.filter((_, i) => i !== drop), codes, headers]);
        const v = await sameVerdictEveryWay({ ...built, witness }, `block ${b} without node ${drop}`);
        seen.set(v.verdict, (seen.get(v.verdict) ?? 0) + 1);
      }
    }
    // Not vacuous: failing frames ran, and missing nodes were reached on both caches.
    expect(failedTxs, "transactions that failed or reverted").to.be.greaterThan(0);
    expect(seen.get("WitnessIncomplete") ?? 0, JSON.stringify([...seen])).to.be.greaterThan(0);
  });

  describe("the point-evaluation precompile (0x0a) with every kind of input", () => {
    const INFINITY = `0xc0${"00".repeat(47)}`;
    const MODULUS = 52435875175126190479447740508185965837690552500527637822603658699938581184513n;
    const scalar = (n: bigint): string => n.toString(16).padStart(64, "0");
    const input = (commitment: string, z: string, y: string, proof: string, hash?: string): string =>
      `0x${(hash ?? computeVersionedHash(commitment as `0x${string}`, 1)).slice(2)}${z}${y}${commitment.slice(2)}${proof.slice(2)}`;
    let built: BuiltBlock;
    let cases: { name: string; succeeds: boolean }[];

    before(async () => {
      const kzg = loadMicroEthKzg() as unknown as {
        blobToKzgCommitment(blob: string): string;
        computeProof(blob: string, z: string): [string, string];
      };
      const blob = `0x${Array.from({ length: 4096 }, (_, i) => scalar(BigInt(i * 7919 + 1))).join("")}`;
      const commitment = kzg.blobToKzgCommitment(blob);
      const z = scalar(5n);
      const [proof, y] = kzg.computeProof(blob, `0x${z}`);
      const valid = input(commitment, z, y.slice(2), proof);
      const notOnCurve = `0x80${"00".repeat(46)}01`; // x = 1: x³ + 4 is not a square
      const notInSubgroup = `0x80${"00".repeat(46)}04`; // x = 4: on the curve, outside G1
      const list: [string, string, boolean][] = [
        ["a real proof", valid, true],
        [
          "the zero polynomial at z (commitment and proof at infinity, y = 0)",
          input(INFINITY, z, scalar(0n), INFINITY),
          true,
        ],
        ["empty", "0x", false],
        ["191 bytes", valid.slice(0, -2), false],
        ["193 bytes", `${valid}00`, false],
        [
          "versioned hash off by one bit",
          input(
            commitment,
            z,
            y.slice(2),
            proof,
            `${valid.slice(0, 65)}${(Number.parseInt(valid[65] as string, 16) ^ 1).toString(16)}`,
          ),
          false,
        ],
        [
          "versioned hash of version 2",
          input(
            commitment,
            z,
            y.slice(2),
            proof,
            `0x02${computeVersionedHash(commitment as `0x${string}`, 1).slice(4)}`,
          ),
          false,
        ],
        ["a wrong y", input(commitment, z, scalar((BigInt(y) + 1n) % MODULUS), proof), false],
        ["a wrong z", input(commitment, scalar(6n), y.slice(2), proof), false],
        ["z = the modulus", input(INFINITY, scalar(MODULUS), scalar(0n), INFINITY), false],
        ["z = 2^256 - 1", input(INFINITY, "ff".repeat(32), scalar(0n), INFINITY), false],
        ["y = the modulus", input(INFINITY, z, scalar(MODULUS), INFINITY), false],
        ["z + modulus of a real proof", input(commitment, scalar(5n + MODULUS), y.slice(2), proof), false],
        ["commitment not on the curve", input(notOnCurve, z, scalar(0n), INFINITY), false],
        ["commitment outside the subgroup", input(notInSubgroup, z, scalar(0n), INFINITY), false],
        ["proof not on the curve", input(INFINITY, z, scalar(0n), notOnCurve), false],
        ["proof outside the subgroup", input(INFINITY, z, scalar(0n), notInSubgroup), false],
        ["commitment without the compression flag", input(`0x00${commitment.slice(4)}`, z, y.slice(2), proof), false],
        ["infinity with a coordinate bit set", input(`0xc0${"00".repeat(46)}01`, z, scalar(0n), INFINITY), false],
      ];
      cases = list.map(([name, , succeeds]) => ({ name, succeeds }));
      built = await pointEvaluationBlock(
        CHAIN_ID,
        171,
        list.map(([, data]) => data),
        80_000n,
      );
    });

    it("each call's outcome is EIP-4844's (only a valid proof succeeds, with the field size and modulus)", () => {
      const outcomes = built.txResults.map((r, i) => ({
        name: cases[i]?.name,
        succeeds: r.execResult.exceptionError === undefined,
      }));
      expect(outcomes).to.deep.equal(cases);
      const expected = `0x${scalar(4096n)}${scalar(MODULUS)}`;
      for (const [i, c] of cases.entries())
        if (c.succeeds)
          expect(bytesToHex(built.txResults[i]?.execResult.returnValue as Uint8Array), c.name).to.equal(expected);
    });

    it("the same verdict from the devnet's L1 Common, none, another KZG instance and upstream's paths", async () => {
      const params = {
        chainId: CHAIN_ID,
        parentHeader: built.parentHeader,
        block: built.blockRlp,
        witness: built.witness,
      };
      const own = await verdictOf(params);
      expect(own.verdict, own.detail).to.equal("valid");
      const otherKzg = genesisForkCommon(1n, {
        hardfork: createChainCommon(1n).hardfork(),
        customCrypto: { kzg: new LazyKzg() },
      });
      for (const variant of [
        { common: createChainCommon(1337n) },
        { common: otherKzg },
        { decodedAccounts: false, ethereumJsRunBlock: true },
      ])
        expect(await verdictOf({ ...params, ...variant }), Object.keys(variant).join(",")).to.deep.equal(own);
      expect(await judgeBlock(params)).to.deep.equal({ kind: "valid" });
    });

    it("EXECUTE on an L1 with the devnet's KZG and on a plain L1: the same answer", async () => {
      const { data, gasLimit } = blockExecuteCall(built, CHAIN_ID, createExecutePrecompile());
      const devnet = await callExecute(createExecutePrecompile(), data, {
        gasLimit,
        customCrypto: createChainCommon(1337n).customCrypto,
      });
      const plain = await callExecute(createExecutePrecompile(), data, { gasLimit });
      expect(devnet.exceptionError, "the devnet's EXECUTE accepts the block").to.equal(undefined);
      expect(plain.exceptionError).to.equal(undefined);
      expect(bytesToHex(plain.returnValue)).to.equal(bytesToHex(devnet.returnValue));
      expect(hexToBytes(bytesToHex(plain.returnValue)).length).to.be.greaterThan(0);
    });
  });
});
