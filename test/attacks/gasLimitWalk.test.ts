import { expect } from "chai";

import { Chain } from "../../rollup-node/chain/chain";
import type { BlockTemplate } from "../../rollup-node/chain/blockBuilder";
import { DEFAULT_L2_GAS_LIMIT, l2Genesis, readL2BridgeRuntimeCode } from "../../rollup-node/l2/genesis";
import { ATTACK_BOND, ATTACK_L2_CHAIN_ID, attackL1, deployAttackRollup } from "../support/attackL1";

/** A header's gas limit may differ from its parent's by less than this share of it (L2HeaderRules, EIP-1559). */
const GAS_LIMIT_BOUND_DIVISOR = 1024n;
/** propose only hashes the witness; a challenge is what reads it. */
const NO_WITNESS = "0x";

/**
 * Attack (optimistic mode, "walk the L2 gas limit up", docs/design/attack-review.md "Challenge gas
 * cap review" §2): `propose` priced each proposal's challenge at its own header's gas limit, and a
 * header may move it by almost a 1024th of its parent's. Once the sequencer is inactive, a
 * fallback proposer proposes valid empty blocks that each raise it, then queues one 64 KB L1
 * message: past a gas limit at which a block carrying that message is over `challengeGasCap()`,
 * the overdue message must be in every block and the limit falls a 1024th per block only, so no
 * block can be proposed again. The gas limit of an optimistic rollup is fixed: `propose` refuses a
 * header whose gas limit differs from its parent's (docs/design/challenge-gas-cap.md).
 */
describe("attack: a proposer walks the L2 gas limit of an optimistic rollup", function () {
  this.timeout(300_000);
  const l1 = attackL1();

  it("is refused: a valid block whose header raises (or lowers) the gas limit by one step gets GasLimitChanged, the honest node's blocks at the parent's gas limit are proposed, and on a provisional parent the rule holds too", async () => {
    const genesis = l2Genesis({
      chainId: ATTACK_L2_CHAIN_ID,
      timestamp: BigInt(Math.floor(Date.now() / 1000)) - 60n,
      bridgeCode: readL2BridgeRuntimeCode(),
      gasLimit: DEFAULT_L2_GAS_LIMIT,
    });
    const chain = await Chain.create({ genesis });
    const parent = chain.head;
    const deployed = await deployAttackRollup(l1, parent.header.serialize());
    const { rollup } = deployed;

    // The chain's own block builder, as the sequencer uses it, with the template's gas limit.
    const template: BlockTemplate = {
      timestamp: parent.header.timestamp + 1n,
      coinbase: new Uint8Array(20),
      parentBeaconBlockRoot: new Uint8Array(32), // the anchor of a block that consumes no message
      extraData: new Uint8Array(),
      prevRandao: new Uint8Array(32),
    };
    const step = parent.header.gasLimit / GAS_LIMIT_BOUND_DIVISOR - 1n;
    const build = async (parentHash: Uint8Array, gasLimit: bigint): Promise<Uint8Array> => {
      const on = chain.head;
      const mined = await chain.buildPayload(
        parentHash,
        { ...template, timestamp: on.header.timestamp + 1n, gasLimit },
        [],
      );
      expect(mined.record.block.header.gasLimit).to.equal(gasLimit);
      return mined.record.block.serialize();
    };
    const raised = await build(parent.hash(), DEFAULT_L2_GAS_LIMIT + step);
    const lowered = await build(parent.hash(), DEFAULT_L2_GAS_LIMIT - step);
    const parentHeader = parent.header.serialize();

    // The raised block is valid under the header rules (one step, less than a 1024th): only the
    // rollup's own rule can refuse it.
    await expect(
      rollup.propose.staticCall(parentHeader, raised, NO_WITNESS, 0, { value: ATTACK_BOND }),
      "propose must refuse a header that raises the gas limit",
    ).to.be.reverted;
    await expect(rollup.propose.staticCall(parentHeader, raised, NO_WITNESS, 0, { value: ATTACK_BOND }))
      .to.be.revertedWithCustomError(rollup, "GasLimitChanged")
      .withArgs(DEFAULT_L2_GAS_LIMIT, DEFAULT_L2_GAS_LIMIT + step);
    await expect(rollup.propose.staticCall(parentHeader, lowered, NO_WITNESS, 0, { value: ATTACK_BOND }))
      .to.be.revertedWithCustomError(rollup, "GasLimitChanged")
      .withArgs(DEFAULT_L2_GAS_LIMIT, DEFAULT_L2_GAS_LIMIT - step);

    // The honest node's blocks (mined as the sequencer mines them: the parent's gas limit) are
    // proposed one after another; on a provisional parent the rule reads that parent's header.
    for (let i = 1n; i <= 2n; i++) {
      const tipHeader = chain.head.header.serialize();
      const mined = await chain.mineBlock([], { timestamp: chain.head.header.timestamp + 1n, captureWitness: true });
      const block = mined.record.block;
      expect(block.header.gasLimit).to.equal(DEFAULT_L2_GAS_LIMIT);
      await (
        await rollup.propose(tipHeader, block.serialize(), mined.encodedWitness ?? NO_WITNESS, 0, {
          value: ATTACK_BOND,
        })
      ).wait();
      expect((await rollup.tip())[0]).to.equal(i);
    }
    const tip = chain.head;
    const raisedOnProvisional = await build(tip.hash(), DEFAULT_L2_GAS_LIMIT + step);
    await expect(
      rollup.propose.staticCall(tip.header.serialize(), raisedOnProvisional, NO_WITNESS, 0, { value: ATTACK_BOND }),
    )
      .to.be.revertedWithCustomError(rollup, "GasLimitChanged")
      .withArgs(DEFAULT_L2_GAS_LIMIT, DEFAULT_L2_GAS_LIMIT + step);
  });

  it("cannot be done with advances either: a valid block whose header raises the gas limit is refused after EXECUTE accepted it, its twin at the parent's gas limit advances", async () => {
    const genesis = l2Genesis({
      chainId: ATTACK_L2_CHAIN_ID,
      timestamp: BigInt(Math.floor(Date.now() / 1000)) - 60n,
      bridgeCode: readL2BridgeRuntimeCode(),
      gasLimit: DEFAULT_L2_GAS_LIMIT,
    });
    const chain = await Chain.create({ genesis });
    const parent = chain.head;
    const parentHeader = parent.header.serialize();
    const { rollup } = await deployAttackRollup(l1, parentHeader);
    // Twins: the same empty block on the genesis but for the gas limit. An empty block reads the
    // same state whatever its gas limit, so the honest twin's witness serves the raised one.
    const timestamp = parent.header.timestamp + 1n;
    const step = parent.header.gasLimit / GAS_LIMIT_BOUND_DIVISOR - 1n;
    const raised = await chain.buildPayload(
      parent.hash(),
      {
        timestamp,
        coinbase: parent.header.coinbase.bytes,
        parentBeaconBlockRoot: new Uint8Array(32),
        extraData: new Uint8Array(),
        prevRandao: parent.hash(),
        gasLimit: DEFAULT_L2_GAS_LIMIT + step,
      },
      [],
    );
    const kept = await chain.mineBlock([], { timestamp, captureWitness: true });
    const witness = kept.encodedWitness ?? NO_WITNESS;

    // GasLimitChanged is checked after EXECUTE: this error means EXECUTE accepted the raised block.
    await expect(rollup.advance.staticCall(parentHeader, raised.record.block.serialize(), witness, "0x", 0))
      .to.be.revertedWithCustomError(rollup, "GasLimitChanged")
      .withArgs(DEFAULT_L2_GAS_LIMIT, DEFAULT_L2_GAS_LIMIT + step);
    await (await rollup.advance(parentHeader, kept.record.block.serialize(), witness, "0x", 0)).wait();
    expect(await rollup.headNumber()).to.equal(1n);
  });
});
