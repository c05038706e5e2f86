import { existsSync } from "node:fs";
import path from "node:path";

import { expect } from "chai";
import { JsonRpcProvider, Wallet, toBeHex, zeroPadValue } from "ethers";

import { DETACHMENT_FILE } from "../../../rollup-node/l2/detachment";
import { startL2Rpc } from "../../../rollup-node/l2/rpc";
import { type E2eRollup, startE2eRollup } from "../../e2e/support/harness";
import { L2_CHAIN_ID, TempDirs, openSequencer } from "../l2/l2Support";

interface RpcFailure {
  readonly code?: number;
  readonly message?: string;
  readonly data?: { code?: string };
}

/** The JSON-RPC error of a call that must fail (the test fails if it succeeds). */
async function rpcError(provider: JsonRpcProvider, method: string, params: unknown[]): Promise<RpcFailure> {
  try {
    await provider.send(method, params);
  } catch (error) {
    const e = error as { error?: RpcFailure; info?: { error?: RpcFailure } };
    return e.error ?? e.info?.error ?? {};
  }
  throw new Error(`${method} succeeded`);
}

interface StatusJson {
  readonly submitter: string;
  readonly submitterError?: string;
  readonly submitterErrorCode?: string;
  readonly submitterHint?: string;
  readonly acceptedL2Head: string;
}

const status = (r: E2eRollup): Promise<StatusJson> => r.l2.send("rollup_status", []) as Promise<StatusJson>;

/** Sends a transfer from dev account `from` (automine: its block exists when this returns); returns its block. */
async function transfer(r: E2eRollup, from: number): Promise<number> {
  const sent = await r.l2Wallet(from).sendTransaction({ to: Wallet.createRandom().address, value: 1n });
  const receipt = await r.l2.getTransactionReceipt(sent.hash);
  return receipt?.blockNumber as number;
}

describe("L2 devnet state patching: hardhat_*/anvil_* edits, snapshots and the clock, detached from L1", function () {
  this.timeout(120_000);

  describe("a node that is not a devnet", () => {
    const dirs = new TempDirs();
    after(() => dirs.removeAll());

    it("refuses every state-patching method as unknown (-32601)", async () => {
      const sequencer = await openSequencer(dirs.make(), { now: undefined });
      const server = await startL2Rpc(sequencer, { port: 0 });
      const provider = new JsonRpcProvider(server.url, Number(L2_CHAIN_ID), { staticNetwork: true });
      try {
        const address = `0x${"11".repeat(20)}`;
        for (const [method, params] of [
          ["hardhat_setBalance", [address, "0x1"]],
          ["anvil_setCode", [address, "0x00"]],
          ["hardhat_setStorageAt", [address, "0x0", zeroPadValue("0x01", 32)]],
          ["anvil_setNonce", [address, "0x5"]],
          ["evm_snapshot", []],
          ["evm_revert", ["0x1"]],
          ["evm_increaseTime", ["0x10"]],
          ["evm_setNextBlockTimestamp", ["0x10"]],
          ["hardhat_impersonateAccount", [address]],
        ] as const) {
          expect((await rpcError(provider, method, [...params])).code, method).to.equal(-32601);
        }
        expect(await sequencer.chain.getBalance(Buffer.from("11".repeat(20), "hex"))).to.equal(0n);
      } finally {
        provider.destroy();
        await server.close();
        await sequencer.close();
      }
    });
  });

  describe("a devnet patched with hardhat_setBalance", () => {
    let r: E2eRollup;

    before(async () => {
      r = await startE2eRollup({ l2Automine: true, produceBlocks: false, keepDataDir: true });
    });

    after(async () => {
      await r?.stop();
    });

    it("submits as usual while nothing was patched: snapshots at the head and a clock within L1's time keep it attached", async () => {
      const id = await r.l2.send("evm_snapshot", []);
      expect(await r.l2.send("evm_revert", [id])).to.equal(true);
      const head = await r.l2.getBlock("latest");
      // One second past the head and not past L1's time: a block the rollup accepts.
      await r.l2.send("evm_setNextBlockTimestamp", [toBeHex((head?.timestamp ?? 0) + 1)]);
      const block = await transfer(r, 1);
      expect((await r.l2.getBlock(block))?.timestamp).to.equal((head?.timestamp ?? 0) + 1);
      await r.devnet.node.bridge.submitter?.waitForAccepted(BigInt(block), 30_000);
      expect((await status(r)).submitter).to.equal("running");
    });

    it("applies the balance and detaches: the submitter stands down naming the method and the first unverifiable block", async () => {
      const accepted = BigInt((await status(r)).acceptedL2Head);
      const head = await r.l2.getBlockNumber();
      const target = Wallet.createRandom().address;
      expect(await r.l2.send("hardhat_setBalance", [target, toBeHex(10n ** 20n)])).to.equal(true);
      expect(await r.l2.getBalance(target)).to.equal(10n ** 20n);

      const s = await status(r);
      expect(s.submitter).to.equal("halted");
      expect(s.submitterErrorCode).to.equal("DETACHED_FROM_L1");
      expect(s.submitterError).to.equal(`detached from L1: state patched by hardhat_setBalance at block ${head + 1}`);
      // The dashboard reads the same status.
      const dashboard = (await (await fetch(`${r.devnet.l2Url}/api/dashboard`)).json()) as {
        rollup: { submitterError?: string };
      };
      expect(dashboard.rollup.submitterError).to.equal(s.submitterError);

      // The chain goes on locally (the patched account can spend), L1 sees none of it.
      const spent = new Wallet(Wallet.createRandom().privateKey, r.l2);
      await r.l2.send("anvil_setBalance", [spent.address, toBeHex(10n ** 18n)]);
      const sent = await spent.sendTransaction({ to: target, value: 5n });
      expect((await r.l2.getTransactionReceipt(sent.hash))?.status).to.equal(1);
      expect(await r.l2.getBalance(target)).to.equal(10n ** 20n + 5n);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await r.rollup().headNumber()).to.equal(accepted);
    });

    it("applies code, storage and nonce edits under both names", async () => {
      const target = Wallet.createRandom().address;
      // PUSH1 0x2a PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN: returns 42.
      await r.l2.send("hardhat_setCode", [target, "0x602a60005260206000f3"]);
      expect(BigInt(await r.l2.call({ to: target }))).to.equal(42n);
      await r.l2.send("anvil_setStorageAt", [target, "0x7", zeroPadValue("0xbeef", 32)]);
      expect(await r.l2.getStorage(target, 7)).to.equal(zeroPadValue("0xbeef", 32));
      await r.l2.send("hardhat_setNonce", [target, "0x9"]);
      expect(await r.l2.getTransactionCount(target)).to.equal(9);
      await r.l2.send("anvil_setCode", [target, "0x"]);
      expect(await r.l2.getCode(target)).to.equal("0x");
    });

    it("sends for an impersonated account without its key, until impersonation stops", async () => {
      const whale = Wallet.createRandom().address;
      const to = Wallet.createRandom().address;
      await r.l2.send("hardhat_setBalance", [whale, toBeHex(10n ** 18n)]);
      const refused = await rpcError(r.l2, "eth_sendTransaction", [{ from: whale, to, value: "0x1" }]);
      expect(refused.message).to.contain("unknown account");
      expect(await r.l2.send("hardhat_impersonateAccount", [whale])).to.equal(true);
      const hash = await r.l2.send("eth_sendTransaction", [{ from: whale, to, value: "0x3e8" }]);
      const receipt = await r.l2.getTransactionReceipt(hash);
      expect(receipt?.status).to.equal(1);
      expect(receipt?.from.toLowerCase()).to.equal(whale.toLowerCase());
      expect(await r.l2.getBalance(to)).to.equal(1000n);
      expect(await r.l2.getTransactionCount(whale)).to.equal(1);
      expect(await r.l2.send("anvil_stopImpersonatingAccount", [whale])).to.equal(true);
      expect((await rpcError(r.l2, "eth_sendTransaction", [{ from: whale, to, value: "0x1" }])).message).to.contain(
        "unknown account",
      );
    });

    it("refuses bridging calls with DETACHED_FROM_L1", async () => {
      const error = await rpcError(r.l2, "rollup_getMessageStatus", [{ l1Nonce: "0x0" }]);
      expect(error.code).to.equal(-32000);
      expect(error.message).to.contain("detached from L1: state patched by hardhat_setBalance");
      expect(error.data?.code).to.equal("DETACHED_FROM_L1");
      const proof = await rpcError(r.l2, "rollup_getWithdrawalProof", [{ messageHash: zeroPadValue("0x01", 32) }]);
      expect(proof.data?.code).to.equal("DETACHED_FROM_L1");
    });

    it("reverts to a snapshot: the blocks after it and their state are gone, the snapshot is consumed", async () => {
      const before = await r.l2.getBlockNumber();
      const id = await r.l2.send("evm_snapshot", []);
      const target = Wallet.createRandom().address;
      await r.l2.send("hardhat_setBalance", [target, "0x64"]);
      await transfer(r, 2);
      await transfer(r, 2);
      expect(await r.l2.getBlockNumber()).to.equal(before + 2);
      const nonce = await r.l2.getTransactionCount(r.l2Wallet(2).address);

      expect(await r.l2.send("evm_revert", [id])).to.equal(true);
      expect(await r.l2.getBlockNumber()).to.equal(before);
      expect(await r.l2.getBalance(target)).to.equal(0n);
      expect(await r.l2.getTransactionCount(r.l2Wallet(2).address)).to.equal(nonce - 2);
      expect(await r.l2.send("evm_revert", [id]), "a consumed snapshot").to.equal(false);
      // Nothing of the dropped blocks came back: the next block holds only the new transaction.
      const next = await transfer(r, 2);
      expect(next).to.equal(before + 1);
      expect((await r.l2.getBlock(next))?.transactions.length).to.equal(1);
    });

    it("stays detached after a restart (kept in the data directory): no rebase back onto L1", async () => {
      const dataDir = r.devnet.dataDir;
      const head = await r.l2.getBlockNumber();
      await r.stop();
      expect(existsSync(path.join(dataDir, "l2", DETACHMENT_FILE))).to.equal(true);
      r = await startE2eRollup({ dataDir, l2Automine: true, produceBlocks: false });
      expect(await r.l2.getBlockNumber()).to.equal(head);
      const s = await status(r);
      expect(s.submitterErrorCode).to.equal("DETACHED_FROM_L1");
      expect(s.submitterError).to.contain("hardhat_setBalance");
    });
  });

  it("evm_revert over blocks L1 accepted detaches (else the submitter would rebase them back from L1)", async () => {
    const r = await startE2eRollup({ l2Automine: true, produceBlocks: false });
    try {
      const id = await r.l2.send("anvil_snapshot", []);
      const at = await r.l2.getBlockNumber();
      const block = await transfer(r, 1);
      await r.devnet.node.bridge.submitter?.waitForAccepted(BigInt(block), 30_000);
      expect(await r.l2.send("anvil_revert", [id])).to.equal(true);
      expect(await r.l2.getBlockNumber()).to.equal(at);
      const s = await status(r);
      expect(s.submitterErrorCode).to.equal("DETACHED_FROM_L1");
      expect(s.submitterError).to.equal(`detached from L1: block ${block} dropped by anvil_revert at block ${at + 1}`);
      // L1 keeps the block it accepted; the local chain is not taken back to it.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await r.l2.getBlockNumber()).to.equal(at);
      expect(await r.rollup().headNumber()).to.equal(BigInt(block));
    } finally {
      await r.stop();
    }
  });

  it("an impersonated transaction detaches (its signature recovers to another account)", async () => {
    const r = await startE2eRollup({ l2Automine: true, produceBlocks: false });
    try {
      const from = r.l2Wallet(3).address;
      await r.l2.send("anvil_impersonateAccount", [from]);
      expect((await status(r)).submitter, "impersonating alone changes nothing").to.equal("running");
      const head = await r.l2.getBlockNumber();
      const hash = await r.l2.send("eth_sendTransaction", [{ from, to: Wallet.createRandom().address, value: "0x1" }]);
      expect((await r.l2.getTransactionReceipt(hash))?.blockNumber).to.equal(head + 1);
      const s = await status(r);
      expect(s.submitterErrorCode).to.equal("DETACHED_FROM_L1");
      expect(s.submitterError).to.equal(
        `detached from L1: transaction ${hash} sent for ${from.toLowerCase()} without its signature (impersonated) at block ${head + 1}`,
      );
    } finally {
      await r.stop();
    }
  });

  it("evm_increaseTime past L1's time detaches (the rollup refuses a block from the future); the block gets that time", async () => {
    const r = await startE2eRollup({ l2Automine: true, produceBlocks: false });
    try {
      const head = await r.l2.getBlock("latest");
      await r.l2.send("evm_increaseTime", ["0xe10"]);
      const s = await status(r);
      expect(s.submitterErrorCode).to.equal("DETACHED_FROM_L1");
      expect(s.submitterError).to.match(/evm_increaseTime set the next L2 block's time to \d+, ahead of L1's \d+/);
      // A clock cause gets its own remedy, not a patch's "changed outside transactions".
      expect(s.submitterHint).to.contain("move L1's clock first (evm_increaseTime on the L1 devnet");
      const block = await transfer(r, 1);
      expect((await r.l2.getBlock(block))?.timestamp).to.be.at.least((head?.timestamp ?? 0) + 3600);
    } finally {
      await r.stop();
    }
  });

  it("evm_mine at a timestamp past L1's time detaches too; at one within it, it does not", async () => {
    const r = await startE2eRollup({ l2Automine: true, produceBlocks: false });
    try {
      const head = await r.l2.getBlock("latest");
      await r.l2.send("evm_mine", [toBeHex((head?.timestamp ?? 0) + 1)]);
      expect((await r.l2.getBlock("latest"))?.timestamp).to.equal((head?.timestamp ?? 0) + 1);
      expect((await status(r)).submitter).to.equal("running");
      const ahead = (head?.timestamp ?? 0) + 7200;
      await r.l2.send("evm_mine", [toBeHex(ahead)]);
      expect((await r.l2.getBlock("latest"))?.timestamp).to.equal(ahead);
      const s = await status(r);
      expect(s.submitterErrorCode).to.equal("DETACHED_FROM_L1");
      expect(s.submitterError).to.contain(`evm_mine set the next L2 block's time to ${ahead}`);
    } finally {
      await r.stop();
    }
  });
});
