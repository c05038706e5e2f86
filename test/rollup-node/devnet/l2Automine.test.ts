import { expect } from "chai";
import { Wallet } from "ethers";

import { startE2eRollup } from "../../e2e/support/harness";

describe("devnet: --l2-automine gives each L2 transaction its block at once (and EXECUTE accepts it)", function () {
  this.timeout(60_000);

  it("a transfer is mined before eth_sendRawTransaction returns, with the sequencer's timer off", async () => {
    const r = await startE2eRollup({ l2Automine: true, produceBlocks: false });
    try {
      const before = await r.l2.getBlockNumber();
      const sent = await r.l2Wallet(1).sendTransaction({ to: Wallet.createRandom().address, value: 1n });
      // No wait: the block exists already.
      const receipt = await r.l2.getTransactionReceipt(sent.hash);
      expect(receipt?.blockNumber).to.equal(before + 1);
      await r.devnet.node.bridge.submitter?.waitForAccepted(BigInt(before + 1), 30_000);
    } finally {
      await r.stop();
    }
  });
});
