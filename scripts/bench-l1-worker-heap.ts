/**
 * EXECUTE on a heavy valid block (the SSTORE loop of tools/witnessShapes.ts) inside a worker
 * thread with the L1 worker's resource limits (DEFAULT_L1_RESOURCE_LIMITS) and with V8's defaults,
 * alternated in one run: the verdict, how the thread ended, its peak heap (sampled every 20 ms on
 * the thread, which EXECUTE's pacing lets run) and its CPU time
 * (`HEAP_LOOP_GAS=4000000 npx ts-node --transpile-only scripts/bench-l1-worker-heap.ts`;
 * docs/design/attack-review-s23.md, second pass).
 */
// First: as in the L1 worker, before EXECUTE (snarkjs's web-worker) loads.
import "../rollup-node/devnet/webWorkerGuard";

import os from "node:os";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { getHeapStatistics } from "node:v8";

import { createExecutePrecompile, decodeExecuteInvalid } from "../precompiles";
import { DEFAULT_L1_RESOURCE_LIMITS } from "../rollup-node/devnet/l1Thread";
import { typescriptLoader } from "../rollup-node/cli";
import { blockExecuteCall, callExecute } from "../tools/executeCall";
import { shapedBlock } from "../tools/witnessShapes";

const CHAIN_ID = 905n;
const LOOP_GAS = BigInt(process.env.HEAP_LOOP_GAS ?? 4_000_000);
const ROUNDS = Number(process.env.HEAP_ROUNDS ?? 1);

interface Report {
  verdict: string;
  peakUsedMb: number;
  peakTotalMb: number;
  heapLimitMb: number;
  cpuS: number;
}

async function inWorker(): Promise<void> {
  const { data, gas } = workerData as { data: Uint8Array; gas: string };
  let peakUsed = 0;
  let peakTotal = 0;
  const sample = (): void => {
    const h = getHeapStatistics();
    peakUsed = Math.max(peakUsed, h.used_heap_size);
    peakTotal = Math.max(peakTotal, h.total_heap_size);
  };
  const timer = setInterval(sample, 20);
  const start = process.cpuUsage();
  const precompile = createExecutePrecompile();
  const result = await callExecute(precompile, data, { gasLimit: BigInt(gas) });
  const cpu = process.cpuUsage(start);
  sample();
  clearInterval(timer);
  const invalid = decodeExecuteInvalid(result.returnValue);
  const verdict = result.exceptionError
    ? `exception ${result.exceptionError.error}`
    : invalid === undefined
      ? `accepted (${result.executionGasUsed} gas)`
      : `${invalid.code}: ${invalid.reason.slice(0, 70)}`;
  const report: Report = {
    verdict,
    peakUsedMb: peakUsed / 2 ** 20,
    peakTotalMb: peakTotal / 2 ** 20,
    heapLimitMb: getHeapStatistics().heap_size_limit / 2 ** 20,
    cpuS: (cpu.user + cpu.system) / 1e6,
  };
  parentPort?.postMessage(report);
}

function run(data: Uint8Array, gas: bigint, resourceLimits: object): Promise<string> {
  return new Promise((resolve) => {
    const worker = new Worker(
      `require(${JSON.stringify(typescriptLoader())}); require(${JSON.stringify(__filename)});`,
      {
        eval: true,
        workerData: { data, gas: gas.toString() },
        resourceLimits,
      },
    );
    let report: Report | undefined;
    let failure = "";
    worker.on("message", (r: Report) => {
      report = r;
    });
    worker.on("error", (e: Error & { code?: string }) => {
      failure = `${e.code ?? ""} ${e.message}`;
    });
    worker.on("exit", (code) =>
      resolve(
        report === undefined
          ? `thread ended (exit ${code}) ${failure}`
          : `${report.verdict}; peak heap used ${report.peakUsedMb.toFixed(0)} MiB, total ${report.peakTotalMb.toFixed(0)} MiB, limit ${report.heapLimitMb.toFixed(0)} MiB; CPU ${report.cpuS.toFixed(2)} s`,
      ),
    );
  });
}

async function main(): Promise<void> {
  console.log(
    `load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}; loop gas ${LOOP_GAS}`,
  );
  const built = await shapedBlock(CHAIN_ID, "loop", undefined, LOOP_GAS);
  const { data, gasLimit: gas } = blockExecuteCall(built, CHAIN_ID, createExecutePrecompile());
  for (let round = 0; round < ROUNDS; round++) {
    console.log(
      `round ${round} L1 worker limits ${JSON.stringify(DEFAULT_L1_RESOURCE_LIMITS)}: ${await run(data, gas, DEFAULT_L1_RESOURCE_LIMITS)}`,
    );
    console.log(`round ${round} V8 defaults: ${await run(data, gas, {})}`);
  }
}

if (isMainThread) {
  main().catch((error: unknown) => {
    console.error(error);
    // A failed build leaves handles open (the test chain's store): end here.
    process.exit(1);
  });
} else {
  inWorker().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
