import { expect } from "chai";
import { JsonRpcProvider, Wallet, parseEther, parseUnits } from "ethers";

import { eventually } from "./support/harness";
import { childNodeRollup, kill } from "./support/nodeProcess";

describe("e2e: the L2 node killed mid-run and restarted", function () {
  this.timeout(90_000);
  const rollup = childNodeRollup();

  it("loses no accepted transaction or L1 message, and L1 and L2 heads agree afterwards", async () => {
    const r = rollup.r;
    let running = await rollup.spawnNode();
    let l2 = new JsonRpcProvider(running.url, undefined, { staticNetwork: true, pollingInterval: 25 });
    const sender = new Wallet(r.devnet.accounts[5]?.privateKey as string);
    const recipient = "0x00000000000000000000000000000000000c0ffe";
    const sign = (nonce: number): Promise<string> =>
      sender.signTransaction({
        chainId: r.devnet.l2ChainId,
        nonce,
        to: recipient,
        value: 1_000n,
        gasLimit: 21_000n,
        maxFeePerGas: parseUnits("20", "gwei"),
        maxPriorityFeePerGas: 1n,
        type: 2,
      });
    const hashes: string[] = [];
    for (let nonce = 0; nonce < 6; nonce++)
      hashes.push((await l2.send("eth_sendRawTransaction", [await sign(nonce)])) as string);
    await (await r.rollup(1).depositETH(recipient, { value: parseEther("2") })).wait();
    await eventually("a first block on L1", async () => ((await r.rollup().headNumber()) >= 1n ? true : undefined));

    // More work in flight, then a crash without any shutdown.
    for (let nonce = 6; nonce < 12; nonce++)
      hashes.push((await l2.send("eth_sendRawTransaction", [await sign(nonce)])) as string);
    await (await r.rollup(2).depositETH(recipient, { value: parseEther("3") })).wait();
    await kill(running);
    l2.destroy();

    running = await rollup.spawnNode();
    l2 = new JsonRpcProvider(running.url, undefined, { staticNetwork: true, pollingInterval: 25 });
    try {
      for (const hash of hashes)
        await eventually(`receipt of ${hash}`, async () => (await l2.getTransactionReceipt(hash)) ?? undefined);
      const expected = 12n * 1_000n + parseEther("5");
      await eventually("both deposits on L2", async () =>
        (await l2.getBalance(recipient)) === expected ? true : undefined,
      );
      const head = BigInt(await l2.getBlockNumber());
      await eventually("L1 to accept the L2 head", async () =>
        (await r.rollup().headNumber()) >= head ? true : undefined,
      );
      const accepted = await r.rollup().headNumber();
      expect((await l2.getBlock(Number(accepted)))?.hash).to.equal(await r.rollup().headHash());
      const status = (await l2.send("rollup_status", [])) as Record<string, string>;
      expect(status.submitter).to.equal("running");
      expect(BigInt(status.pendingL1Messages as string)).to.equal(0n);
    } finally {
      l2.destroy();
    }
  });
});
