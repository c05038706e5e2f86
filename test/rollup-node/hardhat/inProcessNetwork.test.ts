import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import hre, { ethers } from "hardhat";

import { EXECUTE_ADDRESS, ExecuteErrorCode, createExecutePrecompile, decodeExecuteInvalid } from "../../../precompiles";
import { IN_PROCESS_NETWORK, LazyDevnetProvider } from "../../../tasks/inProcessNetwork";
import { resolveRollupConfig } from "../../../tasks/rollupConfig";
import { blockExecuteCall } from "../../../tools/executeCall";
import {
  COUNTER_EXAMPLE_SETTERS,
  counterExampleChain,
  counterExampleData,
} from "../../../tools/writeRuleCounterExample";

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

  // A project whose L2 schedules EXECUTE's write rules (rollup.genesis.writeRules) tests its
  // contracts against an EXECUTE that applies them (attack-review-s25 finding 3).
  it("gives EXECUTE the L2's write rules from the rollup config: a write-through block of a scheduled chain is valid", async function () {
    this.timeout(120_000);
    const chainId = 920n;
    const rollup = resolveRollupConfig({
      l2ChainId: Number(chainId),
      genesis: {
        writeRules: [
          { rule: "write-through", block: 0 },
          { rule: "per-block", block: 3 },
        ],
      },
    });
    const { chain, alice, slots } = await counterExampleChain(chainId);
    const built = await chain.buildBlock(
      [alice.tx({ to: COUNTER_EXAMPLE_SETTERS[0], data: counterExampleData(slots) })],
      {
        writes: rollup.writeRules,
      },
    );
    const { data, gasLimit } = blockExecuteCall(built, chainId, createExecutePrecompile());
    const call = (provider: LazyDevnetProvider) =>
      provider
        .request({
          method: "eth_call",
          params: [
            { to: EXECUTE_ADDRESS, data: ethers.hexlify(data), gas: ethers.toQuantity(gasLimit + 100_000n) },
            "latest",
          ],
        })
        .then(
          (output) => ethers.dataSlice(output as string, 0, 32),
          (error: Error & { data?: string }) => {
            const invalid = error.data === undefined ? undefined : decodeExecuteInvalid(ethers.getBytes(error.data));
            return invalid === undefined ? `failed: ${error.message}` : `invalid ${invalid.code}`;
          },
        );
    expect(await call(new LazyDevnetProvider(rollup))).to.equal(ethers.hexlify(built.block.hash()));
    // This repository's own config schedules nothing: the default rule refuses the block.
    expect(await call(new LazyDevnetProvider(hre.config.rollup))).to.equal(
      `invalid ${ExecuteErrorCode.WitnessIncomplete}`,
    );
  });
});
