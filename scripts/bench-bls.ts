// CPU per G1ADD (0x0b) and G2ADD (0x0d) call with EthereumJS's NobleBLS and with the project's
// backend (precompiles/bls.ts), alternated round by round in one process (attack-review-s27.md,
// finding 10). Each call runs the precompile through an Osaka EVM, as a block's call would.
//   npx ts-node --transpile-only scripts/bench-bls.ts   (BENCH_BLS_CALLS, BENCH_BLS_ROUNDS)
import { loadavg } from "node:os";

import { Common, Hardfork, Mainnet } from "@ethereumjs/common";
import { type EVM, type EVMBLSInterface, NobleBLS, createEVM } from "@ethereumjs/evm";
import { createAddressFromString, hexToBytes } from "@ethereumjs/util";
import { bls12_381 } from "@noble/curves/bls12-381.js";

import { SHARED_BLS } from "../precompiles";
import { cpuSeconds } from "../tools/cpuTime";

const CALLS = Number(process.env.BENCH_BLS_CALLS ?? 40);
const ROUNDS = Number(process.env.BENCH_BLS_ROUNDS ?? 5);
const { Fp, Fp2 } = bls12_381.fields;
const G1 = bls12_381.G1.Point;
const G2 = bls12_381.G2.Point;

const fp = (value: bigint): string => value.toString(16).padStart(128, "0");

/** The first x = 1, 2, … whose x³ + b is a square: a point on the curve, outside the prime-order subgroup. */
function g1Outside(): string {
  for (let x = 1n; ; x++) {
    const right = Fp.add(Fp.mul(Fp.sqr(x), x), G1.CURVE().b);
    if (Fp.eql(Fp.pow(right, (Fp.ORDER - 1n) / 2n), Fp.ONE)) {
      const point = G1.fromAffine({ x, y: Fp.sqrt(right) });
      if (point.isTorsionFree()) continue;
      return fp(x) + fp(point.y);
    }
  }
}

function g2Outside(): string {
  for (let c0 = 1n; ; c0++) {
    const x = Fp2.create({ c0, c1: 1n });
    const right = Fp2.add(Fp2.mul(Fp2.sqr(x), x), G2.CURVE().b);
    try {
      const y = Fp2.sqrt(right);
      if (!Fp2.eql(Fp2.sqr(y), right)) continue;
      const point = G2.fromAffine({ x, y });
      if (point.isTorsionFree()) continue;
      return [x.c0, x.c1, y.c0, y.c1].map(fp).join("");
    } catch {
      // not a square
    }
  }
}

function g1(k: bigint): string {
  const { x, y } = G1.BASE.multiply(k).toAffine();
  return fp(x) + fp(y);
}

function g2(k: bigint): string {
  const { x, y } = G2.BASE.multiply(k).toAffine();
  return [x.c0, x.c1, y.c0, y.c1].map(fp).join("");
}

async function osakaEvm(bls: EVMBLSInterface): Promise<EVM> {
  return createEVM({ common: new Common({ chain: Mainnet, hardfork: Hardfork.Osaka }), bls });
}

/** CPU seconds of `CALLS` calls of `address` on `data`; throws if a call fails (a failure skips the work). */
async function calls(evm: EVM, address: number, data: Uint8Array): Promise<number> {
  const to = createAddressFromString(`0x${address.toString(16).padStart(40, "0")}`);
  const start = cpuSeconds();
  for (let i = 0; i < CALLS; i++) {
    const { execResult } = await evm.runCall({ to, data, gasLimit: 100_000n });
    if (execResult.exceptionError !== undefined)
      throw new Error(`0x${address.toString(16)} failed: ${execResult.exceptionError.error}`);
  }
  return cpuSeconds() - start;
}

async function main(): Promise<void> {
  const load = (): string =>
    loadavg()
      .map((l) => l.toFixed(1))
      .join(" ");
  console.log(
    `${CALLS} calls a round, ${ROUNDS} rounds alternated (the least CPU of each); node ${process.version}, load average ${load()}`,
  );
  const workloads = [
    { name: "G1ADD, valid points", address: 0x0b, input: g1(3n) + g1(5n) },
    { name: "G1ADD, points outside the subgroup", address: 0x0b, input: g1Outside() + g1Outside() },
    { name: "G2ADD, valid points", address: 0x0d, input: g2(3n) + g2(5n) },
    { name: "G2ADD, points outside the subgroup", address: 0x0d, input: g2Outside() + g2Outside() },
  ];
  const [noble, ours] = [await osakaEvm(new NobleBLS()), await osakaEvm(SHARED_BLS)];
  const rows: Record<string, string>[] = [];
  for (const { name, address, input } of workloads) {
    const data = hexToBytes(`0x${input}`);
    await calls(noble, address, data); // warm-up: JIT
    await calls(ours, address, data);
    let least = { noble: Number.POSITIVE_INFINITY, ours: Number.POSITIVE_INFINITY };
    for (let round = 0; round < ROUNDS; round++) {
      const a = await calls(noble, address, data);
      const b = await calls(ours, address, data);
      least = { noble: Math.min(least.noble, a), ours: Math.min(least.ours, b) };
    }
    const perCall = (seconds: number): string => ((seconds / CALLS) * 1000).toFixed(3);
    rows.push({
      call: name,
      "NobleBLS CPU ms/call": perCall(least.noble),
      "project CPU ms/call": perCall(least.ours),
      "project ÷ NobleBLS": (least.ours / least.noble).toFixed(3),
    });
    console.log(`${name}: NobleBLS ${perCall(least.noble)} ms, project ${perCall(least.ours)} ms per call`);
  }
  console.table(rows);
  console.log(`load average ${load()}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
