import path from "node:path";
import type { Transferable, Worker } from "node:worker_threads";

import type { TypedTransaction } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";

import { Chain } from "../../../rollup-node/chain/chain";
import type { CaptureThread } from "../../../rollup-node/chain/captureProtocol";
import { encodeWitness } from "../../../precompiles";
import { ShippedNodesDB } from "../../../rollup-node/chain/captureProtocol";
import { CaptureThreadError } from "../../../rollup-node/chain/captureThread";
import type { NodeCacheDB } from "../../../rollup-node/chain/nodeCacheDb";
import type { MineOptions, MinedBlock } from "../../../rollup-node/chain/types";
import { type AncestorSource, captureWitness, storeAncestors } from "../../../rollup-node/chain/witnessCapture";
import { writingAlloc } from "../../support/writingAlloc";
import { TempDirs, openSequencer, signers as l2Signers } from "../l2/l2Support";
import { startConformanceNode } from "../../../rollup-node/conformance/conformanceNode";
import { locateSuite } from "../../../rollup-node/conformance/suite";
import { l2Genesis } from "../../../rollup-node/l2/genesis";
import type { Logger } from "../../../rollup-node/logger";
import { Rng } from "../../../tools/executeFuzz";
import {
  BLOCKHASH_ADDRESS,
  STORE_AND_LOG_INITCODE,
  TestSigner,
  randomWritingTx,
  word,
} from "../../../tools/l2Fixtures";

const CHAIN_ID = 926n;
const GENESIS_TIME = 1_800_000_000n;

/** What a mined block is, for comparing two chains: its hash, transactions, skips and witness. */
function summary(mined: MinedBlock): string {
  return JSON.stringify({
    hash: bytesToHex(mined.record.block.hash()),
    txs: mined.record.block.transactions.length,
    skipped: mined.skipped.map((s) => `${bytesToHex(s.tx.hash())} ${s.reason}`),
    witness: bytesToHex(mined.encodedWitness as Uint8Array),
  });
}

interface Pair {
  readonly main: Chain;
  readonly worker: Chain;
  readonly signers: TestSigner[];
  readonly warnings: string[];
}

async function pair(): Promise<Pair> {
  const probe = await Chain.create({
    genesis: l2Genesis({ chainId: CHAIN_ID, timestamp: GENESIS_TIME, bridgeCode: "0x00" }),
    captureThread: "main",
  });
  const signers = [0, 1, 2, 3, 4, 5].map((seed) => TestSigner.fromSeed(60 + seed, probe.common));
  const alloc = writingAlloc(signers);
  const genesis = l2Genesis({ chainId: CHAIN_ID, timestamp: GENESIS_TIME, bridgeCode: "0x00", alloc });
  const warnings: string[] = [];
  const logger: Logger = { info: () => {}, debug: () => {}, error: () => {}, warn: (m) => warnings.push(m) };
  const create = (captureThread: CaptureThread): Promise<Chain> => Chain.create({ genesis, captureThread, logger });
  const [main, worker] = await Promise.all([create("main"), create("worker")]);
  await worker.warmCapture();
  expect(worker.capture).to.include({ thread: "worker", ready: true });
  expect(main.capture).to.include({ thread: "main", ready: false });
  return { main, worker, signers, warnings };
}

function randomTxs(rng: Rng, signers: readonly TestSigner[], count: number, head: bigint): TypedTransaction[] {
  const more = [
    (signer: TestSigner) => signer.tx({ data: STORE_AND_LOG_INITCODE, gasLimit: 200_000n }),
    (signer: TestSigner) => signer.tx({ to: BLOCKHASH_ADDRESS, data: `0x${word(BigInt(rng.int(Number(head) + 1)))}` }),
  ];
  return Array.from({ length: count }, () => randomWritingTx(rng, signers, 300, more));
}

/** The chain's capture thread (a private field). */
function threadOf(chain: Chain): { worker?: Worker } {
  return (chain as unknown as { captureThread: { worker?: Worker } }).captureThread;
}

/** Calls `action` right after `chain` ships a block to its capture thread (between ship and answer). */
function afterShipping(chain: Chain, action: (worker: Worker) => void): void {
  const worker = threadOf(chain).worker as Worker;
  const post = worker.postMessage.bind(worker);
  worker.postMessage = (message: unknown, transfer?: readonly Transferable[]) => {
    post(message, transfer as never);
    if ((message as { kind?: string }).kind === "capture") action(worker);
  };
}

/** Mines `txs` on both chains at one timestamp and expects the same block and witness. */
async function mineBoth(
  chains: Pair,
  txs: TypedTransaction[],
  options: MineOptions,
  label: string,
): Promise<MinedBlock> {
  const timestamp = chains.main.head.header.timestamp + 12n;
  const opts: MineOptions = { ...options, captureWitness: true, timestamp };
  const fromMain = await chains.main.mineBlock(txs, opts);
  const fromWorker = await chains.worker.mineBlock(txs, opts);
  expect(summary(fromWorker), label).to.equal(summary(fromMain));
  return fromWorker;
}

describe("chain: the witness capture on its own thread (captureThread 'worker')", function () {
  this.timeout(600_000);

  it("records the same witness as the chain's thread: random transfer, contract and BLOCKHASH blocks", async () => {
    const chains = await pair();
    const rng = new Rng(20261129);
    const blocks = 14;
    for (let n = 1; n <= blocks; n++) {
      const txs = randomTxs(rng, chains.signers, 1 + rng.int(20), chains.main.headNumber);
      await mineBoth(chains, txs, {}, `block ${n}`);
    }
    // Every block was captured on the thread, none fell back.
    expect(chains.worker.capture).to.include({ onThread: blocks, fallbacks: 0 });
    expect(chains.main.capture).to.include({ onThread: 0 });
    await chains.worker.close();
  });

  it("records the same witnesses through the witness budget's rebuilds", async () => {
    const chains = await pair();
    const rng = new Rng(7);
    // Warm-up blocks: a state with contracts and storage.
    for (let n = 1; n <= 3; n++)
      await mineBoth(chains, randomTxs(rng, chains.signers, 12, chains.main.headNumber), {}, `warm-up ${n}`);
    let rebuilt = 0;
    for (let n = 1; n <= 4; n++) {
      const txs = randomTxs(rng, chains.signers, 30, chains.main.headNumber);
      const mined = await mineBoth(chains, txs, { maxWitnessBytes: 6_000 + 2_000 * n }, `budget block ${n}`);
      if (mined.skipped.some((s) => s.reason.includes("witness budget"))) rebuilt++;
    }
    // The budget cut (rebuilt) blocks: the thread captured every build's witness.
    expect(rebuilt).to.be.greaterThan(0);
    expect(chains.worker.capture.onThread).to.be.greaterThan(7);
    expect(chains.worker.capture.fallbacks).to.equal(0);
    await chains.worker.close();
  });

  it("captures a block on the chain's thread when the capture thread dies mid-capture, logged once", async () => {
    const chains = await pair();
    const rng = new Rng(11);
    await mineBoth(chains, randomTxs(rng, chains.signers, 10, 0n), {}, "block 1");
    // The thread is terminated right after the block is shipped: it dies between ship and answer.
    afterShipping(chains.worker, (worker) => void worker.terminate());
    await mineBoth(chains, randomTxs(rng, chains.signers, 10, 1n), {}, "block 2, its thread killed");
    expect(chains.worker.capture).to.include({ onThread: 1, fallbacks: 1 });
    expect(chains.warnings).to.have.length(1);
    expect(chains.warnings[0]).to.match(
      /block 2's witness was captured on the chain's thread: the capture thread failed/,
    );
    // A new thread was started: the blocks after it are captured there again.
    await chains.worker.warmCapture();
    await mineBoth(chains, randomTxs(rng, chains.signers, 10, 2n), {}, "block 3");
    expect(chains.worker.capture).to.include({ onThread: 2, fallbacks: 1 });
    expect(chains.warnings).to.have.length(1);
    await chains.worker.close();
  });

  it("fails the block in production, not stored, when the chain is closed during its capture", async () => {
    const chains = await pair();
    const rng = new Rng(13);
    afterShipping(chains.worker, () => void chains.worker.close());
    const head = chains.worker.head.hash();
    const error = await chains.worker.mineBlock(randomTxs(rng, chains.signers, 10, 0n), { captureWitness: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(CaptureThreadError);
    expect(error).to.include({ code: "CAPTURE_THREAD", closed: true });
    expect(bytesToHex(chains.worker.head.hash())).to.equal(bytesToHex(head));
    expect(chains.worker.capture.fallbacks).to.equal(0);
    expect(chains.warnings).to.deep.equal([]);
  });

  it("the thread's database gives the in-thread witness on the conformance blocks, whichever nodes were shipped", async () => {
    // The conformance chain has a fork schedule of its own (a geth genesis), so its chain captures
    // on its own thread; what the capture thread changes is the database and the header source,
    // and those are compared here on every block of chain.rlp: nothing shipped (every node asked
    // for), all the nodes its capture read, a random half of them.
    const { chain } = await startConformanceNode(locateSuite(path.resolve(__dirname, "..", "..", "..")));
    const internals = chain as unknown as { db: NodeCacheDB; store: Parameters<typeof storeAncestors>[0] };
    const fromStore = storeAncestors(internals.store);
    // Headers as the thread holds them: bytes and hash copied from the chain's, nothing else.
    const asShipped: AncestorSource = async (number) => {
      const header = await fromStore(number);
      if (header === undefined) return undefined;
      const hash = Uint8Array.from(header.hash());
      const serialized = Uint8Array.from(header.serialize());
      return { hash: () => hash, serialize: () => serialized };
    };
    const rng = new Rng(5);
    const outcome = (capture: Promise<unknown>): Promise<string> =>
      capture.then(
        (witness) => bytesToHex(encodeWitness(witness as Parameters<typeof encodeWitness>[0])),
        (error: Error) => `${error.constructor.name}: ${error.message}`,
      );
    let witnessed = 0;
    let asked = 0;
    for (let n = 1n; n <= chain.headNumber; n++) {
      const block = chain.resolveBlock(n).block;
      const common = chain.common.copy();
      common.setHardforkBy({ blockNumber: n, timestamp: block.header.timestamp });
      const params = {
        common,
        block,
        preStateRoot: chain.resolveBlock(n - 1n).block.header.stateRoot,
        writes: chain.writeRules,
      };
      internals.db.recordReads();
      const inThread = await outcome(captureWitness({ ...params, db: internals.db, ancestors: fromStore }));
      const read = internals.db.takeReads();
      const half = new Map([...read].filter(() => rng.int(2) === 0));
      for (const [label, shipped] of [
        ["nothing shipped", new Map()],
        ["all shipped", new Map(read)],
        ["half shipped", half],
      ] as const) {
        const db = new ShippedNodesDB(new Map(shipped), (key, opts) => internals.db.get(key, opts));
        const onThread = await outcome(captureWitness({ ...params, db, ancestors: asShipped }));
        expect(onThread, `block ${n}, ${label}`).to.equal(inThread);
        asked += db.asks;
      }
      if (inThread.startsWith("0x")) witnessed++;
    }
    process.stderr.write(
      `      ${witnessed} of ${chain.headNumber} conformance blocks witnessed, ${asked} nodes asked for\n`,
    );
    expect(witnessed).to.be.greaterThan(0);
    expect(asked).to.be.greaterThan(0);
  });

  it("a sequencer closed during a capture on the thread stores the block, then stops the thread", async () => {
    const dirs = new TempDirs();
    try {
      const dir = dirs.make();
      const sequencer = await openSequencer(dir, { captureThread: "worker" });
      await sequencer.chain.warmCapture();
      const [alice] = l2Signers(1);
      await sequencer.submitTransaction(
        (alice as TestSigner).tx({ to: "0x00000000000000000000000000000000000000aa", value: 1n, gasLimit: 21_000n }),
      );
      const thread = threadOf(sequencer.chain);
      let closing: Promise<void> | undefined;
      afterShipping(sequencer.chain, () => {
        closing = sequencer.close();
      });
      const produced = await sequencer.produceBlock();
      expect(closing, "close() was called while the block's capture was on the thread").to.not.equal(undefined);
      await closing;
      expect(produced.number).to.equal(1n);
      expect(sequencer.chain.capture).to.include({ onThread: 1, fallbacks: 0 });
      expect(thread.worker, "the capture thread is stopped").to.equal(undefined);
      const reopened = await openSequencer(dir, { captureThread: "main" });
      expect(reopened.chain.headNumber).to.equal(1n);
      await reopened.close();
    } finally {
      dirs.removeAll();
    }
  });
});
