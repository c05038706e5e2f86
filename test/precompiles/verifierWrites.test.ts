import { RLP } from "@ethereumjs/rlp";
import type { RunBlockResult } from "@ethereumjs/vm";
import { bytesToHex, setLengthLeft, toBytes } from "@ethereumjs/util";
import { expect } from "chai";

import {
  ExecuteErrorCode,
  type VerifierWrites,
  encodeStorageValue,
  encodeWitness,
  recordVerifierRun,
} from "../../precompiles";
import { keccak256 } from "../../precompiles/crypto";
import { TestSigner, word } from "../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain, NO_BLOCKHASH } from "../../tools/l2TestChain";
import { verifierOutcome } from "../../tools/verifierOutcomes";

/**
 * EXECUTE's per-block write path (precompiles/verifierStateManager.ts) against the write-through
 * baseline on blocks built for the cases where buffering could change a result: EIP-2200/3529
 * original values across transactions of one block, and a branch collapse that only the per-block
 * order of trie writes makes (docs/design/attack-review-s23.md's counter-example). The blocks are
 * built by L2TestChain's builder, which writes through without caches: the reference.
 */

const CHAIN_ID = 913n;
const ONE_ETH = 10n ** 18n;
/** Calldata: (slot, value) pairs of 32-byte words; SSTOREs each in order, then STOP. */
const SETTER_CODE = "0x60005b803611156018578060200135813555604001600256" + "5b00";
const SETTER = "0x00000000000000000000000000000000005e7705";

function pairs(...writes: [bigint, bigint][]): string {
  return `0x${writes.map(([slot, value]) => word(slot) + word(value)).join("")}`;
}

async function chainWithSetter(
  storage: Record<string, string> = {},
): Promise<{ chain: L2TestChain; alice: TestSigner }> {
  const probe = await L2TestChain.create(CHAIN_ID, []);
  const address = TestSigner.fromSeed(31, probe.common).address.toString();
  const chain = await L2TestChain.create(CHAIN_ID, [
    { address, balance: 100n * ONE_ETH },
    { address: SETTER, code: SETTER_CODE, storage },
  ]);
  return { chain, alice: TestSigner.fromSeed(31, chain.common) };
}

/** EXECUTE's outcome for `built` on `witness`, writing state `writes`. */
function verdict(built: BuiltBlock, witness: Uint8Array, writes: VerifierWrites): Promise<string> {
  return verifierOutcome(CHAIN_ID, built, built.blockRlp, witness, { writes });
}

/** The outcome of a valid `built`. */
function accepted(built: BuiltBlock): string {
  return `valid ${bytesToHex(built.block.hash())} ${bytesToHex(built.block.header.stateRoot)}`;
}

/** runBlock's result for `built` with the verifier's state manager in `writes` mode, on the chain's full state. */
async function run(chain: L2TestChain, built: BuiltBlock, writes: VerifierWrites): Promise<RunBlockResult> {
  const parent = chain.headerAt(built.block.header.number - 1n);
  const { result } = await recordVerifierRun({
    common: chain.common,
    db: chain.database,
    preStateRoot: parent.stateRoot,
    block: built.block,
    blockchain: NO_BLOCKHASH,
    writes,
  });
  return result;
}

const slotKey = (slot: bigint): Uint8Array => setLengthLeft(toBytes(slot), 32);

describe("EXECUTE's per-block writes against the write-through baseline", function () {
  this.timeout(120_000);

  it("keeps EIP-2200's original value per transaction: the second transaction of a block sees the first one's result", async () => {
    const { chain, alice } = await chainWithSetter();
    const built = await chain.buildBlock([
      // 0 → 1 (original 0).
      alice.tx({ to: SETTER, data: pairs([1n, 1n]) }),
      // 1 → 2 → 1: original 1 (the first transaction's), so a reset (2,900) and a restore refund (2,800);
      // with the block's original 0 it would be a dirty write (100) and another refund.
      alice.tx({ to: SETTER, data: pairs([1n, 2n], [1n, 1n]) }),
      // 1 → 0: a clear refund (4,800) against original 1.
      alice.tx({ to: SETTER, data: pairs([1n, 0n]) }),
      // 0 → 3 → 0 in one transaction against original 0: the set is refunded almost whole.
      alice.tx({ to: SETTER, data: pairs([1n, 3n], [1n, 0n]) }),
    ]);
    const reference = built.txResults.map((r) => `${r.totalGasSpent}/${r.gasRefund}`);
    const perBlock = await run(chain, built, "per-block");
    const writeThrough = await run(chain, built, "write-through");
    for (const result of [perBlock, writeThrough]) {
      expect(result.results.map((r) => `${r.totalGasSpent}/${r.gasRefund}`)).to.deep.equal(reference);
      expect(bytesToHex(result.stateRoot)).to.equal(bytesToHex(built.block.header.stateRoot));
    }
    expect(perBlock.receipts.map((r) => r.cumulativeBlockGasUsed)).to.deep.equal(
      writeThrough.receipts.map((r) => r.cumulativeBlockGasUsed),
    );
    // The premise: the second and third transactions were charged against original value 1.
    expect(perBlock.results[1].gasRefund, "1 → 2 → 1 restores the original: refund 2,800").to.equal(2800n);
    // 1 → 0 costs 2,100 + 2,900 and refunds 4,800: the transaction costs less than 21,000 + 5,000.
    expect(perBlock.results[2].totalGasSpent < 26_000n, "1 → 0 clears against original 1").to.equal(true);
    expect(await verdict(built, built.witness, "per-block")).to.equal(accepted(built));
  });

  it("needs the sibling a deletion's collapse reads when the deletion is flushed first (the s23 counter-example): the write-through witness lacks it", async () => {
    // Three slots under different first nibbles of their hashed keys: K1 and K2 in the pre-state
    // (the storage root is a branch of two), K3 inserted by the block.
    const nibble = (slot: bigint): number => keccak256(slotKey(slot))[0] >> 4;
    const slots: bigint[] = [];
    for (let slot = 1n; slots.length < 3; slot++) if (!slots.some((s) => nibble(s) === nibble(slot))) slots.push(slot);
    const [k1, k2, k3] = slots as [bigint, bigint, bigint];
    const { chain, alice } = await chainWithSetter({ [`0x${word(k1)}`]: "0x0a", [`0x${word(k2)}`]: "0x0b" });
    // Written through: K1 = 5, insert K3, delete K1: the branch keeps K2 and K3, nothing collapses.
    // Per block: one write per slot at the root, in first-write order: delete K1 (the branch
    // collapses onto K2, reading its leaf), then insert K3.
    const built = await chain.buildBlock([alice.tx({ to: SETTER, data: pairs([k1, 5n], [k3, 1n], [k1, 0n]) })]);
    const parent = chain.headerAt(built.block.header.number - 1n);
    const writeThrough = encodeWitness(await chain.witnessOf(built.block, parent, "write-through"));
    expect(await verdict(built, built.witness, "per-block")).to.equal(accepted(built));
    expect(await verdict(built, writeThrough, "write-through")).to.equal(accepted(built));
    // The two paths need different witnesses: this is why the recorder and the verifier share one
    // definition, and why the write path is a consensus rule (consensus-rules.md).
    expect(await verdict(built, writeThrough, "per-block")).to.match(
      new RegExp(`^invalid ${ExecuteErrorCode.WitnessIncomplete}: `),
    );
    const entries = (witness: Uint8Array): Set<string> =>
      new Set((RLP.decode(witness) as Uint8Array[][])[0].map((node) => bytesToHex(node)));
    const perBlockNodes = entries(built.witness);
    const onlyPerBlock = [...perBlockNodes].filter((node) => !entries(writeThrough).has(node));
    expect(onlyPerBlock.length, "the per-block witness holds K2's leaf, which write-through never reads").to.equal(1);
  });
});

describe("encodeStorageValue", () => {
  it("is RLP.encode for every storage value length and every single byte", () => {
    const values: Uint8Array[] = [new Uint8Array()];
    for (let b = 0; b < 256; b++) values.push(Uint8Array.of(b));
    for (let length = 2; length <= 32; length++)
      values.push(Uint8Array.from({ length }, (_, i) => (i * 37 + length) & 0xff));
    for (const value of values) expect(bytesToHex(encodeStorageValue(value))).to.equal(bytesToHex(RLP.encode(value)));
    expect(() => encodeStorageValue(new Uint8Array(33))).to.throw(RangeError);
  });
});
