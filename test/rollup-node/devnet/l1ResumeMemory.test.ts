import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { DEFAULT_ARCHIVE_CACHE_BLOCKS, DEFAULT_RECENT_BLOCKS } from "../../../rollup-node/chain/blockStore";
import { DEFAULT_L1_RESOURCE_LIMITS, startL1Thread, startStoredL1 } from "../../../rollup-node/devnet/l1Thread";

/** Blocks mined before the restart: 2.5 times the 80 the chain keeps in memory. */
const BLOCKS = 200;
/** LOG0s each block's one transaction emits: its receipt decodes to thousands of small objects. */
const LOGS_PER_BLOCK = 1000;
/**
 * The resumed L1 thread's old generation (MiB): above what the thread needs with its newest
 * blocks in memory, below what the whole history takes decoded at once (a resume that decoded it
 * all into one array ended the thread: "Worker terminated due to reaching memory limit: JS heap
 * out of memory"). Measured on these 200 blocks (docs/design/fast-tests.md, round 29b): the
 * one-at-a-time resume passed at 64 MiB, the one-array resume ended the thread at 128 and passed
 * at 160; 96 is half as much again as 64 and a quarter below 128, for a quarter of the logs
 * 400 blocks of 2,000 took.
 */
const OLD_GENERATION_MB = 96;

/** Init code that emits `count` empty LOG0s and deploys nothing (a loop: PUSH2 count; JUMPDEST; … JUMPI). */
function logLoopInitCode(count: number): string {
  const n = count.toString(16).padStart(4, "0");
  // PUSH2 n | 3: JUMPDEST PUSH0 PUSH0 LOG0 PUSH1 1 SWAP1 SUB DUP1 PUSH1 3 JUMPI | STOP
  return `0x61${n}5b5f5fa060019003806003570000`;
}

/**
 * A devnet restarted on its data directory resumes its L1 chain from the stored blocks. Decoding
 * them all into one array before the chain took them held the whole history in memory at every
 * start (a rollup devnet's L1 carries each L2 block and its witness in calldata: a day's history
 * does not fit); read one block at a time, the chain keeps its newest and lets the rest go.
 */
describe("L1 devnet resume: the stored history is not all in memory at once", function () {
  this.timeout(900_000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "l1-resume-memory-"));
  });

  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it(`an L1 thread whose old generation is ${OLD_GENERATION_MB} MiB resumes ${BLOCKS} blocks of ${LOGS_PER_BLOCK} logs each and serves the oldest`, async () => {
    const first = await startStoredL1({ devnet: { port: 0 }, directory: dir, reset: true });
    const from = first.devnet.accounts[0]?.address as string;
    const data = logLoopInitCode(LOGS_PER_BLOCK);
    const hashes: string[] = [];
    try {
      for (let n = 0; n < BLOCKS; n++)
        hashes.push(
          (await first.devnet.provider.request({
            method: "eth_sendTransaction",
            params: [{ from, data, gas: "0x100000" }],
          })) as string,
        );
      expect(first.devnet.chain.headNumber).to.equal(BigInt(BLOCKS));
      expect(first.devnet.chain.heldInMemory.blocks).to.be.at.most(
        DEFAULT_RECENT_BLOCKS + DEFAULT_ARCHIVE_CACHE_BLOCKS,
      );
    } finally {
      await first.stop();
    }

    const deaths: Error[] = [];
    const l1 = await startL1Thread({
      thread: "worker",
      devnet: { port: 0 },
      directory: dir,
      reset: false,
      resourceLimits: { ...DEFAULT_L1_RESOURCE_LIMITS, maxOldGenerationSizeMb: OLD_GENERATION_MB },
      onDeath: (error) => deaths.push(error),
    });
    try {
      expect(l1.startHead).to.equal(BigInt(BLOCKS));
      const heap = await l1.heapStatistics();
      expect(heap.blocks_in_memory).to.be.at.most(DEFAULT_RECENT_BLOCKS + DEFAULT_ARCHIVE_CACHE_BLOCKS);
      const rpc = async (method: string, params: unknown[]): Promise<unknown> => {
        const response = await fetch(l1.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
        });
        return ((await response.json()) as { result: unknown }).result;
      };
      // The oldest block, its transaction and its logs come back from the disk after the restart.
      const block = (await rpc("eth_getBlockByNumber", ["0x1", true])) as {
        transactions: { hash: string; input: string }[];
      };
      expect(block.transactions.map((tx) => tx.hash)).to.deep.equal([hashes[0]]);
      expect(block.transactions[0]?.input).to.equal(data);
      const receipt = (await rpc("eth_getTransactionReceipt", [hashes[0]])) as { status: string; logs: unknown[] };
      expect(receipt.status).to.equal("0x1");
      expect(receipt.logs).to.have.length(LOGS_PER_BLOCK);
      const logs = (await rpc("eth_getLogs", [{ fromBlock: "0x1", toBlock: "0x2" }])) as unknown[];
      expect(logs).to.have.length(2 * LOGS_PER_BLOCK);
      expect(deaths).to.deep.equal([]);
    } finally {
      await l1.stop();
    }
  });
});
