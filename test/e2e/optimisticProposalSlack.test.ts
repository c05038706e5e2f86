import { expect } from "chai";
import { parseEther } from "ethers";

import type { BatchSubmitter } from "../../rollup-node/bridge/batchSubmitter";
import { type OptimisticExampleRollup, connectOptimisticRollup } from "../../rollup-node/bridge/contracts";
import { MIN_PROPOSAL_GAS_BURST } from "../../deploy/rollup";
import { type E2eRollup, eventually, startE2eRollup } from "./support/harness";

const WINDOW = 4n;
const BOND = parseEther("0.1");

/**
 * Attack F2 (issue #10, docs/design/proposal-gas-slack.md): a stranger's transfers with a 3.9M gas
 * limit use (and pay for) 21,000 gas each, but each makes its block charge ≈ 3.93M to the proposal
 * gas bucket. Without the sequencer's slack budget they fill it, and every later block (an honest
 * user's too) waits for L1 time to drain it before it can be proposed.
 */
describe("e2e: a stranger's high-gas-limit transfers do not hold honest blocks back from L1 (optimistic mode)", function () {
  this.timeout(1_800_000);
  /**
   * R: small enough that the attacker's blocks fill C and the L1 time a loaded machine spends
   * between L2 blocks (up to minutes) does not drain it (an attack block is 392 s of R).
   */
  const RATE = 10_000n;
  /** The least capacity a rollup may have (5/4 of 2^24): five attack blocks fit, the sixth waits. */
  const BURST = MIN_PROPOSAL_GAS_BURST;
  /** The attacker's gas limit: its block is charged 5/4 of gasUsed (21,000) + this; one per 4M-gas block. */
  const ATTACK_GAS_LIMIT = 3_900_000n;
  const ATTACK_TXS = 6;
  /** What the node logs when it holds transactions back for slack. */
  const HELD = "exceeds the proposal slack available";
  /** How long an honest transaction's block may take to reach L1 after inclusion: the proposal loop's own pace, not the bucket's. */
  const HONEST_PROPOSAL_BOUND_MS = 120_000;
  let r: E2eRollup;
  let rollup: OptimisticExampleRollup;

  before(async () => {
    r = await startE2eRollup({
      mode: {
        kind: "optimistic",
        challengeWindow: WINDOW,
        proposalBond: BOND,
        proposalGasPerSecond: RATE,
        proposalGasBurst: BURST,
      },
    });
    rollup = connectOptimisticRollup(r.devnet.deployment.address, r.l1);
  });

  after(async () => {
    await r?.stop();
  });

  it("the honest user's blocks are proposed within the bound while the attacker floods; the attacker's transfers are admitted and wait in the pool, not dropped", async () => {
    const submitter = r.devnet.node.bridge.submitter as BatchSubmitter;
    const attacker = r.l2Wallet(5);
    const honest = r.l2Wallet(6);
    const attackerNonce = await r.l2.getTransactionCount(attacker.address, "latest");
    // The flood: each transfer sent once the previous one is in a block, so each is a block of its
    // own (transfers sent together would share one block, charged once), or once the node says it
    // holds it back (it then waits for slack), after which the rest are sent at once.
    const attackHashes: string[] = [];
    for (let i = 0; i < ATTACK_TXS; i++) {
      const sent = await attacker.sendTransaction({
        to: "0x00000000000000000000000000000000000ca9ac",
        value: 1n,
        gasLimit: ATTACK_GAS_LIMIT,
        nonce: attackerNonce + i,
      });
      attackHashes.push(sent.hash);
      await eventually(
        `attack transfer ${i} in a block or held back`,
        async () => (r.log.has(HELD) || (await r.l2.getTransactionReceipt(sent.hash)) !== null ? true : undefined),
        600_000,
      );
    }
    // The honest user: transfers priced by eth_estimateGas (ethers' default), one after the other.
    for (let i = 0; i < 3; i++) {
      const mined = await (
        await honest.sendTransaction({ to: "0x000000000000000000000000000000000000beef", value: 1n })
      ).wait();
      const number = BigInt(mined?.blockNumber ?? 0);
      const includedAt = Date.now();
      await eventually(
        `honest block ${number} proposed to L1 within ${HONEST_PROPOSAL_BOUND_MS} ms of its inclusion`,
        async () => {
          if (submitter.haltReason !== undefined)
            throw new Error(`the submitter halted: ${submitter.haltReason.message}`);
          return (await rollup.tip())[0] >= number ? true : undefined;
        },
        HONEST_PROPOSAL_BOUND_MS,
      );
      console.log(`      honest transfer ${i}: block ${number} proposed ${Date.now() - includedAt} ms after inclusion`);
    }
    // Not censored: every attacker transfer was admitted and is either included or still pooled.
    for (const hash of attackHashes) expect(await r.l2.getTransaction(hash)).to.not.equal(null);
    const included = await r.l2.getTransactionCount(attacker.address, "latest");
    expect(included).to.be.greaterThan(attackerNonce);
    expect(included).to.be.lessThan(attackerNonce + ATTACK_TXS);
    // ... and the held ones wait in the pool for the slack budget to refill (R/4 = 2,500 gas/s here:
    // ≈ 24 minutes for a 3.9M limit, so their inclusion is shown by the unit tests' clock).
    const held = attackHashes.slice(included - attackerNonce);
    for (const hash of held) expect((await r.l2.getTransaction(hash))?.blockNumber ?? null).to.equal(null);
    expect(r.log.has(HELD)).to.equal(true);
    expect(submitter.haltReason).to.equal(undefined);
  });
});
