import { bytesToHex } from "@ethereumjs/util";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { getBytes, hexlify, randomBytes } from "ethers";
import { ethers } from "hardhat";

import { L2_BRIDGE_INTERFACE } from "../../rollup-node/bridge/contracts";
import { MIN_L2_GAS_LIMIT, relayCalldata, relayGasLimit } from "../../rollup-node/bridge/anchor";
import type { QueuedL1Message } from "../../rollup-node/bridge/l1Watcher";
import { readL2BridgeRuntimeCode } from "../../rollup-node/l2/genesis";
import { withProposalGasDefaults } from "../../deploy/rollup";
import { type L1Message, L2_BRIDGE_ADDRESS, hashL1Message, messageRoot } from "../../protocol/messages";
import { TestSigner } from "../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../../tools/l2TestChain";
import type { ExampleRollup, OptimisticExampleRollup } from "../../typechain-types";

const L2_CHAIN_ID = 4545n;
/** A header's gas limit may differ from its parent's by less than this share of it (L2HeaderRules, EIP-1559). */
const GAS_LIMIT_BOUND_DIVISOR = 1024n;
/** The rollup's MESSAGE_DATA_SIZE_LIMIT: the largest calldata anyone may queue for L2. */
const MESSAGE_DATA_SIZE_LIMIT = 64 * 1024;
/** NativeRollup's cap on a refund request's gas limit (MAX_REFUND_GAS_LIMIT). */
const MAX_REFUND_GAS_LIMIT = 200_000n;
/** The default L2 gas limit, where a walk down would start. */
const DEFAULT_L2_GAS_LIMIT = 4_000_000n;
/** The rollups' policy: seconds before the fallback opens, and before a message is overdue. */
const INACTIVITY_PERIOD = 3_600n;
const FORCE_INCLUSION_DELAY = 600n;
/** An optimistic rollup's proposal bond (wei). */
const BOND = 10n ** 17n;

/** The highest gas limit a header may take one step above `parent`'s. */
function stepUp(parent: bigint): bigint {
  return parent + (parent / GAS_LIMIT_BOUND_DIVISOR - 1n);
}

/** The lowest gas limit a header may take one step below `parent`'s. */
function stepDown(parent: bigint): bigint {
  return parent - (parent / GAS_LIMIT_BOUND_DIVISOR - 1n);
}

/** The constructor arguments every rollup starts with: chain id, genesis, sequencer, policy. */
function rollupArgs(chain: L2TestChain, sequencer: string | undefined): unknown[] {
  const genesis = chain.latest.header;
  return [
    L2_CHAIN_ID,
    bytesToHex(genesis.hash()),
    bytesToHex(genesis.stateRoot),
    sequencer,
    { sequencerInactivityPeriod: INACTIVITY_PERIOD, forceInclusionDelay: FORCE_INCLUSION_DELAY },
  ];
}

/** A chain at `genesisGasLimit` with a funded relayer (alice) and L2Bridge, and its ExampleRollup. */
async function fundedRollup(
  genesisGasLimit: bigint,
  sequencer: string | undefined,
): Promise<{ chain: L2TestChain; alice: TestSigner; rollup: ExampleRollup }> {
  const probe = await L2TestChain.create(L2_CHAIN_ID, []);
  const alice = TestSigner.fromSeed(1, probe.common);
  const chain = await L2TestChain.create(
    L2_CHAIN_ID,
    [
      { address: alice.address.toString(), balance: 10n ** 20n },
      { address: L2_BRIDGE_ADDRESS, code: readL2BridgeRuntimeCode(), balance: 10n ** 27n },
    ],
    { gasLimit: genesisGasLimit },
  );
  const rollup = (await ethers.deployContract(
    "ExampleRollup",
    rollupArgs(chain, sequencer),
  )) as unknown as ExampleRollup;
  return { chain, alice, rollup };
}

/**
 * Attack (docs/design/attack-review-s27.md, finding 2): in re-execution mode nothing bounded the
 * L2 gas limit from below but EXECUTE's header rule (a 1024th a block, down to 5,000). Once the
 * sequencer is inactive anyone advances (or the sequencer itself is the attacker): valid empty
 * blocks, each a step lower, until a block cannot hold the relay of a refund request with 64 KB of
 * calldata (which no block may defer, and whose relay L1 requires to carry ≈ 3.04M gas); then one
 * such message, queued by anyone, can be consumed by no block, and once it is overdue every block
 * is refused (`OverdueMessageSkipped`): the rollup halts for good. Now L1 refuses a block whose gas
 * limit is below `MIN_L2_GAS_LIMIT`, that relay's least gas limit.
 */
describe("attack: walking a re-execution rollup's L2 gas limit below the largest message", function () {
  this.timeout(300_000);

  it("is refused: each step down is accepted while the largest refund request still fits a block, the step below is not", async () => {
    const [sequencer, user] = await ethers.getSigners();
    // The largest message no block may defer: a refund request with 64 KB of calldata and its
    // largest gas limit, relayed alone in its block (the shortest proof).
    const refund: L1Message = {
      nonce: 0n,
      from: user?.address as string,
      to: L2_BRIDGE_ADDRESS,
      value: 0n,
      gasLimit: MAX_REFUND_GAS_LIMIT,
      data: `${L2_BRIDGE_INTERFACE.getFunction("refundMessage")?.selector}${hexlify(randomBytes(MESSAGE_DATA_SIZE_LIMIT - 4)).slice(2)}`,
    };
    const queued: QueuedL1Message = {
      message: refund,
      hash: hashL1Message(refund),
      l1BlockNumber: 1,
      l1TransactionHash: `0x${"00".repeat(32)}`,
    };
    const least = relayGasLimit(refund.gasLimit, getBytes(relayCalldata([queued], 0, 1n)).length);
    let walk = 0;
    for (let g = DEFAULT_L2_GAS_LIMIT; g >= least; g = stepDown(g)) walk++;
    process.stderr.write(
      `      least gas limit of the largest refund request's relay: ${least}; steps down from ${DEFAULT_L2_GAS_LIMIT} to below it: ${walk}\n`,
    );

    // A genesis a few steps above it, so the walk is short.
    const genesisGasLimit = least + 6_000n;
    const { chain, alice, rollup } = await fundedRollup(genesisGasLimit, sequencer?.address);

    let gasLimit = genesisGasLimit;
    let accepted = 0n;
    while (stepDown(gasLimit) >= least) {
      gasLimit = stepDown(gasLimit);
      const built = await chain.buildBlock([], { gasLimit });
      await (await rollup.advance(built.parentHeader, built.blockRlp, built.witness, "0x", 0)).wait();
      accepted++;
    }
    expect(await rollup.headNumber()).to.equal(accepted);
    expect(accepted).to.be.greaterThan(0n);

    // One more step: a valid block (EXECUTE's header rule allows it) that no longer holds the relay.
    const below = stepDown(gasLimit);
    expect(below).to.be.lessThan(least);
    const relay = alice.tx({ to: L2_BRIDGE_ADDRESS, gasLimit: least, data: relayCalldata([queued], 0, 1n) });
    let refusal = "";
    await chain.buildBlock([relay], { gasLimit: below, discard: true }).catch((error: Error) => {
      refusal = error.message;
    });
    expect(refusal, "a block below the floor cannot carry the relay").to.contain("gas limit");
    const built = await chain.buildBlock([], { gasLimit: below, discard: true });
    await expect(
      rollup.advance.staticCall(built.parentHeader, built.blockRlp, built.witness, "0x", 0),
      `L1 must refuse the block whose gas limit ${below} cannot carry the largest refund request's relay (${least})`,
    ).to.be.reverted;
    await expect(rollup.advance.staticCall(built.parentHeader, built.blockRlp, built.witness, "0x", 0))
      .to.be.revertedWithCustomError(rollup, "L2GasLimitTooLow")
      .withArgs(below, least);
    // The contract's floor is the node's figure for that relay, and the node's own mirror of it.
    expect(await rollup.MIN_L2_GAS_LIMIT()).to.equal(least);
    expect(MIN_L2_GAS_LIMIT).to.equal(least);
  });

  it("lets a chain whose genesis is below the floor climb to it (attack-review-s27.md finding 4): the highest step up is accepted up to the floor; level or down below it is refused", async () => {
    const [sequencer, user] = await ethers.getSigners();
    // A genesis one step below the floor: what a file genesis (genesisFile.ts, not l2Genesis's
    // check), a deployment by hash, or a chain made before s27 and redeployed may have.
    const genesisGasLimit = MIN_L2_GAS_LIMIT - 6_000n;
    const chain = await L2TestChain.create(
      L2_CHAIN_ID,
      [{ address: L2_BRIDGE_ADDRESS, code: readL2BridgeRuntimeCode() }],
      {
        gasLimit: genesisGasLimit,
      },
    );
    const rollup = (await ethers.deployContract(
      "ExampleRollup",
      rollupArgs(chain, sequencer?.address),
    )) as unknown as ExampleRollup;
    // Deposits are accepted (the constructor sees the genesis's hash, not its gas limit).
    await (await rollup.connect(user).depositETH(user?.address as string, { value: 1n })).wait();

    /** A block at `gasLimit` on the current tip, checked by L1 (kept on the chain only if `keep`). */
    const blockAt = (gasLimit: bigint, keep: boolean) => chain.buildBlock([], { gasLimit, discard: !keep });
    const refusedBelowFloor = async (gasLimit: bigint, why: string): Promise<void> => {
      const built = await blockAt(gasLimit, false);
      await expect(rollup.advance.staticCall(built.parentHeader, built.blockRlp, built.witness, "0x", 0), why)
        .to.be.revertedWithCustomError(rollup, "L2GasLimitTooLow")
        .withArgs(gasLimit, MIN_L2_GAS_LIMIT);
    };

    // Level, or a step down, below the floor: refused (no walk down, no staying below).
    await refusedBelowFloor(genesisGasLimit, "a level block below the floor");
    await refusedBelowFloor(stepDown(genesisGasLimit), "a step down below the floor");

    // The highest step up EXECUTE's header rule allows, each block, until the floor: accepted.
    let gasLimit = genesisGasLimit;
    const climb: bigint[] = [];
    while (gasLimit < MIN_L2_GAS_LIMIT) {
      gasLimit = stepUp(gasLimit);
      const built = await blockAt(gasLimit, true);
      await (await rollup.advance(built.parentHeader, built.blockRlp, built.witness, "0x", 0)).wait();
      climb.push(gasLimit);
      if (gasLimit < MIN_L2_GAS_LIMIT) {
        // Mid-climb, staying level or stepping back down is still refused.
        await refusedBelowFloor(gasLimit, "a level block mid-climb");
        await refusedBelowFloor(stepDown(gasLimit), "a step down mid-climb");
      }
    }
    process.stderr.write(`      climb from ${genesisGasLimit}: ${climb.join(" → ")} (floor ${MIN_L2_GAS_LIMIT})\n`);
    expect(climb[0], "the first step up is itself below the floor").to.be.lessThan(MIN_L2_GAS_LIMIT);
    expect(await rollup.headNumber()).to.equal(BigInt(climb.length));
    expect(gasLimit).to.be.greaterThanOrEqual(MIN_L2_GAS_LIMIT);
    // At the floor the walk down below it is refused again, as in the first case.
    await refusedBelowFloor(stepDown(gasLimit), "a step from the floor to below it");
  });

  it("does not halt a climb while a refund request that fits no block below the floor is overdue; at the floor it must be consumed", async () => {
    const [sequencer, user] = await ethers.getSigners();
    const genesisGasLimit = MIN_L2_GAS_LIMIT - 6_000n;
    const { chain, alice, rollup } = await fundedRollup(genesisGasLimit, sequencer?.address);
    // The largest refund request (no block may defer it), queued by anyone, then overdue.
    const refund: L1Message = {
      nonce: 0n,
      from: user?.address as string,
      to: L2_BRIDGE_ADDRESS,
      value: 0n,
      gasLimit: MAX_REFUND_GAS_LIMIT,
      data: `${L2_BRIDGE_INTERFACE.getFunction("refundMessage")?.selector}${hexlify(randomBytes(MESSAGE_DATA_SIZE_LIMIT - 4)).slice(2)}`,
    };
    await (await rollup.connect(user).sendMessage(refund.to, refund.gasLimit, refund.data)).wait();
    expect(await rollup.messageHash(0n)).to.equal(hashL1Message(refund));
    await time.increase(FORCE_INCLUSION_DELAY + 1n);

    // Below the floor the relay fits no block: the climb cannot consume it, and must not be halted.
    let gasLimit = genesisGasLimit;
    while (stepUp(gasLimit) < MIN_L2_GAS_LIMIT) {
      gasLimit = stepUp(gasLimit);
      const built = await chain.buildBlock([], { gasLimit });
      await expect(
        rollup.advance(built.parentHeader, built.blockRlp, built.witness, "0x", 0),
        `a climbing block (gas limit ${gasLimit}) with an unfittable message overdue`,
      ).to.emit(rollup, "BlockAdvanced");
    }
    expect(await rollup.headNumber()).to.be.greaterThan(0n);
    // A climbing block leaves the message overdue: it does not reset the fallback's clock.
    const deployedAt = await rollup.lastAdvanceTimestamp();
    expect(await rollup.openSequencingAt()).to.equal(deployedAt + INACTIVITY_PERIOD);

    // The step that reaches the floor ends the exemption: a block there that skips the overdue
    // message is refused...
    gasLimit = stepUp(gasLimit);
    expect(gasLimit).to.be.greaterThanOrEqual(MIN_L2_GAS_LIMIT);
    const skipping = await chain.buildBlock([], { gasLimit, discard: true });
    await expect(rollup.advance.staticCall(skipping.parentHeader, skipping.blockRlp, skipping.witness, "0x", 0))
      .to.be.revertedWithCustomError(rollup, "OverdueMessageSkipped")
      .withArgs(0n, await rollup.messageQueuedAt(0n));
    // ...and the block that relays it, which now fits, is accepted.
    const queued: QueuedL1Message = {
      message: refund,
      hash: hashL1Message(refund),
      l1BlockNumber: 1,
      l1TransactionHash: `0x${"00".repeat(32)}`,
    };
    const timestamp = BigInt(await time.latest());
    const data = relayCalldata([queued], 0, timestamp);
    const relay = alice.tx({
      to: L2_BRIDGE_ADDRESS,
      gasLimit: relayGasLimit(refund.gasLimit, getBytes(data).length),
      data,
    });
    const relaying = await chain.buildBlock([relay], {
      gasLimit,
      timestamp,
      parentBeaconBlockRoot: getBytes(messageRoot([queued.hash])),
    });
    await expect(rollup.advance(relaying.parentHeader, relaying.blockRlp, relaying.witness, "0x", 1)).to.emit(
      rollup,
      "BlockAdvanced",
    );
    expect(await rollup.nextMessageIndex()).to.equal(1n);
  });

  it("applies the same climb to an optimistic rollup's proposals, then fixes the gas limit at the floor", async () => {
    const [sequencer] = await ethers.getSigners();
    const genesisGasLimit = MIN_L2_GAS_LIMIT - 6_000n;
    const chain = await L2TestChain.create(
      L2_CHAIN_ID,
      [{ address: L2_BRIDGE_ADDRESS, code: readL2BridgeRuntimeCode() }],
      {
        gasLimit: genesisGasLimit,
      },
    );
    const rollup = (await ethers.deployContract("OptimisticExampleRollup", [
      ...rollupArgs(chain, sequencer?.address),
      withProposalGasDefaults({ challengeWindow: 3_600n, proposalBond: BOND }),
      { threshold: 0, allowReexecution: false, acceptedKeys: [] },
    ])) as unknown as OptimisticExampleRollup;
    const propose = (built: BuiltBlock) =>
      rollup.propose(built.parentHeader, built.blockRlp, built.witness, 0, { value: BOND });

    // A level proposal below the floor (accepted before the fix: the chain stayed below for good).
    const level = await chain.buildBlock([], { gasLimit: genesisGasLimit, discard: true });
    await expect(propose(level))
      .to.be.revertedWithCustomError(rollup, "L2GasLimitTooLow")
      .withArgs(genesisGasLimit, MIN_L2_GAS_LIMIT);
    let gasLimit = genesisGasLimit;
    while (gasLimit < MIN_L2_GAS_LIMIT) {
      gasLimit = stepUp(gasLimit);
      await expect(propose(await chain.buildBlock([], { gasLimit }))).to.emit(rollup, "BlockProposed");
    }
    // At or above the floor the optimistic gas limit is fixed again: a further step up is refused,
    // the same gas limit accepted.
    const higher = await chain.buildBlock([], { gasLimit: stepUp(gasLimit), discard: true });
    await expect(propose(higher))
      .to.be.revertedWithCustomError(rollup, "GasLimitChanged")
      .withArgs(gasLimit, stepUp(gasLimit));
    await expect(propose(await chain.buildBlock([], { gasLimit }))).to.emit(rollup, "BlockProposed");
  });
});
