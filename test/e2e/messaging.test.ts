import { expect } from "chai";
import { type Contract, ContractFactory, type InterfaceAbi, getAddress, parseEther } from "ethers";
import { artifacts } from "hardhat";

import { decodeRollupRevert, revertDataOf } from "../../rollup-node/bridge/contracts";
import { L2_BRIDGE_ADDRESS, hashL2Message } from "../../protocol/messages";
import { rejection } from "../rollup-node/rejection";
import { type E2eRollup, eventually, provableWithdrawal, startE2eRollup, withdrawToL1 } from "./support/harness";

interface Status {
  status: string;
  [key: string]: unknown;
}

async function deployOnL2(rollup: E2eRollup, name: string): Promise<Contract> {
  const artifact = await artifacts.readArtifact(name);
  const factory = new ContractFactory(artifact.abi as InterfaceAbi, artifact.bytecode, rollup.l2Wallet(5));
  const contract = await factory.deploy();
  await contract.waitForDeployment();
  return contract as Contract;
}

describe("e2e: L1 ↔ L2 messaging through the one-command devnet", function () {
  this.timeout(60_000);
  let r: E2eRollup;

  before(async () => {
    r = await startE2eRollup();
  });

  after(async () => {
    await r?.stop();
  });

  // How long this takes is bench:rollup's "devnet start-up" line (a figure, not a timed test).
  it("starts L1, deploys the rollup and serves L2: the L2 answers with the rollup's chain id and L1 holds the rollup's code", async () => {
    expect((await r.l2.getNetwork()).chainId).to.equal(r.devnet.l2ChainId);
    expect(await r.l1.getCode(r.devnet.deployment.address)).to.not.equal("0x");
  });

  it("a deposit on L1 is queued, anchored, relayed and credited on L2", async () => {
    const recipient = getAddress("0x000000000000000000000000000000000000beef");
    const receipt = await (await r.rollup(1).depositETH(recipient, { value: parseEther("1.5") })).wait();
    await eventually("the L2 credit", async () =>
      (await r.l2.getBalance(recipient)) === parseEther("1.5") ? true : undefined,
    );
    const status = (await r.l2.send("rollup_getMessageStatus", [{ l1TransactionHash: receipt?.hash }])) as Status;
    expect(status.status).to.equal("relayed");
    expect(r.log.has("L1 → L2 message #0 queued")).to.equal(true);
    expect(r.log.has("anchored L1 → L2 message #0 in L2 block")).to.equal(true);
    expect(r.log.has("L1 → L2 message #0 relayed in L2 block")).to.equal(true);
  });

  it("ethers and a Hardhat-style ContractFactory deployment work against the L2 RPC", async () => {
    const counter = await deployOnL2(r, "Counter");
    await (await (counter.getFunction("increment") as (o?: object) => Promise<{ wait(): Promise<unknown> }>)()).wait();
    expect(await counter.getFunction("count")()).to.equal(1n);
    expect((await r.l2.getNetwork()).chainId).to.equal(r.devnet.l2ChainId);
  });

  it("an L1 → L2 call runs with l1Sender() = the L1 caller and the value it sent", async () => {
    const receiver = await deployOnL2(r, "L2Receiver");
    const user = r.l1Wallet(2);
    const data = receiver.interface.encodeFunctionData("receiveMessage", [42n]);
    const tx = await r.rollup(2).sendMessage(await receiver.getAddress(), 200_000n, data, { value: 25n });
    const receipt = await tx.wait();
    const status = await eventually("the relay", async () => {
      const s = (await r.l2.send("rollup_getMessageStatus", [{ l1TransactionHash: receipt?.hash }])) as Status;
      return s.status === "relayed" ? s : undefined;
    });
    expect(status.anchoredInL2Block).to.not.equal(undefined);
    expect(await receiver.getFunction("lastL1Sender")()).to.equal(user.address);
    expect(await receiver.getFunction("lastCaller")()).to.equal(getAddress(L2_BRIDGE_ADDRESS));
    expect(await receiver.getFunction("lastValue")()).to.equal(25n);
    expect(await receiver.getFunction("lastArgument")()).to.equal(42n);
  });

  it("an L1 → L2 call that reverts is logged as failed, with where its value waits, never as relayed", async () => {
    // L2Bridge has no function for this selector: the relayed call reverts.
    const receipt = await (await r.rollup(2).sendMessage(L2_BRIDGE_ADDRESS, 200_000n, "0x12345678")).wait();
    const status = await eventually("the failed relay", async () => {
      const s = (await r.l2.send("rollup_getMessageStatus", [{ l1TransactionHash: receipt?.hash }])) as Status;
      return s.status === "failed" ? s : undefined;
    });
    const nonce = BigInt(status.nonce as string);
    const block = BigInt(status.anchoredInL2Block as string);
    expect(r.log.has(`L1 → L2 message #${nonce} relayed`)).to.equal(false);
    expect(
      r.log.has(`L1 → L2 message #${nonce} was consumed in L2 block ${block} but its call reverted`),
      r.log.lines.filter((line) => line.includes(`#${nonce} `)).join("\n"),
    ).to.equal(true);
  });

  it("an L2 → L1 withdrawal becomes provable and finalizes on L1 once; a second finalization and a forged proof are rejected", async () => {
    const l1Recipient = r.l1Wallet(7).address;
    const txHash = await withdrawToL1(r, 3, l1Recipient, parseEther("0.25"));
    const initiated = (await r.l2.send("rollup_getMessageStatus", [{ l2TransactionHash: txHash }])) as Status;
    expect(["initiated", "provable"]).to.include(initiated.status);
    const proof = await provableWithdrawal(r, txHash);
    expect(proof.messageHash).to.equal(
      hashL2Message({ ...proof.message, nonce: BigInt(proof.message.nonce), value: BigInt(proof.message.value) }),
    );

    const finalizer = r.rollup(4);
    const before = await r.l1.getBalance(l1Recipient);
    await (
      await finalizer.finalizeMessage(proof.l2BlockNumber, proof.message, proof.accountProof, proof.storageProof)
    ).wait();
    expect((await r.l1.getBalance(l1Recipient)) - before).to.equal(parseEther("0.25"));
    expect(
      ((await r.l2.send("rollup_getMessageStatus", [{ messageHash: proof.messageHash }])) as Status).status,
    ).to.equal("finalized");

    const again = await rejection(
      finalizer.finalizeMessage(proof.l2BlockNumber, proof.message, proof.accountProof, proof.storageProof, {
        gasLimit: 2_000_000n,
      }),
    );
    expect(decodeRollupRevert(revertDataOf(again) ?? "0x")?.name).to.equal("AlreadyFinalized");

    const forged = { ...proof.message, value: (BigInt(proof.message.value) * 2n).toString() };
    const forgery = await rejection(
      finalizer.finalizeMessage(proof.l2BlockNumber, forged, proof.accountProof, proof.storageProof, {
        gasLimit: 2_000_000n,
      }),
    );
    expect(forgery.message).to.match(/revert/i);
    expect(
      await finalizer.finalized(hashL2Message({ ...forged, nonce: BigInt(forged.nonce), value: BigInt(forged.value) })),
    ).to.equal(false);
    await eventually("the finalization log", async () =>
      r.log.has(`${proof.messageHash} finalized on L1`) ? true : undefined,
    );
  });

  it("every L2 block the node produced is accepted on L1 by EXECUTE, and L1 and L2 heads agree", async () => {
    const l2Head = BigInt(await r.l2.getBlockNumber());
    expect(l2Head).to.be.greaterThan(3n);
    const rollup = r.rollup();
    await eventually("L1 to catch up", async () => ((await rollup.headNumber()) >= l2Head ? true : undefined));
    const accepted = await rollup.headNumber();
    const block = await r.l2.getBlock(Number(accepted));
    expect(await rollup.headHash()).to.equal(block?.hash);
    const advanced = await rollup.queryFilter(rollup.filters.BlockAdvanced(), r.devnet.deployment.deployBlock);
    expect(advanced.map((e) => e.args.number)).to.deep.equal(
      Array.from({ length: Number(accepted) }, (_, i) => BigInt(i + 1)),
    );
    expect(r.devnet.node.bridge.submitter?.haltReason).to.equal(undefined);
    const status = (await r.l2.send("rollup_status", [])) as Record<string, string>;
    expect(status.rollupAddress).to.equal(r.devnet.deployment.address);
    expect(BigInt(status.pendingL1Messages as string)).to.equal(0n);
  });
});
