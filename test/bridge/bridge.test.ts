import { createTxFromRLP } from "@ethereumjs/tx";
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import { expect } from "chai";
import { type JsonRpcProvider, Wallet, parseEther } from "ethers";

import { BatchSubmitter } from "../../rollup-node/bridge/batchSubmitter";
import { L2_BRIDGE_INTERFACE, connectRollup } from "../../rollup-node/bridge/contracts";
import { NotProvableYetError } from "../../rollup-node/bridge/errors";
import { L1Watcher } from "../../rollup-node/bridge/l1Watcher";
import { type Logger, silentLogger } from "../../rollup-node/logger";
import { hashL1Message, messageProof, messageRoot, verifyMessageProof } from "../../protocol/messages";
import { buildWithdrawalProof, findSentMessage } from "../../rollup-node/bridge/withdrawals";
import type { L1Devnet } from "../../rollup-node/devnet/l1Devnet";
import { devNodeKeys } from "../../rollup-node/node/keys";
import type { Sequencer } from "../../rollup-node/l2/sequencer";
import { type DevnetSequencer, deployDevnetRollup, startDevnetSequencer } from "../../tools/devnetSequencer";
import { eventually } from "../e2e/support/harness";
import { LoggedLines } from "../../tools/loggedLines";

describe("bridge against the L1 devnet (real EXECUTE) and the real sequencer", function () {
  this.timeout(60_000);
  const keys = devNodeKeys();
  let l1: L1Devnet;
  let provider: JsonRpcProvider;
  let devnet: DevnetSequencer<JsonRpcProvider>;
  let sequencer: Sequencer;
  let rollupAddress: string;
  let deployBlock: number;

  before(async () => {
    devnet = await startDevnetSequencer({
      chainId: 777n,
      sequencerBalance: parseEther("1000000"),
      dirPrefix: "bridge-test-",
    });
    ({ l1, provider, sequencer } = devnet);
    ({ address: rollupAddress, deployBlock } = await deployDevnetRollup(devnet));
  });

  after(() => devnet.stop());

  it("message tree proofs verify for every leaf and fail for a wrong index", () => {
    const leaves = [1, 2, 3, 4, 5].map((n) =>
      hashL1Message({
        nonce: BigInt(n),
        from: keys.sequencer.address,
        to: keys.relayer.address,
        value: 1n,
        gasLimit: 1n,
        data: "0x",
      }),
    );
    const root = messageRoot(leaves);
    leaves.forEach((leaf, i) => expect(verifyMessageProof(root, leaf, i, messageProof(leaves, i))).to.equal(true));
    expect(verifyMessageProof(root, leaves[0] as string, 1, messageProof(leaves, 0))).to.equal(false);
  });

  it("the L1 watcher follows MessageQueued events and, restarted, rebuilds its pending set from the contract", async () => {
    const user = connectRollup(rollupAddress, new Wallet(l1.accounts[1]?.privateKey as string, provider));
    const lines = new LoggedLines();
    const watcher = new L1Watcher({
      provider,
      rollupAddress,
      fromBlock: deployBlock,
      pollIntervalMs: 50,
      logger: lines,
    });
    await watcher.poll();
    expect(watcher.status.messageCount).to.equal(0n);
    await (await user.depositETH(l1.accounts[1]?.address as string, { value: 5n })).wait();
    await (await user.sendMessage(l1.accounts[2]?.address as string, 50_000n, "0x1234", { value: 0n })).wait();
    await watcher.poll();
    expect(watcher.status).to.include({ messageCount: 2n, nextMessageIndex: 0n, pending: 2 });
    const pending = watcher.consecutiveFrom(0n, 10);
    expect(pending.map((m) => m.message.nonce)).to.deep.equal([0n, 1n]);
    expect(pending[1]?.message.data).to.equal("0x1234");
    expect(pending[0]?.hash).to.equal(await user.messageHash(0n));
    expect(lines.all.some((l) => l.includes("message #1 queued"))).to.equal(true);

    const restarted = new L1Watcher({
      provider,
      rollupAddress,
      fromBlock: deployBlock,
      pollIntervalMs: 50,
      logger: silentLogger,
    });
    await restarted.poll();
    expect(restarted.consecutiveFrom(0n, 10).map((m) => m.hash)).to.deep.equal(pending.map((m) => m.hash));
    expect(restarted.consecutiveFrom(1n, 1).map((m) => m.message.nonce)).to.deep.equal([1n]);
  });

  it("the batch submitter is restart-safe: a second instance continues where L1 is, never resubmitting", async () => {
    const submitterOf = (logger: Logger) =>
      new BatchSubmitter({
        sequencer,
        rollupAddress,
        signer: new Wallet(keys.sequencer.privateKey, provider),
        logger,
        retry: { initialDelayMs: 20, maxDelayMs: 200 },
      });
    await sequencer.produceBlock();
    await sequencer.produceBlock();
    const first = submitterOf(silentLogger);
    expect(await first.submitNext()).to.equal(true);
    expect(await first.submitNext()).to.equal(true);
    expect(await first.submitNext()).to.equal(false);
    expect(first.accepted.map((a) => a.number)).to.deep.equal([1n, 2n]);
    expect(first.accepted[0]?.l1GasUsed).to.be.greaterThan(first.accepted[0]?.executeGas as bigint);

    await sequencer.produceBlock();
    const second = submitterOf(silentLogger);
    expect(await second.submitNext()).to.equal(true);
    expect(second.accepted.map((a) => a.number)).to.deep.equal([3n]);
    expect(await connectRollup(rollupAddress, provider).headNumber()).to.equal(3n);
  });

  it("the submitter's log of accepted blocks keeps only the newest `acceptedLogEntries` (every one stays on L1)", async () => {
    const start = await connectRollup(rollupAddress, provider).headNumber();
    const submitter = new BatchSubmitter({
      sequencer,
      rollupAddress,
      signer: new Wallet(keys.sequencer.privateKey, provider),
      logger: silentLogger,
      retry: { initialDelayMs: 20, maxDelayMs: 200 },
      acceptedLogEntries: 2,
    });
    for (let i = 0; i < 3; i++) {
      await sequencer.produceBlock();
      expect(await submitter.submitNext()).to.equal(true);
    }
    expect(submitter.accepted.map((a) => a.number)).to.deep.equal([start + 2n, start + 3n]);
    expect(await connectRollup(rollupAddress, provider).headNumber()).to.equal(start + 3n);
  });

  it("retries an L2 block L1 cannot accept yet (its timestamp is ahead of L1) with backoff, then submits it", async () => {
    const lines = new LoggedLines();
    const ahead = BigInt((await provider.getBlock("latest"))?.timestamp as number) + 30n;
    const produced = await sequencer.produceBlock({ timestamp: ahead });
    const submitter = new BatchSubmitter({
      sequencer,
      rollupAddress,
      signer: new Wallet(keys.sequencer.privateKey, provider),
      logger: lines,
      retry: { initialDelayMs: 20, maxDelayMs: 100 },
    });
    submitter.start();
    try {
      // Waits for the refusal rather than sleeping a fixed time, which a loaded machine outlasts.
      await eventually(
        "L1 to refuse the block from the future",
        async () => (lines.all.some((l) => l.includes("BlockFromFuture")) ? true : undefined),
        10_000,
      );
      expect(submitter.haltReason).to.equal(undefined);
      await provider.send("evm_increaseTime", [40]);
      await provider.send("evm_mine", []);
      await submitter.waitForAccepted(produced.number, 10_000);
    } finally {
      await submitter.stop();
    }
  });

  it("withdrawal proofs: found by hash, refused until the block is accepted", async () => {
    const alice = new Wallet(l1.accounts[3]?.privateKey as string);
    const raw = await alice.signTransaction({
      chainId: 777n,
      type: 2,
      nonce: 0,
      to: "0x4e41540000000000000000000000000000000001",
      value: 7n,
      data: L2_BRIDGE_INTERFACE.encodeFunctionData("withdraw", [alice.address]),
      gasLimit: 200_000n,
      maxFeePerGas: 10n ** 11n,
      maxPriorityFeePerGas: 1n,
    });
    const hash = bytesToHex(
      await sequencer.submitTransaction(
        createTxFromRLP(hexToBytes(raw as `0x${string}`), { common: sequencer.chain.common }),
      ),
    );
    const block = await sequencer.produceBlock();
    const byTx = findSentMessage(sequencer.chain, { transactionHash: hash });
    const byHash = findSentMessage(sequencer.chain, { messageHash: byTx.messageHash });
    expect(byHash).to.deep.equal(byTx);
    expect(byTx.l2BlockNumber).to.equal(block.number);
    const accepted = await connectRollup(rollupAddress, provider).headNumber();
    try {
      await buildWithdrawalProof(sequencer.chain, byTx, accepted);
      expect.fail("expected NotProvableYetError");
    } catch (error) {
      expect(error).to.be.instanceOf(NotProvableYetError);
      expect((error as NotProvableYetError).code).to.equal("NOT_PROVABLE_YET");
    }
    const proof = await buildWithdrawalProof(sequencer.chain, byTx, block.number);
    expect(proof.storageProof.length).to.be.greaterThan(0);
  });
});
