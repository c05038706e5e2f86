import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";
import { type JsonRpcProvider, Wallet, keccak256, parseEther } from "ethers";

import { encodeExecutionProofs } from "../../precompiles/proofs/codec";
import { ProofType } from "../../precompiles/proofs/types";
import { BatchSubmitter, type BlockProofs } from "../../rollup-node/bridge/batchSubmitter";
import { ProofPolicyUnmetError, TransientBridgeError } from "../../rollup-node/bridge/submissionErrors";
import { connectRollup } from "../../rollup-node/bridge/contracts";
import { type Logger, silentLogger } from "../../rollup-node/logger";
import { devNodeKeys } from "../../rollup-node/node/keys";
import { blockProofSource } from "../../rollup-node/node/proofSource";
import { ProofService } from "../../rollup-node/provers/proofService";
import type { Sequencer } from "../../rollup-node/l2/sequencer";
import type { ProducedBlock } from "../../rollup-node/l2/types";
import { type DevnetSequencer, deployDevnetRollup, startDevnetSequencer } from "../../tools/devnetSequencer";
import { LoggedLines } from "../../tools/loggedLines";

/** A proof under a key the policy lists, that verifies nothing: one prover "delivered", none counts. */
const BOGUS_KEY = new Uint8Array([1, 2, 3]);
const BOGUS_PROOFS: BlockProofs = {
  encoded: encodeExecutionProofs([
    { proofType: ProofType.Groth16Bn254, verificationKey: BOGUS_KEY, proofData: new Uint8Array(32) },
  ]),
  provenBy: ["bogus"],
};

describe("the batch submitter in proof mode checks the policy's threshold before it sends", function () {
  this.timeout(120_000);
  const keys = devNodeKeys();
  let provider: JsonRpcProvider;
  let devnet: DevnetSequencer<JsonRpcProvider>;
  let sequencer: Sequencer;

  before(async () => {
    devnet = await startDevnetSequencer({
      chainId: 778n,
      sequencerBalance: parseEther("100"),
      dirPrefix: "submitter-proofs-",
    });
    ({ provider, sequencer } = devnet);
    await sequencer.produceBlock();
  });

  after(() => devnet.stop());

  async function provenRollup(allowReexecution: boolean): Promise<string> {
    const genesis = (await sequencer.producedBlock(1n))?.parentHeader as Uint8Array;
    const head = sequencer.chain.resolveBlock(0n).block.header;
    expect(keccak256(genesis)).to.equal(bytesToHex(head.hash()));
    const deployment = await deployDevnetRollup(devnet, {
      // Unbacked on purpose: this test never withdraws genesis funds.
      genesisSupply: 0n,
      proofPolicy: { threshold: 2, allowReexecution, acceptedKeys: [keccak256(BOGUS_KEY), keccak256("0x04")] },
    });
    return deployment.address;
  }

  function submitter(
    rollupAddress: string,
    logger: Logger,
    proofs: (produced: ProducedBlock) => Promise<BlockProofs> = () => Promise.resolve(BOGUS_PROOFS),
  ): BatchSubmitter {
    return new BatchSubmitter({
      sequencer,
      rollupAddress,
      signer: new Wallet(keys.sequencer.privateKey, provider),
      logger,
      retry: { initialDelayMs: 20, maxDelayMs: 200 },
      mode: { kind: "proofs", proofs },
    });
  }

  it("sends no advance, and halts, when the delivered proofs cannot count and the policy forbids re-execution", async () => {
    const rollupAddress = await provenRollup(false);
    const nonce = await provider.getTransactionCount(keys.sequencer.address);
    const lines = new LoggedLines();
    const error = await submitter(rollupAddress, lines)
      .submitNext()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(await provider.getTransactionCount(keys.sequencer.address), "an advance known to fail was sent").to.equal(
      nonce,
    );
    // A proof the policy does not count will not count on the next attempt either: a halt, not a retry.
    expect(error).to.be.instanceOf(ProofPolicyUnmetError);
    expect((error as Error).message).to.match(/0 of the 2 .*forbids re-execution/);
    expect(await connectRollup(rollupAddress, provider).headNumber()).to.equal(0n);
  });

  it("names the prover that failed, and why, when too few proofs came (an attester down), not only the count", async () => {
    const rollupAddress = await provenRollup(false);
    const down = "committee committee-1: 2 of 3 attesters signed (attester 2 at http://127.0.0.1:1/: fetch failed)";
    const failing = {
      name: "committee-1",
      keyHash: keccak256(BOGUS_KEY),
      prove: () => Promise.reject(new Error(down)),
      close: () => Promise.resolve(),
    };
    const proofs = blockProofSource(new ProofService([failing]), 778n);
    const nonce = await provider.getTransactionCount(keys.sequencer.address);
    const error = await submitter(rollupAddress, new LoggedLines(), proofs)
      .submitNext()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    // A prover down this time is retried (it may come back), and the operator reads which one and why.
    expect(error).to.be.instanceOf(TransientBridgeError);
    expect((error as Error).message).to.match(/0 of the 2 keys/);
    expect((error as Error).message).to.contain(`prover committee-1: ${down}`);
    expect(await provider.getTransactionCount(keys.sequencer.address), "an advance was sent").to.equal(nonce);
  });

  it("sends the block once, for re-execution, when proofs are below the threshold and the policy allows it", async () => {
    const rollupAddress = await provenRollup(true);
    const nonce = await provider.getTransactionCount(keys.sequencer.address);
    const s = submitter(rollupAddress, silentLogger);
    for (let attempt = 0; attempt < 3 && s.accepted.length === 0; attempt++)
      await s.submitNext().catch(() => undefined);
    expect(s.accepted.map((a) => [a.number, a.provenBy])).to.deep.equal([[1n, []]]);
    expect(await provider.getTransactionCount(keys.sequencer.address), "a failed advance was sent first").to.equal(
      nonce + 1,
    );
  });
});
