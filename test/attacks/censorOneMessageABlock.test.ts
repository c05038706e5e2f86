import { time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { Interface, getBytes } from "ethers";
import { artifacts, ethers } from "hardhat";

import { type L1Message, L2_BRIDGE_ADDRESS, hashL1Message, messageProof, messageRoot } from "../../protocol/messages";
import {
  RELAY_GAS_PER_CALLDATA_BYTE,
  RELAY_OVERHEAD_GAS,
  messageWeight,
  overdueBudget,
} from "../../rollup-node/bridge/anchor";
import { TestSigner } from "../../tools/l2Fixtures";
import { deployExampleRollupOn, seededBridgeChain } from "../support/exampleRollup";

const L2_CHAIN_ID = 4646n;
const INACTIVITY_PERIOD = 3_600n;
const FORCE_INCLUSION_DELAY = 600n;
/** depositETH's gas limit (NativeRollup.DEPOSIT_GAS_LIMIT). */
const DEPOSIT_GAS_LIMIT = 100_000n;
/** Messages a stranger queues ahead of the victim's. */
const SPAM = 4;
/**
 * Their gas limit: each weighs more than half the overdue budget (`messageWeight`, MIN_L2_GAS_LIMIT),
 * so a block that consumes one may leave the next (OverdueMessageLeft refuses that with deposits).
 */
const SPAM_GAS_LIMIT = 2_000_000n;

/**
 * Attack on s27's forced-inclusion rule (docs/design/attack-review-s27.md, "Second pass"): since
 * `OverdueMessageSkipped` refuses only a block that consumes no message, a hostile sequencer that
 * advances just often enough to keep the fallback closed (one block per SEQUENCER_INACTIVITY_PERIOD)
 * consumes (defers) one overdue message a block. A message with k messages queued before it
 * (anyone may queue them, ≈ one `depositETH` each) waits k inactivity periods past its deadline,
 * and all that time nobody else may advance: the fallback's clock is the last advance, which the
 * censor keeps fresh. Before s27 the censor had to consume every overdue message in each block.
 * Since s28 a block must consume overdue messages until the next does not fit its overdue budget
 * (attack-review-s27.md, "Residual", fixed), so the spam here is of messages each heavier than
 * half that budget: one a block is what the rule still allows, and the clock is what bounds it.
 * Now a block that leaves a message overdue does not reset the fallback's clock: the honest party
 * may advance (and consume the whole backlog) one inactivity period after the last clean block.
 */
describe("attack: a censoring sequencer draining an overdue backlog one message per inactivity period", function () {
  this.timeout(300_000);

  it("cannot keep the fallback closed by consuming one overdue message a block: an honest party advances and consumes the victim's message", async () => {
    const [sequencer, spammer, victim, honest] = await ethers.getSigners();
    // Seed 1 signs the censor's deferrals; seeds 2.. each one honest block (discarded, so each
    // signer is used once: a TestSigner's nonce counts the transactions it signed).
    const chain = await seededBridgeChain(
      L2_CHAIN_ID,
      Array.from({ length: SPAM + 1 }, (_, i) => i + 1),
    );
    const censorSigner = TestSigner.fromSeed(1, chain.common);
    const bridge = new Interface((await artifacts.readArtifact("L2Bridge")).abi);
    const genesis = chain.latest.header;
    const rollup = await deployExampleRollupOn(genesis, {
      chainId: L2_CHAIN_ID,
      sequencer: sequencer?.address,
      inactivityPeriod: INACTIVITY_PERIOD,
      forceInclusionDelay: FORCE_INCLUSION_DELAY,
    });

    const messages: L1Message[] = [];
    const queue = async (from: NonNullable<typeof spammer>, gasLimit: bigint): Promise<void> => {
      const sent =
        gasLimit === DEPOSIT_GAS_LIMIT
          ? await rollup.connect(from).depositETH(from.address, { value: 1n })
          : await rollup.connect(from).sendMessage(from.address, gasLimit, "0x", { value: 1n });
      await sent.wait();
      messages.push({
        nonce: BigInt(messages.length),
        from: from.address,
        to: from.address,
        value: 1n,
        gasLimit,
        data: "0x",
      });
    };
    for (let i = 0; i < SPAM; i++) await queue(spammer as NonNullable<typeof spammer>, SPAM_GAS_LIMIT);
    await queue(victim as NonNullable<typeof victim>, DEPOSIT_GAS_LIMIT);
    const spamWeight = messageWeight(SPAM_GAS_LIMIT, 0);
    expect(2n * spamWeight, "one spam message a block is all the rule requires").to.be.greaterThan(
      overdueBudget(chain.latest.header.gasLimit),
    );
    const victimNonce = BigInt(SPAM);
    const deadline = (await rollup.messageQueuedAt(victimNonce)) + FORCE_INCLUSION_DELAY;

    /** The next block, consuming `consumed` (each deferred, or relayed); kept on the chain when the censor's. */
    const blockConsuming = async (
      consumed: readonly L1Message[],
      method: "deferMessage" | "relayMessage",
      signer: TestSigner,
    ) => {
      const timestamp = BigInt(await time.latest());
      const leaves = consumed.map(hashL1Message);
      const txs = consumed.map((message, index) => {
        const data = bridge.encodeFunctionData(method, [message, timestamp, index, messageProof(leaves, index)]);
        const callGas = method === "relayMessage" ? message.gasLimit + message.gasLimit / 63n : 0n;
        const gasLimit = callGas + RELAY_OVERHEAD_GAS + RELAY_GAS_PER_CALLDATA_BYTE * BigInt(getBytes(data).length);
        return signer.tx({ to: L2_BRIDGE_ADDRESS, data, gasLimit });
      });
      return chain.buildBlock(txs, {
        timestamp,
        parentBeaconBlockRoot: getBytes(messageRoot(leaves)),
        discard: signer !== censorSigner,
      });
    };

    await time.increase(FORCE_INCLUSION_DELAY + 1n);
    // The censor: one overdue message a block, deferred (its call never runs), just before the
    // fallback would open; before the fix it could go on so for SPAM inactivity periods.
    const censored = await blockConsuming([messages[0] as L1Message], "deferMessage", censorSigner);
    await (
      await rollup.connect(sequencer).advance(censored.parentHeader, censored.blockRlp, censored.witness, "0x", 1)
    ).wait();
    await time.increase(INACTIVITY_PERIOD - 5n);

    // An honest party consumes everything left (the victim's message included) in one block.
    const honestBlock = await blockConsuming(messages.slice(1), "relayMessage", TestSigner.fromSeed(2, chain.common));
    const now = BigInt(await time.latest());
    process.stderr.write(
      `      after the censor's block: nextMessageIndex ${await rollup.nextMessageIndex()}, victim overdue by ${now - deadline} s, fallback opens at ${(await rollup.openSequencingAt()) - now} s from now\n`,
    );
    // The block is one L1 accepts (from the sequencer): only who sends it is in question.
    await rollup
      .connect(sequencer)
      .advance.staticCall(honestBlock.parentHeader, honestBlock.blockRlp, honestBlock.witness, "0x", SPAM);
    await expect(
      rollup
        .connect(honest)
        .advance.staticCall(honestBlock.parentHeader, honestBlock.blockRlp, honestBlock.witness, "0x", SPAM),
      "a block that leaves a message overdue must not keep the fallback closed",
    ).not.to.be.reverted;
    await expect(
      rollup.connect(honest).advance(honestBlock.parentHeader, honestBlock.blockRlp, honestBlock.witness, "0x", SPAM),
      "a block that leaves a message overdue must not keep the fallback closed",
    ).to.emit(rollup, "BlockAdvanced");
    expect(await rollup.nextMessageIndex()).to.equal(victimNonce + 1n);
    // Nothing is overdue now: the honest block resets the fallback's clock, as any clean block.
    expect(await rollup.openSequencingAt()).to.equal((await rollup.lastAdvanceTimestamp()) + INACTIVITY_PERIOD);
    expect(await rollup.lastAdvanceTimestamp()).to.equal(BigInt(await time.latest()));
  });
});
