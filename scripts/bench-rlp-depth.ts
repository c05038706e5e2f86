/**
 * EXECUTE's CPU per million L1 gas charged on deeply nested RLP (docs/design/rlp-depth.md), beside
 * an honest block verified by the same precompile in the same process
 * (`npx ts-node --transpile-only scripts/bench-rlp-depth.ts`). CPU time (process.cpuUsage), not
 * wall: the machine may be shared. Each input runs RLP_ROUNDS times (default 2); the first run
 * of a kind includes V8's warm-up, which is what one call on a fresh L1 node pays.
 *
 * RLP_BASELINE_DIR=<another checkout of this repository> runs that checkout's precompile beside
 * this one on every input, alternated, in the same process (e.g. `git worktree add /tmp/base
 * <commit>` with a `node_modules` link to this one's): before and after a change in one run.
 */
import { RLP } from "@ethereumjs/rlp";
import path from "node:path";

import {
  type ExecutePrecompile,
  createExecutePrecompile,
  decodeExecuteInvalid,
  encodeExecuteInput,
  executeGasCost,
  executeGasCostOfBlock,
} from "../precompiles";
import { deepestNestingOfSize, nestedLists, rlpListOf } from "../tools/deepRlp";
import { callExecute } from "../tools/executeCall";
import { TestSigner } from "../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../tools/l2TestChain";
import { cpuSeconds } from "../tools/cpuTime";

const CHAIN_ID = 905n;
const ROUNDS = Number(process.env.RLP_ROUNDS ?? 2);
const HONEST_TXS = Number(process.env.RLP_HONEST_TXS ?? 100);
const SIZES_KB = (process.env.RLP_SIZES_KB ?? "10,50,100,390").split(",").map(Number);

interface Row {
  readonly label: string;
  readonly inputBytes: number;
  readonly gas: bigint;
  readonly cpu: number[];
  readonly verdict: string;
}

/** The precompiles compared: this checkout's, and the baseline's when RLP_BASELINE_DIR names one. */
function precompiles(): [string, ExecutePrecompile][] {
  const all: [string, ExecutePrecompile][] = [["this", createExecutePrecompile()]];
  const baseline = process.env.RLP_BASELINE_DIR;
  if (baseline !== undefined) {
    const module = require(path.resolve(baseline, "precompiles")) as {
      createExecutePrecompile: () => ExecutePrecompile;
    };
    all.push(["base", module.createExecutePrecompile()]);
  }
  return all;
}

async function measure(
  label: string,
  compared: [string, ExecutePrecompile][],
  data: Uint8Array,
  gasLimit: bigint,
): Promise<void> {
  const rows = compared.map(([name]) => ({
    label: `${label} [${name}]`,
    inputBytes: data.length,
    gas: 0n,
    cpu: [] as number[],
    verdict: "",
  }));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [index, [, precompile]] of compared.entries()) {
      const start = cpuSeconds();
      const result = await callExecute(precompile, data, { gasLimit });
      const row = rows[index] as Row & { gas: bigint; verdict: string };
      row.cpu.push(cpuSeconds() - start);
      row.gas = result.executionGasUsed;
      const invalid = decodeExecuteInvalid(result.returnValue);
      row.verdict = invalid === undefined ? "accepted" : `${invalid.code}: ${invalid.reason.slice(0, 60)}`;
    }
  }
  for (const row of rows) print(row);
}

function print(row: Row): void {
  const mgas = Number(row.gas) / 1e6;
  const perMgas = row.cpu.map((s) => ((s * 1000) / mgas).toFixed(0)).join(" / ");
  const cpu = row.cpu.map((s) => s.toFixed(3)).join(" / ");
  console.log(
    `${row.label.padEnd(34)} ${String(row.inputBytes).padStart(8)} B ${mgas.toFixed(3).padStart(7)} Mgas  CPU s ${cpu.padEnd(16)}  ms/Mgas ${perMgas.padEnd(14)} ${row.verdict}`,
  );
}

async function main(): Promise<void> {
  const probe = await L2TestChain.create(CHAIN_ID, []);
  const senders = Array.from({ length: HONEST_TXS }, (_, i) => TestSigner.fromSeed(100 + i, probe.common));
  const chain = await L2TestChain.create(
    CHAIN_ID,
    senders.map((s) => ({ address: s.address.toString(), balance: 10n ** 18n })),
  );
  const built: BuiltBlock = await chain.buildBlock(
    senders.map((_, i) =>
      TestSigner.fromSeed(100 + i, chain.common).tx({
        to: `0x${(0xaa00 + i).toString(16).padStart(40, "0")}`,
        value: 1n,
      }),
    ),
  );
  const compared = precompiles();
  const schedule = (compared[0] as [string, ExecutePrecompile])[1].schedule;
  const honest = encodeExecuteInput({
    chainId: CHAIN_ID,
    parentHeader: built.parentHeader,
    block: built.blockRlp,
    witness: built.witness,
    proofs: new Uint8Array(),
  });
  await measure(`honest block, ${HONEST_TXS} transfers`, compared, honest, 16_000_000n);

  const [header] = RLP.decode(built.blockRlp) as unknown as Uint8Array[][];
  const headerRlp = RLP.encode(header);
  const empty = Uint8Array.of(0xc0);
  for (const kb of SIZES_KB) {
    const deep = deepestNestingOfSize(kb * 1000);
    const typed = new Uint8Array(deep.length + 1);
    typed[0] = 2;
    typed.set(deep, 1);
    const positions: [string, { parentHeader: Uint8Array; block: Uint8Array; witness: Uint8Array }][] = [
      ["witness", { parentHeader: built.parentHeader, block: built.blockRlp, witness: deep }],
      ["parent header", { parentHeader: deep, block: built.blockRlp, witness: built.witness }],
      [
        "legacy tx in block",
        {
          parentHeader: built.parentHeader,
          block: rlpListOf(Uint8Array.from([...headerRlp, ...rlpListOf(deep), ...empty, ...empty])),
          witness: built.witness,
        },
      ],
      [
        "typed tx (0x02) in block",
        {
          parentHeader: built.parentHeader,
          block: rlpListOf(Uint8Array.from([...headerRlp, ...rlpListOf(RLP.encode(typed)), ...empty, ...empty])),
          witness: built.witness,
        },
      ],
    ];
    for (const [where, fields] of positions) {
      const data = encodeExecuteInput({ chainId: CHAIN_ID, ...fields, proofs: new Uint8Array() });
      // The least gas that reaches the decoder: the input's price, plus the block's L2 gas for a
      // witness (decoded after the block is checked and priced).
      const gas =
        where === "witness"
          ? executeGasCostOfBlock(data.length, fields.block, schedule)
          : executeGasCost(data.length, 0n, schedule);
      await measure(`${kb} kB nested, ${where}`, compared, data, gas);
    }
  }
  // Below the stack's limit: decodes (no RangeError) after copying the payload once per level.
  for (const depth of [1000, 5000]) {
    const filler = RLP.encode(new Uint8Array(390_000 - depth * 4).fill(1));
    const witness = nestedLists(depth, filler);
    const data = encodeExecuteInput({
      chainId: CHAIN_ID,
      parentHeader: built.parentHeader,
      block: built.blockRlp,
      witness,
      proofs: new Uint8Array(),
    });
    await measure(
      `390 kB, ${depth} deep + string, witness`,
      compared,
      data,
      executeGasCostOfBlock(data.length, built.blockRlp, schedule),
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
