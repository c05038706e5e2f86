import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";
import { type JsonRpcProvider, Wallet, parseEther } from "ethers";

import { BatchSubmitter, PROPOSE_GAS_MARGIN } from "../../rollup-node/bridge/batchSubmitter";
import type { L1Devnet } from "../../rollup-node/devnet/l1Devnet";
import { silentLogger } from "../../rollup-node/logger";
import { devNodeKeys } from "../../rollup-node/node/keys";
import type { Sequencer } from "../../rollup-node/l2/sequencer";
import { type DevnetSequencer, deployDevnetRollup, startDevnetSequencer } from "../../tools/devnetSequencer";
import { LoggedLines } from "../../tools/loggedLines";

/** The longest log line a failed attempt may write: a hash, a size and a reason, never the transaction. */
const MAX_LINE = 600;

describe("the batch submitter's transactions: logged by hash and size, proposals with a gas margin", function () {
  this.timeout(120_000);
  const keys = devNodeKeys();
  let l1: L1Devnet;
  let provider: JsonRpcProvider;
  let devnet: DevnetSequencer<JsonRpcProvider>;
  let sequencer: Sequencer;

  before(async () => {
    devnet = await startDevnetSequencer({
      chainId: 779n,
      sequencerBalance: parseEther("100"),
      dirPrefix: "submitter-logs-",
    });
    ({ l1, provider, sequencer } = devnet);
    await sequencer.produceBlock();
  });

  after(() => devnet.stop());

  it("a key L1 would refuse (no funds for gas) waits before sending, logged once in short lines, never as the raw transaction", async () => {
    const broke = Wallet.createRandom().connect(provider); // L1 would refuse its transactions: no funds for gas
    const { address } = await deployDevnetRollup(devnet, {
      genesisSupply: 0n, // unbacked on purpose: these tests never withdraw genesis funds
      sequencer: broke.address,
    });
    const lines = new LoggedLines();
    const submitter = new BatchSubmitter({
      sequencer,
      rollupAddress: address,
      signer: broke,
      logger: lines,
      retry: { initialDelayMs: 10, maxDelayMs: 20 },
    });
    submitter.start();
    while (submitter.waitReason === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
    // Several more attempts (10–20 ms apart): the wait is still said once.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await submitter.stop();
    expect(submitter.haltReason).to.equal(undefined);
    const witnessBytes = (await sequencer.producedBlock(1n))?.encodedWitness.length as number;
    expect(witnessBytes).to.be.greaterThan(MAX_LINE);
    expect(lines.all.length).to.be.greaterThan(0);
    for (const line of lines.all)
      expect(line.length, `a ${line.length}-character log line: ${line.slice(0, 200)}…`).to.be.at.most(MAX_LINE);
    expect(lines.all.filter((l) => l.includes(`${broke.address} holds 0 wei`))).to.have.length(1);
    expect(await provider.getTransactionCount(broke.address)).to.equal(0);
  });

  it("on an L1 without the rollup (reset, or another chain at the URL), a failed attempt says so, not 'could not decode result data'", async () => {
    const nowhere = Wallet.createRandom().address;
    const lines = new LoggedLines();
    const submitter = new BatchSubmitter({
      sequencer,
      rollupAddress: nowhere,
      signer: new Wallet(keys.sequencer.privateKey, provider),
      logger: lines,
      retry: { initialDelayMs: 10, maxDelayMs: 20 },
    });
    submitter.start();
    for (let i = 0; i < 400 && !lines.all.some((l) => l.includes("attempt failed")); i++)
      await new Promise((resolve) => setTimeout(resolve, 25));
    await submitter.stop();
    const failed = lines.all.find((l) => l.includes("attempt failed")) ?? lines.all.join(" | ");
    expect(failed).to.contain(`this L1 has no rollup contract at ${nowhere}`);
  });

  it("proposes with the estimate plus a declared margin, so a proposal never runs out of gas when L1 state moves", async () => {
    const { address } = await deployDevnetRollup(devnet, {
      genesisSupply: 0n, // unbacked on purpose: these tests never withdraw genesis funds
      optimistic: { challengeWindow: 3600n, proposalBond: parseEther("0.1") },
    });
    const submitter = new BatchSubmitter({
      sequencer,
      rollupAddress: address,
      signer: new Wallet(keys.sequencer.privateKey, provider),
      logger: silentLogger,
      mode: { kind: "optimistic" },
    });
    const nonce = await provider.getTransactionCount(keys.sequencer.address);
    expect(await submitter.submitNext()).to.equal(true);
    const hash = l1.chain.head.transactions[0]?.hash();
    const tx = await provider.getTransaction(bytesToHex(hash as Uint8Array));
    const receipt = await provider.getTransactionReceipt(bytesToHex(hash as Uint8Array));
    expect(tx?.nonce).to.equal(nonce);
    expect((tx?.gasLimit as bigint) - (receipt?.gasUsed as bigint)).to.be.at.least(PROPOSE_GAS_MARGIN);
  });
});
