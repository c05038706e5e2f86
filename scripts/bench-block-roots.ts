/**
 * What the transactions and receipts roots cost inside a block's run, in one process, rounds
 * alternated, CPU time (docs/design/l2-throughput.md, stop 25):
 *
 *   npx ts-node --transpile-only scripts/bench-block-roots.ts
 *
 * For bench:execute's block of ETH transfers and of ERC-20 transfers it alternates (a) EXECUTE's
 * stateless verification (`verifyBlock`), (b) the two roots as `runBlock` builds them (EthereumJS
 * 10.1.3: a `MerklePatriciaTrie({ common })` with one put per transaction for the transactions root,
 * `_genTxTrie`, and one per receipt for the receipts root, applyTransactions) and (c) the same two
 * roots from `orderedTrieRoot` over the same bytes (precompiles/blockRoots.ts). (b) runs once in every verification and twice
 * a block in the node (its build and its witness capture). Then (d) the node's witness capture
 * (`recordVerifierRun` on the full state) generating the header, as before stop 25, and (e) run
 * against the header (`againstHeader`), as `captureWitness` runs it now. Prints the load average.
 */
import { type BlockHeader, createBlockHeaderFromRLP } from "@ethereumjs/block";
import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { RLP } from "@ethereumjs/rlp";
import { bytesToHex } from "@ethereumjs/util";
import { encodeReceipt } from "@ethereumjs/vm";
import { loadavg } from "node:os";

import {
  type RecordedRunParams,
  prepareCrypto,
  receiptsRootOf,
  recordVerifierRun,
  transactionsRootOf,
  verifyBlock,
} from "../precompiles";
import { CHAIN_ID, buildWorkload } from "./bench-execute";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

async function upstreamRoot(values: readonly Uint8Array[], trie: MerklePatriciaTrie): Promise<Uint8Array> {
  for (const [index, value] of values.entries()) await trie.put(RLP.encode(index), value);
  return trie.root();
}

async function main(): Promise<void> {
  const choice = await prepareCrypto();
  console.log(
    `block roots: ${ROUNDS} alternated rounds, keccak ${choice.keccak256}, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" / ")}`,
  );
  const rows = [];
  for (const [name, kind] of [
    ["ETH transfers", "eth"],
    ["ERC-20 transfers", "erc20"],
  ] as const) {
    const { built, chain } = await buildWorkload(name, kind);
    // The node's capture (recordVerifierRun on the full state), as stop 24 ran it and as it runs now.
    const parent = createBlockHeaderFromRLP(built.parentHeader, { common: chain.common });
    const internals = chain as unknown as {
      db: RecordedRunParams["db"];
      ancestry(parent: BlockHeader): { blockchain: RecordedRunParams["blockchain"] };
    };
    const capture = (againstHeader: boolean) => () =>
      recordVerifierRun({
        common: chain.common,
        db: internals.db,
        preStateRoot: parent.stateRoot,
        block: built.block,
        blockchain: internals.ancestry(parent).blockchain,
        againstHeader,
      });
    const { block, txResults } = built;
    const receipts = txResults.map((result) => result.receipt);
    // Both ways serialize the transactions and encode the receipts, as runBlock does.
    const serialized = (): Uint8Array[] => block.transactions.map((tx) => tx.serialize());
    const encoded = (): Uint8Array[] =>
      receipts.map((receipt, i) => encodeReceipt(receipt, block.transactions[i].type));
    const steps: Record<string, () => Promise<unknown>> = {
      verifyBlock: () =>
        verifyBlock({
          chainId: CHAIN_ID,
          parentHeader: built.parentHeader,
          block: built.blockRlp,
          witness: built.witness,
        }),
      trie: async () => {
        const tx = await upstreamRoot(serialized(), new MerklePatriciaTrie({ common: block.common }));
        const rc = await upstreamRoot(encoded(), new MerklePatriciaTrie({ common: block.common }));
        return [tx, rc];
      },
      captureGenerate: capture(false),
      captureAgainstHeader: capture(true),
      ordered: async () => [
        transactionsRootOf(block.transactions, block.common),
        receiptsRootOf(receipts, block.transactions, block.common),
      ],
    };
    // The two ways must agree before either is timed.
    const [a, b] = [(await steps.trie()) as Uint8Array[], (await steps.ordered()) as Uint8Array[]];
    if (
      a.map(bytesToHex).join() !== b.map(bytesToHex).join() ||
      bytesToHex(a[1]) !== bytesToHex(block.header.receiptTrie)
    )
      throw new Error(`${name}: the roots differ`);
    const cpu: Record<string, number> = Object.fromEntries(Object.keys(steps).map((key) => [key, 0]));
    for (const step of Object.values(steps)) await step(); // warm-up
    for (let round = 0; round < ROUNDS; round++)
      for (const [key, step] of Object.entries(steps)) {
        const start = cpuMs();
        await step();
        cpu[key] += cpuMs() - start;
      }
    const mean = (key: string): number => cpu[key] / ROUNDS;
    const gas = Number(block.header.gasUsed);
    const withOrdered = mean("verifyBlock") - mean("trie") + mean("ordered");
    rows.push({
      block: name,
      txs: block.transactions.length,
      "verifyBlock CPU ms": mean("verifyBlock").toFixed(1),
      "both roots, runBlock's tries, CPU ms": mean("trie").toFixed(2),
      "both roots, orderedTrieRoot, CPU ms": mean("ordered").toFixed(2),
      "tries' share of verifyBlock": `${((100 * mean("trie")) / mean("verifyBlock")).toFixed(1)} %`,
      "capture CPU ms: generate / against header": `${mean("captureGenerate").toFixed(1)} / ${mean("captureAgainstHeader").toFixed(1)}`,
      "Mgas per CPU s: now / with ordered roots": `${(gas / 1e3 / mean("verifyBlock")).toFixed(2)} / ${(gas / 1e3 / withOrdered).toFixed(2)}`,
    });
  }
  console.table(rows);
  console.log(
    `load after: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" / ")}`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
