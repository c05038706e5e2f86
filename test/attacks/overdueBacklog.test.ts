import { createFeeMarket1559Tx, getCalldataFloorGas } from "@ethereumjs/tx";
import { expect } from "chai";
import { Wallet, hexlify, randomBytes } from "ethers";

import { deferGasLimit, relayCalldata } from "../../rollup-node/bridge/anchor";
import type { QueuedL1Message } from "../../rollup-node/bridge/l1Watcher";
import { type L1Message, L2_BRIDGE_ADDRESS, hashL1Message } from "../../protocol/messages";
import { type E2eRollup, eventually, increaseL1Time, startE2eRollup } from "../e2e/support/harness";

/** Shortened for the test: a queued L1 message must be consumed within this many seconds of L1 time. */
const FORCE_INCLUSION_DELAY = 60n;
/** The default L2 block gas limit, stated so the figures below do not move with a default. */
const L2_GAS_LIMIT = 4_000_000n;
/** The rollup's MESSAGE_DATA_SIZE_LIMIT: the largest calldata anyone may queue for L2. */
const MESSAGE_DATA_SIZE_LIMIT = 64 * 1024;
/** The stranger's L1 account (a dev account with L1 ETH). */
const ATTACKER = 7;
const WAIT_MS = 120_000;

/**
 * Attack (docs/design/attack-review-s27.md, finding 1): a stranger queues two L1 → L2 messages at
 * the size limit (64 KB of random calldata, 0 value) while no block consumes them (the sequencer
 * is down, or censors them: `--censor-mode never`). Past FORCE_INCLUSION_DELAY both are overdue.
 * No L2 block of 4M gas holds both: the first one's relay or deferral burns at least its
 * EIP-7623 calldata floor (≈ 2.6M gas) and L1 requires the second's deferral to carry
 * RELAY_OVERHEAD_GAS + 40 gas a calldata byte (≈ 2.85M). A block that consumes only the first was
 * refused with OverdueMessageSkipped (the rule required every overdue message in the one block),
 * so no block could ever be accepted again, by the sequencer or, past the inactivity period, by
 * anyone: the rollup halted for good, for the price of two `sendMessage`s. Now L1 refuses a block
 * that skips an overdue message only when it consumes none, so the backlog drains block by block.
 */
describe("attack: overdue L1 messages that no one block can carry", function () {
  this.timeout(300_000);
  let r: E2eRollup;

  before(async () => {
    r = await startE2eRollup({
      produceBlocks: false,
      l2GasLimit: L2_GAS_LIMIT,
      policy: { sequencerInactivityPeriod: 3_600n, forceInclusionDelay: FORCE_INCLUSION_DELAY },
    });
  });

  after(async () => {
    await r?.stop();
  });

  it("two overdue 64 KB messages: each block consumes what it can and L1 accepts it, the chain goes on", async () => {
    const attacker = r.l1Wallet(ATTACKER);
    const first = await r.rollup().messageCount();
    const messages: L1Message[] = [];
    const queued: QueuedL1Message[] = [];
    for (let i = 0; i < 2; i++) {
      const message: L1Message = {
        nonce: first + BigInt(i),
        from: attacker.address,
        to: Wallet.createRandom().address,
        value: 0n,
        gasLimit: 50_000n,
        data: hexlify(randomBytes(MESSAGE_DATA_SIZE_LIMIT)),
      };
      const receipt = await (
        await r.rollup(ATTACKER).sendMessage(message.to, message.gasLimit, message.data, { gasLimit: 5_000_000n })
      ).wait();
      expect(receipt?.status).to.equal(1);
      messages.push(message);
      queued.push({
        message,
        hash: hashL1Message(message),
        l1BlockNumber: receipt?.blockNumber ?? 0,
        l1TransactionHash: receipt?.hash ?? "",
      });
      expect(await r.rollup().messageHash(message.nonce)).to.equal(hashL1Message(message));
    }
    // No block consumed them within the delay (nothing was produced): both are overdue now.
    await increaseL1Time(r.l1, FORCE_INCLUSION_DELAY + 10n);

    // Why no block holds both: the least gas the first message's transaction burns (its deferral's
    // EIP-7623 calldata floor, below its relay's) plus the least gas limit L1 accepts for the
    // second's deferral (with a one-level proof, the shortest a two-message block has) exceed the
    // block's gas limit.
    const sequencer = r.devnet.node.sequencer;
    const common = sequencer.chain.common;
    const timestamp = BigInt(Math.floor(Date.now() / 1000));
    const deferralOfFirst = createFeeMarket1559Tx(
      {
        to: L2_BRIDGE_ADDRESS,
        gasLimit: L2_GAS_LIMIT,
        data: relayCalldata(queued, 0, timestamp, "deferMessage") as `0x${string}`,
      },
      { common },
    );
    const leastFirst = getCalldataFloorGas(deferralOfFirst);
    const leastSecond = deferGasLimit((relayCalldata(queued, 1, timestamp, "deferMessage").length - 2) / 2);
    process.stderr.write(
      `      least gas of message #${first} in a block: ${leastFirst}; least gas limit of message #${first + 1n}'s deferral: ${leastSecond}; L2 block gas limit: ${L2_GAS_LIMIT}\n`,
    );
    expect(leastFirst + leastSecond).to.be.greaterThan(L2_GAS_LIMIT);

    // The sequencer's block takes what fits: the first message only.
    const one = await sequencer.produceBlock();
    expect(one.consumedMessages).to.equal(1);
    expect(one.firstMessageNonce).to.equal(first);
    process.stderr.write(
      `      L2 block ${one.number}: block ${one.blockRlp.length} B, witness ${one.encodedWitness.length} B, gas used ${one.block.header.gasUsed}\n`,
    );
    const outcome = await eventually(
      `L2 block ${one.number} accepted on L1, or refused`,
      async () => {
        if ((await r.rollup().headNumber()) >= one.number) return "accepted";
        const refusal = r.log.lines.find((line) => line.includes("OverdueMessageSkipped"));
        return refusal === undefined ? undefined : refusal;
      },
      WAIT_MS,
    );
    expect(outcome, "L1's verdict on the block that consumes the first of two overdue messages").to.equal("accepted");
    expect(await r.rollup().nextMessageIndex()).to.equal(first + 1n);
    const advanced = await r.rollup().queryFilter(r.rollup().filters.BlockAdvanced(one.number));
    const receipt = await r.l1.getTransactionReceipt(advanced[0]?.transactionHash ?? "");
    process.stderr.write(
      `      advance of L2 block ${one.number}: ${receipt?.gasUsed} L1 gas (one L1 transaction may use 16777216)\n`,
    );

    // The next block consumes the second, and L1 accepts it too.
    const two = await sequencer.produceBlock();
    expect(two.consumedMessages).to.equal(1);
    expect(two.firstMessageNonce).to.equal(first + 1n);
    await eventually(
      `L2 block ${two.number} accepted on L1`,
      async () => ((await r.rollup().headNumber()) >= two.number ? true : undefined),
      WAIT_MS,
    );
    expect(await r.rollup().nextMessageIndex()).to.equal(first + 2n);
  });
});
