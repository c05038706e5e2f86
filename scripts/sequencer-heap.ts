/**
 * The sequencer's live heap over many blocks, without the RPC, the submitter or the L1 (#14,
 * docs/design/memory-bounds.md, round 31): a growth of the node that does not stop shows here as
 * `heapUsed` or `external` rising with the blocks once the 64-block window and the trie node cache
 * (bounded at 1 MiB here, so that it is full from the first blocks) are full.
 * Usage: node --expose-gc -r ts-node/register/transpile-only scripts/sequencer-heap.ts [blocks=700] [txsPerBlock=20]
 * (the load:l2 workload's shape: five senders paying one account). Every 100 blocks it collects
 * garbage and prints the live heap, external memory and what the chain holds.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { maxVerifiableL2GasLimit } from "../precompiles";
import { createChainCommon } from "../rollup-node/chain/genesis";
import { l2Genesis, readL2BridgeRuntimeCode } from "../rollup-node/l2/genesis";
import { Sequencer } from "../rollup-node/l2/sequencer";
import { silentLogger } from "../rollup-node/logger";
import { TestSigner } from "../tools/l2Fixtures";

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
  const dir = mkdtempSync(path.join(tmpdir(), "sequencer-heap-"));
  const sequencer = await Sequencer.open({
    dataDir: dir,
    genesis: l2Genesis({
      chainId: CHAIN_ID,
      gasLimit: maxVerifiableL2GasLimit(),
      // Far enough back that a block a second never runs ahead of the clock.
      timestamp: BigInt(Math.floor(Date.now() / 1000)) - 10_000_000n,
      bridgeCode: readL2BridgeRuntimeCode(),
      alloc: Object.fromEntries(signers.map((s) => [s.address.toString(), { balance: 10n ** 24n }])),
    }),
    now: () => BigInt(Math.floor(Date.now() / 1000)),
    logger: silentLogger,
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
    await sequencer.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
