import { expect } from "chai";
import { JsonRpcProvider, Wallet, parseUnits } from "ethers";

import { eventually } from "./support/harness";
import { generator } from "../support/seededRandom";
import { type NodeProcess, childNodeRollup, kill } from "./support/nodeProcess";

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/**
 * Kills per run. With the default seed, cycles 0-10 take every branch a cycle has: 1, 2 and 3
 * transactions, a deposit while the node runs (6, through each of the three depositing accounts),
 * a kill right after an L2 block and before its advance (5 tries; 11 of 11 tries were caught in
 * the last 22-kill run), a kill after a pause of 5-335 ms (6), a deposit queued while the node is
 * down (cycles 8 and 10). Cycles 11-21 took the same branches again at other points, ≈ 1.5 CPU s of
 * node restart each (docs/design/fast-tests.md, round 24); KILL_CYCLES=22 (or more) runs longer.
 */
const CYCLES = Number(process.env.KILL_CYCLES ?? 11);
const SEED = Number(process.env.KILL_SEED ?? 0x5eed);
const BLOCK_TIME_MS = 100;

/** Time a cycle may take: a node process restart (the node loaded from the cached transpile, rollup-node/tsLoader.js) and its work, on a loaded machine. */
const CYCLE_TIMEOUT_MS = 20_000;

describe("e2e: the L2 node SIGKILLed over and over at seeded random points", function () {
  // Scales with the cycles: each one restarts a node process, whose start-up is what a loaded machine slows.
  this.timeout(60_000 + CYCLES * CYCLE_TIMEOUT_MS);
  const rollup = childNodeRollup();

  it(`loses no acknowledged transaction, relays every L1 message exactly once, and ends with L1 and L2 heads agreeing (${CYCLES} kills, seed ${SEED})`, async () => {
    const r = rollup.r;
    let running: NodeProcess | undefined;
    const random = generator(SEED);
    const sender = new Wallet(r.devnet.accounts[5]?.privateKey as string);
    const txRecipient = "0x00000000000000000000000000000000000c0ffe";
    const depositRecipient = "0x000000000000000000000000000000000000d0d0";
    const sign = (nonce: number): Promise<string> =>
      sender.signTransaction({
        chainId: r.devnet.l2ChainId,
        nonce,
        to: txRecipient,
        value: 1_000n,
        gasLimit: 21_000n,
        maxFeePerGas: parseUnits("20", "gwei"),
        maxPriorityFeePerGas: 1n,
        type: 2,
      });
    const hashes: string[] = [];
    let nonce = 0;
    let deposited = 0n;
    let deposits = 0;
    let betweenCommitAndAdvance = 0;

    for (let cycle = 0; cycle < CYCLES; cycle++) {
      running = await rollup.spawnNode(BLOCK_TIME_MS);
      const l2 = new JsonRpcProvider(running.url, undefined, {
        staticNetwork: true,
        pollingInterval: 25,
        cacheTimeout: -1,
      });
      try {
        const txs = 1 + Math.floor(random() * 3);
        for (let i = 0; i < txs; i++) {
          hashes.push((await l2.send("eth_sendRawTransaction", [await sign(nonce)])) as string);
          nonce++;
        }
        if (random() < 0.4) {
          // Distinct amounts: a message relayed twice (or lost) shows in the final balance.
          const amount = 1_000_000n + BigInt(cycle);
          await (await r.rollup(1 + (cycle % 3)).depositETH(depositRecipient, { value: amount })).wait();
          deposited += amount;
          deposits++;
        }
        if (random() < 0.5) {
          // Kill right after a new L2 block is committed and before L1 accepted it.
          const caught = await (async () => {
            const deadline = Date.now() + 3_000;
            while (Date.now() < deadline) {
              const [l2Head, l1Head] = await Promise.all([l2.getBlockNumber(), r.rollup().headNumber()]);
              if (BigInt(l2Head) > l1Head) return true;
              await sleep(2);
            }
            return false;
          })();
          if (caught) betweenCommitAndAdvance++;
        } else {
          await sleep(Math.floor(random() * 400));
        }
      } finally {
        await kill(running);
        l2.destroy();
      }
      // Sometimes a message is queued while the node is down.
      if (random() < 0.2) {
        const amount = 2_000_000n + BigInt(cycle);
        await (await r.rollup(4).depositETH(depositRecipient, { value: amount })).wait();
        deposited += amount;
        deposits++;
      }
    }

    running = await rollup.spawnNode(BLOCK_TIME_MS);
    const l2 = new JsonRpcProvider(running.url, undefined, {
      staticNetwork: true,
      pollingInterval: 25,
      cacheTimeout: -1,
    });
    try {
      for (const hash of hashes) {
        const receipt = await eventually(
          `receipt of ${hash}`,
          async () => (await l2.getTransactionReceipt(hash)) ?? undefined,
          30_000,
        );
        expect(receipt.status).to.equal(1);
      }
      expect(await l2.getTransactionCount(sender.address)).to.equal(nonce);
      await eventually(
        `all ${deposits} deposits on L2`,
        async () => ((await l2.getBalance(depositRecipient)) === deposited ? true : undefined),
        30_000,
      );
      // Once quiet: L1 accepted the L2 head, with the same hash, and nothing is left pending.
      await sleep(1_000);
      const head = BigInt(await l2.getBlockNumber());
      await eventually(
        "L1 to accept the L2 head",
        async () => ((await r.rollup().headNumber()) === head ? true : undefined),
        30_000,
      );
      expect((await l2.getBlock(Number(head)))?.hash).to.equal(await r.rollup().headHash());
      expect(await l2.getBalance(depositRecipient)).to.equal(deposited);
      expect(await r.rollup().nextMessageIndex()).to.equal(await r.rollup().messageCount());
      const status = (await l2.send("rollup_status", [])) as Record<string, string>;
      expect(status.submitter).to.equal("running");
      expect(BigInt(status.pendingL1Messages as string)).to.equal(0n);
      console.log(
        `      ${CYCLES} kills (${betweenCommitAndAdvance} between an L2 block and its advance), ${hashes.length} txs, ${deposits} deposits, L2 head ${head}`,
      );
      expect(betweenCommitAndAdvance).to.be.greaterThan(0);
    } finally {
      l2.destroy();
    }
  });
});
