/**
 * How many times the L1 devnet re-executes each L2 block the batch submitter gets accepted. The
 * submitter simulates its `advance` (an eth_call in the pending block, at the gas limit it then
 * sends) and the mined `advance` runs EXECUTE on the same input at the same gas: the devnet's
 * EXECUTE keeps the first run's result (docs/design/execute-result-memo.md), so the block is
 * re-executed once, not twice. Counted on the real precompile: each call of verifyBlock's
 * `reexecute`, the function that runs an L2 block from its witness.
 */
import { expect } from "chai";
import { parseEther } from "ethers";

import { BatchSubmitter } from "../../../rollup-node/bridge/batchSubmitter";
import type { L1DevnetOptions } from "../../../rollup-node/devnet/l1Devnet";
import type { Sequencer } from "../../../rollup-node/l2/sequencer";
import { startDevnetRollup } from "../../../tools/devnetSequencer";
import { type TransferSequencer, openTransferSequencer } from "../../../tools/transferSequencer";
import { silentLogger } from "../../../rollup-node/logger";
import { countReexecutions } from "../../support/reexecutions";

const L2_CHAIN_ID = 783n;
const BLOCKS = 3;

describe("the L1 devnet re-executes each accepted L2 block once", function () {
  this.timeout(300_000);
  let sequencer: Sequencer;
  let l2: TransferSequencer;

  before(async () => {
    l2 = await openTransferSequencer({
      chainId: L2_CHAIN_ID,
      signerSeed: 5,
      recipientBase: 0xcc00,
      dirPrefix: "execute-memo-",
    });
    ({ sequencer } = l2);
  });

  after(() => l2.stop());

  /** Deploys a rollup on an L1 devnet started with `options`, has the submitter get BLOCKS blocks accepted, and returns the re-executions per block. */
  async function reexecutionsPerBlock(options: Partial<L1DevnetOptions> = {}): Promise<number> {
    const devnet = await startDevnetRollup(sequencer, {
      l2ChainId: L2_CHAIN_ID,
      sequencerBalance: parseEther("100"),
      l1: options,
    });
    const counter = countReexecutions();
    try {
      const before = counter.count();
      const submitter = new BatchSubmitter({
        sequencer,
        rollupAddress: devnet.address,
        signer: devnet.signer,
        logger: silentLogger,
      });
      try {
        submitter.start();
        await submitter.waitForAccepted(BigInt(BLOCKS), 120_000);
      } finally {
        await submitter.stop();
      }
      expect(submitter.haltReason).to.equal(undefined);
      expect(submitter.accepted.map((a) => a.transactions)).to.deep.equal([0, 1, 20]);
      return (counter.count() - before) / BLOCKS;
    } finally {
      counter.restore();
      await devnet.stop();
    }
  }

  it(`accepts ${BLOCKS} blocks (empty, 1 transfer, 20 transfers) with ${BLOCKS} re-executions: the simulation's result answers the transaction`, async () => {
    expect(await reexecutionsPerBlock(), "re-executions per accepted L2 block").to.equal(1);
  });

  it("re-executes each block twice with the memo turned off (execute: { memo: false }): the simulation, then the transaction", async () => {
    expect(await reexecutionsPerBlock({ execute: { memo: false } }), "re-executions per accepted L2 block").to.equal(2);
  });
});
