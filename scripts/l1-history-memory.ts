/**
 * What an L1 devnet keeps in memory per mined block (docs/design/memory-bounds.md, round 28):
 * `node --expose-gc -r ts-node/register/transpile-only scripts/l1-history-memory.ts [blocks]
 * [calldata KiB]`. Mines `blocks` blocks (default 300), each with one transaction carrying
 * `calldata KiB` (default 128) of random calldata, as a rollup devnet's L1 carries each L2 block
 * and its witness, on two L1 devnets in turn: one with a data directory (its l1Store is the
 * chain's archive, as in `npm run devnet`) and one without (every block stays in memory). Every
 * 50 blocks it prints, after a full collection, the live heap, external memory, the blocks the
 * chain holds and its trie node cache (bounded); at the end, the growth per block from block 100 on. Memory after a full
 * collection does not depend on how fast the machine is, so a loaded machine gives the same figures.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import type { L1Devnet } from "../rollup-node/devnet/l1Devnet";
import { startL1Devnet } from "../rollup-node/devnet/l1Devnet";
import { startStoredL1 } from "../rollup-node/devnet/l1Thread";

const BLOCKS = Number(process.argv[2] ?? "300");
const CALLDATA_KIB = Number(process.argv[3] ?? "128");
/** Growth is measured from here on: the newest-blocks window (64 + 16) is full by then. */
const FROM_BLOCK = 100;
const EVERY = 50;

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with node --expose-gc (see the header)");

interface Sample {
  readonly block: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly blocksHeld: number;
  /** The chain's trie node cache (bounded, DEFAULT_NODE_CACHE_BYTES): inside `heapUsed` and `external`. */
  readonly nodeCache: number;
}

const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);

function sample(devnet: L1Devnet, block: number): Sample {
  (gc as () => void)();
  const m = process.memoryUsage();
  const held = devnet.chain.heldInMemory;
  return { block, heapUsed: m.heapUsed, external: m.external, blocksHeld: held.blocks, nodeCache: held.nodeCacheBytes };
}

async function mine(label: string, devnet: L1Devnet): Promise<void> {
  const from = devnet.accounts[0]?.address as string;
  const samples: Sample[] = [];
  for (let n = 1; n <= BLOCKS; n++) {
    const data = `0x${randomBytes(CALLDATA_KIB * 1024).toString("hex")}`;
    await devnet.provider.request({
      method: "eth_sendTransaction",
      params: [{ from, to: from, data, gas: "0xf00000" }],
    });
    if (n % EVERY === 0 || n === FROM_BLOCK) {
      const s = sample(devnet, n);
      samples.push(s);
      console.log(
        `${label} block ${n}: heap used ${mib(s.heapUsed)} MiB, external ${mib(s.external)} MiB, blocks held ${s.blocksHeld}, node cache ${mib(s.nodeCache)} MiB`,
      );
    }
  }
  const first = samples.find((s) => s.block === FROM_BLOCK) as Sample;
  const last = samples[samples.length - 1] as Sample;
  const blocks = last.block - first.block;
  const kib = (bytes: number): string => (bytes / 1024 / blocks).toFixed(1);
  console.log(
    `${label}: from block ${first.block} to ${last.block}, per block: heap used ${kib(last.heapUsed - first.heapUsed)} KiB, ` +
      `external ${kib(last.external - first.external)} KiB, of both the node cache ${kib(last.nodeCache - first.nodeCache)} KiB ` +
      `(calldata ${CALLDATA_KIB} KiB a block)`,
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "l1-history-memory-"));
  try {
    const stored = await startStoredL1({ devnet: { port: 0 }, directory: dir, reset: true });
    try {
      await mine("with a data directory", stored.devnet);
    } finally {
      await stored.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const inMemory = await startL1Devnet({ http: false });
  try {
    await mine("without a data directory", inMemory);
  } finally {
    await inMemory.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
