import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";
import { JsonRpcProvider, Wallet, parseEther } from "ethers";

import { deployRollup } from "../../deploy/rollup";
import { BatchSubmitter, PROPOSE_GAS_MARGIN } from "../../rollup-node/bridge/batchSubmitter";
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

/** The longest log line a failed attempt may write: a hash, a size and a reason, never the transaction. */
const MAX_LINE = 600;

describe("the batch submitter's transactions: logged by hash and size, proposals with a gas margin", function () {
  this.timeout(120_000);
  const keys = devNodeKeys();
  let l1: L1Devnet;
  let provider: JsonRpcProvider;
  let dir: string;
  let sequencer: Sequencer;
  let genesisHash: string;
  let genesisRoot: string;

  before(async () => {
    l1 = await startL1Devnet({ port: 0, alloc: { [keys.sequencer.address]: { balance: parseEther("100") } } });
    provider = new JsonRpcProvider(l1.url, undefined, { staticNetwork: true, pollingInterval: 20, cacheTimeout: -1 });
    dir = mkdtempSync(path.join(tmpdir(), "submitter-logs-"));
    const genesis = devL2Genesis({
      chainId: 779n,
      timestamp: BigInt(Math.floor(Date.now() / 1000)) - 10n,
      funded: [...l1.accounts, keys.relayer],
    });
    sequencer = await Sequencer.open({ dataDir: dir, genesis, logger: silentLogger });
    genesisHash = bytesToHex(sequencer.chain.head.hash());
    genesisRoot = bytesToHex(sequencer.chain.head.header.stateRoot);
    await sequencer.produceBlock();
  });

  after(async () => {
    await sequencer.close();
    provider.destroy();
    await l1.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a key L1 would refuse (no funds for gas) waits before sending, logged once in short lines, never as the raw transaction", async () => {
    const broke = Wallet.createRandom().connect(provider); // L1 would refuse its transactions: no funds for gas
    const { address } = await deployRollup(new Wallet(keys.sequencer.privateKey, provider), {
      l2ChainId: 779n,
      genesisBlockHash: genesisHash,
      genesisStateRoot: genesisRoot,
      genesisSupply: 0n, // unbacked on purpose: these tests never withdraw genesis funds
      sequencer: broke.address,
    });
    const lines = new Lines();
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

  it("proposes with the estimate plus a declared margin, so a proposal never runs out of gas when L1 state moves", async () => {
    const { address } = await deployRollup(new Wallet(keys.sequencer.privateKey, provider), {
      l2ChainId: 779n,
      genesisBlockHash: genesisHash,
      genesisStateRoot: genesisRoot,
      genesisSupply: 0n, // unbacked on purpose: these tests never withdraw genesis funds
      sequencer: keys.sequencer.address,
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
