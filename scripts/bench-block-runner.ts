/**
 * EXECUTE's block runner (`runVerifierBlock`, precompiles/blockRunner.ts) against EthereumJS's
 * `runBlock` (`ethereumJsRunBlock: true`), the rest of `verifyBlock` the same, on bench:execute's two
 * blocks (100 ETH transfers, 100 ERC-20 transfers, 20,000 other accounts): rounds alternated in one
 * process, a collection forced before every call (outside its timing), CPU time per call. Prints
 * Mgas per CPU s of each, the mean ratio, the median ratio per round with its quartiles, and the load:
 *
 *   node --expose-gc -r ts-node/register/transpile-only scripts/bench-block-runner.ts
 *
 * BENCH_AB=decodedAccounts compares the same way the per-block caches' accounts kept decoded
 * (`DecodedAccountCache`, the default) against EthereumJS's `AccountCache` (`decodedAccounts: false`).
 */
import { loadavg } from "node:os";

import { type VerifyBlockParams, prepareCrypto, verifyBlock } from "../precompiles";
import { CHAIN_ID, buildWorkload } from "./bench-execute";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);

/** What the baseline side changes, by BENCH_AB: EthereumJS's runBlock (the default), or its account cache. */
const BASELINES: Record<string, { readonly name: string; readonly params: Partial<VerifyBlockParams> }> = {
  runBlock: { name: "runBlock", params: { ethereumJsRunBlock: true } },
  decodedAccounts: { name: "AccountCache", params: { decodedAccounts: false } },
};

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function load(): string {
  return loadavg()
    .map((l) => l.toFixed(1))
    .join(" / ");
}

async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("run with node --expose-gc");
  const baseline = BASELINES[process.env.BENCH_AB ?? "runBlock"];
  if (baseline === undefined) throw new Error(`BENCH_AB is one of ${Object.keys(BASELINES).join(", ")}`);
  await prepareCrypto();
  console.log(`${process.env.BENCH_AB ?? "block runner"} A/B: ${ROUNDS} alternated rounds, load ${load()}`);
  for (const kind of ["eth", "erc20"] as const) {
    const { built } = await buildWorkload(kind, kind);
    const gas = Number(built.block.header.gasUsed);
    const run = (onBaseline: boolean) =>
      verifyBlock({
        chainId: CHAIN_ID,
        parentHeader: built.parentHeader,
        block: built.blockRlp,
        witness: built.witness,
        ...(onBaseline ? baseline.params : {}),
      });
    await run(true);
    await run(false);
    let own = 0;
    let upstream = 0;
    const ratios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const ms = new Map<boolean, number>();
      for (const onBaseline of round % 2 === 0 ? [false, true] : [true, false]) {
        gc();
        const start = cpuMs();
        await run(onBaseline);
        ms.set(onBaseline, cpuMs() - start);
      }
      own += ms.get(false) ?? 0;
      upstream += ms.get(true) ?? 0;
      ratios.push((ms.get(true) ?? 0) / (ms.get(false) ?? 1));
    }
    ratios.sort((a, b) => a - b);
    const at = (q: number): string => ratios[Math.floor(q * (ratios.length - 1))].toFixed(3);
    console.log(
      `${kind}: this ${(((gas / 1e3) * ROUNDS) / own).toFixed(2)} Mgas per CPU s, ${baseline.name} ${(((gas / 1e3) * ROUNDS) / upstream).toFixed(2)}; speed-up mean ${(upstream / own).toFixed(3)}, median ${at(0.5)} (quartiles ${at(0.25)}–${at(0.75)})`,
    );
  }
  console.log(`load after: ${load()}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
