import { expect } from "chai";
import { Wallet, getAddress, getBytes, hexlify, keccak256, parseEther } from "ethers";

import { ExecuteErrorCode } from "../../precompiles/errors";
import { acceptanceHistory } from "../../rollup-node/bridge/acceptance";
import type { BatchSubmitter } from "../../rollup-node/bridge/batchSubmitter";
import type { Challenger } from "../../rollup-node/bridge/challenger";
import { type OptimisticExampleRollup, connectOptimisticRollup } from "../../rollup-node/bridge/contracts";
import { tamperBlock } from "../../tools/l2Fixtures";
import { type E2eRollup, eventually, finalizeAfterVerdict, increaseL1Time, startE2eRollup } from "./support/harness";
import {
  DEFAULT_PROPOSAL_GAS_BURST,
  DEFAULT_PROPOSAL_GAS_PER_SECOND,
  MIN_PROPOSAL_GAS_BURST,
} from "../../deploy/rollup";

/** Short enough for a test, long enough for the challenger to poll and re-execute. */
const WINDOW = 4n;
/**
 * The window of the rollup whose proposal the node challenges: at 4 s the challenge can lose the
 * race to the window's close on a loaded machine (docs/design/rpc-keepalive.md). Its tests move
 * L1's clock past it to finalize.
 */
const CHALLENGED_WINDOW = 30n;
const BOND = parseEther("0.1");

describe("e2e: an optimistic rollup (proposals final after the challenge window, invalid ones challenged by the node)", function () {
  this.timeout(120_000);
  let r: E2eRollup;
  let rollup: OptimisticExampleRollup;
  let submitter: BatchSubmitter;
  let challenger: Challenger;

  const finalHead = (): Promise<bigint> => rollup.headNumber();
  const tipNumber = async (): Promise<bigint> => (await rollup.tip())[0];

  before(async () => {
    r = await startE2eRollup({ mode: { kind: "optimistic", challengeWindow: CHALLENGED_WINDOW, proposalBond: BOND } });
    rollup = connectOptimisticRollup(r.devnet.deployment.address, r.l1);
    submitter = r.devnet.node.bridge.submitter as BatchSubmitter;
    challenger = r.devnet.node.bridge.challenger as Challenger;
  });

  after(async () => {
    await r?.stop();
  });

  it("deploys an OptimisticExampleRollup and records its window, bond and proposal gas bucket (R, C: the defaults)", async () => {
    expect(r.devnet.deployment.optimistic).to.deep.equal({
      challengeWindow: CHALLENGED_WINDOW,
      proposalBond: BOND,
      proposalGasPerSecond: DEFAULT_PROPOSAL_GAS_PER_SECOND,
      proposalGasBurst: DEFAULT_PROPOSAL_GAS_BURST,
    });
    expect(await rollup.CHALLENGE_WINDOW()).to.equal(CHALLENGED_WINDOW);
    expect(await rollup.PROPOSAL_BOND()).to.equal(BOND);
    expect(await rollup.PROPOSAL_GAS_PER_SECOND()).to.equal(DEFAULT_PROPOSAL_GAS_PER_SECOND);
    expect(await rollup.PROPOSAL_GAS_BURST()).to.equal(DEFAULT_PROPOSAL_GAS_BURST);
    expect(challenger).to.not.equal(undefined);
    // The deployment's log line gives the bond in ETH, as the banner does.
    expect(
      r.log.lines.some((l) => l.includes("deployed OptimisticExampleRollup") && l.includes("bond 0.1 ETH")),
    ).to.equal(true);
  });

  it("a deposit reaches L2; its block is proposed, provisional during the window, then final", async () => {
    const recipient = getAddress("0x000000000000000000000000000000000000c0de");
    await (
      await connectOptimisticRollup(r.devnet.deployment.address, r.l1Wallet(1)).depositETH(recipient, {
        value: parseEther("1"),
      })
    ).wait();
    await eventually(
      "the L2 credit",
      async () => ((await r.l2.getBalance(recipient)) === parseEther("1") ? true : undefined),
      30_000,
    );
    const l2Head = BigInt(await r.l2.getBlockNumber());
    await eventually(
      "the proposal of the L2 head",
      async () => ((await tipNumber()) >= l2Head ? true : undefined),
      30_000,
    );
    expect(await finalHead()).to.be.lessThan(l2Head);
    const provisional = (await acceptanceHistory(r.l1, r.devnet.deployment.address)).find((b) => b.number === l2Head);
    expect(provisional?.status).to.equal("provisional");
    expect(provisional?.mode).to.equal("optimistic");

    await finalizeAfterVerdict(r, l2Head, CHALLENGED_WINDOW, "finalization after the window");
    const history = await acceptanceHistory(r.l1, r.devnet.deployment.address);
    expect(
      history.filter((b) => b.number <= l2Head).every((b) => b.status === "final" && b.mode === "optimistic"),
    ).to.equal(true);
    expect(r.log.has("is valid: EXECUTE would accept it, no challenge")).to.equal(true);
    expect(challenger.challenges).to.have.length(0);
    // Each proposal's line gives its bond in ETH, not in wei.
    expect(
      r.log.lines.some((l) => l.includes(`L2 block ${l2Head} proposed on L1`) && l.includes("bond 0.1 ETH")),
    ).to.equal(true);
    expect(r.log.lines.filter((l) => / wei\b/.test(l))).to.deep.equal([]);
  });

  it("a tampered proposal is challenged by the node's challenger (StateRootMismatch) and removed; the node's own block replaces it", async () => {
    // Everything so far is proposed; then the node stops proposing so the rogue goes first.
    const before = BigInt(await r.l2.getBlockNumber());
    await eventually(
      "the proposal of the L2 head",
      async () => ((await tipNumber()) >= before ? true : undefined),
      30_000,
    );
    await submitter.stop();
    const tx = await r.l2Wallet(2).sendTransaction({ to: r.l2Wallet(3).address, value: parseEther("0.5") });
    const mined = await tx.wait();
    const number = BigInt(mined?.blockNumber ?? 0);
    expect(await tipNumber()).to.equal(number - 1n);

    const own = await r.devnet.node.sequencer.producedBlock(number);
    if (own === undefined) throw new Error(`the node has no block ${number}`);
    const forged = tamperBlock(own.block, { stateRoot: getBytes(keccak256("0x0bad")) });
    // The sequencer key is the only one allowed to propose while the sequencer is active.
    const rogue = connectOptimisticRollup(
      r.devnet.deployment.address,
      new Wallet(r.devnet.keys.sequencer.privateKey, r.l1),
    );
    await (
      await rogue.propose(own.parentHeader, forged, own.encodedWitness, own.consumedMessages, { value: BOND })
    ).wait();
    const [, forgedHash] = await rollup.tip();
    expect(forgedHash).to.not.equal(hexlify(own.block.hash()));

    const won = await eventually(
      "the challenge",
      async () => challenger.challenges.find((c) => c.number === number),
      20_000,
    );
    expect(won.code).to.equal(ExecuteErrorCode.StateRootMismatch);
    expect(won.blockHash).to.equal(forgedHash);
    expect(won.removed).to.equal(1n);
    expect(won.reward).to.equal(BOND);
    expect(await tipNumber()).to.equal(number - 1n);
    expect(r.log.has("is INVALID: StateRootMismatch=72")).to.equal(true);

    const challenged = (await acceptanceHistory(r.l1, r.devnet.deployment.address)).find(
      (b) => b.blockHash === forgedHash,
    );
    expect(challenged?.status).to.equal("challenged");
    expect(challenged?.challenge?.code).to.equal(ExecuteErrorCode.StateRootMismatch);

    // The node resumes on the real chain: its own block takes the slot and finalizes.
    submitter.start();
    await finalizeAfterVerdict(r, number, CHALLENGED_WINDOW, "finalization of the node's own block");
    expect(await rollup.headHash()).to.not.equal(forgedHash);
    const replaced = (await acceptanceHistory(r.l1, r.devnet.deployment.address)).filter((b) => b.number === number);
    expect(replaced.map((b) => b.status)).to.deep.equal(["challenged", "final"]);
    expect(replaced[1]?.blockHash).to.equal(hexlify(own.block.hash()));
  });
});

describe("e2e: the node waits for room in the proposal gas bucket instead of sending a proposal that reverts", function () {
  // Five heavy blocks proposed one by one, then an L1 time jump: 150 s measured on a loaded 2-core machine.
  this.timeout(300_000);
  /** R and C small enough that a few heavy blocks fill the bucket (the defaults take 2^25 of check gas), and R so slow that the L1 time a loaded machine takes between proposals (10–20 s) does not drain it. */
  const RATE = 10_000n;
  /** The least capacity a rollup may have (5/4 of 2^24): four heavy blocks fit, the fifth waits. */
  const BURST = MIN_PROPOSAL_GAS_BURST;
  /**
   * Each heavy transaction's gas limit, all of it used and paid for. (A transfer reserving this much
   * and using 21,000 no longer fills the bucket: the sequencer's slack budget holds it back,
   * docs/design/proposal-gas-slack.md.)
   */
  const TX_GAS_LIMIT = 3_900_000n;
  /** What each heavy block is charged: U + U/4 + min(largest limit, gasLimit − U), U = its gasUsed, 4M gas limit. */
  const BLOCK_CHARGE = TX_GAS_LIMIT + TX_GAS_LIMIT / 4n + (4_000_000n - TX_GAS_LIMIT);
  /** Init code that loops until it runs out of gas: JUMPDEST, PUSH1 0, JUMP. */
  const BURN_ALL_GAS = "0x5b600056";
  let r: E2eRollup;

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
  });

  after(async () => {
    await r?.stop();
  });

  it("proposes the blocks that fit, logs the full bucket, waits for L1 time, then proposes the rest in order, without halting", async () => {
    const rollup = connectOptimisticRollup(r.devnet.deployment.address, r.l1);
    const submitter = r.devnet.node.bridge.submitter as BatchSubmitter;
    const sender = r.l2Wallet(5);
    let last = 0;
    // Five blocks of one heavy transaction each (two do not fit the 4M block gas limit together): C holds four.
    for (let i = 0; i < 5; i++) {
      const sent = await sender.sendTransaction({ data: BURN_ALL_GAS, gasLimit: TX_GAS_LIMIT });
      // It runs out of gas by design (status 0): its receipt, not ethers' wait(), which throws on it.
      const mined = await r.l2.waitForTransaction(sent.hash);
      expect(mined?.gasUsed).to.equal(TX_GAS_LIMIT);
      last = mined?.blockNumber ?? 0;
    }
    await eventually(
      "the submitter to find the bucket full",
      async () => {
        if (submitter.haltReason !== undefined)
          throw new Error(`the submitter halted: ${submitter.haltReason.message}`);
        return r.log.has("the proposal gas bucket is full") ? true : undefined;
      },
      60_000,
    );
    const waitingAt = (await rollup.tip())[0];
    expect(waitingAt < BigInt(last)).to.equal(true);
    expect(await rollup.proposalGasLevel()).to.be.greaterThan(BURST - BLOCK_CHARGE);
    // L1 time drains the bucket: the node proposes the rest by itself.
    await increaseL1Time(r.l1, BURST / RATE);
    await eventually(
      "the remaining blocks proposed",
      async () => ((await rollup.tip())[0] >= BigInt(last) ? true : undefined),
      60_000,
    );
    expect(submitter.haltReason).to.equal(undefined);
    expect(r.log.has("ProposalGasRateExceeded") && !r.log.has("proposal attempt failed")).to.equal(true);
  });
});
