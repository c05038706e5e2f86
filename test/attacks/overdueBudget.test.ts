import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { Interface, Wallet, getBytes } from "ethers";
import { artifacts, ethers } from "hardhat";

import { MIN_L2_GAS_LIMIT, createAnchorProvider, messageWeight, overdueBudget } from "../../rollup-node/bridge/anchor";
import type { QueuedL1Message } from "../../rollup-node/bridge/l1Watcher";
import { l2Genesis, readL2BridgeRuntimeCode } from "../../rollup-node/l2/genesis";
import { Sequencer } from "../../rollup-node/l2/sequencer";
import type { AnchorProvider } from "../../rollup-node/l2/types";
import { silentLogger } from "../../rollup-node/logger";
import { type L1Message, hashL1Message } from "../../protocol/messages";
import { TestSigner } from "../../tools/l2Fixtures";
import { type ExampleRollupParams, deployExampleRollupOn, seededBridgeChain } from "../support/exampleRollup";
import { deferralBlock } from "../support/queuedSequencer";
import type { ExampleRollup } from "../../typechain-types";

const L2_CHAIN_ID = 4747n;
const INACTIVITY_PERIOD = 3_600n;
const FORCE_INCLUSION_DELAY = 600n;
/** The rollup both cases deploy, with `sequencer` as its sequencer. */
const ROLLUP_PARAMS = (sequencer: string | undefined): ExampleRollupParams => ({
  chainId: L2_CHAIN_ID,
  sequencer,
  inactivityPeriod: INACTIVITY_PERIOD,
  forceInclusionDelay: FORCE_INCLUSION_DELAY,
});
/** depositETH's gas limit (NativeRollup.DEPOSIT_GAS_LIMIT). */
const DEPOSIT_GAS_LIMIT = 100_000n;
/** A message with calldata that is not a whole number of words (its weight pads it). */
const ODD_DATA = `0x${"ab".repeat(33)}`;
const ODD_GAS_LIMIT = 250_000n;
const MESSAGES = 12;
const ODD_AT = 3;

type Signer = Awaited<ReturnType<typeof ethers.getSigners>>[number];

/** Queues MESSAGES messages from `from` (deposits, one `sendMessage` with ODD_DATA at ODD_AT) and returns them. */
async function queueBacklog(rollup: ExampleRollup, from: Signer): Promise<L1Message[]> {
  const messages: L1Message[] = [];
  for (let i = 0; i < MESSAGES; i++) {
    const odd = i === ODD_AT;
    const nonce = await rollup.messageCount();
    if (odd)
      await (await rollup.connect(from).sendMessage(from.address, ODD_GAS_LIMIT, ODD_DATA, { value: 1n })).wait();
    else await (await rollup.connect(from).depositETH(from.address, { value: 1n })).wait();
    messages.push({
      nonce,
      from: from.address,
      to: from.address,
      value: 1n,
      gasLimit: odd ? ODD_GAS_LIMIT : DEPOSIT_GAS_LIMIT,
      data: odd ? ODD_DATA : "0x",
    });
  }
  return messages;
}

/** The node's weight of each message (`messageWeight`, the mirror of NativeRollup `_relayWeight`). */
function weightsOf(messages: readonly L1Message[]): bigint[] {
  return messages.map((m) => messageWeight(m.gasLimit, getBytes(m.data).length));
}

/** What the overdue budget of a block of `gasLimit` has left after the first `count` of `weights`. */
function remainingAfter(weights: readonly bigint[], count: number, gasLimit: bigint): bigint {
  const used = weights.slice(0, count).reduce((sum, w) => sum + w, 0n);
  const budget = overdueBudget(gasLimit);
  return used < budget ? budget - used : 0n;
}

/** The fewest of `weights` (all overdue, in order) a block must consume: until the next does not fit. */
function requiredCount(weights: readonly bigint[], gasLimit: bigint): number {
  let count = 1;
  while (count < weights.length && (weights[count] as bigint) <= remainingAfter(weights, count, gasLimit)) count++;
  return count;
}

/**
 * Forced inclusion under a censoring sequencer (docs/design/attack-review-s27.md, "Residual", now
 * fixed): L1 refused only a block that consumed no overdue message, so a censor that keeps
 * producing blocks consumed one a block and a message waited one block per message queued before
 * it. Now a block must consume overdue messages, in order, until the next one's weight (the most
 * L2 gas its relay may need, stored when it was queued) exceeds what the block's overdue budget,
 * `min(gasLimit, MIN_L2_GAS_LIMIT)`, has left: `OverdueMessageLeft(nonce, weight, remaining)`.
 */
describe("attack: a censoring sequencer consuming one overdue message a block while more fit", function () {
  this.timeout(600_000);

  it("L1 refuses the censor's block (OverdueMessageLeft, with the contract's weights) and accepts a block consuming all that fit though overdue ones remain", async () => {
    const [sequencer, spammer] = await ethers.getSigners();
    // Each signer signs one block's transactions: seed 1 the kept blocks, the others one refused block each.
    const chain = await seededBridgeChain(L2_CHAIN_ID, [1, 2, 3, 4]);
    const kept = TestSigner.fromSeed(1, chain.common);
    const bridge = new Interface((await artifacts.readArtifact("L2Bridge")).abi);
    const genesis = chain.latest.header;
    const gasLimit = genesis.gasLimit;
    const rollup = await deployExampleRollupOn(genesis, ROLLUP_PARAMS(sequencer?.address));
    const messages = await queueBacklog(rollup, spammer as Signer);
    await time.increase(FORCE_INCLUSION_DELAY + 1n);

    /** The next block, deferring `consumed`; kept on the chain only when signed by `kept`. */
    const blockConsuming = async (consumed: readonly L1Message[], signer: TestSigner) => {
      const timestamp = BigInt(await time.latest());
      return deferralBlock(chain, bridge, consumed, signer, timestamp, signer !== kept);
    };
    const verdict = async (count: number, signer: TestSigner) => {
      const built = await blockConsuming(messages.slice(0, count), signer);
      return rollup
        .connect(sequencer)
        .advance.staticCall(built.parentHeader, built.blockRlp, built.witness, "0x", count);
    };

    const weights = weightsOf(messages);
    const required = requiredCount(weights, gasLimit);
    process.stderr.write(
      `      L2 gas limit ${gasLimit}, overdue budget ${overdueBudget(gasLimit)}, weights ${weights.join(", ")}: ${required} of ${MESSAGES} required\n`,
    );
    expect(required, "the backlog is larger than one block's budget").to.be.greaterThan(ODD_AT + 1);
    expect(required).to.be.lessThan(MESSAGES);

    // The censor: one overdue message while more fit.
    await expect(verdict(1, TestSigner.fromSeed(2, chain.common)), "the censor's one-message block").to.be.reverted;
    await expect(verdict(1, TestSigner.fromSeed(2, chain.common)))
      .to.be.revertedWithCustomError(rollup, "OverdueMessageLeft")
      .withArgs(1, weights[1], remainingAfter(weights, 1, gasLimit));
    // The message with 33 bytes of calldata: L1's weight of it is the node's (padding included).
    await expect(verdict(ODD_AT, TestSigner.fromSeed(3, chain.common)))
      .to.be.revertedWithCustomError(rollup, "OverdueMessageLeft")
      .withArgs(ODD_AT, weights[ODD_AT], remainingAfter(weights, ODD_AT, gasLimit));
    // One short of all that fit.
    await expect(verdict(required - 1, TestSigner.fromSeed(4, chain.common)))
      .to.be.revertedWithCustomError(rollup, "OverdueMessageLeft")
      .withArgs(required - 1, weights[required - 1], remainingAfter(weights, required - 1, gasLimit));

    // All that fit: accepted, though the next is overdue too.
    const full = await blockConsuming(messages.slice(0, required), kept);
    await expect(
      rollup.connect(sequencer).advance(full.parentHeader, full.blockRlp, full.witness, "0x", required),
    ).to.emit(rollup, "BlockAdvanced");
    expect(await rollup.nextMessageIndex()).to.equal(BigInt(required));
    expect(BigInt(await time.latest()) - (await rollup.messageQueuedAt(required))).to.be.greaterThan(
      FORCE_INCLUSION_DELAY,
    );
    // The rest drains in the next block.
    const rest = messages.slice(required);
    const last = await blockConsuming(rest, kept);
    await expect(
      rollup.connect(sequencer).advance(last.parentHeader, last.blockRlp, last.witness, "0x", rest.length),
    ).to.emit(rollup, "BlockAdvanced");
    expect(await rollup.nextMessageIndex()).to.equal(BigInt(MESSAGES));
  });

  it("the node's block at the floor gas limit consumes every overdue message L1 requires, and L1 accepts it", async () => {
    const [sequencerAccount, spammer] = await ethers.getSigners();
    const relayer = Wallet.createRandom();
    const dir = mkdtempSync(path.join(tmpdir(), "overdue-budget-"));
    const genesis = l2Genesis({
      chainId: L2_CHAIN_ID,
      timestamp: BigInt(await time.latest()) - 10n,
      bridgeCode: readL2BridgeRuntimeCode(),
      // The floor: the node's own relay budget (9/10 of the gas limit) is below L1's overdue budget here.
      gasLimit: MIN_L2_GAS_LIMIT,
      alloc: { [relayer.address]: { balance: 10n ** 21n } },
    });
    let anchor: AnchorProvider | undefined;
    const node = await Sequencer.open({
      dataDir: dir,
      genesis,
      logger: silentLogger,
      anchorProvider: (context) => (anchor as AnchorProvider)(context),
    });
    try {
      const head = node.chain.head.header;
      const rollup = await deployExampleRollupOn(head, ROLLUP_PARAMS(sequencerAccount?.address));
      const messages = await queueBacklog(rollup, spammer as Signer);
      const queue: QueuedL1Message[] = messages.map((message) => ({
        message,
        hash: hashL1Message(message),
        l1BlockNumber: 1,
        l1TransactionHash: `0x${"00".repeat(32)}`,
      }));
      anchor = createAnchorProvider({
        messages: { consecutiveFrom: (nonce, max) => queue.slice(Number(nonce), Number(nonce) + max) },
        sequencer: node,
        relayerKey: relayer.privateKey as `0x${string}`,
        logger: silentLogger,
      });
      await time.increase(FORCE_INCLUSION_DELAY + 1n);
      const required = requiredCount(weightsOf(messages), MIN_L2_GAS_LIMIT);
      const produced = await node.produceBlock();
      process.stderr.write(
        `      the node's block consumes ${produced.consumedMessages} of ${MESSAGES} overdue messages, L1 requires ${required}\n`,
      );
      expect(produced.consumedMessages).to.be.at.least(required);
      await expect(
        rollup
          .connect(sequencerAccount)
          .advance(produced.parentHeader, produced.blockRlp, produced.encodedWitness, "0x", produced.consumedMessages),
      ).to.emit(rollup, "BlockAdvanced");
    } finally {
      await node.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
