import { RLP } from "@ethereumjs/rlp";
import { expect } from "chai";
import { AbiCoder, getBytes, hexlify, keccak256 } from "ethers";

import { EXECUTE_ADDRESS } from "../../precompiles";
import { l2GasClaimOfBlockRlp } from "../../precompiles/gas";
import { DEFAULT_L2_GAS_LIMIT } from "../../rollup-node/l2/genesis";
import {
  ATTACK_BOND,
  ATTACK_L2_CHAIN_ID,
  attackChallenger,
  attackL1,
  deployAttackRollup,
  passChallengeWindow,
} from "../support/attackL1";
import { TestSigner, word } from "../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../../tools/l2TestChain";

const L2_CHAIN_ID = ATTACK_L2_CHAIN_ID;

/** A block of one legacy EIP-155 transfer at the node's default gas limit. */
async function legacyTransferBlock(): Promise<BuiltBlock> {
  const probe = await L2TestChain.create(L2_CHAIN_ID, []);
  const alice = TestSigner.fromSeed(5, probe.common);
  const chain = await L2TestChain.create(L2_CHAIN_ID, [{ address: alice.address.toString(), balance: 10n ** 20n }], {
    gasLimit: DEFAULT_L2_GAS_LIMIT,
  });
  return chain.buildBlock(
    [TestSigner.fromSeed(5, chain.common).legacyTx({ to: "0x00000000000000000000000000000000000000aa", value: 1n })],
    { discard: true },
  );
}

/**
 * The block's RLP with its legacy transaction (an RLP list) posted as an RLP *byte string* holding
 * that list, and optionally header fields replaced. The execution specs (and geth) read a byte
 * string in a block body as a typed transaction (EIP-2718: first byte 0x01..0x7f) and reject this
 * one; EthereumJS's `createTxFromRLP` decodes it as the legacy transaction it wraps, and the
 * transactions root, computed from the decoded transactions, still matches.
 */
function wrapLegacyTx(blockRlp: Uint8Array, headerFields: Record<number, Uint8Array> = {}): Uint8Array {
  const [header, txs, ommers, withdrawals] = RLP.decode(blockRlp) as unknown as [
    Uint8Array[],
    unknown[],
    unknown[],
    unknown[],
  ];
  const h = [...header];
  for (const [index, value] of Object.entries(headerFields)) h[Number(index)] = value;
  return RLP.encode([
    h,
    txs.map((tx) => (Array.isArray(tx) ? RLP.encode(tx as never) : tx)),
    ommers,
    withdrawals,
  ] as never);
}

describe("attack: a legacy transaction posted as an RLP byte string", function () {
  this.timeout(300_000);
  const l1 = attackL1();

  it("consensus: EXECUTE rejects a block body that is not the canonical encoding (a legacy transaction is an RLP list), as the execution specs do", async () => {
    const built = await legacyTransferBlock();
    const wrapped = wrapLegacyTx(built.blockRlp);
    expect(hexlify(wrapped)).to.not.equal(hexlify(built.blockRlp));
    const input = AbiCoder.defaultAbiCoder().encode(
      ["uint64", "bytes", "bytes", "bytes", "bytes"],
      [L2_CHAIN_ID, built.parentHeader, wrapped, built.witness, "0x"],
    );
    const accepted = await l1.provider.call({ to: EXECUTE_ADDRESS, data: input, gasLimit: 1n << 24n }).then(
      (result) => result,
      () => undefined,
    );
    process.stderr.write(
      `      EXECUTE on the wrapped body: ${accepted === undefined ? "rejected" : `accepted (result ${accepted.slice(0, 66)}…, the block hash is the canonical block's: ${keccak256(built.block.header.serialize())})`}\n`,
    );
    expect(accepted, "EXECUTE accepted a non-canonical block body").to.equal(undefined);
  });

  it("optimistic: the node's challenger never prices a block it cannot read below its header's gas limit, challenges it, and the forged state root never finalizes", async () => {
    const built = await legacyTransferBlock();
    const forgedRoot = `0x${word(0xbad)}`;
    const forged = wrapLegacyTx(built.blockRlp, { 3: getBytes(forgedRoot) });
    expect(l2GasClaimOfBlockRlp(forged)).to.equal(undefined);

    const deployed = await deployAttackRollup(l1, built.parentHeader);
    const { rollup } = deployed;
    await (await rollup.propose(built.parentHeader, forged, built.witness, 0, { value: ATTACK_BOND })).wait();

    const lines: string[] = [];
    const node = attackChallenger(l1, deployed, lines);
    await node.poll();
    await node.poll();
    process.stderr.write(`      challenger log:\n${lines.map((l) => `        ${l.slice(0, 260)}`).join("\n")}\n`);

    await passChallengeWindow(l1);
    const finalized = await rollup.finalize(1n).then(
      async (tx) => (await tx.wait())?.status === 1,
      () => false,
    );
    process.stderr.write(
      `      after the window: finalize(1) ${finalized ? "succeeded" : "failed"}; stateRootOf(1) ${await rollup.stateRootOf(1n)}\n`,
    );
    expect(node.challenges, "the node's challenger should have removed the invalid block").to.have.length(1);
    expect(await rollup.stateRootOf(1n)).to.not.equal(forgedRoot);
  });
});
