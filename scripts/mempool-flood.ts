/**
 * The L2 mempool under a flood of gapped nonces (`npx ts-node --transpile-only scripts/mempool-flood.ts`).
 *
 * Run with `node --expose-gc -r ts-node/register/transpile-only scripts/mempool-flood.ts` for a
 * heap figure after garbage collection. Opens a sequencer on a temporary data directory, sends `--count` (default 10,000) transfers
 * from one account with nonces 1..count (nonce 0 is never sent, so none is executable), then one
 * transfer from each of three other accounts, and produces a block. Prints how many of the flood
 * were admitted, the rejections by error, the pool (pending / queued), whether and how fast the
 * other senders' transactions were included, the process's heap, and the pool after a restart.
 * Figures for docs/design/mempool-and-block-budget.md.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

import { type TypedTransaction, createFeeMarket1559Tx } from "@ethereumjs/tx";
import { createAddressFromPrivateKey, hexToBytes } from "@ethereumjs/util";

import { createChainCommon } from "../rollup-node/chain/genesis";
import { l2Genesis, readL2BridgeRuntimeCode } from "../rollup-node/l2/genesis";
import { silentLogger } from "../rollup-node/logger";
import { Sequencer } from "../rollup-node/l2/sequencer";

const { values } = parseArgs({ args: process.argv.slice(2), options: { count: { type: "string", default: "10000" } } });
const COUNT = Number(values.count);
const CHAIN_ID = 901n;
const common = createChainCommon(CHAIN_ID);
const keys = [1, 2, 3, 4].map((i) => hexToBytes(`0x${i.toString(16).padStart(64, "0")}`));
const TO = "0x00000000000000000000000000000000000000aa";

function transfer(key: Uint8Array, nonce: bigint): TypedTransaction {
  return createFeeMarket1559Tx(
    {
      chainId: CHAIN_ID,
      nonce,
      maxFeePerGas: 10n ** 11n,
      maxPriorityFeePerGas: 10n ** 9n,
      gasLimit: 21_000n,
      to: TO,
      value: 1n,
    },
    { common },
  ).sign(key);
}

function heapMiB(): string {
  (globalThis as { gc?: () => void }).gc?.();
  return `${(process.memoryUsage().heapUsed / 1024 / 1024).toFixed(1)} MiB`;
}

/** Pooled transactions, queued ones included (an older sequencer without pooledTransactions counts the executable ones). */
function pooled(sequencer: Sequencer): number {
  const all = (sequencer as Partial<Pick<Sequencer, "pooledTransactions">>).pooledTransactions;
  return all === undefined ? sequencer.pendingTransactions().length : all.call(sequencer).length;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "mempool-flood-"));
  const alloc = Object.fromEntries(
    keys.map((k) => [createAddressFromPrivateKey(k).toString(), { balance: 10n ** 24n }]),
  );
  const genesis = l2Genesis({
    chainId: CHAIN_ID,
    timestamp: BigInt(Math.floor(Date.now() / 1000)) - 10n,
    bridgeCode: readL2BridgeRuntimeCode(),
    alloc,
  });
  try {
    let sequencer = await Sequencer.open({ dataDir: dir, genesis, logger: silentLogger });
    const [attacker, ...others] = keys as [Uint8Array, ...Uint8Array[]];
    const heapBefore = heapMiB();
    const errors = new Map<string, number>();
    let admitted = 0;
    let admissionMs = 0;
    // Signed one at a time and not kept: the heap figure is the node's, not this script's.
    for (let nonce = 1n; nonce <= BigInt(COUNT); nonce++) {
      const tx = transfer(attacker, nonce);
      tx.getSenderAddress();
      const started = performance.now();
      try {
        await sequencer.submitTransaction(tx);
        admitted++;
      } catch (error) {
        const message = (error as Error).message;
        errors.set(message, (errors.get(message) ?? 0) + 1);
      }
      admissionMs += performance.now() - started;
    }
    const heapAfter = heapMiB();
    console.log(
      `flood: ${COUNT} gapped transfers from one account; admission took ${(admissionMs / 1000).toFixed(1)} s (${(admissionMs / COUNT).toFixed(2)} ms each)`,
    );
    console.log(
      `  admitted ${admitted}; rejected ${[...errors].map(([m, n]) => `${n} × "${m}"`).join(", ") || "none"}`,
    );
    console.log(`  pool: ${pooled(sequencer)} pooled; heap ${heapBefore} → ${heapAfter}`);

    const honest = others.map((key) => transfer(key, 0n));
    const sent = performance.now();
    const refused: string[] = [];
    for (const tx of honest)
      await sequencer.submitTransaction(tx).catch((error: unknown) => refused.push((error as Error).message));
    const block = await sequencer.produceBlock();
    const included = honest.filter((tx) =>
      block.block.transactions.some((t) => Buffer.from(t.hash()).equals(Buffer.from(tx.hash()))),
    ).length;
    console.log(
      `others: ${included} of ${honest.length} transfers from other accounts included in the next block (${block.number}), ` +
        `${(performance.now() - sent).toFixed(0)} ms from first send to stored block${refused.length > 0 ? `; refused: ${refused.join(", ")}` : ""}`,
    );

    await sequencer.close();
    sequencer = await Sequencer.open({ dataDir: dir, genesis, logger: silentLogger });
    console.log(`restart: ${pooled(sequencer)} pooled after reopening the data directory`);
    await sequencer.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
