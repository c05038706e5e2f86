import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";

import { MAX_WALKED_TXS, proposalCheckGas } from "../../../rollup-node/bridge/proposalCheckGas";
import { TransactionRejectedError } from "../../../rollup-node/chain/errors";
import {
  DEFAULT_PROPOSAL_SLACK_SHARE,
  ProposalSlackBudget,
  ProposalSlackConfigError,
  blockSlack,
  hasExecutableAmong,
} from "../../../rollup-node/l2/proposalSlack";
import { MemoryLogger } from "../../../rollup-node/logger";
import { rejection } from "../rejection";
import { describeSequencers, openSequencer, signers } from "./l2Support";

const TO = "0x00000000000000000000000000000000000000bb";
/** The attack's gas limit (issue #10 F2): a 21,000-gas transfer that reserves 3.9M. */
const HIGH_LIMIT = 3_900_000n;
/** The defaults' bucket (deploy/rollup.ts): R = 500,000 gas/s, C = 2^25. */
const BUCKET = { gasPerSecond: 500_000n, burst: 2n ** 25n };

/** A clock the test moves by hand. */
function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe("proposal check gas (the TypeScript mirror of OptimisticRollup._checkGas)", () => {
  it("is 5/4 of gasUsed plus the largest transaction gas limit: a 3.9M-limit transfer's block is charged 3,926,250 (the contract test's figure)", () => {
    expect(proposalCheckGas({ gasUsed: 21_000n, gasLimit: 4_000_000n, txGasLimits: [HIGH_LIMIT] })).to.equal(
      3_926_250n,
    );
    expect(
      proposalCheckGas({ gasUsed: 63_000n, gasLimit: 4_000_000n, txGasLimits: [21_000n, 50_000n, 21_000n] }),
    ).to.equal(63_000n + 15_750n + 50_000n);
  });

  it("takes at most the gas left by gasUsed for the largest limit, and all of it past MAX_WALKED_TXS transactions", () => {
    expect(proposalCheckGas({ gasUsed: 3_000_000n, gasLimit: 4_000_000n, txGasLimits: [HIGH_LIMIT] })).to.equal(
      3_000_000n + 750_000n + 1_000_000n,
    );
    const walked = Array.from({ length: MAX_WALKED_TXS }, () => 21_000n);
    const used256 = 21_000n * 256n;
    expect(proposalCheckGas({ gasUsed: used256, gasLimit: 30_000_000n, txGasLimits: walked })).to.equal(
      used256 + used256 / 4n + 21_000n,
    );
    const used257 = 21_000n * 257n;
    expect(proposalCheckGas({ gasUsed: used257, gasLimit: 30_000_000n, txGasLimits: [...walked, 21_000n] })).to.equal(
      used257 + used257 / 4n + (30_000_000n - used257),
    );
  });
});

describe("the proposal slack budget (a leaky bucket of gas reserved and not used)", () => {
  it("takes DEFAULT_PROPOSAL_SLACK_SHARE of R and C unless configured, and refuses a share outside (0, 1] with a code", () => {
    const budget = new ProposalSlackBudget({ bucket: BUCKET });
    expect(DEFAULT_PROPOSAL_SLACK_SHARE).to.equal(0.25);
    expect(budget.gasPerSecond).to.equal(125_000n);
    expect(budget.capacity).to.equal(2n ** 23n);
    expect(new ProposalSlackBudget({ bucket: BUCKET, share: 1 }).capacity).to.equal(2n ** 25n);
    for (const share of [0, -0.5, 1.5, Number.NaN]) {
      const error = (() => {
        try {
          new ProposalSlackBudget({ bucket: BUCKET, share });
        } catch (e) {
          return e as ProposalSlackConfigError;
        }
        return undefined;
      })();
      expect(error).to.be.instanceOf(ProposalSlackConfigError);
      expect(error?.code).to.equal("L2_PROPOSAL_SLACK_CONFIG");
    }
  });

  it("selects the transactions whose gas limit fits what is left, holds the others (in pool order, none gating another), and refills at its rate", () => {
    const clock = manualClock();
    const budget = new ProposalSlackBudget({ bucket: BUCKET, nowMs: clock.now });
    const [attacker, honest] = signers(2) as [ReturnType<typeof signers>[number], ReturnType<typeof signers>[number]];
    const high = [0, 1, 2].map(() => attacker.tx({ to: TO, value: 1n, gasLimit: HIGH_LIMIT }));
    const tight = honest.tx({ to: TO, value: 1n, gasLimit: 21_000n });
    // Empty: everything fits (the block's slack is at most its largest limit, 3.9M ≤ 8.4M).
    expect(budget.select([...high, tight]).selected).to.have.length(4);
    // Two attack blocks' slack (3,879,000 each) leave 630,608: the high limits wait, the tight one does not.
    budget.charge(3_879_000n);
    budget.charge(3_879_000n);
    expect(budget.available()).to.equal(2n ** 23n - 2n * 3_879_000n);
    const held = budget.select([...high, tight]);
    expect(held.selected).to.deep.equal([tight]);
    expect(held.held).to.deep.equal(high);
    expect(held.notice).to.match(/holding 3 transactions whose gas limit \(up to 3900000\) exceeds the proposal slack/);
    // It tells the sender how long: 3,269,392 gas missing at 125,000 gas/s.
    expect(held.notice).to.match(/the largest fits in ≈ 27 s/);
    // Logged once per episode, not per block.
    expect(budget.select([...high, tight]).notice).to.equal(undefined);
    // Not censored: it fits once R·share has drained the difference (3,269,392 gas at 125,000 gas/s).
    const wait = budget.waitMs(HIGH_LIMIT);
    expect(wait).to.equal(Math.ceil((3_269_392 * 1000) / 125_000));
    clock.advance(wait - 1);
    expect(budget.select(high).selected).to.have.length(0);
    clock.advance(1);
    expect(budget.select([...high, tight]).selected).to.have.length(4, "held high limits enter together");
  });

  it("says one held transaction in the singular: 'it waits', its gas limit, when it fits", () => {
    const clock = manualClock();
    const budget = new ProposalSlackBudget({ bucket: BUCKET, nowMs: clock.now });
    const [sender] = signers(1) as [ReturnType<typeof signers>[number]];
    budget.charge(3_879_000n);
    budget.charge(3_879_000n);
    const notice = budget.select([sender.tx({ to: TO, value: 1n, gasLimit: HIGH_LIMIT })]).notice;
    expect(notice).to.match(/^holding 1 transaction whose gas limit \(3900000\) exceeds the proposal slack available/);
    expect(notice).to.match(/: it waits in the pool, /);
    expect(notice).to.match(/; it fits in ≈ 27 s /);
    expect(notice).to.not.match(/they|largest|up to/);
  });

  it("caps a block at the slots the contract walks (MAX_WALKED_TXS less the relays): past them it charges the whole gas limit", () => {
    const budget = new ProposalSlackBudget({ bucket: BUCKET });
    const [sender] = signers(1) as [ReturnType<typeof signers>[number]];
    const txs = Array.from({ length: 5 }, () => sender.tx({ to: TO, value: 1n, gasLimit: 21_000n }));
    const selection = budget.select(txs, 3);
    expect(selection.selected).to.deep.equal(txs.slice(0, 3));
    expect(selection.held).to.deep.equal(txs.slice(3));
    expect(selection.notice).to.equal(undefined, "nothing waits for slack");
  });

  it("tells whether a block could include one of the selected transactions (the sender's next nonce, paying the base fee), so held ones alone build no empty block", async () => {
    const [a, b] = signers(2) as [ReturnType<typeof signers>[number], ReturnType<typeof signers>[number]];
    const next = a.tx({ to: TO });
    b.tx({ to: TO }); // nonce 0, never offered
    const gapped = b.tx({ to: TO });
    const nonceOf = async (): Promise<bigint> => 0n;
    expect(await hasExecutableAmong([gapped, next], 10n ** 9n, nonceOf)).to.equal(true);
    expect(await hasExecutableAmong([gapped], 10n ** 9n, nonceOf)).to.equal(false, "nonce 1 while the state is at 0");
    expect(await hasExecutableAmong([next], 10n ** 12n, nonceOf)).to.equal(false, "fee cap 1e11 below the base fee");
    expect(await hasExecutableAmong([], 10n ** 9n, nonceOf)).to.equal(false);
  });

  it("refuses at admission a gas limit no block could ever reserve (above its capacity), with what to do", () => {
    const budget = new ProposalSlackBudget({ bucket: { gasPerSecond: 100_000n, burst: 2n ** 24n } });
    const [sender] = signers(1) as [ReturnType<typeof signers>[number]];
    expect(() => budget.checkAdmissible(sender.tx({ to: TO, gasLimit: 2n ** 22n }))).to.not.throw();
    let error: TransactionRejectedError | undefined;
    try {
      budget.checkAdmissible(sender.tx({ to: TO, gasLimit: 2n ** 22n + 1n }));
    } catch (e) {
      error = e as TransactionRejectedError;
    }
    expect(error).to.be.instanceOf(TransactionRejectedError);
    expect(error?.code).to.equal("TX_REJECTED");
    expect(error?.message).to.equal(
      "gas limit 4194305 exceeds the most unused gas a block may reserve (4194304) on this optimistic rollup",
    );
    expect(error?.hint).to.match(/lower the gas limit to at most 4194304: eth_estimateGas/);
    expect(budget.waitMs(2n ** 22n + 1n)).to.equal(Number.POSITIVE_INFINITY);
  });
});

describe("the sequencer's blocks in optimistic mode keep their slack within the budget", function () {
  this.timeout(60_000);
  const { dirs, track } = describeSequencers();

  it("measures a block's slack as what its transactions reserved and did not use: 3,879,000 for the attack's transfer, 0 for exact limits", async () => {
    const sequencer = await openSequencer(dirs.make());
    track(sequencer);
    expect(sequencer.heldForSlack()).to.equal(undefined, "no slack budget outside optimistic mode");
    const [attacker, honest] = signers(2) as [ReturnType<typeof signers>[number], ReturnType<typeof signers>[number]];
    await sequencer.submitTransaction(attacker.tx({ to: TO, value: 1n, gasLimit: HIGH_LIMIT }));
    const attack = await sequencer.produceBlock();
    expect(blockSlack(sequencer.chain.resolveBlock(attack.number))).to.equal(3_879_000n);
    await sequencer.submitTransaction(honest.tx({ to: TO, value: 1n, gasLimit: 21_000n }));
    await sequencer.submitTransaction(honest.tx({ to: TO, value: 1n, gasLimit: 21_000n }));
    const exact = await sequencer.produceBlock();
    expect(exact.block.transactions).to.have.length(2);
    expect(blockSlack(sequencer.chain.resolveBlock(exact.number))).to.equal(0n);
    // Init code that loops until out of gas uses (and pays for) its whole limit: no slack either,
    // though the block is charged its 4M gas limit (what the bucket-wait e2e test relies on).
    await sequencer.submitTransaction(honest.tx({ data: "0x5b600056", gasLimit: HIGH_LIMIT }));
    const burn = await sequencer.produceBlock();
    const burnt = sequencer.chain.resolveBlock(burn.number);
    expect(burnt.block.header.gasUsed).to.equal(HIGH_LIMIT);
    expect(blockSlack(burnt)).to.equal(0n);
  });

  it("leaves an attacker's high-limit transfers in the pool while the budget is spent and keeps including an honest user's", async () => {
    const logger = new MemoryLogger();
    // R = 1,000 gas/s: the budget (250 gas/s, 4.2M deep) does not refill within the test.
    const sequencer = await openSequencer(dirs.make(), {
      proposable: true,
      proposalGasBucket: { gasPerSecond: 1_000n, burst: 2n ** 24n },
      logger,
    });
    track(sequencer);
    const [attacker, honest] = signers(2) as [ReturnType<typeof signers>[number], ReturnType<typeof signers>[number]];
    // Before the budget is spent: the attacker's transfers enter together (a 21,000-gas transfer
    // leaves room under 4M for the next one's limit), and only the largest limit counts.
    const batched = [0, 1, 2].map(() => attacker.tx({ to: TO, value: 1n, gasLimit: HIGH_LIMIT }));
    for (const tx of batched) await sequencer.submitTransaction(tx);
    await sequencer.submitTransaction(honest.tx({ to: TO, value: 1n, gasLimit: 21_000n }));
    const first = await sequencer.produceBlock();
    expect(first.block.transactions).to.have.length(4);
    expect(blockSlack(sequencer.chain.resolveBlock(first.number))).to.equal(3_879_000n);
    // Spent (4,194,304 − 3,879,000 left): the next ones wait, the honest user's keep flowing.
    const attacks = [0, 1].map(() => attacker.tx({ to: TO, value: 1n, gasLimit: HIGH_LIMIT }));
    for (const tx of attacks) await sequencer.submitTransaction(tx);
    for (let i = 0; i < 3; i++) {
      const tx = honest.tx({ to: TO, value: 1n, gasLimit: 21_000n });
      await sequencer.submitTransaction(tx);
      const next = await sequencer.produceBlock();
      expect(next.block.transactions.map((t) => bytesToHex(t.hash()))).to.deep.equal([bytesToHex(tx.hash())]);
    }
    // Held, not dropped: still pooled, in nonce order, for a later block.
    for (const tx of attacks) expect(sequencer.pendingTransaction(tx.hash())).to.not.equal(undefined);
    // ... and reported (rollup_status): 2 held, the largest waiting for the 3.9M − (4,194,304 −
    // 3,879,000) gas the budget lacks at 250 gas/s (4 ms a gas), less what drained meanwhile.
    const held = sequencer.heldForSlack();
    expect(held?.count).to.equal(2);
    expect(held?.largestGasLimit).to.equal(HIGH_LIMIT);
    const lacking = Number(HIGH_LIMIT - (2n ** 22n - 3_879_000n));
    expect(held?.largestWaitMs).to.be.within(lacking * 4 - 60_000, lacking * 4);
    expect(logger.lines.filter((l) => l.message.includes("holding 2 transactions"))).to.have.length(1);
  });

  it("refuses at admission a gas limit above the budget's capacity (here 0.2 × 2^24 = 3,355,443, below the 4M block gas limit), with the reason and what to do", async () => {
    const sequencer = await openSequencer(dirs.make(), {
      proposable: true,
      proposalGasBucket: { gasPerSecond: 1_000n, burst: 2n ** 24n },
      proposalSlackShare: 0.2,
    });
    track(sequencer);
    const [sender] = signers(1) as [ReturnType<typeof signers>[number]];
    const refused = await rejection(sequencer.submitTransaction(sender.tx({ to: TO, gasLimit: 3_355_444n })));
    expect(refused).to.be.instanceOf(TransactionRejectedError);
    expect(refused.code).to.equal("TX_REJECTED");
    expect(refused.message).to.equal(
      "gas limit 3355444 exceeds the most unused gas a block may reserve (3355443) on this optimistic rollup",
    );
    expect(refused.hint).to.match(/lower the gas limit to at most 3355443/);
    expect(sequencer.pooledTransactions()).to.have.length(0);
    await sequencer.submitTransaction(sender.tx({ to: TO, gasLimit: 3_355_443n }));
    expect(sequencer.pooledTransactions()).to.have.length(1);
  });

  it("produces no block on the timer when the only transactions that could be included wait for slack (no empty proposals meanwhile)", async () => {
    const timerLog = new MemoryLogger();
    const sequencer = await openSequencer(dirs.make(), {
      proposable: true,
      proposalGasBucket: { gasPerSecond: 1_000n, burst: 2n ** 24n },
      allowEmptyBlocks: false,
      blockTimeMs: 20,
      logger: timerLog,
    });
    track(sequencer);
    const [attacker] = signers(1) as [ReturnType<typeof signers>[number]];
    await sequencer.submitTransaction(attacker.tx({ to: TO, value: 1n, gasLimit: HIGH_LIMIT }));
    const produced: bigint[] = [];
    sequencer.onBlock((b) => produced.push(b.number));
    sequencer.start();
    const deadline = Date.now() + 10_000;
    while (produced.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    // The budget is spent: the next one waits, and the timer's ticks build no block meanwhile.
    await sequencer.submitTransaction(attacker.tx({ to: TO, value: 1n, gasLimit: HIGH_LIMIT }));
    await new Promise((resolve) => setTimeout(resolve, 500));
    sequencer.stop();
    expect(produced).to.deep.equal([1n], JSON.stringify(timerLog.lines));
    expect(sequencer.pendingTransactions()).to.have.length(1);
  });
});
