import { expect } from "chai";
import { getBytes } from "ethers";

import { ExecuteErrorCode } from "../../precompiles";
import { judgeBlock } from "../../rollup-node/bridge/challenger";
import { maxCommittedBytes } from "../../rollup-node/bridge/challengeBound";
import {
  ATTACK_BOND,
  ATTACK_L2_CHAIN_ID,
  attackChallenger,
  attackL1,
  deployAttackRollup,
  passChallengeWindow,
} from "../support/attackL1";
import { LOOP_ADDRESS, ecrecoverInput, precompileLoopCode } from "../../tools/heavyBlocks";
import { TestSigner, tamperBlock, word } from "../../tools/l2Fixtures";
import { L2TestChain } from "../../tools/l2TestChain";

const L2_CHAIN_ID = ATTACK_L2_CHAIN_ID;
/** The project's test-chain gas limit (within EXECUTE's verifiable bound, 16,677,216). */
const GAS_LIMIT = 16_000_000n;
/** The L1 devnet's eth_call deadline in this test (ms). */
const CALL_TIMEOUT_MS = 100;

/**
 * Attack (optimistic mode, "a challenger that stays silent"): the node's challenger confirms every
 * challenge with an eth_call of `challenge` before sending it, and drops the proposal for good when
 * that call reverts for any reason other than BudgetExhausted. Within an eth_call the L1 devnet
 * stops EXECUTE after `callTimeoutMs` (5 s by default, SimulationTimeout = 7), but a mined transaction has no
 * such limit. So a forged block that merely takes longer than that to re-execute (an ecrecover loop,
 * 3.5 KB committed, well within the joint rule) is judged INVALID locally, its pre-flight call fails
 * with ChallengeFailed(7). Before the fix the challenger dropped the proposal there and the forged
 * state root finalized; now a pre-flight failure that only the simulation meets does not stop it
 * (docs/design/optimistic-challenges.md, "The challenger sends what it knows wins").
 */
describe("attack: a forged block slower to verify than the eth_call timeout must not silence the node's challenger", function () {
  this.timeout(600_000);
  // The devnet's eth_call deadline for EXECUTE, shorter than the default 5 s: with native crypto
  // the block below verifies in well under 5 s on a quiet machine, and the premise is only that it
  // takes longer than the deadline (checked below).
  const l1 = attackL1({ callTimeoutMs: CALL_TIMEOUT_MS });

  it("the challenger sends the challenge although its pre-flight eth_call hits SimulationTimeout, and the mined challenge removes the forged block", async () => {
    // An L2 chain at the test chain's gas limit with one contract that loops over ecrecover.
    const input = ecrecoverInput();
    const probe = await L2TestChain.create(L2_CHAIN_ID, []);
    const sender = TestSigner.fromSeed(0xec, probe.common);
    const chain = await L2TestChain.create(
      L2_CHAIN_ID,
      [
        { address: sender.address.toString(), balance: 10n ** 22n },
        { address: LOOP_ADDRESS, code: precompileLoopCode(1, (input.length - 2) / 2) },
      ],
      { gasLimit: GAS_LIMIT },
    );
    const built = await chain.buildBlock(
      [TestSigner.fromSeed(0xec, chain.common).tx({ to: LOOP_ADDRESS, data: input, gasLimit: GAS_LIMIT - 1_000n })],
      { discard: true },
    );
    // Forged: the same transactions, a state root no execution gives.
    const forgedRoot = `0x${word(0xbad)}`;
    const forged = tamperBlock(built.block, { stateRoot: getBytes(forgedRoot) });
    const committed = built.parentHeader.length + forged.length + built.witness.length;
    expect(committed).to.be.lessThanOrEqual(maxCommittedBytes(GAS_LIMIT));

    const deployed = await deployAttackRollup(l1, built.parentHeader);
    const { rollup } = deployed;

    // The forger proposes (here as the sequencer; a stranger may once the sequencer is inactive).
    await (await rollup.propose(built.parentHeader, forged, built.witness, 0, { value: ATTACK_BOND })).wait();
    expect((await rollup.tip())[0]).to.equal(1n);

    // The block is invalid, and a challenge would win: it is the proposer's fault.
    const judging = Date.now();
    const verdict = await judgeBlock({
      chainId: L2_CHAIN_ID,
      parentHeader: built.parentHeader,
      block: forged,
      witness: built.witness,
    });
    // The premise: verifying it takes longer than an eth_call may.
    expect(Date.now() - judging, "the forged block must take longer to verify than the eth_call deadline").to.be.above(
      CALL_TIMEOUT_MS,
    );
    expect(verdict.kind).to.equal("invalid");
    expect(verdict.kind === "invalid" && verdict.code).to.equal(ExecuteErrorCode.StateRootMismatch);

    const lines: string[] = [];
    const challenger = attackChallenger(l1, deployed, lines);
    await challenger.poll();
    process.stderr.write(`      challenger log:\n${lines.map((l) => `        ${l.slice(0, 300)}`).join("\n")}\n`);

    // The pre-flight call cannot confirm it (the eth_call deadline), yet the challenger sends the
    // challenge, whose mined EXECUTE (no deadline) removes the forged block.
    expect(
      lines.some((l) => l.includes("could not be confirmed by a call") && l.includes("sending it anyway")),
    ).to.equal(true);
    expect(challenger.challenges.length, "the node's challenger should have challenged the invalid block").to.equal(1);
    expect(challenger.challenges[0]?.code).to.equal(ExecuteErrorCode.StateRootMismatch);
    expect(challenger.challenges[0]?.number).to.equal(1n);
    expect((await rollup.tip())[0]).to.equal(0n);
    expect(challenger.pending).to.equal(0);

    // The forged root never finalizes.
    await passChallengeWindow(l1);
    await expect(rollup.finalize(1n)).to.be.reverted;
    expect(await rollup.headNumber()).to.equal(0n);
  });
});
