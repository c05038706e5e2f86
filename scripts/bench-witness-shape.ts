/**
 * EXECUTE's CPU per million L1 gas charged on adversarial pre-state shapes (deep trie paths, huge
 * trie nodes) beside an honest block verified by the same precompile in the same process
 * (`npx ts-node --transpile-only scripts/bench-witness-shape.ts`; docs/design/attack-review-s23.md).
 * CPU time (process.cpuUsage), not wall: the machine may be shared. Each input runs SHAPE_ROUNDS
 * times (default 2), the honest block before and after the others.
 */
import os from "node:os";

import {
  type ExecutePrecompile,
  type VerifierWrites,
  createExecutePrecompile,
  decodeExecuteInvalid,
  verifyBlock,
} from "../precompiles";

import { blockExecuteCall, callExecute } from "../tools/executeCall";
import type { BuiltBlock } from "../tools/l2TestChain";
import { LOOPER, SLOT0, shapedBlock as block } from "../tools/witnessShapes";
import { cpuSeconds } from "../tools/cpuTime";
import { measured } from "../tools/heapPeak";

const CHAIN_ID = 905n;
const ROUNDS = Number(process.env.SHAPE_ROUNDS ?? 2);
const LOOP_GAS = BigInt(process.env.SHAPE_LOOP_GAS ?? 2_000_000);
const HUGE_KB = (process.env.SHAPE_HUGE_KB ?? "100,300").split(",").map(Number);
/** SHAPE_LAZY_BASELINE=1: also verify each input with and without lazy trie hashing, alternated. */
const LAZY_BASELINE = process.env.SHAPE_LAZY_BASELINE === "1";
/**
 * SHAPE_WRITES_BASELINE=1: also verify each input with EXECUTE's per-block writes and with the
 * write-through baseline, alternated, each with the witness recorded for it.
 */
const WRITES_BASELINE = process.env.SHAPE_WRITES_BASELINE === "1";

async function measure(
  label: string,
  precompile: ExecutePrecompile,
  built: BuiltBlock,
  build: (writes?: VerifierWrites) => Promise<BuiltBlock>,
): Promise<number> {
  const { data, gasLimit: gas } = blockExecuteCall(built, CHAIN_ID, precompile);
  const cpu: number[] = [];
  let verdict = "";
  let used = 0n;
  for (let round = 0; round < ROUNDS; round++) {
    const start = cpuSeconds();
    const result = await callExecute(precompile, data, { gasLimit: gas });
    cpu.push(cpuSeconds() - start);
    used = result.executionGasUsed;
    const invalid = decodeExecuteInvalid(result.returnValue);
    verdict = result.exceptionError
      ? `exception ${result.exceptionError.error}`
      : invalid === undefined
        ? "accepted"
        : `${invalid.code}: ${invalid.reason.slice(0, 70)}`;
  }
  const mgas = Number(used) / 1e6;
  if (LAZY_BASELINE) await compareLazy(label, built, mgas);
  if (WRITES_BASELINE) await compareWrites(label, built, await build("write-through"), mgas);
  const perMgas = cpu.map((s) => (s * 1000) / mgas);
  console.log(
    `${label.padEnd(46)} ${String(data.length).padStart(8)} B ${mgas.toFixed(3).padStart(7)} Mgas  CPU s ${cpu
      .map((s) => s.toFixed(3))
      .join(" / ")
      .padEnd(16)} ms/Mgas ${perMgas
      .map((v) => v.toFixed(0))
      .join(" / ")
      .padEnd(12)} ${verdict}`,
  );
  return Math.min(...perMgas);
}

/**
 * CPU ms and heap growth (MB) of one `verifyBlock` call. The heap is sampled only when the call
 * yields to the event loop, so the peak is a floor (0 when it never yielded): for memory, measure a
 * call alone in a process (peak RSS).
 */
async function verifyOnce(
  built: BuiltBlock,
  lazyTrieHashing: boolean,
  writes?: VerifierWrites,
): Promise<{ ms: number; heapMb: number }> {
  const { cpuSeconds: seconds, heapGrowthBytes } = await measured(
    () =>
      verifyBlock({
        chainId: CHAIN_ID,
        parentHeader: built.parentHeader,
        block: built.blockRlp,
        witness: built.witness,
        lazyTrieHashing,
        writes,
      }),
    5,
  );
  return { ms: seconds * 1000, heapMb: heapGrowthBytes / 1e6 };
}

/** verifyBlock with lazy trie hashing off (the write-through baseline) and on, alternated, per Mgas charged. */
async function compareLazy(label: string, built: BuiltBlock, mgas: number): Promise<void> {
  const runs: Record<string, { ms: number; heapMb: number }[]> = { before: [], lazy: [] };
  for (let round = 0; round < ROUNDS; round++) {
    runs.before.push(await verifyOnce(built, false));
    runs.lazy.push(await verifyOnce(built, true));
  }
  const show = (mode: string): string =>
    `${mode} ms/Mgas ${runs[mode].map((r) => (r.ms / mgas).toFixed(0)).join(" / ")}, heap peak +${runs[mode]
      .map((r) => r.heapMb.toFixed(0))
      .join(" / ")} MB`;
  console.log(`  ${label}: verifyBlock ${show("before")}; ${show("lazy")}`);
}

/** verifyBlock per block and write-through (each on the witness recorded for it), alternated, per Mgas charged. */
async function compareWrites(
  label: string,
  perBlock: BuiltBlock,
  writeThrough: BuiltBlock,
  mgas: number,
): Promise<void> {
  const runs: Record<"per-block" | "write-through", { ms: number; heapMb: number }[]> = {
    "per-block": [],
    "write-through": [],
  };
  for (let round = 0; round < ROUNDS; round++) {
    runs["write-through"].push(await verifyOnce(writeThrough, false, "write-through"));
    runs["per-block"].push(await verifyOnce(perBlock, false, "per-block"));
  }
  const show = (mode: "per-block" | "write-through", built: BuiltBlock): string =>
    `${mode} ms/Mgas ${runs[mode].map((r) => (r.ms / mgas).toFixed(0)).join(" / ")}, heap peak +${runs[mode]
      .map((r) => r.heapMb.toFixed(0))
      .join(" / ")} MB, witness ${built.witnessParts.state.length} nodes`;
  console.log(`  ${label}: verifyBlock ${show("write-through", writeThrough)}; ${show("per-block", perBlock)}`);
}

/** The adversarial cases, by name (SHAPE_CASES picks some, comma-separated; all by default). */
const CASES: Record<string, { label: string; build: (writes?: VerifierWrites) => Promise<BuiltBlock> }> = {
  loop: {
    label: "SSTORE loop, honest state",
    build: (writes) => block(CHAIN_ID, "loop", undefined, LOOP_GAS, writes),
  },
  deep: {
    label: "SSTORE loop, account + slot at depth 64",
    build: (writes) =>
      block(CHAIN_ID, "loop", { deepAccounts: [LOOPER], deepSlots: { [LOOPER]: [SLOT0] } }, LOOP_GAS, writes),
  },
  ...Object.fromEntries(
    HUGE_KB.flatMap((kb) => [
      [
        `storage${kb}`,
        {
          label: `SSTORE loop, storage root value ${kb} kB`,
          build: (writes: VerifierWrites | undefined) =>
            block(
              CHAIN_ID,
              "loop",
              { deepSlots: { [LOOPER]: [SLOT0] }, hugeStorageRootValue: { [LOOPER]: kb * 1000 } },
              LOOP_GAS,
              writes,
            ),
        },
      ],
      [
        `state${kb}`,
        {
          label: `100 transfers, state root value ${kb} kB`,
          build: (writes: VerifierWrites | undefined) =>
            block(CHAIN_ID, "transfers", { hugeStateRootValue: kb * 1000 }, undefined, writes),
        },
      ],
    ]),
  ),
};

async function main(): Promise<void> {
  console.log(
    `load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
  const precompile = createExecutePrecompile();
  const buildHonest = (writes?: VerifierWrites): Promise<BuiltBlock> =>
    block(CHAIN_ID, "transfers", undefined, undefined, writes);
  const honest = await buildHonest();
  const honestFirst = await measure("honest: 100 transfers", precompile, honest, buildHonest);
  const results: [string, number][] = [];
  const names = process.env.SHAPE_CASES?.split(",") ?? Object.keys(CASES);
  for (const name of names) {
    const entry = CASES[name];
    if (entry === undefined) throw new Error(`no case ${name}: ${Object.keys(CASES).join(", ")}`);
    const rssBefore = process.memoryUsage().rss;
    results.push([entry.label, await measure(entry.label, precompile, await entry.build(), entry.build)]);
    console.log(`  RSS ${((process.memoryUsage().rss - rssBefore) / 1e6).toFixed(0)} MB more than before the case`);
  }
  const honestLast = await measure("honest: 100 transfers (again)", precompile, honest, buildHonest);
  const baseline = Math.min(honestFirst, honestLast);
  for (const [label, perMgas] of results)
    console.log(`${label.padEnd(46)} ${(perMgas / baseline).toFixed(1)}x the honest block`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
