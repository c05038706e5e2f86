/**
 * How many times EXECUTE re-executes each L2 block the batch submitter gets accepted, counted on
 * the in-process devnet with the real precompile: once in the simulation at the derived gas limit
 * and once in the transaction — no eth_estimateGas search, which re-ran the whole block at each
 * step of its binary search.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { bytesToHex } from "@ethereumjs/util";
import { expect } from "chai";
import { JsonRpcProvider, Wallet, parseEther } from "ethers";

import { deployRollup } from "../../deploy/rollup";
import * as verifyBlockModule from "../../precompiles/verifyBlock";
import { BatchSubmitter } from "../../rollup-node/bridge/batchSubmitter";
import { createChainCommon } from "../../rollup-node/chain/genesis";
import { type L1Devnet, startL1Devnet } from "../../rollup-node/devnet/l1Devnet";
import { l2Genesis, readL2BridgeRuntimeCode } from "../../rollup-node/l2/genesis";
import { Sequencer } from "../../rollup-node/l2/sequencer";
import { silentLogger } from "../../rollup-node/logger";
import { devNodeKeys } from "../../rollup-node/node/keys";
import { TestSigner } from "../../tools/l2Fixtures";

const L2_CHAIN_ID = 782n;
const BLOCKS = 3;

/**
 * Counts EXECUTE's re-executions: the precompile calls `reexecute` through the module's exports
 * (CommonJS), so a wrapper put there sees every one. The node's own checks (verifyBlock) call it
 * inside the module and are not counted.
 */
function countReexecutions(): { readonly count: () => number; readonly restore: () => void } {
  const exports = verifyBlockModule as { reexecute: typeof verifyBlockModule.reexecute };
  const original = exports.reexecute;
  let count = 0;
  exports.reexecute = (...args) => {
    count++;
    return original(...args);
  };
  return { count: () => count, restore: () => void (exports.reexecute = original) };
}

describe("the batch submitter has EXECUTE re-execute each block twice: one simulation, one transaction", function () {
  this.timeout(300_000);
  const keys = devNodeKeys();
  const common = createChainCommon(L2_CHAIN_ID);
  const alice = TestSigner.fromSeed(3, common);
  let dir: string;
  let sequencer: Sequencer;
  let l1: L1Devnet;
  let provider: JsonRpcProvider;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "advance-executions-"));
    sequencer = await Sequencer.open({
      dataDir: dir,
      genesis: l2Genesis({
        chainId: L2_CHAIN_ID,
        timestamp: BigInt(Math.floor(Date.now() / 1000)) - 10n,
        bridgeCode: readL2BridgeRuntimeCode(),
        alloc: { [alice.address.toString()]: { balance: parseEther("100") } },
      }),
      logger: silentLogger,
    });
    l1 = await startL1Devnet({ port: 0, alloc: { [keys.sequencer.address]: { balance: parseEther("100") } } });
    provider = new JsonRpcProvider(l1.url, undefined, { staticNetwork: true, pollingInterval: 20, cacheTimeout: -1 });
  });

  after(async () => {
    provider.destroy();
    await l1.stop();
    await sequencer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`accepts ${BLOCKS} blocks (empty, 1 transfer, 20 transfers) with ${2 * BLOCKS} re-executions`, async () => {
    const signer = new Wallet(keys.sequencer.privateKey, provider);
    const genesis = sequencer.chain.resolveBlock(0n).block.header;
    const { address } = await deployRollup(signer, {
      l2ChainId: L2_CHAIN_ID,
      genesisBlockHash: bytesToHex(genesis.hash()),
      genesisStateRoot: bytesToHex(genesis.stateRoot),
      genesisSupply: 0n,
      sequencer: keys.sequencer.address,
    });
    await sequencer.produceBlock();
    await sequencer.submitTransaction(alice.tx({ to: "0x00000000000000000000000000000000000000aa", value: 1n }));
    await sequencer.produceBlock();
    for (let i = 0; i < 20; i++)
      await sequencer.submitTransaction(alice.tx({ to: `0x${(0xbb00 + i).toString(16).padStart(40, "0")}`, value: 1n }));
    await sequencer.produceBlock();

    const counter = countReexecutions();
    const submitter = new BatchSubmitter({ sequencer, rollupAddress: address, signer, logger: silentLogger });
    try {
      submitter.start();
      await submitter.waitForAccepted(BigInt(BLOCKS), 120_000);
    } finally {
      await submitter.stop();
      counter.restore();
    }
    expect(submitter.accepted.map((a) => a.transactions)).to.deep.equal([0, 1, 20]);
    expect(counter.count(), "EXECUTE re-executions for the accepted blocks").to.equal(2 * BLOCKS);
  });
});
