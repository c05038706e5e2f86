/**
 * Load test of the L2 RPC (`npm run load:l2 -- --seconds 60 --rate 50`).
 *
 * Starts the whole rollup in this process (L1 devnet, rollup contract, L2 node; ephemeral ports,
 * a temporary data directory), then sends signed ETH transfers to the L2 RPC at a fixed rate for
 * `--seconds` from `--senders` dev accounts (explicit nonces, round robin). Reports send errors
 * (expected none), transactions missing at the end, inclusion latency percentiles (from the send
 * to the first time the transaction is seen in an L2 block, i.e. when its receipt exists),
 * throughput, and this process's memory (RSS, heap) at start, after the first minute (warm-up:
 * caches and the JIT fill) and at the end, with the growth after the first minute (#14's target:
 * ≤ 10 % over a 10-minute run). A failed or timed-out RPC call is counted, never fatal: a load test
 * reports what went wrong under load instead of dying on it.
 * Other knobs: --block-time MS (L2 block time, default 200), --senders N (default 5).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

import { JsonRpcProvider, Wallet, parseUnits } from "ethers";

import { silentLogger } from "../rollup-node/logger";
import { startRollupDevnet } from "../rollup-node/devnet/rollupDevnet";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    seconds: { type: "string", default: "60" },
    rate: { type: "string", default: "50" },
    senders: { type: "string", default: "5" },
    "block-time": { type: "string", default: "200" },
  },
});
const SECONDS = Number(values.seconds);
const RATE = Number(values.rate);
const SENDERS = Number(values.senders);
const BLOCK_TIME_MS = Number(values["block-time"]);

/** Memory growth is measured from here on: the first minute fills caches and the JIT. */
const WARM_UP_MS = 60_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

function memory(): string {
  const m = process.memoryUsage();
  return `rss ${mib(m.rss)}, heapUsed ${mib(m.heapUsed)}, heapTotal ${mib(m.heapTotal)}`;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "rollup-load-"));
  const devnet = await startRollupDevnet({
    dataDir,
    l1Port: 0,
    l2Port: 0,
    l2BlockTimeMs: BLOCK_TIME_MS,
    l1PollMs: 100,
    logger: () => silentLogger,
  });
  const l2 = new JsonRpcProvider(devnet.l2Url, undefined, {
    staticNetwork: true,
    pollingInterval: 25,
    cacheTimeout: -1,
  });
  try {
    const startMemory = memory();
    console.log(`rollup up (L2 ${devnet.l2Url}, block time ${BLOCK_TIME_MS} ms); memory at start: ${startMemory}`);
    console.log(`sending ${RATE} tx/s for ${SECONDS} s from ${SENDERS} accounts`);
    const senders = devnet.accounts.slice(0, SENDERS).map((a) => new Wallet(a.privateKey));
    const nonces = await Promise.all(senders.map((s) => l2.getTransactionCount(s.address, "pending")));
    const sentAt = new Map<string, number>();
    const includedAt = new Map<string, number>();
    const errors: string[] = [];
    const trackerErrors: string[] = [];
    let sent = 0;
    let rssAfterWarmUp: number | undefined;
    let memoryAfterWarmUp = "";

    // Inclusion tracker: follows new L2 blocks and stamps each of our transactions when first seen.
    let tracking = true;
    let nextBlock = (await l2.getBlockNumber()) + 1;
    const tracker = (async () => {
      while (tracking) {
        try {
          const head = await l2.getBlockNumber();
          for (; nextBlock <= head; nextBlock++) {
            const block = await l2.getBlock(nextBlock);
            const now = Date.now();
            for (const hash of block?.transactions ?? [])
              if (sentAt.has(hash) && !includedAt.has(hash)) includedAt.set(hash, now);
          }
        } catch (error) {
          // The block is read again on the next round (nextBlock did not move past it).
          trackerErrors.push(`block ${nextBlock}: ${(error as Error).message}`);
        }
        await sleep(10);
      }
    })();

    const total = Math.round(RATE * SECONDS);
    const started = Date.now();
    const inflight: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      if (rssAfterWarmUp === undefined && Date.now() - started >= WARM_UP_MS) {
        rssAfterWarmUp = process.memoryUsage().rss;
        memoryAfterWarmUp = memory();
      }
      const due = started + (i * 1000) / RATE;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      const s = i % SENDERS;
      const wallet = senders[s] as Wallet;
      const nonce = nonces[s] as number;
      nonces[s] = nonce + 1;
      inflight.push(
        (async () => {
          const raw = await wallet.signTransaction({
            chainId: devnet.l2ChainId,
            nonce,
            to: "0x000000000000000000000000000000000000beef",
            value: 1n,
            gasLimit: 21_000n,
            maxFeePerGas: parseUnits("20", "gwei"),
            maxPriorityFeePerGas: 1n,
            type: 2,
          });
          const t = Date.now();
          try {
            const hash = (await l2.send("eth_sendRawTransaction", [raw])) as string;
            sentAt.set(hash, t);
            sent++;
          } catch (error) {
            errors.push(`${wallet.address} nonce ${nonce}: ${(error as Error).message}`);
          }
        })(),
      );
    }
    await Promise.all(inflight);
    const sendingDone = Date.now();
    const deadline = Date.now() + 60_000;
    while (includedAt.size < sentAt.size && Date.now() < deadline) await sleep(50);
    tracking = false;
    await tracker;
    const lastIncluded = Math.max(...includedAt.values());

    const latencies = [...includedAt].map(([hash, at]) => at - (sentAt.get(hash) as number)).sort((a, b) => a - b);
    const missing = sentAt.size - includedAt.size;
    console.log(`\n=== load:l2 results ===`);
    console.log(
      `sent ${sent} of ${total} in ${((sendingDone - started) / 1000).toFixed(1)} s (offered ${(sent / ((sendingDone - started) / 1000)).toFixed(1)} tx/s)`,
    );
    console.log(`send errors: ${errors.length}${errors.length > 0 ? ` (first: ${errors[0]})` : ""}`);
    console.log(
      `block tracker errors (retried): ${trackerErrors.length}${trackerErrors.length > 0 ? ` (first: ${trackerErrors[0]})` : ""}`,
    );
    console.log(`included: ${includedAt.size}, missing after 60 s grace: ${missing}`);
    console.log(
      `throughput (first send to last inclusion): ${(includedAt.size / ((lastIncluded - started) / 1000)).toFixed(1)} tx/s`,
    );
    console.log(
      `inclusion latency ms: p50 ${percentile(latencies, 50)}, p90 ${percentile(latencies, 90)}, p99 ${percentile(latencies, 99)}, max ${latencies[latencies.length - 1]}`,
    );
    console.log(`L2 head ${await l2.getBlockNumber()}`);
    console.log(`memory at start: ${startMemory}`);
    if (rssAfterWarmUp !== undefined) {
      const growth = ((process.memoryUsage().rss - rssAfterWarmUp) / rssAfterWarmUp) * 100;
      console.log(`memory at 1 min: ${memoryAfterWarmUp}`);
      console.log(`memory at end:   ${memory()} (RSS ${growth >= 0 ? "+" : ""}${growth.toFixed(1)} % since 1 min)`);
    } else console.log(`memory at end:   ${memory()} (the run was shorter than the 1-minute warm-up)`);
    if (errors.length > 0 || missing > 0) process.exitCode = 1;
  } finally {
    l2.destroy();
    await devnet.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
