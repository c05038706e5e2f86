import { expect } from "chai";
import { JsonRpcProvider, Wallet } from "ethers";

import { type L1Devnet, startL1Devnet } from "../../../rollup-node/devnet/l1Devnet";

/** Runtime code: SSTORE(0, TIMESTAMP). Init code copies it (5 bytes at offset 12) and returns it. */
const STORE_TIMESTAMP_INITCODE = "0x6005600c60003960056000f3" + "4260005500";

describe("eth_estimateGas", () => {
  let devnet: L1Devnet;
  let provider: JsonRpcProvider;
  let wallet: Wallet;

  before(async () => {
    devnet = await startL1Devnet({ port: 0 });
    provider = new JsonRpcProvider(devnet.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    wallet = new Wallet((devnet.accounts[0] as { privateKey: string }).privateKey, provider);
  });

  after(async () => {
    provider.destroy();
    await devnet.stop();
  });

  it("estimates in the next block's context, so a transaction sent with the estimate does not run out of gas", async () => {
    const deployed = await (await wallet.sendTransaction({ data: STORE_TIMESTAMP_INITCODE })).wait();
    const to = deployed!.contractAddress!;
    await (await wallet.sendTransaction({ to })).wait();
    // The slot now holds the last block's timestamp: in that block's context a second write would
    // be a no-op SSTORE (2,800 gas cheaper) than it is in the block the transaction lands in.
    const estimate = await provider.estimateGas({ from: wallet.address, to });
    const receipt = await (await wallet.sendTransaction({ to, gasLimit: estimate })).wait();
    expect(receipt!.status).to.equal(1);
    expect(receipt!.gasUsed).to.equal(estimate);
  });
});
