import { RLP } from "@ethereumjs/rlp";
import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";

import { type StoredValue, VERIFIER_WRITES, encodeWitness, verifyBlock } from "../../../precompiles";
import { keccak256 } from "../../../precompiles/crypto";
import {
  type CaptureRequest,
  ShippedNodesDB,
  shipNodes,
  transferables,
  unshipNodes,
} from "../../../rollup-node/chain/captureProtocol";
import { Chain } from "../../../rollup-node/chain/chain";
import type { NodeCacheDB } from "../../../rollup-node/chain/nodeCacheDb";
import { captureWitness, storeAncestors } from "../../../rollup-node/chain/witnessCapture";
import { l2Genesis } from "../../../rollup-node/l2/genesis";
import { TestSigner } from "../../../tools/l2Fixtures";

const CHAIN_ID = 926n;
const READ_ONLY = "0x00000000000000000000000000000000000be11e";
const READER = "0x0000000000000000000000000000000000005eed";

/** A node with one value changed: an account leaf's balance + 1, else (a code too) its last byte flipped. */
function forge(node: Uint8Array): Uint8Array {
  let decoded: Uint8Array[];
  try {
    decoded = RLP.decode(node) as unknown as Uint8Array[];
  } catch {
    decoded = []; // a code: not RLP
  }
  if (Array.isArray(decoded) && decoded.length === 2 && decoded[1] instanceof Uint8Array) {
    try {
      const account = RLP.decode(decoded[1]) as unknown as Uint8Array[];
      if (Array.isArray(account) && account.length === 4) {
        const balance = BigInt(bytesToHex(account[1] as Uint8Array).replace(/^0x$/, "0x0")) + 1n;
        const hex = balance.toString(16);
        const bytes = Uint8Array.from(Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, "hex"));
        return RLP.encode([
          decoded[0] as Uint8Array,
          RLP.encode([account[0] as Uint8Array, bytes, account[2] as Uint8Array, account[3] as Uint8Array]),
        ]);
      }
    } catch {
      // not an account leaf
    }
  }
  const copy = node.slice();
  copy[copy.length - 1] ^= 1;
  return copy;
}

describe("capture thread: a node shipped under its hash with other bytes", function () {
  this.timeout(600_000);

  it("never yields a witness L1 would refuse: the capture fails instead", async () => {
    const probe = await Chain.create({
      genesis: l2Genesis({ chainId: CHAIN_ID, timestamp: 1_800_000_000n, bridgeCode: "0x00" }),
      captureThread: "main",
    });
    const signers = [0, 1, 2].map((seed) => TestSigner.fromSeed(80 + seed, probe.common));
    const alloc: Record<string, { balance?: bigint; nonce?: bigint; code?: `0x${string}` }> = Object.fromEntries(
      signers.map((s) => [s.address.toString(), { balance: 10n ** 21n }]),
    );
    // Reads BALANCE of an account the block never writes, and discards it: its leaf is read, not written.
    alloc[READ_ONLY] = { balance: 5n };
    alloc[READER] = { nonce: 1n, code: `0x73${READ_ONLY.slice(2)}315000` };
    const chain = await Chain.create({
      genesis: l2Genesis({ chainId: CHAIN_ID, timestamp: 1_800_000_000n, bridgeCode: "0x00", alloc }),
      captureThread: "main",
    });
    const txs = [signers[0]!.tx({ to: READER, gasLimit: 60_000n })];
    txs.push(
      ...signers
        .slice(1)
        .map((s, i) => s.tx({ to: `0x${(0xf00 + i).toString(16).padStart(40, "0")}`, value: 1n, gasLimit: 21_000n })),
    );
    const mined = await chain.mineBlock(txs, { captureWitness: true, timestamp: 1_800_000_012n });
    const parent = chain.resolveBlock(0n).block.header;
    const block = mined.record.block;
    const internals = chain as unknown as { db: NodeCacheDB; store: Parameters<typeof storeAncestors>[0] };
    const outcomes: string[] = [];
    for (const rule of VERIFIER_WRITES)
      for (const node of mined.witness?.state ?? []) {
        const key = bytesToHex(keccak256(node)).slice(2);
        const db = new ShippedNodesDB(new Map([[key, forge(node)]]), (k, opts) => internals.db.get(k, opts));
        let outcome: string;
        try {
          const witness = await captureWitness({
            common: chain.common,
            db,
            ancestors: storeAncestors(internals.store),
            preStateRoot: parent.stateRoot,
            block,
            writes: rule,
          });
          try {
            await verifyBlock({
              chainId: CHAIN_ID,
              parentHeader: parent.serialize(),
              block: block.serialize(),
              witness: encodeWitness(witness),
              writes: rule,
            });
            outcome = `${rule}: witness L1 accepts`;
          } catch (error) {
            outcome = `${rule}: witness L1 refuses: ${(error as Error).message.slice(0, 100)}`;
          }
        } catch (error) {
          outcome = `${rule}: capture failed: ${(error as Error).constructor.name}: ${(error as Error).message.slice(0, 100)}`;
        }
        outcomes.push(outcome);
      }
    expect(outcomes.length).to.equal(VERIFIER_WRITES.length * (mined.witness?.state.length ?? 0));
    expect(outcomes.length).to.be.greaterThan(0);
    expect(
      outcomes.filter((o) => o.includes(": witness")),
      outcomes.join("\n"),
    ).to.deep.equal([]);
    // Found where it is read, not as a block the re-execution does not give.
    for (const o of outcomes)
      expect(o).to.match(/capture failed: StoredNodeMismatchError: the trie database's value for key/);
  });

  it("on the capture thread: shipped nodes with other bytes fail the thread's capture, and the chain captures the block itself", async () => {
    const probe = await Chain.create({
      genesis: l2Genesis({ chainId: CHAIN_ID, timestamp: 1_800_000_000n, bridgeCode: "0x00" }),
      captureThread: "main",
    });
    const signers = [0, 1, 2].map((seed) => TestSigner.fromSeed(90 + seed, probe.common));
    const alloc = Object.fromEntries(signers.map((s) => [s.address.toString(), { balance: 10n ** 21n }]));
    const genesis = l2Genesis({ chainId: CHAIN_ID, timestamp: 1_800_000_000n, bridgeCode: "0x00", alloc });
    const warnings: string[] = [];
    const logger = { info: () => {}, debug: () => {}, error: () => {}, warn: (m: string) => warnings.push(m) };
    const main = await Chain.create({ genesis, captureThread: "main" });
    const worker = await Chain.create({ genesis, captureThread: "worker", logger });
    await worker.warmCapture();
    const thread = (worker as unknown as { captureThread: { worker: import("node:worker_threads").Worker } })
      .captureThread;
    const port = thread.worker;
    const post = port.postMessage.bind(port);
    let forged = 0;
    port.postMessage = (message: unknown, transfer?: readonly import("node:worker_threads").Transferable[]) => {
      if ((message as { kind?: string }).kind !== "capture") return post(message, transfer as never);
      const request = message as CaptureRequest;
      const nodes = new Map(
        [...unshipNodes(request.nodes)].map(([key, value]): [string, StoredValue | undefined] => {
          if (!(value instanceof Uint8Array)) return [key, value];
          forged++;
          return [key, forge(value)];
        }),
      );
      const shipped = shipNodes(nodes);
      post({ ...request, nodes: shipped }, transferables(shipped.values));
    };
    const txs = signers.map((s, i) =>
      s.tx({ to: `0x${(0xf00 + i).toString(16).padStart(40, "0")}`, value: 1n, gasLimit: 21_000n }),
    );
    const opts = { captureWitness: true, timestamp: 1_800_000_012n };
    const fromMain = await main.mineBlock(txs, opts);
    const fromWorker = await worker.mineBlock(txs, opts);
    expect(forged).to.be.greaterThan(0);
    expect(bytesToHex(fromWorker.encodedWitness as Uint8Array)).to.equal(
      bytesToHex(fromMain.encodedWitness as Uint8Array),
    );
    expect(worker.capture).to.include({ onThread: 0, fallbacks: 1 });
    expect(warnings.join("\n")).to.match(/StoredNodeMismatchError|hashes to/);
    await worker.close();
  });
});
