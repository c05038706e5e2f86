/**
 * Benchmark of transaction admission (`npx ts-node --transpile-only scripts/bench-admission.ts`):
 * what `eth_sendRawTransaction` does in the sequencer (decode, sender recovery, the mempool's
 * checks against the head state, the journal write), without HTTP, so that only the node's own
 * admission path is timed. Two phases on a fresh sequencer with no L1:
 *
 * 1. admission alone: BENCH_STREAMS concurrent streams, each sending its sender's transactions
 *    in nonce order (as `bench:rollup` does over HTTP);
 * 2. admission while blocks are produced back to back (the pool lock is then shared with block
 *    building), counting the transactions admitted per second.
 *
 * It prints tx/s for both. To compare two commits, run it on both alternately (the machine's load
 * moves, so only ratios from interleaved runs mean anything). Knobs: BENCH_TXS (default 2000),
 * BENCH_STREAMS (default 10); BENCH_ALONE_ONLY=1 produces no blocks in phase 2 (a second run of phase 1).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { bytesToHex } from "@ethereumjs/util";

import { createChainCommon } from "../rollup-node/chain/genesis";
import { l2Genesis, readL2BridgeRuntimeCode } from "../rollup-node/l2/genesis";
import { decodeRawTransaction } from "../rollup-node/l2/rawTransaction";
import { Sequencer } from "../rollup-node/l2/sequencer";
import { silentLogger } from "../rollup-node/logger";
import { TestSigner } from "../tools/l2Fixtures";

const CHAIN_ID = 901n;
const TXS = Number(process.env.BENCH_TXS ?? 2000);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 10);
const GENESIS_TIME = 1_800_000_000n;

/** Raw signed transfers: `perSender[s]` holds sender s's transactions in nonce order. */
function workload(senders: readonly TestSigner[], count: number): Uint8Array[][] {
  const perSender: Uint8Array[][] = senders.map(() => []);
  for (let i = 0; i < count; i++) {
    const s = i % senders.length;
    const tx = (senders[s] as TestSigner).tx({
      to: `0x${(0x10000 + i).toString(16).padStart(40, "0")}`,
      value: 1n,
      gasLimit: 21_000n,
    });
    (perSender[s] as Uint8Array[]).push(tx.serialize());
  }
  return perSender;
}

async function open(dataDir: string, seeds: readonly number[]): Promise<Sequencer> {
  const common = createChainCommon(CHAIN_ID);
  const alloc: Record<string, { balance: bigint }> = {};
  for (const seed of seeds) alloc[TestSigner.fromSeed(seed, common).address.toString()] = { balance: 10n ** 24n };
  let now = GENESIS_TIME + 100n;
  return Sequencer.open({
    dataDir,
    genesis: l2Genesis({ chainId: CHAIN_ID, timestamp: GENESIS_TIME, bridgeCode: readL2BridgeRuntimeCode(), alloc }),
    logger: silentLogger,
    now: () => now++,
  });
}

/** Sends every stream's transactions as eth_sendRawTransaction would; resolves to the seconds taken. */
async function admit(sequencer: Sequencer, perSender: readonly Uint8Array[][]): Promise<number> {
  const started = performance.now();
  await Promise.all(
    perSender.map(async (raws) => {
      for (const raw of raws) await sequencer.submitTransaction(decodeRawTransaction(raw, sequencer.chain.common));
    }),
  );
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "bench-admission-"));
  const seeds = Array.from({ length: STREAMS * 2 }, (_, i) => 5000 + i);
  const sequencer = await open(dir, seeds);
  try {
    const common = sequencer.chain.common;
    const first = workload(
      seeds.slice(0, STREAMS).map((seed) => TestSigner.fromSeed(seed, common)),
      TXS,
    );
    const second = workload(
      seeds.slice(STREAMS).map((seed) => TestSigner.fromSeed(seed, common)),
      TXS,
    );
    // Warm-up: JIT and the state's first reads.
    await sequencer.submitTransaction(decodeRawTransaction((first[0] as Uint8Array[])[0] as Uint8Array, common));
    (first[0] as Uint8Array[]).shift();
    const aloneSeconds = await admit(sequencer, first);
    const alone = (TXS - 1) / aloneSeconds;

    // Phase 2: blocks produced back to back while the second workload arrives.
    let producing = process.env.BENCH_ALONE_ONLY !== "1";
    let blocks = 0;
    const production = (async () => {
      while (producing) {
        await sequencer.produceBlock({});
        blocks++;
      }
    })();
    const duringSeconds = await admit(sequencer, second);
    producing = false;
    await production;
    const during = TXS / duringSeconds;
    console.log(
      `admission, ${TXS} transfers from ${STREAMS} concurrent senders, node ${process.version}, head ${bytesToHex(sequencer.chain.head.hash()).slice(0, 10)}…`,
    );
    console.table([
      { phase: "admission alone", "tx/s": Number(alone.toFixed(0)), seconds: Number(aloneSeconds.toFixed(2)) },
      {
        phase: `while producing blocks (${blocks} blocks)`,
        "tx/s": Number(during.toFixed(0)),
        seconds: Number(duringSeconds.toFixed(2)),
      },
    ]);
  } finally {
    await sequencer.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
