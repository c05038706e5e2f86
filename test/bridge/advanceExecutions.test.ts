/**
 * How many times EXECUTE runs for each L2 block the batch submitter gets accepted, counted on the
 * in-process devnet with the real precompile (tools/countedExecute.ts): once in the simulation at
 * the derived gas limit and once in the transaction — no eth_estimateGas search, which re-ran the
 * whole block at each step of its binary search.
 */
import { expect } from "chai";
import { type JsonRpcProvider, type Wallet, parseEther } from "ethers";

import type { ExecutePrecompileOptions } from "../../precompiles";
import { BatchSubmitter } from "../../rollup-node/bridge/batchSubmitter";
import type { L1Devnet } from "../../rollup-node/devnet/l1Devnet";
import type { Sequencer } from "../../rollup-node/l2/sequencer";
import { type TransferSequencer, openTransferSequencer } from "../../tools/transferSequencer";
import { type Logger, silentLogger } from "../../rollup-node/logger";
import { type CountedExecute, countedExecute } from "../../tools/countedExecute";
import { startDevnetRollup } from "../../tools/devnetSequencer";
import { LoggedLines } from "../../tools/loggedLines";

const L2_CHAIN_ID = 782n;
const BLOCKS = 3;

describe("the batch submitter has EXECUTE run twice per block: one simulation, one transaction", function () {
  this.timeout(300_000);
  let sequencer: Sequencer;
  let l2: TransferSequencer;

  before(async () => {
    l2 = await openTransferSequencer({
      chainId: L2_CHAIN_ID,
      signerSeed: 3,
      recipientBase: 0xbb00,
      dirPrefix: "advance-executions-",
    });
    ({ sequencer } = l2);
  });

  after(() => l2.stop());

  /** An L1 devnet (EXECUTE with `execute`'s options) and a rollup on the L2 genesis sequenced by the dev key. */
  async function l1WithRollup(
    execute: ExecutePrecompileOptions = {},
  ): Promise<{ l1: L1Devnet; execute: CountedExecute; provider: JsonRpcProvider; signer: Wallet; address: string }> {
    const counted = countedExecute(execute);
    const { l1, provider, signer, address } = await startDevnetRollup(sequencer, {
      l2ChainId: L2_CHAIN_ID,
      sequencerBalance: parseEther("100"),
      l1: { executePrecompile: counted.precompile },
    });
    return { l1, execute: counted, provider, signer, address };
  }

  async function submitAll(signer: Wallet, address: string, logger: Logger): Promise<BatchSubmitter> {
    const submitter = new BatchSubmitter({ sequencer, rollupAddress: address, signer, logger });
    try {
      submitter.start();
      await submitter.waitForAccepted(BigInt(BLOCKS), 120_000);
    } finally {
      await submitter.stop();
    }
    return submitter;
  }

  it(`accepts ${BLOCKS} blocks (empty, 1 transfer, 20 transfers) with ${2 * BLOCKS} EXECUTE runs`, async () => {
    const { l1, execute, provider, signer, address } = await l1WithRollup();
    try {
      const before = execute.runs();
      const submitter = await submitAll(signer, address, silentLogger);
      expect(submitter.accepted.map((a) => a.transactions)).to.deep.equal([0, 1, 20]);
      expect(execute.runs() - before, "EXECUTE runs for the accepted blocks").to.equal(2 * BLOCKS);
    } finally {
      provider.destroy();
      await l1.stop();
    }
  });

  it("on an L1 whose EXECUTE charges more than the submitter derives, it falls back to L1's estimate (said once) and sends no advance that runs out of gas", async () => {
    // Another gas schedule on L1: a flat charge 300k above the default, which the derivation cannot know.
    const { l1, provider, signer, address } = await l1WithRollup({ gas: { baseGas: 400_000n } });
    try {
      const lines = new LoggedLines();
      const submitter = await submitAll(signer, address, lines);
      expect(submitter.haltReason).to.equal(undefined);
      expect(submitter.accepted.map((a) => a.transactions)).to.deep.equal([0, 1, 20]);
      expect(
        lines.all.filter((l) => l.includes("needs more gas than derived")),
        lines.all.join("\n"),
      ).to.have.length(1);
      // Every transaction L1 mined succeeded: no advance was sent with too little gas.
      const failed: string[] = [];
      for (let n = 1; n <= (await provider.getBlockNumber()); n++) {
        for (const hash of (await provider.getBlock(n))?.transactions ?? []) {
          if ((await provider.getTransactionReceipt(hash))?.status !== 1) failed.push(hash);
        }
      }
      expect(failed).to.deep.equal([]);
    } finally {
      provider.destroy();
      await l1.stop();
    }
  });
});
