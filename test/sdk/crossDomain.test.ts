import { expect } from "chai";
import { parseEther } from "ethers";
import hre from "hardhat";

import { RollupClient, callL2AndWait, sendToL1AndFinalize } from "../../sdk";
import { rejection } from "../rollup-node/rejection";
import { type E2eRollup, startE2eRollup } from "../e2e/support/harness";

describe("sdk: the cross-domain helpers a test uses (callL2AndWait, sendToL1AndFinalize)", function () {
  this.timeout(90_000);
  let r: E2eRollup;
  let client: RollupClient;

  before(async () => {
    r = await startE2eRollup();
    client = new RollupClient({
      l1: r.l1Wallet(2),
      l2: r.l2Wallet(2),
      rollupAddress: r.devnet.deployment.address,
      pollingIntervalMs: 50,
    });
  });

  after(async () => {
    await r?.stop();
  });

  it("callL2AndWait resolves once the L1 → L2 call ran, with the L2 receipt carrying its events; a call that reverts rejects with its reason", async () => {
    const counter = await (await hre.ethers.getContractFactory("Counter", r.l2Wallet(2))).deploy();
    await counter.waitForDeployment();
    const { l2Receipt, status } = await callL2AndWait(
      client,
      { to: await counter.getAddress(), data: counter.interface.encodeFunctionData("add", [41n]) },
      { timeoutMs: 30_000 },
    );
    expect(status.status).to.equal("relayed");
    expect(await counter.count()).to.equal(41n);
    const events = l2Receipt.logs
      .map((log) => counter.interface.parseLog(log))
      .filter((e) => e?.name === "Incremented");
    expect(events.map((e) => e?.args.newCount)).to.deep.equal([41n]);

    const failed = await rejection(
      callL2AndWait(
        client,
        { to: await counter.getAddress(), data: counter.interface.encodeFunctionData("failWithReason") },
        { timeoutMs: 30_000 },
      ),
    );
    expect(failed.code).to.equal("MESSAGE_FAILED");
    expect(failed.message).to.contain("reverted: counter says no");
  });

  it("sendToL1AndFinalize sends from L2, waits until provable and finalizes: the L1 call is made with the value", async () => {
    const receiver = await (await hre.ethers.getContractFactory("L1Receiver", r.l1Wallet(2))).deploy();
    await receiver.waitForDeployment();
    const done = await sendToL1AndFinalize(
      client,
      {
        to: await receiver.getAddress(),
        data: receiver.interface.encodeFunctionData("receiveMessage", [7n]),
        value: parseEther("0.01"),
      },
      { timeoutMs: 30_000 },
    );
    expect(done.receipt.status).to.equal(1);
    expect(done.sent.direction).to.equal("l2ToL1");
    expect(await receiver.lastArgument()).to.equal(7n);
    expect(await receiver.lastL2Sender()).to.equal(r.l2Wallet(2).address);
    expect(await receiver.lastValue()).to.equal(parseEther("0.01"));
  });
});
