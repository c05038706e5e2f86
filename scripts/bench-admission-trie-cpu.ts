/**
 * Stop 24's two cuts measured in one process, each against upstream's path, alternated in pairs
 * (CPU time by process.cpuUsage): on a loaded machine separate runs of the sequencer bench move
 * ±15 %, more than either cut (docs/design/l2-throughput.md, "Stop 24").
 *   1. Admission: a raw transfer decoded and its sender asked for seven times (the mempool's checks
 *      and index, the builder's selection, runTx): upstream's decode (createTxFromRLP, the sender
 *      recovered once) against `decodeRawTransaction`, whose transaction remembers its address.
 *   2. The chain's state trie: 80 account reads and writes a block (a block of 60 transfers' flush)
 *      on a trie of 20,000 accounts, upstream's `MerklePatriciaTrie` against `createChainTrie`.
 * Usage: npx ts-node --transpile-only scripts/bench-admission-trie-cpu.ts
 */
import { createHash } from "node:crypto";
import os from "node:os";

import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { type TypedTransaction, createTxFromRLP } from "@ethereumjs/tx";
import { MapDB, ValueEncoding } from "@ethereumjs/util";

import { type StoredValue, prepareCrypto } from "../precompiles";
import { createChainTrie } from "../rollup-node/chain/chainTrie";
import { createChainCommon } from "../rollup-node/chain/genesis";
import { decodeRawTransaction } from "../rollup-node/l2/rawTransaction";
import { TestSigner } from "../tools/l2Fixtures";

const PAIRS = 6;
const TRANSFERS = 1000;
const SENDER_ASKS = 7;
const ACCOUNTS = 20_000;
const TOUCHED_PER_BLOCK = 80;
const BLOCKS_PER_SAMPLE = 10;

const cpuMs = async (work: () => Promise<void> | void): Promise<number> => {
  const before = process.cpuUsage();
  await work();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
};

/** `work` for each of `base` and `branch`, alternated PAIRS times after one warm-up each. */
async function alternated(base: () => Promise<void> | void, branch: () => Promise<void> | void): Promise<string> {
  await base();
  await branch();
  const pairs: [number, number][] = [];
  for (let i = 0; i < PAIRS; i++) pairs.push([await cpuMs(base), await cpuMs(branch)]);
  const mean = (k: 0 | 1): number => pairs.reduce((sum, pair) => sum + pair[k], 0) / pairs.length;
  const ratios = pairs.map(([a, b]) => (b / a).toFixed(2)).join(" ");
  return `upstream ${mean(0).toFixed(1)} ms, branch ${mean(1).toFixed(1)} ms, ratio ${(mean(1) / mean(0)).toFixed(2)} (pairs ${ratios}; load ${os.loadavg()[0]?.toFixed(1)})`;
}

/** A 32-byte hash of a few numbers: keys and values for the trie (any hash will do). */
const hashOf = (...numbers: number[]): Uint8Array =>
  new Uint8Array(
    createHash("sha256")
      .update(Uint8Array.from(numbers.flatMap((n) => [n & 255, n >> 8])))
      .digest(),
  );

async function main(): Promise<void> {
  await prepareCrypto();
  const common = createChainCommon(31_337_777n);
  const signer = TestSigner.fromSeed(100, common);
  const raws = Array.from({ length: TRANSFERS }, (_, i) =>
    signer.tx({ to: `0x${(0x20000 + i).toString(16).padStart(40, "0")}`, value: 1n, gasLimit: 21_000n }).serialize(),
  );
  const admit = (decode: (raw: Uint8Array) => TypedTransaction) => (): void => {
    for (const raw of raws) {
      const tx = decode(raw);
      for (let k = 0; k < SENDER_ASKS; k++) tx.getSenderAddress();
    }
  };
  const upstreamDecode = (raw: Uint8Array): TypedTransaction => {
    const tx = createTxFromRLP(raw, { common });
    tx.getSenderPublicKey();
    return tx;
  };
  console.log(
    `admission, ${TRANSFERS} transfers decoded, sender asked ${SENDER_ASKS}× each: ` +
      (await alternated(
        admit(upstreamDecode),
        admit((raw) => decodeRawTransaction(raw, common)),
      )),
  );

  const opts = { useKeyHashing: true, valueEncoding: ValueEncoding.Bytes, common } as const;
  const upstream = new MerklePatriciaTrie({ ...opts, db: new MapDB<string, StoredValue>() });
  const chain = createChainTrie({ ...opts, db: new MapDB<string, StoredValue>() });
  for (const trie of [upstream, chain])
    for (let i = 0; i < ACCOUNTS; i++)
      await trie.put(hashOf(i).subarray(0, 20), hashOf(i, 1).subarray(0, 30 + (i % 40)));
  let block = 0;
  const blocks = (trie: MerklePatriciaTrie) => async (): Promise<void> => {
    for (let b = 0; b < BLOCKS_PER_SAMPLE; b++, block++)
      for (let j = 0; j < TOUCHED_PER_BLOCK; j++) {
        const key = hashOf((block * TOUCHED_PER_BLOCK + j) % ACCOUNTS).subarray(0, 20);
        await trie.get(key);
        await trie.put(key, hashOf(block, j, 2));
      }
  };
  console.log(
    `state trie, ${BLOCKS_PER_SAMPLE} blocks of ${TOUCHED_PER_BLOCK} account reads and writes on ${ACCOUNTS} accounts: ` +
      (await alternated(blocks(upstream), blocks(chain))),
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
