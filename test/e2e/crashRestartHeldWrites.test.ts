import { expect } from "chai";
import { JsonRpcProvider, Wallet, parseUnits } from "ethers";

import { type E2eRollup, eventually, startE2eRollup } from "./support/harness";
import { type NodeProcess, kill, spawnNode } from "./support/nodeProcess";

/**
 * Second pass on s23-capacity (attack-review-s23.md): a block's trie writes are held in memory
 * during its build (NodeCacheDB.holdWrites) and written in one batch before its record and head
 * pointer. The node is SIGKILLed while it builds big blocks, at several offsets into a burst (in
 * the build, in its release, in the record's write, between blocks), restarted each time on the
 * same data directory: no acknowledged transaction may be lost, the chain must link from genesis
 * to its head, the head's state must be readable and match the receipts, and L1 must accept it.
 */
describe("e2e: the L2 node killed while it builds blocks with held trie writes", function () {
  this.timeout(600_000);
  let r: E2eRollup;
  let running: NodeProcess | undefined;

  before(async () => {
    r = await startE2eRollup();
    await r.devnet.node.stop();
  });

  after(async () => {
    if (running !== undefined) await kill(running);
    await r?.stop();
  });

  it("loses no acknowledged transaction and leaves a linked chain with a readable head state after SIGKILLs mid-build", async () => {
    const senders = [5, 6, 7, 8].map((i) => new Wallet(r.devnet.accounts[i]?.privateKey as string));
    const nonces = senders.map(() => 0);
    const recipient = "0x00000000000000000000000000000000000c0ffe";
    const acknowledged: string[] = [];
    const PER_SENDER = 50;
    // Offsets (ms) after a burst is acknowledged at which the node is killed.
    const offsets = [0, 60, 150, 300, 500];
    for (const offset of offsets) {
      running = await spawnNode(r, 100);
      const l2 = new JsonRpcProvider(running.url, undefined, { staticNetwork: true, pollingInterval: 25 });
      try {
        const signed = await Promise.all(
          senders.flatMap((sender, s) =>
            Array.from({ length: PER_SENDER }, () =>
              sender.signTransaction({
                chainId: r.devnet.l2ChainId,
                nonce: nonces[s]++,
                to: recipient,
                value: 1n,
                gasLimit: 21_000n,
                maxFeePerGas: parseUnits("20", "gwei"),
                maxPriorityFeePerGas: 1n,
                type: 2,
              }),
            ),
          ),
        );
        for (const raw of signed) acknowledged.push((await l2.send("eth_sendRawTransaction", [raw])) as string);
        await new Promise((resolve) => setTimeout(resolve, offset));
      } finally {
        l2.destroy();
      }
      await kill(running);
      running = undefined;
    }

    running = await spawnNode(r, 100);
    const l2 = new JsonRpcProvider(running.url, undefined, { staticNetwork: true, pollingInterval: 25 });
    try {
      for (const hash of acknowledged)
        await eventually(
          `receipt of ${hash}`,
          async () => (await l2.getTransactionReceipt(hash)) ?? undefined,
          120_000,
        );
      for (const [s, sender] of senders.entries())
        expect(await l2.getTransactionCount(sender.address, "latest"), `nonce of sender ${s}`).to.equal(nonces[s]);
      expect(await l2.getBalance(recipient)).to.equal(BigInt(acknowledged.length));
      const head = await l2.getBlockNumber();
      let child = await l2.getBlock(head);
      for (let n = head - 1; n >= 0; n--) {
        const block = await l2.getBlock(n);
        expect(child?.parentHash, `block ${n + 1}'s parent`).to.equal(block?.hash);
        child = block;
      }
      // The head state is on disk: a proof of the recipient at the head walks it from the root.
      await l2.send("eth_getProof", [recipient, [], "latest"]);
      await eventually(
        "L1 to accept the L2 head",
        async () => ((await r.rollup().headNumber()) >= BigInt(head) ? true : undefined),
        120_000,
      );
      expect((await l2.getBlock(head))?.hash).to.equal(await r.rollup().headHash());
    } finally {
      l2.destroy();
    }
  });
});
