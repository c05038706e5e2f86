import { type TypedTransaction, createFeeMarket1559Tx } from "@ethereumjs/tx";
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import { expect } from "chai";

import type { Sequencer } from "../../../rollup-node/l2/sequencer";
import type { L2Store } from "../../../rollup-node/l2/store";
import type { ProducedBlock } from "../../../rollup-node/l2/types";
import { common, describeSequencers, openSequencer, signers } from "./l2Support";

const TO = "0x00000000000000000000000000000000000000bb";
/** Longer than an admission takes on a loaded machine, far shorter than the test's timeout. */
const ADMISSION_DEADLINE_MS = 5_000;

type Signer = ReturnType<typeof signers>[number];

/** An EIP-1559 transfer of `signer` at `nonce` paying `maxFeePerGas` (the tip bumped with it). */
function transferAt(signer: Signer, nonce: bigint, maxFeePerGas: bigint, value = 1n): TypedTransaction {
  return createFeeMarket1559Tx(
    {
      chainId: common.chainId(),
      nonce,
      maxFeePerGas,
      maxPriorityFeePerGas: maxFeePerGas / 100n,
      gasLimit: 21_000n,
      to: TO,
      value,
    },
    { common },
  ).sign(signer.privateKey);
}

const hex = (txs: readonly TypedTransaction[]): string[] => txs.map((tx) => bytesToHex(tx.hash()));

/** Resolves to the admission's hash, or fails the test if it has not resolved by the deadline. */
async function admittedPromptly(sequencer: Sequencer, tx: TypedTransaction): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new Error(`admission still waiting after ${ADMISSION_DEADLINE_MS} ms: it waits for the block build`)),
      ADMISSION_DEADLINE_MS,
    );
  });
  try {
    return bytesToHex(await Promise.race([sequencer.submitTransaction(tx), deadline]));
  } finally {
    clearTimeout(timer);
  }
}

/** Releases of the builds held, for a test that fails before it releases its own. */
const held: (() => void)[] = [];

/**
 * Holds the next block build of `sequencer` at its storage step (executed and witnessed, the
 * chain's lock held, the head not yet moved) until `release` is called.
 */
function holdNextBuild(sequencer: Sequencer): { reached: Promise<void>; release: () => void } {
  const store = (sequencer as unknown as { store: L2Store }).store;
  const commit = store.commitBlock.bind(store);
  let reach: () => void = () => {};
  let release: () => void = () => {};
  const reached = new Promise<void>((resolve) => {
    reach = resolve;
  });
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  store.commitBlock = async (blockCommit) => {
    store.commitBlock = commit;
    reach();
    await released;
    return commit(blockCommit);
  };
  held.push(release);
  return { reached, release };
}

describe("L2 sequencer: admission while a block is built", function () {
  this.timeout(60_000);
  // Registered first, so it runs first: a failed test may leave a build held; released, the node can close.
  afterEach(() => {
    for (const release of held.splice(0)) release();
  });
  const { dirs, track } = describeSequencers();

  it("admits transactions while a block is built; they are neither lost nor included twice, and each sender's nonces stay in order", async () => {
    const sequencer = track(await openSequencer(dirs.make()));
    const [alice, bob] = signers(2);
    const first = alice!.tx({ to: TO, value: 1n, gasLimit: 21_000n });
    await sequencer.submitTransaction(first);
    const build = holdNextBuild(sequencer);
    const producing = sequencer.produceBlock();
    await build.reached;

    // Alice's next nonce and a new sender arrive while block 1 (holding Alice's nonce 0) is built.
    const later = alice!.tx({ to: TO, value: 2n, gasLimit: 21_000n });
    const other = bob!.tx({ to: TO, value: 3n, gasLimit: 21_000n });
    expect(await admittedPromptly(sequencer, later)).to.equal(bytesToHex(later.hash()));
    expect(await admittedPromptly(sequencer, other)).to.equal(bytesToHex(other.hash()));
    expect(await sequencer.pendingNonce(alice!.address.bytes)).to.equal(2n);
    build.release();

    const one = await producing;
    expect(hex(one.block.transactions)).to.deep.equal(hex([first]));
    expect(sequencer.pendingTransactions().map((tx) => bytesToHex(tx.hash()))).to.have.members(hex([later, other]));
    const two = await sequencer.produceBlock();
    expect(hex(two.block.transactions)).to.have.members(hex([later, other]));
    expect(sequencer.pendingTransactions()).to.deep.equal([]);
    expect(sequencer.chain.getReceipt(later.hash())?.status).to.equal(1);
    expect(await sequencer.chain.getNonce(alice!.address.bytes)).to.equal(2n);
    expect(await sequencer.chain.getBalance(hexToBytes(TO))).to.equal(6n);
  });

  it("a replacement admitted while the replaced transaction's block is built is dropped once that block is stored, from the pool and the journal", async () => {
    const dir = dirs.make();
    const sequencer = track(await openSequencer(dir));
    const [alice] = signers(1);
    const replaced = transferAt(alice!, 0n, 10n ** 11n, 1n);
    await sequencer.submitTransaction(replaced);
    const build = holdNextBuild(sequencer);
    const producing = sequencer.produceBlock();
    await build.reached;

    // Judged against the head the block is built on (nonce 0 unused): a valid replacement.
    const replacement = transferAt(alice!, 0n, 2n * 10n ** 11n, 2n);
    expect(await admittedPromptly(sequencer, replacement)).to.equal(bytesToHex(replacement.hash()));
    build.release();

    const one: ProducedBlock = await producing;
    // The block took what it snapshotted: nonce 0 is consumed by the replaced transaction.
    expect(hex(one.block.transactions)).to.deep.equal(hex([replaced]));
    expect(sequencer.pendingTransaction(replacement.hash())).to.equal(undefined);
    expect(sequencer.pendingTransactions()).to.deep.equal([]);
    expect(await sequencer.pendingNonce(alice!.address.bytes)).to.equal(1n);
    const journaled = await (sequencer as unknown as { store: L2Store }).store.pooled(common);
    expect(journaled.txs).to.deep.equal([]);

    // The sender goes on at nonce 1.
    const next = transferAt(alice!, 1n, 10n ** 11n);
    await sequencer.submitTransaction(next);
    const two = await sequencer.produceBlock();
    expect(hex(two.block.transactions)).to.deep.equal(hex([next]));
  });

  it("a replacement admitted while a block is built that does not hold the replaced transaction takes its place", async () => {
    const sequencer = track(await openSequencer(dirs.make()));
    const [alice, bob] = signers(2);
    await sequencer.submitTransaction(bob!.tx({ to: TO, value: 1n, gasLimit: 21_000n }));
    const build = holdNextBuild(sequencer);
    const producing = sequencer.produceBlock();
    await build.reached;

    // Alice's first transaction and its replacement both arrive during the build of block 1.
    const replaced = transferAt(alice!, 0n, 10n ** 11n, 1n);
    const replacement = transferAt(alice!, 0n, 2n * 10n ** 11n, 2n);
    await admittedPromptly(sequencer, replaced);
    await admittedPromptly(sequencer, replacement);
    build.release();
    await producing;

    expect(hex(sequencer.pendingTransactions())).to.deep.equal(hex([replacement]));
    const two = await sequencer.produceBlock();
    expect(hex(two.block.transactions)).to.deep.equal(hex([replacement]));
  });

  it("a kill during a build loses no transaction acknowledged before or during it", async () => {
    const dir = dirs.make();
    const sequencer = track(await openSequencer(dir));
    const [alice, bob] = signers(2);
    const before = alice!.tx({ to: TO, value: 1n, gasLimit: 21_000n });
    await sequencer.submitTransaction(before);
    const build = holdNextBuild(sequencer);
    const producing = sequencer.produceBlock();
    await build.reached;
    const during = [
      alice!.tx({ to: TO, value: 2n, gasLimit: 21_000n }),
      bob!.tx({ to: TO, value: 3n, gasLimit: 21_000n }),
    ];
    for (const tx of during) await admittedPromptly(sequencer, tx);

    // SIGKILL now: the block is executed but its record not stored.
    const crashed = dirs.crashCopy(dir);
    build.release();
    await producing;

    const restarted = track(await openSequencer(crashed));
    expect(restarted.chain.headNumber).to.equal(0n);
    expect(hex(restarted.pendingTransactions())).to.have.members(hex([before, ...during]));
    const one = await restarted.produceBlock();
    expect(hex(one.block.transactions)).to.have.members(hex([before, ...during]));
    expect(await restarted.chain.getNonce(alice!.address.bytes)).to.equal(2n);
  });
});
