import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { readFileSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { loadavg } from "node:os";
import path from "node:path";

import { createEVM } from "@ethereumjs/evm";
import { createAddressFromString } from "@ethereumjs/util";

import {
  ExecuteErrorCode,
  chargedL2Gas,
  createExecutePrecompile,
  decodeExecuteInvalid,
  encodeExecuteInput,
  executeGasCost,
  l2GasClaimOf,
  type VerifyBlockParams,
  verifyBlock,
  decodeWitness,
  encodeWitness,
} from "../precompiles";
import { createChainCommon } from "../rollup-node/chain/chainCommon";
import { blockExecuteCall, callExecute } from "../tools/executeCall";
import {
  BLS_INPUTS,
  MAX_CODE_BYTES,
  RECURSIVE_CODE,
  SLOAD_LOOP_CODE,
  TARGET_ACCOUNT,
  TARGET_ADDRESS,
  bigStopCode,
  blake2fInput,
  bn254AddInput,
  bn254MulInput,
  bn254PairingInput,
  codeLoopBlock,
  coldAccountBlock,
  createLoopCode,
  LOOP_ADDRESS,
  ecrecoverInput,
  extcodecopyLoopCode,
  filledStorage,
  fillerAddress,
  keccakLoopCode,
  modexpInput,
  pointEvaluationInput,
  precompileLoopBlock,
  precompileLoopCode,
  runWithFullState,
} from "../tools/heavyBlocks";
import { evmOptions, jsCrypto, prepareCrypto } from "../precompiles";
import { DEFAULT_HARDFORK, genesisForkCommon } from "../precompiles";
import { TestSigner, tamperBlock, word } from "../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain, type TestAccount } from "../tools/l2TestChain";

export const CHAIN_ID = 903n;
const TXS_PER_BLOCK = Number(process.env.BENCH_TXS ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** Accounts besides the senders: a deeper state trie gives realistic witness sizes. */
const FILLER_ACCOUNTS = Number(process.env.BENCH_STATE_ACCOUNTS ?? 20_000);
const TOKEN_ADDRESS = "0x0000000000000000000000000000000000007070";

function tokenRuntimeCode(): string {
  const artifact = path.join(__dirname, "..", "artifacts", "contracts", "test", "BenchToken.sol", "BenchToken.json");
  return JSON.parse(readFileSync(artifact, "utf8")).deployedBytecode;
}

/** Storage slot of `balanceOf[holder]` (mapping at slot 0). */
function balanceSlot(holder: string): string {
  return bytesToHex(keccak_256(hexToBytes(`0x${word(BigInt(holder))}${word(0)}`)));
}

export interface Workload {
  readonly name: string;
  readonly chain: L2TestChain;
  readonly built: BuiltBlock;
}

export async function buildWorkload(
  name: string,
  kind: "eth" | "erc20",
  fillerAccounts = FILLER_ACCOUNTS,
): Promise<Workload> {
  const probe = await L2TestChain.create(CHAIN_ID, []);
  const senders = Array.from({ length: TXS_PER_BLOCK }, (_, i) => TestSigner.fromSeed(1000 + i, probe.common));
  const storage = Object.fromEntries(senders.map((s) => [balanceSlot(s.address.toString()), "0x0de0b6b3a7640000"]));
  const accounts: TestAccount[] = [
    ...senders.map((s) => ({ address: s.address.toString(), balance: 10n ** 20n })),
    { address: TOKEN_ADDRESS, code: tokenRuntimeCode(), storage },
    ...Array.from({ length: fillerAccounts }, (_, i) => ({
      address: `0x${(0xf000000n + BigInt(i)).toString(16).padStart(40, "0")}`,
      balance: 1n,
    })),
  ];
  const chain = await L2TestChain.create(CHAIN_ID, accounts);
  const txs = senders.map((_s, i) => {
    const signer = TestSigner.fromSeed(1000 + i, chain.common);
    const recipient = `0x${(0xabc0000n + BigInt(i)).toString(16).padStart(40, "0")}`;
    return kind === "eth"
      ? signer.tx({ to: recipient, value: 1n, gasLimit: 21_000n })
      : signer.tx({ to: TOKEN_ADDRESS, data: `0xa9059cbb${word(BigInt(recipient))}${word(1)}`, gasLimit: 80_000n });
  });
  return { name, chain, built: await chain.buildBlock(txs) };
}

/** CPU time of this process so far, in ms (every thread: the garbage collector's helpers too). */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Mean ms of `a` and of `b` over `rounds`, their rounds alternated: on a shared machine the load
 * changes within a run, and alternating gives both the same share of it, so their ratio holds.
 * Then the mean CPU ms of each, which the other processes' load moves far less than wall time.
 */
async function timePair(
  rounds: number,
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
): Promise<[number, number, number, number]> {
  await a(); // warm-up: JIT and caches
  await b();
  let aNs = 0n;
  let bNs = 0n;
  let aCpu = 0;
  let bCpu = 0;
  for (let i = 0; i < rounds; i++) {
    const startCpu = cpuMs();
    const start = process.hrtime.bigint();
    await a();
    const middleCpu = cpuMs();
    const middle = process.hrtime.bigint();
    await b();
    bNs += process.hrtime.bigint() - middle;
    bCpu += cpuMs() - middleCpu;
    aNs += middle - start;
    aCpu += middleCpu - startCpu;
  }
  return [Number(aNs) / 1e6 / rounds, Number(bNs) / 1e6 / rounds, aCpu / rounds, bCpu / rounds];
}

async function timeIt(rounds: number, run: () => Promise<unknown>): Promise<number> {
  await run(); // warm-up: JIT and caches
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) await run();
  return Number(process.hrtime.bigint() - start) / 1e6 / rounds;
}

/** Runs `run`, under the CPU profiler when BENCH_PROFILE names a file (profiles of several calls go to `<file>.<n>`). */
let profiles = 0;
async function profiled<T>(run: () => Promise<T>): Promise<T> {
  const file = process.env.BENCH_PROFILE;
  if (file === undefined || file === "") return run();
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  try {
    return await run();
  } finally {
    const { profile } = await session.post("Profiler.stop");
    writeFileSync(profiles === 0 ? file : `${file}.${profiles}`, JSON.stringify(profile));
    profiles++;
    session.disconnect();
  }
}

/** The block run with the full state (`runWithFullState`); `asDevnetL1` with the devnet L1's state caches. */
function fullStateRun(workload: Workload, asDevnetL1 = false): Promise<void> {
  return runWithFullState(workload.chain, workload.built, asDevnetL1);
}

type VerifyBlock = typeof verifyBlock;

/** The `verifyBlock` of the checkout BENCH_BASELINE_DIR names, with its crypto prepared; undefined without one. */
async function baselineVerifier(): Promise<VerifyBlock | undefined> {
  const dir = process.env.BENCH_BASELINE_DIR;
  if (dir === undefined || dir === "") return undefined;
  const baseline = require(path.resolve(dir, "precompiles")) as {
    verifyBlock: VerifyBlock;
    prepareCrypto(): Promise<unknown>;
  };
  await baseline.prepareCrypto();
  return baseline.verifyBlock;
}

/** The number of state entries (trie nodes) of an encoded witness. */
function witnessEntries(witness: Uint8Array): number {
  return decodeWitness(witness).state.length;
}

async function statelessVsFullState(): Promise<void> {
  const choice = await prepareCrypto();
  console.log(
    `EXECUTE re-execution benchmark: ${TXS_PER_BLOCK} txs per block, ${FILLER_ACCOUNTS} other accounts in the state, ${ROUNDS} rounds each, node ${process.version}, crypto: keccak ${choice.keccak256}, secp256k1 ${choice.secp256k1}${choice.fallbacks.length > 0 ? ` (${choice.fallbacks.join("; ")})` : ""}`,
  );
  // The L1 whose rules (and crypto) the L2 follows: the default fork with EthereumJS's own JS crypto.
  const jsCryptoL1 = genesisForkCommon(1n, { hardfork: DEFAULT_HARDFORK, customCrypto: jsCrypto() });
  const baseline = await baselineVerifier();
  const rows = [];
  for (const [name, kind] of [
    ["ETH transfers", "eth"],
    ["ERC-20 transfers", "erc20"],
  ] as const) {
    const workload = await buildWorkload(name, kind);
    const { built } = workload;
    const gas = Number(built.block.header.gasUsed);
    const verify = (options: Partial<VerifyBlockParams> = {}): ReturnType<typeof verifyBlock> =>
      verifyBlock({
        chainId: CHAIN_ID,
        parentHeader: built.parentHeader,
        block: built.blockRlp,
        witness: built.witness,
        ...options,
      });
    const statelessMs = await profiled(() => timeIt(ROUNDS, () => verify()));
    // The ratio from alternated rounds (the figure above may be profiled, and load moves).
    const [pairFastMs, statelessJsMs] = await timePair(
      ROUNDS,
      () => verify(),
      () => verify({ common: jsCryptoL1 }),
    );
    const [pairMemoMs, upstreamTrieMs] = await timePair(
      ROUNDS,
      () => verify(),
      () => verify({ memoizeTrieNodes: false }),
    );
    // EXECUTE's per-block writes beside the write-through baseline, each with the witness recorded for it.
    const writeThroughWitness = encodeWitness(
      await workload.chain.witnessOf(
        built.block,
        workload.chain.headerAt(built.block.header.number - 1n),
        "write-through",
      ),
    );
    const [, , perBlockCpuMs, writeThroughCpuMs] = await timePair(
      ROUNDS,
      () => verify(),
      () => verify({ witness: writeThroughWitness, writes: "write-through" }),
    );
    const [pairThisMs, baselineMs, thisCpuMs, baselineCpuMs] =
      baseline === undefined
        ? [undefined, undefined, undefined, undefined]
        : await timePair(
            ROUNDS,
            () => verify(),
            () =>
              baseline({
                chainId: CHAIN_ID,
                parentHeader: built.parentHeader,
                block: built.blockRlp,
                witness: built.witness,
              }),
          );
    const fullMs = await timeIt(ROUNDS, () => fullStateRun(workload));
    const input = encodeExecuteInput({
      chainId: CHAIN_ID,
      parentHeader: built.parentHeader,
      block: built.blockRlp,
      witness: built.witness,
      proofs: new Uint8Array(),
    });
    rows.push({
      block: name,
      "gas used": gas,
      "stateless ms": statelessMs.toFixed(1),
      "stateless Mgas/s": (gas / 1e3 / statelessMs).toFixed(2),
      "stateless Mgas/s, JS crypto": (gas / 1e3 / statelessJsMs).toFixed(2),
      "fast/JS crypto (alternated rounds)": (statelessJsMs / pairFastMs).toFixed(2),
      "node memo/upstream trie (alternated rounds)": (upstreamTrieMs / pairMemoMs).toFixed(2),
      "per-block Mgas per CPU s": (gas / 1e3 / perBlockCpuMs).toFixed(2),
      "write-through Mgas per CPU s": (gas / 1e3 / writeThroughCpuMs).toFixed(2),
      "per-block/write-through speed (CPU, alternated)": (writeThroughCpuMs / perBlockCpuMs).toFixed(2),
      "witness entries per-block / write-through": `${witnessEntries(built.witness)} / ${witnessEntries(writeThroughWitness)}`,
      ...(pairThisMs === undefined || baselineMs === undefined || thisCpuMs === undefined || baselineCpuMs === undefined
        ? {}
        : {
            "this Mgas/s (beside baseline)": (gas / 1e3 / pairThisMs).toFixed(2),
            "baseline Mgas/s": (gas / 1e3 / baselineMs).toFixed(2),
            "this/baseline speed (alternated rounds)": (baselineMs / pairThisMs).toFixed(2),
            "this Mgas per CPU s": (gas / 1e3 / thisCpuMs).toFixed(2),
            "baseline Mgas per CPU s": (gas / 1e3 / baselineCpuMs).toFixed(2),
            "this/baseline speed (CPU time)": (baselineCpuMs / thisCpuMs).toFixed(2),
          }),
      "full-state ms": fullMs.toFixed(1),
      "full-state Mgas/s": (gas / 1e3 / fullMs).toFixed(2),
      "stateless/full time": (statelessMs / fullMs).toFixed(2),
      "witness bytes": built.witness.length,
      "witness B/Mgas": Math.round(built.witness.length / (gas / 1e6)),
      "witness B/tx": Math.round(built.witness.length / TXS_PER_BLOCK),
      "EXECUTE L1 gas": Number(executeGasCost(input.length, chargedL2Gas(l2GasClaimOf(built.block)))),
    });
  }
  console.table(rows);
}

const PRICE_ROUNDS = Number(process.env.BENCH_PRICE_ROUNDS ?? 3);
/** Accounts in the state of the price workloads (fewer than table 1's: they are built seven times). */
const PRICE_FILLER_ACCOUNTS = Number(process.env.BENCH_PRICE_STATE_ACCOUNTS ?? 5_000);
const FILLER_BASE = 0xf000000n;
/** Gas of each worst-case transaction: small enough to run a few rounds on a shared machine. */
const WORST_TX_GAS = BigInt(process.env.BENCH_WORST_TX_GAS ?? 600_000);
const CODE_BASE = 0xc0de0000n;
const COLD_CODE_CONTRACTS = 40;
/** Near the EIP-170 limit: the most code one cold account brings into the witness. */
const COLD_CODE_BYTES = 24_000;

function fillers(count: number): TestAccount[] {
  return Array.from({ length: count }, (_, i) => ({ address: fillerAddress(FILLER_BASE, i), balance: 1n }));
}

/** Distinct large contracts (distinct code, so the witness carries each). */
function coldCodeContracts(): TestAccount[] {
  return Array.from({ length: COLD_CODE_CONTRACTS }, (_, i) => ({
    address: fillerAddress(CODE_BASE, i),
    code: `0x00${word(i)}${"5b".repeat(COLD_CODE_BYTES - 33)}`,
  }));
}

interface PricedWorkload {
  readonly name: string;
  readonly build: () => Promise<{ built: BuiltBlock; chain: L2TestChain }>;
  /** The precompile call the block loops over: checked to succeed, so that no row burns gas on a failing call. */
  readonly call?: { readonly address: number; readonly input: string };
  /**
   * Hand EXECUTE the block with its header claiming half the gas its transactions use: charged for
   * that half, EXECUTE runs the first transaction, then the second, and only then refuses the block
   * (GasUsedMismatch): the most work per L1 gas an invalid block buys (execute-budget.md).
   */
  readonly claimHalfGas?: boolean;
}

/** Gas of the transactions of the rows whose calls cost more than `WORST_TX_GAS` allows several of. */
const LARGE_TX_GAS = 5_000_000n;

function priceWorkloads(): PricedWorkload[] {
  const state = fillers(PRICE_FILLER_ACCOUNTS);
  const loop = (name: string, address: number, input: string, gas = WORST_TX_GAS): PricedWorkload => ({
    name,
    build: () => precompileLoopBlock(CHAIN_ID, address, input, 1, gas, state),
    call: { address, input },
  });
  const code = (name: string, runtime: string, target?: TestAccount, gas = WORST_TX_GAS, txs = 1, data?: string) => ({
    name,
    build: () => codeLoopBlock(CHAIN_ID, runtime, txs, gas, [...state, ...(target ? [target] : [])], data),
  });
  const at = (runtime: string, storage?: Record<string, string>): TestAccount => ({
    address: TARGET_ACCOUNT,
    code: runtime,
    storage,
  });
  return [
    { name: "normal: 100 ETH transfers", build: () => buildWorkload("eth", "eth", PRICE_FILLER_ACCOUNTS) },
    { name: "normal: 100 ERC-20 transfers", build: () => buildWorkload("erc20", "erc20", PRICE_FILLER_ACCOUNTS) },
    loop("ecrecover loop (0x01)", 0x01, ecrecoverInput()),
    loop("identity, 32 B (0x04): a call's own overhead", 0x04, `0x${"ab".repeat(32)}`),
    loop("MODEXP 32 B, 256-bit exponent (0x05)", 0x05, modexpInput(32, 32, 32)),
    loop("MODEXP 128 B, 256-bit exponent", 0x05, modexpInput(128, 32, 128), LARGE_TX_GAS),
    loop("MODEXP 512 B, 256-bit exponent", 0x05, modexpInput(512, 32, 512), LARGE_TX_GAS),
    loop("MODEXP 1024 B, 8-bit exponent", 0x05, modexpInput(1024, 1, 1024), LARGE_TX_GAS),
    loop("BN254 add (0x06)", 0x06, bn254AddInput()),
    loop("BN254 mul (0x07)", 0x07, bn254MulInput()),
    loop("BN254 pairing, 2 pairs (0x08)", 0x08, bn254PairingInput()),
    loop("BLAKE2F, 10k rounds (0x09)", 0x09, blake2fInput(10_000)),
    loop("point evaluation, general point (0x0a)", 0x0a, pointEvaluationInput()),
    ...Object.entries(BLS_INPUTS).map(([name, { address, input }]) => loop(`BLS12-381 ${name}`, address, input)),
    ...[
      { name: "ecrecover (0x01)", address: 0x01, input: ecrecoverInput() },
      { name: "BLS12-381 G2ADD (0x0d)", address: 0x0d, input: BLS_INPUTS["G2ADD (0x0d)"].input },
    ].map(({ name, address, input }) => ({
      name: `invalid: ${name}, 2 transactions, the header claiming one's gas`,
      build: () => precompileLoopBlock(CHAIN_ID, address, input, 2, WORST_TX_GAS / 2n, state),
      call: { address, input },
      claimHalfGas: true,
    })),
    code("KECCAK256 of 128 KB of memory", keccakLoopCode(0x20000)),
    {
      name: "cold accounts: BALANCE loop",
      build: () => coldAccountBlock(CHAIN_ID, 0x31, FILLER_BASE, state, 1, WORST_TX_GAS / 3n),
    },
    {
      name: `cold code: EXTCODESIZE of ${COLD_CODE_CONTRACTS} × ${COLD_CODE_BYTES} B contracts`,
      build: () =>
        coldAccountBlock(
          CHAIN_ID,
          0x3b,
          CODE_BASE,
          [...state.slice(0, 1000), ...coldCodeContracts()],
          1,
          2_600n * BigInt(COLD_CODE_CONTRACTS) + 25_000n,
        ),
    },
    code("EXTCODECOPY of a 24,576 B contract, warm", extcodecopyLoopCode(MAX_CODE_BYTES), at(bigStopCode())),
    code("STATICCALL of a 24,576 B contract, warm", precompileLoopCode(TARGET_ADDRESS, 0), at(bigStopCode())),
    code("deep call stacks (a contract calling itself)", precompileLoopCode(TARGET_ADDRESS, 0), at(RECURSIVE_CODE)),
    code("cold SLOAD of 2,000 slots", SLOAD_LOOP_CODE, {
      address: LOOP_ADDRESS,
      code: SLOAD_LOOP_CODE,
      storage: filledStorage(2_000),
    }),
    code("CREATE of empty contracts", createLoopCode(0)),
    code(`CREATE of ${MAX_CODE_BYTES} B contracts`, createLoopCode(MAX_CODE_BYTES), undefined, 2n * LARGE_TX_GAS),
    code("calldata: 2 × 100 KB to a STOP", "0x00", undefined, 4_100_000n, 2, `0x${"ab".repeat(100_000)}`),
  ];
}

/** Throws unless precompile `address` accepts `input` on the workload's chain: a failing call would burn its gas for nothing. */
async function checkCallSucceeds(common: L2TestChain["common"], address: number, input: string): Promise<bigint> {
  const evm = await createEVM(evmOptions({ common }));
  const { execResult } = await evm.runCall({
    to: createAddressFromString(`0x${address.toString(16).padStart(40, "0")}`),
    data: hexToBytes(input as `0x${string}`),
    gasLimit: LARGE_TX_GAS,
  });
  if (execResult.exceptionError !== undefined)
    throw new Error(
      `precompile 0x${address.toString(16)} refused the workload's input: ${execResult.exceptionError.error}`,
    );
  return execResult.executionGasUsed;
}

/** EXECUTE as the devnet's L1 runs it: the real precompile at 0x0101 on an Osaka EVM with the devnet's crypto, charged its price. */
async function executeOnL1(built: BuiltBlock, claimHalfGas = false): Promise<bigint> {
  const precompile = createExecutePrecompile();
  const input = claimHalfGas
    ? { ...built, blockRlp: tamperBlock(built.block, { gasUsed: built.block.header.gasUsed / 2n }) }
    : built;
  const { data, gasLimit } = blockExecuteCall(input, CHAIN_ID, precompile);
  const result = await callExecute(precompile, data, { gasLimit, customCrypto: createChainCommon(1337n).customCrypto });
  const failure = decodeExecuteInvalid(result.returnValue);
  if (claimHalfGas ? failure?.code !== ExecuteErrorCode.GasUsedMismatch : result.exceptionError !== undefined)
    throw new Error(`EXECUTE's verdict is not the workload's: ${failure?.code} ${failure?.reason}`);
  return result.executionGasUsed;
}

const loadAverage = (): string =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");

async function priceAgainstWork(): Promise<void> {
  const only = process.env.BENCH_PRICE_ROWS;
  console.log(
    `EXECUTE's price against its work: ${PRICE_FILLER_ACCOUNTS} other accounts in the state, ${WORST_TX_GAS} gas per worst-case transaction, ${PRICE_ROUNDS} rounds each (EXECUTE and the L1's own run alternated; the least CPU of each), node ${process.version}, load average ${loadAverage()}`,
  );
  const rows: Record<string, string | number>[] = [];
  const perMgas: { execute: number; l1: number }[] = [];
  for (const workload of priceWorkloads()) {
    if (only !== undefined && only !== "" && !new RegExp(only, "i").test(workload.name)) continue;
    const { built, chain } = await workload.build();
    const callGas =
      workload.call === undefined
        ? undefined
        : await checkCallSucceeds(chain.common, workload.call.address, workload.call.input);
    let charged = 0n;
    let executeCpu = Number.POSITIVE_INFINITY;
    let l1Cpu = Number.POSITIVE_INFINITY;
    const full = (): Promise<void> => fullStateRun({ name: workload.name, chain, built }, true);
    charged = await executeOnL1(built, workload.claimHalfGas); // warm-up: JIT, the KZG set-up, caches
    await full();
    for (let round = 0; round < PRICE_ROUNDS; round++) {
      const start = cpuMs();
      charged = await executeOnL1(built, workload.claimHalfGas);
      const middle = cpuMs();
      await full();
      executeCpu = Math.min(executeCpu, middle - start);
      l1Cpu = Math.min(l1Cpu, cpuMs() - middle);
    }
    const l2Gas = Number(built.block.header.gasUsed);
    const execute = executeCpu / (Number(charged) / 1e6);
    const l1 = l1Cpu / (l2Gas / 1e6);
    perMgas.push({ execute, l1 });
    rows.push({
      block: workload.name,
      "gas a call": callGas === undefined ? "" : Number(callGas),
      "L2 gas used": l2Gas,
      "witness bytes": built.witness.length,
      "EXECUTE L1 gas": Number(charged),
      "EXECUTE CPU ms": executeCpu.toFixed(1),
      "EXECUTE CPU ms / M L1 gas": execute.toFixed(0),
      "L1 run CPU ms / M gas": l1.toFixed(0),
      "EXECUTE ÷ L1 run": (execute / l1).toFixed(2),
    });
    // Each row as it is measured: a full table takes many minutes on a loaded machine.
    console.log(
      `${workload.name}: EXECUTE ${execute.toFixed(0)} CPU ms per M L1 gas, L1 run ${l1.toFixed(0)} per M gas`,
    );
  }
  const honest = perMgas[0]?.execute;
  const l1Worst = Math.max(...perMgas.map((p) => p.l1));
  for (const [i, row] of rows.entries()) {
    if (honest !== undefined) row["EXECUTE ÷ first row"] = (perMgas[i].execute / honest).toFixed(2);
    row["EXECUTE ÷ L1's worst run"] = (perMgas[i].execute / l1Worst).toFixed(2);
  }
  console.table(rows);
  console.log(`L1's worst run in this table: ${l1Worst.toFixed(0)} CPU ms per M gas; load average ${loadAverage()}`);
}

async function main(): Promise<void> {
  if (process.env.BENCH_PRICE_ONLY !== "1") await statelessVsFullState();
  if (process.env.BENCH_STATELESS_ONLY !== "1") await priceAgainstWork();
}

// Run only as a script: scripts/bench-gc.ts imports `buildWorkload` to build the same blocks.
if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
