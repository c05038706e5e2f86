import { expect } from "chai";
import { AbiCoder, JsonRpcProvider, dataSlice, getBytes } from "ethers";
import { bytesToHex } from "@ethereumjs/util";

import { EXECUTE_ADDRESS, verifyBlock } from "../../../precompiles";
import { decodeExecutionProofs } from "../../../precompiles/proofs/codec";
import { verifyBlockWithProofs } from "../../../precompiles/proofs/verifyProofs";
import { type L1Devnet, startL1Devnet } from "../../../rollup-node/devnet/l1Devnet";
import { bundledCircuitArtifacts } from "../../../rollup-node/provers/committee";
import { CommitteeProver, ProofService, devAttesterKeys } from "../../../rollup-node/provers/proofService";
import { fixtureProveCommittee } from "../../support/proofFixtures";
import { TestSigner } from "../../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../../../tools/l2TestChain";

const L2_CHAIN_ID = 912n;
/** Not the default (Osaka): the L1 runs Prague, so the L2 follows Prague's rules. */
const L1_HARDFORK = "prague";
/** Stores CLZ(0x0f) at slot 0: Osaka's CLZ (EIP-7939) gives 252, Prague has no such opcode and reverts. */
const CLZ_CODE = "0x600f1e60005500";
const CLZ_ADDRESS = "0x0000000000000000000000000000000000c12c00";

describe("attesters verify under the L1's fork rules, as EXECUTE does", function () {
  this.timeout(300_000);
  let l1: L1Devnet;
  let provider: JsonRpcProvider;
  let built: BuiltBlock;

  before(async () => {
    l1 = await startL1Devnet({ port: 0, hardfork: L1_HARDFORK });
    provider = new JsonRpcProvider(l1.url, undefined, { staticNetwork: true });
    const probe = await L2TestChain.create(L2_CHAIN_ID, [], { l1Common: l1.chain.common });
    const alice = TestSigner.fromSeed(15, probe.common);
    const chain = await L2TestChain.create(
      L2_CHAIN_ID,
      [
        { address: alice.address.toString(), balance: 10n ** 18n },
        { address: CLZ_ADDRESS, code: CLZ_CODE },
      ],
      { l1Common: l1.chain.common },
    );
    built = await chain.buildBlock([TestSigner.fromSeed(15, chain.common).tx({ to: CLZ_ADDRESS })]);
  });

  after(async () => {
    provider?.destroy();
    await l1?.stop();
  });

  function params() {
    return { chainId: L2_CHAIN_ID, parentHeader: built.parentHeader, block: built.blockRlp, witness: built.witness };
  }

  it("the block is one whose outcome depends on the fork: valid under the L1's rules, not under the default ones", async () => {
    const input = AbiCoder.defaultAbiCoder().encode(
      ["uint64", "bytes", "bytes", "bytes", "bytes"],
      [L2_CHAIN_ID, built.parentHeader, built.blockRlp, built.witness, "0x"],
    );
    const output = await provider.call({ to: EXECUTE_ADDRESS, data: input });
    expect(dataSlice(output, 0, 32)).to.equal(bytesToHex(built.block.hash()));
    let defaultRules: unknown;
    await verifyBlock(params()).catch((error: unknown) => (defaultRules = error));
    expect((defaultRules as Error | undefined)?.message, "the default fork accepted the block too").to.match(
      /mismatch/,
    );
  });

  it("committee attesters given the L1's fork config sign the block, and the proof counts under EXECUTE's rules", async () => {
    // The Groth16 proof from the committed fixtures: the subject is the attesters' fork rules (the
    // commitment they sign, which a fixture is found by) and EXECUTE's count of the proof.
    const prover = await CommitteeProver.start("prague", devAttesterKeys("prague", 3), bundledCircuitArtifacts(), {
      l1Common: l1.chain.common,
      prove: fixtureProveCommittee,
    });
    const service = new ProofService([prover]);
    try {
      const { encoded, provenBy, failures } = await service.proofsFor(params());
      expect(failures).to.deep.equal([]);
      expect(provenBy).to.deep.equal(["prague"]);
      const bundle = {
        policy: { threshold: 1, allowReexecution: false, acceptedKeys: [getBytes(prover.keyHash)] },
        proofs: decodeExecutionProofs(encoded),
      };
      const proven = await verifyBlockWithProofs({ ...params(), common: l1.chain.common, bundle });
      expect(proven.acceptedBy.mode).to.equal("proofs");
    } finally {
      await service.close();
    }
  });
});
