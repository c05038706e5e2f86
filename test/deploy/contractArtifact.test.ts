import { expect } from "chai";
import { getAddress, parseEther } from "ethers";
import { artifacts, ethers } from "hardhat";

import {
  type RollupContractArtifact,
  RollupConstructorError,
  rollupConstructorArgs,
  rollupContractShape,
} from "../../deploy/contractArtifact";
import { DEFAULT_ROLLUP_POLICY, DeploymentError, deployRollup, estimateDeploymentCost } from "../../deploy/rollup";
import { EXECUTE_ADDRESS } from "../../precompiles";
import { ProvenRollup__factory } from "../../typechain-types";

async function artifact(name: string): Promise<RollupContractArtifact> {
  const a = await artifacts.readArtifact(name);
  return { contractName: a.contractName, abi: a.abi, bytecode: a.bytecode };
}

const SEQUENCER = getAddress("0x00000000000000000000000000000000000000aa");
const POLICY = { threshold: 1, allowReexecution: false, acceptedKeys: [`0x${"11".repeat(32)}`] };
const BASE = {
  l2ChainId: 777n,
  genesisBlockHash: `0x${"01".repeat(32)}`,
  genesisStateRoot: `0x${"02".repeat(32)}`,
  sequencer: SEQUENCER,
  policy: DEFAULT_ROLLUP_POLICY,
  executor: EXECUTE_ADDRESS,
  genesisSupply: 0n,
};

describe("deploy/contractArtifact: a project's own rollup contract", () => {
  it("reads which framework structs a constructor takes from its ABI", async () => {
    expect(rollupContractShape(await artifact("ExampleRollup"))).to.deep.equal({
      optimistic: false,
      proofPolicy: false,
    });
    expect(rollupContractShape(await artifact("ProvenRollup"))).to.deep.equal({ optimistic: false, proofPolicy: true });
    expect(rollupContractShape(await artifact("OptimisticExampleRollup"))).to.deep.equal({
      optimistic: true,
      proofPolicy: true,
    });
  });

  it("fills the constructor by parameter name and struct shape", async () => {
    const args = rollupConstructorArgs(await artifact("ProvenRollup"), { ...BASE, proofPolicy: POLICY });
    expect(args).to.deep.equal([
      777n,
      BASE.genesisBlockHash,
      BASE.genesisStateRoot,
      SEQUENCER,
      DEFAULT_ROLLUP_POLICY,
      POLICY,
      EXECUTE_ADDRESS,
    ]);
  });

  it("refuses a constructor parameter it cannot supply, naming it", () => {
    const odd: RollupContractArtifact = {
      contractName: "Odd",
      bytecode: "0x",
      abi: [
        {
          type: "constructor",
          inputs: [
            { name: "l2ChainId", type: "uint64" },
            { name: "owner", type: "address" },
          ],
        },
      ],
    };
    expect(() => rollupConstructorArgs(odd, BASE)).to.throw(RollupConstructorError, 'parameter #1 "owner" (address)');
  });

  it("deploys a custom contract through deployRollup and records its name; the proof policy reaches the constructor", async () => {
    const [deployer] = await ethers.getSigners();
    const deployment = await deployRollup(deployer!, {
      ...BASE,
      proofPolicy: POLICY,
      contract: await artifact("ProvenRollup"),
    });
    expect(deployment.contractName).to.equal("ProvenRollup");
    const rollup = ProvenRollup__factory.connect(deployment.address, deployer!);
    expect(await rollup.L2_CHAIN_ID()).to.equal(777n);
    expect((await rollup.proofPolicy()).threshold).to.equal(1n);
  });

  it("prices a project's own optimistic contract from a window and a bond alone, the proposal gas bucket's defaults filled as deployRollup fills them", async () => {
    // rollup:deploy of a `rollup:init --optimistic` project prices the deployment first (docs/design/trial-s30.md):
    // it failed with "missing value for component proposalGasPerSecond" and deployed nothing.
    const [deployer] = await ethers.getSigners();
    const params = {
      ...BASE,
      optimistic: { challengeWindow: 10n, proposalBond: parseEther("0.1") },
      contract: await artifact("PermissionedOptimisticTestRollup"),
    };
    const cost = await estimateDeploymentCost(deployer!, params);
    expect(cost.gas > 1_000_000n).to.equal(true);
    const deployment = await deployRollup(deployer!, params);
    expect(deployment.contractName).to.equal("PermissionedOptimisticTestRollup");
  });

  it("refuses a contract whose constructor does not match the mode (a proof policy, but proof mode off)", async () => {
    const [deployer] = await ethers.getSigners();
    let error: unknown;
    try {
      await deployRollup(deployer!, { ...BASE, contract: await artifact("ProvenRollup") });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(DeploymentError);
    expect((error as DeploymentError).code).to.equal("CONTRACT_MODE_MISMATCH");
  });
});
