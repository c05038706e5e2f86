/**
 * The measurement behind precompiles/crypto.ts's choice (`npx ts-node --transpile-only scripts/bench-crypto.ts`):
 * µs per keccak-256 (32, 64 and 532 bytes: a key, a public key, a full branch node) for every
 * keccak backend that loads, and µs per public-key recovery for every secp256k1 backend, in
 * one run. Knob: BENCH_CRYPTO_CALLS (keccak calls per figure, default 20,000; recoveries are a tenth).
 */
import { randomBytes } from "node:crypto";

import { SigningKey } from "ethers";

import { cryptoCandidates } from "../precompiles";

const CALLS = Number(process.env.BENCH_CRYPTO_CALLS ?? 20_000);
const WARM_UP = 200;

function microsPerCall(calls: number, run: (i: number) => unknown): number {
  for (let i = 0; i < WARM_UP; i++) run(i);
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) run(i);
  return Number(process.hrtime.bigint() - start) / 1e3 / calls;
}

async function main(): Promise<void> {
  const candidates = await cryptoCandidates();
  console.log(`crypto backends, µs per call, node ${process.version}`);
  const rows = [];
  for (const size of [32, 64, 532]) {
    const input = new Uint8Array(randomBytes(size));
    const row: Record<string, string | number> = { operation: `keccak-256 of ${size} B` };
    for (const [backend, hash] of Object.entries(candidates.keccak256))
      row[backend] = Number(microsPerCall(CALLS, () => hash(input)).toFixed(2));
    rows.push(row);
  }
  const hash = new Uint8Array(randomBytes(32));
  const sig = new SigningKey(randomBytes(32)).sign(hash);
  const r = new Uint8Array(Buffer.from(sig.r.slice(2), "hex"));
  const s = new Uint8Array(Buffer.from(sig.s.slice(2), "hex"));
  const recovery: Record<string, string | number> = { operation: "ecrecover (public key)" };
  for (const [backend, ecrecover] of Object.entries(candidates.ecrecover)) {
    recovery[backend] = Number(
      microsPerCall(Math.max(1, CALLS / 10), () => ecrecover(hash, BigInt(27 + sig.yParity), r, s)).toFixed(2),
    );
  }
  rows.push(recovery);
  console.table(rows);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
