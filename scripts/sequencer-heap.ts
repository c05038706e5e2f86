/**
 * The sequencer's live heap over many blocks, without the RPC, the submitter or the L1 (#14,
 * docs/design/memory-bounds.md, round 31): a growth of the node that does not stop shows here as
 * `heapUsed` or `external` rising with the blocks once the 64-block window and the trie node cache
 * (bounded at 1 MiB here, so that it is full from the first blocks) are full.
 * Usage: node --expose-gc -r ts-node/register/transpile-only scripts/sequencer-heap.ts [blocks=700] [txsPerBlock=20]
 * (the load:l2 workload's shape: five senders paying one account). Every 100 blocks it collects
 * garbage and prints the live heap, external memory and what the chain holds.
 */
import { createChainCommon } from "../rollup-node/chain/genesis";
import { TestSigner } from "../tools/l2Fixtures";
import { openScratchSequencer, runScript } from "./scratchSequencer";

const BLOCKS = Number(process.argv[2] ?? 700);
const TXS_PER_BLOCK = Number(process.argv[3] ?? 20);
const SENDERS = 5;
const CHAIN_ID = 31_337_777n;
const RECIPIENT = "0x000000000000000000000000000000000000beef";
const NODE_CACHE_BYTES = 1024 * 1024;

const collectGarbage = (globalThis as { gc?: () => void }).gc;

async function main(): Promise<void> {
  if (collectGarbage === undefined) throw new Error("run with node --expose-gc: the figures are live heaps");
  const common = createChainCommon(CHAIN_ID);
  const signers = Array.from({ length: SENDERS }, (_, i) => TestSigner.fromSeed(100 + i, common));
  const { sequencer, close } = await openScratchSequencer({
    chainId: CHAIN_ID,
    signers,
    genesisAgeSeconds: 10_000_000n,
    nodeCacheBytes: NODE_CACHE_BYTES,
  });
  const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(2);
  try {
    let timestamp = sequencer.chain.head.header.timestamp;
    for (let block = 1; block <= BLOCKS; block++) {
      for (let i = 0; i < TXS_PER_BLOCK; i++)
        await sequencer.submitTransaction(
          (signers[i % SENDERS] as TestSigner).tx({ to: RECIPIENT, value: 1n, gasLimit: 21_000n }),
        );
      timestamp += 1n;
      await sequencer.produceBlock({ timestamp });
      if (block % 100 !== 0) continue;
      collectGarbage();
      const m = process.memoryUsage();
      const held = sequencer.chain.heldInMemory;
      console.log(
        `block ${block}: live heap ${mib(m.heapUsed)}, external ${mib(m.external)} (arrayBuffers ${mib(m.arrayBuffers)}), rss ${mib(m.rss)} MiB | ` +
          `blocks held ${held.blocks}, index entries ${held.indexEntries}, node cache ${mib(held.nodeCacheBytes)} MiB`,
      );
    }
  } finally {
    await close();
  }
}

runScript(main);
