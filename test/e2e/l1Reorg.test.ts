import { expect } from "chai";
import { Transaction, parseEther } from "ethers";

import { type E2eRollup, eventually, startE2eRollup } from "./support/harness";

describe("e2e: an L1 reorg that drops an advance and a queued message", function () {
  this.timeout(90_000);
  let r: E2eRollup;

  before(async () => {
    r = await startE2eRollup();
  });

  after(async () => {
    await r?.stop();
  });

  async function quiet(): Promise<bigint> {
    const head = BigInt(await r.l2.getBlockNumber());
    await eventually(
      "L1 to accept the L2 head",
      async () => ((await r.rollup().headNumber()) === BigInt(await r.l2.getBlockNumber()) ? true : undefined),
      30_000,
    );
    return head;
  }

  it("re-submits the dropped block once the message is queued again, relays it exactly once, and L1 and L2 agree afterwards", async () => {
    const recipient = "0x000000000000000000000000000000000000aeae";
    await (await r.rollup(1).depositETH(recipient, { value: parseEther("1") })).wait();
    await eventually("the first deposit", async () =>
      (await r.l2.getBalance(recipient)) === parseEther("1") ? true : undefined,
    );
    await quiet();
    const headBefore = await r.rollup().headNumber();
    const countBefore = await r.rollup().messageCount();

    const snapshot = (await r.l1.send("evm_snapshot", [])) as string;
    // The deposit, signed once, so the "reorg" can include the very same transaction again.
    const wallet = r.l1Wallet(2);
    const request = await wallet.populateTransaction(
      await r.rollup(2).depositETH.populateTransaction(recipient, { value: parseEther("2") }),
    );
    const raw = await wallet.signTransaction(request);
    await (await r.l1.broadcastTransaction(raw)).wait();
    await eventually("the second deposit on L2", async () =>
      (await r.l2.getBalance(recipient)) === parseEther("3") ? true : undefined,
    );
    const relayedIn = BigInt(await r.l2.getBlockNumber());
    await eventually("L1 to accept the block relaying it", async () =>
      (await r.rollup().headNumber()) >= relayedIn ? true : undefined,
    );
    expect(await r.rollup().messageCount()).to.equal(countBefore + 1n);

    // The reorg: L1 loses the deposit and the advance of the block that relayed it.
    expect(await r.l1.send("evm_revert", [snapshot])).to.equal(true);
    expect(await r.rollup().headNumber()).to.equal(headBefore);
    expect(await r.rollup().messageCount()).to.equal(countBefore);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // L2 keeps its block: the node must not advance L1 past what L1 can accept.
    expect(await r.rollup().headNumber()).to.equal(headBefore);

    // The same deposit lands again on the new branch: the node re-submits its blocks.
    await (await r.l1.broadcastTransaction(raw)).wait();
    expect(Transaction.from(raw).hash).to.be.a("string");
    await quiet();
    const head = BigInt(await r.l2.getBlockNumber());
    expect((await r.l2.getBlock(Number(head)))?.hash).to.equal(await r.rollup().headHash());
    expect(await r.l2.getBalance(recipient)).to.equal(parseEther("3"));
    expect(await r.rollup().nextMessageIndex()).to.equal(await r.rollup().messageCount());

    // And the node keeps relaying new messages exactly once.
    await (await r.rollup(3).depositETH(recipient, { value: parseEther("4") })).wait();
    await eventually("the third deposit on L2", async () =>
      (await r.l2.getBalance(recipient)) === parseEther("7") ? true : undefined,
    );
    await quiet();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await r.l2.getBalance(recipient)).to.equal(parseEther("7"));
    const status = (await r.l2.send("rollup_status", [])) as Record<string, string>;
    expect(status.submitter).to.equal("running");
    expect(BigInt(status.pendingL1Messages as string)).to.equal(0n);
    expect(await r.rollup().nextMessageIndex()).to.equal(await r.rollup().messageCount());
    const rollupHead = await r.rollup().headNumber();
    expect((await r.l2.getBlock(Number(rollupHead)))?.hash).to.equal(await r.rollup().headHash());
  });
});
