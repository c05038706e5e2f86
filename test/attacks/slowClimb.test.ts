import { time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { getBytes, hexlify, randomBytes } from "ethers";
import { ethers } from "hardhat";

import {
  MAX_REFUND_GAS_LIMIT,
  MESSAGE_DATA_SIZE_LIMIT,
  MIN_L2_GAS_LIMIT,
  RELAY_GAS_PER_CALLDATA_BYTE,
  RELAY_OVERHEAD_GAS,
  messageWeight,
  relayCalldata,
} from "../../rollup-node/bridge/anchor";
import { L2_BRIDGE_INTERFACE } from "../../rollup-node/bridge/contracts";
import type { QueuedL1Message } from "../../rollup-node/bridge/l1Watcher";
import { readL2BridgeRuntimeCode } from "../../rollup-node/l2/genesis";
import { type L1Message, L2_BRIDGE_ADDRESS, hashL1Message, messageRoot } from "../../protocol/messages";
import { TestSigner } from "../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../../tools/l2TestChain";
import { deployExampleRollupOn } from "../support/exampleRollup";

const L2_CHAIN_ID = 4646n;
const INACTIVITY_PERIOD = 3_600n;
const FORCE_INCLUSION_DELAY = 600n;
/** NativeRollup.DEPOSIT_GAS_LIMIT. */
const DEPOSIT_GAS_LIMIT = 100_000n;
/** A header's gas limit may differ from its parent's by less than this share of it (EXECUTE's header rule). */
const GAS_LIMIT_BOUND_DIVISOR = 1024n;

const queued = (message: L1Message): QueuedL1Message => ({
  message,
  hash: hashL1Message(message),
  l1BlockNumber: 1,
  l1TransactionHash: `0x${"00".repeat(32)}`,
});

/**
 * attack-review-s27.md, third pass: a hostile sequencer on a chain below MIN_L2_GAS_LIMIT climbs by
 * one gas a block, the least `_checkFloor` accepts, so its blocks stay exempt from consuming an
 * overdue message for (floor − genesis) blocks, not ≈ 1024 · ln(floor / genesis). What bounds the
 * wait is not the climb but the overdue budget (a message that fits the block must still go in) and
 * the fallback's clock (a block that leaves an overdue message does not reset it).
 */
describe("attack: a hostile sequencer climbing to the floor one gas a block", function () {
  this.timeout(300_000);

  it("its blocks must still consume what fits their budget, do not reset the fallback's clock, and the fallback advances one period later", async () => {
    const [sequencer, user, stranger] = await ethers.getSigners();
    const probe = await L2TestChain.create(L2_CHAIN_ID, []);
    const alice = TestSigner.fromSeed(1, probe.common);
    const genesisGasLimit = MIN_L2_GAS_LIMIT - 6_000n;
    const chain = await L2TestChain.create(
      L2_CHAIN_ID,
      [
        { address: alice.address.toString(), balance: 10n ** 20n },
        { address: L2_BRIDGE_ADDRESS, code: readL2BridgeRuntimeCode(), balance: 10n ** 27n },
      ],
      { gasLimit: genesisGasLimit },
    );
    const rollup = await deployExampleRollupOn(chain.latest.header, {
      chainId: L2_CHAIN_ID,
      sequencer: sequencer?.address,
      inactivityPeriod: INACTIVITY_PERIOD,
      forceInclusionDelay: FORCE_INCLUSION_DELAY,
    });
    const opensAt = await rollup.openSequencingAt();

    // A deposit (fits any climbing block's budget) and the heaviest refund request (fits none).
    const userAddress = user?.address as string;
    await (await rollup.connect(user).depositETH(userAddress, { value: 1n })).wait();
    const refundData = `${L2_BRIDGE_INTERFACE.getFunction("refundMessage")?.selector}${hexlify(randomBytes(MESSAGE_DATA_SIZE_LIMIT - 4)).slice(2)}`;
    await (await rollup.connect(user).sendMessage(L2_BRIDGE_ADDRESS, MAX_REFUND_GAS_LIMIT, refundData)).wait();
    const deposit: L1Message = {
      nonce: 0n,
      from: userAddress,
      to: userAddress,
      value: 1n,
      gasLimit: DEPOSIT_GAS_LIMIT,
      data: "0x",
    };
    const refundWeight = messageWeight(MAX_REFUND_GAS_LIMIT, MESSAGE_DATA_SIZE_LIMIT);
    expect(refundWeight, "the refund request weighs more than the floor").to.be.greaterThan(MIN_L2_GAS_LIMIT);
    await time.increase(FORCE_INCLUSION_DELAY + 1n);

    const advance = (built: BuiltBlock, count: number, from = sequencer) =>
      rollup.connect(from).advance(built.parentHeader, built.blockRlp, built.witness, "0x", count);

    // One gas up, consuming nothing while the deposit (which fits) is overdue: OverdueMessageLeft.
    let gasLimit = genesisGasLimit + 1n;
    const skipping = await chain.buildBlock([], { gasLimit, timestamp: BigInt(await time.latest()), discard: true });
    await expect(advance(skipping, 0))
      .to.be.revertedWithCustomError(rollup, "OverdueMessageLeft")
      .withArgs(0, messageWeight(DEPOSIT_GAS_LIMIT, 0), gasLimit);

    // One gas up, deferring the deposit: accepted, the refund request left overdue.
    const timestamp = BigInt(await time.latest());
    const data = relayCalldata([queued(deposit)], 0, timestamp, "deferMessage");
    const deferral = alice.tx({
      to: L2_BRIDGE_ADDRESS,
      data,
      gasLimit: RELAY_OVERHEAD_GAS + RELAY_GAS_PER_CALLDATA_BYTE * BigInt(getBytes(data).length),
    });
    const first = await chain.buildBlock([deferral], {
      gasLimit,
      timestamp,
      parentBeaconBlockRoot: getBytes(messageRoot([hashL1Message(deposit)])),
    });
    await expect(advance(first, 1)).to.emit(rollup, "BlockAdvanced");

    // Then one gas a block, consuming nothing: accepted (the climb's exemption), and the clock stays.
    for (let i = 0; i < 3; i++) {
      gasLimit += 1n;
      const built = await chain.buildBlock([], { gasLimit });
      await expect(advance(built, 0), `the +1 climb to ${gasLimit}`).to.emit(rollup, "BlockAdvanced");
    }
    expect(await rollup.nextMessageIndex()).to.equal(1n);
    expect(await rollup.openSequencingAt(), "blocks leaving an overdue message do not reset the clock").to.equal(
      opensAt,
    );

    // One period after the last clean block, anyone advances (and climbs by the most a block may).
    const early = await chain.buildBlock([], { gasLimit: gasLimit + 1n, discard: true });
    await expect(advance(early, 0, stranger)).to.be.revertedWithCustomError(rollup, "NotSequencer");
    await time.increaseTo(opensAt);
    const most = gasLimit + gasLimit / GAS_LIMIT_BOUND_DIVISOR - 1n;
    const fallback = await chain.buildBlock([], { gasLimit: most });
    await expect(advance(fallback, 0, stranger)).to.emit(rollup, "BlockAdvanced");
    process.stderr.write(
      `      climb ${genesisGasLimit} → ${gasLimit} by 1 gas a block accepted, the fallback open at ${opensAt} (deploy + ${INACTIVITY_PERIOD} s) throughout\n`,
    );
  });
});
