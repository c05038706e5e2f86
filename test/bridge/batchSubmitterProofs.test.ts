import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";
import { JsonRpcProvider, Wallet, keccak256, parseEther } from "ethers";

import { deployRollup } from "../../deploy/rollup";
import { encodeExecutionProofs } from "../../precompiles/proofs/codec";
import { ProofType } from "../../precompiles/proofs/types";
import { BatchSubmitter, type BlockProofs } from "../../rollup-node/bridge/batchSubmitter";
import { ProofPolicyUnmetError } from "../../rollup-node/bridge/submissionErrors";
import { connectRollup } from "../../rollup-node/bridge/contracts";
import { type L1Devnet, startL1Devnet } from "../../rollup-node/devnet/l1Devnet";
import { type Logger, silentLogger } from "../../rollup-node/logger";
import { devNodeKeys } from "../../rollup-node/node/keys";
import { devL2Genesis } from "../../rollup-node/node/l2Genesis";
import { Sequencer } from "../../rollup-node/l2/sequencer";

class Lines implements Logger {
  readonly all: string[] = [];
  info = (m: string): void => void this.all.push(m);
  warn = (m: string): void => void this.all.push(m);
  error = (m: string): void => void this.all.push(m);
  debug = (): void => {};
}

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
  let l1: L1Devnet;
  let provider: JsonRpcProvider;
  let dir: string;
  let sequencer: Sequencer;

  before(async () => {
    l1 = await startL1Devnet({ port: 0, alloc: { [keys.sequencer.address]: { balance: parseEther("100") } } });
    provider = new JsonRpcProvider(l1.url, undefined, { staticNetwork: true, pollingInterval: 20, cacheTimeout: -1 });
    dir = mkdtempSync(path.join(tmpdir(), "submitter-proofs-"));
    const genesis = devL2Genesis({
      chainId: 778n,
      timestamp: BigInt(Math.floor(Date.now() / 1000)) - 10n,
      funded: [...l1.accounts, keys.relayer],
    });
    sequencer = await Sequencer.open({ dataDir: dir, genesis, logger: silentLogger });
    await sequencer.produceBlock();
  });

  after(async () => {
    await sequencer.close();
    provider.destroy();
    await l1.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function provenRollup(allowReexecution: boolean): Promise<string> {
    const genesis = (await sequencer.producedBlock(1n))?.parentHeader as Uint8Array;
    const head = sequencer.chain.resolveBlock(0n).block.header;
    expect(keccak256(genesis)).to.equal(bytesToHex(head.hash()));
    const deployment = await deployRollup(new Wallet(keys.sequencer.privateKey, provider), {
      l2ChainId: 778n,
      genesisBlockHash: bytesToHex(head.hash()),
      genesisStateRoot: bytesToHex(head.stateRoot),
      // Unbacked on purpose: this test never withdraws genesis funds.
      genesisSupply: 0n,
      sequencer: keys.sequencer.address,
      proofPolicy: { threshold: 2, allowReexecution, acceptedKeys: [keccak256(BOGUS_KEY), keccak256("0x04")] },
    });
    return deployment.address;
  }

  function submitter(rollupAddress: string, logger: Logger): BatchSubmitter {
    return new BatchSubmitter({
      sequencer,
      rollupAddress,
      signer: new Wallet(keys.sequencer.privateKey, provider),
      logger,
      retry: { initialDelayMs: 20, maxDelayMs: 200 },
      mode: { kind: "proofs", proofs: () => Promise.resolve(BOGUS_PROOFS) },
    });
  }

  it("sends no advance, and halts, when the delivered proofs cannot count and the policy forbids re-execution", async () => {
    const rollupAddress = await provenRollup(false);
    const nonce = await provider.getTransactionCount(keys.sequencer.address);
    const lines = new Lines();
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
