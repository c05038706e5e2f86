import { expect } from "chai";
import { type JsonRpcProvider, Wallet, getAddress, parseEther } from "ethers";

import type { BatchSubmitter } from "../../rollup-node/bridge/batchSubmitter";
import {
  type L1ToL2Status,
  type L2ToL1Status,
  L2_BRIDGE_ADDRESS,
  type NodeRpcError,
  RollupClient,
  RollupSdkError,
  WaitTimeoutError,
  hashL1Message,
  hashL2Message,
} from "../../sdk";
import { Counter__factory } from "../../typechain-types";
import { DEPOSIT_GAS_LIMIT, messageBurn } from "../support/exampleRollup";
import { rejection } from "../rollup-node/rejection";
import { type E2eRollup, startE2eRollup } from "../e2e/support/harness";

const recipientOf = (i: number): string => getAddress(`0x${"00".repeat(19)}${i.toString(16).padStart(2, "0")}`);

/** The SDK's error thrown by `promise`, asserted to be one with `code`. */
async function sdkError(promise: Promise<unknown>, code: string): Promise<RollupSdkError> {
  const error = await rejection(promise);
  expect(error, String(error)).to.be.instanceOf(RollupSdkError);
  expect((error as RollupSdkError).code).to.equal(code);
  return error as RollupSdkError;
}

describe("sdk: RollupClient against a rollup devnet in this process", function () {
  this.timeout(60_000);
  let r: E2eRollup;
  let submitter: BatchSubmitter;
  /** Dev account 1 on both layers. */
  let client: RollupClient;

  const clientFor = (account: number, l1: JsonRpcProvider = r.l1, l2: JsonRpcProvider = r.l2): RollupClient =>
    new RollupClient({
      l1: r.l1Wallet(account).connect(l1),
      l2: r.l2Wallet(account).connect(l2),
      rollupAddress: r.devnet.deployment.address,
      l1FromBlock: BigInt(r.devnet.deployment.deployBlock),
      pollingIntervalMs: 25,
    });

  before(async () => {
    // The sequencer starts stopped so the first test can see a message queued before any L2 block.
    r = await startE2eRollup({ produceBlocks: false });
    submitter = r.devnet.node.bridge.submitter as BatchSubmitter;
    client = clientFor(1);
  });

  after(async () => {
    await r?.stop();
  });

  it("a deposit goes queued → anchored → relayed (anchor and relay share one L2 block) and credits the L2 account", async () => {
    const recipient = getAddress("0x00000000000000000000000000000000000d3905");
    const started = Date.now();
    const message = await client.deposit({ to: recipient, amount: parseEther("1.25") });
    expect(message.direction).to.equal("l1ToL2");
    expect(message.from).to.equal(r.l1Wallet(1).address);
    expect(message.messageHash).to.equal(hashL1Message(message));
    expect(message.nonce).to.equal((await client.rollup.messageCount()) - 1n);

    // No L2 block yet: the message waits in the L1 queue.
    expect((await client.getMessageStatus(message)).status).to.equal("queued");

    const seen: L1ToL2Status[] = [];
    r.devnet.node.sequencer.start();
    const relayed = await client.waitForMessageStatus(message, "relayed", {
      timeoutMs: 20_000,
      onStatus: (s) => seen.push(s.status),
    });
    const elapsed = Date.now() - started;
    console.log(`      deposit → relayed through the SDK: ${elapsed} ms`);

    expect(seen[0]).to.equal("queued");
    expect(seen[seen.length - 1]).to.equal("relayed");
    // The anchoring block starts with the relay: both steps land in the same L2 block.
    expect(relayed.anchoredInL2Block).to.be.a("bigint");
    expect(relayed.relayedInL2Block).to.equal(relayed.anchoredInL2Block);
    expect(relayed.relayTransactionHash).to.match(/^0x[0-9a-f]{64}$/);
    expect(await r.l2.getBalance(recipient)).to.equal(parseEther("1.25"));
    // Looking it up again by its L1 transaction or its message hash gives the same message.
    expect(await client.getMessage(message.l1TransactionHash)).to.deep.equal(message);
    expect(await client.getMessage(message.messageHash)).to.deep.equal(message);
  });

  it("reads L2 blocks, balances and message statuses at safe: a relay counts there only once L1 accepted its block", async () => {
    const recipient = getAddress("0x00000000000000000000000000000000005afe01");
    const amount = parseEther("0.5");
    // With the batch submitter paused, the node's blocks are latest but not safe.
    await submitter.stop();
    let message;
    let relayedIn: bigint;
    try {
      message = await client.deposit({ to: recipient, amount });
      const relayed = await client.waitForMessageStatus(message, "relayed", { timeoutMs: 20_000 });
      relayedIn = relayed.relayedInL2Block as bigint;
      expect(relayedIn).to.be.a("bigint");
      const atSafe = await client.getMessageStatus(message, { l2BlockTag: "safe" });
      expect(atSafe.status).to.equal("anchored");
      expect(atSafe.relayedInL2Block).to.equal(undefined);
      expect(await client.getL2Balance(recipient)).to.equal(amount);
      expect(await client.getL2Balance(recipient, "safe")).to.equal(0n);
      expect(await client.getL2Balance(recipient, "finalized")).to.equal(0n);
      const heads = await client.getL2Heads();
      expect(BigInt(heads.latest.number)).to.be.at.least(relayedIn);
      expect(BigInt(heads.safe.number)).to.be.below(relayedIn);
      expect(heads.finalized.number).to.be.at.most(heads.safe.number);
      expect(heads.safe.hash).to.equal((await client.getL2Block(heads.safe.number)).hash);
    } finally {
      submitter.start();
    }
    // Once L1 accepts the relaying block, the node's safe head reaches it and so does the status.
    const safeReport = await client.waitForMessageStatus(message, "relayed", { l2BlockTag: "safe", timeoutMs: 30_000 });
    expect(safeReport.relayedInL2Block).to.equal(relayedIn);
    expect(BigInt((await client.getL2Block("safe")).number)).to.be.at.least(relayedIn);
    expect(await client.getL2Balance(recipient, "safe")).to.equal(amount);
    // A tag the node does not know is refused before any request.
    await sdkError(client.getL2Block("pending" as never), "INVALID_ARGUMENT");
    await sdkError(client.getMessageStatus(message, { l2BlockTag: "earliest" as never }), "INVALID_ARGUMENT");
  });

  it("a message whose L2 call reverts is consumed and reported failed (waiting for relayed fails fast with MESSAGE_FAILED); its sender refunds it and it is reported refunded", async () => {
    // L2Bridge has no fallback: calling it with unknown calldata reverts, so the call fails.
    const message = await client.sendMessage({
      to: L2_BRIDGE_ADDRESS,
      data: "0xdeadbeef",
      gasLimit: 100_000n,
      value: parseEther("0.5"),
    });
    const error = await sdkError(
      client.waitForMessageStatus(message, "relayed", { timeoutMs: 20_000 }),
      "MESSAGE_FAILED",
    );
    expect(error.hint).to.include("refundMessage");
    const failed = await client.getMessageStatus(message);
    expect(failed.status).to.equal("failed");
    expect(failed.direction === "l1ToL2" && failed.failureReason).to.equal("callFailed");
    // L2Bridge's missing fallback reverts with no data: the report says what that means.
    expect(failed.direction === "l1ToL2" && failed.revertData).to.equal("0x");
    expect(failed.direction === "l1ToL2" && failed.revertReason).to.equal(
      "reverted without a reason (a bare revert, or its gas limit ran out)",
    );
    expect(error.message).to.contain("reverted: reverted without a reason");
    expect(await client.l2Bridge.relayed(message.nonce)).to.equal(true);
    await submitter.waitForAccepted(failed.direction === "l1ToL2" ? (failed.relayedInL2Block as bigint) : 0n, 20_000);
    expect(
      (await client.getMessageStatus(message)).direction === "l1ToL2" &&
        ((await client.getMessageStatus(message)) as { consumedOnL1: boolean }).consumedOnL1,
    ).to.equal(true);

    // Its L1 sender (dev account 1, the same key on L2) takes the value back on L2.
    const recipient = Wallet.createRandom().address;
    const m = {
      nonce: message.nonce,
      from: r.l1Wallet(1).address,
      to: L2_BRIDGE_ADDRESS,
      value: parseEther("0.5"),
      gasLimit: 100_000n,
      data: "0xdeadbeef",
    };
    await (await client.l2Bridge.refundMessage(m, recipient, false)).wait();
    expect(await r.l2.getBalance(recipient)).to.equal(parseEther("0.5"));
    expect((await client.getMessageStatus(message)).status).to.equal("refunded");
  });

  it("a withdrawal goes initiated → provable → finalized and pays the L1 recipient; finalizing before provable or twice fails with the SDK's codes", async () => {
    const l1Recipient = Wallet.createRandom().address;
    await submitter.stop();
    let resumed = false;
    try {
      const message = await client.withdraw({ to: l1Recipient, amount: parseEther("0.4") });
      expect(message.direction).to.equal("l2ToL1");
      expect(message.messageHash).to.equal(hashL2Message(message));
      expect(message.from).to.equal(r.l2Wallet(1).address);

      const initiated = await client.getMessageStatus(message);
      expect(initiated.status).to.equal("initiated");
      const early = await sdkError(client.finalizeWithdrawal(message), "NOT_PROVABLE_YET");
      expect(early.message).to.contain(
        `its L2 block ${message.l2BlockNumber} is not accepted on L1 (head ${initiated.acceptedL2Head})`,
      );
      expect(early.hint).to.contain("waitForMessageStatus(message, 'provable')");

      const seen: L2ToL1Status[] = [];
      submitter.start();
      resumed = true;
      const provable = await client.waitForMessageStatus(message, "provable", {
        timeoutMs: 20_000,
        onStatus: (s) => seen.push(s.status),
      });
      expect(seen).to.deep.equal(["initiated", "provable"]);
      expect(provable.acceptedL2Head >= message.l2BlockNumber).to.equal(true);

      // Finalized by another account (anyone may finalize); the recipient is paid.
      const finalizer = clientFor(2);
      const done = await finalizer.finalizeWithdrawal(message.l2TransactionHash);
      expect(done.receipt.status).to.equal(1);
      expect(await r.l1.getBalance(l1Recipient)).to.equal(parseEther("0.4"));
      expect((await client.getMessageStatus(message)).status).to.equal("finalized");
      expect(await client.rollup.finalized(message.messageHash)).to.equal(true);

      const again = await sdkError(client.finalizeWithdrawal(message), "ALREADY_FINALIZED");
      expect(again.message).to.contain(message.messageHash);
    } finally {
      if (!resumed) submitter.start();
    }
  });

  it("a withdrawal round trip runs on its own, timed (withdraw → provable → finalized)", async () => {
    const to = r.l1Wallet(3).address;
    const started = Date.now();
    const message = await client.withdraw({ to, amount: parseEther("0.1") });
    await client.waitForMessageStatus(message, "provable", { timeoutMs: 20_000 });
    const before = await r.l1.getBalance(to);
    await clientFor(4).finalizeWithdrawal(message);
    console.log(`      withdraw → finalized through the SDK: ${Date.now() - started} ms`);
    expect((await r.l1.getBalance(to)) - before).to.equal(parseEther("0.1"));
  });

  it("two finalizers racing on one message: one pays, the other gets ALREADY_FINALIZED (decoded from the contract's revert)", async () => {
    const to = Wallet.createRandom().address;
    const message = await client.sendMessageToL1({ to, data: "0x", value: 7n });
    await client.waitForMessageStatus(message.messageHash, "provable", { timeoutMs: 20_000 });
    const outcomes = await Promise.allSettled([
      clientFor(5).finalizeWithdrawal(message),
      clientFor(6).finalizeWithdrawal(message),
    ]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).to.have.length(1);
    const [lost] = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
    expect(lost?.reason).to.be.instanceOf(RollupSdkError);
    expect((lost?.reason as RollupSdkError).code).to.equal("ALREADY_FINALIZED");
    expect(await r.l1.getBalance(to)).to.equal(7n);
  });

  it("waitForL2Block resolves with the block once it exists, and times out with a typed error when none comes", async () => {
    const head = BigInt(await r.l2.getBlockNumber());
    expect((await client.waitForL2Block(head, { timeoutMs: 1_000 })).number).to.equal(Number(head));

    // The devnet makes no empty blocks: with nothing to include, block head + 5 never comes.
    const error = await sdkError(client.waitForL2Block(head + 5n, { timeoutMs: 400 }), "TIMEOUT");
    expect(error).to.be.instanceOf(WaitTimeoutError);
    expect((error as WaitTimeoutError).lastSeen).to.equal(`block ${head}`);
    expect(error.hint).to.contain("--empty-blocks");

    // A predicate sees each new block: the block that mines this L2 transaction passes.
    const sent = await r.l2Wallet(5).sendTransaction({ to: r.l2Wallet(6).address, value: 1n });
    const block = await client.waitForL2Block(async (b) => b.transactions.includes(sent.hash), { timeoutMs: 10_000 });
    expect(block.number > Number(head)).to.equal(true);
  });

  it("waitForMessageStatus times out with a typed error naming where the message stands", async () => {
    const message = await client.withdraw({ amount: 1n });
    const error = await sdkError(client.waitForMessageStatus(message, "finalized", { timeoutMs: 300 }), "TIMEOUT");
    expect(error.message).to.match(/last seen: (initiated|provable)/);
    expect(error.hint).to.contain("finalizeWithdrawal");
  });

  it("a deposit or message to an address that is not a rollup fails before sending: nothing spent", async () => {
    const sender = r.l1Wallet(4);
    const counter = await new Counter__factory(r.l1Wallet(5)).deploy();
    await counter.waitForDeployment();
    const targets = [r.l1Wallet(6).address, await counter.getAddress()];
    const [nonce, balance] = await Promise.all([
      r.l1.getTransactionCount(sender.address),
      r.l1.getBalance(sender.address),
    ]);
    for (const rollupAddress of targets) {
      const wrong = new RollupClient({ l1: sender.connect(r.l1), l2: r.l2Wallet(4).connect(r.l2), rollupAddress });
      const error = await sdkError(wrong.deposit({ amount: parseEther("1") }), "NOT_A_ROLLUP");
      expect(error.message).to.contain("nothing was sent");
      await sdkError(wrong.sendMessage({ to: recipientOf(4), data: "0x", value: parseEther("1") }), "NOT_A_ROLLUP");
    }
    expect(await r.l1.getTransactionCount(sender.address)).to.equal(nonce);
    expect(await r.l1.getBalance(sender.address)).to.equal(balance);
  });

  it("a heavy message through the SDK: the L1 devnet's gas estimate covers its burn (2/3 L1 gas per weight above a deposit's), and the sender pays it", async () => {
    // Weight 1,520,068 (gas limit 1,274,085, no data): just over half the overdue budget, a block of
    // delay of every later message; it burns (1,520,068 − 327,347) × 2/3 L1 gas when queued.
    const gasLimit = 1_274_085n;
    const burn = messageBurn(gasLimit, 0);
    const light = await client.sendMessage({ to: recipientOf(7), data: "0x", gasLimit: DEPOSIT_GAS_LIMIT });
    const heavy = await client.sendMessage({ to: recipientOf(7), data: "0x", gasLimit });
    const used = async (hash: string): Promise<bigint> => (await r.l1.getTransactionReceipt(hash))?.gasUsed ?? 0n;
    const [lightGas, heavyGas] = [await used(light.l1TransactionHash), await used(heavy.l1TransactionHash)];
    expect(heavyGas - lightGas).to.be.at.least(burn);
    expect(heavyGas - lightGas).to.be.at.most(burn + 10_000n);
  });

  it("a read-only client reports statuses but refuses to send, naming the missing signer", async () => {
    const reader = new RollupClient({ l1: r.l1, l2: r.l2, rollupAddress: r.devnet.deployment.address });
    const status = await reader.getRollupStatus();
    expect(status.rollupAddress).to.equal(r.devnet.deployment.address);
    expect(status.submitter).to.equal("running");
    expect(status.l2ChainId).to.equal(r.devnet.l2ChainId);
    await sdkError(reader.deposit({ amount: 1n }), "SIGNER_REQUIRED");
    await sdkError(reader.withdraw({ amount: 1n }), "SIGNER_REQUIRED");
    await sdkError(reader.getMessage(`0x${"ab".repeat(32)}`), "MESSAGE_NOT_FOUND");
    // The node's own errors come through with its code and hint.
    const nodeError = await sdkError(reader.node.withdrawalProof(`0x${"cd".repeat(32)}`), "NODE_RPC");
    expect((nodeError as NodeRpcError).nodeCode).to.equal("MESSAGE_NOT_FOUND");
    expect(nodeError.hint).to.contain("L2Bridge.withdraw");
  });
});
