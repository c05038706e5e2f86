import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import hre, { ethers } from "hardhat";

import { IN_PROCESS_NETWORK } from "../../../tasks/inProcessNetwork";

async function deployCounter() {
  const [owner, other] = await ethers.getSigners();
  const counter = await ethers.deployContract("Counter");
  await counter.waitForDeployment();
  return { counter, owner: owner!, other: other! };
}

describe("Hardhat in-process devnet network", () => {
  it("is the default network and runs the EthereumJS devnet with EXECUTE", async () => {
    expect(hre.network.name).to.equal(IN_PROCESS_NETWORK);
    expect(await hre.network.provider.request({ method: "web3_clientVersion" })).to.match(/native-rollup-l1-devnet/);
    expect((await ethers.provider.getNetwork()).chainId).to.equal(1337n);
  });

  it("gives hardhat-ethers its signers and deploys contracts", async () => {
    const { counter, owner } = await loadFixture(deployCounter);
    expect(await owner.getAddress()).to.equal("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    await counter.increment();
    expect(await counter.count()).to.equal(1n);
  });

  it("supports chai matchers: emit, revertedWithCustomError, revertedWith, changeEtherBalance", async () => {
    const { counter, owner, other } = await loadFixture(deployCounter);
    await expect(counter.increment()).to.emit(counter, "Incremented").withArgs(owner.address, 1n);
    await expect(counter.add(101n)).to.be.revertedWithCustomError(counter, "TooLarge").withArgs(101n, 100n);
    await expect(counter.failWithReason()).to.be.revertedWith("counter says no");
    await counter.deposit({ value: 1000n });
    await expect(counter.withdraw(other.address, 400n)).to.changeEtherBalance(other, 400n);
  });

  it("restores fixtures with loadFixture (evm_snapshot / evm_revert)", async () => {
    const { counter } = await loadFixture(deployCounter);
    expect(await counter.count()).to.equal(0n);
  });

  it("moves block time with time.increase", async () => {
    const { counter } = await loadFixture(deployCounter);
    const before = await time.latest();
    await time.increase(3600);
    expect(await time.latest()).to.be.at.least(before + 3600);
    expect(await counter.timestamp()).to.be.at.least(BigInt(before + 3600));
  });
});
