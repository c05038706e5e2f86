import { time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { keccak256, toBeHex, zeroPadValue } from "ethers";
import { ethers } from "hardhat";

import {
  MAX_MESSAGES_BY_WEIGHT,
  MIN_L2_GAS_LIMIT,
  messageWeight,
  relayCalldata,
  relayGasLimit,
} from "../../rollup-node/bridge/anchor";
import type { QueuedL1Message } from "../../rollup-node/bridge/l1Watcher";
import { type L1Message, hashL1Message } from "../../protocol/messages";
import type { ExampleRollup } from "../../typechain-types";

/** NativeRollup.MAX_MESSAGE_GAS_LIMIT and MESSAGE_DATA_SIZE_LIMIT. */
const MAX_MESSAGE_GAS_LIMIT = 10_000_000n;
const MESSAGE_DATA_SIZE_LIMIT = 64 * 1024;
/** Messages at the limits: gas limits around the 63rd, data lengths around a word and at 64 KB. */
const CASES: readonly { gasLimit: bigint; length: number }[] = [
  { gasLimit: 0n, length: 0 },
  { gasLimit: 1n, length: 1 },
  { gasLimit: 62n, length: 31 },
  { gasLimit: 63n, length: 32 },
  { gasLimit: 64n, length: 33 },
  { gasLimit: 250_000n, length: 1_000 },
  { gasLimit: MAX_MESSAGE_GAS_LIMIT, length: MESSAGE_DATA_SIZE_LIMIT - 1 },
  { gasLimit: MAX_MESSAGE_GAS_LIMIT, length: MESSAGE_DATA_SIZE_LIMIT },
];

/** The storage slot of NativeRollup's `_queue` (a dynamic array: its length there, entries at keccak(slot)). */
async function queueSlot(rollup: ExampleRollup): Promise<bigint> {
  const address = await rollup.getAddress();
  const length = await rollup.messageCount();
  const first = await rollup.messageHash(0);
  for (let slot = 0n; slot < 64n; slot++) {
    const value = BigInt(await ethers.provider.getStorage(address, slot));
    if (value !== length) continue;
    const base = BigInt(keccak256(zeroPadValue(toBeHex(slot), 32)));
    if ((await ethers.provider.getStorage(address, base)) === first) return slot;
  }
  throw new Error("NativeRollup's queue slot not found");
}

/** The weight L1 stored for message `nonce`: the upper 64 bits of `queuedAt`'s slot's low 128. */
async function storedWeight(rollup: ExampleRollup, slot: bigint, nonce: bigint): Promise<bigint> {
  const base = BigInt(keccak256(zeroPadValue(toBeHex(slot), 32)));
  const word = BigInt(await ethers.provider.getStorage(await rollup.getAddress(), base + 2n * nonce + 1n));
  expect(word & ((1n << 64n) - 1n), "queuedAt in the low 64 bits").to.equal(await rollup.messageQueuedAt(nonce));
  return (word >> 64n) & ((1n << 64n) - 1n);
}

/**
 * attack-review-s27.md, third pass: the overdue budget rests on a message's weight (stored in 64
 * bits when it is queued) bounding the gas L1 requires of its relay wherever it sits in a block of
 * up to MAX_MESSAGES_BY_WEIGHT messages, and on the node computing the same weight.
 */
describe("attack: message weights at the size limits", function () {
  this.timeout(300_000);

  it("L1's stored weight is the node's, fits 64 bits, and bounds the relay's required gas up to the 256th message of a block", async () => {
    const [sequencer, user] = await ethers.getSigners();
    const rollup = (await ethers.deployContract("ExampleRollup", [
      4848n,
      `0x${"11".repeat(32)}`,
      `0x${"22".repeat(32)}`,
      sequencer?.address,
      { sequencerInactivityPeriod: 3_600n, forceInclusionDelay: 600n },
    ])) as unknown as ExampleRollup;
    const from = user?.address as string;
    const messages: L1Message[] = [];
    for (const { gasLimit, length } of CASES) {
      const data = `0x${"a5".repeat(length)}`;
      const nonce = await rollup.messageCount();
      await (await rollup.connect(user).sendMessage(from, gasLimit, data)).wait();
      messages.push({ nonce, from, to: from, value: 0n, gasLimit, data });
    }
    const slot = await queueSlot(rollup);
    const timestamp = BigInt(await time.latest());
    for (const [i, message] of messages.entries()) {
      const { gasLimit, length } = CASES[i] as { gasLimit: bigint; length: number };
      const weight = await storedWeight(rollup, slot, message.nonce);
      expect(weight, `weight of (${gasLimit}, ${length} B)`).to.equal(messageWeight(gasLimit, length));
      // The relay's gas L1 requires: alone in its block, and as the last of MAX_MESSAGES_BY_WEIGHT.
      const alone: QueuedL1Message[] = [
        { message, hash: hashL1Message(message), l1BlockNumber: 1, l1TransactionHash: `0x${"00".repeat(32)}` },
      ];
      const full: QueuedL1Message[] = Array.from({ length: MAX_MESSAGES_BY_WEIGHT }, (_, k) =>
        k === MAX_MESSAGES_BY_WEIGHT - 1
          ? (alone[0] as QueuedL1Message)
          : { ...(alone[0] as QueuedL1Message), hash: keccak256(toBeHex(k + 1, 32)) },
      );
      const relayAlone = relayGasLimit(gasLimit, (relayCalldata(alone, 0, timestamp).length - 2) / 2);
      const relayLast = relayGasLimit(
        gasLimit,
        (relayCalldata(full, MAX_MESSAGES_BY_WEIGHT - 1, timestamp).length - 2) / 2,
      );
      expect(relayAlone).to.be.at.most(weight);
      expect(relayLast, "the 256th message's relay (an 8-level proof)").to.equal(weight);
    }
    const heaviest = await storedWeight(rollup, slot, BigInt(CASES.length - 1));
    process.stderr.write(
      `      weights ${CASES.map((c) => `(${c.gasLimit}, ${c.length} B) ${messageWeight(c.gasLimit, c.length)}`).join("; ")}; heaviest ${heaviest} < 2^64; floor ${MIN_L2_GAS_LIMIT}\n`,
    );
    expect(heaviest).to.equal(13_005_930n);
  });
});
