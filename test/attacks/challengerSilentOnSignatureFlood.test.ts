import { genTransactionsTrieRoot } from "@ethereumjs/block";
import type { LegacyTx } from "@ethereumjs/tx";
import { expect } from "chai";
import { getBytes } from "ethers";

import { judgeBlock } from "../../rollup-node/bridge/challenger";
import { maxCommittedBytes } from "../../rollup-node/bridge/challengeBound";
import { DEFAULT_L2_GAS_LIMIT } from "../../rollup-node/l2/genesis";
import {
  ATTACK_BOND,
  ATTACK_L2_CHAIN_ID,
  attackChallenger,
  attackL1,
  deployAttackRollup,
  passChallengeWindow,
  tinySignedTxs,
} from "../support/attackL1";
import { tamperBlock, word } from "../../tools/l2Fixtures";
import { L2TestChain } from "../../tools/l2TestChain";

const L2_CHAIN_ID = ATTACK_L2_CHAIN_ID;
/** The node's default L2 gas limit. */
const GAS_LIMIT = DEFAULT_L2_GAS_LIMIT;
/** Each is one ECDSA recovery for 13 bytes of block; EXECUTE recovers them all before running the block. */
const FLOOD_TXS = 8_000;

/**
 * Attack (optimistic mode, "a challenger that stays silent"), the robust variant of
 * challengerSilentOnSlowBlock.test.ts at the node's default gas limit (4M): a forged block whose
 * body is thousands of 13-byte signed transactions. EXECUTE recovers every signature before the
 * block runs (priced by the bytes only past gasLimit / 21,000 transactions), so the challenger's
 * pre-flight eth_call spends seconds before its first message, where the 5 s deadline is checked:
 * ChallengeFailed(7). Before the fix the challenger dropped the proposal and the forged state root
 * finalized; now it sends the challenge anyway and the mined one wins.
 * The number of transactions is the attacker's to choose (≈ 24,000 fit the joint rule at 4M gas).
 */
describe("attack: a forged block of 8,000 tiny signed transactions at the default gas limit must not silence the node's challenger", function () {
  this.timeout(600_000);
  const l1 = attackL1();

  it("the challenger challenges and removes the forged block, which EXECUTE refuses before recovering any signature", async () => {
    // An empty L2 chain at the node's default gas limit; the forged block's body is a flood of tiny signed transactions.
    // Its first transaction pays the base fee from a funded sender, so the block reaches its first
    // message (where the eth_call deadline is checked) after every signature has been recovered.
    const probe = await L2TestChain.create(L2_CHAIN_ID, [], { gasLimit: GAS_LIMIT });
    const probeBlock = await probe.buildBlock([], { discard: true });
    // EIP-155 v for the chain: two bytes.
    const txs = tinySignedTxs(
      probeBlock.block.common,
      FLOOD_TXS,
      2n * L2_CHAIN_ID + 35n,
      probeBlock.block.header.baseFeePerGas ?? 0n,
    );
    const chain = await L2TestChain.create(
      L2_CHAIN_ID,
      [{ address: (txs[0] as LegacyTx).getSenderAddress().toString(), balance: 10n ** 18n }],
      { gasLimit: GAS_LIMIT },
    );
    const built = await chain.buildBlock([], { discard: true });
    // Forged: the same transactions, a state root no execution gives.
    const forgedRoot = `0x${word(0xbad)}`;
    const forged = tamperBlock(
      built.block,
      { stateRoot: getBytes(forgedRoot), transactionsTrie: await genTransactionsTrieRoot(txs) },
      { transactions: txs },
    );
    const committed = built.parentHeader.length + forged.length + built.witness.length;
    expect(committed).to.be.lessThanOrEqual(maxCommittedBytes(GAS_LIMIT));

    const deployed = await deployAttackRollup(l1, built.parentHeader);
    const { rollup } = deployed;

    // The forger proposes (here as the sequencer; a stranger may once the sequencer is inactive).
    await (await rollup.propose(built.parentHeader, forged, built.witness, 0, { value: ATTACK_BOND })).wait();
    expect((await rollup.tip())[0]).to.equal(1n);

    // The block is invalid, and a challenge would win: it is the proposer's fault.
    const verdict = await judgeBlock({
      chainId: L2_CHAIN_ID,
      parentHeader: built.parentHeader,
      block: forged,
      witness: built.witness,
    });
    expect(verdict.kind).to.equal("invalid");
    expect(verdict.kind === "invalid" && verdict.code).to.be.greaterThanOrEqual(64);
    process.stderr.write(
      `      forged block: ${txs.length} txs, ${forged.length} B (committed ${committed} B); local verdict ${verdict.kind === "invalid" ? verdict.code : verdict.kind}\n`,
    );

    const lines: string[] = [];
    const challenger = attackChallenger(l1, deployed, lines);
    await challenger.poll();
    process.stderr.write(`      challenger log:\n${lines.map((l) => `        ${l.slice(0, 300)}`).join("\n")}\n`);

    // EXECUTE now refuses a block with more transactions than its gas limit holds before recovering
    // any signature, so the pre-flight call confirms the challenge at once (the deadline path is
    // specified by challengerSilentOnSlowBlock.test.ts), and the mined challenge removes the block.
    expect(challenger.challenges.length, "the node's challenger should have challenged the invalid block").to.equal(1);
    expect(challenger.challenges[0]?.code).to.equal(verdict.kind === "invalid" ? verdict.code : -1);
    expect((await rollup.tip())[0]).to.equal(0n);
    expect(challenger.pending).to.equal(0);

    // The forged root never finalizes.
    await passChallengeWindow(l1);
    await expect(rollup.finalize(1n)).to.be.reverted;
    expect(await rollup.headNumber()).to.equal(0n);
  });
});
