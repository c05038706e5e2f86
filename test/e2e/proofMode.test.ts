import { expect } from "chai";
import { getAddress, parseEther } from "ethers";

import { acceptanceHistory } from "../../rollup-node/bridge/acceptance";
import type { AcceptedBlock } from "../../rollup-node/bridge/batchSubmitter";
import { COMMITTEE_CIRCUIT } from "../../rollup-node/provers/committee";
import { CommitteeProver, devAttesterKeys } from "../../rollup-node/provers/proofService";
import { type E2eRollup, eventually, provableWithdrawal, startE2eRollup, withdrawToL1 } from "./support/harness";

// The second proof type is plugged in from outside the devnet, as an external (zkVM) prover would be.
describe("e2e: a rollup whose blocks are accepted on proofs alone (2 of 2: a devnet committee and a plugged-in prover)", function () {
  this.timeout(180_000);
  let r: E2eRollup;
  let external: CommitteeProver;
  const accepted: AcceptedBlock[] = [];

  before(async () => {
    external = await CommitteeProver.start("external", devAttesterKeys("external", COMMITTEE_CIRCUIT.signatures));
    r = await startE2eRollup({
      mode: { kind: "proofs", committees: 1, provers: [external] },
      onAccepted: (block) => accepted.push(block),
    });
  });

  after(async () => {
    await r?.stop();
  });

  it("deploys a ProvenRollup whose policy lists the committee's key and the plugged-in prover's", async () => {
    const policy = r.devnet.deployment.proofPolicy;
    expect(policy?.threshold).to.equal(2);
    expect(policy?.acceptedKeys).to.have.length(2);
    expect(policy?.acceptedKeys.map((k) => k.toLowerCase())).to.include(external.keyHash.toLowerCase());
  });

  it("a deposit reaches L2 and every block is accepted on L1 on proofs, without a witness", async () => {
    const recipient = getAddress("0x000000000000000000000000000000000000c0de");
    await (await r.rollup(1).depositETH(recipient, { value: parseEther("1") })).wait();
    await eventually(
      "the L2 credit",
      async () => ((await r.l2.getBalance(recipient)) === parseEther("1") ? true : undefined),
      60_000,
    );
    const l2Head = BigInt(await r.l2.getBlockNumber());
    await eventually(
      "L1 to accept the L2 head",
      async () => (accepted.some((b) => b.number >= l2Head) ? true : undefined),
      60_000,
    );
    expect(await r.rollup().headNumber()).to.be.greaterThanOrEqual(l2Head);
    for (const block of accepted) {
      expect(block.provenBy).to.deep.equal(["committee-1", "external"]);
      expect(block.witnessBytes).to.equal(0);
    }
    // What `npx hardhat rollup:blocks` shows: read back from L1 alone.
    const history = await acceptanceHistory(r.l1, r.devnet.deployment.address);
    expect(history.length).to.equal(accepted.length);
    const keys = r.devnet.deployment.proofPolicy?.acceptedKeys.map((k) => k.toLowerCase());
    for (const entry of history) {
      expect(entry.mode).to.equal("proven");
      expect(entry.proofKeys.map((k) => k.toLowerCase())).to.deep.equal(keys);
    }
  });

  it("a withdrawal finalizes against a state root accepted on proofs", async () => {
    const l1Recipient = r.l1Wallet(6).address;
    const txHash = await withdrawToL1(r, 2, l1Recipient, parseEther("0.1"));
    const proof = await provableWithdrawal(r, txHash, 60_000);
    const before = await r.l1.getBalance(l1Recipient);
    await (
      await r.rollup(4).finalizeMessage(proof.l2BlockNumber, proof.message, proof.accountProof, proof.storageProof)
    ).wait();
    expect((await r.l1.getBalance(l1Recipient)) - before).to.equal(parseEther("0.1"));
  });
});
