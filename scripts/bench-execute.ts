/**
 * Benchmark of EXECUTE's stateless re-execution (`npm run bench:execute`).
 *
 * For blocks of 100 ETH transfers and of 100 ERC-20 transfers it runs, side by side in one
 * process: the verifier (`verifyBlock`: decode, header checks, execution from the witness) and
 * the same block executed with the full state (decode + runBlock on the full trie), and prints
 * their Mgas/s, the ratio, witness bytes per Mgas and per transaction, and EXECUTE's L1 gas.
 */
import { createBlockFromRLP } from "@ethereumjs/block";
import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { ValueEncoding, bytesToHex, hexToBytes } from "@ethereumjs/util";
import { createVM, runBlock } from "@ethereumjs/vm";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { readFileSync } from "node:fs";
import path from "node:path";

import { SafeMerkleStateManager, chargedL2Gas, encodeExecuteInput, executeGasCost, l2GasClaimOf, verifyBlock } from "../precompiles";
import { TestSigner, word } from "../test/support/l2Fixtures";
import { type BuiltBlock, L2TestChain, type TestAccount } from "../test/support/l2TestChain";

const CHAIN_ID = 903n;
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

interface Workload {
  readonly name: string;
  readonly chain: L2TestChain;
  readonly built: BuiltBlock;
}

async function buildWorkload(name: string, kind: "eth" | "erc20"): Promise<Workload> {
  const probe = await L2TestChain.create(CHAIN_ID, []);
  const senders = Array.from({ length: TXS_PER_BLOCK }, (_, i) => TestSigner.fromSeed(1000 + i, probe.common));
  const storage = Object.fromEntries(senders.map((s) => [balanceSlot(s.address.toString()), "0x0de0b6b3a7640000"]));
  const accounts: TestAccount[] = [
    ...senders.map((s) => ({ address: s.address.toString(), balance: 10n ** 20n })),
    { address: TOKEN_ADDRESS, code: tokenRuntimeCode(), storage },
    ...Array.from({ length: FILLER_ACCOUNTS }, (_, i) => ({ address: `0x${(0xf000000n + BigInt(i)).toString(16).padStart(40, "0")}`, balance: 1n })),
  ];
  const chain = await L2TestChain.create(CHAIN_ID, accounts);
  const txs = senders.map((s, i) => {
    const signer = TestSigner.fromSeed(1000 + i, chain.common);
    const recipient = `0x${(0xabc0000n + BigInt(i)).toString(16).padStart(40, "0")}`;
    return kind === "eth"
      ? signer.tx({ to: recipient, value: 1n, gasLimit: 21_000n })
      : signer.tx({ to: TOKEN_ADDRESS, data: `0xa9059cbb${word(BigInt(recipient))}${word(1)}`, gasLimit: 80_000n });
  });
  return { name, chain, built: await chain.buildBlock(txs) };
}

async function timeIt(rounds: number, run: () => Promise<unknown>): Promise<number> {
  await run(); // warm-up: JIT and caches
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) await run();
  return Number(process.hrtime.bigint() - start) / 1e6 / rounds;
}

async function fullStateRun(workload: Workload): Promise<void> {
  const { chain, built } = workload;
  const block = createBlockFromRLP(built.blockRlp, { common: chain.common });
  const trie = new MerklePatriciaTrie({ db: chain.database, useKeyHashing: true, common: chain.common, valueEncoding: ValueEncoding.Bytes });
  const stateManager = new SafeMerkleStateManager({ common: chain.common, trie });
  const parentStateRoot = chain.headerAt(block.header.number - 1n).stateRoot;
  await stateManager.setStateRoot(parentStateRoot);
  const vm = await createVM({ common: chain.common, stateManager });
  await runBlock(vm, { block, generate: true, skipBlockValidation: true, skipHardForkValidation: true });
}

async function main(): Promise<void> {
  console.log(
    `EXECUTE re-execution benchmark: ${TXS_PER_BLOCK} txs per block, ${FILLER_ACCOUNTS} other accounts in the state, ${ROUNDS} rounds each, node ${process.version}`,
  );
  const rows = [];
  for (const [name, kind] of [["ETH transfers", "eth"], ["ERC-20 transfers", "erc20"]] as const) {
    const workload = await buildWorkload(name, kind);
    const { built } = workload;
    const gas = Number(built.block.header.gasUsed);
    const statelessMs = await timeIt(ROUNDS, () =>
      verifyBlock({ chainId: CHAIN_ID, parentHeader: built.parentHeader, block: built.blockRlp, witness: built.witness }),
    );
    const fullMs = await timeIt(ROUNDS, () => fullStateRun(workload));
    const input = encodeExecuteInput({ chainId: CHAIN_ID, parentHeader: built.parentHeader, block: built.blockRlp, witness: built.witness, proofs: new Uint8Array() });
    rows.push({
      block: name,
      "gas used": gas,
      "stateless ms": statelessMs.toFixed(1),
      "stateless Mgas/s": (gas / 1e3 / statelessMs).toFixed(2),
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

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
