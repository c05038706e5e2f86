import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { Interface, Wallet, getBytes } from "ethers";
import { artifacts, ethers } from "hardhat";

import { MIN_L2_GAS_LIMIT, messageWeight, overdueBudget, relayGasLimit } from "../../rollup-node/bridge/anchor";
import type { QueuedL1Message } from "../../rollup-node/bridge/l1Watcher";
import { DEFAULT_L2_GAS_LIMIT, l2Genesis, readL2BridgeRuntimeCode } from "../../rollup-node/l2/genesis";
import { type L1Message, L2_BRIDGE_ADDRESS, hashL1Message, messageProof, messageRoot } from "../../protocol/messages";
import { TestSigner } from "../../tools/l2Fixtures";
import type { L2TestChain } from "../../tools/l2TestChain";
import type { ExampleRollup } from "../../typechain-types";
import { DEPOSIT_GAS_LIMIT, deployExampleRollupOn, messageBurn, seededBridgeChain } from "../support/exampleRollup";
import { deferralBlock, openQueuedSequencer, queued } from "../support/queuedSequencer";

const L2_CHAIN_ID = 4748n;
const INACTIVITY_PERIOD = 3_600n;
const FORCE_INCLUSION_DELAY = 600n;
/** Heavy messages the stranger queues before the victim's deposit. */
const HEAVY = 5;
/** Seconds between the censor's blocks (any cadence: each must consume one overdue message). */
const CADENCE = 60n;

/** This file's ExampleRollup on `chain`'s head, sequenced by `sequencer`. */
function deployOn(chain: L2TestChain, sequencer: string | undefined): Promise<ExampleRollup> {
  return deployExampleRollupOn(chain.latest.header, {
    chainId: L2_CHAIN_ID,
    sequencer,
    inactivityPeriod: INACTIVITY_PERIOD,
    forceInclusionDelay: FORCE_INCLUSION_DELAY,
  });
}

/** The least gas limit whose message (no data) weighs more than half the overdue budget at or above the floor. */
function heavyGasLimit(): bigint {
  const half = MIN_L2_GAS_LIMIT / 2n;
  let low = 0n;
  let high = 10_000_000n;
  while (low < high) {
    const mid = (low + high) / 2n;
    if (messageWeight(mid, 0) > half) high = mid;
    else low = mid + 1n;
  }
  return low;
}

/**
 * Measurement (docs/design/attack-review-s27.md, fourth pass, "heavy messages"): a stranger queues
 * HEAVY `sendMessage`s, each weighing more than half the overdue budget (a gas limit is declared,
 * not paid, on L1), then a victim deposits. L1 requires a block to consume only one heavy message,
 * so a censoring sequencer delays the victim's deposit by one block per heavy message; what bounds
 * the delay in time is the fallback's clock (finding 3): no block that leaves an overdue message
 * resets it. The test records the stranger's L1 gas, the censor's, and the victim's wait, and
 * requires (finding 8, fixed by `NativeRollup._burnForWeight`) that each block of delay costs the
 * stranger at least what it costs the advancer, while a deposit pays no burn.
 */
describe("measure: the delay heavy messages buy against a light one under a censoring sequencer", function () {
  this.timeout(600_000);

  it(`${HEAVY} heavy messages: the victim's deposit is left by ${HEAVY - 1} censor blocks, each paid for by the stranger at least as dearly as by the censor; the fallback opens one period after the last block that left nothing overdue`, async () => {
    const [sequencer, stranger, victim] = await ethers.getSigners();
    const chain = await seededBridgeChain(L2_CHAIN_ID, [1, 2]);
    // Seed 1 signs the blocks kept on the chain, seed 2 the one refused.
    const kept = TestSigner.fromSeed(1, chain.common);
    const refused = TestSigner.fromSeed(2, chain.common);
    const bridge = new Interface((await artifacts.readArtifact("L2Bridge")).abi);
    const gasLimit = chain.latest.header.gasLimit;
    const rollup = await deployOn(chain, sequencer?.address);
    const heavy = heavyGasLimit();
    const messages: L1Message[] = [];
    let strangerGas = 0n;
    for (let i = 0; i < HEAVY; i++) {
      const nonce = await rollup.messageCount();
      const receipt = await (
        await rollup.connect(stranger).sendMessage(stranger?.address as string, heavy, "0x")
      ).wait();
      strangerGas += receipt?.gasUsed ?? 0n;
      messages.push({
        nonce,
        from: stranger?.address as string,
        to: stranger?.address as string,
        value: 0n,
        gasLimit: heavy,
        data: "0x",
      });
    }
    const victimNonce = await rollup.messageCount();
    const deposited = await (await rollup.connect(victim).depositETH(victim?.address as string, { value: 1n })).wait();
    messages.push({
      nonce: victimNonce,
      from: victim?.address as string,
      to: victim?.address as string,
      value: 1n,
      gasLimit: DEPOSIT_GAS_LIMIT,
      data: "0x",
    });
    const queuedAt = await rollup.messageQueuedAt(victimNonce);
    await time.increase(FORCE_INCLUSION_DELAY + 1n);
    const openBefore = await rollup.openSequencingAt();

    /** The censor's next block, deferring `consumed` (from the next message on). */
    const advance = async (consumed: readonly L1Message[], send: boolean) => {
      const timestamp = BigInt(await time.latest());
      const built = await deferralBlock(chain, bridge, consumed, send ? kept : refused, timestamp, !send);
      const call = [built.parentHeader, built.blockRlp, built.witness, "0x", consumed.length] as const;
      if (!send) return rollup.connect(sequencer).advance.staticCall(...call);
      try {
        await rollup.connect(sequencer).advance.staticCall(...call);
      } catch (error) {
        const data = (error as { data?: string }).data;
        throw new Error(
          `advance refused: ${data === undefined ? (error as Error).message : rollup.interface.parseError(data)?.name} ${data ?? ""}`.slice(
            0,
            600,
          ),
        );
      }
      return (await rollup.connect(sequencer).advance(...call)).wait();
    };

    const weight = messageWeight(heavy, 0);
    expect(2n * weight).to.be.greaterThan(overdueBudget(gasLimit));
    let censorGas = 0n;
    let delayBlocksGas = 0n;
    for (let i = 0; i < HEAVY; i++) {
      const last = i === HEAVY - 1;
      if (last) {
        // The last heavy message alone leaves the victim's deposit, which fits what is left: refused.
        await expect(advance(messages.slice(i, i + 1), false))
          .to.be.revertedWithCustomError(rollup, "OverdueMessageLeft")
          .withArgs(victimNonce, messageWeight(DEPOSIT_GAS_LIMIT, 0), overdueBudget(gasLimit) - weight);
      }
      // Two heavy messages do not fit the budget: one is all L1 requires, until the deposit is next.
      const receipt = await advance(messages.slice(i, last ? i + 2 : i + 1), true);
      censorGas += receipt?.gasUsed ?? 0n;
      if (!last) delayBlocksGas += receipt?.gasUsed ?? 0n;
      expect(await rollup.nextMessageIndex()).to.equal(BigInt(last ? i + 2 : i + 1));
      // The clock: a block that leaves an overdue message does not move the fallback's opening.
      if (!last) expect(await rollup.openSequencingAt()).to.equal(openBefore);
      if (!last) await time.increase(CADENCE);
    }
    const waited = BigInt(await time.latest()) - queuedAt;
    // Finding 8: each heavy message buys one block of delay of every later message. Its sender must
    // pay at least what that block costs its advancer (the censor's blocks consuming one heavy
    // message each; the last one also relays the victim's deposit and is left out).
    const strangerPerBlock = Number(strangerGas) / HEAVY;
    const advancerPerBlock = Number(delayBlocksGas) / (HEAVY - 1);
    const ratio = strangerPerBlock / advancerPerBlock;
    // A deposit (weight FREE_MESSAGE_WEIGHT) pays no burn: it costs what a message without a gas
    // limit (nothing to burn, more calldata) costs, within a few %.
    const light = await (await rollup.connect(victim).sendMessage(victim?.address as string, 0n, "0x")).wait();
    const second = await (await rollup.connect(victim).depositETH(victim?.address as string, { value: 1n })).wait();
    process.stderr.write(
      `      finding 8: the stranger's L1 gas per block of delay ${strangerPerBlock} ÷ the advancer's ${advancerPerBlock} = ${ratio.toFixed(3)}; a deposit ${second?.gasUsed} L1 gas, a message of gas limit 0 ${light?.gasUsed}\n`,
    );
    expect(ratio, "the stranger's L1 gas per block of delay ÷ the advancer's").to.be.at.least(1);
    expect(Number(second?.gasUsed), "a deposit's L1 gas ÷ a gas-limit-0 message's").to.be.at.most(
      1.03 * Number(light?.gasUsed),
    );
    process.stderr.write(
      `      heavy message: gas limit ${heavy}, weight ${weight} (budget ${overdueBudget(gasLimit)}); stranger's L1 gas ${strangerGas} for ${HEAVY} (${strangerGas / BigInt(HEAVY)} each; the victim's deposit ${deposited?.gasUsed}); censor's ${HEAVY} advances ${censorGas} L1 gas (${censorGas / BigInt(HEAVY)} each); the deposit was consumed in the censor's block ${HEAVY}, ${HEAVY - 1} blocks leaving it, ${waited} s after it was queued (delay ${FORCE_INCLUSION_DELAY}, censor cadence ${CADENCE}); the fallback opens at ${openBefore}, ${openBefore - queuedAt} s after the deposit was queued, whatever the censor does\n`,
    );
    expect(openBefore - queuedAt).to.be.at.most(INACTIVITY_PERIOD);
  });

  it("the advancer's block of one heavy message: relaying it (as an honest node does) costs more L1 gas than deferring it (the censor), as EXECUTE charges the relay's gas limit", async () => {
    const [sequencer, stranger] = await ethers.getSigners();
    const chain = await seededBridgeChain(L2_CHAIN_ID, [1, 2]);
    // Seed 1 signs the relay kept on the chain, seed 2 the deferral only priced (a signer's nonce counts both).
    const signer = TestSigner.fromSeed(1, chain.common);
    const bridge = new Interface((await artifacts.readArtifact("L2Bridge")).abi);
    const rollup = await deployOn(chain, sequencer?.address);
    const heavy = heavyGasLimit();
    const to = stranger?.address as string;
    const sent = await (await rollup.connect(stranger).sendMessage(to, heavy, "0x")).wait();
    const message: L1Message = { nonce: 0n, from: to, to, value: 0n, gasLimit: heavy, data: "0x" };
    const timestamp = BigInt(await time.latest());
    const deferred = await deferralBlock(
      chain,
      bridge,
      [message],
      TestSigner.fromSeed(2, chain.common),
      timestamp,
      true,
    );
    const deferGas = await rollup
      .connect(sequencer)
      .advance.estimateGas(deferred.parentHeader, deferred.blockRlp, deferred.witness, "0x", 1);
    const leaf = hashL1Message(message);
    const data = bridge.encodeFunctionData("relayMessage", [message, timestamp, 0n, messageProof([leaf], 0)]);
    const relay = signer.tx({ to: L2_BRIDGE_ADDRESS, data, gasLimit: relayGasLimit(heavy, getBytes(data).length) });
    const relayed = await chain.buildBlock([relay], {
      timestamp,
      parentBeaconBlockRoot: getBytes(messageRoot([leaf])),
    });
    const relayGas =
      (
        await (
          await rollup.connect(sequencer).advance(relayed.parentHeader, relayed.blockRlp, relayed.witness, "0x", 1)
        ).wait()
      )?.gasUsed ?? 0n;
    process.stderr.write(
      `      one heavy message (gas limit ${heavy}): the stranger's L1 gas ${sent?.gasUsed}; the advance deferring it ${deferGas} (estimate), relaying it ${relayGas}: the stranger's ÷ the relaying advancer's ${(Number(sent?.gasUsed) / Number(relayGas)).toFixed(3)}\n`,
    );
    expect(await rollup.nextMessageIndex()).to.equal(1n);
    expect(relayGas).to.be.greaterThan(deferGas);
  });

  it("the honest node's anchor: heavy messages whose relay alone nearly fills its budget go one a block, and a light one waits behind them", async () => {
    // The node packs against max(min(maxRelayGasPerBlock, 9/10 of the gas limit), overdueBudget):
    // 3,600,000 at the default 4M gas limit. A message weighing just over half of it goes one a block.
    const nodeBudget = (DEFAULT_L2_GAS_LIMIT * 9n) / 10n;
    let heavy = heavyGasLimit();
    while (2n * messageWeight(heavy, 0) <= nodeBudget) heavy += 1_000n;
    const relayer = Wallet.createRandom();
    const dir = mkdtempSync(path.join(tmpdir(), "heavy-message-delay-"));
    const genesis = l2Genesis({
      chainId: L2_CHAIN_ID,
      timestamp: BigInt(Math.floor(Date.now() / 1000)) - 10n,
      bridgeCode: readL2BridgeRuntimeCode(),
      alloc: { [relayer.address]: { balance: 10n ** 21n } },
    });
    const to = Wallet.createRandom().address;
    const queue: QueuedL1Message[] = [];
    const push = (gasLimit: bigint, value: bigint): void => {
      queue.push(queued({ nonce: BigInt(queue.length), from: to, to, value, gasLimit, data: "0x" }));
    };
    for (let i = 0; i < HEAVY; i++) push(heavy, 0n);
    push(DEPOSIT_GAS_LIMIT, 1n);
    const node = await openQueuedSequencer({ dataDir: dir, genesis, queue, relayerKey: relayer.privateKey });
    try {
      const perBlock: number[] = [];
      let consumed = 0;
      while (consumed < queue.length && perBlock.length < 2 * HEAVY) {
        const produced = await node.produceBlock();
        perBlock.push(produced.consumedMessages);
        consumed += produced.consumedMessages;
      }
      process.stderr.write(
        `      the node's blocks (gas limit ${DEFAULT_L2_GAS_LIMIT}, its budget ${nodeBudget}) consume ${perBlock.join(", ")} of ${HEAVY} messages of gas limit ${heavy} (weight ${messageWeight(heavy, 0)}) and the deposit behind them\n`,
      );
      expect(perBlock.slice(0, HEAVY - 1)).to.deep.equal(Array(HEAVY - 1).fill(1));
      expect(consumed).to.equal(queue.length);
      expect(perBlock.length).to.equal(HEAVY);
    } finally {
      await node.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a message's weight is paid in L1 gas when it is queued (finding 8)", function () {
  this.timeout(300_000);

  it("a heavy message burns 2/3 L1 gas per weight above a deposit's; a gas limit that cannot cover it reverts MessageBurnUnaffordable, never queues it cheaper", async () => {
    const [sequencer, stranger] = await ethers.getSigners();
    const chain = await seededBridgeChain(L2_CHAIN_ID, [1]);
    const rollup = await deployOn(chain, sequencer?.address);
    const to = stranger?.address as string;
    const heavy = heavyGasLimit();
    const burn = messageBurn(heavy, 0);
    // The queue's first entry (its length slot written from zero) is dearer: the two measured follow it.
    // A message of a deposit's weight burns nothing; the heavy one must cost that plus its burn.
    await (await rollup.connect(stranger).sendMessage(to, 0n, "0x")).wait();
    const free =
      (await (await rollup.connect(stranger).sendMessage(to, DEPOSIT_GAS_LIMIT, "0x")).wait())?.gasUsed ?? 0n;
    const estimate = await rollup.connect(stranger).sendMessage.estimateGas(to, heavy, "0x");
    const paid = (await (await rollup.connect(stranger).sendMessage(to, heavy, "0x", { gasLimit: estimate })).wait())
      ?.gasUsed;
    process.stderr.write(
      `      a message of weight ${messageWeight(DEPOSIT_GAS_LIMIT, 0)} ${free} L1 gas; of weight ${messageWeight(heavy, 0)} ${paid} (burn ${burn}, estimate ${estimate})\n`,
    );
    expect(paid).to.be.at.least(free + burn);
    expect(paid).to.be.at.most(free + burn + 10_000n);
    const count = await rollup.messageCount();
    // Too little gas to burn: the custom error with the values, nothing queued.
    const short = free + burn / 2n;
    await expect(rollup.connect(stranger).sendMessage(to, heavy, "0x", { gasLimit: short }))
      .to.be.revertedWithCustomError(rollup, "MessageBurnUnaffordable")
      .withArgs(messageWeight(heavy, 0), burn, (left: bigint) => left < burn);
    expect(await rollup.messageCount()).to.equal(count);
  });
});
