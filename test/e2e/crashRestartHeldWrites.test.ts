import { expect } from "chai";
import { JsonRpcProvider, Wallet, parseUnits } from "ethers";

import { eventually } from "./support/harness";
import { type NodeProcess, childNodeRollup, kill } from "./support/nodeProcess";

/** A burst's batch in bytes: 200 signed transfers of ≈ 230 hex characters each, with room to spare. */
const BATCH_MAX_BYTES = 1 << 20;

/**
 * Second pass on s23-capacity (attack-review-s23.md): a block's trie writes are held in memory
 * during its build (NodeCacheDB.holdWrites) and written in one batch before its record and head
 * pointer. The node is SIGKILLed while it builds big blocks, at several offsets into a burst (in
 * the build, in its release, in the record's write, between blocks), restarted each time on the
 * same data directory: no acknowledged transaction may be lost, the chain must link from genesis
 * to its head, the head's state must be readable and match the receipts, and L1 must accept it.
 */
/** A provider that sends up to `count` calls issued together as one JSON-RPC batch. */
function batchingProvider(url: string, count: number): JsonRpcProvider {
  return new JsonRpcProvider(url, undefined, {
    staticNetwork: true,
    pollingInterval: 25,
    batchMaxCount: count,
    batchMaxSize: BATCH_MAX_BYTES,
  });
}

describe("e2e: the L2 node killed while it builds blocks with held trie writes", function () {
  this.timeout(600_000);
  const rollup = childNodeRollup();

  it("loses no acknowledged transaction and leaves a linked chain with a readable head state after SIGKILLs mid-build", async () => {
    const r = rollup.r;
    let running: NodeProcess | undefined;
    const senders = [5, 6, 7, 8].map((i) => new Wallet(r.devnet.accounts[i]?.privateKey as string));
    const nonces = senders.map(() => 0);
    const recipient = "0x00000000000000000000000000000000000c0ffe";
    const acknowledged: string[] = [];
    const PER_SENDER = 50;
    const BURST = senders.length * PER_SENDER;
    // Offsets (ms) after a burst is acknowledged at which the node is killed.
    const offsets = [0, 60, 150, 300, 500];
    for (const offset of offsets) {
      running = await rollup.spawnNode(100);
      // The burst goes as one JSON-RPC batch (BURST calls issued together: ethers batches them),
      // so the node admits the 200 transactions back to back and builds them into ≈ 12 blocks
      // (62 for the five bursts, measured), bigger builds for the kill offsets to land in; sent
      // one request at a time they made ≈ 60 blocks of 3-4 transactions (298), each an advance
      // L1 simulates and executes (docs/design/fast-tests.md, round 24).
      const l2 = batchingProvider(running.url, BURST);
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
        const hashes = await Promise.all(signed.map((raw) => l2.send("eth_sendRawTransaction", [raw])));
        acknowledged.push(...(hashes as string[]));
        await new Promise((resolve) => setTimeout(resolve, offset));
      } finally {
        l2.destroy();
      }
      await kill(running);
    }

    running = await rollup.spawnNode(100);
    const l2 = batchingProvider(running.url, BURST);
    try {
      // Each sender's last acknowledged nonce mined, then every acknowledged hash's receipt (in
      // batches): a lost transaction leaves a gap its sender's later nonces cannot pass, or no receipt.
      for (const [s, sender] of senders.entries())
        await eventually(
          `sender ${s}'s ${nonces[s]} transactions mined`,
          async () =>
            (await l2.getTransactionCount(sender.address, "latest")) >= (nonces[s] as number) ? true : undefined,
          120_000,
        );
      const receipts = await Promise.all(acknowledged.map((hash) => l2.getTransactionReceipt(hash)));
      for (const [i, receipt] of receipts.entries())
        expect(receipt?.status, `receipt of ${acknowledged[i]}`).to.equal(1);
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
      console.log(`      ${acknowledged.length} transactions, ${offsets.length} kills, L2 head ${head}`);
    } finally {
      l2.destroy();
    }
  });
});
