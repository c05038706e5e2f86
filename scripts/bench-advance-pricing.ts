/**
 * What pricing an `advance` costs the batch submitter (`npm run bench:advance-pricing`): the same
 * L2 blocks submitted to a fresh in-process L1 devnet (real EXECUTE) with the gas limit derived
 * (rollup-node/bridge/advanceGas.ts: one simulation at that limit) and, as the baseline, with
 * L1's eth_estimateGas (its binary search re-runs the whole transaction, EXECUTE included, at
 * every step). Reports per accepted block: EXECUTE runs (tools/countedExecute.ts), the process's CPU time (the L1
 * devnet runs in this process, so this is the submitter's work plus the L1 node's, EXECUTE
 * included: what the submitter makes L1 do), wall time, and the gas limit against the gas used.
 * Knobs: BENCH_BLOCKS (default 6), BENCH_TXS_PER_BLOCK (default 20), BENCH_PRICING
 * (derived | estimate | both, default both), BENCH_EXECUTE_MEMO (off | on | both, default off:
 * EXECUTE with or without its result memo, docs/design/execute-result-memo.md; both alternates
 * them), BENCH_ROUNDS (default 1: how many times the whole set runs, for same-run ratios).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";

import { bytesToHex } from "@ethereumjs/util";
import { JsonRpcProvider, Wallet, parseEther } from "ethers";

import { deployRollup } from "../deploy/rollup";
import { AdvanceSubmitter } from "../rollup-node/bridge/advanceSubmitter";
import type { BatchSubmitterConfig } from "../rollup-node/bridge/submissionLoop";
import { createChainCommon } from "../rollup-node/chain/genesis";
import { startL1Devnet } from "../rollup-node/devnet/l1Devnet";
import { l2Genesis, readL2BridgeRuntimeCode } from "../rollup-node/l2/genesis";
import { Sequencer } from "../rollup-node/l2/sequencer";
import { type Logger, silentLogger } from "../rollup-node/logger";
import { devNodeKeys } from "../rollup-node/node/keys";
import { countedExecute } from "../tools/countedExecute";
import { TestSigner } from "../tools/l2Fixtures";

const BLOCKS = Number(process.env.BENCH_BLOCKS ?? 6);
const TXS_PER_BLOCK = Number(process.env.BENCH_TXS_PER_BLOCK ?? 20);
const PRICING = process.env.BENCH_PRICING ?? "both";
const MEMO = process.env.BENCH_EXECUTE_MEMO ?? "off";
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const L2_CHAIN_ID = 783n;

/** The baseline: every advance priced by L1's estimate plus ADVANCE_GAS_MARGIN, as before the derivation. */
class EstimatingSubmitter extends AdvanceSubmitter {
  constructor(config: BatchSubmitterConfig) {
    super(config, undefined);
    this.derivationShort = true;
  }
}

async function run(pricing: "derived" | "estimate", memo: boolean, sequencer: Sequencer): Promise<void> {
  const keys = devNodeKeys();
  const execute = countedExecute({ memo: memo ? {} : false });
  const l1 = await startL1Devnet({
    port: 0,
    alloc: { [keys.sequencer.address]: { balance: parseEther("1000") } },
    executePrecompile: execute.precompile,
  });
  const provider = new JsonRpcProvider(l1.url, undefined, {
    staticNetwork: true,
    pollingInterval: 10,
    cacheTimeout: -1,
  });
  try {
    const signer = new Wallet(keys.sequencer.privateKey, provider);
    const genesis = sequencer.chain.resolveBlock(0n).block.header;
    const { address } = await deployRollup(signer, {
      l2ChainId: L2_CHAIN_ID,
      genesisBlockHash: bytesToHex(genesis.hash()),
      genesisStateRoot: bytesToHex(genesis.stateRoot),
      genesisSupply: 0n,
      sequencer: keys.sequencer.address,
    });
    // The submitter's warnings (retries, a fallback to L1's estimate) explain a figure: printed.
    const logger: Logger = {
      ...silentLogger,
      warn: (message: string) => console.log(`  [${pricing}] ${message.slice(0, 300)}`),
      error: (message: string) => console.log(`  [${pricing}] ${message.slice(0, 300)}`),
    };
    const config: BatchSubmitterConfig = { sequencer, rollupAddress: address, signer, logger };
    const submitter =
      pricing === "estimate" ? new EstimatingSubmitter(config) : new AdvanceSubmitter(config, undefined);
    const runsBefore = execute.runs();
    const cpu = process.cpuUsage();
    const started = Date.now();
    try {
      submitter.start();
      await submitter.waitForAccepted(BigInt(BLOCKS), 600_000);
    } finally {
      await submitter.stop();
    }
    const wallMs = Date.now() - started;
    const { user, system } = process.cpuUsage(cpu);
    let limits = 0n;
    let used = 0n;
    let minMargin: bigint | undefined;
    for (const accepted of submitter.accepted) {
      const tx = await provider.getTransaction(accepted.l1TransactionHash);
      const limit = tx?.gasLimit ?? 0n;
      limits += limit;
      used += accepted.l1GasUsed;
      const margin = limit - accepted.l1GasUsed;
      if (minMargin === undefined || margin < minMargin) minMargin = margin;
    }
    const n = submitter.accepted.length;
    console.log(
      `${pricing.padEnd(8)} memo ${memo ? "on " : "off"} ${n} blocks of ${TXS_PER_BLOCK} transfers: EXECUTE runs ${((execute.runs() - runsBefore) / n).toFixed(2)} per block, ` +
        `CPU ${((user + system) / 1000 / n).toFixed(0)} ms per block (process, L1 included), wall ${(wallMs / n).toFixed(0)} ms per block, ` +
        `gas limit ${limits / BigInt(n)} vs used ${used / BigInt(n)} per block (margin ${(limits - used) / BigInt(n)} mean, ${minMargin} least); ` +
        `load average ${loadavg()
          .map((l) => l.toFixed(1))
          .join(" ")}`,
    );
  } finally {
    provider.destroy();
    await l1.stop();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "bench-advance-pricing-"));
  const alice = TestSigner.fromSeed(3, createChainCommon(L2_CHAIN_ID));
  const sequencer = await Sequencer.open({
    dataDir: dir,
    genesis: l2Genesis({
      chainId: L2_CHAIN_ID,
      timestamp: BigInt(Math.floor(Date.now() / 1000)) - 10n,
      bridgeCode: readL2BridgeRuntimeCode(),
      alloc: { [alice.address.toString()]: { balance: parseEther("1000") } },
    }),
    logger: silentLogger,
  });
  try {
    for (let b = 0; b < BLOCKS; b++) {
      for (let i = 0; i < TXS_PER_BLOCK; i++) {
        const to = `0x${(0x100000 + b * 1000 + i).toString(16).padStart(40, "0")}`;
        await sequencer.submitTransaction(alice.tx({ to, value: 1n }));
      }
      await sequencer.produceBlock();
    }
    const runs: ("derived" | "estimate")[] = PRICING === "both" ? ["estimate", "derived"] : [PRICING as "derived"];
    const memos = MEMO === "both" ? [false, true] : [MEMO === "on"];
    for (let round = 0; round < ROUNDS; round++)
      for (const pricing of runs) for (const memo of memos) await run(pricing, memo, sequencer);
  } finally {
    await sequencer.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
