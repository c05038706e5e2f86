import { expect } from "chai";
import { Wallet, hexlify, randomBytes } from "ethers";

import { MIN_L2_GAS_LIMIT, messageWeight } from "../../rollup-node/bridge/anchor";
import { type E2eRollup, eventually, increaseL1Time, startE2eRollup } from "../e2e/support/harness";

/** Shortened for the test: a queued L1 message must be consumed within this many seconds of L1 time. */
const FORCE_INCLUSION_DELAY = 60n;
/** The least L1 block gas limit the devnet runs a re-execution rollup on. */
const L1_BLOCK_GAS_LIMIT = 5_000_000n;
/** The message's gas limit on L2 (its call is to an empty account). */
const MESSAGE_GAS_LIMIT = 50_000n;
/** The stranger's L1 account (a dev account with L1 ETH). */
const ATTACKER = 7;
const WATCH_MS = 60_000;

/** The largest data length (whole words) of which two messages fit the overdue budget together: L1 requires both of one block. */
function twoRequiredDataLength(): number {
  let length = 32;
  while (2n * messageWeight(MESSAGE_GAS_LIMIT, length + 32) <= MIN_L2_GAS_LIMIT) length += 32;
  return length;
}

/**
 * Attack (docs/design/attack-review-s27.md, fourth pass): on an L1 whose blocks hold 5M gas (the
 * least a devnet runs on), a stranger queues two messages of ≈ 32 KB each, light enough together
 * for the overdue budget, so once both are overdue L1 requires one block to consume both
 * (OverdueMessageLeft otherwise). Their block's `advance` needs more L1 gas than the L1's block
 * holds, so the sequencer halves the messages (advance-gas-cap.md §3) to one: a block L1 must refuse.
 * The node must not send it (spend nothing) and must say what is wrong and what to do.
 */
describe("attack: the required set of overdue messages does not fit the L1's block", function () {
  this.timeout(300_000);
  let r: E2eRollup;

  before(async () => {
    r = await startE2eRollup({
      produceBlocks: false,
      l1GasLimit: L1_BLOCK_GAS_LIMIT,
      policy: { sequencerInactivityPeriod: 3_600n, forceInclusionDelay: FORCE_INCLUSION_DELAY },
    });
  });

  after(async () => {
    await r?.stop();
  });

  it("the node sends nothing L1 must refuse, stops after its rebuilds with what is wrong, and warned at start", async () => {
    const length = twoRequiredDataLength();
    const attacker = r.l1Wallet(ATTACKER);
    const first = await r.rollup().messageCount();
    for (let i = 0; i < 2; i++) {
      const receipt = await (
        await r
          .rollup(ATTACKER)
          .sendMessage(Wallet.createRandom().address, MESSAGE_GAS_LIMIT, hexlify(randomBytes(length)), {
            gasLimit: 4_000_000n,
          })
      ).wait();
      expect(receipt?.status).to.equal(1);
    }
    process.stderr.write(
      `      two messages of ${length} B, weight ${messageWeight(MESSAGE_GAS_LIMIT, length)} each, budget ${MIN_L2_GAS_LIMIT}; queued by ${attacker.address}\n`,
    );
    await increaseL1Time(r.l1, FORCE_INCLUSION_DELAY + 10n);
    const sequencerAddress = r.devnet.keys.sequencer.address;
    const nonceBefore = await r.l1.getTransactionCount(sequencerAddress, "latest");

    const sequencer = r.devnet.node.sequencer;
    // Build, let the submitter judge, build again after each rebuild it asks: as the block timer would.
    let verdict = "none";
    for (let attempt = 0; attempt < 6 && verdict === "none"; attempt++) {
      const produced = await sequencer.produceBlock();
      process.stderr.write(
        `      attempt ${attempt + 1}: block ${produced.number}, ${produced.consumedMessages} of 2 messages\n`,
      );
      verdict = await eventually(
        "the submitter's verdict on the block",
        async () => {
          if ((await r.rollup().headNumber()) >= produced.number) return "accepted";
          const halted = r.log.lines.find((line) => line.includes("BATCH SUBMISSION STOPPED"));
          if (halted !== undefined) return halted;
          return sequencer.chain.head.header.number < produced.number ? "none" : undefined;
        },
        WATCH_MS,
      );
    }
    const nonceAfter = await r.l1.getTransactionCount(sequencerAddress, "latest");
    for (const line of r.log.lines.filter((l) => /WARN|ERROR/.test(l)).slice(-12))
      process.stderr.write(`        ${line.slice(0, 700)}\n`);
    process.stderr.write(
      `      verdict: ${verdict.slice(0, 300)}; L1 transactions the sequencer sent: ${nonceAfter - nonceBefore}\n`,
    );
    // What L1 requires does not fit this L1: nothing accepted, nothing paid for, and the node says so.
    expect(await r.rollup().nextMessageIndex()).to.equal(first);
    expect(nonceAfter - nonceBefore, "L1 transactions the sequencer paid for").to.equal(0);
    expect(verdict).to.include("BATCH SUBMISSION STOPPED");
    expect(r.devnet.node.bridge.submitter?.haltReason?.code).to.equal("REQUIRED_MESSAGES_NOT_BUILT");
    // Said at start, before any message was queued: this L1 is too small for what L1 may require.
    expect(r.log.lines.some((line) => line.includes("this L1's blocks are too small for the messages"))).to.equal(true);
  });
});
