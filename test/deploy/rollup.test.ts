import { expect } from "chai";
import { getAddress, hexlify } from "ethers";
import hre from "hardhat";

import {
  DEFAULT_ROLLUP_POLICY,
  DeploymentError,
  type DeploymentProgress,
  type RollupDeployParams,
  deployRollup,
} from "../../deploy/rollup";
import { NodeError } from "../../rollup-node/errors";
import { ProofModeExecute__factory, ProvenRollup__factory } from "../../typechain-types";
import { type TestCommittee, testCommittee } from "../../tools/committeeFixture";
import { type EdrL1, startEdrL1 } from "../../tools/edrL1";

const BASE = {
  l2ChainId: 778n,
  genesisBlockHash: `0x${"01".repeat(32)}`,
  genesisStateRoot: `0x${"02".repeat(32)}`,
  sequencer: getAddress("0x00000000000000000000000000000000000000aa"),
  policy: DEFAULT_ROLLUP_POLICY,
  genesisSupply: 0n,
};

async function deploymentError(l1: EdrL1, params: RollupDeployParams): Promise<string | undefined> {
  try {
    await deployRollup(l1.signer, params);
  } catch (error) {
    if (error instanceof DeploymentError) return error.code;
    throw error;
  }
  return undefined;
}

describe("deployRollup with Solidity verifiers, on an L1 without EXECUTE (Hardhat's EDR network)", function () {
  this.timeout(120_000);
  let l1: EdrL1;
  let committees: TestCommittee[];

  before(async () => {
    l1 = await startEdrL1(hre);
    committees = await Promise.all([testCommittee(4, 71), testCommittee(4, 72)]);
  });

  it("deploys a ProofModeExecute with a verifier per key, and a ProvenRollup that verifies through it", async () => {
    const deployment = await deployRollup(l1.signer, {
      ...BASE,
      proofPolicy: { threshold: 2, allowReexecution: false, acceptedKeys: committees.map((c) => hexlify(c.keyHash)) },
      verification: { kind: "verifiers", verificationKeys: committees.map((c) => hexlify(c.verificationKey)) },
    });
    expect(deployment.contractName).to.equal("ProvenRollup");
    expect(deployment.executor).to.be.a("string");
    const rollup = ProvenRollup__factory.connect(deployment.address, l1.signer);
    expect(await rollup.EXECUTOR()).to.equal(deployment.executor);
    const executor = ProofModeExecute__factory.connect(deployment.executor!, l1.signer);
    for (const c of committees)
      expect(await executor.verifierOf(c.keyHash)).to.not.equal(getAddress(`0x${"00".repeat(20)}`));
  });

  it("resumes an interrupted deployment: steps found on chain are not paid again, and the record names mode and verifiers", async () => {
    const params: RollupDeployParams = {
      ...BASE,
      genesisSupply: 1_000n,
      proofPolicy: { threshold: 2, allowReexecution: false, acceptedKeys: committees.map((c) => hexlify(c.keyHash)) },
      verification: { kind: "verifiers", verificationKeys: committees.map((c) => hexlify(c.verificationKey)) },
    };
    const from = await l1.signer.getAddress();
    let saved: DeploymentProgress = {};
    // The run is cut off once the rollup contract is mined, before the genesis backing (a crash, a lost connection).
    const interrupted = await deployRollup(l1.signer, {
      ...params,
      onProgress: async (progress) => {
        saved = progress;
        if (progress.rollup !== undefined) throw new Error("interrupted");
      },
    }).catch((e: Error) => e);
    expect(String(interrupted)).to.contain("interrupted");
    expect(saved.executor).to.be.a("string");
    expect(saved.rollup?.address).to.be.a("string");
    // Read uncached (ethers caches an identical request for 250 ms, shorter than these steps on EDR).
    const nonceOf = async (): Promise<number> =>
      Number(await l1.provider.send("eth_getTransactionCount", [from, "latest"]));
    const nonce = await nonceOf();
    const deployment = await deployRollup(l1.signer, { ...params, resume: saved });
    expect(await nonceOf(), "only the genesis backing is left to send").to.equal(nonce + 1);
    expect(deployment.address).to.equal(saved.rollup?.address);
    expect(deployment.executor).to.equal(saved.executor);
    expect(deployment.mode).to.equal("proofs-verifiers");
    expect(Object.keys(deployment.verifiers ?? {})).to.deep.equal(committees.map((c) => hexlify(c.keyHash)));
    expect(await ProvenRollup__factory.connect(deployment.address, l1.signer).genesisSupply()).to.equal(1_000n);
    // Resumed once more after the backing: nothing at all is sent.
    await deployRollup(l1.signer, { ...params, resume: { ...saved, genesisBacked: true } });
    expect(await nonceOf()).to.equal(nonce + 1);
  });

  describe("resuming from a partial record that is not this deployment's (attack review C7: whoever can write <out>.partial chose the contracts reused)", () => {
    const params = (): RollupDeployParams => ({
      ...BASE,
      proofPolicy: { threshold: 1, allowReexecution: false, acceptedKeys: [hexlify(committees[0].keyHash)] },
      verification: { kind: "verifiers", verificationKeys: [hexlify(committees[0].verificationKey)] },
    });
    /** Runtime code that answers every call with the word 1: a "verifier" for any key, an executor that accepts anything. */
    const ANSWERS_ONE = "0x69600160005260206000f3600052600a6016f3";

    async function resumeRefusal(resume: DeploymentProgress): Promise<NodeError> {
      const outcome = await deployRollup(l1.signer, { ...params(), resume }).catch((e: unknown) => e);
      if (!(outcome instanceof NodeError))
        throw new Error(
          `resumed from the record instead of refusing it: ${JSON.stringify(outcome, (_k, v) => (typeof v === "bigint" ? String(v) : v))}`,
        );
      return outcome;
    }

    it("refuses an executor that is not a ProofModeExecute of the accepted keys, naming it", async () => {
      const attacker = await l1.provider.getSigner(1);
      const evil = await (await attacker.sendTransaction({ data: ANSWERS_ONE })).wait();
      const evilExecutor = evil?.contractAddress as string;
      const error = await resumeRefusal({ l1ChainId: 31337n, executor: evilExecutor });
      expect(error.code).to.equal("RESUME_MISMATCH");
      expect(error.message).to.contain(evilExecutor).and.to.contain("ProofModeExecute");
      expect(error.hint).to.match(/delete .*partial/);
    });

    it("refuses a rollup someone else deployed (another sequencer), even on the genuine executor", async () => {
      let saved: DeploymentProgress = {};
      await deployRollup(l1.signer, {
        ...params(),
        onProgress: async (progress) => {
          saved = progress;
          if (progress.executor !== undefined) throw new Error("interrupted");
        },
      }).catch(() => undefined);
      const attacker = await l1.provider.getSigner(1);
      const theirs = await new ProvenRollup__factory(attacker).deploy(
        BASE.l2ChainId,
        BASE.genesisBlockHash,
        BASE.genesisStateRoot,
        await attacker.getAddress(),
        BASE.policy,
        { threshold: 1, allowReexecution: false, acceptedKeys: [hexlify(committees[0].keyHash)] },
        saved.executor as string,
      );
      const receipt = await theirs.deploymentTransaction()?.wait();
      const error = await resumeRefusal({
        ...saved,
        rollup: {
          address: await theirs.getAddress(),
          deployBlock: receipt?.blockNumber ?? 0,
          transactionHash: receipt?.hash ?? "",
        },
      });
      expect(error.code).to.equal("RESUME_MISMATCH");
      expect(error.message).to.contain(await theirs.getAddress());
    });

    it("refuses a record of another L1 chain", async () => {
      const error = await resumeRefusal({ l1ChainId: 1n });
      expect(error.code).to.equal("RESUME_OTHER_CHAIN");
      expect(error.message).to.contain("chain 1").and.to.contain("31337");
    });
  });

  it("refuses an accepted key without its verification key, and a policy that allows re-execution", async () => {
    const keys = committees.map((c) => hexlify(c.keyHash));
    const missing = await deploymentError(l1, {
      ...BASE,
      proofPolicy: { threshold: 1, allowReexecution: false, acceptedKeys: keys },
      verification: { kind: "verifiers", verificationKeys: [hexlify(committees[0].verificationKey)] },
    });
    expect(missing).to.equal("MISSING_VERIFICATION_KEY");
    const reexecution = await deploymentError(l1, {
      ...BASE,
      proofPolicy: { threshold: 1, allowReexecution: true, acceptedKeys: keys },
      verification: { kind: "verifiers", verificationKeys: committees.map((c) => hexlify(c.verificationKey)) },
    });
    expect(reexecution).to.equal("REEXECUTION_WITHOUT_EXECUTE");
  });
});
