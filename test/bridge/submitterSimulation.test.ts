import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";
import { JsonRpcProvider, MaxUint256, Wallet, keccak256, parseEther } from "ethers";
import hre from "hardhat";

import { deployRollup } from "../../deploy/rollup";
import { ADVANCE_GAS_LIMIT, BatchSubmitter, submissionVerdict } from "../../rollup-node/bridge/batchSubmitter";
import { connectRollup } from "../../rollup-node/bridge/contracts";
import { rollupStatus } from "../../rollup-node/bridge/status";
import { type L1Devnet, startL1Devnet } from "../../rollup-node/devnet/l1Devnet";
import { silentLogger } from "../../rollup-node/logger";
import { devNodeKeys } from "../../rollup-node/node/keys";
import { devL2Genesis } from "../../rollup-node/node/l2Genesis";
import { Sequencer } from "../../rollup-node/l2/sequencer";
import { type EdrL1, startEdrL1 } from "../../tools/edrL1";
import { LoggedLines } from "../../tools/loggedLines";

const L2_CHAIN_ID = 781n;
const FAST_RETRY = { initialDelayMs: 20, maxDelayMs: 100 };

/** Runs the submitter's loop until it halts (or `ms` pass), then stops it. */
async function runFor(s: BatchSubmitter, ms: number): Promise<void> {
  s.start();
  const deadline = Date.now() + ms;
  while (s.haltReason === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  await s.stop();
}

describe("the batch submitter simulates each advance and halts on a revert it cannot cure, spending nothing", function () {
  this.timeout(180_000);
  const keys = devNodeKeys();
  let dir: string;
  let sequencer: Sequencer;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "submitter-sim-"));
    const genesis = devL2Genesis({
      chainId: L2_CHAIN_ID,
      timestamp: BigInt(Math.floor(Date.now() / 1000)) - 10n,
      funded: [keys.relayer],
    });
    sequencer = await Sequencer.open({ dataDir: dir, genesis, logger: silentLogger });
    await sequencer.produceBlock();
  });

  after(async () => {
    await sequencer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function genesisCommitments(): { genesisBlockHash: string; genesisStateRoot: string } {
    const head = sequencer.chain.resolveBlock(0n).block.header;
    return { genesisBlockHash: bytesToHex(head.hash()), genesisStateRoot: bytesToHex(head.stateRoot) };
  }

  describe("on an L1 without EXECUTE (Hardhat's EDR)", () => {
    let edr: EdrL1;
    before(async () => {
      edr = await startEdrL1(hre);
    });

    it("halts before sending: the reason (no EXECUTE, what works instead) is logged once and reported by rollup_status", async () => {
      const signer = new Wallet(keys.sequencer.privateKey, edr.provider);
      // A proof-mode rollup verified by the precompile, on an L1 that has none: what `rollup:deploy` let through before.
      const { address } = await deployRollup(signer, {
        l2ChainId: L2_CHAIN_ID,
        ...genesisCommitments(),
        genesisSupply: 0n,
        sequencer: keys.sequencer.address,
        proofPolicy: { threshold: 1, allowReexecution: true, acceptedKeys: [keccak256("0x01")] },
      });
      const nonce = await edr.provider.getTransactionCount(keys.sequencer.address);
      const lines = new LoggedLines();
      const s = new BatchSubmitter({ sequencer, rollupAddress: address, signer, logger: lines, retry: FAST_RETRY });
      await runFor(s, 3_000);
      expect(
        await edr.provider.getTransactionCount(keys.sequencer.address),
        "an advance that can only revert was sent",
      ).to.equal(nonce);
      expect(s.haltReason?.code).to.equal("NO_EXECUTE");
      expect(s.haltReason?.message).to.match(/no EXECUTE precompile/);
      expect(s.haltReason?.hint).to.match(/proof mode with on-chain verifiers/);
      expect(
        lines.all.filter((l) => l.includes("no EXECUTE precompile")),
        lines.all.join("\n"),
      ).to.have.length(1);
      expect(
        lines.all.every((l) => l.length < 600),
        "a raw transaction was logged",
      ).to.equal(true);
      const status = await rollupStatus({
        sequencer,
        rollup: connectRollup(address, edr.provider),
        rollupAddress: address,
        l1Provider: edr.provider,
        submitter: s,
      });
      expect(status.submitter).to.equal("halted");
      expect(status.submitterError).to.match(/no EXECUTE precompile/);
      expect(status.submitterErrorCode).to.equal("NO_EXECUTE");
    });
  });

  describe("on the devnet (EXECUTE at 0x0101)", () => {
    let l1: L1Devnet;
    let provider: JsonRpcProvider;
    before(async () => {
      l1 = await startL1Devnet({ port: 0, alloc: { [keys.sequencer.address]: { balance: parseEther("100") } } });
      provider = new JsonRpcProvider(l1.url, undefined, { staticNetwork: true, pollingInterval: 20, cacheTimeout: -1 });
    });
    after(async () => {
      provider.destroy();
      await l1.stop();
    });

    /** A fresh L1 key holding `balance` wei, made the SEQUENCER of a new rollup on the L2 genesis. */
    async function rollupSequencedBy(balance: bigint): Promise<{ address: string; key: Wallet }> {
      const key = new Wallet(Wallet.createRandom().privateKey, provider);
      const funder = new Wallet(keys.sequencer.privateKey, provider);
      if (balance > 0n) await (await funder.sendTransaction({ to: key.address, value: balance })).wait();
      const { address } = await deployRollup(funder, {
        l2ChainId: L2_CHAIN_ID,
        ...genesisCommitments(),
        genesisSupply: 0n,
        sequencer: key.address,
      });
      return { address, key };
    }

    it("advances with a balance below the gas cap's price: a transaction is priced at the gas it will use, not at 2^24 gas", async () => {
      const fees = await provider.getFeeData();
      const maxFee = fees.maxFeePerGas as bigint;
      // A quarter of what 2^24 gas costs at today's fee: many real advances' worth, yet below the cap's price.
      const { address, key } = await rollupSequencedBy((ADVANCE_GAS_LIMIT * maxFee) / 4n);
      const lines = new LoggedLines();
      const s = new BatchSubmitter({
        sequencer,
        rollupAddress: address,
        signer: key,
        logger: lines,
        retry: FAST_RETRY,
      });
      s.start();
      try {
        await s.waitForAccepted(1n, 30_000);
      } finally {
        await s.stop();
      }
      expect(s.haltReason).to.equal(undefined);
      const used = s.accepted[0]?.l1GasUsed as bigint;
      expect(used * 4n, "the test's premise: the balance pays for several real advances").to.be.lessThan(
        ADVANCE_GAS_LIMIT / 4n,
      );
    });

    it("an unfunded key waits without sending (status and one log line say so) and resumes by itself once funded", async () => {
      const { address, key } = await rollupSequencedBy(0n);
      const lines = new LoggedLines();
      const s = new BatchSubmitter({
        sequencer,
        rollupAddress: address,
        signer: key,
        logger: lines,
        retry: FAST_RETRY,
      });
      s.start();
      try {
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        expect(s.haltReason, "the submitter halted instead of waiting for funds").to.equal(undefined);
        expect(await provider.getTransactionCount(key.address)).to.equal(0);
        const status = await rollupStatus({
          sequencer,
          rollup: connectRollup(address, provider),
          rollupAddress: address,
          l1Provider: provider,
          submitter: s,
        });
        expect(status.submitter).to.equal("waiting");
        expect(status.submitterErrorCode).to.equal("UNFUNDED");
        expect(status.submitterError).to.include(key.address);
        expect(
          lines.all.filter((l) => l.includes(key.address)),
          lines.all.join("\n"),
        ).to.have.length(1);

        await (
          await new Wallet(keys.sequencer.privateKey, provider).sendTransaction({
            to: key.address,
            value: parseEther("1"),
          })
        ).wait();
        await s.waitForAccepted(1n, 30_000);
        const after = await rollupStatus({
          sequencer,
          rollup: connectRollup(address, provider),
          rollupAddress: address,
          l1Provider: provider,
          submitter: s,
        });
        expect(after.submitter).to.equal("running");
        expect(after.submitterErrorCode).to.equal(undefined);
      } finally {
        await s.stop();
      }
      expect(await connectRollup(address, provider).headNumber()).to.equal(1n);
    });

    it("a key that is not the sequencer sends nothing while the sequencer is active (it waits, as anyone may advance later)", async () => {
      const other = new Wallet(keys.challenger?.privateKey as string, provider);
      await (
        await new Wallet(keys.sequencer.privateKey, provider).sendTransaction({
          to: other.address,
          value: parseEther("1"),
        })
      ).wait();
      const { address } = await deployRollup(new Wallet(keys.sequencer.privateKey, provider), {
        l2ChainId: L2_CHAIN_ID,
        ...genesisCommitments(),
        genesisSupply: 0n,
        sequencer: keys.sequencer.address,
      });
      const nonce = await provider.getTransactionCount(other.address);
      const lines = new LoggedLines();
      const s = new BatchSubmitter({
        sequencer,
        rollupAddress: address,
        signer: other,
        logger: lines,
        retry: FAST_RETRY,
      });
      await runFor(s, 1_500);
      expect(await provider.getTransactionCount(other.address), "a reverting advance was sent").to.equal(nonce);
      expect(s.haltReason).to.equal(undefined);
      expect(lines.all.some((l) => l.includes("NotSequencer"))).to.equal(true);
    });
  });

  it("classifies NotSequencer that never opens (a permissioned rollup) as a halt, one that opens later as a wait", () => {
    const never = submissionVerdict({
      name: "NotSequencer",
      args: ["0x00000000000000000000000000000000000000aa", MaxUint256],
      text: "NotSequencer(…)",
    });
    const later = submissionVerdict({
      name: "NotSequencer",
      args: ["0x00000000000000000000000000000000000000aa", 1_000n],
      text: "NotSequencer(…)",
    });
    expect(never).to.equal("halt");
    expect(later).to.equal("retry");
    expect(submissionVerdict({ name: "ExecuteUnavailable", args: [], text: "ExecuteUnavailable()" })).to.equal("halt");
  });
});
