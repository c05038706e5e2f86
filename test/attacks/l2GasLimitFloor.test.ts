import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";
import { getBytes, hexlify, randomBytes } from "ethers";
import { ethers } from "hardhat";

import { L2_BRIDGE_INTERFACE } from "../../rollup-node/bridge/contracts";
import { MIN_L2_GAS_LIMIT, relayCalldata, relayGasLimit } from "../../rollup-node/bridge/anchor";
import type { QueuedL1Message } from "../../rollup-node/bridge/l1Watcher";
import { readL2BridgeRuntimeCode } from "../../rollup-node/l2/genesis";
import { type L1Message, L2_BRIDGE_ADDRESS, hashL1Message } from "../../protocol/messages";
import { TestSigner } from "../../tools/l2Fixtures";
import { L2TestChain } from "../../tools/l2TestChain";
import type { ExampleRollup } from "../../typechain-types";

const L2_CHAIN_ID = 4545n;
/** A header's gas limit may differ from its parent's by less than this share of it (L2HeaderRules, EIP-1559). */
const GAS_LIMIT_BOUND_DIVISOR = 1024n;
/** The rollup's MESSAGE_DATA_SIZE_LIMIT: the largest calldata anyone may queue for L2. */
const MESSAGE_DATA_SIZE_LIMIT = 64 * 1024;
/** NativeRollup's cap on a refund request's gas limit (MAX_REFUND_GAS_LIMIT). */
const MAX_REFUND_GAS_LIMIT = 200_000n;
/** The default L2 gas limit, where a walk down would start. */
const DEFAULT_L2_GAS_LIMIT = 4_000_000n;

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
    { sequencerInactivityPeriod: 3_600n, forceInclusionDelay: 600n },
  ];
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
      rollupArgs(chain, sequencer?.address),
    )) as unknown as ExampleRollup;

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

  it("leaves a chain whose genesis is below the floor no block L1 accepts, not even the highest step up (open: attack-review-s27.md, second pass)", async () => {
    const [sequencer, user] = await ethers.getSigners();
    // A genesis one step below the floor: what a file genesis (genesisFile.ts, not l2Genesis's
    // check) or a chain made before s27 and redeployed on the new contract may have.
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
    // The highest gas limit EXECUTE's header rule allows one block above its parent's is still
    // below the floor: no block at all (and so no climb) is accepted; the deposit's ETH stays on L1
    // with no L2 to refund it through.
    const stepUp = genesisGasLimit + (genesisGasLimit / GAS_LIMIT_BOUND_DIVISOR - 1n);
    expect(stepUp).to.be.lessThan(MIN_L2_GAS_LIMIT);
    const built = await chain.buildBlock([], { gasLimit: stepUp, discard: true });
    await expect(rollup.advance.staticCall(built.parentHeader, built.blockRlp, built.witness, "0x", 0))
      .to.be.revertedWithCustomError(rollup, "L2GasLimitTooLow")
      .withArgs(stepUp, MIN_L2_GAS_LIMIT);
  });
});
