import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { Interface, Wallet, concat, hexlify, randomBytes } from "ethers";
import { artifacts, ethers } from "hardhat";

import { MIN_L2_GAS_LIMIT, createAnchorProvider, messageWeight, nextL2GasLimit } from "../../rollup-node/bridge/anchor";
import type { QueuedL1Message } from "../../rollup-node/bridge/l1Watcher";
import { l2Genesis, readL2BridgeRuntimeCode } from "../../rollup-node/l2/genesis";
import { Sequencer } from "../../rollup-node/l2/sequencer";
import type { AnchorProvider } from "../../rollup-node/l2/types";
import { silentLogger } from "../../rollup-node/logger";
import { type L1Message, L2_BRIDGE_ADDRESS, hashL1Message } from "../../protocol/messages";
import type { ExampleRollup } from "../../typechain-types";
import { deployExampleRollupOn } from "../support/exampleRollup";

const L2_CHAIN_ID = 4747n;
const INACTIVITY_PERIOD = 3_600n;
const FORCE_INCLUSION_DELAY = 600n;
/** depositETH's gas limit (NativeRollup.DEPOSIT_GAS_LIMIT). */
const DEPOSIT_GAS_LIMIT = 100_000n;
/** NativeRollup.MAX_REFUND_GAS_LIMIT and MESSAGE_DATA_SIZE_LIMIT: the heaviest message no block may defer. */
const MAX_REFUND_GAS_LIMIT = 200_000n;
const MESSAGE_DATA_SIZE_LIMIT = 64 * 1024;
/** A genesis below the floor (a file genesis or a deployment by hash): its blocks climb, 3 of them to the floor. */
const GENESIS_GAS_LIMIT = MIN_L2_GAS_LIMIT - 6_000n;

type Signer = Awaited<ReturnType<typeof ethers.getSigners>>[number];

/** A node's Sequencer on a genesis at GENESIS_GAS_LIMIT, its anchor reading `queue`, and the rollup on the hardhat L1. */
async function climbingNode(dir: string, queue: QueuedL1Message[]) {
  const [sequencerAccount] = await ethers.getSigners();
  const relayer = Wallet.createRandom();
  const genesis = {
    ...l2Genesis({
      chainId: L2_CHAIN_ID,
      timestamp: BigInt(await time.latest()) - 10n,
      bridgeCode: readL2BridgeRuntimeCode(),
      alloc: { [relayer.address]: { balance: 10n ** 21n } },
    }),
    // What genesisFile.ts builds from a file below the floor: l2Genesis's config, its gas limit unchecked.
    gasLimit: GENESIS_GAS_LIMIT,
  };
  let anchor: AnchorProvider | undefined;
  const node = await Sequencer.open({
    dataDir: dir,
    genesis,
    logger: silentLogger,
    anchorProvider: (context) => (anchor as AnchorProvider)(context),
  });
  anchor = createAnchorProvider({
    messages: { consecutiveFrom: (nonce, max) => queue.slice(Number(nonce), Number(nonce) + max) },
    sequencer: node,
    relayerKey: relayer.privateKey as `0x${string}`,
    logger: silentLogger,
  });
  const rollup = await deployExampleRollupOn(node.chain.head.header, {
    chainId: L2_CHAIN_ID,
    sequencer: sequencerAccount?.address,
    inactivityPeriod: INACTIVITY_PERIOD,
    forceInclusionDelay: FORCE_INCLUSION_DELAY,
  });
  /** The node's next block, submitted to L1 by the sequencer: how many messages it consumed. */
  const produceAndAdvance = async (): Promise<{ gasLimit: bigint; consumed: number }> => {
    const produced = await node.produceBlock();
    const verdict = await rollup
      .connect(sequencerAccount)
      .advance.staticCall(
        produced.parentHeader,
        produced.blockRlp,
        produced.encodedWitness,
        "0x",
        produced.consumedMessages,
        {
          gasLimit: 2n ** 24n,
        },
      )
      .then(
        () => "accepted",
        (error: { data?: string; message: string }) =>
          error.data === undefined
            ? error.message
            : `${rollup.interface.parseError(error.data)?.name}(${rollup.interface.parseError(error.data)?.args.join(", ")})`,
      );
    expect(verdict, `L1's verdict on the node's block ${produced.number}`).to.equal("accepted");
    await expect(
      rollup
        .connect(sequencerAccount)
        .advance(produced.parentHeader, produced.blockRlp, produced.encodedWitness, "0x", produced.consumedMessages, {
          gasLimit: 2n ** 24n,
        }),
      `L1's verdict on the node's block ${produced.number} (gas limit ${produced.block.header.gasLimit}, ${produced.consumedMessages} messages)`,
    ).to.emit(rollup, "BlockAdvanced");
    return { gasLimit: produced.block.header.gasLimit, consumed: produced.consumedMessages };
  };
  return { node, rollup, produceAndAdvance };
}

/** Queues `message` (from `from`) on L1 and in the node's view of L1. */
async function queueOn(
  rollup: ExampleRollup,
  from: Signer,
  queue: QueuedL1Message[],
  message: Omit<L1Message, "nonce" | "from">,
) {
  const nonce = await rollup.messageCount();
  if (message.data === "0x" && message.gasLimit === DEPOSIT_GAS_LIMIT)
    await (await rollup.connect(from).depositETH(message.to, { value: message.value })).wait();
  else
    await (
      await rollup.connect(from).sendMessage(message.to, message.gasLimit, message.data, { value: message.value })
    ).wait();
  const full: L1Message = { ...message, nonce, from: from.address };
  queue.push({ message: full, hash: hashL1Message(full), l1BlockNumber: 1, l1TransactionHash: `0x${"00".repeat(32)}` });
}

/**
 * attack-review-s27.md, third pass: a chain below MIN_L2_GAS_LIMIT climbs (s28-floor), and while it
 * climbs L1 exempts its blocks from consuming an overdue message but applies the overdue budget
 * `min(block gas limit, MIN_L2_GAS_LIMIT)` of the block itself. The node's anchor must do the same.
 */
describe("attack: L1 messages queued on a chain that climbs to the L2 gas-limit floor", function () {
  this.timeout(600_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "climb-messages-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("a 64 KB refund request (no climbing block can hold it) does not stop the node: it climbs without it, then relays it at the floor", async () => {
    const [, stranger] = await ethers.getSigners();
    const queue: QueuedL1Message[] = [];
    const { node, rollup, produceAndAdvance } = await climbingNode(dir, queue);
    try {
      const selector = new Interface((await artifacts.readArtifact("L2Bridge")).abi).getFunction("refundMessage")
        ?.selector as string;
      const data = hexlify(concat([selector, randomBytes(MESSAGE_DATA_SIZE_LIMIT - 4)]));
      await queueOn(rollup, stranger as Signer, queue, {
        to: L2_BRIDGE_ADDRESS,
        value: 0n,
        gasLimit: MAX_REFUND_GAS_LIMIT,
        data,
      });
      await time.increase(FORCE_INCLUSION_DELAY + 1n);
      const blocks: { gasLimit: bigint; consumed: number }[] = [];
      while (blocks.length === 0 || (blocks.at(-1)?.gasLimit as bigint) < MIN_L2_GAS_LIMIT)
        blocks.push(await produceAndAdvance());
      process.stderr.write(
        `      climb ${blocks.map((b) => `${b.gasLimit} (${b.consumed} consumed)`).join(" → ")}, floor ${MIN_L2_GAS_LIMIT}\n`,
      );
      expect(blocks.slice(0, -1).every((b) => b.consumed === 0)).to.equal(true);
      expect(blocks.at(-1)?.consumed, "the block at the floor relays the refund request").to.equal(1);
      expect(await rollup.nextMessageIndex()).to.equal(1n);
    } finally {
      await node.close();
    }
  });

  it("overdue messages that fit the climbing block's budget but not its parent's gas limit: the node's block consumes them and L1 accepts it", async () => {
    const [, stranger] = await ethers.getSigners();
    const queue: QueuedL1Message[] = [];
    const { node, rollup, produceAndAdvance } = await climbingNode(dir, queue);
    try {
      const child = nextL2GasLimit(GENESIS_GAS_LIMIT);
      const deposits = 8;
      const depositWeight = messageWeight(DEPOSIT_GAS_LIMIT, 0);
      const used = depositWeight * BigInt(deposits);
      // A last message that fits what the block's own budget leaves, not what its parent's would.
      let gasLimit = ((GENESIS_GAS_LIMIT - used - messageWeight(0n, 0)) * 63n) / 64n;
      while (messageWeight(gasLimit, 0) <= GENESIS_GAS_LIMIT - used) gasLimit++;
      const lastWeight = messageWeight(gasLimit, 0);
      expect(lastWeight).to.be.at.most(child - used);
      for (let i = 0; i < deposits; i++)
        await queueOn(rollup, stranger as Signer, queue, {
          to: (stranger as Signer).address,
          value: 1n,
          gasLimit: DEPOSIT_GAS_LIMIT,
          data: "0x",
        });
      await queueOn(rollup, stranger as Signer, queue, {
        to: (stranger as Signer).address,
        value: 1n,
        gasLimit,
        data: "0x",
      });
      await time.increase(FORCE_INCLUSION_DELAY + 1n);
      process.stderr.write(
        `      parent gas limit ${GENESIS_GAS_LIMIT}, block ${child}: ${deposits} × ${depositWeight} + ${lastWeight} = ${used + lastWeight}\n`,
      );
      const block = await produceAndAdvance();
      expect(block.consumed).to.equal(deposits + 1);
      expect(await rollup.nextMessageIndex()).to.equal(BigInt(deposits + 1));
    } finally {
      await node.close();
    }
  });
});
